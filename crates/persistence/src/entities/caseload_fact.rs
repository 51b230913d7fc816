//! One person's caseload facts (see `crate::caseload::facts`): JSON text per part, NULL = not worked out yet.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "caseload_facts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    pub standards_since: Option<String>,
    pub contacts: Option<String>,
    pub appointments: Option<String>,
    pub enforcement: Option<String>,
    pub home_visits: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
