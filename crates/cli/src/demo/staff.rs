//! The demo partnership's agencies and staff.

use chrono::{DateTime, Utc};
use rand::Rng;
use rand::distr::Alphanumeric;
use uuid::Uuid;
use vigil_api::password::hash_password;
use vigil_persistence::ConnectionTrait;
use vigil_persistence::repositories::{agencies, staff};

/// A demo login, printed once.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: String,
    pub email: String,
    pub password: String,
}

/// The ids the cohort generator needs.
#[derive(Debug, Clone)]
pub struct DemoTeam {
    pub offender_managers: Vec<Uuid>,
    pub police: Vec<Uuid>,
    pub coordinator: Uuid,
    pub housing_agency: Uuid,
    pub drug_service_agency: Uuid,
    pub logins: Vec<DemoLogin>,
}

const AGENCIES: &[(&str, &str)] = &[
    ("Northgate Police", "police"),
    ("Probation Service Northgate", "probation"),
    ("Northgate Homes", "housing"),
    ("Northgate Recovery Service", "drug_alcohol"),
];

/// (name, email, role, agency index)
const STAFF: &[(&str, &str, &str, Option<usize>)] = &[
    ("Alex Admin", "admin@northgate.vigil.test", "admin", None),
    (
        "Priya Shah",
        "priya.shah@northgate.vigil.test",
        "coordinator",
        Some(1),
    ),
    (
        "Tom Evans",
        "tom.evans@northgate.vigil.test",
        "offender_manager",
        Some(1),
    ),
    (
        "Rhian Morgan",
        "rhian.morgan@northgate.vigil.test",
        "offender_manager",
        Some(1),
    ),
    (
        "PC Dan Hughes",
        "dan.hughes@northgate.vigil.test",
        "police",
        Some(0),
    ),
    (
        "PC Sara Okafor",
        "sara.okafor@northgate.vigil.test",
        "police",
        Some(0),
    ),
    (
        "Jo Bell",
        "jo.bell@northgate.vigil.test",
        "partner",
        Some(2),
    ),
];

pub async fn create_partnership(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> anyhow::Result<DemoTeam> {
    let mut agency_ids = Vec::new();
    for (name, kind) in AGENCIES {
        agency_ids.push(agencies::create(db, name, kind, now).await?.id);
    }
    let mut team = DemoTeam {
        offender_managers: Vec::new(),
        police: Vec::new(),
        coordinator: Uuid::nil(),
        housing_agency: agency_ids[2],
        drug_service_agency: agency_ids[3],
        logins: Vec::new(),
    };
    for (name, email, role, agency) in STAFF {
        let password = random_password();
        let hash = hash_password(&password).map_err(|error| anyhow::anyhow!("{error}"))?;
        let user = staff::create(
            db,
            staff::NewStaff {
                email: (*email).to_owned(),
                name: (*name).to_owned(),
                role: (*role).to_owned(),
                agency_id: agency.map(|index| agency_ids[index]),
                password_hash: hash,
            },
            now,
        )
        .await?;
        match *role {
            "offender_manager" => team.offender_managers.push(user.id),
            "police" => team.police.push(user.id),
            "coordinator" => team.coordinator = user.id,
            _ => {}
        }
        team.logins.push(DemoLogin {
            role: (*role).to_owned(),
            email: (*email).to_owned(),
            password,
        });
    }
    Ok(team)
}

fn random_password() -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(16)
        .map(char::from)
        .collect()
}
