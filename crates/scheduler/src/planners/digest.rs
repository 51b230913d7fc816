//! The morning digest (a cron job, 07:30 London on working days): each officer with a caseload gets one
//! email listing what is overdue and what is due today. The lists are the caseload worklist's.
//!
//! The cron job only plans: on a working day it enqueues one [`digest_officer`](super::digest_officer) job
//! per active officer in [`ROLES`], keyed by day and officer, in the same transaction as its own completion
//! (planning twice creates nothing). Each officer's job assembles their caseload and sends their email, so a
//! failed send is retried for that officer alone and a second planning mails nobody again. Unlike the
//! reminders, a digest is not tracked as a message: if the mail server takes it but the answer is lost (a
//! timeout, or a worker that dies mid-send), the retry may mail that officer's digest a second time. For
//! staff, a rare duplicate of the morning list is the better failure than a missing one.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use vigil_domain::{WorkingCalendar, end_of_local_day, local_date};
use vigil_persistence::caseload::{CaseloadEntry, WorkItem};
use vigil_persistence::repositories::staff;

use crate::error::JobError;
use crate::planners::digest_officer;
use crate::queue::{self, ClaimedJob, EnqueueOutcome, NewJob};
use crate::worker::{JobContext, JobHandler};

pub const KIND: &str = "cron:morning_digest";

/// The roles whose active members get a digest.
pub const ROLES: [&str; 3] = ["offender_manager", "police", "coordinator"];

/// What an officer's digest job is given: who, and the working day the digest is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfficerDigestPayload {
    pub staff_id: Uuid,
    pub date: NaiveDate,
}

/// The unique key of an officer's digest job: one per officer per day.
pub fn unique_key(date: NaiveDate, staff_id: Uuid) -> String {
    format!("morning_digest:{}:{staff_id}", date.format("%Y-%m-%d"))
}

/// Whether the local day `date` has ended at `now`: a digest for it is no longer worth sending.
pub fn day_is_over(date: NaiveDate, now: DateTime<Utc>, tz: Tz) -> bool {
    now > end_of_local_day(date, tz)
}

/// Plans the day's digests (the handler of the cron job).
#[derive(Debug, Clone)]
pub struct MorningDigest {
    pub time_zone: Tz,
    pub calendar: WorkingCalendar,
}

pub(crate) fn retry(error: impl std::fmt::Display) -> JobError {
    JobError::Retryable(error.to_string())
}

/// A person as named in an email: initial, family name and case reference, no more.
fn who(entry: &CaseloadEntry) -> String {
    let initial = entry.person.given_name.chars().next().unwrap_or('?');
    match &entry.person.crn {
        Some(crn) => format!("{initial}. {} ({crn})", entry.person.family_name),
        None => format!("{initial}. {}", entry.person.family_name),
    }
}

/// The digest's text, or `None` when there is nothing to say.
pub fn digest_text(
    entries: &[CaseloadEntry],
    end_of_today: chrono::DateTime<chrono::Utc>,
    tz: Tz,
) -> Option<(String, String)> {
    let line = |entry: &CaseloadEntry, item: &WorkItem| {
        format!(
            "- {}: {} (due {})",
            who(entry),
            item.description,
            item.due_by.with_timezone(&tz).format("%a %-d %b %H:%M")
        )
    };
    let overdue: Vec<String> = entries
        .iter()
        .flat_map(|entry| entry.overdue.iter().map(move |item| line(entry, item)))
        .collect();
    let today: Vec<String> = entries
        .iter()
        .flat_map(|entry| {
            entry
                .due
                .iter()
                .filter(|item| item.due_by <= end_of_today)
                .map(move |item| line(entry, item))
        })
        .collect();
    if overdue.is_empty() && today.is_empty() {
        return None;
    }
    let subject = format!(
        "Vigil: {} overdue, {} due today",
        overdue.len(),
        today.len()
    );
    let mut body = String::from("Good morning. Your caseload today:\n\n");
    body.push_str(&format!("Overdue ({}):\n", overdue.len()));
    for line in &overdue {
        body.push_str(line);
        body.push('\n');
    }
    body.push_str(&format!("\nDue today ({}):\n", today.len()));
    for line in &today {
        body.push_str(line);
        body.push('\n');
    }
    body.push_str("\nOpen Vigil for the details.\n");
    Some((subject, body))
}

impl MorningDigest {
    /// The day the digest is for: the local date of the cron tick (a retried planner keeps its day), or
    /// of `now` for a job without one.
    fn day(&self, job: &ClaimedJob, now: DateTime<Utc>) -> NaiveDate {
        let tick = job.payload["tick"]
            .as_str()
            .and_then(|tick| tick.parse::<DateTime<Utc>>().ok());
        local_date(tick.unwrap_or(now), self.time_zone)
    }
}

#[async_trait]
impl JobHandler for MorningDigest {
    async fn run(&self, job: &ClaimedJob, ctx: &JobContext) -> Result<(), JobError> {
        let now = ctx.clock.now();
        let day = self.day(job, now);
        if !self.calendar.is_working_day(day) || day_is_over(day, now, self.time_zone) {
            tracing::info!(%day, "no morning digest: not a working day, or the day is over");
            return Ok(());
        }
        let txn = vigil_persistence::begin_write(&ctx.db)
            .await
            .map_err(retry)?;
        let officers = staff::active_in_roles(&txn, &ROLES).await.map_err(retry)?;
        let mut planned = 0_usize;
        for officer in &officers {
            let payload = OfficerDigestPayload {
                staff_id: officer.id,
                date: day,
            };
            let payload = serde_json::to_value(payload).map_err(retry)?;
            let officer_job = NewJob::new(digest_officer::KIND, payload, now)
                .with_unique_key(unique_key(day, officer.id));
            if let EnqueueOutcome::Created(_) = queue::enqueue(&txn, officer_job, now)
                .await
                .map_err(retry)?
            {
                planned += 1;
            }
        }
        if !queue::complete(&txn, job, now).await.map_err(retry)? {
            return Err(JobError::Retryable("lost the job's lease".to_owned()));
        }
        txn.commit().await.map_err(retry)?;
        tracing::info!(%day, planned, officers = officers.len(), "morning digests planned");
        Ok(())
    }
}
