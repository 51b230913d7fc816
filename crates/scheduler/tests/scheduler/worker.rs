//! The worker: dispatch by kind, outcomes recorded, cron ticks planned and run, shutdown.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::TimeDelta;
use chrono_tz::Europe::London;
use sea_orm::TransactionTrait;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;
use vigil_domain::clock::{Clock, ManualClock};
use vigil_persistence::Database;
use vigil_persistence::testing::TestDatabase;
use vigil_scheduler::cron::CronSchedule;
use vigil_scheduler::error::JobError;
use vigil_scheduler::queue::{self, ClaimedJob, JobState};
use vigil_scheduler::worker::{JobContext, JobHandler, PruneJobsHandler, Worker};

use crate::common::{add, at, count, job, of_kind, row, start};

/// Records the jobs it runs and answers with a fixed result.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<Uuid>>,
    fail_with: Option<JobError>,
}

impl Recorder {
    fn failing(error: JobError) -> Self {
        Self {
            seen: Mutex::default(),
            fail_with: Some(error),
        }
    }

    fn seen(&self) -> Vec<Uuid> {
        self.seen.lock().unwrap().clone()
    }
}

#[async_trait]
impl JobHandler for Recorder {
    async fn run(&self, job: &ClaimedJob, _ctx: &JobContext) -> Result<(), JobError> {
        self.seen.lock().unwrap().push(job.id);
        match &self.fail_with {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }
}

struct Panics;

#[async_trait]
impl JobHandler for Panics {
    async fn run(&self, _job: &ClaimedJob, _ctx: &JobContext) -> Result<(), JobError> {
        panic!("handler bug");
    }
}

/// Completes its job itself, in the same transaction as its (here: no) database effects.
struct CompletesInTransaction;

#[async_trait]
impl JobHandler for CompletesInTransaction {
    async fn run(&self, job: &ClaimedJob, ctx: &JobContext) -> Result<(), JobError> {
        let failed = |error: &dyn std::fmt::Display| JobError::Retryable(error.to_string());
        let txn = ctx.db.begin().await.map_err(|e| failed(&e))?;
        let completed = queue::complete(&txn, job, ctx.clock.now())
            .await
            .map_err(|e| failed(&e))?;
        txn.commit().await.map_err(|e| failed(&e))?;
        if completed {
            Ok(())
        } else {
            Err(JobError::Permanent("lease lost".into()))
        }
    }
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(start()))
}

