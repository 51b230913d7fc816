//! The worker: plans cron ticks, claims due jobs, runs each with the handler registered for its kind,
//! keeps the lease alive while it runs, and records the outcome.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::TimeDelta;
use sea_orm::{DatabaseConnection, EntityTrait};
use tracing::Instrument;
use vigil_domain::clock::Clock;
use vigil_persistence::entities::job;

use crate::backoff::RetryPolicy;
use crate::config::SchedulerConfig;
use crate::cron::{CronSchedule, enqueue_cron_ticks};
use crate::error::{JobError, SchedulerError};
use crate::queue::{self, ClaimedJob, FailOutcome, JobState};

/// What a handler may use besides the job itself.
#[derive(Debug, Clone)]
pub struct JobContext {
    pub db: DatabaseConnection,
    pub clock: Arc<dyn Clock>,
    pub worker_id: String,
}

/// Runs the jobs of one kind. `Ok` completes the job. A handler whose effects are database-only may
/// instead commit them together with [`queue::complete`] in one transaction of its own; the worker then
/// finds the job already succeeded and leaves it alone.
#[async_trait]
pub trait JobHandler: Send + Sync {
    async fn run(&self, job: &ClaimedJob, ctx: &JobContext) -> Result<(), JobError>;
}

/// Deletes finished jobs older than `keep` (register it for a cron kind such as `cron:prune_jobs`).
#[derive(Debug, Clone, Copy)]
pub struct PruneJobsHandler {
    pub keep: TimeDelta,
}

#[async_trait]
impl JobHandler for PruneJobsHandler {
    async fn run(&self, _job: &ClaimedJob, ctx: &JobContext) -> Result<(), JobError> {
        let cutoff = ctx.clock.now() - self.keep;
        let pruned = queue::prune(&ctx.db, cutoff)
            .await
            .map_err(|error| JobError::Retryable(error.to_string()))?;
        tracing::info!(pruned, %cutoff, "finished jobs pruned");
        Ok(())
    }
}

