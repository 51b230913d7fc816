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

/// The number of rows in `table`.
pub async fn count(db: &DatabaseConnection, table: &str) -> Result<u64> {
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
