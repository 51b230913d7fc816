//! One officer's morning digest, planned by [`MorningDigest`](super::digest::MorningDigest): assembles
//! their caseload and sends them one email (nothing when there is nothing to say). A failed send is retried
//! for this officer alone; an address the mail server refuses discards the job with the reason.
//!
//! Sent only on the day it was planned for: an officer deactivated (or moved out of the digest roles) since
//! gets nothing, and a job that runs after its day has ended (the worker was down) is skipped rather than
//! mail a list that is no longer today's — the next working day's digest covers the same work.

use std::sync::Arc;

use async_trait::async_trait;
use chrono_tz::Tz;
use vigil_domain::{ContactStandard, WorkingCalendar, end_of_local_day};
use vigil_persistence::caseload::{CaseloadRules, assemble};
use vigil_persistence::repositories::staff;

use crate::error::JobError;
use crate::planners::digest::{OfficerDigestPayload, ROLES, day_is_over, digest_text, retry};
use crate::queue::ClaimedJob;
use crate::transport::{EmailTransport, OutgoingEmail, TransportError};
use crate::worker::{JobContext, JobHandler};

pub const KIND: &str = "morning_digest_officer";

#[derive(Debug, Clone)]
pub struct OfficerDigest {
    pub email: Arc<dyn EmailTransport>,
    pub time_zone: Tz,
    pub calendar: WorkingCalendar,
    pub standards: Vec<ContactStandard>,
}

#[async_trait]
impl JobHandler for OfficerDigest {
    async fn run(&self, job: &ClaimedJob, ctx: &JobContext) -> Result<(), JobError> {
        let OfficerDigestPayload { staff_id, date } =
            serde_json::from_value(job.payload.clone())
                .map_err(|error| JobError::Permanent(format!("bad payload: {error}")))?;
        let now = ctx.clock.now();
        if day_is_over(date, now, self.time_zone) {
            tracing::warn!(%staff_id, %date, "morning digest skipped: its day is over");
            return Ok(());
        }
        let officer = staff::find(&ctx.db, staff_id).await.map_err(retry)?;
        let Some(officer) =
            officer.filter(|officer| officer.active && ROLES.contains(&officer.role.as_str()))
        else {
            tracing::info!(%staff_id, "morning digest not sent: the officer no longer gets one");
            return Ok(());
        };
        let rules = CaseloadRules {
            standards: &self.standards,
            time_zone: self.time_zone,
            calendar: &self.calendar,
        };
        let entries = assemble(&ctx.db, officer.id, rules, now)
            .await
            .map_err(retry)?;
        let end_of_day = end_of_local_day(date, self.time_zone);
        let Some((subject, body)) = digest_text(&entries, end_of_day, self.time_zone) else {
            return Ok(());
        };
        // One digest per officer per day: the reference makes a resent one recognisable.
        let reference = format!("digest-{}-{}", date.format("%Y%m%d"), officer.id.simple());
        let email = OutgoingEmail {
            to: officer.email,
            subject,
            body,
            reference,
        };
        match self.email.send(&email).await {
            Ok(_) => Ok(()),
            Err(TransportError::Rejected(reason)) => Err(JobError::Permanent(reason)),
            Err(error) => Err(retry(error)),
        }
    }
}
