//! A contact is corrected at most once: the correction is what gets corrected next. The API checks this
//! before it writes, but two corrections of the same contact sent at once could both pass the check; the
//! unique index makes the second fail (409) instead of leaving two versions that each claim to be the
//! latest. It also serves the lookups of superseded contacts. Unique indexes let NULLs repeat on both
//! engines; the partial index keeps the contacts that correct nothing out of it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_contacts_supersedes_id ON contacts (supersedes_id) \
                 WHERE supersedes_id IS NOT NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS ux_contacts_supersedes_id")
            .await?;
        Ok(())
    }
}
