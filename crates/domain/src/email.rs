//! Email addresses for reminders and staff accounts.
//!
//! Validation is pragmatic, not RFC 5322: it catches the mistakes people actually make (no @,
//! spaces, missing domain) and leaves deliverability to the mail server. The domain is
//! lower-cased because domains are case-insensitive; the local part is kept as typed because,
//! strictly, it is not.

use serde::{Deserialize, Serialize};

use crate::newtype_macro::string_newtype;

/// Maximum length of a whole address (RFC 5321 path limit minus the angle brackets).
pub const EMAIL_MAX_LEN: usize = 254;
/// Maximum length of the part before the @ (RFC 5321).
pub const EMAIL_LOCAL_MAX_LEN: usize = 64;

/// A plausibly deliverable email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

/// Why a string is not an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing given.
    #[error("an email address is required")]
    Empty,
    /// Longer than 254 characters.
    #[error("an email address may be at most 254 characters long")]
    TooLong,
    /// Spaces or control characters inside the address.
    #[error("an email address cannot contain spaces")]
    Whitespace,
    /// No @ or more than one.
    #[error("an email address must contain exactly one @")]
    At,
    /// Empty or over-long part before the @.
    #[error("the part before the @ must be 1 to 64 characters long")]
    Local,
    /// Domain missing a dot or with an empty label.
    #[error("the part after the @ must be a domain such as example.org")]
    Domain,
}

impl EmailAddress {
    /// Parses an address, trimming surrounding whitespace and lower-casing the domain.
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let text = input.trim();
        if text.is_empty() {
            return Err(EmailError::Empty);
        }
        if text.chars().count() > EMAIL_MAX_LEN {
            return Err(EmailError::TooLong);
        }
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(EmailError::Whitespace);
        }
        let mut parts = text.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(EmailError::At);
        };
        if local.is_empty() || local.chars().count() > EMAIL_LOCAL_MAX_LEN {
            return Err(EmailError::Local);
        }
        let domain_ok = domain.contains('.') && domain.split('.').all(|label| !label.is_empty());
        if !domain_ok {
            return Err(EmailError::Domain);
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    /// The domain part (after the @), lower case.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

string_newtype!(EmailAddress, EmailError);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn lowercases_only_the_domain() {
        let e = EmailAddress::parse("  Jo.Bloggs+iom@Example.GOV.uk ").unwrap();
        assert_eq!(e.as_str(), "Jo.Bloggs+iom@example.gov.uk");
        assert_eq!(e.domain(), "example.gov.uk");
    }

    #[test]
    fn rejects_common_mistakes() {
        assert_eq!(EmailAddress::parse(" "), Err(EmailError::Empty));
        assert_eq!(
            EmailAddress::parse("jo bloggs@x.org"),
            Err(EmailError::Whitespace)
        );
        assert_eq!(EmailAddress::parse("jo.example.org"), Err(EmailError::At));
        assert_eq!(EmailAddress::parse("a@b@c.org"), Err(EmailError::At));
        assert_eq!(EmailAddress::parse("@example.org"), Err(EmailError::Local));
        assert_eq!(EmailAddress::parse("jo@localhost"), Err(EmailError::Domain));
        assert_eq!(
            EmailAddress::parse("jo@example..org"),
            Err(EmailError::Domain)
        );
        assert_eq!(EmailAddress::parse("jo@.org"), Err(EmailError::Domain));
        let long_local = format!("{}@example.org", "a".repeat(65));
        assert_eq!(EmailAddress::parse(&long_local), Err(EmailError::Local));
        let long = format!("a@{}.org", "b".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
        assert!(EmailAddress::parse(&format!("{}@example.org", "a".repeat(64))).is_ok());
    }

    #[test]
    fn serde_validates() {
        assert!(serde_json::from_str::<EmailAddress>("\"nope\"").is_err());
        let e: EmailAddress = serde_json::from_str("\"a@B.org\"").unwrap();
        assert_eq!(serde_json::to_string(&e).unwrap(), "\"a@b.org\"");
    }
}
