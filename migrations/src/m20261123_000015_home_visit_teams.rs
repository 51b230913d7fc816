//! A home visit can be given to a team (a police team, kept as an agency of kind `police`) as well as, or
//! instead of, one officer: `home_visits.assigned_team_id`, indexed for a team's list of visits.
//!
//! PostgreSQL also gets the foreign key to `agencies`; SQLite cannot add one to an existing table, so there
//! the API's check (an existing police agency) is what holds it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::columns::{foreign_key, index, optional_reference};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("home_visits")
                    .add_column(optional_reference("assigned_team_id"))
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .create_foreign_key(foreign_key("home_visits", "assigned_team_id", "agencies"))
                .await?;
        }
        manager
            .create_index(index("home_visits", &["assigned_team_id", "window_end"]))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_home_visits_assigned_team_id_window_end")
                    .table("home_visits")
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .drop_foreign_key(
                    ForeignKey::drop()
                        .name("fk_home_visits_assigned_team_id")
                        .table("home_visits")
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("home_visits")
                    .drop_column("assigned_team_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
