//! GOV.UK Notify's 400 answers, read into a reason an officer (or an administrator) can act on.
//!
//! Notify answers `{"status_code": 400, "errors": [{"error": "BadRequestError", "message": "..."}]}`.
//! Messages about the recipient or the text become [`TransportError::Rejected`] in plain English;
//! messages about our template or service become [`TransportError::Misconfigured`], because every
//! other message would fail the same way.

use serde::Deserialize;

use super::TransportError;

#[derive(Debug, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Debug, Deserialize)]
struct ErrorItem {
    #[serde(default)]
    message: String,
}

/// Which side has to fix it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// This message: the number or the text.
    Message,
    /// Our Notify service, key or template.
    Configuration,
}

/// Known Notify messages (matched case-insensitively on a fragment), the reading we give them, and
/// whose fault it is. Earlier entries win.
const KNOWN: &[(&str, &str, Fault)] = &[
    (
        "team-only api key",
        "the service is in trial mode and cannot text this number",
        Fault::Message,
    ),
    (
        "trial mode",
        "the service is in trial mode and cannot text this number",
        Fault::Message,
    ),
    (
        "not a uk mobile number",
        "the mobile number is not a valid UK mobile",
        Fault::Message,
    ),
    (
        "not enough digits",
        "the mobile number has too few digits",
        Fault::Message,
    ),
    (
        "too many digits",
        "the mobile number has too many digits",
        Fault::Message,
    ),
    (
        "must not contain letters or symbols",
        "the mobile number must not contain letters or symbols",
        Fault::Message,
    ),
    (
        "not a valid country prefix",
        "the mobile number's country code is not valid",
        Fault::Message,
    ),
    (
        "international",
        "the service is not allowed to text international numbers",
        Fault::Message,
    ),
    (
        "phone_number is a required property",
        "there is no mobile number to send to",
        Fault::Message,
    ),
    (
        "cannot be longer than",
        "the message is too long to send as a text",
        Fault::Message,
    ),
    (
        "empty or just whitespace",
        "the message is empty",
        Fault::Message,
    ),
    (
        "template not found",
        "the Notify template id is not a template of this service",
        Fault::Configuration,
    ),
    (
        "template_id",
        "the Notify template id is not valid",
        Fault::Configuration,
    ),
    (
        "missing personalisation",
        "the Notify template must contain a ((body)) placeholder and nothing else to fill in",
        Fault::Configuration,
    ),
    (
        "cannot send text messages",
        "the Notify service is not allowed to send text messages",
        Fault::Configuration,
    ),
];

/// Reads a Notify 4xx body (other than 401/403/404/429, which every provider shares).
pub(crate) fn read_rejection(status: u16, body: &str) -> TransportError {
    let messages: Vec<String> = serde_json::from_str::<ErrorBody>(body)
        .map(|parsed| parsed.errors.into_iter().map(|e| e.message).collect())
        .unwrap_or_default();
    let messages: Vec<&str> = messages
        .iter()
        .map(|m| m.trim())
        .filter(|m| !m.is_empty())
        .collect();
    if messages.is_empty() {
        return TransportError::Rejected(format!(
            "GOV.UK Notify refused the message (HTTP {status}) without saying why"
        ));
    }

    let mut reasons: Vec<String> = Vec::new();
    let mut fault = Fault::Message;
    for message in messages {
        let (reason, this_fault) = translate(message);
        if this_fault == Fault::Configuration {
            fault = Fault::Configuration;
        }
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    let reason = reasons.join("; ");
    match fault {
        Fault::Message => TransportError::Rejected(reason),
        Fault::Configuration => TransportError::Misconfigured(reason),
    }
}

fn translate(message: &str) -> (String, Fault) {
    let lower = message.to_lowercase();
    KNOWN
        .iter()
        .find(|(fragment, _, _)| lower.contains(fragment))
        .map_or_else(
            || {
                (
                    format!("GOV.UK Notify refused the message: {message}"),
                    Fault::Message,
                )
            },
            |(_, reading, fault)| ((*reading).to_owned(), *fault),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(messages: &[&str]) -> String {
        let errors: Vec<_> = messages
            .iter()
            .map(|m| serde_json::json!({"error": "BadRequestError", "message": m}))
            .collect();
        serde_json::json!({"status_code": 400, "errors": errors}).to_string()
    }

    #[test]
    fn recipient_problems_become_plain_english() {
        assert_eq!(
            read_rejection(400, &body(&["phone_number Not a UK mobile number"])),
            TransportError::Rejected("the mobile number is not a valid UK mobile".into())
        );
        assert_eq!(
            read_rejection(
                400,
                &body(&["Can't send to this recipient using a team-only API key"])
            ),
            TransportError::Rejected(
                "the service is in trial mode and cannot text this number".into()
            )
        );
        assert_eq!(
            read_rejection(
                400,
                &body(&[
                    "Can't send to this recipient when service is in trial mode - see https://www.notifications.service.gov.uk/trial-mode"
                ])
            ),
            TransportError::Rejected(
                "the service is in trial mode and cannot text this number".into()
            )
        );
    }

    #[test]
    fn template_problems_are_configuration() {
        assert_eq!(
            read_rejection(400, &body(&["Template not found"])),
            TransportError::Misconfigured(
                "the Notify template id is not a template of this service".into()
            )
        );
        assert!(matches!(
            read_rejection(400, &body(&["Missing personalisation: body"])),
            TransportError::Misconfigured(_)
        ));
    }

    #[test]
    fn unknown_messages_are_passed_on() {
        assert_eq!(
            read_rejection(400, &body(&["Something new"])),
            TransportError::Rejected("GOV.UK Notify refused the message: Something new".into())
        );
    }

    #[test]
    fn several_errors_are_joined_once_each() {
        assert_eq!(
            read_rejection(
                400,
                &body(&[
                    "phone_number Too many digits",
                    "Text messages cannot be longer than 918 characters. Your message is 1000 characters",
                    "phone_number Too many digits",
                ])
            ),
            TransportError::Rejected(
                "the mobile number has too many digits; the message is too long to send as a text"
                    .into()
            )
        );
    }

    #[test]
    fn a_body_that_is_not_notify_json_still_gives_a_reason() {
        assert!(matches!(
            read_rejection(400, "<html>bad request</html>"),
            TransportError::Rejected(reason) if reason.contains("400")
        ));
    }
}
