//! The data set: the cohort of src/cohort.sql, then the measured officer, the other offender managers,
//! allocations, adoption steps, appointments, contacts, enforcement steps and home visits by set-based
//! SQL (data.sql), then every person's caseload facts as a live database keeps them. Also EXPLAIN ANALYZE
//! of the worklist's queries.

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use uuid::Uuid;
use vigil_persistence::repositories::staff;

use crate::cohort;
use crate::options::Options;

const DATA_SQL: &str = include_str!("data.sql");

#[derive(Debug)]
pub struct Loaded {
    pub people: u64,
    pub staff: u64,
    pub allocations: u64,
    pub appointments: u64,
    pub contacts: u64,
    pub enforcement_actions: u64,
    pub home_visits: u64,
    pub caseload_facts: u64,
    pub officer_id: Uuid,
    pub officer_email: String,
    pub caseload: u32,
    pub elapsed: Duration,
}

impl fmt::Display for Loaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "loaded {} people, {} staff, {} allocations, {} appointments, {} contacts, {} enforcement \
             actions, {} home visits, {} people's caseload facts in {:.1} s",
            self.people,
            self.staff,
            self.allocations,
            self.appointments,
            self.contacts,
            self.enforcement_actions,
            self.home_visits,
            self.caseload_facts,
            self.elapsed.as_secs_f64()
        )
    }
}

