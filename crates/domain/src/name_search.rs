//! Finding people: what a search (`q`) means, and the normalised name keys it is matched against.
//!
//! A search is a PNC ID, a CRN or the start of a name. Names are matched by *prefix* on keys stored beside
//! each name ([`name_key`]), so that an ordinary B-tree index answers the search in the order the list is
//! shown and the database can stop after one page. A prefix becomes a range, `key >= prefix AND key <
//! upper bound` ([`prefix_upper_bound`]), compared byte by byte (PostgreSQL `COLLATE "C"`, SQLite `BINARY`);
//! UTF-8 byte order is code point order, which is the order the bound is computed in.

use crate::crn::Crn;
use crate::name::{NAME_MAX_CHARS, is_name_char};
use crate::pnc::PncId;

/// The longest search accepted, in characters: two names of the longest length, and a separator.
pub const SEARCH_MAX_CHARS: usize = 2 * NAME_MAX_CHARS + 2;

/// The key a name is searched by: lower case, apostrophes (`'` and `’`) removed, full stops read as
/// spaces, runs of spaces collapsed to one, none around it. "J.R.  O’Brien" and "J. R. O'Brien" both
/// become "j r obrien", so a search need not reproduce the punctuation a person or a phone typed.
pub fn name_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for word in name.split(|c: char| c.is_whitespace() || c == '.') {
        let start = key.len();
        if start > 0 {
            key.push(' ');
        }
        key.extend(
            word.chars()
                .filter(|c| !matches!(c, '\'' | '’'))
                .flat_map(char::to_lowercase),
        );
        // An empty word (between two spaces, or an apostrophe alone) leaves nothing, not a double space.
        if key.len() == start + usize::from(start > 0) {
            key.truncate(start);
        }
    }
    key
}

/// The smallest string that is greater than every string starting with `prefix`, in code point order:
/// the prefix with its last character replaced by the next one (`"smi"` → `"smj"`). `None` when no such
/// string exists (an empty prefix, or one made only of the last code point): then there is no upper bound.
pub fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = next_char(last) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// The next Unicode scalar value, skipping the surrogate range that no string can hold.
fn next_char(c: char) -> Option<char> {
    match c {
        '\u{D7FF}' => Some('\u{E000}'),
        char::MAX => None,
        _ => char::from_u32(u32::from(c) + 1),
    }
}

/// A parsed people search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeopleSearch {
    /// Exactly this PNC ID (given in long or short form).
    Pnc(PncId),
    /// Exactly this CRN.
    Crn(Crn),
    /// Names starting with these prefixes.
    Name(NamePrefix),
}

/// Name prefixes, as keys ([`name_key`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePrefix {
    /// The family name starts with this; never empty.
    pub family: String,
    /// The given name(s) start with this, when the search named them.
    pub given: Option<String>,
}

/// Why a search cannot be run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    /// Over [`SEARCH_MAX_CHARS`].
    #[error("a search may be at most {} characters long", SEARCH_MAX_CHARS)]
    TooLong,
    /// Digits or a slash, but not a valid PNC ID or CRN.
    #[error(
        "not a PNC ID (e.g. 2003/0012345D or 03/12345D, with its check letter) or a CRN (e.g. X123456)"
    )]
    Identifier,
    /// A character that is in no name, PNC ID or CRN.
    #[error(
        "search for a PNC ID, a CRN or a name; a name may contain only letters, spaces, hyphens, \
         apostrophes, commas and full stops (found '{0}')"
    )]
    Character(char),
    /// Nothing to match the family name against (", ann", or punctuation only).
    #[error(
        "a name search needs the start of a family name, with at least one letter: \"smi\", \
         \"john smi\" or \"smith, jo\""
    )]
    NoFamilyName,
    /// "smith, john, x".
    #[error("a name search has at most one comma: \"family name, given name\"")]
    TooManyCommas,
}

