//! The scheduler's settings, as the CLI's configuration file and environment give them.

use std::time::Duration;

use chrono::TimeDelta;
use chrono_tz::Tz;
use serde::Deserialize;

use crate::cron::CronSchedule;
use crate::error::SchedulerError;

/// How the worker polls, leases and retries, and which recurring jobs exist. Durations are whole numbers
/// of a named unit so that they read naturally in TOML and environment variables. Unknown keys are
/// ignored, so the CLI may keep its own settings (such as `enabled`) in the same table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct SchedulerConfig {
    /// Pause between polls when the queue had nothing (or less than a batch) to do.
    pub poll_interval_ms: u64,
    /// How long a claimed job is a worker's before another worker may rescue it; renewed by heartbeats.
    pub lease_secs: u64,
    /// Jobs claimed per poll.
    pub batch_size: u64,
    /// Succeeded and discarded jobs are deleted this long after they finished. Keep it longer than
    /// `catch_up_secs`: the last cron tick is read from the jobs table.
    pub prune_after_days: u32,
    /// After downtime, a missed cron tick still runs if it is no older than this; older ones are skipped.
    pub catch_up_secs: u64,
    /// The zone cron expressions are read in.
    pub timezone: String,
    /// Recurring jobs; each tick becomes a job of kind `cron:<name>`.
    pub cron: Vec<CronEntry>,
}

/// One recurring job: a name (its job kind is `cron:<name>`) and a cron expression in local time.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CronEntry {
    pub name: String,
    pub expression: String,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        Self {
            poll_interval_ms: 1_000,
            lease_secs: 300,
            batch_size: 100,
            prune_after_days: 30,
            catch_up_secs: 6 * 60 * 60,
            timezone: "Europe/London".to_owned(),
            cron: Vec::new(),
        }
    }
}

impl SchedulerConfig {
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms)
    }

    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.lease_secs)
    }

    pub fn catch_up(&self) -> Duration {
        Duration::from_secs(self.catch_up_secs)
    }

    pub fn prune_after(&self) -> TimeDelta {
        TimeDelta::days(i64::from(self.prune_after_days))
    }

    pub fn time_zone(&self) -> Result<Tz, SchedulerError> {
        self.timezone
            .parse::<Tz>()
            .map_err(|_| SchedulerError::InvalidTimeZone(self.timezone.clone()))
    }

    /// The configured recurring jobs, parsed; the first bad expression or zone is an error, so a typo
    /// stops start-up instead of silently never running.
    pub fn cron_schedules(&self) -> Result<Vec<CronSchedule>, SchedulerError> {
        let tz = self.time_zone()?;
        self.cron
            .iter()
            .map(|entry| CronSchedule::new(entry.name.clone(), entry.expression.clone(), tz))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn missing_fields_take_the_defaults() {
        let config: SchedulerConfig = serde_json::from_str(
            r#"{"lease_secs": 60, "cron": [{"name": "prune_jobs", "expression": "15 3 * * *"}]}"#,
        )
        .unwrap();
        assert_eq!(config.lease(), Duration::from_secs(60));
        assert_eq!(config.poll_interval(), Duration::from_secs(1));
        let schedules = config.cron_schedules().unwrap();
        assert_eq!(schedules.len(), 1);
        assert_eq!(schedules[0].kind(), "cron:prune_jobs");
        assert_eq!(schedules[0].tz, chrono_tz::Europe::London);
    }

    #[test]
    fn bad_zones_and_expressions_are_refused() {
        let config = SchedulerConfig {
            timezone: "Mars/Olympus".to_owned(),
            ..SchedulerConfig::default()
        };
        assert!(matches!(
            config.cron_schedules(),
            Err(SchedulerError::InvalidTimeZone(_))
        ));
        let config = SchedulerConfig {
            cron: vec![CronEntry {
                name: "x".to_owned(),
                expression: "not cron".to_owned(),
            }],
            ..SchedulerConfig::default()
        };
        assert!(matches!(
            config.cron_schedules(),
            Err(SchedulerError::InvalidCron { .. })
        ));
    }
}
