//! The caseload facts are stored in a compact binary form (postcard) instead of JSON text: a worklist reads
//! 40 rows of them, and the JSON was about a fifth of the database's work for that read and the largest
//! single cost of the server's. The table is made again with binary columns and starts empty: every part
//! is a copy of the records, worked out again by the first worklist that needs it (an absent row or part
//! means "not worked out yet"), so nothing is lost.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

use crate::columns::drop_tables;
use crate::m20261122_000009_caseload_facts::create_facts_table;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["caseload_facts"]).await?;
        create_facts_table(manager, schema::blob_null).await
    }

    /// The older code reads JSON text: the table is made again in that form, empty, to be worked out again.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["caseload_facts"]).await?;
        create_facts_table(manager, schema::text_null).await
    }
}
