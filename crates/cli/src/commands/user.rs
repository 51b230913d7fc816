//! `vigil user add`: creates a staff user; the password comes from standard input only.

use std::io::Read;

use anyhow::{Context, bail};
use vigil_api::password::hash_password;
use vigil_domain::{EmailAddress, StaffRole};
use vigil_persistence::repositories::{agencies, staff};

use crate::UserAction;
use crate::settings::Settings;
use crate::startup::{open_migrated_database, system_clock};

pub async fn run(settings: Settings, action: UserAction) -> anyhow::Result<()> {
    match action {
        UserAction::Add {
            email,
            name,
            role,
            agency,
            password_stdin: _,
        } => {
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("cannot read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            let user =
                add_user(&settings, &email, &name, &role, agency.as_deref(), password).await?;
            println!("created user {} ({})", user.email, user.id);
            Ok(())
        }
    }
}

/// Validates every argument, then creates the user. Separate from `run` so that tests need no stdin.
pub async fn add_user(
    settings: &Settings,
    email: &str,
    name: &str,
    role: &str,
    agency: Option<&str>,
    password: &str,
) -> anyhow::Result<vigil_persistence::entities::staff::Model> {
    let email = EmailAddress::parse(email).map_err(|error| anyhow::anyhow!("--email: {error}"))?;
    let role: StaffRole = role
        .parse()
        .map_err(|error| anyhow::anyhow!("--role: {error}"))?;
    if name.trim().is_empty() {
        bail!("--name: must not be empty");
    }
    let password_hash =
        hash_password(password).map_err(|error| anyhow::anyhow!("password: {error}"))?;
    let db = open_migrated_database(settings).await?;
    let agency_id = match agency {
        Some(agency_name) => Some(
            agencies::find_by_name(db.connection(), agency_name)
                .await?
                .with_context(|| format!("--agency: no agency named {agency_name:?}"))?
                .id,
        ),
        None => None,
    };
    if role == StaffRole::Partner && agency_id.is_none() {
        bail!("--agency: a partner user must belong to an agency");
    }
    let now = system_clock().now();
    let user = staff::create(
        db.connection(),
        staff::NewStaff {
            email: email.as_str().to_owned(),
            name: name.trim().to_owned(),
            role: role.as_str().to_owned(),
            agency_id,
            password_hash,
        },
        now,
    )
    .await
    .map_err(|error| match error {
        vigil_persistence::PersistenceError::Conflict(_) => {
            anyhow::anyhow!("--email: a user with this email already exists")
        }
        other => anyhow::Error::new(other),
    })?;
    Ok(user)
}
