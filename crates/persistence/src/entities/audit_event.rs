//! An append-only audit event (Data Protection Act 2018 s.62).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub occurred_at: DateTimeUtc,
    pub actor_id: Option<Uuid>,
    pub actor_role: Option<String>,
    pub action: String,
    pub person_id: Option<Uuid>,
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub purpose: String,
    pub request_id: Option<String>,
    pub detail: Option<Json>,
    /// The people a list read showed (a JSON array of their ids); `None` for an event about one person
    /// (`person_id`) or none.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub people: Option<Json>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
