//! The two small values reminder configuration is written in: offsets ("48h", "30m") and quiet
//! hours ("21:00-08:00").

use std::fmt;
use std::str::FromStr;

use chrono::{Duration, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// The longest offset accepted: reminders further ahead than this are forgotten by the time
/// the appointment comes.
pub const MAX_REMINDER_OFFSET_MINUTES: u32 = 30 * 24 * 60;

/// How long before an appointment a reminder goes out, in whole minutes. Written `"30m"`,
/// `"2h"` or `"1d"`; shown canonically in hours when a whole number of hours (`"1d"` → `"24h"`)
/// and otherwise in minutes, so equal offsets always give equal idempotency keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReminderOffset {
    minutes: u32,
}

/// Why a string is not a reminder offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReminderOffsetError {
    /// Not a number followed by m, h or d.
    #[error("a reminder offset is a number followed by m, h or d, e.g. 30m, 48h or 1d (got '{0}')")]
    Format(String),
    /// Zero, or more than 30 days.
    #[error("a reminder offset must be between 1 minute and 30 days")]
    Range,
}

impl ReminderOffset {
    /// Parses `"<n>m"`, `"<n>h"` or `"<n>d"` (case-insensitive, spaces allowed).
    pub fn parse(input: &str) -> Result<Self, ReminderOffsetError> {
        let text = input.trim().to_ascii_lowercase();
        let format_err = || ReminderOffsetError::Format(input.trim().to_owned());
        let unit = text.chars().last().ok_or_else(format_err)?;
        let number = text[..text.len() - unit.len_utf8()].trim();
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format_err());
        }
        let value: u64 = number.parse().map_err(|_| ReminderOffsetError::Range)?;
        let per_unit: u64 = match unit {
            'm' => 1,
            'h' => 60,
            'd' => 24 * 60,
            _ => return Err(format_err()),
        };
        let minutes = value
            .checked_mul(per_unit)
            .ok_or(ReminderOffsetError::Range)?;
        Self::from_minutes(u32::try_from(minutes).map_err(|_| ReminderOffsetError::Range)?)
    }

    /// An offset of `minutes` (1 minute to 30 days).
    pub fn from_minutes(minutes: u32) -> Result<Self, ReminderOffsetError> {
        if (1..=MAX_REMINDER_OFFSET_MINUTES).contains(&minutes) {
            Ok(Self { minutes })
        } else {
            Err(ReminderOffsetError::Range)
        }
    }

    /// An offset of whole hours for built-in defaults (clamped into range rather than failing).
    pub(crate) fn hours(h: u32) -> Self {
        Self {
            minutes: (h.saturating_mul(60)).clamp(1, MAX_REMINDER_OFFSET_MINUTES),
        }
    }

    /// The offset in minutes.
    pub fn minutes(&self) -> u32 {
        self.minutes
    }

    /// The offset as a duration.
    pub fn as_duration(&self) -> Duration {
        Duration::minutes(i64::from(self.minutes))
    }
}

impl fmt::Display for ReminderOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.minutes.is_multiple_of(60) {
            write!(f, "{}h", self.minutes / 60)
        } else {
            write!(f, "{}m", self.minutes)
        }
    }
}

impl FromStr for ReminderOffset {
    type Err = ReminderOffsetError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ReminderOffset {
    type Error = ReminderOffsetError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ReminderOffset> for String {
    fn from(o: ReminderOffset) -> String {
        o.to_string()
    }
}

/// A nightly window in local time when nobody should be messaged. `start > end` wraps
/// midnight (21:00–08:00); `start == end` means no quiet hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    /// First quiet minute.
    pub start: NaiveTime,
    /// First minute after the quiet window.
    pub end: NaiveTime,
}

/// Why a string is not a quiet-hours window.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("quiet hours are written as two 24-hour times, e.g. 21:00-08:00 (got '{0}')")]
pub struct QuietHoursError(pub String);

impl QuietHours {
    /// Parses `"HH:MM-HH:MM"`.
    pub fn parse(input: &str) -> Result<Self, QuietHoursError> {
        let err = || QuietHoursError(input.trim().to_owned());
        let (a, b) = input.split_once('-').ok_or_else(err)?;
        let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").map_err(|_| err());
        Ok(Self {
            start: time(a)?,
            end: time(b)?,
        })
    }

    /// Whether a local wall-clock time is inside the window.
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.start <= self.end {
            self.start <= t && t < self.end
        } else {
            t >= self.start || t < self.end
        }
    }

