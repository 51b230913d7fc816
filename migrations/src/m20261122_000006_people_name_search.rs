//! Trigram indexes for the people search on PostgreSQL. A name search matches anywhere in a name
//! (`lower(name) LIKE '%frag%'`), which no B-tree can serve; pg_trgm's GIN indexes can. SQLite (the embedded
//! default, with small cohorts) is left as it is, and so is a PostgreSQL without the pg_trgm extension.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str); 2] = [
    ("ix_people_given_name_trgm", "given_name"),
    ("ix_people_family_name_trgm", "family_name"),
];

async fn trigram_available(manager: &SchemaManager<'_>) -> Result<bool, DbErr> {
    let connection = manager.get_connection();
    let row = connection
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT COUNT(*) AS n FROM pg_available_extensions WHERE name = 'pg_trgm'",
        ))
        .await?;
    Ok(row
        .map(|row| row.try_get::<i64>("", "n"))
        .transpose()?
        .is_some_and(|n| n > 0))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres
            || !trigram_available(manager).await?
        {
            return Ok(());
        }
        let connection = manager.get_connection();
        connection
            .execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            .await?;
        for (name, column) in INDEXES {
            connection
                .execute_unprepared(&format!(
                    "CREATE INDEX IF NOT EXISTS {name} ON people USING gin (lower({column}) gin_trgm_ops)"
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (name, _) in INDEXES {
            manager
                .get_connection()
                .execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}
