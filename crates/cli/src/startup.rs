//! Wiring shared by the commands: open the database, apply migrations, build the API state.

use std::sync::Arc;

use anyhow::Context;
use secrecy::ExposeSecret;
use vigil_api::auth::tokens::TokenKeys;
use vigil_api::{AppState, CaseworkRules, HttpSettings};
use vigil_domain::{Clock, SystemClock, WorkingCalendar};
use vigil_persistence::Database;

use crate::settings::Settings;

/// Opens the configured database.
pub async fn open_database(settings: &Settings) -> anyhow::Result<Database> {
    Database::connect(
        settings.database.url.expose_secret(),
        settings.database.max_connections,
    )
    .await
    .context("cannot open the database (database.url)")
}

/// Opens the database and applies pending migrations, as `serve` and `worker` do at start.
pub async fn open_migrated_database(settings: &Settings) -> anyhow::Result<Database> {
    let db = open_database(settings).await?;
    db.migrate_up(None)
        .await
        .context("cannot apply database migrations")?;
    Ok(db)
}

/// The API's state from settings, with the given clock (the system clock outside tests).
pub fn app_state(
    settings: &Settings,
    db: Database,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<AppState> {
    let secret = match settings.jwt_secret()? {
        Some(secret) => secret,
        None if settings.is_production() => anyhow::bail!(
            "configuration error: auth.jwt_secret: required in production \
             (set VIGIL_AUTH__JWT_SECRET or VIGIL_AUTH__JWT_SECRET_FILE)"
        ),
        None => {
            tracing::warn!(
                "NO JWT SECRET CONFIGURED: using a random development secret; every token dies with \
                 this process. Set VIGIL_AUTH__JWT_SECRET (32+ bytes) for anything but local development."
            );
            TokenKeys::random_secret()
        }
    };
    let tokens = TokenKeys::new(
        &secret,
        chrono::Duration::minutes(i64::from(settings.auth.access_token_minutes)),
        chrono::Duration::days(i64::from(settings.auth.refresh_token_days)),
    );
    let http = HttpSettings {
        request_timeout: std::time::Duration::from_secs(settings.server.request_timeout_secs),
        body_limit_bytes: settings.server.body_limit_bytes,
        cors_allowed_origins: settings.server.cors_allowed_origins.clone(),
        trusted_proxies: settings.server.trusted_proxies.clone(),
    };
    let rules = CaseworkRules {
        reminders: settings.reminder_policy()?,
        ..CaseworkRules::defaults()
    };
    Ok(AppState::new(
        db,
        clock,
        settings.time_zone()?,
        WorkingCalendar::new(settings.calendar.bank_holidays.iter().copied()),
        tokens,
        http,
    )
    .with_rules(rules)
    .with_webhooks(crate::transports::webhook_settings(settings)))
}

/// The real clock.
pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}
