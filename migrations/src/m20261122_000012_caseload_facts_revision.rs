//! A revision number on each person's caseload facts, set anew by every write that changes a part, so that a
//! server can keep the facts it has decoded and ask the database to send only those that changed since
//! (`vigil_persistence::caseload::FactsCache`). Existing rows start at 0.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("caseload_facts")
                    .add_column(
                        ColumnDef::new("revision")
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("caseload_facts")
                    .drop_column("revision")
                    .to_owned(),
            )
            .await
    }
}
