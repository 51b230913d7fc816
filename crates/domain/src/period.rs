//! Lengths of time as practitioners state them in contact standards: "every 7 days", "within 2
//! working days", "every calendar month".

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;

/// A length of time measured on local calendar dates. Serialised as
/// `{ "unit": "days" | "working_days" | "calendar_months", "length": n }` so it reads naturally
/// in TOML: `every = { unit = "days", length = 7 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "unit", content = "length", rename_all = "snake_case")]
pub enum Period {
    /// Calendar days.
    Days(u32),
    /// Working days per the [`WorkingCalendar`] (weekends and bank holidays skipped).
    WorkingDays(u32),
    /// Calendar months; a day that does not exist in the target month clamps to its last day
    /// (31 January + 1 month = 28 or 29 February).
    CalendarMonths(u32),
}

impl Period {
    /// The number of units.
    pub fn length(&self) -> u32 {
        match *self {
            Self::Days(n) | Self::WorkingDays(n) | Self::CalendarMonths(n) => n,
        }
    }

    /// The same unit, `k` times as long (saturating).
    pub fn times(&self, k: u32) -> Self {
        match *self {
            Self::Days(n) => Self::Days(n.saturating_mul(k)),
            Self::WorkingDays(n) => Self::WorkingDays(n.saturating_mul(k)),
            Self::CalendarMonths(n) => Self::CalendarMonths(n.saturating_mul(k)),
        }
    }

    /// The local date this period after `date`. Saturates at the end of chrono's date range
    /// rather than failing: such dates never arise from real casework.
    pub fn add(&self, date: NaiveDate, calendar: &WorkingCalendar) -> NaiveDate {
        match *self {
            Self::Days(n) => date.checked_add_days(Days::new(n.into())),
            Self::WorkingDays(n) => Some(calendar.add_working_days(date, n)),
            Self::CalendarMonths(n) => date.checked_add_months(Months::new(n)),
        }
        .unwrap_or(NaiveDate::MAX)
    }

    /// Start of the `k`th consecutive period from `origin` (`k = 0` is `origin`). Months are
    /// counted from the origin each time, so clamping in short months does not drift: periods
    /// from 31 January start 28 February, then 31 March.
    pub fn nth_start(&self, origin: NaiveDate, k: u32, calendar: &WorkingCalendar) -> NaiveDate {
        self.times(k).add(origin, calendar)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn adds_each_unit() {
        let cal = WorkingCalendar::england_and_wales();
        assert_eq!(Period::Days(7).add(d(2026, 12, 28), &cal), d(2027, 1, 4));
        assert_eq!(
            Period::WorkingDays(2).add(d(2026, 12, 24), &cal),
            d(2026, 12, 30)
        );
        assert_eq!(
            Period::CalendarMonths(1).add(d(2027, 1, 31), &cal),
            d(2027, 2, 28)
        );
        assert_eq!(
            Period::CalendarMonths(1).add(d(2028, 1, 31), &cal),
            d(2028, 2, 29)
        );
    }

    #[test]
    fn month_periods_do_not_drift() {
        let cal = WorkingCalendar::default();
        let p = Period::CalendarMonths(1);
        assert_eq!(p.nth_start(d(2027, 1, 31), 1, &cal), d(2027, 2, 28));
        assert_eq!(p.nth_start(d(2027, 1, 31), 2, &cal), d(2027, 3, 31));
    }

    #[test]
    fn serde_shape_is_unit_and_length() {
        let json = serde_json::to_string(&Period::WorkingDays(2)).unwrap();
        assert_eq!(json, r#"{"unit":"working_days","length":2}"#);
        let p: Period = serde_json::from_str(r#"{"unit":"calendar_months","length":3}"#).unwrap();
        assert_eq!(p, Period::CalendarMonths(3));
        assert!(serde_json::from_str::<Period>(r#"{"unit":"weeks","length":3}"#).is_err());
    }
}
