//! The benchmark database: created once, migrated by the application, and before every run emptied and
//! filled again with due reminders by set-based SQL (`dataset.sql`), so every run starts from the same
//! state: every reminder pending, every job available.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

const DATASET_SQL: &str = include_str!("dataset.sql");

/// Empties the tables a run touches and loads `people` x `per_person` due reminders with their jobs.
pub async fn reload(db: &DatabaseConnection, people: u32, per_person: u32) -> Result<Duration> {
    let started = Instant::now();
    match db.get_database_backend() {
        DbBackend::Postgres => {
            db.execute_unprepared(
                "TRUNCATE jobs, notifications, appointments, custody_periods, people CASCADE",
            )
            .await?;
            db.execute_unprepared(
                &DATASET_SQL
                    .replace("{people}", &people.to_string())
                    .replace("{per_person}", &per_person.to_string()),
            )
            .await
            .context("loading the reminders")?;
            // Fresh statistics and visibility map, and no dirty pages left for the run to flush.
            db.execute_unprepared("VACUUM ANALYZE").await?;
            db.execute_unprepared("CHECKPOINT").await?;
        }
        _ => crate::dataset_sqlite::reload(db, people, per_person).await?,
    }
    Ok(started.elapsed())
}

/// `SELECT count(*) ...` as a number.
pub async fn count(db: &DatabaseConnection, sql: &str) -> Result<u64> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .context("count(*) returned no row")?;
    let n: i64 = row.try_get_by_index(0)?;
    Ok(u64::try_from(n)?)
}

/// `(label, count)` rows of a `GROUP BY` query.
pub async fn tally(db: &DatabaseConnection, sql: &str) -> Result<Vec<(String, u64)>> {
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    rows.iter()
        .map(|row| {
            let label: String = row.try_get_by_index(0)?;
            let n: i64 = row.try_get_by_index(1)?;
            Ok((label, u64::try_from(n)?))
        })
        .collect()
}
