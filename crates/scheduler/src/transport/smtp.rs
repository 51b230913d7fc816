//! Email over SMTP with lettre.
//!
//! The URL says how to connect: `smtp://host:587?tls=required` (STARTTLS, refused without it),
//! `smtp://host?tls=opportunistic`, `smtps://host:465` (TLS from the start), and `smtp://host:25` or
//! `smtp://host:25?tls=none` (plain, for a relay on the same network or a test server). Credentials go
//! in the URL (`smtp://user:password@host…`); the URL is a secret and never appears in an error.

use std::time::Duration;

use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

use super::{Accepted, EmailTransport, OutgoingEmail, TransportError, check_reference};

/// How long one SMTP conversation may take before it counts as the server being unavailable.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// The header that carries our reference, so a bounce or a mail log can be matched to the notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VigilReference(pub String);

impl Header for VigilReference {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("X-Vigil-Reference")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim().to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// Sends plain-text UTF-8 emails through one SMTP server, from one address.
#[derive(Debug, Clone)]
pub struct SmtpEmail {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The right-hand side of our Message-IDs: the sender's domain.
    message_id_domain: String,
}

impl SmtpEmail {
    /// `from` is an address, optionally with a name: `Vigil <reminders@example.gov.uk>`.
    pub fn from_url(url: &SecretString, from: &str) -> Result<Self, TransportError> {
        let from: Mailbox = from.trim().parse().map_err(|_| {
            TransportError::Misconfigured("the email sender address is not valid".to_owned())
        })?;
        let url = lettre_url(url.expose_secret())?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
            .map_err(|_| {
                TransportError::Misconfigured(
                    "the SMTP URL is not valid: use smtp://host:port (add ?tls=required for STARTTLS \
                     or ?tls=none for plain) or smtps://host:port"
                        .to_owned(),
                )
            })?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        let message_id_domain = from.email.domain().to_owned();
        Ok(Self {
            transport,
            from,
            message_id_domain,
        })
    }

