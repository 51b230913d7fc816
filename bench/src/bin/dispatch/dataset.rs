//! The benchmark database: created once, migrated by the application, and before every run emptied and
//! filled again with due reminders by set-based SQL (`dataset.sql`), so every run starts from the same
//! state: every reminder pending, every job available.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

const DATASET_SQL: &str = include_str!("dataset.sql");

/// The URL of database `name` on the server at `server_url` (same credentials, host and options).
fn database_url(server_url: &str, name: &str) -> Result<String> {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server_url, None),
    };
    let after_scheme = base.find("://").context("the database URL has no scheme")? + 3;
    let authority_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let mut url = format!("{}/{name}", &base[..authority_end]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    Ok(url)
}

/// Drops database `name` on the server if it exists and, with `create`, makes it again; returns its URL.
pub async fn recreate_database(server_url: &str, name: &str, create: bool) -> Result<String> {
    let admin = sea_orm::Database::connect(server_url)
        .await
        .context("connecting to the PostgreSQL server")?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    if create {
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
    }
    admin.close().await?;
    database_url(server_url, name)
}

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

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn swaps_the_database_name() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "d").ok(),
            Some("postgres://postgres@127.0.0.1:5432/d".to_owned())
        );
        assert_eq!(
            database_url("postgresql://u:p@h/db?sslmode=disable", "b").ok(),
            Some("postgresql://u:p@h/b?sslmode=disable".to_owned())
        );
    }
}
