//! `caseload`: the caseload worklist and contact logging under load (issue 4). An officer with 40 people
//! allocated, in a database of 100,000 people, 1,000,000 appointments and 5,000,000 contacts:
//! `GET /api/v1/caseload` at 32 concurrent clients (target p99 < 25 ms), then
//! `POST /api/v1/people/{id}/contacts` at 32 clients beside the same SQL run directly by pgbench.
//!
//! Run: `scripts/with-postgres.sh cargo run --release -p vigil-bench --bin caseload` (see bench/README.md).
//! Every load loop is bounded in time and in request count.

// Shared with the `vigil-bench` binary (which is not a library): the database set-up and cohort, the
// latency statistics and the pgbench runner. Not every item of them is used here.
#[allow(dead_code)]
#[path = "../cohort.rs"]
mod cohort;
#[path = "../common_options.rs"]
mod common_options;
#[allow(dead_code)]
#[path = "../pgbench.rs"]
mod pgbench;
#[path = "../stats.rs"]
mod stats;

#[path = "caseload/data.rs"]
mod data;
#[path = "caseload/load.rs"]
mod load;
#[path = "../load_driver.rs"]
mod load_driver;
#[path = "caseload/options.rs"]
mod options;
#[path = "../server.rs"]
mod server;
#[path = "../setup.rs"]
mod setup;

use std::time::Duration;

use anyhow::{Result, bail};
use vigil_persistence::Database;

use crate::load::{Scenario, Target};
use crate::options::Options;
use crate::pgbench::PgbenchRun;
use crate::stats::Summary;

// The allocator of the `vigil` binary (crates/cli/src/main.rs), so that the server measured here
// allocates as the one that runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What this binary's progress lines on stderr start with.
const PREFIX: &str = "caseload";

/// The target of issue 4 for the worklist.
const CASELOAD_P99_TARGET_MS: f64 = 25.0;

fn main() -> Result<()> {
    let options = Options::from_args(std::env::args().skip(1))?;
    if options.common.help {
        println!("{}", options::USAGE);
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.common.client_threads)
        .enable_all()
        .build()?;
    runtime.block_on(run(options))
}

async fn run(options: Options) -> Result<()> {
    let server_url = setup::server_url()?;
    let load_before = setup::load_average();
    let url = setup::recreate_database(&server_url, &options.common.database, true).await?;
    eprintln!("caseload: database {url}");
    let database = Database::connect(&url, 40).await?;
    database.migrate_up(None).await?;
    let loaded = data::load(database.connection(), &options).await?;
    eprintln!("caseload: {loaded}");

    let server = server::start(&url, options.common.pool, options.common.server_threads)?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.common.clients * 2)
        .timeout(Duration::from_secs(30))
        .build()?;
    let base = format!("http://{}", server.address);
    let token = load_driver::login(
        &client,
        &base,
        &loaded.officer_email,
        cohort::BENCH_PASSWORD,
    )
    .await?;
    let target = Target {
        client,
        base,
        token,
        contact_people: options.contact_people,
    };
    let check = load::check_caseload(&target).await?;
    eprintln!("caseload: the officer's worklist has {check} people");
    if check != options.caseload as usize {
        bail!(
            "the worklist has {check} people, expected {}",
            options.caseload
        );
    }

    let (common, db, target) = (&options.common, database.connection(), &target);
    let measure_http = |scenario| {
        load_driver::measure(PREFIX, scenario, common, db, move |duration| {
            load::run(
                target,
                scenario,
                common.clients,
                duration,
                common.max_requests_per_client,
            )
        })
    };
    let mut report = Report::default();
    let pg = PgbenchRun::new(
        &options.common,
        &url,
        options.contact_people,
        loaded.officer_id,
    );
    if options.caseload_run {
        report.caseload = Some(measure_http(Scenario::Caseload).await?);
        report.caseload_pgbench = Some(pg.measure(PREFIX, "worklist.sql", common, db).await?);
        report.explain = data::explain_caseload(database.connection(), &loaded).await?;
    }
    if options.contact_run {
        report.contact_api = Some(measure_http(Scenario::LogContact).await?);
        let summary = pg.measure(PREFIX, "contact_log.sql", common, db).await?;
        report.contact_pgbench = Some(summary);
    }
    report.print(&options, &loaded, &load_before);
    server.stop();
    database.close().await?;
    if !options.common.keep_database {
        setup::recreate_database(&server_url, &options.common.database, false).await?;
    }
    Ok(())
}

