//! Local-time helpers. Instants are stored in UTC; rules speak in the partnership's local time
//! ("by the end of the day", "not after 21:00"), which moves across the clock changes.

use chrono::{
    DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

/// The partnership's default zone.
pub const DEFAULT_TZ: Tz = chrono_tz::Europe::London;

/// The local calendar date of an instant.
pub fn local_date(instant: DateTime<Utc>, tz: Tz) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

/// The instant of a local wall-clock time.
///
/// - Spring-forward gap (e.g. 01:30 on 29 March 2026 in London does not exist): the first valid
///   instant after the gap (02:00 BST = 01:00Z), so a deadline or reminder is never dropped and is
///   moved by as little as possible.
/// - Autumn overlap (01:30 on 25 October 2026 happens twice): the earlier instant (BST), so a
///   deadline is never later than the user could have meant.
pub fn local_to_utc(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    resolve(date.and_time(time), tz)
}

/// The last second of a local day (23:59:59 local), used as the "due by" of day-based deadlines.
pub fn end_of_local_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local_to_utc(
        date,
        NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN),
        tz,
    )
}

/// The first instant of a local day.
pub fn start_of_local_day(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local_to_utc(date, NaiveTime::MIN, tz)
}

fn resolve(naive: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(dt) => dt.with_timezone(&Utc),
        LocalResult::Ambiguous(earlier, later) => earlier.min(later).with_timezone(&Utc),
        LocalResult::None => first_after_gap(naive, tz),
    }
}

/// Walks forward a minute at a time from the start of the minute until wall-clock time exists
/// again; gaps in every real zone start and end on whole minutes and last at most a day.
fn first_after_gap(naive: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    let minute_start = naive
        .with_second(0)
        .and_then(|n| n.with_nanosecond(0))
        .unwrap_or(naive);
    for step in 1..=(24 * 60) {
        let candidate = minute_start + Duration::minutes(step);
        if let Some(dt) = tz.from_local_datetime(&candidate).earliest() {
            return dt.with_timezone(&Utc);
        }
    }
    // Unreachable for real zones; fall back to reading the wall time as UTC.
    naive.and_utc()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }
    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn ordinary_times_in_gmt_and_bst() {
        assert_eq!(
            local_to_utc(d(2026, 1, 10), t(9, 0), DEFAULT_TZ),
            utc("2026-01-10T09:00:00Z")
        );
        assert_eq!(
            local_to_utc(d(2026, 7, 10), t(9, 0), DEFAULT_TZ),
            utc("2026-07-10T08:00:00Z")
        );
    }

    #[test]
    fn spring_gap_goes_to_first_instant_after() {
        let got = local_to_utc(d(2026, 3, 29), t(1, 30), DEFAULT_TZ);
        assert_eq!(got, utc("2026-03-29T01:00:00Z"));
        let with_seconds = NaiveTime::from_hms_opt(1, 59, 59).unwrap();
        assert_eq!(
            local_to_utc(d(2026, 3, 29), with_seconds, DEFAULT_TZ),
            utc("2026-03-29T01:00:00Z")
        );
    }

    #[test]
    fn autumn_overlap_takes_the_earlier_instant() {
        let got = local_to_utc(d(2026, 10, 25), t(1, 30), DEFAULT_TZ);
        assert_eq!(got, utc("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn end_of_day_and_local_date() {
        assert_eq!(
            end_of_local_day(d(2026, 7, 1), DEFAULT_TZ),
            utc("2026-07-01T22:59:59Z")
        );
        assert_eq!(
            end_of_local_day(d(2026, 12, 1), DEFAULT_TZ),
            utc("2026-12-01T23:59:59Z")
        );
        assert_eq!(
            start_of_local_day(d(2026, 7, 1), DEFAULT_TZ),
            utc("2026-06-30T23:00:00Z")
        );
        // 23:30Z on 30 June is 00:30 BST on 1 July.
        assert_eq!(
            local_date(utc("2026-06-30T23:30:00Z"), DEFAULT_TZ),
            d(2026, 7, 1)
        );
        assert_eq!(
            local_date(utc("2026-12-31T23:30:00Z"), DEFAULT_TZ),
            d(2026, 12, 31)
        );
    }
}
