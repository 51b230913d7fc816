//! GOV.UK Notify's HTTP API (<https://docs.notifications.service.gov.uk/rest-api.html>).
//!
//! Every request carries `Authorization: Bearer <JWT>`: a fresh HS256 token whose `iss` is the
//! service id and `iat` the current time, signed with the key's secret. Notify refuses tokens more
//! than 30 seconds old, so one is never reused.

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::notify_errors::read_rejection;
use super::{Accepted, Lookup, OutgoingSms, SmsTransport, TransportError, check_reference, http};

const PROVIDER: &str = "GOV.UK Notify";
/// A service id and a secret key: two 36-character uuids joined by a hyphen.
const KEY_TAIL_LEN: usize = 36 + 1 + 36;

/// A Notify API key, `{key_name}-{service_id}-{secret_key}`. The key name may itself contain
/// hyphens, so the ids are read from the end, as Notify's own clients do.
#[derive(Debug, Clone)]
pub struct NotifyApiKey {
    key_name: String,
    service_id: Uuid,
    secret_key: SecretString,
}

impl NotifyApiKey {
    pub fn parse(api_key: &str) -> Result<Self, TransportError> {
        let malformed = || {
            TransportError::Misconfigured(
                "the GOV.UK Notify API key is not in the form {key name}-{service id}-{secret key}; \
                 copy the whole key from Notify's API integration page"
                    .to_owned(),
            )
        };
        let api_key = api_key.trim();
        // The name and the hyphen after it come first; at least one character of name.
        let name_end = api_key
            .len()
            .checked_sub(KEY_TAIL_LEN + 1)
            .filter(|end| *end > 0)
            .ok_or_else(malformed)?;
        let (key_name, rest) = api_key.split_at_checked(name_end).ok_or_else(malformed)?;
        let tail = rest.strip_prefix('-').ok_or_else(malformed)?;
        let (service_id, secret_key) = tail.split_at_checked(36).ok_or_else(malformed)?;
        let secret_key = secret_key.strip_prefix('-').ok_or_else(malformed)?;
        let service_id = parse_hyphenated_uuid(service_id).ok_or_else(malformed)?;
        parse_hyphenated_uuid(secret_key).ok_or_else(malformed)?;
        Ok(Self {
            key_name: key_name.to_owned(),
            service_id,
            secret_key: SecretString::from(secret_key.to_owned()),
        })
    }

    pub fn key_name(&self) -> &str {
        &self.key_name
    }

    pub fn service_id(&self) -> Uuid {
        self.service_id
    }

    /// A bearer token for a request made at `issued_at` (seconds since the Unix epoch).
    pub fn bearer_token(&self, issued_at: i64) -> Result<String, TransportError> {
        let claims = Claims {
            iss: self.service_id.hyphenated().to_string(),
            iat: issued_at,
        };
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(self.secret_key.expose_secret().as_bytes()),
        )
        .map_err(|e| {
            TransportError::Misconfigured(format!("cannot sign the GOV.UK Notify token: {e}"))
        })
    }
}

/// Only the 36-character hyphenated form, as Notify issues it.
fn parse_hyphenated_uuid(text: &str) -> Option<Uuid> {
    (text.len() == 36)
        .then(|| Uuid::try_parse(text).ok())
        .flatten()
}

#[derive(Debug, Serialize)]
struct Claims {
    iss: String,
    iat: i64,
}

#[derive(Debug, Serialize)]
struct SendSmsRequest<'a> {
    phone_number: &'a str,
    template_id: &'a str,
    personalisation: Personalisation<'a>,
    reference: &'a str,
}

/// The template is expected to be just `((body))`: Vigil renders the text itself (Welsh or English).
#[derive(Debug, Serialize)]
struct Personalisation<'a> {
    body: &'a str,
}

#[derive(Debug, Deserialize)]
struct SendSmsResponse {
    id: String,
}

#[derive(Debug, Deserialize)]
struct NotificationsPage {
    #[serde(default)]
    notifications: Vec<Notification>,
}

#[derive(Debug, Deserialize)]
struct Notification {
    id: String,
    #[serde(default)]
    status: String,
}

/// Sends texts through GOV.UK Notify with one template whose content is `((body))`.
#[derive(Debug)]
pub struct NotifySms {
    client: reqwest::Client,
    base_url: String,
    api_key: NotifyApiKey,
    template_id: String,
}

impl NotifySms {
    /// `base_url` is `https://api.notifications.service.gov.uk` in production; `timeout` bounds
    /// each request. Fails with [`TransportError::Misconfigured`] on a malformed key or URL.
    pub fn new(
        base_url: &str,
        api_key: SecretString,
        template_id: String,
        timeout: Duration,
    ) -> Result<Self, TransportError> {
        let api_key = NotifyApiKey::parse(api_key.expose_secret())?;
        if Uuid::try_parse(template_id.trim()).is_err() {
            return Err(TransportError::Misconfigured(
                "the GOV.UK Notify template id is not a uuid".to_owned(),
            ));
        }
        Ok(Self {
            client: http::client(timeout)?,
            base_url: http::base_url(PROVIDER, base_url)?,
            api_key,
            template_id: template_id.trim().to_owned(),
        })
    }

