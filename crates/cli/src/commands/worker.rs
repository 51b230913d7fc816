//! `vigil worker`: the scheduler alone. Run any number against one PostgreSQL; they share the work through
//! the job table (claims with leases, `FOR UPDATE SKIP LOCKED`).

use crate::commands::serve::shutdown_signal;
use crate::settings::Settings;
use crate::startup::{open_migrated_database, system_clock};
use crate::workers;

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let db = open_migrated_database(&settings).await?;
    let worker = workers::build(&settings, &db, system_clock())?;
    tracing::info!("vigil worker started");
    workers::run(worker, shutdown_signal()).await;
    db.close().await?;
    tracing::info!("vigil worker stopped");
    Ok(())
}
