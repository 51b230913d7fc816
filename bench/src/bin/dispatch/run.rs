//! One measured run: reload the reminders, time a few claims, start the fake provider and N workers, wait
//! until every reminder is `sent` (or the time cap), stop the workers, then check what was sent.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::Utc;
use sea_orm::{ConnectOptions, ConnectionTrait, DatabaseConnection, DbBackend};
use secrecy::SecretString;
use vigil_domain::{QuietHours, ReminderPolicy, SystemClock, WorkingCalendar};
use vigil_persistence::Database;
use vigil_scheduler::transport::{EmailTransport, LogEmail, NotifySms, SmsTransport};
use vigil_scheduler::{SchedulerConfig, WorkerParts, queue, vigil_worker};

use crate::cpu;
use crate::dataset;
use crate::fake_notify::{self, FakeNotify};
use crate::options::Options;
use crate::probes::{Stopwatch, TimedSms};

/// A Notify API key of the right shape (`name-service-secret`) and a template id; both made up.
const API_KEY: &str =
    "bench-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0";
const TEMPLATE_ID: &str = "f33517ff-2a88-4f6e-b855-c550268ce08a";
const SENT: &str = "SELECT count(*) FROM notifications WHERE status = 'sent'";
const CLAIM_PROBES: usize = 5;
const PROBE_WORKER: &str = "bench-claim-probe";

/// What the runs share: the database, a small pool for setup and monitoring, the postmaster's pid.
pub struct Setup {
    pub url: String,
    pub options: Options,
    pub monitor: DatabaseConnection,
    pub postmaster: Option<u32>,
    pub outbox: tempfile::TempDir,
}

#[derive(Debug)]
pub struct RunResult {
    pub workers: usize,
    pub batch: u64,
    pub total: u64,
    pub sent: u64,
    pub elapsed: Duration,
    pub completed: bool,
    /// Sent per second between 10 % and 90 % of the total (the middle of the run).
    pub steady_rate: Option<f64>,
    pub load_time: Duration,
    /// Median wall time of `queue::claim` for one batch with the whole queue due.
    pub claim_ms: f64,
    pub http: (u64, f64),
    pub cpu: cpu::Sample,
    /// Committed transactions (each statement outside a transaction is one) during the run.
    pub transactions: Option<u64>,
    pub fake: fake_notify::Counts,
    pub statuses: Vec<(String, u64)>,
    pub job_states: Vec<(String, u64)>,
    pub attempts: u64,
    pub provider_ids: u64,
}

impl RunResult {
    pub fn rate(&self) -> f64 {
        self.sent as f64 / self.elapsed.as_secs_f64()
    }

    /// Exactly one request per reminder, every reminder sent once, every job succeeded.
    pub fn verified(&self) -> bool {
        let succeeded = self
            .job_states
            .iter()
            .find(|(state, _)| state == "succeeded")
            .map_or(0, |(_, n)| *n);
        self.completed
            && self.fake.requests == self.total
            && self.fake.distinct_references == self.total
            && self.fake.unauthorised == 0
            && self.attempts == self.total
            && self.provider_ids == self.total
            && succeeded == self.total
    }
}

