//! The SMS and email transports the configuration asks for. Missing provider settings stop start-up with
//! a message naming the key.

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use vigil_api::WebhookSettings;
use vigil_scheduler::transport::{
    EmailTransport, LogEmail, LogSms, NotifySms, RateLimitedSms, SmsTransport, SmtpEmail, TwilioSms,
};

use crate::settings::{Settings, SettingsError};

const NOTIFY_BASE_URL: &str = "https://api.notifications.service.gov.uk";
const TWILIO_BASE_URL: &str = "https://api.twilio.com";

fn required<'a, T>(value: &'a Option<T>, key: &str) -> Result<&'a T, SettingsError> {
    value
        .as_ref()
        .ok_or_else(|| SettingsError::new(key, "is required for this sms.provider"))
}

pub fn sms_transport(settings: &Settings) -> Result<Arc<dyn SmsTransport>, SettingsError> {
    let sms = &settings.sms;
    let timeout = Duration::from_secs(sms.timeout_secs);
    let transport: Arc<dyn SmsTransport> = match sms.provider.as_str() {
        "notify" => Arc::new(
            NotifySms::new(
                sms.base_url.as_deref().unwrap_or(NOTIFY_BASE_URL),
                required(&sms.api_key, "sms.api_key")?.clone(),
                required(&sms.template_id, "sms.template_id")?.clone(),
                timeout,
            )
            .map_err(|error| SettingsError::new("sms.api_key", error.to_string()))?,
        ),
        "twilio" => Arc::new(
            TwilioSms::new(
                sms.base_url.as_deref().unwrap_or(TWILIO_BASE_URL),
                required(&sms.account_sid, "sms.account_sid")?.clone(),
                required(&sms.api_key, "sms.api_key")?.clone(),
                required(&sms.from, "sms.from")?.clone(),
                timeout,
            )
            .map_err(|error| SettingsError::new("sms.account_sid", error.to_string()))?
            .with_status_callback(sms.public_base_url.as_deref().map(|base| {
                format!(
                    "{}/api/v1/webhooks/twilio/status",
                    base.trim_end_matches('/')
                )
            })),
        ),
        _ => return Ok(Arc::new(LogSms::new(settings.outbox.dir.clone()))),
    };
    Ok(Arc::new(RateLimitedSms::new(
        transport,
        sms.rate_limit_per_minute.max(1),
    )))
}

pub fn email_transport(settings: &Settings) -> Result<Arc<dyn EmailTransport>, SettingsError> {
    match &settings.smtp.url {
        Some(url) => Ok(Arc::new(
            SmtpEmail::from_url(url, &settings.smtp.from)
                .map_err(|error| SettingsError::new("smtp.url", error.to_string()))?,
        )),
        None => Ok(Arc::new(LogEmail::new(settings.outbox.dir.clone()))),
    }
}

/// The secrets the provider callbacks are checked against.
pub fn webhook_settings(settings: &Settings) -> WebhookSettings {
    let sms = &settings.sms;
    WebhookSettings {
        notify_bearer_token: sms.callback_token.clone(),
        twilio_auth_token: (sms.provider == "twilio")
            .then(|| {
                sms.api_key
                    .as_ref()
                    .map(|key| SecretString::from(key.expose_secret().to_owned()))
            })
            .flatten(),
        public_base_url: sms.public_base_url.clone(),
    }
}
