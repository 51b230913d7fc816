//! Personal names. Deliberately permissive about *which* letters (Welsh ŵ and ŷ, Irish fadas,
//! names from every alphabet) and strict only about things that are never part of a name:
//! digits, control characters and symbols that usually mean a field mix-up.

use serde::{Deserialize, Serialize};

use crate::newtype_macro::string_newtype;

/// Maximum length of a name, in characters.
pub const NAME_MAX_CHARS: usize = 100;

/// A trimmed personal name (given name, family name or full name).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

/// Why a string is not a name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Nothing but whitespace.
    #[error("a name is required")]
    Empty,
    /// Over 100 characters.
    #[error("a name may be at most 100 characters long")]
    TooLong,
    /// A character that cannot be part of a name.
    #[error(
        "a name may contain only letters, spaces, hyphens, apostrophes and full stops (found '{0}')"
    )]
    Character(char),
    /// Punctuation only, e.g. "-" or "'".
    #[error("a name must contain at least one letter")]
    NoLetter,
}

impl PersonName {
    /// Parses a name, trimming surrounding whitespace.
    pub fn parse(input: &str) -> Result<Self, NameError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(NameError::Empty);
        }
        if text.chars().count() > NAME_MAX_CHARS {
            return Err(NameError::TooLong);
        }
        if let Some(bad) = text.chars().find(|c| !is_name_char(*c)) {
            return Err(NameError::Character(bad));
        }
        if !text.chars().any(char::is_alphabetic) {
            return Err(NameError::NoLetter);
        }
        Ok(Self(text.to_owned()))
    }
}

/// Letters plus the punctuation names really use; `’` is the typographic apostrophe that phones
/// insert automatically (O’Brien).
pub(crate) fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.')
}

string_newtype!(PersonName, NameError);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn accepts_real_names() {
        for ok in [
            "Siân Llŷr",
            "Gwenllïan ap Rhys",
            "Dafydd Ŵyn",
            "O'Brien",
            "O’Brien",
            "Smith-Jones",
            "J. R. Hartley",
            "Zoë",
            "Ó Súilleabháin",
        ] {
            assert_eq!(PersonName::parse(ok).unwrap().as_str(), ok);
        }
        assert_eq!(PersonName::parse("  Ann  ").unwrap().as_str(), "Ann");
    }

    #[test]
    fn rejects_non_names() {
        assert_eq!(PersonName::parse("   "), Err(NameError::Empty));
        assert_eq!(PersonName::parse("R2D2"), Err(NameError::Character('2')));
        assert_eq!(
            PersonName::parse("Ann\tLee"),
            Err(NameError::Character('\t'))
        );
        assert_eq!(PersonName::parse("a@b"), Err(NameError::Character('@')));
        assert_eq!(PersonName::parse("-'."), Err(NameError::NoLetter));
        assert_eq!(PersonName::parse(&"a".repeat(101)), Err(NameError::TooLong));
        assert!(PersonName::parse(&"ŵ".repeat(100)).is_ok());
    }
}
