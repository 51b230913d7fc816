//! Writing jobs for the scheduler. Jobs are created here (not in the scheduler crate) because the API
//! writes them in the same transaction as the change that causes them; the scheduler claims and runs them.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;
use uuid::Uuid;

use crate::entities::job;
use crate::error::PersistenceError;

/// Attempts a job gets unless it says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 5;

/// A job to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// Which handler runs it, e.g. `send_notification` or `cron:prune_jobs`.
    pub kind: String,
    pub payload: Value,
    /// Not claimed before this instant.
    pub run_at: DateTime<Utc>,
    /// Higher runs first among due jobs.
    pub priority: i32,
    pub max_attempts: i32,
    /// At most one job ever exists with this key: enqueueing it again creates nothing.
    pub unique_key: Option<String>,
}

impl NewJob {
    /// A job of `kind` due at `run_at`, priority 0, [`DEFAULT_MAX_ATTEMPTS`] attempts, no unique key.
    pub fn new(kind: impl Into<String>, payload: Value, run_at: DateTime<Utc>) -> Self {
        Self {
            kind: kind.into(),
            payload,
            run_at,
            priority: 0,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            unique_key: None,
        }
    }

    pub fn with_priority(mut self, priority: i32) -> Self {
        self.priority = priority;
        self
    }

    pub fn with_max_attempts(mut self, max_attempts: i32) -> Self {
        self.max_attempts = max_attempts;
        self
    }

    pub fn with_unique_key(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }
}

/// What enqueueing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnqueueOutcome {
    Created(Uuid),
    /// A job with the same unique key exists; nothing was created.
    AlreadyExists,
}

/// Creates a job. With a unique key that already exists, creates nothing (`INSERT ... ON CONFLICT DO
/// NOTHING`, so it never aborts the caller's transaction).
pub async fn enqueue(
    db: &impl ConnectionTrait,
    job: NewJob,
    now: DateTime<Utc>,
) -> Result<EnqueueOutcome, PersistenceError> {
    let id = Uuid::now_v7();
    let row = job::ActiveModel {
        id: Set(id),
        kind: Set(job.kind),
        payload: Set(job.payload),
        run_at: Set(job.run_at),
        priority: Set(job.priority),
        attempts: Set(0),
        max_attempts: Set(job.max_attempts.max(1)),
        unique_key: Set(job.unique_key),
        state: Set("available".to_owned()),
        lease_expires_at: Set(None),
        epoch: Set(0),
        locked_by: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let inserted = job::Entity::insert(row)
        .on_conflict(
            OnConflict::column(job::Column::UniqueKey)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(if inserted == 0 {
        EnqueueOutcome::AlreadyExists
    } else {
        EnqueueOutcome::Created(id)
    })
}

/// [`enqueue`], for work wanted again after it was withdrawn (a reminder revived when its appointment is
/// changed back): if a job with the key exists but is not waiting to run (running, finished or given up),
/// it waits to run again at `job.run_at` with its attempts reset, under a new epoch, so that a worker
/// still running it can record nothing more (its fence no longer matches).
pub async fn enqueue_again(
    db: &impl ConnectionTrait,
    job: NewJob,
    now: DateTime<Utc>,
) -> Result<(), PersistenceError> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let (key, run_at) = (job.unique_key.clone(), job.run_at);
    if enqueue(db, job, now).await? != EnqueueOutcome::AlreadyExists {
        return Ok(());
    }
    let Some(key) = key else {
        return Ok(());
    };
    job::Entity::update_many()
        .col_expr(job::Column::State, "available".into())
        .col_expr(job::Column::RunAt, run_at.into())
        .col_expr(job::Column::Attempts, 0.into())
        .col_expr(job::Column::Epoch, Expr::col(job::Column::Epoch).add(1))
        .col_expr(job::Column::LockedBy, Option::<String>::None.into())
        .col_expr(
            job::Column::LeaseExpiresAt,
            Option::<DateTime<Utc>>::None.into(),
        )
        .col_expr(job::Column::LastError, Option::<String>::None.into())
        .col_expr(job::Column::UpdatedAt, now.into())
        .filter(job::Column::UniqueKey.eq(key))
        .filter(job::Column::State.ne("available"))
        .exec(db)
        .await?;
    Ok(())
}

/// Deletes jobs with these unique keys that have not started: work that is no longer wanted (a reminder
/// for a cancelled appointment). Jobs already running or finished are left alone.
pub async fn delete_unstarted(
    db: &impl ConnectionTrait,
    unique_keys: Vec<String>,
) -> Result<u64, PersistenceError> {
    if unique_keys.is_empty() {
        return Ok(0);
    }
    let result = job::Entity::delete_many()
        .filter(job::Column::UniqueKey.is_in(unique_keys))
        .filter(job::Column::State.eq("available"))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Jobs of a kind, for inspection in tests and tools.
pub async fn of_kind(
    db: &impl ConnectionTrait,
    kind: &str,
) -> Result<Vec<job::Model>, PersistenceError> {
    Ok(job::Entity::find()
        .filter(job::Column::Kind.eq(kind))
        .all(db)
        .await?)
}
