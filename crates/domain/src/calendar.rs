//! Working days: deadlines such as "breach action within 10 working days" skip weekends and
//! bank holidays.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// England and Wales bank holidays (year, month, day), including substitute days, 2025–2028.
/// Source: GOV.UK bank holidays. Extend this table (or build a [`WorkingCalendar`] from config)
/// before 2029; dates outside the table are treated as ordinary days.
pub const ENGLAND_AND_WALES_BANK_HOLIDAYS: &[(i32, u32, u32)] = &[
    (2025, 1, 1),
    (2025, 4, 18),
    (2025, 4, 21),
    (2025, 5, 5),
    (2025, 5, 26),
    (2025, 8, 25),
    (2025, 12, 25),
    (2025, 12, 26),
    (2026, 1, 1),
    (2026, 4, 3),
    (2026, 4, 6),
    (2026, 5, 4),
    (2026, 5, 25),
    (2026, 8, 31),
    (2026, 12, 25),
    (2026, 12, 28), // substitute for Boxing Day (Saturday)
    (2027, 1, 1),
    (2027, 3, 26),
    (2027, 3, 29),
    (2027, 5, 3),
    (2027, 5, 31),
    (2027, 8, 30),
    (2027, 12, 27), // substitute for Christmas Day (Saturday)
    (2027, 12, 28), // substitute for Boxing Day (Sunday)
    (2028, 1, 3),   // substitute for New Year's Day (Saturday)
    (2028, 4, 14),
    (2028, 4, 17),
    (2028, 5, 1),
    (2028, 5, 29),
    (2028, 8, 28),
    (2028, 12, 25),
    (2028, 12, 26),
];

/// Weekends plus a set of bank holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    /// Non-working weekdays (weekends need not be listed).
    pub bank_holidays: BTreeSet<NaiveDate>,
}

impl WorkingCalendar {
    /// A calendar with the given bank holidays.
    pub fn new(bank_holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self {
            bank_holidays: bank_holidays.into_iter().collect(),
        }
    }

    /// The England and Wales calendar from [`ENGLAND_AND_WALES_BANK_HOLIDAYS`].
    pub fn england_and_wales() -> Self {
        Self::new(
            ENGLAND_AND_WALES_BANK_HOLIDAYS
                .iter()
                .filter_map(|&(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
        )
    }

    /// Monday to Friday and not a bank holiday.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
            && !self.bank_holidays.contains(&date)
    }

    /// The `n`th working day after `date` (`date` itself never counts; `n == 0` returns `date`).
    /// E.g. 1 working day after Friday is the following Monday.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut current = date;
        let mut remaining = n;
        while remaining > 0 {
            match current.checked_add_days(Days::new(1)) {
                Some(next) => current = next,
                None => return current,
            }
            if self.is_working_day(current) {
                remaining -= 1;
            }
        }
        current
    }

    /// Working days in `(start, end]`: the inverse of [`Self::add_working_days`] for working-day
    /// results. Zero when `end <= start`.
    pub fn working_days_between(&self, start: NaiveDate, end: NaiveDate) -> u32 {
        start
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= end)
            .filter(|d| self.is_working_day(*d))
            .fold(0u32, |n, _| n.saturating_add(1))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Easter Sunday by the anonymous Gregorian algorithm, to check the table independently.
    fn easter(y: i32) -> NaiveDate {
        let a = y % 19;
        let b = y / 100;
        let c = y % 100;
        let dd = b / 4;
        let e = b % 4;
        let f = (b + 8) / 25;
        let g = (b - f + 1) / 3;
        let h = (19 * a + b - dd - g + 15) % 30;
        let i = c / 4;
        let k = c % 4;
        let l = (32 + 2 * e + 2 * i - h - k) % 7;
        let m = (a + 11 * h + 22 * l) / 451;
        let month = (h + l - 7 * m + 114) / 31;
        let day = (h + l - 7 * m + 114) % 31 + 1;
        d(y, month as u32, day as u32)
    }

    #[test]
    fn table_matches_the_rules() {
        let cal = WorkingCalendar::england_and_wales();
        assert_eq!(cal.bank_holidays.len(), 32);
        for y in 2025..=2028 {
            let year: Vec<_> = cal.bank_holidays.iter().filter(|h| h.year() == y).collect();
            assert_eq!(year.len(), 8, "{y}");
            // No bank holiday falls on a weekend (substitutes are listed instead).
            assert!(year.iter().all(|h| h.weekday().num_days_from_monday() < 5));
            let e = easter(y);
            assert!(
                cal.bank_holidays.contains(&(e - Days::new(2))),
                "Good Friday {y}"
            );
            assert!(
                cal.bank_holidays.contains(&(e + Days::new(1))),
                "Easter Monday {y}"
            );
            // Early May, Spring and Summer bank holidays are Mondays.
            let mondays = year.iter().filter(|h| h.weekday() == Weekday::Mon).count();
            assert!(mondays >= 4);
        }
        assert_eq!(easter(2026), d(2026, 4, 5));
        assert_eq!(easter(2027), d(2027, 3, 28));
    }

    #[test]
    fn adds_across_christmas_2026() {
        let cal = WorkingCalendar::england_and_wales();
        // Thu 17 Dec 2026 + 10: 18,21,22,23,24 | 25 & 28 holidays | 29,30,31 | 1 Jan holiday | 4, 5.
        assert_eq!(cal.add_working_days(d(2026, 12, 17), 10), d(2027, 1, 5));
        assert_eq!(cal.add_working_days(d(2026, 12, 17), 5), d(2026, 12, 24));
        assert_eq!(cal.working_days_between(d(2026, 12, 17), d(2027, 1, 5)), 10);
        assert_eq!(cal.add_working_days(d(2026, 12, 17), 0), d(2026, 12, 17));
        // Friday + 1 = Monday; Saturday + 1 = Monday.
        assert_eq!(cal.add_working_days(d(2025, 6, 6), 1), d(2025, 6, 9));
        assert_eq!(cal.add_working_days(d(2025, 6, 7), 1), d(2025, 6, 9));
        assert_eq!(cal.working_days_between(d(2025, 6, 9), d(2025, 6, 6)), 0);
        assert!(!cal.is_working_day(d(2027, 12, 28)));
        assert!(cal.is_working_day(d(2027, 12, 29)));
    }

    proptest! {
        #[test]
        fn adding_working_days_lands_on_working_days(offset in 0u64..1500, n in 1u32..40) {
            let cal = WorkingCalendar::england_and_wales();
            let start = d(2025, 1, 1) + Days::new(offset);
            let end = cal.add_working_days(start, n);
            prop_assert!(cal.is_working_day(end));
            prop_assert!(end > start);
            prop_assert_eq!(cal.working_days_between(start, end), n);
            let later = cal.add_working_days(start, n + 1);
            prop_assert!(later > end);
            let from_next_day = cal.add_working_days(start + Days::new(1), n);
            prop_assert!(from_next_day >= end);
        }
    }
}