pub async fn measure(setup: &Setup, workers: usize, batch: u64) -> Result<RunResult> {
    let options = &setup.options;
    let db = &setup.monitor;
    let total = options.reminders();
    let load_time = dataset::reload(db, options.people, options.per_person).await?;
    eprintln!(
        "dispatch: {workers} worker(s), batch {batch}: loaded {total} reminders in {:.1} s",
        load_time.as_secs_f64()
    );
    let claim_ms = probe_claims(setup, batch).await?;

    let fake = FakeNotify::start()?;
    let http_watch = Arc::new(Stopwatch::default());
    let config = SchedulerConfig {
        poll_interval_ms: options.poll_ms,
        batch_size: batch,
        lease_secs: 300,
        cron: vec![],
        ..SchedulerConfig::default()
    };
    let mut pools = Vec::new();
    let mut running = Vec::new();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let transactions_before = transactions(db).await;
    let cpu_before = cpu::Sample::take(setup.postmaster, fake_notify::THREAD_NAME);
    let started = Instant::now();
    for n in 1..=workers {
        let database = worker_pool(&setup.url, options.pool, options.acquire_ping).await?;
        let notify = NotifySms::new(
            &fake.base_url,
            SecretString::from(API_KEY.to_owned()),
            TEMPLATE_ID.to_owned(),
            Duration::from_secs(10),
        )?;
        let sms: Arc<dyn SmsTransport> = Arc::new(TimedSms {
            inner: Arc::new(notify),
            watch: Arc::clone(&http_watch),
        });
        let email: Arc<dyn EmailTransport> = Arc::new(LogEmail::new(setup.outbox.path().into()));
        let parts = WorkerParts {
            sms,
            email,
            time_zone: chrono_tz::Europe::London,
            calendar: WorkingCalendar::england_and_wales(),
            reminders: reminder_policy(),
            contact_standards: vec![],
            visit_cadences: vec![],
        };
        let worker = vigil_worker(
            database.clone(),
            Arc::new(SystemClock),
            format!("bench-worker-{n}"),
            &config,
            parts,
        )?;
        let mut stopped = stopped.clone();
        running.push(tokio::spawn(async move {
            worker
                .run(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await;
        }));
        pools.push(database);
    }

    let (sent, elapsed, samples) = watch_progress(db, total, options.time_cap, started).await?;
    let cpu_after = cpu::Sample::take(setup.postmaster, fake_notify::THREAD_NAME);
    let _ = stop.send(true);
    for task in running {
        if tokio::time::timeout(Duration::from_secs(60), task)
            .await
            .is_err()
        {
            eprintln!("dispatch: a worker did not stop within 60 s");
        }
    }
    for database in pools {
        database.close().await?;
    }
    let counts = fake.received.counts();
    fake.stop();
    // Ended backends have flushed their statistics by now.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let transactions = transactions(db)
        .await
        .zip(transactions_before)
        .map(|(after, before)| after.saturating_sub(before));

    Ok(RunResult {
        workers,
        batch,
        total,
        sent,
        elapsed,
        completed: sent >= total,
        steady_rate: steady_rate(&samples, total),
        load_time,
        claim_ms,
        http: (http_watch.calls(), http_watch.mean_ms()),
        cpu: cpu_after.since(&cpu_before),
        transactions,
        fake: counts,
        statuses: dataset::tally(
            db,
            "SELECT status, count(*) FROM notifications GROUP BY status ORDER BY status",
        )
        .await?,
        job_states: dataset::tally(
            db,
            "SELECT state, count(*) FROM jobs GROUP BY state ORDER BY state",
        )
        .await?,
        attempts: dataset::count(db, "SELECT coalesce(sum(attempts), 0) FROM notifications")
            .await?,
        provider_ids: dataset::count(db, "SELECT count(DISTINCT provider_id) FROM notifications")
            .await?,
    })
}

/// The default reminder policy with an empty quiet-hours window (start = end). With the default window
/// (21:00-08:00 London) a run at night would hold every reminder until the morning instead of sending it;
/// the check itself is arithmetic, with no query, so the figures are the same either way.
fn reminder_policy() -> ReminderPolicy {
    ReminderPolicy::default().with_quiet_hours(QuietHours {
        start: chrono::NaiveTime::MIN,
        end: chrono::NaiveTime::MIN,
    })
}

/// A worker's pool: `Database::connect`'s, or (to measure the suggested fix) the same settings without
/// sqlx's ping on every acquire.
async fn worker_pool(url: &str, size: u32, acquire_ping: bool) -> Result<DatabaseConnection> {
    if acquire_ping {
        return Ok(Database::connect(url, size).await?.connection().clone());
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(size)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .test_before_acquire(false);
    Ok(sea_orm::Database::connect(options).await?)
}

/// Polls the count of sent reminders every 500 ms until all are sent or the cap is reached. Returns the
/// count, the time it was read, and every sample.
async fn watch_progress(
    db: &DatabaseConnection,
    total: u64,
    cap: Duration,
    started: Instant,
) -> Result<(u64, Duration, Vec<(f64, u64)>)> {
    let mut samples = Vec::new();
    let mut last_report = Duration::ZERO;
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let sent = dataset::count(db, SENT).await?;
        let elapsed = started.elapsed();
        samples.push((elapsed.as_secs_f64(), sent));
        if sent >= total || elapsed >= cap {
            return Ok((sent, elapsed, samples));
        }
        if elapsed - last_report >= Duration::from_secs(10) {
            last_report = elapsed;
            eprintln!(
                "dispatch:   {:>5.1} s: {sent} sent ({:.0}/s so far)",
                elapsed.as_secs_f64(),
                sent as f64 / elapsed.as_secs_f64()
            );
        }
    }
}

fn steady_rate(samples: &[(f64, u64)], total: u64) -> Option<f64> {
    let first = samples.iter().find(|(_, sent)| *sent * 10 >= total)?;
    let last = samples.iter().find(|(_, sent)| *sent * 10 >= total * 9)?;
    (last.0 > first.0).then(|| (last.1 - first.1) as f64 / (last.0 - first.0))
}

/// Times `queue::claim` of one batch with the whole queue due, then gives the claimed jobs back as they
/// were. Returns the median in milliseconds.
async fn probe_claims(setup: &Setup, batch: u64) -> Result<f64> {
    let db = &setup.monitor;
    let mut times = Vec::new();
    for _ in 0..CLAIM_PROBES {
        let started = Instant::now();
        queue::claim(
            db,
            PROBE_WORKER,
            batch,
            Duration::from_secs(300),
            Utc::now(),
        )
        .await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        db.execute_unprepared(&format!(
            "UPDATE jobs SET state = 'available', attempts = 0, epoch = 0, locked_by = NULL, \
             lease_expires_at = NULL WHERE locked_by = '{PROBE_WORKER}'"
        ))
        .await?;
    }
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("VACUUM ANALYZE jobs").await?;
    }
    times.sort_by(f64::total_cmp);
    Ok(times[times.len() / 2])
}

/// Transactions committed in this database so far (PostgreSQL only).
async fn transactions(db: &DatabaseConnection) -> Option<u64> {
    if db.get_database_backend() != DbBackend::Postgres {
        return None;
    }
    dataset::count(
        db,
        "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()",
    )
    .await
    .ok()
}