impl PeopleSearch {
    /// Parses a search. Blank means no search (`Ok(None)`). A PNC ID (long or short form) or a CRN is an
    /// exact match; anything else is a name: one word is the start of a family name; several words are
    /// given name(s) then the start of the family name (`john smi`); with a comma, the family name comes
    /// first (`smith, jo`, which also reaches family names with spaces: `ap rhys, gw`). Case, punctuation
    /// that [`name_key`] drops, and extra whitespace do not matter.
    pub fn parse(input: &str) -> Result<Option<Self>, SearchError> {
        let text = input.trim();
        if text.is_empty() {
            return Ok(None);
        }
        if text.chars().count() > SEARCH_MAX_CHARS {
            return Err(SearchError::TooLong);
        }
        if let Ok(pnc) = PncId::parse(text) {
            return Ok(Some(Self::Pnc(pnc)));
        }
        if let Ok(crn) = Crn::parse(text) {
            return Ok(Some(Self::Crn(crn)));
        }
        if text.chars().any(|c| c.is_ascii_digit() || c == '/') {
            return Err(SearchError::Identifier);
        }
        if let Some(bad) = text
            .chars()
            .find(|c| !(is_name_char(*c) || c.is_whitespace() || *c == ','))
        {
            return Err(SearchError::Character(bad));
        }
        let (family, given) = match text.split_once(',') {
            Some((_, after)) if after.contains(',') => return Err(SearchError::TooManyCommas),
            Some((family, given)) => (name_key(family), name_key(given)),
            None => {
                let key = name_key(text);
                match key.rsplit_once(' ') {
                    Some((given, family)) => (family.to_owned(), given.to_owned()),
                    None => (key, String::new()),
                }
            }
        };
        if !family.chars().any(char::is_alphabetic) {
            return Err(SearchError::NoFamilyName);
        }
        Ok(Some(Self::Name(NamePrefix {
            family,
            given: Some(given).filter(|given| !given.is_empty()),
        })))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    fn name(family: &str, given: Option<&str>) -> Option<PeopleSearch> {
        Some(PeopleSearch::Name(NamePrefix {
            family: family.to_owned(),
            given: given.map(str::to_owned),
        }))
    }

    #[test]
    fn keys_are_lower_case_without_dots_apostrophes_or_extra_spaces() {
        assert_eq!(name_key("  Smith  "), "smith");
        assert_eq!(name_key("J. R.   O’Brien"), "j r obrien");
        assert_eq!(name_key("J.R. O'Brien"), "j r obrien");
        assert_eq!(name_key("St.John"), "st john");
        assert_eq!(name_key("O'Neill"), "oneill");
        assert_eq!(name_key("Mary\tAnne"), "mary anne");
        assert_eq!(name_key("Smith-Jones"), "smith-jones");
        assert_eq!(name_key("ÉLODIE Ŵyn"), "élodie ŵyn");
        assert_eq!(name_key("Ann . Lee"), "ann lee");
        assert_eq!(name_key(". Lee ."), "lee");
        assert_eq!(name_key("' Lee"), "lee");
        assert_eq!(name_key(" . "), "");
    }

    #[test]
    fn upper_bounds_follow_the_last_character() {
        assert_eq!(prefix_upper_bound("smi").as_deref(), Some("smj"));
        assert_eq!(prefix_upper_bound("o").as_deref(), Some("p"));
        assert_eq!(prefix_upper_bound("z").as_deref(), Some("{"));
        assert_eq!(prefix_upper_bound("llŷ").as_deref(), Some("llŸ"));
        assert_eq!(
            prefix_upper_bound("a\u{D7FF}").as_deref(),
            Some("a\u{E000}")
        );
        assert_eq!(
            prefix_upper_bound("ab\u{10FFFF}").as_deref(),
            Some("ac"),
            "the last code point has no successor: the one before it moves up"
        );
        assert_eq!(prefix_upper_bound("\u{10FFFF}\u{10FFFF}"), None);
        assert_eq!(prefix_upper_bound(""), None);
    }

    proptest! {
        /// Every string starting with the prefix is inside [prefix, bound), compared as UTF-8 bytes
        /// (as PostgreSQL's "C" collation and SQLite's BINARY compare).
        #[test]
        fn a_prefix_range_holds_exactly_the_strings_with_the_prefix(
            prefix in "\\PC{0,4}", rest in "\\PC{0,4}", other in "\\PC{0,6}",
        ) {
            let bound = prefix_upper_bound(&prefix);
            let in_range = |s: &str| {
                s.as_bytes() >= prefix.as_bytes()
                    && bound.as_ref().is_none_or(|b| s.as_bytes() < b.as_bytes())
            };
            let with_prefix = format!("{prefix}{rest}");
            prop_assert!(in_range(&with_prefix));
            prop_assert_eq!(in_range(&other), other.starts_with(&prefix));
        }

        #[test]
        fn keys_are_stable(name in "\\PC{0,20}") {
            let key = name_key(&name);
            prop_assert_eq!(name_key(&key), key.clone());
            prop_assert!(!key.starts_with(' ') && !key.ends_with(' ') && !key.contains("  "));
        }
    }

    #[test]
    fn one_word_is_the_start_of_a_family_name() {
        assert_eq!(PeopleSearch::parse("  SMI ").unwrap(), name("smi", None));
        assert_eq!(PeopleSearch::parse("o’bri").unwrap(), name("obri", None));
        assert_eq!(PeopleSearch::parse("").unwrap(), None);
        assert_eq!(PeopleSearch::parse("   ").unwrap(), None);
    }

    #[test]
    fn several_words_are_given_names_then_a_family_name() {
        assert_eq!(
            PeopleSearch::parse("John  Smi").unwrap(),
            name("smi", Some("john"))
        );
        assert_eq!(
            PeopleSearch::parse("mary ann wil").unwrap(),
            name("wil", Some("mary ann"))
        );
        assert_eq!(
            PeopleSearch::parse("J. Smith").unwrap(),
            name("smith", Some("j"))
        );
        assert_eq!(
            PeopleSearch::parse("J.R.Hartley").unwrap(),
            name("hartley", Some("j r"))
        );
    }

    #[test]
    fn a_comma_puts_the_family_name_first() {
        assert_eq!(
            PeopleSearch::parse("Smith, Jo").unwrap(),
            name("smith", Some("jo"))
        );
        assert_eq!(
            PeopleSearch::parse("ap Rhys,gwen").unwrap(),
            name("ap rhys", Some("gwen"))
        );
        assert_eq!(PeopleSearch::parse("smith,").unwrap(), name("smith", None));
        assert_eq!(PeopleSearch::parse(", jo"), Err(SearchError::NoFamilyName));
        assert_eq!(
            PeopleSearch::parse("a, b, c"),
            Err(SearchError::TooManyCommas)
        );
    }

    #[test]
    fn identifiers_are_exact_matches() {
        let letter = crate::pnc::pnc_check_letter(2003, 12345);
        assert_eq!(
            PeopleSearch::parse(&format!("03/12345{}", letter.to_ascii_lowercase())).unwrap(),
            Some(PeopleSearch::Pnc(
                PncId::parse(&format!("2003/0012345{letter}")).unwrap()
            ))
        );
        assert_eq!(
            PeopleSearch::parse(" x123456 ").unwrap(),
            Some(PeopleSearch::Crn(Crn::parse("X123456").unwrap()))
        );
    }

    #[test]
    fn rejects_what_cannot_be_a_name() {
        assert_eq!(PeopleSearch::parse("sm%"), Err(SearchError::Character('%')));
        assert_eq!(PeopleSearch::parse("a_b"), Err(SearchError::Character('_')));
        assert_eq!(
            PeopleSearch::parse("smith;"),
            Err(SearchError::Character(';'))
        );
        for bad in ["2003/0012345A", "r2d2", "X12345"] {
            assert_eq!(
                PeopleSearch::parse(bad),
                Err(SearchError::Identifier),
                "{bad}"
            );
        }
        assert_eq!(PeopleSearch::parse("- ."), Err(SearchError::NoFamilyName));
        assert_eq!(
            PeopleSearch::parse(&"a".repeat(SEARCH_MAX_CHARS + 1)),
            Err(SearchError::TooLong)
        );
        assert!(PeopleSearch::parse(&"ŵ".repeat(SEARCH_MAX_CHARS)).is_ok());
    }
}
