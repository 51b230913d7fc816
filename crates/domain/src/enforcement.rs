//! Enforcement after a counting absence: first a warning letter; a second counting absence
//! within the window means breach action. Deadlines are in working days on local dates.

use chrono::{DateTime, Months, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;
use crate::casework::EnforcementAction;
use crate::time::{end_of_local_day, local_date};

/// The tunable parts of the enforcement rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EnforcementPolicy {
    /// Working days to send the warning letter. 5 is our default, not a national rule; set it
    /// in configuration to match local practice.
    pub warning_within_working_days: u32,
    /// Working days to start breach action (the national standard is 10).
    pub breach_within_working_days: u32,
    /// How far back (calendar months) a previous counting absence makes the next one a breach.
    pub window_months: u32,
}

impl Default for EnforcementPolicy {
    fn default() -> Self {
        Self {
            warning_within_working_days: 5,
            breach_within_working_days: 10,
            window_months: 12,
        }
    }
}

impl EnforcementPolicy {
    /// Checks a partnership's own policy before it is used: every length at least 1 (a deadline of no
    /// working days, or a window of no months, is a typing mistake, not a rule). The error names the field.
    pub fn check(&self) -> Result<(), (&'static str, &'static str)> {
        for (field, value) in [
            (
                "warning_within_working_days",
                self.warning_within_working_days,
            ),
            (
                "breach_within_working_days",
                self.breach_within_working_days,
            ),
            ("window_months", self.window_months),
        ] {
            if value == 0 {
                return Err((field, "must be at least 1"));
            }
        }
        Ok(())
    }
}

/// The step to take and its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnforcementDecision {
    /// Warning or breach.
    pub action: EnforcementAction,
    /// End of the local day of the deadline (23:59:59 local), in UTC.
    pub due_by: DateTime<Utc>,
}

impl EnforcementPolicy {
    /// Decides the step for a new counting absence at `new_absence_at`, given the earlier
    /// counting absences (callers pass only outcomes for which
    /// [`crate::ContactOutcome::counts_for_enforcement`] is true and that were not later
    /// reclassified as acceptable).
    ///
    /// A prior absence is "within the window" if it happened before the new one and its local
    /// date is on or after the new absence's local date minus `window_months` calendar months
    /// (so an absence exactly twelve months earlier, to the day, still counts). Breach is due by
    /// the end of the local day `breach_within_working_days` working days after the new
    /// absence's local date; a warning likewise with `warning_within_working_days`.
    pub fn decide(
        &self,
        prior_counting_absences: &[DateTime<Utc>],
        new_absence_at: DateTime<Utc>,
        tz: Tz,
        calendar: &WorkingCalendar,
    ) -> EnforcementDecision {
        let absence_day = local_date(new_absence_at, tz);
        let window_start = absence_day
            .checked_sub_months(Months::new(self.window_months))
            .unwrap_or(chrono::NaiveDate::MIN);
        let repeat = prior_counting_absences
            .iter()
            .any(|&at| at < new_absence_at && local_date(at, tz) >= window_start);
        let (action, days) = if repeat {
            (EnforcementAction::Breach, self.breach_within_working_days)
        } else {
            (EnforcementAction::Warning, self.warning_within_working_days)
        };
        EnforcementDecision {
            action,
            due_by: end_of_local_day(calendar.add_working_days(absence_day, days), tz),
        }
    }
}

