//! The home-visit planner (a cron job): every adopted person with a police single point of contact gets
//! their next visit planned when none is pending and their cadence (by strand and tier) says one is due —
//! on a random day and time band inside the coming window, never the last visit's weekday and band.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{Datelike, Duration};
use chrono_tz::Tz;
use rand::Rng;
use uuid::Uuid;
use vigil_domain::{
    Strand, Tier, TimeBand, VisitCadence, cadence_for, choose_visit_slot, local_date, local_to_utc,
};
use vigil_persistence::entities::home_visit;
use vigil_persistence::repositories::home_visits::{self, NewHomeVisit, STATUS_PLANNED};
use vigil_persistence::repositories::{allocations, people, person_details};

use crate::error::JobError;
use crate::queue::{self, ClaimedJob};
use crate::worker::{JobContext, JobHandler};

pub const KIND: &str = "cron:plan_home_visits";

#[derive(Debug, Clone)]
pub struct HomeVisitPlanner {
    pub time_zone: Tz,
    pub cadences: Vec<VisitCadence>,
}

fn retry(error: impl std::fmt::Display) -> JobError {
    JobError::Retryable(error.to_string())
}

#[async_trait]
impl JobHandler for HomeVisitPlanner {
    async fn run(&self, job: &ClaimedJob, ctx: &JobContext) -> Result<(), JobError> {
        let now = ctx.clock.now();
        let today = local_date(now, self.time_zone);
        let txn = vigil_persistence::begin_write(&ctx.db)
            .await
            .map_err(retry)?;
        let spocs = allocations::active_in_role_for_everyone(&txn, "police_spoc")
            .await
            .map_err(retry)?;
        let ids: Vec<Uuid> = spocs.iter().map(|a| a.person_id).collect();
        let officer: HashMap<Uuid, Uuid> =
            spocs.iter().map(|a| (a.person_id, a.staff_id)).collect();
        let longest = self
            .cadences
            .iter()
            .map(|c| c.every_days)
            .max()
            .unwrap_or(84);
        let recent =
            home_visits::for_people_since(&txn, &ids, now - Duration::days(i64::from(longest) * 2))
                .await
                .map_err(retry)?;
        let mut latest: HashMap<Uuid, home_visit::Model> = HashMap::new();
        for visit in recent {
            latest.insert(visit.person_id, visit);
        }
        let mut planned = 0_usize;
        for person in people::find_many(&txn, &ids).await.map_err(retry)? {
            if person.cohort_status.as_deref() != Some("adopted") {
                continue;
            }
            let strand = person
                .strand
                .as_deref()
                .and_then(|s| s.parse::<Strand>().ok());
            let tier = person.tier.as_deref().and_then(|t| t.parse::<Tier>().ok());
            let (Some(strand), Some(tier)) = (strand, tier) else {
                continue;
            };
            let Some(every) = cadence_for(&self.cadences, strand, tier) else {
                continue;
            };
            let last = latest.get(&person.id);
            if last.is_some_and(|visit| visit.status == STATUS_PLANNED) {
                continue;
            }
            // Due when the last visit is at least a cadence old (or there has been none).
            let due_from = last.map_or(today, |visit| {
                local_date(visit.window_start, self.time_zone) + Duration::days(i64::from(every))
            });
            // Plan a little ahead: the window opens tomorrow at the earliest and spans half a cadence.
            if due_from > today + Duration::days(7) {
                continue;
            }
            let first = due_from.max(today + Duration::days(1));
            let window_last = first + Duration::days(i64::from(every / 2).max(1));
            let previous = last.map(|visit| {
                let local = visit.window_start.with_timezone(&self.time_zone);
                (local.weekday(), TimeBand::of(local.time()))
            });
            // The thread-local generator is not `Send`: use it and drop it before the next await.
            let slot = {
                let mut rng = rand::rng();
                choose_visit_slot(first, window_last, previous, |n| rng.random_range(0..n))
            };
            let Some((day, band)) = slot else {
                continue;
            };
            let (start, end) = band.hours();
            let address = person_details::current_address_line(&txn, person.id)
                .await
                .map_err(retry)?;
            home_visits::create(
                &txn,
                NewHomeVisit {
                    person_id: person.id,
                    window_start: local_to_utc(day, start, self.time_zone),
                    window_end: local_to_utc(day, end, self.time_zone),
                    address,
                    assigned_to: officer.get(&person.id).copied(),
                    assigned_team_id: None,
                    // Catch & Convict visits are unannounced; the others are arranged.
                    announced: strand != Strand::CatchConvict,
                    follow_up_of: None,
                    created_by: None,
                },
                now,
            )
            .await
            .map_err(retry)?;
            planned += 1;
        }
        if !queue::complete(&txn, job, now).await.map_err(retry)? {
            return Err(JobError::Retryable("lost the job's lease".to_owned()));
        }
        txn.commit().await.map_err(retry)?;
        tracing::info!(planned, "home visits planned");
        Ok(())
    }
}
