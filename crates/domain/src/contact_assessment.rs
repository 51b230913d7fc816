//! Which contacts are due or overdue for one cohort member, worked out from the standards and
//! the completed contacts alone, so the dashboard, the nightly job and tests agree.

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;
use crate::casework::ContactType;
use crate::cohort::{Strand, Tier};
use crate::contact_standard::{ContactStandard, StandardKind};
use crate::period::Period;
use crate::time::{end_of_local_day, local_date};

/// What the assessment needs to know about the member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberContext {
    /// Current strand.
    pub strand: Strand,
    /// Current tier.
    pub tier: Tier,
    /// When the clock starts: adoption, or the latest release from custody if later.
    pub since: DateTime<Utc>,
}

/// A contact that happened. Callers pass only contacts with status `completed`: an attempted
/// contact (nobody in, call unanswered) never satisfies a standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletedContact {
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// How it happened.
    pub contact_type: ContactType,
}

/// A contact that is due (or overdue) under one standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueItem {
    /// The standard's code.
    pub standard_code: String,
    /// Which contacts would satisfy it.
    pub kind: StandardKind,
    /// End of the local due day (23:59:59 local time), in UTC.
    pub due_by: DateTime<Utc>,
    /// `now` is after `due_by`.
    pub overdue: bool,
    /// How many more qualifying contacts were or are needed.
    pub outstanding: u32,
}

/// Upper bound on periods walked, so a corrupt `since` or a zero-length period cannot hang a
/// worker (10,000 weekly periods is nearly two centuries).
const MAX_PERIODS: u32 = 10_000;

/// Assesses every standard that applies to the member (same strand and tier) at `now`.
///
/// Semantics, all on local dates in `tz`:
/// - A contact qualifies if it is of a kind the standard accepts and happened at or after
///   `member.since` and at or before `now`.
/// - First contact: if the standard has `first_within` and no qualifying contact has happened
///   yet, one item is due by the end of the local day `local_date(since) + first_within`
///   (overdue once that has passed); no periodic items are reported until it is met.
/// - Otherwise periods roll from `local_date(since)`: `[start, start + every)`, back to back.
///   For the current period (the one containing today's local date), if fewer than `count`
///   qualifying contacts fell within it, an item is due by the end of its last local day.
///   If the period just before it ended short, an overdue item is reported for it too (older
///   shortfalls are history for reporting, not a to-do: they can no longer be made up).
/// - Standards with `count == 0` or a zero-length period are ignored.
///
/// Items are sorted by `due_by`, then code.
pub fn assess_contact_standards(
    standards: &[ContactStandard],
    member: &MemberContext,
    contacts: &[CompletedContact],
    now: DateTime<Utc>,
    tz: Tz,
    calendar: &WorkingCalendar,
) -> Vec<DueItem> {
    // Each contact's local date is worked out once, not once per standard that looks at it.
    let counted: Vec<(ContactType, NaiveDate)> = contacts
        .iter()
        .filter(|c| c.occurred_at >= member.since && c.occurred_at <= now)
        .map(|c| (c.contact_type, local_date(c.occurred_at, tz)))
        .collect();
    let mut items: Vec<DueItem> = standards
        .iter()
        .filter(|s| s.applies_to(member.strand, member.tier))
        .filter(|s| s.count > 0 && s.every.length() > 0)
        .flat_map(|s| assess_one(s, member, &counted, now, tz, calendar))
        .collect();
    items.sort_by(|a, b| (a.due_by, &a.standard_code).cmp(&(b.due_by, &b.standard_code)));
    items
}

/// One standard, given the member's contacts between `since` and `now` with their local dates.
fn assess_one(
    standard: &ContactStandard,
    member: &MemberContext,
    counted: &[(ContactType, NaiveDate)],
    now: DateTime<Utc>,
    tz: Tz,
    calendar: &WorkingCalendar,
) -> Vec<DueItem> {
    let qualifying: Vec<NaiveDate> = counted
        .iter()
        .filter(|(contact_type, _)| standard.kind.is_satisfied_by(*contact_type))
        .map(|(_, date)| *date)
        .collect();
    let origin = local_date(member.since, tz);
    let item = |last_day: NaiveDate, outstanding: u32| {
        let due_by = end_of_local_day(last_day, tz);
        DueItem {
            standard_code: standard.code.clone(),
            kind: standard.kind,
            due_by,
            overdue: now > due_by,
            outstanding,
        }
    };

    if let Some(first) = standard.first_within
        && qualifying.is_empty()
    {
        return vec![item(first.add(origin, calendar), 1)];
    }

    let today = local_date(now, tz);
    let Some((previous, current)) = locate_period(standard.every, origin, today, calendar) else {
        return Vec::new();
    };
    let shortfall = |(start, end): (NaiveDate, NaiveDate)| {
        let done = qualifying
            .iter()
            .filter(|d| **d >= start && **d < end)
            .count();
        let done = u32::try_from(done).unwrap_or(u32::MAX);
        standard.count.saturating_sub(done)
    };
    let last_day = |end: NaiveDate| end.checked_sub_days(Days::new(1)).unwrap_or(end);

    let mut out = Vec::new();
    if let Some(prev) = previous {
        let missing = shortfall(prev);
        if missing > 0 {
            out.push(item(last_day(prev.1), missing));
        }
    }
    let missing = shortfall(current);
    if missing > 0 {
        out.push(item(last_day(current.1), missing));
    }
    out
}

type Span = (NaiveDate, NaiveDate);

/// The period containing `today` and the one before it (if any), as half-open date ranges.
/// `None` if `today` is before the origin or the period never advances.
fn locate_period(
    every: Period,
    origin: NaiveDate,
    today: NaiveDate,
    calendar: &WorkingCalendar,
) -> Option<(Option<Span>, Span)> {
    if today < origin {
        return None;
    }
    match every {
        Period::Days(length) => locate_day_period(length, origin, today),
        _ => walk_periods(every, origin, today, calendar),
    }
}

/// [`locate_period`] by walking from the origin one period at a time, as periods of working days and
/// months must be.
fn walk_periods(
    every: Period,
    origin: NaiveDate,
    today: NaiveDate,
    calendar: &WorkingCalendar,
) -> Option<(Option<Span>, Span)> {
    let mut previous = None;
    let mut start = origin;
    for k in 0..MAX_PERIODS {
        let end = match every {
            // Months are counted from the origin so short months do not shift later periods.
            Period::CalendarMonths(_) => every.nth_start(origin, k + 1, calendar),
            _ => every.add(start, calendar),
        };
        if end <= start {
            return None;
        }
        if today < end {
            return Some((previous, (start, end)));
        }
        previous = Some((start, end));
        start = end;
    }
    None
}

/// [`locate_period`] for periods of a fixed number of days, by division rather than walking from the
/// origin (a weekly standard adopted two years ago would otherwise take a hundred steps per person).
fn locate_day_period(
    length: u32,
    origin: NaiveDate,
    today: NaiveDate,
) -> Option<(Option<Span>, Span)> {
    let length = i64::from(length);
    let k = (today - origin).num_days().checked_div(length)?;
    if k >= i64::from(MAX_PERIODS) {
        return None;
    }
    let day = |n: i64| {
        u64::try_from(n)
            .ok()
            .and_then(|n| origin.checked_add_days(Days::new(n)))
    };
    let start = day(k * length)?;
    let end = day((k + 1) * length)?;
    let previous = if k > 0 {
        Some((day((k - 1) * length)?, start))
    } else {
        None
    };
    Some((previous, (start, end)))
}

#[cfg(test)]
#[path = "contact_assessment_tests.rs"]
mod tests;
