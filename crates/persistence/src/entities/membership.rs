//! One step in a person's cohort membership history (status and strand, who, when, why).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Uuid,
    pub action: String,
    pub status: String,
    pub strand: String,
    pub reason: Option<String>,
    pub exit_plan: Option<String>,
    pub police_lead_id: Option<Uuid>,
    pub probation_lead_id: Option<Uuid>,
    pub actor_id: Option<Uuid>,
    pub occurred_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
