//! Notification transports: how a text or an email actually leaves Vigil.
//!
//! SMS goes through GOV.UK Notify ([`NotifySms`]) or Twilio ([`TwilioSms`]); email through SMTP
//! ([`SmtpEmail`]); in development both are written to an outbox folder ([`LogSms`], [`LogEmail`]).
//! [`RateLimitedSms`] wraps any SMS transport to stay under the provider's request rate.
//!
//! Personal data stays out of logs and error messages: a transport logs the message's opaque
//! `reference` and sizes, never a phone number, an address or a body.

mod http;
pub mod log;
pub mod notify;
mod notify_errors;
pub mod rate_limit;
pub mod smtp;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
pub mod twilio;

use std::fmt;
use std::time::Duration;

pub use self::log::{LogEmail, LogSms};
pub use self::notify::{NotifyApiKey, NotifySms};
pub use self::rate_limit::{RateLimitedSms, RateLimiter, TokenBucket};
pub use self::smtp::SmtpEmail;
pub use self::twilio::TwilioSms;
// The signature check lives in the domain crate so the API's webhooks share it.
pub use vigil_domain::{twilio_signature, verify_twilio_signature};

/// A text message to send. `Debug` shows only the reference and sizes, so that logging one by
/// accident does not leak the number or the text.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingSms {
    /// The recipient in E.164 form, e.g. `+447700900123`.
    pub to: String,
    pub body: String,
    /// Opaque id of the notification (never a name or a case number); providers echo it back.
    pub reference: String,
}

/// An email to send. `Debug` shows only the reference and sizes.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// Opaque id of the notification (never a name or a case number).
    pub reference: String,
}

/// The provider took the message; `provider_id` is its id for it (delivery receipts quote it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub provider_id: String,
}

/// Why a send (or a lookup) did not go through, which decides whether it is tried again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// The provider asked us to slow down (HTTP 429): try again after `retry_after`.
    #[error("the provider is rate limiting requests; retry after {retry_after:?}")]
    RateLimited { retry_after: Duration },
    /// The provider did not answer clearly and **may have taken the message**: a timeout or a dropped
    /// connection after the request (or the email's data) was sent, an HTTP 5xx, an answer that could
    /// not be read. Try again later, but before resending ask [`SmsTransport::lookup`] where supported;
    /// where it is not, the message must not be resent blindly.
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider certainly did not take the message: the connection was refused or timed out, TLS
    /// failed, before any of it was sent; or the mail server answered "try later" (SMTP 4xx) instead of
    /// accepting it. Try again later; resending cannot duplicate it.
    #[error("the provider did not take the message: {0}")]
    NotAccepted(String),
    /// The provider refused this message (4xx validation). The text is a plain-English reason an
    /// officer can act on, such as "the mobile number is not valid". Trying again will not help.
    #[error("{0}")]
    Rejected(String),
    /// Our key or configuration is wrong (401/403 from the provider, a malformed key, a bad URL).
    /// Never retried: every message would fail the same way until an administrator fixes it.
    #[error("the transport is misconfigured: {0}")]
    Misconfigured(String),
}

/// Provider's default wait when it answers 429 without a usable `Retry-After`.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);

impl TransportError {
    /// Whether the same message may succeed if sent again later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            TransportError::RateLimited { .. }
                | TransportError::Unavailable(_)
                | TransportError::NotAccepted(_)
        )
    }
}

/// What a provider knows about a message we sent, found by our reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    NotFound,
    Found { provider_id: String, status: String },
}

/// Sends text messages.
#[async_trait::async_trait]
pub trait SmsTransport: Send + Sync + std::fmt::Debug {
    /// Short, stable name for logs and metrics (`notify`, `twilio`, `log`).
    fn name(&self) -> &'static str;

    async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, TransportError>;

    /// Looks a message up by our reference, to find out whether a send whose result was lost went through.
    async fn lookup(&self, reference: &str) -> Result<Lookup, TransportError>;

    /// Whether [`SmsTransport::lookup`] can answer. When it cannot (Twilio), a send whose result was
    /// lost must be treated as "may have gone": do not resend it, or the person may get it twice.
    fn supports_lookup(&self) -> bool {
        true
    }
}

/// Sends emails.
#[async_trait::async_trait]
pub trait EmailTransport: Send + Sync + std::fmt::Debug {
    async fn send(&self, email: &OutgoingEmail) -> Result<Accepted, TransportError>;
}

impl fmt::Debug for OutgoingSms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingSms")
            .field("reference", &self.reference)
            .field("body_chars", &self.body.chars().count())
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for OutgoingEmail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingEmail")
            .field("reference", &self.reference)
            .field("body_chars", &self.body.chars().count())
            .finish_non_exhaustive()
    }
}

/// Longest reference we accept (GOV.UK Notify allows far more; ours are uuids).
const MAX_REFERENCE_LEN: usize = 100;

/// Checks that a reference is safe to use as a file name, a mail header and a query parameter:
/// 1 to 100 ASCII letters, digits, `-`, `_` or `.`, not starting with a dot.
pub(crate) fn check_reference(reference: &str) -> Result<(), TransportError> {
    let safe = !reference.is_empty()
        && reference.len() <= MAX_REFERENCE_LEN
        && !reference.starts_with('.')
        && reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if safe {
        Ok(())
    } else {
        Err(TransportError::Rejected(
            "the message reference must be 1 to 100 letters, digits, '-', '_' or '.'".to_owned(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_that_are_safe_everywhere_pass() {
        for reference in ["0190d7a4-8c1e-7b3a-9f00-123456789abc", "n_1.sms", "A"] {
            assert_eq!(check_reference(reference), Ok(()), "{reference}");
        }
    }

    #[test]
    fn references_that_could_escape_a_folder_or_a_header_fail() {
        let long = "a".repeat(101);
        for reference in [
            "",
            "../etc/passwd",
            ".hidden",
            "a/b",
            "a\r\nBcc: x",
            "café",
            &long,
        ] {
            assert!(
                matches!(check_reference(reference), Err(TransportError::Rejected(_))),
                "{reference:?}"
            );
        }
    }

    #[test]
    fn debug_output_hides_the_number_and_the_text() {
        let sms = OutgoingSms {
            to: "+447700900123".to_owned(),
            body: "Your appointment is at 10:00".to_owned(),
            reference: "ref-1".to_owned(),
        };
        let shown = format!("{sms:?}");
        assert!(shown.contains("ref-1"));
        assert!(!shown.contains("+447700900123"));
        assert!(!shown.contains("appointment"));
    }

    #[test]
    fn only_rate_limits_outages_and_refusals_to_connect_are_retried() {
        assert!(
            TransportError::RateLimited {
                retry_after: Duration::from_secs(7)
            }
            .is_retryable()
        );
        assert!(TransportError::Unavailable("down".into()).is_retryable());
        assert!(TransportError::NotAccepted("refused".into()).is_retryable());
        assert!(!TransportError::Rejected("bad number".into()).is_retryable());
        assert!(!TransportError::Misconfigured("bad key".into()).is_retryable());
    }
}
