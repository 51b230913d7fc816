//! UK postcodes: an outward code (area and district, 2–4 characters) and an inward code (sector digit and
//! unit letters, always 3), stored upper case with one space between, e.g. `SW1A 1AA`, `M1 1AE`.

use serde::{Deserialize, Serialize};

use crate::newtype_macro::string_newtype;

/// A postcode in its standard form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Postcode(String);

/// Why a string is not a postcode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostcodeError {
    #[error("a UK postcode such as SW1A 1AA or M1 1AE")]
    Format,
}

impl Postcode {
    /// Parses a postcode, ignoring letter case and spaces (`sw1a1aa`, ` SW1A  1AA `).
    pub fn parse(input: &str) -> Result<Self, PostcodeError> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let bytes = compact.as_bytes();
        // 5 to 7 characters: an outward code of 2–4, then the inward code of 3.
        if !(5..=7).contains(&bytes.len()) {
            return Err(PostcodeError::Format);
        }
        let (outward, inward) = bytes.split_at(bytes.len() - 3);
        // Girobank's GIR 0AA and the overseas territories' codes (ASCN 1ZZ, STHL 1ZZ, …) have no digit in
        // the outward code; every other has one.
        let special = compact == "GIR0AA" || (outward.len() == 4 && inward == b"1ZZ");
        let outward_ok = outward[0].is_ascii_uppercase()
            && (special || outward.iter().any(u8::is_ascii_digit))
            && outward.iter().all(u8::is_ascii_alphanumeric);
        let inward_ok = inward[0].is_ascii_digit()
            && inward[1].is_ascii_uppercase()
            && inward[2].is_ascii_uppercase();
        if outward_ok && inward_ok {
            let (outward, inward) = compact.split_at(compact.len() - 3);
            Ok(Self(format!("{outward} {inward}")))
        } else {
            Err(PostcodeError::Format)
        }
    }
}

string_newtype!(Postcode, PostcodeError);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn standard_form_whatever_the_spacing_and_case() {
        for (input, expected) in [
            ("SW1A 1AA", "SW1A 1AA"),
            ("sw1a1aa", "SW1A 1AA"),
            ("  m1   1ae ", "M1 1AE"),
            ("B33 8TH", "B33 8TH"),
            ("cr2 6xh", "CR2 6XH"),
            ("DN55 1PT", "DN55 1PT"),
            ("gir0aa", "GIR 0AA"),
            ("ASCN 1ZZ", "ASCN 1ZZ"),
        ] {
            assert_eq!(
                Postcode::parse(input).unwrap().as_str(),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn other_shapes_are_refused() {
        for bad in [
            "",
            "SW1A",
            "1AA",
            "SW1A 1A",
            "SW1A 1AAA",
            "SWAA 1AA",
            "1W1A 1AA",
            "SW1A 11A",
            "SW1A-1AA",
            "a very long postcode",
            "É1 1AE",
        ] {
            assert_eq!(Postcode::parse(bad), Err(PostcodeError::Format), "{bad}");
        }
    }
}
