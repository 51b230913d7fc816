//! Recurring jobs from configuration: cron expressions evaluated in the partnership's local time.
//!
//! A tick is a local wall-clock time ("01:30 every day"), so expressions are evaluated over naive local
//! date-times and each tick is then mapped to an instant with [`local_to_utc`]: a tick inside the
//! spring-forward gap runs at the first instant after the gap, a tick in the autumn overlap runs once, at
//! the earlier instant. Each tick becomes one job with a unique key, so any number of workers planning the
//! same tick create it once.

use std::str::FromStr;
use std::time::Duration;

use ::cron::Schedule;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use vigil_domain::time::local_to_utc;
use vigil_persistence::entities::job;

use crate::error::SchedulerError;
use crate::queue::{self, DEFAULT_MAX_ATTEMPTS, EnqueueOutcome, NewJob};

/// The prefix of the job kind of every cron tick: `cron:<name>`.
pub const CRON_KIND_PREFIX: &str = "cron:";

/// Margin around a window when walking local times, wider than any UTC offset change, so that no tick
/// whose instant falls in the window is missed.
const LOCAL_MARGIN: TimeDelta = TimeDelta::hours(3);

/// A named recurring job.
#[derive(Debug, Clone)]
pub struct CronSchedule {
    pub name: String,
    /// The expression as configured (5 fields, or 6/7 with seconds and year).
    pub expression: String,
    pub tz: Tz,
    schedule: Schedule,
}

impl CronSchedule {
    /// Parses `expression`: standard 5-field cron (`minute hour day-of-month month day-of-week`, Sunday
    /// 0 or 7), or the `cron` crate's 6/7-field form with seconds first (and its 1 = Sunday numbering), or a
    /// shorthand such as `@daily`.
    pub fn new(
        name: impl Into<String>,
        expression: impl Into<String>,
        tz: Tz,
    ) -> Result<Self, SchedulerError> {
        let name = name.into();
        let expression = expression.into();
        let schedule = Schedule::from_str(&normalise(&expression)).map_err(|error| {
            SchedulerError::InvalidCron {
                name: name.clone(),
                expression: expression.clone(),
                message: error.to_string(),
            }
        })?;
        Ok(Self {
            name,
            expression,
            tz,
            schedule,
        })
    }

    /// The job kind of this schedule's ticks.
    pub fn kind(&self) -> String {
        format!("{CRON_KIND_PREFIX}{}", self.name)
    }

    /// The unique key of one tick: `cron:<name>:<tick in RFC 3339 UTC>`.
    pub fn unique_key(&self, tick: DateTime<Utc>) -> String {
        format!(
            "{}:{}",
            self.kind(),
            tick.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )
    }

    /// The instants of the ticks in `(after, until]`, ascending, each once.
    pub fn ticks_between(&self, after: DateTime<Utc>, until: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        if until <= after {
            return Vec::new();
        }
        // `local_to_utc` never decreases as local time increases (the gap collapses to its end, the
        // overlap takes the earlier instant), so walking local times in order yields instants in order.
        let start = naive_local(after, self.tz) - LOCAL_MARGIN;
        let end = naive_local(until, self.tz) + LOCAL_MARGIN;
        let mut ticks: Vec<DateTime<Utc>> = Vec::new();
        for local in self.schedule.after(&start.and_utc()) {
            let local = local.naive_utc();
            if local > end {
                break;
            }
            let instant = local_to_utc(local.date(), local.time(), self.tz);
            if instant > after && instant <= until && ticks.last() != Some(&instant) {
                ticks.push(instant);
            }
        }
        ticks
    }
}

fn naive_local(instant: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
    instant.with_timezone(&tz).naive_local()
}

/// Turns a standard 5-field expression into the crate's form: a leading seconds field of `0`, and
/// day-of-week numbers (0-7, 0 and 7 = Sunday) as names, because the crate counts 1 = Sunday. Anything
/// else is passed through unchanged.
fn normalise(expression: &str) -> String {
    let fields: Vec<&str> = expression.split_whitespace().collect();
    if fields.len() != 5 {
        return expression.trim().to_owned();
    }
    format!(
        "0 {} {} {} {} {}",
        fields[0],
        fields[1],
        fields[2],
        fields[3],
        day_of_week_names(fields[4])
    )
}

/// `1-5` → `MON-FRI`, `0,6` → `SUN,SAT`; a step (`*/2`) stays a number.
fn day_of_week_names(field: &str) -> String {
    const NAMES: [&str; 8] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
    let mut out = String::with_capacity(field.len() * 2);
    let mut digits = String::new();
    let mut after_slash = false;
    let flush = |digits: &mut String, out: &mut String, after_slash: bool| {
        if digits.is_empty() {
            return;
        }
        match digits.parse::<usize>() {
            Ok(day) if !after_slash && day < NAMES.len() => out.push_str(NAMES[day]),
            _ => out.push_str(digits),
        }
        digits.clear();
    };
    for character in field.chars() {
        if character.is_ascii_digit() {
            digits.push(character);
        } else {
            flush(&mut digits, &mut out, after_slash);
            after_slash = character == '/';
            out.push(character);
        }
    }
    flush(&mut digits, &mut out, after_slash);
    out
}

