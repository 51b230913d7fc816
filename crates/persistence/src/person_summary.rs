//! The few columns of a person that a list shows (the API's `PersonSummary`), read on their own where a
//! list would otherwise carry the whole record: a worklist line needs ten of the person's 22 columns.

use sea_orm::prelude::Date;
use sea_orm::{DbErr, QueryResult};
use uuid::Uuid;

use crate::entities::person;

#[derive(Debug, Clone, PartialEq)]
pub struct PersonSummary {
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Date,
    pub pnc_id: Option<String>,
    pub crn: Option<String>,
    pub cohort_status: Option<String>,
    pub strand: Option<String>,
    pub tier: Option<String>,
    pub rosh: Option<String>,
}

impl PersonSummary {
    /// The columns [`PersonSummary`] is read from, in the order [`Self::from_leading_columns`] reads them.
    pub const COLUMNS: [person::Column; 10] = [
        person::Column::Id,
        person::Column::GivenName,
        person::Column::FamilyName,
        person::Column::DateOfBirth,
        person::Column::PncId,
        person::Column::Crn,
        person::Column::CohortStatus,
        person::Column::Strand,
        person::Column::Tier,
        person::Column::Rosh,
    ];

    /// Read from a row whose first columns are [`Self::COLUMNS`], in that order: by position, which spares
    /// a worklist of 40 people 400 look-ups of columns by name.
    pub fn from_leading_columns(row: &QueryResult) -> Result<Self, DbErr> {
        Ok(Self {
            id: row.try_get_by_index(0)?,
            given_name: row.try_get_by_index(1)?,
            family_name: row.try_get_by_index(2)?,
            date_of_birth: row.try_get_by_index(3)?,
            pnc_id: row.try_get_by_index(4)?,
            crn: row.try_get_by_index(5)?,
            cohort_status: row.try_get_by_index(6)?,
            strand: row.try_get_by_index(7)?,
            tier: row.try_get_by_index(8)?,
            rosh: row.try_get_by_index(9)?,
        })
    }
}

impl From<person::Model> for PersonSummary {
    fn from(p: person::Model) -> Self {
        Self {
            id: p.id,
            given_name: p.given_name,
            family_name: p.family_name,
            date_of_birth: p.date_of_birth,
            pnc_id: p.pnc_id,
            crn: p.crn,
            cohort_status: p.cohort_status,
            strand: p.strand,
            tier: p.tier,
            rosh: p.rosh,
        }
    }
}
