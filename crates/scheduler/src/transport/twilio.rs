//! Twilio's Programmable Messaging API (<https://www.twilio.com/docs/messaging/api/message-resource>).
//!
//! Twilio keeps no reference of ours, so it cannot say whether a send whose result was lost went
//! through: [`TwilioSms::supports_lookup`] is false, and the caller must not resend such a message.
//! Twilio's error messages quote the phone number, so they are read by code, never passed on.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::{Accepted, Lookup, OutgoingSms, SmsTransport, TransportError, check_reference, http};

const PROVIDER: &str = "Twilio";

#[derive(Debug, Deserialize)]
struct MessageResource {
    sid: String,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    code: Option<u32>,
}

/// Sends texts through Twilio from one number (or messaging service id) with basic auth.
#[derive(Debug)]
pub struct TwilioSms {
    client: reqwest::Client,
    base_url: String,
    account_sid: String,
    auth_token: SecretString,
    from: String,
    status_callback: Option<String>,
}

impl TwilioSms {
    /// `base_url` is `https://api.twilio.com` in production; `from` is our number in E.164 form.
    pub fn new(
        base_url: &str,
        account_sid: String,
        auth_token: SecretString,
        from: String,
        timeout: Duration,
    ) -> Result<Self, TransportError> {
        let account_sid = account_sid.trim().to_owned();
        if account_sid.is_empty() || !account_sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TransportError::Misconfigured(
                "the Twilio account SID must be letters and digits (it starts AC)".to_owned(),
            ));
        }
        if auth_token.expose_secret().trim().is_empty() {
            return Err(TransportError::Misconfigured(
                "the Twilio auth token is empty".to_owned(),
            ));
        }
        if from.trim().is_empty() {
            return Err(TransportError::Misconfigured(
                "the Twilio sending number is empty".to_owned(),
            ));
        }
        Ok(Self {
            client: http::client(timeout)?,
            base_url: http::base_url(PROVIDER, base_url)?,
            account_sid,
            auth_token,
            from: from.trim().to_owned(),
            status_callback: None,
        })
    }

    /// Asks Twilio to post delivery receipts to `status_callback`. Each message's reference is
    /// added to the URL as `?reference=…`, so a receipt can be matched even when the send's answer
    /// (and so Twilio's sid) was lost.
    pub fn with_status_callback(mut self, status_callback: Option<String>) -> Self {
        self.status_callback = status_callback.filter(|url| !url.trim().is_empty());
        self
    }

    fn messages_url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.base_url, self.account_sid
        )
    }

    fn callback_for(&self, reference: &str) -> Result<Option<String>, TransportError> {
        let Some(callback) = &self.status_callback else {
            return Ok(None);
        };
        let mut url = reqwest::Url::parse(callback).map_err(|e| {
            TransportError::Misconfigured(format!(
                "the Twilio status callback URL is not valid: {e}"
            ))
        })?;
        url.query_pairs_mut().append_pair("reference", reference);
        Ok(Some(url.into()))
    }
}

#[async_trait::async_trait]
impl SmsTransport for TwilioSms {
    fn name(&self) -> &'static str {
        "twilio"
    }

    async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, TransportError> {
        check_reference(&sms.reference)?;
        let mut form: Vec<(&str, String)> = vec![
            ("To", sms.to.clone()),
            ("From", self.from.clone()),
            ("Body", sms.body.clone()),
        ];
        if let Some(callback) = self.callback_for(&sms.reference)? {
            form.push(("StatusCallback", callback));
        }
        let response = self
            .client
            .post(self.messages_url())
            .basic_auth(&self.account_sid, Some(self.auth_token.expose_secret()))
            .form(&form)
            .send()
            .await
            .map_err(|e| http::request_failed(PROVIDER, e))?;
        let status = response.status();
        if let Some(error) = http::common_failure(PROVIDER, status, response.headers()) {
            return Err(error);
        }
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            let code = serde_json::from_str::<ErrorBody>(&body)
                .ok()
                .and_then(|e| e.code);
            return Err(read_error_code(code));
        }
        let message: MessageResource = response.json().await.map_err(|e| {
            TransportError::Unavailable(format!(
                "{PROVIDER} accepted the message but its answer could not be read ({}); do not resend it",
                e.without_url()
            ))
        })?;
        Ok(Accepted {
            provider_id: message.sid,
        })
    }

    async fn lookup(&self, _reference: &str) -> Result<Lookup, TransportError> {
        Err(TransportError::Misconfigured(
            "lookup not supported: Twilio cannot find a message by our reference".to_owned(),
        ))
    }

    fn supports_lookup(&self) -> bool {
        false
    }
}

/// Twilio's 4xx error codes (<https://www.twilio.com/docs/api/errors>) in plain English. Codes about
/// our account or sending number are configuration; the rest are about this message.
fn read_error_code(code: Option<u32>) -> TransportError {
    let rejected = |reason: &str| TransportError::Rejected(reason.to_owned());
    match code {
        Some(21211) => rejected("the mobile number is not valid"),
        Some(21614) => rejected("the number is not a mobile number and cannot receive texts"),
        Some(21608) | Some(21219) => {
            rejected("the service is in trial mode and cannot text this number")
        }
        Some(21610) => rejected(
            "the person has replied STOP to our texts; they must reply START before they can be texted again",
        ),
        Some(21612) => rejected("the provider cannot deliver a text to this number"),
        Some(21408) => rejected("the service is not allowed to text numbers in this country"),
        Some(21617) | Some(30034) => rejected("the message is too long to send as a text"),
        Some(21602) => rejected("the message is empty"),
        Some(21604) => rejected("there is no mobile number to send to"),
        Some(code @ (20003 | 20404 | 21212 | 21606 | 21659 | 21660)) => {
            TransportError::Misconfigured(format!(
                "Twilio refused our account or sending number (error {code}); check the Twilio settings"
            ))
        }
        Some(code) => TransportError::Rejected(format!(
            "the SMS provider refused the message (Twilio error {code})"
        )),
        None => rejected("the SMS provider refused the message without saying why"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipient_errors_are_plain_english() {
        assert_eq!(
            read_error_code(Some(21211)),
            TransportError::Rejected("the mobile number is not valid".into())
        );
        assert_eq!(
            read_error_code(Some(21608)),
            TransportError::Rejected(
                "the service is in trial mode and cannot text this number".into()
            )
        );
        assert!(matches!(
            read_error_code(Some(99999)),
            TransportError::Rejected(reason) if reason.contains("99999")
        ));
        assert!(matches!(read_error_code(None), TransportError::Rejected(_)));
    }

    #[test]
    fn sending_number_errors_are_configuration() {
        assert!(matches!(
            read_error_code(Some(21659)),
            TransportError::Misconfigured(_)
        ));
    }
}
