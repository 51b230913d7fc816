//! Enforcement after a counting absence: first a warning letter; a second counting absence
//! within the window means breach action. Deadlines are in working days on local dates.

use chrono::{DateTime, Months, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;
use crate::casework::EnforcementAction;
use crate::enum_macro::domain_enum;
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

domain_enum! {
    /// Where an enforcement step stands.
    pub enum StepState("enforcement step status") {
        /// To be done by its deadline.
        Pending = "pending",
        /// Done, by whom and when recorded.
        Completed = "completed",
        /// Cancelled by an officer: a decision that stands.
        Cancelled = "cancelled",
        /// Withdrawn by Vigil, because the absence it was for no longer calls for it (corrected to one that
        /// does not count, or now calling for another step). Not a decision: as if never made.
        Withdrawn = "withdrawn",
    }
}

/// A counting absence as the rule sees it: the contact that records it now (after any corrections; a
/// step made for an earlier version of the record has been carried over to it) and when it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountingAbsence<C> {
    pub contact: C,
    pub at: DateTime<Utc>,
}

/// An enforcement step on record: which, for which contact, what, where it stands and its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepOnRecord<S, C> {
    pub id: S,
    pub contact: Option<C>,
    pub action: EnforcementAction,
    pub state: StepState,
    pub due_by: DateTime<Utc>,
}

/// What [`EnforcementPolicy::reconcile`] asks to be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepChange<S, C> {
    /// Withdraw this pending step: its absence no longer counts, or now calls for another step.
    Withdraw(S),
    /// Make this step for the absence recorded by `contact`.
    Create {
        contact: C,
        decision: EnforcementDecision,
    },
}

