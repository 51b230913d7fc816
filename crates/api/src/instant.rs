//! Instants written into JSON exactly as chrono's own `Serialize` writes them (RFC 3339, `Z`, the
//! fraction only as long as it needs to be: none, 3, 6 or 9 digits), but into a stack buffer rather than
//! through `fmt`: a worklist carries a couple of hundred instants, and formatting them was a tenth of
//! the cost of writing its answer. Anything outside the plain case (a year before 0 or after 9999, a leap
//! second) goes to chrono.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serializer;

/// `serialize_with` for a `DateTime<Utc>`.
pub fn rfc3339<S: Serializer>(instant: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buffer = [0u8; 30];
    match write(instant, &mut buffer) {
        Some(text) => serializer.serialize_str(text),
        None => serde::Serialize::serialize(instant, serializer),
    }
}

/// `serialize_with` for an `Option<DateTime<Utc>>`.
pub fn rfc3339_option<S: Serializer>(
    instant: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match instant {
        Some(instant) => rfc3339(instant, serializer),
        None => serializer.serialize_none(),
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]Z` in `buffer`, or `None` where chrono must decide.
fn write<'b>(instant: &DateTime<Utc>, buffer: &'b mut [u8; 30]) -> Option<&'b str> {
    let year = u32::try_from(instant.year()).ok().filter(|y| *y <= 9999)?;
    let nanos = instant.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    *buffer = *b"0000-00-00T00:00:00.000000000Z";
    put_digits(&mut buffer[0..4], year);
    put_digits(&mut buffer[5..7], instant.month());
    put_digits(&mut buffer[8..10], instant.day());
    put_digits(&mut buffer[11..13], instant.hour());
    put_digits(&mut buffer[14..16], instant.minute());
    put_digits(&mut buffer[17..19], instant.second());
    let (fraction, width) = match nanos {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    let end = if width == 0 {
        19
    } else {
        put_digits(&mut buffer[20..20 + width], fraction);
        20 + width
    };
    buffer[end] = b'Z';
    std::str::from_utf8(&buffer[..=end]).ok()
}

/// `value` in decimal, right-aligned and zero-padded to fill `field`.
fn put_digits(field: &mut [u8], value: u32) {
    let mut rest = value;
    for digit in field.iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    #[derive(serde::Serialize)]
    struct Ours(#[serde(serialize_with = "rfc3339")] DateTime<Utc>);

    fn ours(instant: DateTime<Utc>) -> String {
        serde_json::to_string(&Ours(instant)).expect("serialises")
    }

    fn chronos(instant: DateTime<Utc>) -> String {
        serde_json::to_string(&instant).expect("serialises")
    }

    #[test]
    fn each_fraction_length_and_the_edges_read_as_chrono_writes_them() {
        for text in [
            "2026-03-29T01:00:00Z",
            "2026-10-25T00:59:59.5Z",
            "2026-10-25T01:30:00.000001Z",
            "2026-11-22T17:46:34.123456789Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "-0001-12-31T23:59:59Z",
            "+10000-01-01T00:00:00Z",
        ] {
            let instant: DateTime<Utc> = text.parse().expect("an instant");
            assert_eq!(ours(instant), chronos(instant), "{text}");
        }
        let leap = DateTime::from_timestamp(1_483_228_799, 1_500_000_000).expect("a leap second");
        assert_eq!(ours(leap), chronos(leap));
    }

    proptest! {
        #[test]
        fn any_instant_reads_as_chrono_writes_it(
            seconds in -62_167_219_200i64..253_402_300_800,
            nanos in prop_oneof![Just(0u32), (0u32..1000).prop_map(|m| m * 1_000_000),
                                  (0u32..1_000_000).prop_map(|u| u * 1_000), 0u32..1_000_000_000],
        ) {
            let instant = DateTime::from_timestamp(seconds, nanos).expect("in range");
            prop_assert_eq!(ours(instant), chronos(instant));
        }
    }
}