/// One worker process's (or task's) view of the queue. Any number may run against the same database.
pub struct Worker {
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    worker_id: String,
    handlers: HashMap<String, Arc<dyn JobHandler>>,
    poll_interval: Duration,
    lease: Duration,
    batch: u64,
    retry: RetryPolicy,
    cron: Vec<CronSchedule>,
    catch_up: Duration,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut kinds: Vec<&String> = self.handlers.keys().collect();
        kinds.sort();
        f.debug_struct("Worker")
            .field("worker_id", &self.worker_id)
            .field("kinds", &kinds)
            .field("poll_interval", &self.poll_interval)
            .field("lease", &self.lease)
            .field("batch", &self.batch)
            .field(
                "cron",
                &self.cron.iter().map(|c| &c.name).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// A worker with the default settings and no handlers.
    pub fn new(
        db: DatabaseConnection,
        clock: Arc<dyn Clock>,
        worker_id: impl Into<String>,
    ) -> Self {
        let defaults = SchedulerConfig::default();
        Self {
            db,
            clock,
            worker_id: worker_id.into(),
            handlers: HashMap::new(),
            poll_interval: defaults.poll_interval(),
            lease: defaults.lease(),
            batch: defaults.batch_size,
            retry: RetryPolicy::default(),
            cron: Vec::new(),
            catch_up: defaults.catch_up(),
        }
    }

    /// A worker with the configuration's polling, lease, batch and cron schedules. Fails on a bad cron
    /// expression or time zone.
    pub fn from_config(
        db: DatabaseConnection,
        clock: Arc<dyn Clock>,
        worker_id: impl Into<String>,
        config: &SchedulerConfig,
    ) -> Result<Self, SchedulerError> {
        Ok(Self::new(db, clock, worker_id)
            .with_poll_interval(config.poll_interval())
            .with_lease(config.lease())
            .with_batch(config.batch_size)
            .with_cron(config.cron_schedules()?, config.catch_up()))
    }

    /// Runs jobs of `kind` with `handler` (replacing any earlier one).
    pub fn register(mut self, kind: impl Into<String>, handler: Arc<dyn JobHandler>) -> Self {
        self.handlers.insert(kind.into(), handler);
        self
    }

    pub fn with_poll_interval(mut self, poll_interval: Duration) -> Self {
        self.poll_interval = poll_interval;
        self
    }

    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    pub fn with_batch(mut self, batch: u64) -> Self {
        self.batch = batch.max(1);
        self
    }

    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Recurring jobs this worker plans on every poll (every worker may plan them: each tick is created
    /// once). Register a handler for each `cron:<name>` kind.
    pub fn with_cron(mut self, schedules: Vec<CronSchedule>, catch_up: Duration) -> Self {
        self.cron = schedules;
        self.catch_up = catch_up;
        self
    }

    pub fn worker_id(&self) -> &str {
        &self.worker_id
    }

    /// One poll: enqueue due cron ticks, claim a batch, run the claimed jobs concurrently and record each
    /// outcome: failures as they happen, successes together in one statement at the end of the batch.
    /// Returns how many jobs were claimed.
    pub async fn run_once(&self) -> Result<usize, SchedulerError> {
        if !self.cron.is_empty() {
            enqueue_cron_ticks(&self.db, &self.cron, self.clock.now(), self.catch_up).await?;
        }
        let jobs = queue::claim(
            &self.db,
            &self.worker_id,
            self.batch,
            self.lease,
            self.clock.now(),
        )
        .await?;
        let succeeded = futures::future::join_all(jobs.iter().map(|job| self.execute(job))).await;
        let succeeded: Vec<&ClaimedJob> = jobs
            .iter()
            .zip(succeeded)
            .filter_map(|(job, ok)| ok.then_some(job))
            .collect();
        if let Err(error) = self.complete_succeeded(&succeeded).await {
            // The jobs stay running and are rescued when their leases expire; their handlers find their
            // work done (a sent message is not sent again).
            tracing::error!(%error, "could not record the batch's completions");
        }
        Ok(jobs.len())
    }

    /// Marks the batch's succeeded jobs done in one statement. A job that was not marked either finished
    /// itself (a handler that commits its effects with its completion) or lost its lease: each such job is
    /// looked at and logged.
    async fn complete_succeeded(&self, succeeded: &[&ClaimedJob]) -> Result<(), SchedulerError> {
        let marked = queue::complete_all(&self.db, succeeded, self.clock.now()).await?;
        if marked == succeeded.len() as u64 {
            tracing::debug!(completed = marked, "batch completed");
            return Ok(());
        }
        for job in succeeded {
            let span = tracing::info_span!("job", job_id = %job.id, kind = %job.kind);
            self.explain_unmarked(job).instrument(span).await?;
        }
        Ok(())
    }

    /// Polls until `shutdown` completes. A poll that is under way when it does is finished (its jobs run
    /// to the end and are recorded); no new batch is claimed after it.
    pub async fn run(&self, shutdown: impl Future<Output = ()> + Send) {
        tracing::info!(worker_id = %self.worker_id, "worker started");
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let claimed = match self.run_once().await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::error!(worker_id = %self.worker_id, %error, "poll failed");
                    0
                }
            };
            // A full batch suggests more is waiting: poll again at once (still noticing shutdown).
            let pause = if claimed as u64 >= self.batch {
                Duration::ZERO
            } else {
                self.poll_interval
            };
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                () = tokio::time::sleep(pause) => {}
            }
        }
        tracing::info!(worker_id = %self.worker_id, "worker stopped");
    }

    /// Runs one job and records a failure. `true`: the handler succeeded and the job is to be completed
    /// with its batch. Database errors are logged: the job stays running and is rescued when its lease
    /// expires.
    async fn execute(&self, job: &ClaimedJob) -> bool {
        let span =
            tracing::info_span!("job", job_id = %job.id, kind = %job.kind, attempt = job.attempts);
        self.execute_in_span(job).instrument(span).await
    }

    async fn execute_in_span(&self, job: &ClaimedJob) -> bool {
        let result = match self.handlers.get(&job.kind) {
            Some(handler) => self.run_with_heartbeat(Arc::clone(handler), job).await,
            None => Err(JobError::Permanent(format!(
                "no handler for job kind {:?}",
                job.kind
            ))),
        };
        let now = self.clock.now();
        let recorded = match result {
            Ok(()) => return true,
            Err(error) => {
                let delay = self.retry.delay_now(job.attempts);
                let message = error.to_string();
                match queue::fail_after(&self.db, job, error, now, delay).await {
                    Ok(FailOutcome::Retrying { run_at }) => {
                        tracing::warn!(error = %message, %run_at, "job failed; will retry");
                        Ok(())
                    }
                    Ok(FailOutcome::Discarded) => {
                        tracing::error!(error = %message, "job discarded");
                        Ok(())
                    }
                    Ok(FailOutcome::LeaseLost) => {
                        tracing::warn!(error = %message, "job failed after its lease was lost");
                        Ok(())
                    }
                    Err(error) => Err(error),
                }
            }
        };
        if let Err(error) = recorded {
            tracing::error!(%error, "could not record the job's outcome");
        }
        false
    }

    /// Runs the handler in its own task (so that a panic fails the job instead of the worker), renewing
    /// the lease every half lease while it runs.
    async fn run_with_heartbeat(
        &self,
        handler: Arc<dyn JobHandler>,
        job: &ClaimedJob,
    ) -> Result<(), JobError> {
        let context = JobContext {
            db: self.db.clone(),
            clock: Arc::clone(&self.clock),
            worker_id: self.worker_id.clone(),
        };
        let owned_job = job.clone();
        let mut task = tokio::spawn(async move { handler.run(&owned_job, &context).await });
        let interval = (self.lease / 2).max(Duration::from_millis(10));
        let mut heartbeating = true;
        loop {
            tokio::select! {
                joined = &mut task => {
                    return match joined {
                        Ok(result) => result,
                        Err(error) => Err(JobError::Retryable(format!("handler crashed: {error}"))),
                    };
                }
                () = tokio::time::sleep(interval), if heartbeating => {
                    match queue::heartbeat(&self.db, job, self.lease, self.clock.now()).await {
                        Ok(true) => tracing::debug!("lease renewed"),
                        Ok(false) => {
                            // Another worker holds the job now; its outcome will not be recorded from here.
                            tracing::warn!("lease lost while the job was running");
                            heartbeating = false;
                        }
                        Err(error) => tracing::warn!(%error, "lease renewal failed; will try again"),
                    }
                }
            }
        }
    }

    /// How a succeeded job ended: marked by the batch, completed by its own handler (fine), or finished
    /// after its lease was lost to another worker (its outcome is not recorded from here).
    async fn explain_unmarked(&self, job: &ClaimedJob) -> Result<(), SchedulerError> {
        let row = job::Entity::find_by_id(job.id).one(&self.db).await?;
        match row {
            Some(row) if row.epoch == job.epoch && row.state == JobState::Succeeded.as_str() => {
                tracing::info!("job succeeded");
            }
            _ => tracing::warn!("job finished after its lease was lost; outcome not recorded"),
        }
        Ok(())
    }
}