/// The ticks to run now: those after `last_tick` up to `now`, collapsed to the latest one (after
/// downtime, a missed daily job runs once, not once per missed day), and only if it is no older than
/// `catch_up` (a tick missed for longer is skipped). With no `last_tick` (never ran), the catch-up window
/// alone decides. Returns at most one instant.
pub fn plan_due_ticks(
    schedule: &CronSchedule,
    last_tick: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    catch_up: Duration,
) -> Vec<DateTime<Utc>> {
    let window_start = TimeDelta::from_std(catch_up)
        .ok()
        .and_then(|window| now.checked_sub_signed(window))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    // A tick exactly `catch_up` old is still in the window: start just before it.
    let window_start = window_start - TimeDelta::nanoseconds(1);
    let after = match last_tick {
        Some(last) => last.max(window_start),
        None => window_start,
    };
    schedule
        .ticks_between(after, now)
        .last()
        .copied()
        .into_iter()
        .collect()
}

/// For each schedule, enqueues the tick due now (see [`plan_due_ticks`]) as a job of kind `cron:<name>`
/// run at the tick, with the unique key `cron:<name>:<tick>`, so several workers doing this at once create
/// it once. The last tick is read from the jobs table; keep finished jobs longer than `catch_up` (prune
/// after more than the window) so that a pruned tick is not planned again. Returns the jobs created.
pub async fn enqueue_cron_ticks<C: ConnectionTrait>(
    db: &C,
    schedules: &[CronSchedule],
    now: DateTime<Utc>,
    catch_up: Duration,
) -> Result<Vec<(String, DateTime<Utc>)>, SchedulerError> {
    let mut created = Vec::new();
    for schedule in schedules {
        let last_tick = last_tick(db, schedule).await?;
        for tick in plan_due_ticks(schedule, last_tick, now, catch_up) {
            let new_job = NewJob::new(
                schedule.kind(),
                json!({
                    "schedule": schedule.name,
                    "tick": tick.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                }),
                tick,
            )
            .with_max_attempts(DEFAULT_MAX_ATTEMPTS)
            .with_unique_key(schedule.unique_key(tick));
            if let EnqueueOutcome::Created(id) = queue::enqueue(db, new_job, now).await? {
                tracing::info!(job_id = %id, schedule = %schedule.name, %tick, "cron tick enqueued");
                created.push((schedule.name.clone(), tick));
            }
        }
    }
    Ok(created)
}

