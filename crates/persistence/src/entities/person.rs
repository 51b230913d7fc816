//! A person on (or proposed for) the scheme.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "people")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Date,
    pub pnc_id: Option<String>,
    pub crn: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub language: String,
    pub sms_consent: bool,
    pub email_consent: bool,
    pub sms_opted_out_at: Option<DateTimeUtc>,
    pub tier: Option<String>,
    pub rosh: Option<String>,
    pub mappa_level: Option<String>,
    pub photo_ref: Option<String>,
    pub wanted: bool,
    pub cohort_status: Option<String>,
    pub strand: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
