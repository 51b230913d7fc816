//! Layered, typed configuration: the shipped `config/default.toml`, then `config/<VIGIL_ENV>.toml`, then
//! `VIGIL_<SECTION>__<KEY>` environment variables. Secrets are wrapped so they never print.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use chrono_tz::Tz;
use figment::Figment;
use figment::providers::{Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::environment::{merge_environment, vigil_variables};

/// The settings whose values are secrets (each a `SecretString`).
const SECRET_KEYS: [&str; 5] = [
    "database.url",
    "auth.jwt_secret",
    "smtp.url",
    "sms.api_key",
    "sms.callback_token",
];

/// The defaults, compiled in so that the binary runs even where `config/` is absent.
pub(crate) const DEFAULTS: &str = include_str!("../../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    /// `development` (default), `test` or `production`; from `VIGIL_ENV`.
    #[serde(default = "default_env")]
    pub env: String,
    pub timezone: String,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub smtp: SmtpSettings,
    pub sms: SmsSettings,
    pub scheduler: SchedulerSettings,
    pub reminders: ReminderSettings,
    pub outbox: OutboxSettings,
    pub log: LogSettings,
    pub calendar: CalendarSettings,
    /// The enforcement rule's lengths (`[enforcement]`); the shipped values when absent.
    #[serde(default)]
    pub enforcement: vigil_domain::EnforcementPolicy,
    /// The partnership's contact standards (`[[contact_standards]]`). Absent: the shipped table (README).
    /// Present: the whole list, replacing the shipped one.
    #[serde(default)]
    pub contact_standards: Option<Vec<vigil_domain::ContactStandard>>,
}

fn default_env() -> String {
    "development".to_owned()
}

#[derive(Debug, Clone, Deserialize)]
pub struct ServerSettings {
    pub bind: String,
    pub request_timeout_secs: u64,
    pub body_limit_bytes: usize,
    pub cors_allowed_origins: Vec<String>,
    /// Load balancers or proxies whose `X-Forwarded-For` names the client (sign-in throttling).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DatabaseSettings {
    pub url: SecretString,
    pub max_connections: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct AuthSettings {
    pub jwt_secret: Option<SecretString>,
    pub jwt_secret_file: Option<PathBuf>,
    pub access_token_minutes: u32,
    pub refresh_token_days: u32,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SmtpSettings {
    pub url: Option<SecretString>,
    pub from: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SmsSettings {
    pub provider: String,
    pub base_url: Option<String>,
    pub api_key: Option<SecretString>,
    pub callback_token: Option<SecretString>,
    /// GOV.UK Notify: the template whose whole text is `((body))`.
    pub template_id: Option<String>,
    /// Twilio: the account SID.
    pub account_sid: Option<String>,
    /// Twilio: the sending number.
    pub from: Option<String>,
    /// The public URL the provider posts callbacks to (Twilio signs the full URL).
    pub public_base_url: Option<String>,
    pub rate_limit_per_minute: u32,
    pub timeout_secs: u64,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SchedulerSettings {
    pub enabled: bool,
    #[serde(flatten)]
    pub config: vigil_scheduler::SchedulerConfig,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReminderSettings {
    pub offsets: Vec<String>,
    pub quiet_hours: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct OutboxSettings {
    pub dir: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LogSettings {
    pub format: String,
    pub filter: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CalendarSettings {
    pub bank_holidays: Vec<NaiveDate>,
}

/// A configuration problem, naming the key so the operator knows what to fix.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {key}: {message}")]
pub struct SettingsError {
    pub key: String,
    pub message: String,
}

impl SettingsError {
    pub fn new(key: &str, message: impl Into<String>) -> Self {
        Self {
            key: key.to_owned(),
            message: message.into(),
        }
    }
}

impl Settings {
    /// Loads the layers from `config_dir` and the process environment.
    pub fn load(config_dir: &Path) -> Result<Self, SettingsError> {
        let environment = std::env::var("VIGIL_ENV").unwrap_or_else(|_| default_env());
        let files = Figment::new()
            .merge(Toml::string(DEFAULTS))
            .merge(Toml::file(config_dir.join("default.toml")))
            .merge(Toml::file(config_dir.join(format!("{environment}.toml"))));
        let variables =
            vigil_variables().map_err(|message| SettingsError::new("(environment)", message))?;
        Self::from_figment(merge_environment(files, variables))
    }

    /// Extracts and checks settings; exposed so tests can layer their own values.
    pub fn from_figment(figment: Figment) -> Result<Self, SettingsError> {
        let settings: Settings = figment.extract().map_err(|error| {
            let key = error
                .path
                .iter()
                .filter(|part| part.as_str() != "default")
                .cloned()
                .collect::<Vec<_>>()
                .join(".");
            // figment's message quotes the value it found: never for a secret.
            let message = if SECRET_KEYS.contains(&key.as_str()) {
                "is not valid (the value is a secret and is not shown)".to_owned()
            } else {
                error.kind.to_string()
            };
            SettingsError::new(if key.is_empty() { "(root)" } else { &key }, message)
        })?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), SettingsError> {
        self.bind_address()?;
        self.time_zone()?;
        self.reminder_policy()?;
        self.enforcement_policy()?;
        self.contact_standards()?;
        if !matches!(self.env.as_str(), "development" | "test" | "production") {
            return Err(SettingsError::new(
                "env",
                "must be development, test or production (VIGIL_ENV)",
            ));
        }
        if !matches!(self.sms.provider.as_str(), "log" | "notify" | "twilio") {
            return Err(SettingsError::new(
                "sms.provider",
                "must be log, notify or twilio",
            ));
        }
        if !matches!(self.log.format.as_str(), "text" | "json") {
            return Err(SettingsError::new("log.format", "must be text or json"));
        }
        if self.database.max_connections == 0 {
            return Err(SettingsError::new(
                "database.max_connections",
                "must be at least 1",
            ));
        }
        if self.auth.access_token_minutes == 0 || self.auth.refresh_token_days == 0 {
            return Err(SettingsError::new(
                "auth.access_token_minutes",
                "token lifetimes must be at least 1",
            ));
        }
        vigil_persistence::Engine::from_url(self.database.url.expose_secret()).map_err(|_| {
            SettingsError::new(
                "database.url",
                "must start with sqlite:, postgres:// or postgresql://",
            )
        })?;
        Ok(())
    }

    /// The reminder plan from `reminders.offsets` and `reminders.quiet_hours`.
    pub fn reminder_policy(&self) -> Result<vigil_domain::ReminderPolicy, SettingsError> {
        let offsets = self
            .reminders
            .offsets
            .iter()
            .map(|raw| vigil_domain::ReminderOffset::parse(raw))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| SettingsError::new("reminders.offsets", error.to_string()))?;
        let quiet = vigil_domain::QuietHours::parse(&self.reminders.quiet_hours)
            .map_err(|error| SettingsError::new("reminders.quiet_hours", error.to_string()))?;
        Ok(vigil_domain::ReminderPolicy {
            offsets,
            ..vigil_domain::ReminderPolicy::default()
        }
        .with_quiet_hours(quiet))
    }

    /// The enforcement rule from `[enforcement]`, checked.
    pub fn enforcement_policy(&self) -> Result<vigil_domain::EnforcementPolicy, SettingsError> {
        self.enforcement.check().map_err(|(field, message)| {
            SettingsError::new(&format!("enforcement.{field}"), message)
        })?;
        Ok(self.enforcement)
    }

    /// The contact standards: the configured list, checked, or the shipped table when none is configured.
    pub fn contact_standards(&self) -> Result<Vec<vigil_domain::ContactStandard>, SettingsError> {
        match &self.contact_standards {
            None => Ok(vigil_domain::default_contact_standards()),
            Some(standards) if standards.is_empty() => Err(SettingsError::new(
                "contact_standards",
                "lists no standard; leave it out for the shipped table",
            )),
            Some(standards) => {
                vigil_domain::check_contact_standards(standards)
                    .map_err(|(key, message)| SettingsError::new(&key, message))?;
                Ok(standards.clone())
            }
        }
    }

    pub fn is_production(&self) -> bool {
        self.env == "production"
    }

    pub fn bind_address(&self) -> Result<SocketAddr, SettingsError> {
        self.server.bind.parse().map_err(|_| {
            SettingsError::new("server.bind", "must be host:port, e.g. 127.0.0.1:8080")
        })
    }

    pub fn time_zone(&self) -> Result<Tz, SettingsError> {
        self.timezone.parse().map_err(|_| {
            SettingsError::new("timezone", "must be an IANA zone such as Europe/London")
        })
    }

    /// The JWT secret from `auth.jwt_secret` or the file named by `auth.jwt_secret_file`; `None` when neither
    /// is set (the caller decides whether that is allowed).
    pub fn jwt_secret(&self) -> Result<Option<SecretString>, SettingsError> {
        let secret = match (&self.auth.jwt_secret, &self.auth.jwt_secret_file) {
            (Some(secret), _) => Some(secret.clone()),
            (None, Some(path)) => {
                let contents = std::fs::read_to_string(path).map_err(|error| {
                    SettingsError::new(
                        "auth.jwt_secret_file",
                        format!("cannot read {}: {error}", path.display()),
                    )
                })?;
                Some(SecretString::from(contents.trim().to_owned()))
            }
            (None, None) => None,
        };
        if let Some(secret) = &secret
            && secret.expose_secret().len() < 32
        {
            return Err(SettingsError::new(
                "auth.jwt_secret",
                "must be at least 32 bytes",
            ));
        }
        Ok(secret)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use figment::providers::Serialized;

    fn defaults() -> Figment {
        Figment::new().merge(Toml::string(DEFAULTS))
    }

    #[test]
    fn the_shipped_defaults_load_and_point_at_sqlite() {
        let settings = Settings::from_figment(defaults()).unwrap();
        assert_eq!(settings.server.bind, "127.0.0.1:8080");
        assert!(settings.database.url.expose_secret().starts_with("sqlite:"));
        assert_eq!(settings.time_zone().unwrap(), chrono_tz::Europe::London);
        assert_eq!(settings.calendar.bank_holidays.len(), 32);
        assert!(settings.jwt_secret().unwrap().is_none());
    }

    #[test]
    fn a_secret_of_the_wrong_kind_is_named_but_not_shown() {
        let error = Settings::from_figment(
            defaults().merge(Serialized::default("sms.api_key", 987_654_321_u64)),
        )
        .unwrap_err();
        assert_eq!(error.key, "sms.api_key");
        assert!(!error.to_string().contains("987654321"), "{error}");
    }

    #[test]
    fn a_sending_number_from_the_environment_keeps_its_plus() {
        let settings = Settings::from_figment(merge_environment(
            defaults(),
            [
                ("VIGIL_SMS__FROM".to_owned(), "+447700900123".to_owned()),
                ("VIGIL_SMS__API_KEY".to_owned(), "123456".to_owned()),
                ("VIGIL_SMS__TIMEOUT_SECS".to_owned(), "3".to_owned()),
            ],
        ))
        .unwrap();
        assert_eq!(settings.sms.from.as_deref(), Some("+447700900123"));
        assert_eq!(
            settings
                .sms
                .api_key
                .as_ref()
                .map(ExposeSecret::expose_secret),
            Some("123456")
        );
        assert_eq!(settings.sms.timeout_secs, 3);
    }

    #[test]
    fn a_bad_value_names_its_key() {
        let error = Settings::from_figment(
            defaults().merge(Serialized::default("server.bind", "not an address")),
        )
        .unwrap_err();
        assert_eq!(error.key, "server.bind");
        let error = Settings::from_figment(
            defaults().merge(Serialized::default("database.max_connections", "many")),
        )
        .unwrap_err();
        assert_eq!(error.key, "database.max_connections");
        let error =
            Settings::from_figment(defaults().merge(Serialized::default("sms.provider", "pigeon")))
                .unwrap_err();
        assert_eq!(error.key, "sms.provider");
    }

    #[test]
    fn reminder_settings_parse_and_bad_ones_name_their_key() {
        let settings = Settings::from_figment(defaults()).unwrap();
        let policy = settings.reminder_policy().unwrap();
        assert_eq!(policy.offsets.len(), 2);
        let error = Settings::from_figment(
            defaults().merge(Serialized::default("reminders.quiet_hours", "late")),
        )
        .unwrap_err();
        assert_eq!(error.key, "reminders.quiet_hours");
        let error = Settings::from_figment(
            defaults().merge(Serialized::default("reminders.offsets", vec!["soon"])),
        )
        .unwrap_err();
        assert_eq!(error.key, "reminders.offsets");
    }

    #[test]
    fn a_short_jwt_secret_is_refused_and_secrets_never_print() {
        let settings = Settings::from_figment(
            defaults().merge(Serialized::default("auth.jwt_secret", "short")),
        )
        .unwrap();
        assert_eq!(settings.jwt_secret().unwrap_err().key, "auth.jwt_secret");
        assert!(!format!("{settings:?}").contains("short"));
    }

    #[test]
    fn a_secret_can_come_from_a_file() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, b"0123456789abcdef0123456789abcdef\n").unwrap();
        let settings = Settings::from_figment(
            defaults().merge(Serialized::default("auth.jwt_secret_file", file.path())),
        )
        .unwrap();
        let secret = settings.jwt_secret().unwrap().unwrap();
        assert_eq!(secret.expose_secret(), "0123456789abcdef0123456789abcdef");
    }

    #[test]
    fn casework_rules_come_from_config_and_bad_ones_name_their_key() {
        let settings = Settings::from_figment(defaults()).unwrap();
        assert_eq!(
            settings.contact_standards().unwrap(),
            vigil_domain::default_contact_standards()
        );
        assert_eq!(
            settings.enforcement_policy().unwrap(),
            vigil_domain::EnforcementPolicy::default()
        );

        let own = r#"
            [enforcement]
            breach_within_working_days = 7

            [[contact_standards]]
            code = "catch_convict.A.face_to_face"
            version = 2
            strand = "catch_convict"
            tier = "A"
            kind = "face_to_face"
            count = 2
            every = { unit = "days", length = 7 }
        "#;
        let settings = Settings::from_figment(defaults().merge(Toml::string(own))).unwrap();
        let standards = settings.contact_standards().unwrap();
        assert_eq!(standards.len(), 1, "the list replaces the shipped one");
        assert_eq!((standards[0].count, standards[0].version), (2, 2));
        assert_eq!(standards[0].first_within, None);
        let policy = settings.enforcement_policy().unwrap();
        assert_eq!(policy.breach_within_working_days, 7);
        assert_eq!(
            policy.warning_within_working_days, 5,
            "unset keys keep the default"
        );
        let from_environment = Settings::from_figment(merge_environment(
            defaults(),
            [(
                "VIGIL_ENFORCEMENT__WINDOW_MONTHS".to_owned(),
                "6".to_owned(),
            )],
        ))
        .unwrap();
        assert_eq!(
            from_environment.enforcement_policy().unwrap().window_months,
            6
        );

        let twice = format!(
            "{own}\n{}",
            own.replace(
                "[enforcement]\n            breach_within_working_days = 7",
                ""
            )
        );
        let error = Settings::from_figment(defaults().merge(Toml::string(&twice))).unwrap_err();
        assert_eq!(error.key, "contact_standards[1].code");
        let error = Settings::from_figment(
            defaults().merge(Serialized::default("enforcement.window_months", 0)),
        )
        .unwrap_err();
        assert_eq!(error.key, "enforcement.window_months");
        let error = Settings::from_figment(
            defaults().merge(Toml::string("[[contact_standards]]\ncode = \"x\"\n")),
        )
        .unwrap_err();
        assert!(error.key.starts_with("contact_standards"), "{error}");
    }
}