/// The run time of the schedule's latest tick job, if any.
async fn last_tick<C: ConnectionTrait>(
    db: &C,
    schedule: &CronSchedule,
) -> Result<Option<DateTime<Utc>>, SchedulerError> {
    Ok(job::Entity::find()
        .select_only()
        .column(job::Column::RunAt)
        .filter(job::Column::Kind.eq(schedule.kind()))
        .order_by_desc(job::Column::RunAt)
        .limit(1)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Europe::London;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn daily_0130() -> CronSchedule {
        CronSchedule::new("nightly", "30 1 * * *", London).unwrap()
    }

    #[test]
    fn five_fields_gain_seconds_and_named_weekdays() {
        assert_eq!(normalise("30 1 * * *"), "0 30 1 * * *");
        assert_eq!(normalise("0 9 * * 1-5"), "0 0 9 * * MON-FRI");
        assert_eq!(normalise("0 9 * * 0,7"), "0 0 9 * * SUN,SUN");
        assert_eq!(normalise("0 9 * * */2"), "0 0 9 * * */2");
        assert_eq!(normalise("0 0 9 * * Mon"), "0 0 9 * * Mon");
        assert_eq!(normalise("@daily"), "@daily");
    }

    #[test]
    fn rejects_nonsense_with_the_schedule_name() {
        let error = CronSchedule::new("broken", "61 * * * *", London).unwrap_err();
        assert!(error.to_string().contains("broken"), "{error}");
    }

    #[test]
    fn weekdays_mean_monday_to_friday() {
        let schedule = CronSchedule::new("weekday", "0 9 * * 1-5", London).unwrap();
        // Week of Monday 2026-01-05 (GMT).
        let ticks = schedule.ticks_between(utc(2026, 1, 4, 0, 0), utc(2026, 1, 11, 0, 0));
        let days: Vec<u32> = ticks.iter().map(chrono::Datelike::day).collect();
        assert_eq!(days, vec![5, 6, 7, 8, 9]);
        assert!(
            ticks
                .iter()
                .all(|tick| tick.time() == chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap())
        );
    }

    #[test]
    fn normal_days_tick_at_local_0130() {
        let schedule = daily_0130();
        // Winter: 01:30 GMT = 01:30Z; summer: 01:30 BST = 00:30Z.
        assert_eq!(
            schedule.ticks_between(utc(2026, 1, 10, 0, 0), utc(2026, 1, 11, 0, 0)),
            vec![utc(2026, 1, 10, 1, 30)]
        );
        assert_eq!(
            schedule.ticks_between(utc(2026, 6, 10, 0, 0), utc(2026, 6, 11, 0, 0)),
            vec![utc(2026, 6, 10, 0, 30)]
        );
    }

    #[test]
    fn spring_forward_runs_once_at_the_end_of_the_gap() {
        let ticks = daily_0130().ticks_between(utc(2026, 3, 28, 0, 0), utc(2026, 3, 31, 0, 0));
        assert_eq!(
            ticks,
            vec![
                utc(2026, 3, 28, 1, 30),
                utc(2026, 3, 29, 1, 0),
                utc(2026, 3, 30, 0, 30)
            ]
        );
    }

    #[test]
    fn autumn_back_runs_once_at_the_earlier_instant() {
        let ticks = daily_0130().ticks_between(utc(2026, 10, 24, 0, 0), utc(2026, 10, 27, 0, 0));
        assert_eq!(
            ticks,
            vec![
                utc(2026, 10, 24, 0, 30),
                utc(2026, 10, 25, 0, 30),
                utc(2026, 10, 26, 1, 30)
            ]
        );
    }

    #[test]
    fn quarter_hours_in_the_gap_collapse_to_one_tick() {
        let schedule = CronSchedule::new("frequent", "*/15 * * * *", London).unwrap();
        let ticks = schedule.ticks_between(utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 30));
        assert_eq!(
            ticks,
            vec![
                utc(2026, 3, 29, 0, 45),
                utc(2026, 3, 29, 1, 0),
                utc(2026, 3, 29, 1, 15),
                utc(2026, 3, 29, 1, 30)
            ]
        );
    }

    #[test]
    fn window_bounds_are_after_exclusive_until_inclusive() {
        let schedule = daily_0130();
        let tick = utc(2026, 1, 10, 1, 30);
        assert!(
            schedule
                .ticks_between(tick, utc(2026, 1, 11, 0, 0))
                .is_empty()
        );
        assert_eq!(
            schedule.ticks_between(utc(2026, 1, 10, 0, 0), tick),
            vec![tick]
        );
        assert!(schedule.ticks_between(tick, tick).is_empty());
    }

    #[test]
    fn nothing_due_before_the_next_tick() {
        let schedule = daily_0130();
        let last = utc(2026, 1, 10, 1, 30);
        let now = utc(2026, 1, 11, 1, 29);
        assert!(
            plan_due_ticks(&schedule, Some(last), now, Duration::from_secs(6 * 3600)).is_empty()
        );
        assert_eq!(
            plan_due_ticks(
                &schedule,
                Some(last),
                utc(2026, 1, 11, 1, 30),
                Duration::from_secs(6 * 3600)
            ),
            vec![utc(2026, 1, 11, 1, 30)]
        );
    }

    #[test]
    fn downtime_collapses_missed_ticks_to_the_latest() {
        let schedule = daily_0130();
        let last = utc(2026, 1, 7, 1, 30);
        let now = utc(2026, 1, 10, 3, 0);
        assert_eq!(
            plan_due_ticks(&schedule, Some(last), now, Duration::from_secs(6 * 3600)),
            vec![utc(2026, 1, 10, 1, 30)]
        );
    }

    #[test]
    fn ticks_older_than_the_catch_up_window_are_skipped() {
        let schedule = daily_0130();
        let last = utc(2026, 1, 7, 1, 30);
        let now = utc(2026, 1, 10, 9, 0);
        assert!(
            plan_due_ticks(&schedule, Some(last), now, Duration::from_secs(6 * 3600)).is_empty()
        );
        // Exactly at the edge of the window still runs.
        assert_eq!(
            plan_due_ticks(
                &schedule,
                Some(last),
                utc(2026, 1, 10, 7, 30),
                Duration::from_secs(6 * 3600)
            ),
            vec![utc(2026, 1, 10, 1, 30)]
        );
    }

    #[test]
    fn first_run_uses_the_catch_up_window() {
        let schedule = daily_0130();
        assert_eq!(
            plan_due_ticks(
                &schedule,
                None,
                utc(2026, 1, 10, 2, 0),
                Duration::from_secs(3600)
            ),
            vec![utc(2026, 1, 10, 1, 30)]
        );
        assert!(
            plan_due_ticks(
                &schedule,
                None,
                utc(2026, 1, 10, 3, 0),
                Duration::from_secs(3600)
            )
            .is_empty()
        );
    }

    #[test]
    fn unique_keys_name_the_tick_in_utc() {
        assert_eq!(
            daily_0130().unique_key(utc(2026, 3, 29, 1, 0)),
            "cron:nightly:2026-03-29T01:00:00Z"
        );
    }
}
