//! What the scheduler's operations report, and how a job handler says it failed.

use std::time::Duration;

use sea_orm::DbErr;

/// An error from the queue, the cron planner or the worker (not from a job: see [`JobError`]).
#[derive(Debug, thiserror::Error)]
pub enum SchedulerError {
    /// The database refused or failed; the caller logs it and tries again on the next poll.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    /// A repository refused or failed (creating a job, say).
    #[error(transparent)]
    Persistence(#[from] vigil_persistence::PersistenceError),
    /// A cron expression from the configuration does not parse.
    #[error("cron job {name}: invalid expression {expression:?}: {message}")]
    InvalidCron {
        name: String,
        expression: String,
        message: String,
    },
    /// A time zone name from the configuration is unknown.
    #[error("unknown time zone {0:?}")]
    InvalidTimeZone(String),
}

/// How a job handler failed, which decides what happens to the job next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// Worth trying again later (network, a lock, a dependency down): back off, until attempts run out.
    #[error("{0}")]
    Retryable(String),
    /// Will never succeed (bad payload, unknown kind, the subject was deleted): discard now.
    #[error("{0}")]
    Permanent(String),
    /// The provider asked us to wait (HTTP 429, 5xx with Retry-After): try again after `1`, and do not
    /// count this run as an attempt, because the job itself did nothing wrong.
    #[error("{0} (retry after {1:?})")]
    RetryWithoutAttempt(String, Duration),
}

impl JobError {
    pub fn message(&self) -> &str {
        match self {
            JobError::Retryable(message)
            | JobError::Permanent(message)
            | JobError::RetryWithoutAttempt(message, _) => message,
        }
    }
}
