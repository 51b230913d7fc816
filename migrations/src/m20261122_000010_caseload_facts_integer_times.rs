//! The caseload facts now keep their instants as integer microseconds since the Unix epoch instead of
//! RFC 3339 text: parsing the text was the largest single cost of reading a worklist. Parts stored in the
//! old form are cleared, so the first worklist that needs them works them out again from the records
//! (`NULL` means "not worked out yet"). Nothing is lost: the facts are a copy of the records.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CLEAR_ALL_PARTS: &str = "UPDATE caseload_facts SET standards_since = NULL, contacts = NULL, \
    appointments = NULL, enforcement = NULL, home_visits = NULL";

async fn clear_all_parts(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .get_connection()
        .execute_unprepared(CLEAR_ALL_PARTS)
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        clear_all_parts(manager).await
    }

    /// The older code cannot read the new form either: clear again.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        clear_all_parts(manager).await
    }
}
