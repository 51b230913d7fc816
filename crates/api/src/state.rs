//! What every handler can reach.

use std::sync::Arc;

use chrono_tz::Tz;
use vigil_domain::{Clock, ContactStandard, EnforcementPolicy, ReminderPolicy, WorkingCalendar};
use vigil_persistence::Database;

use crate::auth::throttle::{LoginThrottle, ThrottlePolicy};
use crate::auth::tokens::TokenKeys;
use crate::metrics::Metrics;

/// Shared, cheaply cloned state. The clock is injected so tests can move time.
#[derive(Debug, Clone)]
pub struct AppState {
    pub db: Database,
    pub clock: Arc<dyn Clock>,
    pub time_zone: Tz,
    pub calendar: Arc<WorkingCalendar>,
    pub tokens: Arc<TokenKeys>,
    pub throttle: Arc<LoginThrottle>,
    pub metrics: Arc<Metrics>,
    pub http: HttpSettings,
    pub rules: Arc<CaseworkRules>,
    pub webhooks: Arc<WebhookSettings>,
}

/// Secrets that authenticate the SMS provider's callbacks. With none configured the webhooks refuse
/// everything (401).
#[derive(Clone, Default)]
pub struct WebhookSettings {
    /// The bearer token GOV.UK Notify sends with delivery receipts and received texts.
    pub notify_bearer_token: Option<secrecy::SecretString>,
    /// Twilio's auth token, which signs its posts.
    pub twilio_auth_token: Option<secrecy::SecretString>,
    /// The public base URL Twilio posts to (signatures cover the full URL), e.g. `https://vigil.example.org`.
    pub public_base_url: Option<String>,
}

impl std::fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSettings")
            .field(
                "notify_bearer_token",
                &self.notify_bearer_token.as_ref().map(|_| "[set]"),
            )
            .field(
                "twilio_auth_token",
                &self.twilio_auth_token.as_ref().map(|_| "[set]"),
            )
            .field("public_base_url", &self.public_base_url)
            .finish()
    }
}

/// The partnership's casework rules, kept as data: reminder plan, contact standards, enforcement.
#[derive(Debug, Clone, Default)]
pub struct CaseworkRules {
    pub reminders: ReminderPolicy,
    pub contact_standards: Vec<ContactStandard>,
    pub enforcement: EnforcementPolicy,
}

impl CaseworkRules {
    /// The shipped defaults (see the README for the contact standards).
    pub fn defaults() -> Self {
        Self {
            reminders: ReminderPolicy::default(),
            contact_standards: vigil_domain::default_contact_standards(),
            enforcement: EnforcementPolicy::default(),
        }
    }
}

/// Limits applied to every request.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub request_timeout: std::time::Duration,
    pub body_limit_bytes: usize,
    /// Origins allowed by CORS; empty means no cross-origin access.
    pub cors_allowed_origins: Vec<String>,
    /// Load balancers or reverse proxies whose `X-Forwarded-For` names the client (sign-in throttling).
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            request_timeout: std::time::Duration::from_secs(30),
            body_limit_bytes: 1024 * 1024,
            cors_allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
        }
    }
}

impl AppState {
    /// State with default throttling and fresh metrics.
    pub fn new(
        db: Database,
        clock: Arc<dyn Clock>,
        time_zone: Tz,
        calendar: WorkingCalendar,
        tokens: TokenKeys,
        http: HttpSettings,
    ) -> Self {
        Self {
            db,
            clock,
            time_zone,
            calendar: Arc::new(calendar),
            tokens: Arc::new(tokens),
            throttle: Arc::new(LoginThrottle::new(ThrottlePolicy::default())),
            metrics: Arc::new(Metrics::default()),
            http,
            rules: Arc::new(CaseworkRules::defaults()),
            webhooks: Arc::new(WebhookSettings::default()),
        }
    }

    /// Sets the secrets the provider callbacks are checked against.
    pub fn with_webhooks(mut self, webhooks: WebhookSettings) -> Self {
        self.webhooks = Arc::new(webhooks);
        self
    }

    /// Replaces the casework rules (from configuration).
    pub fn with_rules(mut self, rules: CaseworkRules) -> Self {
        self.rules = Arc::new(rules);
        self
    }
}
