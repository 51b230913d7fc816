//! On release from custody: the first appointment within 1 working day, a home visit within 3 days, and an
//! accommodation referral if none is open. The API enqueues a `plan_release` job in the same transaction
//! as the release is recorded; this runs it.

use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use uuid::Uuid;
use vigil_domain::{ReminderPolicy, WorkingCalendar, local_date, local_to_utc};
use vigil_persistence::repositories::appointments::{self, NewAppointment, STATUS_BOOKED};
use vigil_persistence::repositories::home_visits::{self, NewHomeVisit};
use vigil_persistence::repositories::notifications::REASON_RESCHEDULED;
use vigil_persistence::repositories::referrals::{self, NewReferral};
use vigil_persistence::repositories::{agencies, allocations, people, person_details, reminders};

use crate::error::JobError;
use crate::queue::{self, ClaimedJob};
use crate::worker::{JobContext, JobHandler};

pub const KIND: &str = "plan_release";

/// When the first appointment after release is booked, local time, on the next working day.
const FIRST_APPOINTMENT_AT: (u32, u32) = (10, 0);
const FIRST_APPOINTMENT_MINUTES: i64 = 60;
const VISIT_WITHIN_DAYS: i64 = 3;

#[derive(Debug, Deserialize)]
struct Payload {
    person_id: Uuid,
    /// Deadlines run from the release, not from when this job happens to run.
    released_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct ReleasePlanner {
    pub time_zone: Tz,
    pub calendar: WorkingCalendar,
    pub reminders: ReminderPolicy,
}

fn retry(error: impl std::fmt::Display) -> JobError {
    JobError::Retryable(error.to_string())
}

#[async_trait]
impl JobHandler for ReleasePlanner {
    async fn run(&self, job: &ClaimedJob, ctx: &JobContext) -> Result<(), JobError> {
        let payload: Payload = serde_json::from_value(job.payload.clone())
            .map_err(|error| JobError::Permanent(format!("bad payload: {error}")))?;
        let now = ctx.clock.now();
        let txn = vigil_persistence::begin_write(&ctx.db)
            .await
            .map_err(retry)?;
        let Some(person) = people::find(&txn, payload.person_id).await.map_err(retry)? else {
            return Err(JobError::Permanent(
                "the person no longer exists".to_owned(),
            ));
        };
        let manager = allocations::active_in_role(&txn, person.id, "offender_manager")
            .await
            .map_err(retry)?;
        let spoc = allocations::active_in_role(&txn, person.id, "police_spoc")
            .await
            .map_err(retry)?;

        let released = payload.released_at.unwrap_or(now);
        let day = self
            .calendar
            .add_working_days(local_date(released, self.time_zone), 1);
        let time = NaiveTime::from_hms_opt(FIRST_APPOINTMENT_AT.0, FIRST_APPOINTMENT_AT.1, 0)
            .unwrap_or(NaiveTime::MIN);
        let mut starts_at = local_to_utc(day, time, self.time_zone);
        if starts_at <= now {
            // Recorded late: the first appointment is the next working day from now instead.
            let day = self
                .calendar
                .add_working_days(local_date(now, self.time_zone), 1);
            starts_at = local_to_utc(day, time, self.time_zone);
        }
        let appointment = appointments::create(
            &txn,
            NewAppointment {
                person_id: person.id,
                staff_id: manager.as_ref().map(|a| a.staff_id),
                appointment_type: "initial_appointment".to_owned(),
                starts_at,
                ends_at: starts_at + Duration::minutes(FIRST_APPOINTMENT_MINUTES),
                location: None,
                status: STATUS_BOOKED.to_owned(),
                remind: true,
                outcome: None,
            },
            now,
        )
        .await
        .map_err(retry)?;
        reminders::replan(
            &txn,
            &self.reminders,
            self.time_zone,
            &appointment,
            &person,
            REASON_RESCHEDULED,
            now,
        )
        .await
        .map_err(retry)?;

        let address = person_details::current_address_line(&txn, person.id)
            .await
            .map_err(retry)?;
        home_visits::create(
            &txn,
            NewHomeVisit {
                person_id: person.id,
                window_start: released.max(now),
                window_end: released.max(now) + Duration::days(VISIT_WITHIN_DAYS),
                address,
                assigned_to: spoc.map(|a| a.staff_id),
                assigned_team_id: None,
                announced: false,
                follow_up_of: None,
                created_by: None,
            },
            now,
        )
        .await
        .map_err(retry)?;

        if !referrals::has_open(&txn, person.id, "accommodation")
            .await
            .map_err(retry)?
        {
            match agencies::first_of_kind(&txn, "housing")
                .await
                .map_err(retry)?
            {
                Some(housing) => {
                    referrals::create(
                        &txn,
                        NewReferral {
                            person_id: person.id,
                            pathway: "accommodation".to_owned(),
                            agency_id: housing.id,
                            notes: Some("Planned on release from custody.".to_owned()),
                            created_by: None,
                        },
                        now,
                    )
                    .await
                    .map_err(retry)?;
                }
                None => tracing::warn!(
                    "no housing agency: release planned without an accommodation referral"
                ),
            }
        }
        if !queue::complete(&txn, job, now).await.map_err(retry)? {
            // Another worker took the job over: let it do the work, ours rolls back.
            return Err(JobError::Retryable("lost the job's lease".to_owned()));
        }
        txn.commit().await.map_err(retry)?;
        Ok(())
    }
}
