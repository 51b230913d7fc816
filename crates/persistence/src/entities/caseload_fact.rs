//! One person's caseload facts (see `crate::caseload::facts`): each part in its stored binary form (postcard),
//! NULL = not worked out yet.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "caseload_facts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: Uuid,
    pub standards_since: Option<Vec<u8>>,
    pub contacts: Option<Vec<u8>>,
    pub appointments: Option<Vec<u8>>,
    pub enforcement: Option<Vec<u8>>,
    pub home_visits: Option<Vec<u8>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
