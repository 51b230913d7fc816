//! Reminder planning: when to message a person about an appointment. Pure: the scheduler
//! stores the plan as notification rows keyed by [`ReminderPolicy::idempotency_key`].

use chrono::{DateTime, NaiveTime, SecondsFormat, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::casework::AppointmentType;
use crate::reminder_offset::{QuietHours, ReminderOffset};
use crate::time::local_to_utc;

/// When reminders go out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReminderPolicy {
    /// Offsets before every appointment (default 48h and 2h).
    pub offsets: Vec<ReminderOffset>,
    /// Additional offsets for court hearings and job interviews (default 24h).
    pub extra_for_hearings_and_interviews: Vec<ReminderOffset>,
    /// Local time quiet hours start (default 21:00).
    pub quiet_start: NaiveTime,
    /// Local time quiet hours end (default 08:00).
    pub quiet_end: NaiveTime,
}

impl Default for ReminderPolicy {
    fn default() -> Self {
        Self {
            offsets: vec![ReminderOffset::hours(48), ReminderOffset::hours(2)],
            extra_for_hearings_and_interviews: vec![ReminderOffset::hours(24)],
            quiet_start: NaiveTime::from_hms_opt(21, 0, 0).unwrap_or(NaiveTime::MIN),
            quiet_end: NaiveTime::from_hms_opt(8, 0, 0).unwrap_or(NaiveTime::MIN),
        }
    }
}

/// One reminder to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedReminder {
    /// The offset it was planned from (part of the idempotency key).
    pub offset: ReminderOffset,
    /// When to send it, after any quiet-hours move.
    pub send_at: DateTime<Utc>,
}

impl ReminderPolicy {
    /// The quiet-hours window.
    pub fn quiet_hours(&self) -> QuietHours {
        QuietHours {
            start: self.quiet_start,
            end: self.quiet_end,
        }
    }

    /// Sets the quiet-hours window.
    pub fn with_quiet_hours(mut self, quiet: QuietHours) -> Self {
        self.quiet_start = quiet.start;
        self.quiet_end = quiet.end;
        self
    }

    /// The key that makes planning idempotent: `"{appointment_id}:{offset}:{starts_at}"` with
    /// the start in RFC 3339 UTC (e.g. `"42:48h:2026-03-30T08:00:00Z"`). Including the start
    /// means a rescheduled appointment gets fresh reminders while re-planning an unchanged one
    /// sends nothing twice.
    pub fn idempotency_key(
        appointment_id: &str,
        offset: ReminderOffset,
        starts_at: DateTime<Utc>,
    ) -> String {
        format!(
            "{appointment_id}:{offset}:{}",
            starts_at.to_rfc3339_opts(SecondsFormat::Secs, true)
        )
    }
}

/// Plans the reminders for one appointment.
///
/// Each offset gives `send_at = starts_at - offset` (exact elapsed time, so "48h" before 09:00
/// BST on the Monday after the clock change is 08:00 GMT on the Saturday). If that falls in
/// quiet hours (local time), it is moved *earlier* to the last minute before those quiet hours
/// began (20:59 local the evening before, with 21:00–08:00), never later into the night.
/// Reminders whose (moved) time is at or before `now`, or at or after `starts_at`, are dropped
/// (too late); duplicate offsets and reminders that land on the same instant are sent once
/// (keeping the smaller offset). The result is sorted by `send_at`.
pub fn plan_reminders(
    policy: &ReminderPolicy,
    appointment_type: AppointmentType,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Vec<PlannedReminder> {
    let mut planned: Vec<PlannedReminder> = candidates(policy, appointment_type, starts_at, tz)
        .filter(|r| r.send_at > now && r.send_at < starts_at)
        .collect();
    // Offsets are ascending, so a stable sort keeps the smaller offset first among equal times.
    planned.sort_by_key(|r| r.send_at);
    planned.dedup_by_key(|r| r.send_at);
    planned
}

/// The reminders [`plan_reminders`] leaves out because their (moved) time has already come: the ones
/// a booking made too close to the appointment can no longer send, each recorded as suppressed "too late"
/// so the person's message history says why nothing went. By offset, ascending.
pub fn too_late_reminders(
    policy: &ReminderPolicy,
    appointment_type: AppointmentType,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Vec<PlannedReminder> {
    candidates(policy, appointment_type, starts_at, tz)
        .filter(|r| r.send_at <= now)
        .collect()
}

/// Every offset that applies to the appointment, once each and ascending, with its send time moved out of
/// quiet hours.
fn candidates(
    policy: &ReminderPolicy,
    appointment_type: AppointmentType,
    starts_at: DateTime<Utc>,
    tz: Tz,
) -> impl Iterator<Item = PlannedReminder> {
    let quiet = policy.quiet_hours();
    let extra: &[ReminderOffset] = if appointment_type.is_hearing_or_interview() {
        &policy.extra_for_hearings_and_interviews
    } else {
        &[]
    };
    let mut offsets: Vec<ReminderOffset> = policy.offsets.iter().chain(extra).copied().collect();
    offsets.sort();
    offsets.dedup();
    offsets.into_iter().map(move |offset| PlannedReminder {
        offset,
        send_at: out_of_quiet_hours(starts_at - offset.as_duration(), quiet, tz),
    })
}

fn out_of_quiet_hours(send_at: DateTime<Utc>, quiet: QuietHours, tz: Tz) -> DateTime<Utc> {
    let local = send_at.with_timezone(&tz).naive_local();
    if !quiet.contains(local.time()) {
        return send_at;
    }
    let moved = quiet.last_minute_before(local);
    local_to_utc(moved.date(), moved.time(), tz)
}

#[cfg(test)]
#[path = "reminders_tests.rs"]
mod tests;