    /// For a local time inside the window, the first minute after it ends (08:00 the same morning for
    /// 03:00, 08:00 the next morning for 22:00, with 21:00–08:00).
    pub fn first_minute_after(&self, local: NaiveDateTime) -> NaiveDateTime {
        let ends_on = if self.start > self.end && local.time() >= self.start {
            local.date().succ_opt().unwrap_or(local.date())
        } else {
            local.date()
        };
        ends_on.and_time(self.end)
    }

    /// For a local time inside the window, the last non-quiet minute before this window began
    /// (20:59 the evening before a 03:00 or 07:00 time, with 21:00–08:00).
    pub fn last_minute_before(&self, local: NaiveDateTime) -> NaiveDateTime {
        let began_on = if self.start > self.end && local.time() < self.end {
            local.date().pred_opt().unwrap_or(local.date())
        } else {
            local.date()
        };
        began_on.and_time(self.start) - Duration::minutes(1)
    }
}

impl fmt::Display for QuietHours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

impl FromStr for QuietHours {
    type Err = QuietHoursError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod quiet_hours_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn the_window_ends_the_same_morning_or_the_next() {
        let quiet = QuietHours::parse("21:00-08:00").unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let at = |h, m| day.and_hms_opt(h, m, 0).unwrap();
        assert_eq!(quiet.first_minute_after(at(3, 0)), at(8, 0));
        assert_eq!(
            quiet.first_minute_after(at(22, 30)),
            NaiveDate::from_ymd_opt(2026, 11, 24)
                .unwrap()
                .and_hms_opt(8, 0, 0)
                .unwrap()
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn parses_offsets() {
        assert_eq!(ReminderOffset::parse("48h").unwrap().minutes(), 2880);
        assert_eq!(ReminderOffset::parse(" 30M ").unwrap().minutes(), 30);
        assert_eq!(ReminderOffset::parse("1d").unwrap().to_string(), "24h");
        assert_eq!(ReminderOffset::parse("90m").unwrap().to_string(), "90m");
        assert_eq!(ReminderOffset::parse("2 h").unwrap().to_string(), "2h");
        assert_eq!(ReminderOffset::parse("30d").unwrap().minutes(), 43_200);
        for bad in ["", "h", "48", "4.5h", "-2h", "2w", "h2"] {
            assert!(
                matches!(
                    ReminderOffset::parse(bad),
                    Err(ReminderOffsetError::Format(_))
                ),
                "{bad}"
            );
        }
        assert_eq!(ReminderOffset::parse("0m"), Err(ReminderOffsetError::Range));
        assert_eq!(
            ReminderOffset::parse("31d"),
            Err(ReminderOffsetError::Range)
        );
        assert_eq!(
            ReminderOffset::parse("99999999999999999999h"),
            Err(ReminderOffsetError::Range)
        );
        let o: ReminderOffset = serde_json::from_str("\"2h\"").unwrap();
        assert_eq!(serde_json::to_string(&o).unwrap(), "\"2h\"");
    }

    #[test]
    fn quiet_hours_wrap_midnight() {
        let q = QuietHours::parse("21:00-08:00").unwrap();
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        assert!(q.contains(t(21, 0)));
        assert!(q.contains(t(3, 0)));
        assert!(q.contains(t(7, 59)));
        assert!(!q.contains(t(8, 0)));
        assert!(!q.contains(t(20, 59)));
        assert_eq!(q.to_string(), "21:00-08:00");
        let day = QuietHours::parse("13:00-14:00").unwrap();
        assert!(day.contains(t(13, 30)) && !day.contains(t(14, 0)) && !day.contains(t(3, 0)));
        assert!(!QuietHours::parse("09:00-09:00").unwrap().contains(t(9, 0)));
        assert!(QuietHours::parse("21:00").is_err());
        assert!(QuietHours::parse("25:00-08:00").is_err());
    }

    #[test]
    fn moves_to_the_evening_before() {
        let q = QuietHours::parse("21:00-08:00").unwrap();
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            q.last_minute_before(at("2026-03-30 03:00")),
            at("2026-03-29 20:59")
        );
        assert_eq!(
            q.last_minute_before(at("2026-03-30 07:00")),
            at("2026-03-29 20:59")
        );
        assert_eq!(
            q.last_minute_before(at("2026-03-30 22:15")),
            at("2026-03-30 20:59")
        );
    }
}
