//! The durable job queue: enqueue (idempotent by unique key, inside the caller's transaction), claim with a
//! lease, heartbeat, fenced completion and failure, retry with backoff, dead-letter, pruning.
//!
//! Fencing: every claim increments the job's `epoch`; `heartbeat`, `complete` and `fail` only touch the
//! row when its `id`, `epoch` and `state = 'running'` still match what the worker claimed, so a worker that
//! lost its lease (paused, partitioned) can never overwrite the worker that rescued the job.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, SqliteTransactionMode, TransactionOptions,
    TransactionSession, TransactionTrait,
};
use serde_json::Value;
use uuid::Uuid;
use vigil_persistence::entities::job;
use vigil_persistence::repositories::notifications;

use crate::backoff::RetryPolicy;
use crate::error::{JobError, SchedulerError};

/// Longest error message kept on a job row.
const MAX_ERROR_CHARS: usize = 2000;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobState {
    /// Waiting for `run_at`, or ready to be claimed.
    Available,
    /// Claimed by a worker whose lease runs until `lease_expires_at`.
    Running,
    /// Done.
    Succeeded,
    /// Reserved for failures kept for inspection; this queue retries (back to `available`) or discards.
    Failed,
    /// Gave up: a permanent error, or attempts exhausted (`last_error` says why). The dead-letter state.
    Discarded,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Available => "available",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Discarded => "discarded",
        }
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobState {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "available" => Ok(JobState::Available),
            "running" => Ok(JobState::Running),
            "succeeded" => Ok(JobState::Succeeded),
            "failed" => Ok(JobState::Failed),
            "discarded" => Ok(JobState::Discarded),
            other => Err(format!("unknown job state {other:?}")),
        }
    }
}

// Jobs are created by `vigil_persistence` (the API writes them in the same transaction as the change that
// causes them, and cannot depend on this crate); the scheduler re-exports the one definition.
pub use vigil_persistence::repositories::jobs::{
    DEFAULT_MAX_ATTEMPTS, EnqueueOutcome, NewJob, enqueue,
};

/// A job a worker holds a lease on. `epoch` is its fencing token.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    pub id: Uuid,
    pub kind: String,
    pub payload: Value,
    pub run_at: DateTime<Utc>,
    pub priority: i32,
    /// Attempts including this one.
    pub attempts: i32,
    pub max_attempts: i32,
    pub unique_key: Option<String>,
    pub epoch: i64,
    pub worker_id: String,
    pub lease_expires_at: DateTime<Utc>,
}

/// What [`fail`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// Back to `available`, to run again at `run_at`.
    Retrying { run_at: DateTime<Utc> },
    /// Given up: permanent error, or the last attempt failed.
    Discarded,
    /// The worker no longer holds the job (its lease expired and another worker claimed it, or it was
    /// already finished): nothing was written.
    LeaseLost,
}

