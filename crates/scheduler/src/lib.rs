//! Vigil's scheduler: a durable job queue in the database (claim with a lease, fenced completion, retry
//! with backoff, dead-letter), recurring cron jobs evaluated in the partnership's local time, and the worker
//! loop that runs them.
//!
//! The API and the scheduler never call each other: the API writes jobs with [`queue::enqueue`] inside the
//! transaction that causes them, and any number of workers claim and run them.

pub mod assembly;
pub mod backoff;
pub mod config;
pub mod cron;
pub mod error;
pub mod planners;
pub mod queue;
pub mod sending;
pub mod transport;
pub mod worker;

pub use crate::cron::{CronSchedule, enqueue_cron_ticks, plan_due_ticks};
pub use assembly::{WorkerParts, vigil_worker};
pub use backoff::RetryPolicy;
pub use config::{CronEntry, SchedulerConfig};
pub use error::{JobError, SchedulerError};
pub use queue::{ClaimedJob, EnqueueOutcome, FailOutcome, JobState, NewJob};
pub use worker::{JobContext, JobHandler, PruneJobsHandler, Worker};