#[derive(Default)]
struct Report {
    caseload: Option<Summary>,
    caseload_pgbench: Option<Summary>,
    explain: Vec<data::Explained>,
    contact_api: Option<Summary>,
    contact_pgbench: Option<Summary>,
}

impl Report {
    fn print(&self, options: &Options, loaded: &data::Loaded, load_before: &str) {
        println!();
        println!(
            "## caseload: {} people, {} appointments, {} contacts; officer's caseload {}; contacts logged for {} people; {} clients, {} s after {} s warm-up",
            loaded.people,
            loaded.appointments,
            loaded.contacts,
            options.caseload,
            options.contact_people,
            options.common.clients,
            options.common.duration.as_secs(),
            options.common.warmup.as_secs()
        );
        println!();
        println!(
            "Load {:.1} s. API pool {}; server runtime {} threads; client runtime {} threads; pgbench -M prepared -c {} -j {}",
            loaded.elapsed.as_secs_f64(),
            options.common.pool,
            options.common.server_threads,
            options.common.client_threads,
            options.common.clients,
            options.common.pgbench_threads
        );
        println!();
        println!("| Scenario | req/s | p50 ms | p95 ms | p99 ms | max ms | errors |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        let row = |label: &str, s: &Summary| {
            println!(
                "| {label} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {} |",
                s.rate, s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms, s.errors
            );
        };
        if let Some(s) = &self.caseload {
            row("worklist: GET /api/v1/caseload", s);
        }
        if let Some(s) = &self.caseload_pgbench {
            row("worklist, same SQL by pgbench (tps)", s);
        }
        if let Some(s) = &self.contact_api {
            row("contact log: POST /api/v1/people/{id}/contacts", s);
        }
        if let Some(s) = &self.contact_pgbench {
            row("contact log, same SQL by pgbench (tps)", s);
        }
        println!();
        if let Some(s) = &self.caseload {
            println!(
                "- Worklist p99 {:.1} ms against a target of < {CASELOAD_P99_TARGET_MS} ms: {}",
                s.p99_ms,
                if s.p99_ms < CASELOAD_P99_TARGET_MS {
                    "met"
                } else {
                    "NOT met"
                }
            );
        }
        if let (Some(api), Some(pg)) = (&self.caseload, &self.caseload_pgbench) {
            println!(
                "- Worklist: API {:.0}/s, its SQL alone by pgbench {:.0}/s (p99 {:.1} ms): API / pgbench = {:.2}",
                api.rate,
                pg.rate,
                pg.p99_ms,
                api.rate / pg.rate
            );
        }
        if let (Some(api), Some(pg)) = (&self.contact_api, &self.contact_pgbench) {
            println!(
                "- Contact logging: API {:.0}/s, pgbench {:.0}/s: API / pgbench = {:.2}",
                api.rate,
                pg.rate,
                api.rate / pg.rate
            );
        }
        if !self.explain.is_empty() {
            println!();
            println!(
                "Worklist queries, EXPLAIN ANALYZE execution time (one run each, warm cache):"
            );
            println!();
            println!("| Query | execution ms |");
            println!("|---|---:|");
            for e in &self.explain {
                println!("| {} | {:.2} |", e.label, e.execution_ms);
            }
            if let Some(slowest) = self
                .explain
                .iter()
                .max_by(|a, b| a.execution_ms.total_cmp(&b.execution_ms))
            {
                println!();
                println!("Slowest: {}", slowest.label);
                println!();
                println!("```");
                println!("{}", slowest.plan);
                println!("```");
            }
        }
        println!();
        println!(
            "Load average (/proc/loadavg) before: {load_before}; after: {}",
            setup::load_average()
        );
    }
}