pub async fn load(db: &DatabaseConnection, options: &Options) -> Result<Loaded> {
    let started = Instant::now();
    cohort::load(db, options.common.people).await?;
    eprintln!(
        "caseload: cohort loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let password_hash = vigil_api::password::hash_password(cohort::BENCH_PASSWORD)
        .map_err(|error| anyhow::anyhow!("hashing the bench password: {error}"))?;
    let officer_email = "bench.officer@example.org".to_owned();
    let officer = staff::create(
        db,
        staff::NewStaff {
            email: officer_email.clone(),
            name: "Bench Officer".to_owned(),
            role: "offender_manager".to_owned(),
            agency_id: None,
            password_hash,
        },
        chrono::Utc::now(),
    )
    .await?;
    let sql = DATA_SQL
        .replace("{people}", &options.common.people.to_string())
        .replace("{caseload}", &options.caseload.to_string())
        .replace("{other_staff}", &options.other_staff.to_string())
        .replace("{appointments}", &options.appointments.to_string())
        .replace("{contacts}", &options.contacts.to_string())
        .replace("{officer}", &officer.id.to_string());
    // One statement at a time, to report progress on the long ones.
    for statement in split_statements(&sql) {
        let began = Instant::now();
        db.execute_unprepared(statement)
            .await
            .with_context(|| format!("loading: {}", first_line(statement)))?;
        let took = began.elapsed();
        if took > Duration::from_secs(2) {
            eprintln!(
                "caseload:   {:.1} s: {}",
                took.as_secs_f64(),
                first_line(statement)
            );
        }
    }
    let began = Instant::now();
    fill_caseload_facts(db, options.common.people).await?;
    eprintln!(
        "caseload:   {:.1} s: caseload facts of every person",
        began.elapsed().as_secs_f64()
    );
    // As in cohort.rs: a live database's tables have long since been vacuumed and analysed. Without this,
    // autovacuum starts on the 5,000,000 contacts and the 100,000 facts rows just written part-way through
    // the measured runs (the first of which is the worklist). The WAL is flushed first so that VACUUM can
    // mark the new pages all-visible.
    let began = Instant::now();
    db.execute_unprepared("CHECKPOINT").await?;
    db.execute_unprepared("VACUUM (ANALYZE)").await?;
    db.execute_unprepared("CHECKPOINT").await?;
    eprintln!(
        "caseload:   {:.1} s: VACUUM (ANALYZE) of every table",
        began.elapsed().as_secs_f64()
    );
    Ok(Loaded {
        people: cohort::count(db, "people").await?,
        staff: cohort::count(db, "staff").await?,
        allocations: cohort::count(db, "allocations").await?,
        appointments: cohort::count(db, "appointments").await?,
        contacts: cohort::count(db, "contacts").await?,
        enforcement_actions: cohort::count(db, "enforcement_actions").await?,
        home_visits: cohort::count(db, "home_visits").await?,
        caseload_facts: cohort::count(db, "caseload_facts").await?,
        officer_id: officer.id,
        officer_email,
        caseload: options.caseload,
        elapsed: started.elapsed(),
    })
}

/// Works out and stores every person's caseload facts, a thousand people at a time, with the code a
/// worklist uses to fill in facts it does not find: a live database has them all, kept by each write.
async fn fill_caseload_facts(db: &DatabaseConnection, people: u32) -> Result<()> {
    let ids = (1..=people)
        .map(|n| Uuid::parse_str(&crate::load_driver::person_id(n)))
        .collect::<Result<Vec<Uuid>, _>>()?;
    let now = chrono::Utc::now();
    for chunk in ids.chunks(1_000) {
        vigil_persistence::caseload::store::facts_for(db, chunk, now).await?;
    }
    Ok(())
}

/// data.sql's statements: split on `;` at the end of a line, outside `$$` function bodies.
fn split_statements(sql: &str) -> Vec<&str> {
    let mut statements = Vec::new();
    let mut start = 0;
    let mut in_body = false;
    let mut offset = 0;
    for line in sql.split_inclusive('\n') {
        in_body ^= line.matches("$$").count() % 2 == 1;
        offset += line.len();
        if !in_body && line.trim_end().ends_with(';') {
            let statement = sql[start..offset].trim();
            if statement.lines().any(|l| !l.trim_start().starts_with("--")) {
                statements.push(statement);
            }
            start = offset;
        }
    }
    statements
}

fn first_line(statement: &str) -> &str {
    statement
        .lines()
        .find(|l| !l.trim_start().starts_with("--") && !l.trim().is_empty())
        .unwrap_or("")
}

/// One worklist query's plan and execution time.
#[derive(Debug)]
pub struct Explained {
    pub label: &'static str,
    pub execution_ms: f64,
    pub plan: String,
}

/// EXPLAIN (ANALYZE, BUFFERS) of the one read a worklist sends (`vigil_persistence::caseload`'s own
/// statement, without the audit insert the API adds to it on PostgreSQL), then of the seven queries that work a
/// caseload's facts out from the records, written as sea-orm writes them (an `IN` list of the caseload's
/// ids): a first read sends them for everyone, a write refreshes one part for one person.
pub async fn explain_caseload(db: &DatabaseConnection, loaded: &Loaded) -> Result<Vec<Explained>> {
    let ids = (1..=loaded.caseload)
        .map(|n| format!("'{}'", crate::load_driver::person_id(n)))
        .collect::<Vec<_>>()
        .join(", ");
    let officer = loaded.officer_id;
    let queries: [(&'static str, String); 8] = [
        (
            "caseload::read::select (the worklist's one read)",
            // The statement itself, its values written in: EXPLAIN cannot take bound parameters.
            vigil_persistence::caseload::worklist_read(DbBackend::Postgres, officer).to_string(),
        ),
        (
            "appointments::booked_for_people",
            format!(
                "SELECT * FROM appointments WHERE person_id IN ({ids}) AND status = 'booked' ORDER BY starts_at"
            ),
        ),
        (
            "contacts::completed_for_people_since (190 days)",
            format!(
                "SELECT * FROM contacts WHERE person_id IN ({ids}) AND status = 'completed' \
                 AND occurred_at >= now() - interval '190 days' ORDER BY occurred_at"
            ),
        ),
        (
            "contacts::latest_completed_by_type_for_people",
            format!(
                "SELECT person_id, contact_type, max(occurred_at) AS last FROM contacts \
                 WHERE person_id IN ({ids}) AND status = 'completed' GROUP BY person_id, contact_type"
            ),
        ),
        (
            "memberships::adoptions_for_people",
            format!(
                "SELECT * FROM memberships WHERE person_id IN ({ids}) AND action = 'adopt' ORDER BY occurred_at"
            ),
        ),
        (
            "custody::for_people",
            format!("SELECT * FROM custody_periods WHERE person_id IN ({ids})"),
        ),
        (
            "enforcement::pending_for_people",
            format!(
                "SELECT * FROM enforcement_actions WHERE person_id IN ({ids}) AND status = 'pending' ORDER BY due_by"
            ),
        ),
        (
            "home_visits::planned_for_people",
            format!(
                "SELECT * FROM home_visits WHERE person_id IN ({ids}) AND status = 'planned' ORDER BY window_start"
            ),
        ),
    ];
    let mut explained = Vec::new();
    for (label, sql) in queries {
        let explain = format!("EXPLAIN (ANALYZE, BUFFERS) {sql}");
        // Twice: the first warms the cache, the second is reported.
        let mut lines = Vec::new();
        for _ in 0..2 {
            lines = db
                .query_all_raw(Statement::from_string(DbBackend::Postgres, explain.clone()))
                .await
                .with_context(|| format!("EXPLAIN {label}"))?
                .into_iter()
                .map(|row| row.try_get::<String>("", "QUERY PLAN"))
                .collect::<Result<Vec<_>, _>>()?;
        }
        let execution_ms = lines
            .iter()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("Execution Time: ")?
                    .strip_suffix(" ms")?
                    .parse::<f64>()
                    .ok()
            })
            .unwrap_or(0.0);
        explained.push(Explained {
            label,
            execution_ms,
            plan: lines.join("\n"),
        });
    }
    Ok(explained)
}

#[cfg(test)]
mod tests {
    use super::split_statements;

    #[test]
    fn splits_outside_function_bodies() {
        let sql =
            "-- c\nSELECT 1;\nCREATE FUNCTION f() AS $$ SELECT 1;\n$$;\nINSERT INTO t\nSELECT 2;\n";
        let statements = split_statements(sql);
        assert_eq!(statements.len(), 3);
        assert!(statements[1].starts_with("CREATE FUNCTION"));
    }
}
