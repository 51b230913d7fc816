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
        contact_standards: settings.contact_standards()?,
        enforcement: settings.enforcement_policy()?,
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use figment::Figment;
    use figment::providers::{Format, Serialized, Toml};

    use super::*;
    use crate::settings::DEFAULTS;

    #[tokio::test]
    async fn the_casework_rules_in_config_are_the_ones_the_api_uses() {
        let folder = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/vigil.db?mode=rwc", folder.path().display());
        let own = r#"
            [enforcement]
            warning_within_working_days = 2

            [[contact_standards]]
            code = "local.catch_convict.A"
            version = 3
            strand = "catch_convict"
            tier = "A"
            kind = "home_visit"
            count = 2
            every = { unit = "calendar_months", length = 1 }
        "#;
        let settings = Settings::from_figment(
            Figment::new()
                .merge(Toml::string(DEFAULTS))
                .merge(Toml::string(own))
                .merge(Serialized::default("database.url", url)),
        )
        .unwrap();
        let state = app_state(
            &settings,
            open_database(&settings).await.unwrap(),
            system_clock(),
        )
        .unwrap();
        let codes: Vec<&str> = state
            .rules
            .contact_standards
            .iter()
            .map(|standard| standard.code.as_str())
            .collect();
        assert_eq!(codes, ["local.catch_convict.A"]);
        assert_eq!(state.rules.enforcement.warning_within_working_days, 2);
        assert_eq!(state.rules.enforcement.breach_within_working_days, 10);
    }
}
