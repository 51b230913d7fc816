//! A message to a person: planned, sent, delivered or suppressed (with the reason).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Option<Uuid>,
    pub appointment_id: Option<Uuid>,
    pub channel: String,
    pub template: String,
    pub idempotency_key: String,
    pub send_at: DateTimeUtc,
    pub status: String,
    pub reason: Option<String>,
    pub provider_ref: Option<String>,
    pub provider_id: Option<String>,
    pub attempts: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
