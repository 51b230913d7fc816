//! What happened: a contact with (or about) a person. Never edited; corrections supersede.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Uuid,
    pub staff_id: Option<Uuid>,
    pub contact_type: String,
    pub occurred_at: DateTimeUtc,
    pub status: String,
    pub outcome: Option<String>,
    pub notes: Option<String>,
    pub sensitive: bool,
    pub appointment_id: Option<Uuid>,
    pub home_visit_id: Option<Uuid>,
    pub supersedes_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
