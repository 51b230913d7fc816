//! UK mobile numbers for SMS reminders, stored in E.164 (`+447XXXXXXXXX`) so the same phone is
//! always the same string (opt-outs and shared-number checks compare strings).

use serde::{Deserialize, Serialize};

use crate::newtype_macro::string_newtype;

/// A validated UK mobile number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UkMobile(String);

/// Why a string is not a UK mobile number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MobileError {
    /// Letters or other symbols that never appear in a phone number.
    #[error("a phone number may contain only digits, spaces, dashes, brackets and a leading +")]
    Characters,
    /// Too few or too many digits.
    #[error("a UK mobile number has 11 digits, e.g. 07700 900123")]
    Length,
    /// A landline, a non-UK number, a personal (070) number or a pager (076).
    #[error("not a UK mobile number (UK mobile numbers start 07, or +447)")]
    NotMobile,
}

impl UkMobile {
    /// Accepts `07…`, `+447…`, `447…`, `00447…` and `+44 (0)7…`; spaces, dashes and brackets are
    /// ignored. Rejects 070 personal numbers and 076 pagers except 07624 (Isle of Man mobiles).
    pub fn parse(input: &str) -> Result<Self, MobileError> {
        let trimmed = input.trim();
        let (plus, body) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let mut digits = String::with_capacity(body.len());
        for c in body.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '(' | ')' | '.' => {}
                _ => return Err(MobileError::Characters),
            }
        }
        let national = national_significant_number(plus, &digits)?;
        if national.len() != 10 {
            return Err(MobileError::Length);
        }
        let is_mobile = national.starts_with('7')
            && !national.starts_with("70")
            && (!national.starts_with("76") || national.starts_with("7624"));
        if !is_mobile {
            return Err(MobileError::NotMobile);
        }
        Ok(Self(format!("+44{national}")))
    }
}

/// Strips the international or trunk prefix, leaving the digits after `+44`.
fn national_significant_number(plus: bool, digits: &str) -> Result<&str, MobileError> {
    let after_country = if plus {
        digits.strip_prefix("44").ok_or(MobileError::NotMobile)?
    } else if let Some(rest) = digits.strip_prefix("0044") {
        rest
    } else if let Some(rest) = digits.strip_prefix('0') {
        if rest.starts_with('0') {
            // Some other international prefix (00 33 …).
            return Err(MobileError::NotMobile);
        }
        return Ok(rest);
    } else if digits.len() == 12 {
        digits.strip_prefix("44").ok_or(MobileError::NotMobile)?
    } else if digits.is_empty() || digits.starts_with("44") || digits.starts_with('7') {
        // Looks like a mobile with a digit missing or extra.
        return Err(MobileError::Length);
    } else {
        return Err(MobileError::NotMobile);
    };
    // "+44 (0)7700 900123" is common on letterheads: drop the bracketed trunk zero.
    Ok(after_country.strip_prefix('0').unwrap_or(after_country))
}

string_newtype!(UkMobile, MobileError);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    const E164: &str = "+447700900123";

    #[test]
    fn accepts_common_spellings() {
        for ok in [
            "07700 900123",
            "07700900123",
            "+447700900123",
            "447700900123",
            "00447700900123",
            "+44 (0)7700 900-123",
            "(07700) 900 123",
            " 07700.900.123 ",
        ] {
            assert_eq!(UkMobile::parse(ok).unwrap().as_str(), E164, "{ok}");
        }
        assert_eq!(
            UkMobile::parse("07624 123456").unwrap().as_str(),
            "+447624123456"
        );
    }

    #[test]
    fn rejects_landlines_and_non_mobiles() {
        for bad in [
            "01632 960123",
            "020 7946 0123",
            "0300 123 4567",
            "0800 123 4567",
            "070 1234 5678",
            "07612 345678",
            "+33 6 12 34 56 78",
            "0033612345678",
        ] {
            let err = UkMobile::parse(bad).unwrap_err();
            assert_eq!(err, MobileError::NotMobile, "{bad}");
            assert!(err.to_string().contains("not a UK mobile number"));
        }
    }

    #[test]
    fn rejects_wrong_length_and_characters() {
        assert_eq!(UkMobile::parse("0770090012"), Err(MobileError::Length));
        assert_eq!(UkMobile::parse("077009001234"), Err(MobileError::Length));
        assert_eq!(UkMobile::parse(""), Err(MobileError::Length));
        assert_eq!(
            UkMobile::parse("07700 9OO123"),
            Err(MobileError::Characters)
        );
        assert_eq!(UkMobile::parse("7700900123"), Err(MobileError::Length));
    }

    #[test]
    fn serde_round_trip() {
        let m: UkMobile = serde_json::from_str("\"07700 900123\"").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), format!("\"{E164}\""));
    }

    fn valid_national() -> impl Strategy<Value = String> {
        // 071–075, 077–079 and 07624: every range that is a mobile.
        prop_oneof![
            (1u32..=5, 0u64..100_000_000).prop_map(|(b, r)| format!("7{b}{r:08}")),
            (7u32..=9, 0u64..100_000_000).prop_map(|(b, r)| format!("7{b}{r:08}")),
            (0u64..1_000_000).prop_map(|r| format!("7624{r:06}")),
        ]
    }

    fn spaced(digits: &str, cuts: &[usize], sep: &str) -> String {
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if cuts.contains(&i) {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    }

    proptest! {
        #[test]
        fn every_spelling_gives_the_same_e164(
            national in valid_national(),
            cuts in proptest::collection::vec(1usize..11, 0..4),
            sep in prop_oneof![Just(" "), Just("-"), Just("  ")],
            prefix in prop_oneof![Just("0"), Just("+44"), Just("44"), Just("0044"), Just("+44(0)")],
        ) {
            let expected = format!("+44{national}");
            let text = spaced(&format!("{prefix}{national}"), &cuts, sep);
            let parsed = UkMobile::parse(&text).unwrap();
            prop_assert_eq!(parsed.as_str(), expected.as_str());
        }

        #[test]
        fn landlines_are_rejected(first in prop_oneof![Just(1u32), Just(2), Just(3), Just(8)], rest in 0u64..1_000_000_000) {
            let text = format!("0{first}{rest:09}");
            prop_assert_eq!(UkMobile::parse(&text), Err(MobileError::NotMobile));
        }
    }
}