/// [`EnforcementPolicy::decide`] with the default policy.
pub fn enforcement_decision(
    prior_counting_absences: &[DateTime<Utc>],
    new_absence_at: DateTime<Utc>,
    tz: Tz,
    calendar: &WorkingCalendar,
) -> EnforcementDecision {
    EnforcementPolicy::default().decide(prior_counting_absences, new_absence_at, tz, calendar)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::time::DEFAULT_TZ;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn decide(prior: &[&str], new: &str) -> EnforcementDecision {
        let prior: Vec<_> = prior.iter().map(|s| utc(s)).collect();
        let cal = WorkingCalendar::england_and_wales();
        enforcement_decision(&prior, utc(new), DEFAULT_TZ, &cal)
    }

    #[test]
    fn warning_then_breach_across_christmas() {
        // First absence Monday 7 Dec 2026: warning within 5 working days = Monday 14 Dec.
        let first = decide(&[], "2026-12-07T10:00:00Z");
        assert_eq!(first.action, EnforcementAction::Warning);
        assert_eq!(first.due_by, utc("2026-12-14T23:59:59Z"));
        // Second on Thursday 17 Dec: 10 working days, skipping 25 & 28 Dec and 1 Jan = 5 Jan 2027.
        let second = decide(&["2026-12-07T10:00:00Z"], "2026-12-17T14:00:00Z");
        assert_eq!(second.action, EnforcementAction::Breach);
        assert_eq!(second.due_by, utc("2027-01-05T23:59:59Z"));
    }

    #[test]
    fn window_is_twelve_calendar_months_on_local_dates() {
        // Prior at 23:30Z on 16 Jun 2025 = 00:30 BST on 17 Jun 2025; new on 17 Jun 2026: counts.
        let d = decide(&["2025-06-16T23:30:00Z"], "2026-06-17T09:00:00Z");
        assert_eq!(d.action, EnforcementAction::Breach);
        // 17 Jun 2026 (Wed) + 10 working days = Wed 1 Jul 2026, BST.
        assert_eq!(d.due_by, utc("2026-07-01T22:59:59Z"));
        // Prior on 16 Jun 2025 local: outside the window.
        let d = decide(&["2025-06-16T12:00:00Z"], "2026-06-17T09:00:00Z");
        assert_eq!(d.action, EnforcementAction::Warning);
        // Wed 17 Jun + 5 working days = Wed 24 Jun.
        assert_eq!(d.due_by, utc("2026-06-24T22:59:59Z"));
    }

    #[test]
    fn later_or_same_instant_absences_are_not_prior() {
        let d = decide(&["2026-03-02T10:00:00Z"], "2026-03-02T10:00:00Z");
        assert_eq!(d.action, EnforcementAction::Warning);
        let d = decide(&["2026-04-01T10:00:00Z"], "2026-03-02T10:00:00Z");
        assert_eq!(d.action, EnforcementAction::Warning);
    }

    #[test]
    fn policy_is_configurable() {
        let policy = EnforcementPolicy {
            warning_within_working_days: 2,
            breach_within_working_days: 3,
            window_months: 1,
        };
        let cal = WorkingCalendar::england_and_wales();
        let prior = [utc("2026-01-15T10:00:00Z")];
        // Two months later: outside a 1-month window. Mon 16 Mar + 2 = Wed 18 Mar.
        let d = policy.decide(&prior, utc("2026-03-16T10:00:00Z"), DEFAULT_TZ, &cal);
        assert_eq!(d.action, EnforcementAction::Warning);
        assert_eq!(d.due_by, utc("2026-03-18T23:59:59Z"));
        let p: EnforcementPolicy = serde_json::from_str(r#"{"window_months": 6}"#).unwrap();
        assert_eq!(p.window_months, 6);
        assert_eq!(p.breach_within_working_days, 10);
    }

    #[test]
    fn a_policy_with_a_zero_length_is_refused_by_name() {
        assert_eq!(EnforcementPolicy::default().check(), Ok(()));
        let policy = EnforcementPolicy {
            breach_within_working_days: 0,
            ..EnforcementPolicy::default()
        };
        assert_eq!(
            policy.check(),
            Err(("breach_within_working_days", "must be at least 1"))
        );
        let policy = EnforcementPolicy {
            window_months: 0,
            ..EnforcementPolicy::default()
        };
        assert_eq!(policy.check().unwrap_err().0, "window_months");
    }
}
