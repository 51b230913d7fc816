//! Police National Computer identifier (PNC ID), e.g. `2003/0012345D`.
//!
//! The check letter is `(YY * 10^7 + serial) mod 23` indexed into [`PNC_CHECK_LETTERS`], where
//! `YY` is the two-digit year and `serial` the seven-digit serial number. Checking it at the edge
//! catches most transcription errors before two records for one person are created.

use serde::{Deserialize, Serialize};

use crate::newtype_macro::string_newtype;

/// The check-letter alphabet: I, O and S are left out because they are easily misread.
pub const PNC_CHECK_LETTERS: &[u8; 23] = b"ZABCDEFGHJKLMNPQRTUVWXY";

/// A validated PNC ID, always stored and shown in long form `YYYY/NNNNNNNL`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PncId(String);

/// Why a string is not a PNC ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PncError {
    /// The shape is wrong (missing slash, letters in the number, wrong length...).
    #[error(
        "a PNC ID looks like 2003/0012345D or 03/12345D (year, slash, up to 7 digits, check letter)"
    )]
    Format,
    /// A four-digit year outside the range the PNC can hold.
    #[error("the year in a PNC ID must be between 1900 and 2099")]
    Year,
    /// The shape is right but the check letter does not match.
    #[error("the check letter of this PNC ID is wrong: expected {expected}, found {found}")]
    CheckLetter {
        /// The letter the year and serial call for.
        expected: char,
        /// The letter that was given.
        found: char,
    },
}

/// The check letter for a year (only its last two digits count) and a serial number.
pub fn pnc_check_letter(year: u32, serial: u32) -> char {
    let number = u64::from(year % 100) * 10_000_000 + u64::from(serial);
    // `number % 23` is always < 23, so the index is in range.
    char::from(PNC_CHECK_LETTERS[(number % 23) as usize])
}

/// Expands a two-digit year. Deterministic on purpose (not relative to today, so a stored ID
/// never changes meaning): `30`–`99` are 1930–1999, `00`–`29` are 2000–2029.
pub fn expand_short_year(yy: u32) -> u32 {
    if yy >= 30 { 1900 + yy } else { 2000 + yy }
}

impl PncId {
    /// Parses long (`YYYY/NNNNNNNL`) or short (`YY/NNNNNNNL`) form. Whitespace is ignored, the
    /// letter may be lower case, and a serial with fewer than seven digits is zero-padded.
    pub fn parse(input: &str) -> Result<Self, PncError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        let (year_part, rest) = compact.split_once('/').ok_or(PncError::Format)?;
        let year = parse_year(year_part)?;
        let mut rest_chars = rest.chars();
        let found = rest_chars.next_back().ok_or(PncError::Format)?;
        let serial_part = rest_chars.as_str();
        if !found.is_ascii_uppercase()
            || serial_part.is_empty()
            || serial_part.len() > 7
            || !serial_part.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(PncError::Format);
        }
        let serial: u32 = serial_part.parse().map_err(|_| PncError::Format)?;
        let expected = pnc_check_letter(year, serial);
        if expected != found {
            return Err(PncError::CheckLetter { expected, found });
        }
        Ok(Self(format!("{year:04}/{serial:07}{expected}")))
    }

    /// The four-digit year.
    pub fn year(&self) -> u32 {
        self.0.get(0..4).and_then(|s| s.parse().ok()).unwrap_or(0)
    }

    /// The short form `YY/NNNNNNNL`, as often written on paper.
    pub fn short_form(&self) -> String {
        self.0.get(2..).unwrap_or_default().to_owned()
    }
}

fn parse_year(part: &str) -> Result<u32, PncError> {
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PncError::Format);
    }
    let value: u32 = part.parse().map_err(|_| PncError::Format)?;
    match part.len() {
        2 => Ok(expand_short_year(value)),
        4 if (1900..=2099).contains(&value) => Ok(value),
        4 => Err(PncError::Year),
        _ => Err(PncError::Format),
    }
}

