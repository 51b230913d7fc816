//! `vigil-bench`: the people search and a single person read through the real HTTP API at N concurrent
//! clients, beside the same SQL run directly by pgbench at the same concurrency (issue 3).
//!
//! It needs a PostgreSQL server (URL in `VIGIL_BENCH_DATABASE_URL` or `VIGIL_TEST_DATABASE_URL`, as
//! exported by `scripts/with-postgres.sh`) and pgbench. It (re)creates a database `vigil_bench` on that
//! server, migrates it, loads a synthetic cohort, serves the real router on 127.0.0.1:0 in this process,
//! and runs every scenario for a fixed time after a warm-up. Every load loop is bounded both in time and
//! in request count, so the run always ends by itself.
//!
//! Run: `scripts/with-postgres.sh cargo run --release -p vigil-bench` (see bench/README.md).

mod cohort;
mod common_options;
mod http_load;
mod load_driver;
mod options;
mod pgbench;
mod server;
mod setup;
mod stats;

use std::time::Duration;

use anyhow::Result;
use vigil_persistence::Database;

use crate::http_load::{HttpScenario, HttpTarget};
use crate::options::Options;
use crate::pgbench::PgbenchRun;
use crate::stats::Summary;

// The allocator of the `vigil` binary (crates/cli/src/main.rs), so that the server measured here
// allocates as the one that runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Family-name prefixes searched for (`q=`), from the names cohort.sql draws, from common to rare: in the
/// 100,000-person cohort they match from about 3,500 people (`ha`) down to about 370 (`ngu`), eleven of
/// them more than the count cap of 1,000. The pgbench search scripts carry the same list, in the same
/// order, as the keys and upper bounds the API sends.
pub const SEARCH_FRAGMENTS: [&str; 16] = [
    "ha", "smi", "wil", "jo", "har", "thom", "rob", "bro", "tay", "mor", "eva", "wri", "pat",
    "kha", "obr", "ngu",
];

/// What this binary's progress lines on stderr start with.
const PREFIX: &str = "vigil-bench";

fn main() -> Result<()> {
    let options = Options::from_args(std::env::args().skip(1))?;
    if options.common.help {
        println!("{}", options::USAGE);
        return Ok(());
    }
    // The benchmark's own work (the HTTP clients, orchestration) runs here; the server gets its own
    // runtime on its own threads below, as `vigil serve` would have in its own process.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.common.client_threads)
        .enable_all()
        .build()?;
    runtime.block_on(run(options))
}

/// One row of the results table.
struct Row {
    scenario: &'static str,
    api: Summary,
    pgbench_full: Summary,
    pgbench_read_only: Summary,
}

async fn run(options: Options) -> Result<()> {
    let server_url = setup::server_url()?;
    let load_before = setup::load_average();
    let url = setup::recreate_database(&server_url, &options.common.database, true).await?;
    eprintln!("vigil-bench: database {url}");

    // A small pool for setup and checkpoints; the server makes its own (of --pool connections).
    let database = Database::connect(&url, 2).await?;
    database.migrate_up(None).await?;
    let loaded = cohort::load(database.connection(), options.common.people).await?;
    eprintln!(
        "vigil-bench: loaded {} people, {} addresses, {} allocations in {:.1} s",
        loaded.people,
        loaded.addresses,
        loaded.allocations,
        loaded.elapsed.as_secs_f64()
    );

    let server = server::start(&url, options.common.pool, options.common.server_threads)?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(options.common.clients * 2)
        .timeout(Duration::from_secs(30))
        .build()?;
    let base = format!("http://{}", server.address);
    let token = load_driver::login(
        &client,
        &base,
        &loaded.coordinator_email,
        cohort::BENCH_PASSWORD,
    )
    .await?;
    let target = HttpTarget {
        client,
        base,
        token,
        people: options.common.people,
    };
    let pg = PgbenchRun::new(
        &options.common,
        &url,
        options.common.people,
        loaded.coordinator_id,
    );
    pg.check()?;

    let mut rows = Vec::new();
    for (scenario, label, full, read_only) in [
        (
            HttpScenario::PersonRead,
            "person read: GET /api/v1/people/{id}",
            "person_read.sql",
            "person_read_ro.sql",
        ),
        (
            HttpScenario::Search,
            "people search: GET /api/v1/people?q=…&per_page=25",
            "search.sql",
            "search_ro.sql",
        ),
    ]
    .into_iter()
    .filter(|(scenario, ..)| match scenario {
        HttpScenario::PersonRead => options.person_read,
        HttpScenario::Search => options.search,
    }) {
        let common = &options.common;
        let db = database.connection();
        let api = load_driver::measure(PREFIX, scenario, common, db, |duration| {
            http_load::run(
                &target,
                scenario,
                common.clients,
                duration,
                common.max_requests_per_client,
            )
        })
        .await?;
        let pgbench_full = pg.measure(PREFIX, full, common, db).await?;
        let pgbench_read_only = pg.measure(PREFIX, read_only, common, db).await?;
        rows.push(Row {
            scenario: label,
            api,
            pgbench_full,
            pgbench_read_only,
        });
    }

    print_report(&options, &loaded, &rows);
    println!();
    println!(
        "Load average (/proc/loadavg) before: {load_before}; after: {}",
        setup::load_average()
    );
    server.stop();
    database.close().await?;
    if !options.common.keep_database {
        setup::recreate_database(&server_url, &options.common.database, false).await?;
    }
    Ok(())
}

fn print_report(options: &Options, loaded: &cohort::Loaded, rows: &[Row]) {
    println!();
    println!(
        "## vigil-bench: {} people, {} concurrent clients, {} s per run after {} s warm-up",
        loaded.people,
        options.common.clients,
        options.common.duration.as_secs(),
        options.common.warmup.as_secs()
    );
    println!();
    println!(
        "API pool: {} connections; server runtime {} threads; client runtime {} threads; pgbench -M prepared -c {} -j {}",
        options.common.pool,
        options.common.server_threads,
        options.common.client_threads,
        options.common.clients,
        options.common.pgbench_threads
    );
    println!();
    println!(
        "| Scenario | API req/s | API p50 ms | API p95 ms | API p99 ms | pgbench (same SQL, with audit insert) tps | pgbench p99 ms | API / pgbench | pgbench read-only tps | API / read-only |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        println!(
            "| {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.0} | {:.1} | {:.2} | {:.0} | {:.2} |",
            row.scenario,
            row.api.rate,
            row.api.p50_ms,
            row.api.p95_ms,
            row.api.p99_ms,
            row.pgbench_full.rate,
            row.pgbench_full.p99_ms,
            row.api.rate / row.pgbench_full.rate,
            row.pgbench_read_only.rate,
            row.api.rate / row.pgbench_read_only.rate,
        );
    }
    println!();
    println!("Targets: API rate >= 0.5 x pgbench (same SQL), API p99 < 20 ms.");
    for row in rows {
        let ratio = row.api.rate / row.pgbench_full.rate;
        println!(
            "- {}: ratio {:.2} ({}), p99 {:.1} ms ({}), {} API errors",
            row.scenario,
            ratio,
            if ratio >= 0.5 { "met" } else { "NOT met" },
            row.api.p99_ms,
            if row.api.p99_ms < 20.0 {
                "met"
            } else {
                "NOT met"
            },
            row.api.errors,
        );
    }
}
