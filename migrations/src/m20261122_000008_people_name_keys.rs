//! Normalised name keys for the people search, and the index that answers it in list order.
//!
//! The search matches the start of a name (`family_key >= 'smi' AND family_key < 'smj'`) and lists people
//! by family name, given name and id, so one B-tree index on `(family_key, given_key, id)` finds the
//! matches already in order and the database stops after a page. The keys are `vigil_domain::name_key` of
//! each name, set by the application on every write and backfilled here. They compare byte by byte, so a
//! prefix range means the same thing on both engines: PostgreSQL columns are declared `COLLATE "C"`, and
//! SQLite's default `BINARY` collation already compares bytes. The default `''` only lets rows written by
//! plain SQL without the keys (bulk loads) in; such rows are not found by name until their next update.
//!
//! The pg_trgm indexes of migration 000006 served the substring search this replaces, so `up` drops them
//! and `down` makes them again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use vigil_domain::name_key;

use crate::m20261122_000006_people_name_search as trigram;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ix_people_name_keys";
const KEYS: [&str; 2] = ["family_key", "given_key"];

/// Sets the keys of every person: one `UPDATE` per distinct pair of names (served by the existing
/// `(family_name, given_name)` index), rather than one per person.
async fn backfill(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let connection = manager.get_connection();
    let pairs = connection
        .query_all(
            &Query::select()
                .distinct()
                .columns(["family_name", "given_name"])
                .from("people")
                .to_owned(),
        )
        .await?;
    for pair in pairs {
        let family: String = pair.try_get("", "family_name")?;
        let given: String = pair.try_get("", "given_name")?;
        connection
            .execute(
                &Query::update()
                    .table("people")
                    .values([
                        ("family_key", name_key(&family).into()),
                        ("given_key", name_key(&given).into()),
                    ])
                    .and_where(Expr::col("family_name").eq(family))
                    .and_where(Expr::col("given_name").eq(given))
                    .to_owned(),
            )
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        let collation = if postgres { " COLLATE \"C\"" } else { "" };
        let connection = manager.get_connection();
        for key in KEYS {
            connection
                .execute_unprepared(&format!(
                    "ALTER TABLE people ADD COLUMN {key} varchar{collation} NOT NULL DEFAULT ''"
                ))
                .await?;
        }
        backfill(manager).await?;
        connection
            .execute_unprepared(&format!(
                "CREATE INDEX {INDEX} ON people (family_key, given_key, id)"
            ))
            .await?;
        if postgres {
            // Family names have a long tail. With the default 100 most common values a rare prefix can be
            // estimated at a handful of rows, and PostgreSQL then sorts every match instead of reading
            // the index in order; a finer histogram keeps the estimate, and the plan, right.
            connection
                .execute_unprepared(
                    "ALTER TABLE people ALTER COLUMN family_key SET STATISTICS 1000",
                )
                .await?;
        }
        trigram::Migration.down(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let connection = manager.get_connection();
        connection
            .execute_unprepared(&format!("DROP INDEX IF EXISTS {INDEX}"))
            .await?;
        for key in KEYS {
            connection
                .execute_unprepared(&format!("ALTER TABLE people DROP COLUMN {key}"))
                .await?;
        }
        trigram::Migration.up(manager).await
    }
}
