//! The benchmark database: created fresh, migrated by the application, then filled with a synthetic
//! cohort by set-based SQL (seconds, not minutes, for 100,000 people).

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use uuid::Uuid;
use vigil_persistence::repositories::staff;

/// The password of every bench user.
pub const BENCH_PASSWORD: &str = "vigil bench password, not a secret";

const COHORT_SQL: &str = include_str!("cohort.sql");

/// What was loaded, and who runs the searches.
#[derive(Debug)]
pub struct Loaded {
    pub people: u64,
    pub addresses: u64,
    pub allocations: u64,
    pub coordinator_id: Uuid,
    pub coordinator_email: String,
    pub elapsed: Duration,
}

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

/// Drops and re-creates database `name` on the server; returns its URL.
pub async fn recreate_database(server_url: &str, name: &str) -> Result<String> {
    let admin = sea_orm::Database::connect(server_url)
        .await
        .context("connecting to the PostgreSQL server")?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    admin.close().await?;
    database_url(server_url, name)
}

pub async fn drop_database(server_url: &str, name: &str) -> Result<()> {
    let admin = sea_orm::Database::connect(server_url).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    admin.close().await?;
    Ok(())
}

/// Creates the staff (a coordinator who searches, two offender managers who hold allocations) the way
/// `vigil user add` does, then the cohort by SQL.
pub async fn load(db: &DatabaseConnection, people: u32) -> Result<Loaded> {
    let started = Instant::now();
    let now = chrono::Utc::now();
    let password_hash = vigil_api::password::hash_password(BENCH_PASSWORD)
        .map_err(|error| anyhow::anyhow!("hashing the bench password: {error}"))?;
    let coordinator_email = "bench.coordinator@example.org".to_owned();
    let coordinator = staff::create(
        db,
        staff::NewStaff {
            email: coordinator_email.clone(),
            name: "Bench Coordinator".to_owned(),
            role: "coordinator".to_owned(),
            agency_id: None,
            password_hash: password_hash.clone(),
        },
        now,
    )
    .await?;
    for n in 1..=2 {
        staff::create(
            db,
            staff::NewStaff {
                email: format!("bench.om{n}@example.org"),
                name: format!("Bench Offender Manager {n}"),
                role: "offender_manager".to_owned(),
                agency_id: None,
                password_hash: password_hash.clone(),
            },
            now,
        )
        .await?;
    }
    db.execute_unprepared(&COHORT_SQL.replace("{people}", &people.to_string()))
        .await
        .context("loading the synthetic cohort")?;
    // As autovacuum would have long since done on a live table: statistics, and a visibility map so that
    // counting the matches of a search reads only the index (without it, autovacuum kicks in part-way
    // through the measured runs instead). With synchronous_commit off (scripts/with-postgres.sh) VACUUM
    // cannot mark a page all-visible while the commit of its rows, or of any transaction sharing their
    // commit-log page, may be unflushed: so the WAL is flushed first (CHECKPOINT), and `people` is
    // vacuumed before ANALYZE commits anything else.
    db.execute_unprepared("CHECKPOINT").await?;
    db.execute_unprepared("VACUUM people").await?;
    db.execute_unprepared("ANALYZE").await?;
    check_name_keys(db).await?;
    Ok(Loaded {
        people: count(db, "people").await?,
        addresses: count(db, "addresses").await?,
        allocations: count(db, "allocations").await?,
        coordinator_id: coordinator.id,
        coordinator_email,
        elapsed: started.elapsed(),
    })
}

/// The keys cohort.sql computed in SQL must be the application's (`name_key`), or the search would
/// measure a different data set from the one the application would have written.
async fn check_name_keys(db: &DatabaseConnection) -> Result<()> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT DISTINCT given_name AS name, given_key AS key FROM people \
             UNION SELECT DISTINCT family_name, family_key FROM people",
        ))
        .await?;
    for row in rows {
        let (name, key): (String, String) = (row.try_get("", "name")?, row.try_get("", "key")?);
        if key != vigil_domain::name_key(&name) {
            bail!("cohort.sql gave {name:?} the key {key:?}, not name_key's");
        }
    }
    Ok(())
}

async fn count(db: &DatabaseConnection, table: &str) -> Result<u64> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT count(*) AS n FROM {table}"),
        ))
        .await?
        .context("count(*) returned no row")?;
    let n: i64 = row.try_get("", "n")?;
    Ok(u64::try_from(n)?)
}

/// Flushes dirty pages between runs, so that one run's writes are not paid for by the next.
pub async fn checkpoint(db: &DatabaseConnection) -> Result<()> {
    db.execute_unprepared("CHECKPOINT").await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn swaps_the_database_name() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "vigil_bench").ok(),
            Some("postgres://postgres@127.0.0.1:5432/vigil_bench".to_owned())
        );
        assert_eq!(
            database_url("postgresql://u:p@h/db?sslmode=disable", "b").ok(),
            Some("postgresql://u:p@h/b?sslmode=disable".to_owned())
        );
        assert_eq!(
            database_url("postgres://h:1", "b").ok(),
            Some("postgres://h:1/b".to_owned())
        );
    }
}
