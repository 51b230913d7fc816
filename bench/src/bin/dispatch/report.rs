//! The results as Markdown tables on stdout (progress goes to stderr).

use crate::options::Options;
use crate::run::RunResult;

/// Jobs a second the issue asks for.
const TARGET: f64 = 2_000.0;

pub fn one_line(r: &RunResult) -> String {
    format!(
        "{} worker(s), batch {}: {} of {} sent in {:.1} s = {:.0}/s{}{}",
        r.workers,
        r.batch,
        r.sent,
        r.total,
        r.elapsed.as_secs_f64(),
        r.rate(),
        if r.completed {
            ""
        } else {
            " (time cap reached)"
        },
        if r.verified() {
            ", verified"
        } else {
            ", NOT verified"
        },
    )
}

pub fn print(options: &Options, results: &[RunResult], load_before: &str) {
    let engine = if options.sqlite {
        "SQLite (one file, WAL)"
    } else {
        "PostgreSQL"
    };
    println!();
    println!(
        "## dispatch: {} reminders due at once ({} people x {}), {engine}",
        options.reminders(),
        options.people,
        options.per_person
    );
    println!();
    println!(
        "Pool {} connections per worker ({}); poll interval {} ms; lease 300 s; {} tokio threads for the \
         workers; fake Notify on its own 1-thread runtime.",
        options.pool,
        if options.acquire_ping {
            "Database::connect, as `vigil worker`"
        } else {
            "WITHOUT sqlx's ping on acquire: the suggested fix"
        },
        options.poll_ms,
        options.threads
    );
    println!();
    println!(
        "| Workers | Batch | Sent | Wall time (s) | Jobs/s | Jobs/s, 10-90 % | Target 2,000/s | Checks |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---|---|");
    for r in results {
        println!(
            "| {} | {} | {} | {:.1} | **{:.0}** | {} | {} | {} |",
            r.workers,
            r.batch,
            r.sent,
            r.elapsed.as_secs_f64(),
            r.rate(),
            r.steady_rate
                .map_or("–".to_owned(), |rate| format!("{rate:.0}")),
            if r.rate() >= TARGET { "met" } else { "NOT met" },
            if r.verified() { "ok" } else { "FAILED" },
        );
    }
    println!();
    println!("Where the time goes:");
    println!();
    println!(
        "| Workers | Batch | claim (ms, 1 batch, full queue) | HTTP send (ms/job) | transactions/job | CPU s: bench process | fake Notify | PostgreSQL | other processes | idle | CPU ms/job: bench | PostgreSQL |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in results {
        let per_job = |seconds: f64| seconds * 1000.0 / r.sent.max(1) as f64;
        let postgres = r.cpu.postgres;
        println!(
            "| {} | {} | {:.1} | {:.2} | {} | {:.1} | {:.1} | {} | {:.1} | {:.1} | {:.2} | {} |",
            r.workers,
            r.batch,
            r.claim_ms,
            r.http.1,
            r.transactions.map_or("–".to_owned(), |n| format!(
                "{:.1}",
                n as f64 / r.sent.max(1) as f64
            )),
            r.cpu.workers,
            r.cpu.fake,
            postgres.map_or("–".to_owned(), |s| format!("{s:.1}")),
            r.cpu.others(),
            (r.cpu.machine_total - r.cpu.machine_busy).max(0.0),
            per_job(r.cpu.workers),
            postgres.map_or("–".to_owned(), |s| format!("{:.2}", per_job(s))),
        );
    }
    println!();
    for r in results {
        let statuses: Vec<String> = r.statuses.iter().map(|(s, n)| format!("{s} {n}")).collect();
        let states: Vec<String> = r
            .job_states
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        println!(
            "- {} worker(s), batch {}: fake Notify got {} requests ({} distinct references, {} without a bearer JWT); \
             notifications: {}; attempts {}; distinct provider ids {}; jobs: {}; data load {:.1} s.",
            r.workers,
            r.batch,
            r.fake.requests,
            r.fake.distinct_references,
            r.fake.unauthorised,
            statuses.join(", "),
            r.attempts,
            r.provider_ids,
            states.join(", "),
            r.load_time.as_secs_f64(),
        );
    }
    println!();
    println!(
        "Load average (/proc/loadavg) before: {load_before}; after: {}",
        crate::setup::load_average()
    );
}
