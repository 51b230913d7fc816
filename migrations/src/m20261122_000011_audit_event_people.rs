//! A list read (a people search, a worklist, a list of referrals or home visits) is one consultation of
//! every person it shows, and is now recorded as one audit event that names them all, in the new column
//! `people` (a JSON array of person ids), instead of one event per person. Each audit row costs the
//! database a heap tuple and four index entries, and with 25 or 40 of them the audit was most of the work
//! of a search or a worklist. "Who consulted this person?" stays one query: the events whose `person_id` is
//! the person, or whose `people` contains them; on PostgreSQL a GIN index serves the second. Events
//! written before keep their one person each.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const PEOPLE_INDEX: &str = "ix_audit_events_people";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("audit_events")
                    .add_column(ColumnDef::new("people").json_binary().null())
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            // `jsonb_path_ops` serves `people @> '["<id>"]'`, the only question asked of the column.
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    "CREATE INDEX {PEOPLE_INDEX} ON audit_events USING gin (people jsonb_path_ops)"
                ))
                .await?;
        }
        Ok(())
    }

    /// Dropping the column loses whom the list reads recorded since `up`; `down` is for development.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(&format!("DROP INDEX IF EXISTS {PEOPLE_INDEX}"))
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("audit_events")
                    .drop_column("people")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
