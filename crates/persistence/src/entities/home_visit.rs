//! A planned or completed home visit.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "home_visits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Uuid,
    pub window_start: DateTimeUtc,
    pub window_end: DateTimeUtc,
    pub address: Option<String>,
    pub assigned_to: Option<Uuid>,
    /// The team (a police agency) the visit is given to, with or without an officer.
    pub assigned_team_id: Option<Uuid>,
    pub announced: bool,
    pub status: String,
    pub follow_up_of: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
