//! A durable job for the scheduler.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub payload: Json,
    pub run_at: DateTimeUtc,
    pub priority: i32,
    pub attempts: i32,
    pub max_attempts: i32,
    pub unique_key: Option<String>,
    pub state: String,
    pub lease_expires_at: Option<DateTimeUtc>,
    pub epoch: i64,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
