//! `vigil seed --demo`: a believable (and wholly fictional) partnership, loaded in one transaction.
//!
//! The Northgate partnership has a police force, a probation delivery unit, a housing provider and a drug
//! and alcohol service; a coordinator, two offender managers, two police officers, a housing worker and an
//! administrator; and forty people spread over the three strands with histories, appointments past and
//! future, contacts and outcomes. People data is generated from a fixed seed so every demo looks the same;
//! the staff passwords are random and printed once.

mod cohort;
mod staff;

use anyhow::Context;
use rand::SeedableRng;
use rand::rngs::StdRng;

use vigil_persistence::{Database, repositories::people};

use crate::settings::Settings;
use crate::startup::system_clock;

pub use staff::DemoLogin;

/// Seeds the demo partnership if the database has no people yet; returns the logins it created.
pub async fn seed_if_empty(
    db: &Database,
    settings: &Settings,
) -> anyhow::Result<Option<Vec<DemoLogin>>> {
    if people::count(db.connection()).await? > 0 {
        return Ok(None);
    }
    let now = system_clock().now();
    let time_zone = settings.time_zone()?;
    let txn = db.begin().await?;
    let team = staff::create_partnership(&txn, now)
        .await
        .context("seeding agencies and staff")?;
    let mut rng = StdRng::seed_from_u64(20_261_122);
    cohort::create_cohort(&txn, &team, &mut rng, now, time_zone)
        .await
        .context("seeding the cohort")?;
    txn.commit().await?;
    Ok(Some(team.logins))
}

/// Prints the demo logins. They are shown this once and never logged.
pub fn print_logins(logins: &[DemoLogin]) {
    println!("Demo partnership loaded. These logins are shown once; keep them:");
    for login in logins {
        println!(
            "  {:<17} {:<34} {}",
            login.role, login.email, login.password
        );
    }
}