#[tokio::test]
async fn run_once_dispatches_each_job_to_the_handler_of_its_kind() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let clock = clock();
    let now = clock.now();
    let emails = Arc::new(Recorder::default());
    let texts = Arc::new(Recorder::failing(JobError::Retryable(
        "provider down".into(),
    )));
    let worker = Worker::new(db.clone(), clock.clone(), "w1")
        .register("email", emails.clone())
        .register("sms", texts.clone())
        .register("buggy", Arc::new(Panics))
        .register("atomic", Arc::new(CompletesInTransaction));

    let email = add(db, job("email", now), now).await;
    let sms = add(db, job("sms", now), now).await;
    let unknown = add(db, job("fax", now), now).await;
    let buggy = add(db, job("buggy", now), now).await;
    let atomic = add(db, job("atomic", now), now).await;
    let later = add(db, job("email", now + TimeDelta::hours(1)), now).await;

    assert_eq!(worker.run_once().await.unwrap(), 5);
    assert_eq!(emails.seen(), vec![email]);
    assert_eq!(texts.seen(), vec![sms]);

    assert_eq!(row(db, email).await.state, JobState::Succeeded.as_str());
    assert_eq!(row(db, atomic).await.state, JobState::Succeeded.as_str());
    let failed = row(db, sms).await;
    assert_eq!(failed.state, JobState::Available.as_str());
    assert_eq!(failed.last_error.as_deref(), Some("provider down"));
    assert!(failed.run_at > now);
    let discarded = row(db, unknown).await;
    assert_eq!(discarded.state, JobState::Discarded.as_str());
    assert!(
        discarded
            .last_error
            .unwrap()
            .contains("no handler for job kind \"fax\"")
    );
    let crashed = row(db, buggy).await;
    assert_eq!(
        crashed.state,
        JobState::Available.as_str(),
        "a panic is retried, not fatal"
    );
    assert!(crashed.last_error.unwrap().contains("handler crashed"));
    assert_eq!(row(db, later).await.state, JobState::Available.as_str());

    // Nothing is due until the clock moves.
    assert_eq!(worker.run_once().await.unwrap(), 0);
    clock.advance(TimeDelta::hours(1));
    assert_eq!(
        worker.run_once().await.unwrap(),
        3,
        "the later email and both retries"
    );
    assert_eq!(emails.seen(), vec![email, later]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_run_every_job_exactly_once() {
    let test_db = TestDatabase::migrated().await;
    let clock = clock();
    let now = clock.now();
    let mut ids = Vec::new();
    for _ in 0..40 {
        ids.push(add(test_db.db.connection(), job("email", now), now).await);
    }
    let recorder = Arc::new(Recorder::default());
    let other_process = Database::connect(&test_db.url, 4).await.unwrap();
    let workers = [
        Worker::new(test_db.db.connection().clone(), clock.clone(), "a").with_batch(4),
        Worker::new(other_process.connection().clone(), clock.clone(), "b").with_batch(4),
    ]
    .map(|worker| Arc::new(worker.register("email", recorder.clone())));
    let tasks: Vec<_> = workers
        .iter()
        .map(|worker| {
            let worker = Arc::clone(worker);
            tokio::spawn(async move { while worker.run_once().await.unwrap() > 0 {} })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let mut runs: HashMap<Uuid, usize> = HashMap::new();
    for id in recorder.seen() {
        *runs.entry(id).or_default() += 1;
    }
    assert_eq!(runs.len(), ids.len());
    assert!(runs.values().all(|&n| n == 1), "a job ran twice: {runs:?}");
    for id in ids {
        assert_eq!(
            row(test_db.db.connection(), id).await.state,
            JobState::Succeeded.as_str()
        );
    }
}

#[tokio::test]
async fn a_worker_plans_and_runs_its_cron_jobs() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let clock = Arc::new(ManualClock::new(at(2026, 3, 29, 0, 50)));
    let nightly = Arc::new(Recorder::default());
    let worker = Worker::new(db.clone(), clock.clone(), "w")
        .with_cron(
            vec![CronSchedule::new("nightly", "30 1 * * *", London).unwrap()],
            Duration::from_secs(3600),
        )
        .register("cron:nightly", nightly.clone());

    assert_eq!(worker.run_once().await.unwrap(), 0);
    clock.set(at(2026, 3, 29, 1, 0)); // 02:00 BST, the first instant after the 01:30 that never happens
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(worker.run_once().await.unwrap(), 0);
    let ticks = of_kind(db, "cron:nightly").await;
    assert_eq!(ticks.len(), 1);
    assert_eq!(ticks[0].run_at, at(2026, 3, 29, 1, 0));
    assert_eq!(ticks[0].state, JobState::Succeeded.as_str());
    assert_eq!(nightly.seen(), vec![ticks[0].id]);
}

#[tokio::test]
async fn the_prune_handler_deletes_old_finished_jobs() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let clock = clock();
    let long_ago = clock.now() - TimeDelta::days(60);
    add(db, job("email", long_ago), long_ago).await;
    let email = Arc::new(Recorder::default());
    let worker = Worker::new(db.clone(), clock.clone(), "w")
        .register("email", email)
        .register(
            "prune",
            Arc::new(PruneJobsHandler {
                keep: TimeDelta::days(30),
            }),
        );
    clock.set(long_ago);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    clock.set(start());
    add(db, job("prune", start()), start()).await;
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(count(db).await, 1, "only the prune job itself is left");
}

/// Says when it starts, then waits to be released.
struct Gate {
    started: mpsc::UnboundedSender<Uuid>,
    release: Mutex<Option<oneshot::Receiver<()>>>,
}

#[async_trait]
impl JobHandler for Gate {
    async fn run(&self, job: &ClaimedJob, _ctx: &JobContext) -> Result<(), JobError> {
        self.started.send(job.id).ok();
        let release = self.release.lock().unwrap().take();
        if let Some(release) = release {
            release.await.ok();
        }
        Ok(())
    }
}

#[tokio::test]
async fn shutdown_finishes_the_running_job_and_claims_no_more() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let clock = clock();
    let now = clock.now();
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let (release_tx, release_rx) = oneshot::channel();
    let gate = Arc::new(Gate {
        started: started_tx,
        release: Mutex::new(Some(release_rx)),
    });
    let worker = Arc::new(
        Worker::new(db.clone(), clock.clone(), "w")
            .with_poll_interval(Duration::from_millis(10))
            .register("gate", gate),
    );
    let first = add(db, job("gate", now), now).await;

    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let running = {
        let worker = Arc::clone(&worker);
        tokio::spawn(async move {
            worker
                .run(async move {
                    stop_rx.await.ok();
                })
                .await;
        })
    };
    assert_eq!(started.recv().await, Some(first));
    let second = add(db, job("gate", now), now).await;
    stop_tx.send(()).unwrap();
    release_tx.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(30), running)
        .await
        .expect("the worker stops after its running job")
        .unwrap();

    assert_eq!(row(db, first).await.state, JobState::Succeeded.as_str());
    assert_eq!(row(db, second).await.state, JobState::Available.as_str());
}
