//! The morning digest (a cron job, 07:30 London on working days): each officer with a caseload gets one
//! email listing what is overdue and what is due today. The lists are the caseload worklist's.

use std::sync::Arc;

use async_trait::async_trait;
use chrono_tz::Tz;
use vigil_domain::{ContactStandard, WorkingCalendar, end_of_local_day, local_date};
use vigil_persistence::caseload::{CaseloadEntry, CaseloadRules, WorkItem, assemble};
use vigil_persistence::repositories::staff;

use crate::error::JobError;
use crate::queue::ClaimedJob;
use crate::transport::{EmailTransport, OutgoingEmail, TransportError};
use crate::worker::{JobContext, JobHandler};

pub const KIND: &str = "cron:morning_digest";

#[derive(Debug, Clone)]
pub struct MorningDigest {
    pub email: Arc<dyn EmailTransport>,
    pub time_zone: Tz,
    pub calendar: WorkingCalendar,
    pub standards: Vec<ContactStandard>,
}

fn retry(error: impl std::fmt::Display) -> JobError {
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

#[async_trait]
impl JobHandler for MorningDigest {
    async fn run(&self, _job: &ClaimedJob, ctx: &JobContext) -> Result<(), JobError> {
        let now = ctx.clock.now();
        let today = local_date(now, self.time_zone);
        if !self.calendar.is_working_day(today) {
            return Ok(());
        }
        let end_of_today = end_of_local_day(today, self.time_zone);
        let rules = CaseloadRules {
            standards: &self.standards,
            time_zone: self.time_zone,
            calendar: &self.calendar,
        };
        let officers =
            staff::active_in_roles(&ctx.db, &["offender_manager", "police", "coordinator"])
                .await
                .map_err(retry)?;
        for officer in officers {
            let entries = assemble(&ctx.db, officer.id, rules, now)
                .await
                .map_err(retry)?;
            let Some((subject, body)) = digest_text(&entries, end_of_today, self.time_zone) else {
                continue;
            };
            // One digest per officer per day: the reference makes a retried job recognisable.
            let reference = format!("digest-{}-{}", today.format("%Y%m%d"), officer.id.simple());
            match self
                .email
                .send(&OutgoingEmail {
                    to: officer.email.clone(),
                    subject,
                    body,
                    reference,
                })
                .await
            {
                Ok(_) => {}
                Err(TransportError::Rejected(reason)) => {
                    tracing::warn!(officer = %officer.id, %reason, "morning digest refused by the mail server");
                }
                Err(error) => return Err(retry(error)),
            }
        }
        Ok(())
    }
}
