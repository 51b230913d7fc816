#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use crate::time::DEFAULT_TZ;
use chrono::Duration;
use proptest::prelude::*;

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn off(s: &str) -> ReminderOffset {
    ReminderOffset::parse(s).unwrap()
}

fn plan(kind: AppointmentType, starts: &str, now: &str) -> Vec<(String, DateTime<Utc>)> {
    plan_reminders(
        &ReminderPolicy::default(),
        kind,
        utc(starts),
        utc(now),
        DEFAULT_TZ,
    )
    .into_iter()
    .map(|r| (r.offset.to_string(), r.send_at))
    .collect()
}

#[test]
fn spring_forward_monday_after_clock_change() {
    // 09:00 BST Monday 30 March 2026 = 08:00Z.
    let got = plan(
        AppointmentType::OfficeVisit,
        "2026-03-30T08:00:00Z",
        "2026-03-20T12:00:00Z",
    );
    assert_eq!(
        got,
        vec![
            // Exactly 48 hours earlier: 08:00 GMT on Saturday (not quiet: 08:00 is the end).
            ("48h".to_owned(), utc("2026-03-28T08:00:00Z")),
            // 2h before is 07:00 BST, quiet: moved to 20:59 BST on Sunday 29 March.
            ("2h".to_owned(), utc("2026-03-29T19:59:00Z")),
        ]
    );
}

#[test]
fn appointment_on_spring_forward_day_with_court_extra() {
    // 10:00 BST Sunday 29 March 2026 = 09:00Z.
    let got = plan(
        AppointmentType::CourtHearing,
        "2026-03-29T09:00:00Z",
        "2026-03-20T12:00:00Z",
    );
    assert_eq!(
        got,
        vec![
            ("48h".to_owned(), utc("2026-03-27T09:00:00Z")),
            ("24h".to_owned(), utc("2026-03-28T09:00:00Z")),
            // 07:00Z is 08:00 BST: just outside quiet hours.
            ("2h".to_owned(), utc("2026-03-29T07:00:00Z")),
        ]
    );
}

#[test]
fn autumn_monday_after_clock_change() {
    // 09:00 GMT Monday 26 October 2026.
    let got = plan(
        AppointmentType::HomeVisit,
        "2026-10-26T09:00:00Z",
        "2026-10-01T00:00:00Z",
    );
    assert_eq!(
        got,
        vec![
            // 09:00Z Saturday 24 October is 10:00 BST.
            ("48h".to_owned(), utc("2026-10-24T09:00:00Z")),
            // 07:00 GMT is quiet: 20:59 GMT on Sunday 25 October.
            ("2h".to_owned(), utc("2026-10-25T20:59:00Z")),
        ]
    );
}

#[test]
fn appointment_on_autumn_clock_change_day() {
    // 10:00 GMT Sunday 25 October 2026; 2h before is 08:00 GMT, outside quiet hours.
    let got = plan(
        AppointmentType::JobInterview,
        "2026-10-25T10:00:00Z",
        "2026-10-01T00:00:00Z",
    );
    assert_eq!(
        got,
        vec![
            ("48h".to_owned(), utc("2026-10-23T10:00:00Z")),
            // 10:00Z Saturday = 11:00 BST.
            ("24h".to_owned(), utc("2026-10-24T10:00:00Z")),
            ("2h".to_owned(), utc("2026-10-25T08:00:00Z")),
        ]
    );
}

#[test]
fn night_sends_move_to_the_evening_before_and_late_ones_are_dropped() {
    // 05:00 GMT appointment (e.g. early court transport): 2h = 03:00 -> 20:59 the evening before.
    let got = plan(
        AppointmentType::OfficeVisit,
        "2026-01-15T05:00:00Z",
        "2026-01-14T12:00:00Z",
    );
    assert_eq!(got, vec![("2h".to_owned(), utc("2026-01-14T20:59:00Z"))]);
    // Planned at 21:30 the evening before: the moved 2h reminder would be in the past.
    let got = plan(
        AppointmentType::OfficeVisit,
        "2026-01-15T05:00:00Z",
        "2026-01-14T21:30:00Z",
    );
    assert!(got.is_empty());
    // Exactly at now is dropped too.
    let got = plan(
        AppointmentType::OfficeVisit,
        "2026-01-15T12:00:00Z",
        "2026-01-15T10:00:00Z",
    );
    assert!(got.is_empty());
}