impl EnforcementPolicy {
    /// The changes that give every counting absence from `from` on the step the rule asks for, given all
    /// of a person's counting absences now and all of their steps. Needed because absences are not
    /// always recorded in the order they happened, and are corrected: an absence recorded late before
    /// one that had a warning makes that one the second (a breach); correcting the first away makes the
    /// second a first again (a warning).
    ///
    /// - An absence with no step gets the step [`Self::decide`] gives it.
    /// - A pending step that is no longer the right one (action or deadline) is withdrawn and the right
    ///   one made; a pending step that is right is kept.
    /// - What was done or decided stands: a step completed, or cancelled by an officer, is never undone
    ///   or made again, and a breach completed or cancelled also covers a warning. So a pending step is
    ///   not replaced by one of an action already completed or cancelled for that absence. The one step
    ///   still made is escalation: an absence whose warning was completed or cancelled, and that now
    ///   calls for a breach, gets the breach (a second absence within the window must lead to breach
    ///   action, whatever was done about it as a first).
    /// - A pending step for a contact that no longer records a counting absence (corrected to one that
    ///   does not count) is withdrawn, whenever it happened.
    /// - Withdrawn steps are ignored: they were Vigil's, not anyone's decision.
    ///
    /// Absences before `from` are left as they are: nothing earlier than the absences written changes.
    pub fn reconcile<S: Copy + Eq, C: Copy + Eq>(
        &self,
        absences: &[CountingAbsence<C>],
        steps: &[StepOnRecord<S, C>],
        from: DateTime<Utc>,
        tz: Tz,
        calendar: &WorkingCalendar,
    ) -> Vec<StepChange<S, C>> {
        let mut changes = Vec::new();
        for step in steps {
            let still_counts = step
                .contact
                .is_some_and(|contact| absences.iter().any(|absence| absence.contact == contact));
            if step.state == StepState::Pending && step.contact.is_some() && !still_counts {
                changes.push(StepChange::Withdraw(step.id));
            }
        }
        let times: Vec<DateTime<Utc>> = absences.iter().map(|absence| absence.at).collect();
        for absence in absences.iter().filter(|absence| absence.at >= from) {
            // `decide` looks only at those strictly before the absence.
            let decision = self.decide(&times, absence.at, tz, calendar);
            let its_steps: Vec<StepOnRecord<S, C>> = steps
                .iter()
                .filter(|step| step.contact == Some(absence.contact))
                .filter(|step| step.state != StepState::Withdrawn)
                .copied()
                .collect();
            let pending: Vec<StepOnRecord<S, C>> = its_steps
                .iter()
                .filter(|step| step.state == StepState::Pending)
                .copied()
                .collect();
            let kept = pending
                .iter()
                .find(|step| step.action == decision.action && step.due_by == decision.due_by)
                .map(|step| step.id);
            changes.extend(
                pending
                    .iter()
                    .filter(|step| Some(step.id) != kept)
                    .map(|step| StepChange::Withdraw(step.id)),
            );
            // Done or decided already: this action, or a breach (which covers a warning).
            let covered = its_steps.iter().any(|step| {
                step.state != StepState::Pending
                    && (step.action == decision.action || step.action == EnforcementAction::Breach)
            });
            let create = kept.is_none() && !covered;
            if create {
                changes.push(StepChange::Create {
                    contact: absence.contact,
                    decision,
                });
            }
        }
        changes
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

    mod reconcile {
        use super::*;

        type Change = StepChange<u32, u32>;

        fn absence(contact: u32, at: &str) -> CountingAbsence<u32> {
            CountingAbsence {
                contact,
                at: utc(at),
            }
        }

        /// A step as `decide` would have made it for the absence at `at` with `action`.
        fn step(
            id: u32,
            contact: u32,
            action: EnforcementAction,
            state: StepState,
            at: &str,
        ) -> StepOnRecord<u32, u32> {
            let policy = EnforcementPolicy::default();
            let days = match action {
                EnforcementAction::Warning => policy.warning_within_working_days,
                EnforcementAction::Breach => policy.breach_within_working_days,
            };
            let calendar = WorkingCalendar::england_and_wales();
            let day = local_date(utc(at), DEFAULT_TZ);
            StepOnRecord {
                id,
                contact: Some(contact),
                action,
                state,
                due_by: end_of_local_day(calendar.add_working_days(day, days), DEFAULT_TZ),
            }
        }

        fn reconcile(
            absences: &[CountingAbsence<u32>],
            steps: &[StepOnRecord<u32, u32>],
            from: &str,
        ) -> Vec<Change> {
            EnforcementPolicy::default().reconcile(
                absences,
                steps,
                utc(from),
                DEFAULT_TZ,
                &WorkingCalendar::england_and_wales(),
            )
        }

        fn created(changes: &[Change]) -> Vec<(u32, EnforcementAction)> {
            changes
                .iter()
                .filter_map(|change| match change {
                    StepChange::Create { contact, decision } => Some((*contact, decision.action)),
                    StepChange::Withdraw(_) => None,
                })
                .collect()
        }

        fn withdrawn(changes: &[Change]) -> Vec<u32> {
            changes
                .iter()
                .filter_map(|change| match change {
                    StepChange::Withdraw(id) => Some(*id),
                    StepChange::Create { .. } => None,
                })
                .collect()
        }

        use EnforcementAction::{Breach, Warning};
        use StepState::{Cancelled, Completed, Pending, Withdrawn};

        const NOV_10: &str = "2026-11-10T10:00:00Z";
        const NOV_20: &str = "2026-11-20T10:00:00Z";

        #[test]
        fn a_first_absence_gets_a_warning_and_a_right_step_is_left_alone() {
            let changes = reconcile(&[absence(1, NOV_10)], &[], NOV_10);
            assert_eq!(created(&changes), [(1, Warning)]);
            let changes = reconcile(
                &[absence(1, NOV_10), absence(2, NOV_20)],
                &[
                    step(10, 1, Warning, Pending, NOV_10),
                    step(20, 2, Breach, Pending, NOV_20),
                ],
                NOV_10,
            );
            assert!(changes.is_empty(), "{changes:?}");
        }

        #[test]
        fn an_absence_recorded_late_before_a_warned_one_makes_that_one_a_breach() {
            // Contact 1 (20 Nov) has its pending warning; contact 2 (10 Nov) is recorded afterwards.
            let changes = reconcile(
                &[absence(2, NOV_10), absence(1, NOV_20)],
                &[step(10, 1, Warning, Pending, NOV_20)],
                NOV_10,
            );
            assert_eq!(withdrawn(&changes), [10]);
            assert_eq!(created(&changes), [(2, Warning), (1, Breach)]);
            let breach_due = changes.iter().find_map(|change| match change {
                StepChange::Create {
                    contact: 1,
                    decision,
                } => Some(decision.due_by),
                _ => None,
            });
            // Friday 20 Nov + 10 working days = Friday 4 Dec.
            assert_eq!(breach_due, Some(utc("2026-12-04T23:59:59Z")));
        }

        #[test]
        fn a_warning_already_sent_is_not_undone_but_the_breach_is_still_made() {
            let changes = reconcile(
                &[absence(2, NOV_10), absence(1, NOV_20)],
                &[step(10, 1, Warning, Completed, NOV_20)],
                NOV_10,
            );
            assert!(withdrawn(&changes).is_empty());
            assert_eq!(created(&changes), [(2, Warning), (1, Breach)]);
        }

        #[test]
        fn correcting_the_first_absence_away_makes_the_second_a_first() {
            // Contact 1 no longer counts (corrected to an acceptable absence); contact 2 had the breach.
            let changes = reconcile(
                &[absence(2, NOV_20)],
                &[
                    step(10, 1, Warning, Pending, NOV_10),
                    step(20, 2, Breach, Pending, NOV_20),
                ],
                NOV_10,
            );
            assert_eq!(withdrawn(&changes), [10, 20]);
            assert_eq!(created(&changes), [(2, Warning)]);
        }

        #[test]
        fn what_an_officer_cancelled_or_completed_stands() {
            let changes = reconcile(
                &[absence(1, NOV_10), absence(2, NOV_20)],
                &[
                    step(10, 1, Warning, Cancelled, NOV_10),
                    step(20, 2, Breach, Completed, NOV_20),
                ],
                NOV_10,
            );
            assert!(changes.is_empty(), "{changes:?}");
            // A completed breach is not followed by a warning when the first absence goes away.
            let changes = reconcile(
                &[absence(2, NOV_20)],
                &[step(20, 2, Breach, Completed, NOV_20)],
                NOV_10,
            );
            assert!(changes.is_empty(), "{changes:?}");
        }

        #[test]
        fn absences_before_the_change_are_left_as_they_are() {
            // Contact 1 has no step (say, recorded before Vigil); only what changed on or after 20 Nov is looked at.
            let changes = reconcile(&[absence(1, NOV_10), absence(2, NOV_20)], &[], NOV_20);
            assert_eq!(created(&changes), [(2, Breach)]);
        }

        #[test]
        fn a_warning_sent_is_not_asked_for_again_when_the_breach_goes() {
            // 20 Nov's warning was sent; 10 Nov, recorded late, made it a breach; 10 Nov is then corrected
            // away: 20 Nov is a first again, and its warning was sent already.
            let changes = reconcile(
                &[absence(2, NOV_20)],
                &[
                    step(20, 2, Warning, Completed, NOV_20),
                    step(10, 1, Warning, Pending, NOV_10),
                    step(21, 2, Breach, Pending, NOV_20),
                ],
                NOV_10,
            );
            assert_eq!(withdrawn(&changes), [10, 21]);
            assert_eq!(created(&changes), []);
        }

        #[test]
        fn an_officers_cancellation_stands_and_withdrawn_steps_do_not_count() {
            // The officer cancelled the breach: not made again.
            let changes = reconcile(
                &[absence(1, NOV_10), absence(2, NOV_20)],
                &[
                    step(10, 1, Warning, Pending, NOV_10),
                    step(20, 2, Warning, Completed, NOV_20),
                    step(21, 2, Breach, Cancelled, NOV_20),
                ],
                NOV_10,
            );
            assert!(changes.is_empty(), "{changes:?}");
            // A warning cancelled by the officer still escalates to a breach when a second absence calls for one.
            let changes = reconcile(
                &[absence(1, NOV_10), absence(2, NOV_20)],
                &[
                    step(10, 1, Warning, Pending, NOV_10),
                    step(20, 2, Warning, Cancelled, NOV_20),
                ],
                NOV_10,
            );
            assert_eq!(created(&changes), [(2, Breach)]);
            // Withdrawn by Vigil: as if never made.
            let changes = reconcile(
                &[absence(1, NOV_10)],
                &[step(10, 1, Warning, Withdrawn, NOV_10)],
                NOV_10,
            );
            assert_eq!(created(&changes), [(1, Warning)]);
        }
    }
}