    fn message(&self, email: &OutgoingEmail) -> Result<(Message, String), TransportError> {
        let to: Mailbox =
            email.to.trim().parse().map_err(|_| {
                TransportError::Rejected("the email address is not valid".to_owned())
            })?;
        let message_id = format!("{}@{}", email.reference, self.message_id_domain);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .message_id(Some(format!("<{message_id}>")))
            .header(VigilReference(email.reference.clone()))
            .header(ContentType::TEXT_PLAIN)
            .body(email.body.clone())
            .map_err(|e| TransportError::Rejected(format!("the email cannot be built: {e}")))?;
        Ok((message, message_id))
    }
}

#[async_trait::async_trait]
impl EmailTransport for SmtpEmail {
    async fn send(&self, email: &OutgoingEmail) -> Result<Accepted, TransportError> {
        check_reference(&email.reference)?;
        let (message, message_id) = self.message(email)?;
        self.transport
            .send(message)
            .await
            .map_err(|e| read_smtp_error(&e))?;
        Ok(Accepted {
            provider_id: message_id,
        })
    }
}

/// lettre has no `tls=none`: plain SMTP is `smtp://` with no `tls` parameter, so drop it.
fn lettre_url(url: &str) -> Result<String, TransportError> {
    let mut parsed = url::Url::parse(url.trim())
        .map_err(|_| TransportError::Misconfigured("the SMTP URL is not a URL".to_owned()))?;
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if pairs.iter().any(|(k, v)| k == "tls" && v == "none") {
        if parsed.scheme() != "smtp" {
            return Err(TransportError::Misconfigured(
                "tls=none only makes sense with smtp://, not smtps://".to_owned(),
            ));
        }
        let kept: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k != "tls").collect();
        if kept.is_empty() {
            parsed.set_query(None);
        } else {
            parsed.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    Ok(parsed.into())
}

/// Transient replies (4xx) and failures to connect or talk are worth retrying; permanent replies
/// (5xx) are not. An authentication failure is our configuration, not the message. The server's
/// text is left out: it often quotes the address.
///
/// Whether the message may have gone decides how it is retried. A reply (4xx or 5xx) at any step, even
/// to the end of the data, means the server did not take it (RFC 5321 4.2.5: only a 2xx there accepts
/// the message); so does a failure to connect, to agree TLS, or a client-side refusal before the
/// conversation. Only a broken or timed-out conversation, or an unreadable reply, may hide a message
/// the server took.
fn read_smtp_error(error: &SmtpError) -> TransportError {
    let code = error.status().map(u16::from);
    if error.is_permanent() {
        return match code {
            Some(530 | 534 | 535 | 538) => TransportError::Misconfigured(format!(
                "the mail server refused our login ({}); check the SMTP credentials",
                code.unwrap_or_default()
            )),
            Some(550 | 551 | 553) => TransportError::Rejected(format!(
                "the mail server refused the email address (SMTP {})",
                code.unwrap_or_default()
            )),
            Some(552) => TransportError::Rejected(
                "the email is too large for the mail server (SMTP 552)".to_owned(),
            ),
            Some(code) => {
                TransportError::Rejected(format!("the mail server refused the email (SMTP {code})"))
            }
            None => TransportError::Rejected("the mail server refused the email".to_owned()),
        };
    }
    if error.is_transient() {
        return TransportError::NotAccepted(format!(
            "the mail server asked us to try later (SMTP {})",
            code.unwrap_or_default()
        ));
    }
    if is_connection_failure(error) {
        // Checked before the timeout: a connect that timed out sent nothing.
        return TransportError::NotAccepted(
            "the mail server could not be reached, or TLS with it failed".to_owned(),
        );
    }
    if error.is_tls() || error.is_client() {
        return TransportError::NotAccepted(
            "the mail server could not be talked to (TLS or protocol)".to_owned(),
        );
    }
    let what = if error.is_timeout() {
        "timed out"
    } else {
        "broke off the conversation"
    };
    TransportError::Unavailable(format!("the mail server {what}; the email may have gone"))
}

/// lettre reports a failure to open the connection (resolve, connect, connect timeout, and the TLS
/// handshake of `smtps://` or STARTTLS) as its `Connection` kind, which it does not expose by a method;
/// its `Display` names it. `tests/transport_smtp.rs` pins this against a lettre upgrade.
fn is_connection_failure(error: &SmtpError) -> bool {
    error.to_string().starts_with("Connection error")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(text: &str) -> SecretString {
        SecretString::from(text.to_owned())
    }

    #[test]
    fn tls_none_becomes_plain_smtp() {
        assert_eq!(
            lettre_url("smtp://127.0.0.1:2525?tls=none"),
            Ok("smtp://127.0.0.1:2525".to_owned())
        );
        assert_eq!(
            lettre_url("smtp://u:p@mail.example:25/client.example?tls=none"),
            Ok("smtp://u:p@mail.example:25/client.example".to_owned())
        );
        assert_eq!(
            lettre_url("smtp://mail.example:587?tls=required"),
            Ok("smtp://mail.example:587?tls=required".to_owned())
        );
    }

    #[test]
    fn every_documented_url_form_builds() -> Result<(), TransportError> {
        for url in [
            "smtp://127.0.0.1:2525?tls=none",
            "smtp://127.0.0.1:25",
            "smtp://user:pa%40ss@mail.example:587?tls=required",
            "smtp://mail.example?tls=opportunistic",
            "smtps://user:pass@mail.example:465",
        ] {
            SmtpEmail::from_url(&secret(url), "Vigil <reminders@vigil.example>")?;
        }
        Ok(())
    }

    #[test]
    fn bad_urls_and_senders_are_misconfiguration_without_the_password() {
        for url in [
            "not a url",
            "http://mail.example",
            "smtp://user:hunter2@mail.example?tls=sometimes",
            "smtps://user:hunter2@mail.example?tls=none",
        ] {
            match SmtpEmail::from_url(&secret(url), "reminders@vigil.example") {
                Err(TransportError::Misconfigured(reason)) => {
                    assert!(!reason.contains("hunter2"), "{reason}");
                }
                other => panic!("{url} gave {other:?}"),
            }
        }
        assert!(matches!(
            SmtpEmail::from_url(&secret("smtp://127.0.0.1:25"), "not an address"),
            Err(TransportError::Misconfigured(_))
        ));
    }
}