#[test]
fn identical_send_times_are_sent_once() {
    let policy = ReminderPolicy {
        offsets: vec![off("10h"), off("11h"), off("10h")],
        ..ReminderPolicy::default()
    };
    // 08:00 GMT start: 10h -> 22:00, 11h -> 21:00, both quiet, both moved to 20:59.
    let got = plan_reminders(
        &policy,
        AppointmentType::Video,
        utc("2026-02-10T08:00:00Z"),
        utc("2026-02-01T00:00:00Z"),
        DEFAULT_TZ,
    );
    assert_eq!(
        got,
        vec![PlannedReminder {
            offset: off("10h"),
            send_at: utc("2026-02-09T20:59:00Z")
        }]
    );
}

#[test]
fn idempotency_key_format() {
    let key = ReminderPolicy::idempotency_key("appt-7", off("48h"), utc("2026-03-30T08:00:00Z"));
    assert_eq!(key, "appt-7:48h:2026-03-30T08:00:00Z");
    let key = ReminderPolicy::idempotency_key("appt-7", off("1d"), utc("2026-03-30T08:00:00.5Z"));
    assert_eq!(key, "appt-7:24h:2026-03-30T08:00:00Z");
}

#[test]
fn policy_from_config_shape() {
    let p: ReminderPolicy =
        serde_json::from_str(r#"{"offsets":["72h","30m"],"quiet_start":"22:00:00"}"#).unwrap();
    assert_eq!(p.offsets, vec![off("72h"), off("30m")]);
    assert_eq!(p.quiet_hours().to_string(), "22:00-08:00");
    assert_eq!(p.extra_for_hearings_and_interviews, vec![off("24h")]);
    let q = crate::QuietHours::parse("20:00-07:30").unwrap();
    assert_eq!(p.with_quiet_hours(q).quiet_hours(), q);
}

proptest! {
    #[test]
    fn never_in_quiet_hours_never_late(
        start_min in 0i64..(4 * 365 * 24 * 60),
        lead_min in 0i64..(4 * 24 * 60),
        kind_ix in 0usize..AppointmentType::ALL.len(),
        offsets in proptest::collection::vec(1u32..(3 * 24 * 60), 0..5),
    ) {
        let starts_at = utc("2025-01-01T00:00:00Z") + Duration::minutes(start_min);
        let now = starts_at - Duration::minutes(lead_min);
        let mut policy = ReminderPolicy::default();
        policy.offsets.extend(offsets.into_iter().filter_map(|m| ReminderOffset::from_minutes(m).ok()));
        let plan = plan_reminders(&policy, AppointmentType::ALL[kind_ix], starts_at, now, DEFAULT_TZ);
        let quiet = policy.quiet_hours();
        for pair in plan.windows(2) {
            prop_assert!(pair[0].send_at < pair[1].send_at);
        }
        for r in &plan {
            let local = r.send_at.with_timezone(&DEFAULT_TZ).time();
            prop_assert!(!quiet.contains(local), "{} local {}", r.send_at, local);
            prop_assert!(r.send_at < starts_at);
            prop_assert!(r.send_at > now);
            prop_assert!(r.send_at <= starts_at - r.offset.as_duration());
        }
        // Every offset is planned, recorded too late, or shares its instant with one planned.
        let late = too_late_reminders(&policy, AppointmentType::ALL[kind_ix], starts_at, now, DEFAULT_TZ);
        for r in &late {
            prop_assert!(r.send_at <= now);
            prop_assert!(plan.iter().all(|p| p.offset != r.offset));
        }
        let mut all = policy.offsets.clone();
        if AppointmentType::ALL[kind_ix].is_hearing_or_interview() {
            all.extend(policy.extra_for_hearings_and_interviews.iter().copied());
        }
        for offset in all {
            let moved = out_of_quiet_hours(starts_at - offset.as_duration(), quiet, DEFAULT_TZ);
            let accounted = plan.iter().chain(&late).any(|r| r.offset == offset)
                || plan.iter().any(|p| p.send_at == moved);
            prop_assert!(accounted, "offset {offset:?} neither planned nor too late");
        }
    }
}
