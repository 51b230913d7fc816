//! The few columns of a person that a list shows (the API's `PersonSummary`), read on their own where a
//! list would otherwise carry the whole record: a worklist line needs ten of the person's 22 columns.

use sea_orm::FromQueryResult;
use sea_orm::prelude::Date;
use uuid::Uuid;

use crate::entities::person;

#[derive(Debug, Clone, PartialEq, FromQueryResult)]
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
    /// The columns [`PersonSummary`] is read from, under their own names.
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
