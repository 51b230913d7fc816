//! Case Reference Number (CRN): probation's identifier for a person, one letter and six digits.

use serde::{Deserialize, Serialize};

use crate::newtype_macro::string_newtype;

/// A validated CRN such as `X123456`, stored upper case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Crn(String);

/// Why a string is not a CRN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrnError {
    /// Anything other than one letter followed by six digits.
    #[error("a case reference number (CRN) is one letter followed by six digits, e.g. X123456")]
    Format,
}

impl Crn {
    /// Parses a CRN, ignoring surrounding spaces and letter case.
    pub fn parse(input: &str) -> Result<Self, CrnError> {
        let text = input.trim().to_ascii_uppercase();
        let bytes = text.as_bytes();
        let valid = bytes.len() == 7
            && bytes[0].is_ascii_uppercase()
            && bytes[1..].iter().all(u8::is_ascii_digit);
        if valid {
            Ok(Self(text))
        } else {
            Err(CrnError::Format)
        }
    }
}

string_newtype!(Crn, CrnError);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn parses_and_uppercases() {
        assert_eq!(Crn::parse(" x123456 ").unwrap().as_str(), "X123456");
        assert_eq!("A000001".parse::<Crn>().unwrap().to_string(), "A000001");
    }

    #[test]
    fn rejects_wrong_shapes() {
        for bad in [
            "", "X12345", "X1234567", "12345678", "XX12345", "X12 456", "É123456",
        ] {
            assert_eq!(Crn::parse(bad), Err(CrnError::Format), "{bad}");
        }
    }

    #[test]
    fn serde_round_trip() {
        let crn: Crn = serde_json::from_str("\"b654321\"").unwrap();
        assert_eq!(serde_json::to_string(&crn).unwrap(), "\"B654321\"");
        assert!(serde_json::from_str::<Crn>("\"B65432\"").is_err());
    }
}
