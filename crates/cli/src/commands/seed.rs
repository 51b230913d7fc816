//! `vigil seed --demo`.

use anyhow::bail;

use crate::demo;
use crate::settings::Settings;
use crate::startup::open_migrated_database;

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let db = open_migrated_database(&settings).await?;
    match demo::seed_if_empty(&db, &settings).await? {
        Some(logins) => {
            demo::print_logins(&logins);
            Ok(())
        }
        None => bail!(
            "the database already has people in it; the demo seed only loads into an empty one"
        ),
    }
}
