//! Wiring shared by the commands: open the database, apply migrations, build the API state.

use std::sync::Arc;

use anyhow::Context;
use secrecy::ExposeSecret;
use vigil_api::AppState;
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
    Ok(AppState {
        db,
        clock,
        time_zone: settings.time_zone()?,
        calendar: Arc::new(WorkingCalendar::new(
            settings.calendar.bank_holidays.iter().copied(),
        )),
    })
}

/// The real clock.
pub fn system_clock() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}
