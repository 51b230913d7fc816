//! The caseload's read model: per person, the facts the worklist assesses (standards start, completed
//! contacts, booked appointments, pending enforcement steps, planned home visits), kept up to date in the same
//! transaction as each write, so a worklist reads 40 small rows instead of hundreds from nine tables.
//!
//! Each part is a JSON text column; NULL means "not worked out yet" (a person created before this
//! migration, or loaded in bulk), and the reader fills it from the records on first use.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema;

use crate::columns::{create_table, drop_tables};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The facts table with each part in a column made by `part` (text here; binary since
/// `m20261123_000013`, whose `down` makes this form again).
pub(crate) async fn create_facts_table(
    manager: &SchemaManager<'_>,
    part: fn(&'static str) -> ColumnDef,
) -> Result<(), DbErr> {
    create_table(
        manager,
        Table::create()
            .table("caseload_facts")
            .col(schema::pk_uuid("person_id"))
            .col(part("standards_since"))
            .col(part("contacts"))
            .col(part("appointments"))
            .col(part("enforcement"))
            .col(part("home_visits"))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_caseload_facts_person_id")
                    .from("caseload_facts", "person_id")
                    .to("people", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            )
            .to_owned(),
        Vec::new(),
    )
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_facts_table(manager, schema::text_null).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(manager, &["caseload_facts"]).await
    }
}
