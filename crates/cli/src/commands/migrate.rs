//! `vigil migrate [up|down|status]`.

use anyhow::Context;

use crate::MigrateAction;
use crate::settings::Settings;
use crate::startup::open_database;

pub async fn run(settings: Settings, action: MigrateAction) -> anyhow::Result<()> {
    let db = open_database(&settings).await?;
    match action {
        MigrateAction::Up { steps } => {
            db.migrate_up(steps).await.context("migrate up failed")?;
            println!("migrations applied");
        }
        MigrateAction::Down { steps, all } => {
            db.migrate_down(if all { None } else { Some(steps) })
                .await
                .context("migrate down failed")?;
            println!("migrations rolled back");
        }
        MigrateAction::Status => {
            for migration in db.migration_status().await? {
                let state = if migration.applied {
                    "applied"
                } else {
                    "pending"
                };
                println!("{state:8} {}", migration.name);
            }
        }
    }
    Ok(())
}
