//! How often a cohort member gets a home visit, and when the next one should be: on a random day and in a
//! random time band inside the window, but never the same weekday and band as the last visit, so a person
//! cannot learn when to expect the police (most visits are unannounced).

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

use crate::cohort::{Strand, Tier};

/// A visit's time band, in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeBand {
    /// 07:00 to 10:00: before people leave for the day.
    Morning,
    /// 10:00 to 16:00.
    Daytime,
    /// 16:00 to 21:00.
    Evening,
}

impl TimeBand {
    pub const ALL: [TimeBand; 3] = [TimeBand::Morning, TimeBand::Daytime, TimeBand::Evening];

    /// The band's local start and end.
    pub fn hours(self) -> (NaiveTime, NaiveTime) {
        let at = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN);
        match self {
            TimeBand::Morning => (at(7), at(10)),
            TimeBand::Daytime => (at(10), at(16)),
            TimeBand::Evening => (at(16), at(21)),
        }
    }

    /// The band a local time falls in (times outside every band count as the nearest).
    pub fn of(time: NaiveTime) -> TimeBand {
        if time < TimeBand::Daytime.hours().0 {
            TimeBand::Morning
        } else if time < TimeBand::Evening.hours().0 {
            TimeBand::Daytime
        } else {
            TimeBand::Evening
        }
    }
}

/// Visit every `every_days` for a strand and tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitCadence {
    pub strand: Strand,
    pub tier: Tier,
    pub every_days: u32,
}

/// The shipped cadences: Catch & Convict most often, Prevent & Deter rarely (mostly young people, where
/// a police visit is a heavier intervention).
pub fn default_visit_cadences() -> Vec<VisitCadence> {
    let rows: [(Strand, u32, u32, u32); 3] = [
        // strand, tiers A-B, tiers C-D, tiers E-G
        (Strand::CatchConvict, 14, 28, 56),
        (Strand::RehabilitateResettle, 28, 42, 84),
        (Strand::PreventDeter, 56, 84, 84),
    ];
    let mut cadences = Vec::new();
    for (strand, high, middle, low) in rows {
        for tier in Tier::ALL {
            let every_days = match tier {
                Tier::A | Tier::B => high,
                Tier::C | Tier::D => middle,
                _ => low,
            };
            cadences.push(VisitCadence {
                strand,
                tier: *tier,
                every_days,
            });
        }
    }
    cadences
}

/// The cadence for a strand and tier, if any.
pub fn cadence_for(cadences: &[VisitCadence], strand: Strand, tier: Tier) -> Option<u32> {
    cadences
        .iter()
        .find(|c| c.strand == strand && c.tier == tier)
        .map(|c| c.every_days)
}

/// Picks the next visit's day in `[first, last]` and its band, avoiding the last visit's weekday and band.
/// `pick(n)` returns a number in `0..n` (random in production, fixed in tests). `None` when the window
/// holds no day at all.
pub fn choose_visit_slot(
    first: NaiveDate,
    last: NaiveDate,
    previous: Option<(Weekday, TimeBand)>,
    mut pick: impl FnMut(usize) -> usize,
) -> Option<(NaiveDate, TimeBand)> {
    let days: Vec<NaiveDate> = (0..=(last - first).num_days())
        .map(|offset| first + Duration::days(offset))
        .collect();
    let fresh_days: Vec<NaiveDate> = days
        .iter()
        .copied()
        .filter(|day| previous.is_none_or(|(weekday, _)| day.weekday() != weekday))
        .collect();
    // A one-day window may only offer the same weekday; the band still changes.
    let candidates = if fresh_days.is_empty() {
        days
    } else {
        fresh_days
    };
    if candidates.is_empty() {
        return None;
    }
    let day = candidates[pick(candidates.len()) % candidates.len()];
    let bands: Vec<TimeBand> = TimeBand::ALL
        .into_iter()
        .filter(|band| previous.is_none_or(|(_, last_band)| *band != last_band))
        .collect();
    let band = bands[pick(bands.len()) % bands.len()];
    Some((day, band))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use proptest::prelude::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn catch_and_convict_tier_a_is_visited_fortnightly() {
        let cadences = default_visit_cadences();
        assert_eq!(
            cadence_for(&cadences, Strand::CatchConvict, Tier::A),
            Some(14)
        );
        assert_eq!(
            cadence_for(&cadences, Strand::PreventDeter, Tier::G),
            Some(84)
        );
        assert_eq!(cadences.len(), 21);
    }

    #[test]
    fn a_fixed_pick_gives_a_fixed_slot() {
        // Window Mon 23 to Sun 29 Nov 2026; last visit on a Monday morning.
        let slot = choose_visit_slot(
            date(2026, 11, 23),
            date(2026, 11, 29),
            Some((Weekday::Mon, TimeBand::Morning)),
            |_| 0,
        );
        assert_eq!(slot, Some((date(2026, 11, 24), TimeBand::Daytime)));
    }

    #[test]
    fn bands_are_ordered_and_classify_times() {
        assert_eq!(
            TimeBand::of(NaiveTime::from_hms_opt(8, 30, 0).unwrap()),
            TimeBand::Morning
        );
        assert_eq!(
            TimeBand::of(NaiveTime::from_hms_opt(12, 0, 0).unwrap()),
            TimeBand::Daytime
        );
        assert_eq!(
            TimeBand::of(NaiveTime::from_hms_opt(19, 0, 0).unwrap()),
            TimeBand::Evening
        );
    }

    proptest! {
        #[test]
        fn never_repeats_the_last_weekday_and_band(
            start in 0_i64..3000,
            length in 1_i64..30,
            last_day in 0_u32..7,
            last_band in 0_usize..3,
            seed in any::<u64>(),
        ) {
            let first = date(2025, 1, 1) + Duration::days(start);
            let last = first + Duration::days(length);
            let previous = (Weekday::try_from(last_day as u8).unwrap(), TimeBand::ALL[last_band]);
            let mut state = seed;
            let (day, band) = choose_visit_slot(first, last, Some(previous), |n| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (state >> 33) as usize % n
            }).unwrap();
            prop_assert!(day >= first && day <= last);
            prop_assert_ne!(day.weekday(), previous.0);
            prop_assert_ne!(band, previous.1);
        }
    }
}