/// Claims up to `batch` jobs for `worker_id`: available jobs that are due (highest priority first, then
/// oldest `run_at`), and running jobs whose lease has expired (their worker died: rescued). Each claimed
/// job gets a lease until `now + lease`, a new epoch and one more attempt. A rescued job that had already
/// used its last attempt is discarded instead of run again, so a job that kills its worker cannot loop.
///
/// Two workers never claim the same job: on PostgreSQL the candidates are selected `FOR UPDATE SKIP
/// LOCKED`; on SQLite the transaction starts `IMMEDIATE`, taking the single write lock before reading.
/// Takes a connection (not a transaction), because it must own its transaction.
pub async fn claim(
    db: &DatabaseConnection,
    worker_id: &str,
    batch: u64,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<ClaimedJob>, SchedulerError> {
    if batch == 0 {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let txn = match backend {
        DbBackend::Sqlite => {
            db.begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await?
        }
        _ => db.begin().await?,
    };

    let mut rows = candidates(backend, Claimable::ExpiredLeases, batch, now)
        .all(&txn)
        .await?;
    let room = batch.saturating_sub(rows.len() as u64);
    if room > 0 {
        rows.extend(
            candidates(backend, Claimable::Due, room, now)
                .all(&txn)
                .await?,
        );
    }

    let (exhausted, runnable): (Vec<job::Model>, Vec<job::Model>) =
        rows.into_iter().partition(|row| {
            row.state == JobState::Running.as_str() && row.attempts >= row.max_attempts
        });

    if !exhausted.is_empty() {
        job::Entity::update_many()
            .col_expr(
                job::Column::State,
                Expr::value(JobState::Discarded.as_str()),
            )
            .col_expr(
                job::Column::LeaseExpiresAt,
                Expr::value(None::<DateTime<Utc>>),
            )
            .col_expr(
                job::Column::LastError,
                Expr::value("lease expired during the final attempt (the worker stopped)"),
            )
            .col_expr(job::Column::UpdatedAt, Expr::value(now))
            .filter(job::Column::Id.is_in(exhausted.iter().map(|row| row.id)))
            .exec(&txn)
            .await?;
        for row in &exhausted {
            tracing::warn!(job_id = %row.id, kind = %row.kind, locked_by = ?row.locked_by,
                "job discarded: lease expired during its final attempt");
            end_subject(
                &txn,
                &row.kind,
                &row.payload,
                "the worker stopped during the final attempt",
                now,
            )
            .await?;
        }
    }

    let lease_expires_at = add(now, lease);
    if !runnable.is_empty() {
        job::Entity::update_many()
            .col_expr(job::Column::State, Expr::value(JobState::Running.as_str()))
            .col_expr(job::Column::LeaseExpiresAt, Expr::value(lease_expires_at))
            .col_expr(
                job::Column::Epoch,
                sea_orm::sea_query::ExprTrait::add(Expr::col(job::Column::Epoch), 1),
            )
            .col_expr(
                job::Column::Attempts,
                sea_orm::sea_query::ExprTrait::add(Expr::col(job::Column::Attempts), 1),
            )
            .col_expr(job::Column::LockedBy, Expr::value(worker_id))
            .col_expr(job::Column::UpdatedAt, Expr::value(now))
            .filter(job::Column::Id.is_in(runnable.iter().map(|row| row.id)))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;

    // The rows are locked (PostgreSQL) or the database is (SQLite) between the read and the update, so
    // the new values are exactly the old ones plus one.
    Ok(runnable
        .into_iter()
        .map(|row| {
            if row.state == JobState::Running.as_str() {
                tracing::info!(job_id = %row.id, kind = %row.kind, previous_worker = ?row.locked_by,
                    "rescuing a job whose lease expired");
            }
            ClaimedJob {
                id: row.id,
                kind: row.kind,
                payload: row.payload,
                run_at: row.run_at,
                priority: row.priority,
                attempts: row.attempts + 1,
                max_attempts: row.max_attempts,
                unique_key: row.unique_key,
                epoch: row.epoch + 1,
                worker_id: worker_id.to_owned(),
                lease_expires_at,
            }
        })
        .collect())
}

/// The jobs to claim, best first; on PostgreSQL locked for this transaction, skipping rows another
/// claimer has locked.
/// Which claimable jobs a query looks for. They are fetched by two queries, not one with an `OR`, so
/// that each can walk an index (`ix_jobs_claim_available`, `ix_jobs_state_lease_expires_at`) instead of
/// reading and sorting the whole queue for every batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Claimable {
    /// Running jobs whose lease has expired: their worker died, so they are rescued first.
    ExpiredLeases,
    /// Available jobs that are due, highest priority first, then oldest.
    Due,
}

fn candidates(
    backend: DbBackend,
    kind: Claimable,
    batch: u64,
    now: DateTime<Utc>,
) -> Select<job::Entity> {
    let select = match kind {
        Claimable::ExpiredLeases => job::Entity::find()
            .filter(job::Column::State.eq(JobState::Running.as_str()))
            .filter(job::Column::LeaseExpiresAt.lte(now))
            .order_by_asc(job::Column::LeaseExpiresAt),
        Claimable::Due => job::Entity::find()
            .filter(job::Column::State.eq(JobState::Available.as_str()))
            .filter(job::Column::RunAt.lte(now))
            .order_by_desc(job::Column::Priority)
            .order_by_asc(job::Column::RunAt)
            .order_by_asc(job::Column::Id),
    }
    .limit(batch);
    if backend == DbBackend::Postgres {
        select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
    } else {
        select
    }
}

/// The row of the job as this worker claimed it, still running.
fn held(job: &ClaimedJob) -> Condition {
    Condition::all()
        .add(job::Column::Id.eq(job.id))
        .add(job::Column::Epoch.eq(job.epoch))
        .add(job::Column::State.eq(JobState::Running.as_str()))
}

/// Extends the lease to `now + lease` while the job is still this worker's. `false`: the lease was lost
/// (another worker rescued the job, or it is finished); the worker should stop working on it.
pub async fn heartbeat<C: ConnectionTrait>(
    db: &C,
    job: &ClaimedJob,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<bool, SchedulerError> {
    let result = job::Entity::update_many()
        .col_expr(job::Column::LeaseExpiresAt, Expr::value(add(now, lease)))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(held(job))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Marks the job succeeded, if this worker still holds it. Generic over the connection so that a handler
/// can commit its database effects and the completion in one transaction. `false`: the lease was lost and
/// nothing was written.
pub async fn complete<C: ConnectionTrait>(
    db: &C,
    job: &ClaimedJob,
    now: DateTime<Utc>,
) -> Result<bool, SchedulerError> {
    Ok(mark_succeeded(db, held(job), now).await? == 1)
}

/// Marks every job of `jobs` that this worker still holds succeeded, in one statement (a batch of sends
/// completes with one round trip instead of one each). Returns how many were marked; fewer than
/// `jobs.len()` means some were already finished or lost their lease.
pub async fn complete_all<C: ConnectionTrait>(
    db: &C,
    jobs: &[&ClaimedJob],
    now: DateTime<Utc>,
) -> Result<u64, SchedulerError> {
    if jobs.is_empty() {
        return Ok(0);
    }
    use sea_orm::sea_query::ExprTrait;
    let fenced = Expr::tuple([Expr::col(job::Column::Id), Expr::col(job::Column::Epoch)])
        .in_tuples(jobs.iter().map(|job| (job.id, job.epoch)));
    let condition = Condition::all()
        .add(fenced)
        .add(job::Column::State.eq(JobState::Running.as_str()));
    mark_succeeded(db, condition, now).await
}

async fn mark_succeeded<C: ConnectionTrait>(
    db: &C,
    which: Condition,
    now: DateTime<Utc>,
) -> Result<u64, SchedulerError> {
    let result = job::Entity::update_many()
        .col_expr(
            job::Column::State,
            Expr::value(JobState::Succeeded.as_str()),
        )
        .col_expr(
            job::Column::LeaseExpiresAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(which)
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// True while this worker still holds the job, as a condition another table's update can carry: a write
/// that must only happen under the job's lease (a notification moving to `sending`) checks the fence in
/// the same statement.
pub fn still_held(job: &ClaimedJob) -> sea_orm::sea_query::SimpleExpr {
    Expr::exists(
        sea_orm::sea_query::Query::select()
            .expr(Expr::val(1))
            .from(job::Entity)
            .cond_where(held(job))
            .to_owned(),
    )
}

/// Records a failed run with the default [`RetryPolicy`] and a random jitter.
pub async fn fail<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    job: &ClaimedJob,
    error: JobError,
    now: DateTime<Utc>,
) -> Result<FailOutcome, SchedulerError> {
    let policy = RetryPolicy::default();
    let delay = policy.delay_now(job.attempts);
    fail_after(db, job, error, now, delay).await
}

/// Records a failed run, if this worker still holds the job:
/// - [`JobError::Retryable`]: back to `available` at `now + retry_delay`, unless that was the last attempt
///   (then `discarded`);
/// - [`JobError::Permanent`]: `discarded` at once;
/// - [`JobError::RetryWithoutAttempt`]: back to `available` after the delay the error carries, giving the
///   attempt back.
///
/// The message is kept in `last_error` in every case. A discarded send job fails its notification in the
/// same transaction (see [`end_subject`]).
pub async fn fail_after<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    job: &ClaimedJob,
    error: JobError,
    now: DateTime<Utc>,
    retry_delay: Duration,
) -> Result<FailOutcome, SchedulerError> {
    let message = truncate(error.message());
    let (outcome, attempts) = match &error {
        JobError::Retryable(_) if job.attempts < job.max_attempts => (
            FailOutcome::Retrying {
                run_at: add(now, retry_delay),
            },
            job.attempts,
        ),
        JobError::Retryable(_) | JobError::Permanent(_) => (FailOutcome::Discarded, job.attempts),
        JobError::RetryWithoutAttempt(_, after) => (
            FailOutcome::Retrying {
                run_at: add(now, *after),
            },
            (job.attempts - 1).max(0),
        ),
    };
    let mut update = job::Entity::update_many()
        .col_expr(job::Column::Attempts, Expr::value(attempts))
        .col_expr(
            job::Column::LeaseExpiresAt,
            Expr::value(None::<DateTime<Utc>>),
        )
        .col_expr(job::Column::LastError, Expr::value(message.clone()))
        .col_expr(job::Column::UpdatedAt, Expr::value(now));
    update = match outcome {
        FailOutcome::Retrying { run_at } => update
            .col_expr(
                job::Column::State,
                Expr::value(JobState::Available.as_str()),
            )
            .col_expr(job::Column::RunAt, Expr::value(run_at))
            .col_expr(job::Column::LockedBy, Expr::value(None::<String>)),
        _ => update.col_expr(
            job::Column::State,
            Expr::value(JobState::Discarded.as_str()),
        ),
    };
    let txn = db.begin().await?;
    let result = update.filter(held(job)).exec(&txn).await?;
    if result.rows_affected != 1 {
        return Ok(FailOutcome::LeaseLost);
    }
    if outcome == FailOutcome::Discarded {
        let cause = match error {
            JobError::Permanent(_) => message,
            _ => format!("gave up after {} attempts: {message}", job.attempts),
        };
        end_subject(&txn, &job.kind, &job.payload, &cause, now).await?;
    }
    txn.commit().await?;
    Ok(outcome)
}

/// A job that is discarded must not leave its subject waiting for it: a send job's notification would
/// otherwise stay `pending` for ever, with no reason an officer could see. Called in the transaction that
/// discards the job, so the two cannot disagree. Other kinds have nothing to end.
async fn end_subject<C: ConnectionTrait>(
    db: &C,
    kind: &str,
    payload: &Value,
    cause: &str,
    now: DateTime<Utc>,
) -> Result<(), SchedulerError> {
    if let Some(id) = notifications::sent_by_job(kind, payload) {
        notifications::give_up(db, id, cause, now).await?;
    }
    Ok(())
}

/// Deletes succeeded and discarded jobs last updated before `older_than`; returns how many.
pub async fn prune<C: ConnectionTrait>(
    db: &C,
    older_than: DateTime<Utc>,
) -> Result<u64, SchedulerError> {
    let result = job::Entity::delete_many()
        .filter(
            job::Column::State.is_in([JobState::Succeeded.as_str(), JobState::Discarded.as_str()]),
        )
        .filter(job::Column::UpdatedAt.lt(older_than))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// `at + by`, saturating instead of overflowing on absurd durations.
pub(crate) fn add(at: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(by)
        .ok()
        .and_then(|delta| at.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

fn truncate(message: &str) -> String {
    match message.char_indices().nth(MAX_ERROR_CHARS) {
        Some((cut, _)) => format!("{}…", &message[..cut]),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use sea_orm::QueryTrait;

    #[test]
    fn states_round_trip_through_their_names() {
        for state in [
            JobState::Available,
            JobState::Running,
            JobState::Succeeded,
            JobState::Failed,
            JobState::Discarded,
        ] {
            assert_eq!(state.as_str().parse::<JobState>().unwrap(), state);
        }
        assert!("done".parse::<JobState>().is_err());
    }

    #[test]
    fn postgres_claims_skip_locked_rows_and_sqlite_needs_no_row_locks() {
        let now = Utc::now();
        let postgres = candidates(DbBackend::Postgres, Claimable::Due, 5, now)
            .build(DbBackend::Postgres)
            .to_string();
        assert!(postgres.ends_with("FOR UPDATE SKIP LOCKED"), "{postgres}");
        assert!(postgres.contains("LIMIT 5"), "{postgres}");
        let sqlite = candidates(DbBackend::Sqlite, Claimable::ExpiredLeases, 5, now)
            .build(DbBackend::Sqlite)
            .to_string();
        assert!(!sqlite.contains("FOR UPDATE"), "{sqlite}");
    }

    #[test]
    fn long_errors_are_cut_on_a_character_boundary() {
        let long = "é".repeat(MAX_ERROR_CHARS + 10);
        let cut = truncate(&long);
        assert_eq!(cut.chars().count(), MAX_ERROR_CHARS + 1);
        assert_eq!(truncate("short"), "short");
    }

    #[test]
    fn adding_absurd_durations_saturates() {
        let now = Utc::now();
        assert_eq!(add(now, Duration::MAX), DateTime::<Utc>::MAX_UTC);
        assert_eq!(
            add(now, Duration::from_secs(10)),
            now + TimeDelta::seconds(10)
        );
    }
}
