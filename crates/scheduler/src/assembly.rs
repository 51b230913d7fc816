//! Putting a worker together: every job kind Vigil runs, with its handler.

use std::sync::Arc;

use chrono_tz::Tz;
use sea_orm::DatabaseConnection;
use vigil_domain::{Clock, ContactStandard, ReminderPolicy, VisitCadence, WorkingCalendar};

use crate::config::SchedulerConfig;
use crate::error::SchedulerError;
use crate::planners::digest::{self, MorningDigest};
use crate::planners::digest_officer::{self, OfficerDigest};
use crate::planners::home_visits::{self, HomeVisitPlanner};
use crate::planners::release::{self, ReleasePlanner};
use crate::sending::{self, SendNotificationHandler};
use crate::transport::{EmailTransport, SmsTransport};
use crate::worker::{PruneJobsHandler, Worker};

/// Job kind of the nightly clean-up of finished jobs.
pub const PRUNE_KIND: &str = "cron:prune_jobs";

/// Everything the handlers need beyond the database and the clock.
#[derive(Debug, Clone)]
pub struct WorkerParts {
    pub sms: Arc<dyn SmsTransport>,
    pub email: Arc<dyn EmailTransport>,
    pub time_zone: Tz,
    pub calendar: WorkingCalendar,
    pub reminders: ReminderPolicy,
    pub contact_standards: Vec<ContactStandard>,
    pub visit_cadences: Vec<VisitCadence>,
}

/// A worker with every Vigil handler registered and the configured cron schedules.
pub fn vigil_worker(
    db: DatabaseConnection,
    clock: Arc<dyn Clock>,
    worker_id: impl Into<String>,
    config: &SchedulerConfig,
    parts: WorkerParts,
) -> Result<Worker, SchedulerError> {
    Ok(Worker::from_config(db, clock, worker_id, config)?
        .register(
            sending::KIND,
            Arc::new(SendNotificationHandler {
                sms: parts.sms,
                email: parts.email.clone(),
                time_zone: parts.time_zone,
                quiet_hours: parts.reminders.quiet_hours(),
            }),
        )
        .register(
            release::KIND,
            Arc::new(ReleasePlanner {
                time_zone: parts.time_zone,
                calendar: parts.calendar.clone(),
                reminders: parts.reminders.clone(),
            }),
        )
        .register(
            home_visits::KIND,
            Arc::new(HomeVisitPlanner {
                time_zone: parts.time_zone,
                cadences: parts.visit_cadences,
            }),
        )
        .register(
            digest::KIND,
            Arc::new(MorningDigest {
                time_zone: parts.time_zone,
                calendar: parts.calendar.clone(),
            }),
        )
        .register(
            digest_officer::KIND,
            Arc::new(OfficerDigest {
                email: parts.email,
                time_zone: parts.time_zone,
                calendar: parts.calendar,
                standards: parts.contact_standards,
            }),
        )
        .register(
            PRUNE_KIND,
            Arc::new(PruneJobsHandler {
                keep: config.prune_after(),
            }),
        ))
}
