//! `dispatch`: how fast Vigil's scheduler sends reminders (issue 5). 100,000 reminders are due at once;
//! one worker, then two, send them through the real GOV.UK Notify transport (a JWT per request) to a fake
//! Notify on 127.0.0.1, and the rate is the number sent over the wall time until the last one was.
//!
//! Run: `scripts/with-postgres.sh cargo run --release -p vigil-bench --bin dispatch` (see bench/README.md).

mod cpu;
mod dataset;
mod dataset_sqlite;
mod fake_notify;
mod options;
mod probes;
mod report;
mod run;
// Shared with the HTTP benches; `server_url` is theirs (this bench also takes SQLite).
#[allow(dead_code)]
#[path = "../../setup.rs"]
mod setup;

use anyhow::{Context, Result, bail};
use vigil_persistence::Database;

use crate::options::Options;
use crate::run::Setup;

// The allocator of the `vigil` binary (crates/cli/src/main.rs), so that the server measured here
// allocates as the one that runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<()> {
    let options = Options::from_args(std::env::args().skip(1))?;
    if options.help {
        println!("{}", options::USAGE);
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(options.threads)
        .thread_name("dispatch-worker")
        .enable_all()
        .build()?;
    runtime.block_on(run(options))
}

async fn run(options: Options) -> Result<()> {
    let load_before = setup::load_average();
    let outbox = tempfile::tempdir()?;
    let (url, server_url) = if options.sqlite {
        let url = format!(
            "sqlite://{}?mode=rwc",
            outbox.path().join("dispatch.db").display()
        );
        (url, None)
    } else {
        let server_url = std::env::var("VIGIL_BENCH_DATABASE_URL")
            .or_else(|_| std::env::var("VIGIL_TEST_DATABASE_URL"))
            .context(
                "set VIGIL_BENCH_DATABASE_URL (or run under scripts/with-postgres.sh, which sets \
                 VIGIL_TEST_DATABASE_URL) to a PostgreSQL server URL, or pass --sqlite",
            )?;
        if !server_url.starts_with("postgres") {
            bail!("expected a PostgreSQL URL, not {server_url}; pass --sqlite for SQLite");
        }
        let url = setup::recreate_database(&server_url, &options.database, true).await?;
        (url, Some(server_url))
    };
    eprintln!("dispatch: database {url}");
    let database = Database::connect(&url, 2).await?;
    database.migrate_up(None).await?;
    let postmaster = if server_url.is_some() {
        let pid = dataset::count(database.connection(), "SELECT pg_backend_pid()::bigint").await?;
        u32::try_from(pid).ok().and_then(cpu::parent_of)
    } else {
        None
    };
    let setup = Setup {
        url,
        options: options.clone(),
        monitor: database.connection().clone(),
        postmaster,
        outbox,
    };

    let mut results = Vec::new();
    for &batch in &options.batches {
        for &workers in &options.workers {
            let result = run::measure(&setup, workers, batch).await?;
            eprintln!("dispatch: {}", report::one_line(&result));
            results.push(result);
        }
    }

    report::print(&options, &results, &load_before);
    database.close().await?;
    if let Some(server_url) = server_url
        && !options.keep_database
    {
        setup::recreate_database(&server_url, &options.database, false).await?;
    }
    Ok(())
}
