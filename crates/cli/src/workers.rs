//! Building and running the scheduler's worker from settings.

use std::future::Future;
use std::sync::Arc;

use vigil_domain::{Clock, WorkingCalendar, default_visit_cadences};
use vigil_persistence::Database;
use vigil_scheduler::{Worker, WorkerParts, vigil_worker};

use crate::settings::Settings;
use crate::transports::{email_transport, sms_transport};

/// A worker id that says where it runs, unique per process.
pub fn worker_id() -> String {
    format!(
        "worker-{}-{}",
        std::process::id(),
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
}

pub fn build(settings: &Settings, db: &Database, clock: Arc<dyn Clock>) -> anyhow::Result<Worker> {
    let mut config = settings.scheduler.config.clone();
    // One zone for the whole partnership: cron ticks use the same one as the rules.
    config.timezone = settings.timezone.clone();
    let parts = WorkerParts {
        sms: sms_transport(settings)?,
        email: email_transport(settings)?,
        time_zone: settings.time_zone()?,
        calendar: WorkingCalendar::new(settings.calendar.bank_holidays.iter().copied()),
        reminders: settings.reminder_policy()?,
        contact_standards: settings.contact_standards()?,
        visit_cadences: default_visit_cadences(),
    };
    Ok(vigil_worker(
        db.connection().clone(),
        clock,
        worker_id(),
        &config,
        parts,
    )?)
}

/// Runs the worker until `shutdown` resolves: it stops claiming, and finishes what it is running.
pub async fn run(worker: Worker, shutdown: impl Future<Output = ()> + Send) {
    worker.run(shutdown).await;
}
