//! What every handler can reach.

use std::sync::Arc;

use chrono_tz::Tz;
use vigil_domain::{Clock, WorkingCalendar};
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
}

/// Limits applied to every request.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub request_timeout: std::time::Duration,
    pub body_limit_bytes: usize,
    /// Origins allowed by CORS; empty means no cross-origin access.
    pub cors_allowed_origins: Vec<String>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            request_timeout: std::time::Duration::from_secs(30),
            body_limit_bytes: 1024 * 1024,
            cors_allowed_origins: Vec::new(),
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
        }
    }
}