string_newtype!(PncId, PncError);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn check_letter_worked_by_hand() {
        // 03 0012345 = 30_012_345; 30_012_345 mod 23 = 30_012_345 - 23 * 1_304_884 = 13 -> 'N'.
        assert_eq!(pnc_check_letter(2003, 12345), 'N');
        // 0 mod 23 = 0 -> 'Z'.
        assert_eq!(pnc_check_letter(2000, 0), 'Z');
        // 99 0000001 = 990_000_001; mod 23 = 990_000_001 - 23 * 43_043_478 = 7 -> 'G'.
        assert_eq!(pnc_check_letter(1999, 1), 'G');
    }

    #[test]
    fn accepts_long_and_short_forms() {
        let long = PncId::parse("2003/0012345N").unwrap();
        assert_eq!(long.as_str(), "2003/0012345N");
        assert_eq!(PncId::parse(" 03/12345n ").unwrap(), long);
        assert_eq!(PncId::parse("03 / 0012345N").unwrap(), long);
        assert_eq!(long.short_form(), "03/0012345N");
        assert_eq!(long.year(), 2003);
        assert_eq!(PncId::parse("99/1G").unwrap().as_str(), "1999/0000001G");
    }

    #[test]
    fn short_year_pivot_is_thirty() {
        assert_eq!(expand_short_year(29), 2029);
        assert_eq!(expand_short_year(30), 1930);
        assert_eq!(expand_short_year(0), 2000);
    }

    #[test]
    fn rejects_bad_input_with_reasons() {
        assert_eq!(PncId::parse("20030012345N"), Err(PncError::Format));
        assert_eq!(PncId::parse("2003/00123456M"), Err(PncError::Format));
        assert_eq!(PncId::parse("2003/M"), Err(PncError::Format));
        assert_eq!(PncId::parse("2003/001234A5"), Err(PncError::Format));
        assert_eq!(PncId::parse("203/0012345N"), Err(PncError::Format));
        assert_eq!(PncId::parse("1850/0012345N"), Err(PncError::Year));
        let err = PncId::parse("2003/0012345A").unwrap_err();
        assert_eq!(
            err,
            PncError::CheckLetter {
                expected: 'N',
                found: 'A'
            }
        );
        assert!(err.to_string().contains("expected N"));
    }

    #[test]
    fn serde_uses_the_long_form_and_validates() {
        let id: PncId = serde_json::from_str("\"03/12345N\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"2003/0012345N\"");
        assert!(serde_json::from_str::<PncId>("\"2003/0012345A\"").is_err());
    }

    proptest! {
        #[test]
        fn round_trips_every_valid_id(year in 1900u32..=2099, serial in 0u32..=9_999_999) {
            let letter = pnc_check_letter(year, serial);
            let text = format!("{year}/{serial:07}{letter}");
            let id = PncId::parse(&text).unwrap();
            prop_assert_eq!(id.as_str(), text.as_str());
            prop_assert_eq!(PncId::parse(id.as_str()).unwrap(), id.clone());
            let unpadded = format!("{year}/{serial}{}", letter.to_ascii_lowercase());
            prop_assert_eq!(PncId::parse(&unpadded).unwrap(), id);
        }

        #[test]
        fn short_form_expands_to_long_form(yy in 0u32..=99, serial in 0u32..=9_999_999) {
            let year = expand_short_year(yy);
            let letter = pnc_check_letter(year, serial);
            let id = PncId::parse(&format!("{yy:02}/{serial}{letter}")).unwrap();
            prop_assert_eq!(id.as_str(), format!("{year}/{serial:07}{letter}"));
        }

        #[test]
        fn any_other_letter_is_rejected(year in 1900u32..=2099, serial in 0u32..=9_999_999, wrong in 0usize..23) {
            let right = pnc_check_letter(year, serial);
            let other = char::from(PNC_CHECK_LETTERS[wrong]);
            prop_assume!(other != right);
            let result = PncId::parse(&format!("{year}/{serial:07}{other}"));
            prop_assert_eq!(result, Err(PncError::CheckLetter { expected: right, found: other }));
        }
    }
}