    fn authorised(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::RequestBuilder, TransportError> {
        let token = self.api_key.bearer_token(chrono::Utc::now().timestamp())?;
        Ok(request.bearer_auth(token))
    }

    /// Turns an answer that is not a success into the error it means.
    async fn failure(response: reqwest::Response) -> TransportError {
        let status = response.status();
        if let Some(error) = http::common_failure(PROVIDER, status, response.headers()) {
            return error;
        }
        let body = response.text().await.unwrap_or_default();
        read_rejection(status.as_u16(), &body)
    }
}

#[async_trait::async_trait]
impl SmsTransport for NotifySms {
    fn name(&self) -> &'static str {
        "notify"
    }

    async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, TransportError> {
        check_reference(&sms.reference)?;
        let request = SendSmsRequest {
            phone_number: &sms.to,
            template_id: &self.template_id,
            personalisation: Personalisation { body: &sms.body },
            reference: &sms.reference,
        };
        let response = self
            .authorised(
                self.client
                    .post(format!("{}/v2/notifications/sms", self.base_url))
                    .json(&request),
            )?
            .send()
            .await
            .map_err(|e| http::request_failed(PROVIDER, e))?;
        if !response.status().is_success() {
            return Err(Self::failure(response).await);
        }
        // Accepted, but if we cannot read the id the caller must look the message up before resending.
        let accepted: SendSmsResponse = response.json().await.map_err(|e| {
            TransportError::Unavailable(format!(
                "{PROVIDER} accepted the message but its answer could not be read ({}); look it up before resending",
                e.without_url()
            ))
        })?;
        Ok(Accepted {
            provider_id: accepted.id,
        })
    }

    async fn lookup(&self, reference: &str) -> Result<Lookup, TransportError> {
        check_reference(reference)?;
        let response = self
            .authorised(
                self.client
                    .get(format!("{}/v2/notifications", self.base_url))
                    .query(&[("reference", reference), ("template_type", "sms")]),
            )?
            .send()
            .await
            .map_err(|e| http::request_failed(PROVIDER, e))?;
        if response.status() != StatusCode::OK {
            return Err(Self::failure(response).await);
        }
        let page: NotificationsPage = response.json().await.map_err(|e| {
            TransportError::Unavailable(format!(
                "{PROVIDER}'s list of notifications could not be read: {}",
                e.without_url()
            ))
        })?;
        // Newest first; a reference is sent once, so there is at most one in practice.
        Ok(page
            .notifications
            .into_iter()
            .next()
            .map_or(Lookup::NotFound, |n| Lookup::Found {
                provider_id: n.id,
                status: n.status,
            }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
    const SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";

    #[test]
    fn a_key_splits_into_name_service_and_secret() -> Result<(), TransportError> {
        let key = NotifyApiKey::parse(&format!("vigil_live-{SERVICE}-{SECRET}"))?;
        assert_eq!(key.key_name(), "vigil_live");
        assert_eq!(key.service_id().to_string(), SERVICE);
        assert_eq!(key.secret_key.expose_secret(), SECRET);
        Ok(())
    }

    #[test]
    fn a_key_name_may_contain_hyphens() -> Result<(), TransportError> {
        let key = NotifyApiKey::parse(&format!("vigil-test-team-key-{SERVICE}-{SECRET}"))?;
        assert_eq!(key.key_name(), "vigil-test-team-key");
        assert_eq!(key.service_id().to_string(), SERVICE);
        Ok(())
    }

    #[test]
    fn malformed_keys_are_refused_clearly() {
        let no_name = format!("{SERVICE}-{SECRET}");
        let wrong_joint = format!("name-{SERVICE}_{SECRET}");
        let not_uuids = format!("name-{}-{}", "x".repeat(36), "y".repeat(36));
        let non_ascii = format!("naïve-{SERVICE}-{SECRET}é");
        for bad in [
            "",
            "just-a-password",
            no_name.as_str(),
            wrong_joint.as_str(),
            not_uuids.as_str(),
            non_ascii.as_str(),
        ] {
            match NotifyApiKey::parse(bad) {
                Err(TransportError::Misconfigured(reason)) => {
                    assert!(reason.contains("API key"), "{reason}");
                    assert!(!reason.contains(SECRET));
                }
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn the_secret_never_shows_in_debug_output() -> Result<(), TransportError> {
        let key = NotifyApiKey::parse(&format!("k-{SERVICE}-{SECRET}"))?;
        assert!(!format!("{key:?}").contains(SECRET));
        Ok(())
    }
}
