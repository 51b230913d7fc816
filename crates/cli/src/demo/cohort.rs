//! The demo cohort: forty people over the three strands, with membership histories, allocations,
//! addresses, risk markers, appointments past and future, contacts with outcomes, referrals and custody.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use uuid::Uuid;
use vigil_domain::{Strand, local_date, local_to_utc, pnc_check_letter};
use vigil_persistence::ConnectionTrait;
use vigil_persistence::repositories::notifications::REASON_RESCHEDULED;
use vigil_persistence::repositories::{
    allocations, appointments, contacts, custody, memberships, people, person_details, referrals,
    reminders,
};

use super::staff::DemoTeam;

const GIVEN_NAMES: &[&str] = &[
    "Liam", "Connor", "Jordan", "Kyle", "Dean", "Ryan", "Jamie", "Callum", "Tyler", "Shane",
    "Kelly", "Leanne", "Jade", "Chloe", "Danielle", "Gareth", "Rhys", "Dylan", "Aaron", "Nathan",
];
const FAMILY_NAMES: &[&str] = &[
    "Walker",
    "Price",
    "Jenkins",
    "Harris",
    "Doyle",
    "Reid",
    "Turner",
    "Lloyd",
    "Parry",
    "Bennett",
    "Kaur",
    "Ahmed",
    "Nowak",
    "Murphy",
    "O'Brien",
    "Ellis",
    "Hughes",
    "Pritchard",
    "Fletcher",
    "Moss",
];
const STREETS: &[&str] = &[
    "Station Road",
    "Church Lane",
    "Mill Street",
    "Victoria Terrace",
    "Park View",
    "Canal Side",
];
const RISK_MARKERS: &[&str] = &[
    "dog_on_premises",
    "violence_to_staff",
    "weapons",
    "drug_use_at_address",
];

/// An appointment type, the contact it becomes, and whether it is an office appointment.
const APPOINTMENT_KINDS: &[(&str, &str)] = &[
    ("office_visit", "face_to_face_office"),
    ("office_visit", "face_to_face_office"),
    ("telephone", "telephone"),
    ("drug_test", "face_to_face_office"),
    ("programme_session", "face_to_face_office"),
    ("job_interview", "third_party"),
    ("home_visit", "home_visit"),
];
const PAST_OUTCOMES: &[&str] = &[
    "attended_complied",
    "attended_complied",
    "attended_complied",
    "attended_complied",
    "acceptable_absence_medical",
    "unacceptable_absence",
    "attended_failed_to_comply",
];

pub async fn create_cohort(
    db: &impl ConnectionTrait,
    team: &DemoTeam,
    rng: &mut StdRng,
    now: DateTime<Utc>,
    tz: Tz,
) -> anyhow::Result<()> {
    for index in 0..40_usize {
        let strand = match index % 3 {
            0 => Strand::CatchConvict,
            1 => Strand::RehabilitateResettle,
            _ => Strand::PreventDeter,
        };
        let person = create_person(db, rng, index, strand, now).await?;
        let history = membership_history(db, team, rng, index, strand, person.id, now).await?;
        if history == "proposed" || history == "deselected" {
            continue;
        }
        let om = team.offender_managers[index % team.offender_managers.len()];
        let spoc = team.police[index % team.police.len()];
        allocations::allocate(
            db,
            person.id,
            om,
            "offender_manager",
            Some(team.coordinator),
            now,
        )
        .await?;
        allocations::allocate(
            db,
            person.id,
            spoc,
            "police_spoc",
            Some(team.coordinator),
            now,
        )
        .await?;
        if index % 5 == 0 {
            let marker = RISK_MARKERS
                .choose(rng)
                .copied()
                .unwrap_or("violence_to_staff");
            person_details::add_risk_marker(db, person.id, marker, None, Some(spoc), now).await?;
        }
        casework_history(db, rng, &person, om, now, tz).await?;
        if strand == Strand::RehabilitateResettle {
            let (pathway, agency) = if index % 2 == 0 {
                ("accommodation", team.housing_agency)
            } else {
                ("drugs_alcohol", team.drug_service_agency)
            };
            referrals::create(
                db,
                referrals::NewReferral {
                    person_id: person.id,
                    pathway: pathway.to_owned(),
                    agency_id: agency,
                    notes: Some("Referred at the monthly PPO meeting.".to_owned()),
                    created_by: Some(om),
                },
                now - Duration::days(rng.random_range(3..40)),
            )
            .await?;
        }
        if index % 13 == 4 {
            custody::record(
                db,
                person.id,
                custody::NewCustodyPeriod {
                    received_at: now - Duration::days(120),
                    expected_release_at: Some(now - Duration::days(30)),
                    released_at: Some(now - Duration::days(28)),
                },
                now,
            )
            .await?;
        }
    }
    Ok(())
}

async fn create_person(
    db: &impl ConnectionTrait,
    rng: &mut StdRng,
    index: usize,
    strand: Strand,
    now: DateTime<Utc>,
) -> anyhow::Result<vigil_persistence::entities::person::Model> {
    let given = GIVEN_NAMES[index % GIVEN_NAMES.len()];
    let family = FAMILY_NAMES[(index * 7) % FAMILY_NAMES.len()];
    // Prevent & Deter is mostly young people at risk of becoming prolific.
    let age = if strand == Strand::PreventDeter {
        rng.random_range(15..20)
    } else {
        rng.random_range(19..45)
    };
    let date_of_birth = NaiveDate::from_ymd_opt(
        2026 - age,
        rng.random_range(1..=12),
        rng.random_range(1..=28),
    )
    .unwrap_or_default();
    let pnc_year = (2026 - age + 16).unsigned_abs();
    let serial = 100_000 + (index as u32) * 3_571;
    let pnc = format!(
        "{pnc_year}/{serial:07}{}",
        pnc_check_letter(pnc_year, serial)
    );
    let tier = ["A", "B", "C", "D", "E"][index % 5];
    let rosh = ["medium", "high", "low", "medium", "very_high"][index % 5];
    let person = people::create(
        db,
        people::NewPerson {
            given_name: given.to_owned(),
            family_name: family.to_owned(),
            date_of_birth,
            pnc_id: Some(pnc),
            crn: Some(format!("N{:06}", 100_000 + index * 17)),
            // Ofcom's drama range: numbers that reach nobody.
            mobile: Some(format!("+447700900{:03}", index)),
            email: index.is_multiple_of(4).then(|| {
                format!("{}.{}@example.org", given, family)
                    .to_lowercase()
                    .replace('\'', "")
            }),
            language: if index.is_multiple_of(9) { "cy" } else { "en" }.to_owned(),
            sms_consent: index % 7 != 3,
            email_consent: index.is_multiple_of(4),
            tier: Some(tier.to_owned()),
            rosh: Some(rosh.to_owned()),
            mappa_level: (rosh == "very_high").then(|| "2".to_owned()),
        },
        now - Duration::days(400),
    )
    .await?;
    person_details::move_to_address(
        db,
        person.id,
        person_details::NewAddress {
            line1: format!("{} {}", 1 + index * 3, STREETS[index % STREETS.len()]),
            line2: None,
            town: "Northgate".to_owned(),
            postcode: Some(format!("NG{} {}AB", 1 + index % 9, index % 10)),
            from_date: local_date_days_ago(now, 300 + index as i64),
        },
    )
    .await?;
    Ok(person)
}

fn local_date_days_ago(now: DateTime<Utc>, days: i64) -> NaiveDate {
    (now - Duration::days(days)).date_naive()
}

/// Writes a plausible membership history; returns the final status.
async fn membership_history(
    db: &impl ConnectionTrait,
    team: &DemoTeam,
    rng: &mut StdRng,
    index: usize,
    strand: Strand,
    person_id: Uuid,
    now: DateTime<Utc>,
) -> anyhow::Result<&'static str> {
    let proposed_at = now - Duration::days(rng.random_range(200..380));
    let step = |action: &str, status: &str, strand: Strand| memberships::MembershipStep {
        action: action.to_owned(),
        status: status.to_owned(),
        strand: strand.as_str().to_owned(),
        actor_id: Some(team.coordinator),
        ..Default::default()
    };
    memberships::record(
        db,
        person_id,
        step("propose", "proposed", strand),
        proposed_at,
    )
    .await?;
    if index % 10 == 7 {
        return Ok("proposed");
    }
    let mut adopt = step("adopt", "adopted", strand);
    adopt.police_lead_id = Some(team.police[0]);
    adopt.probation_lead_id = Some(team.offender_managers[0]);
    adopt.reason = Some("Agreed at the monthly PPO meeting.".to_owned());
    memberships::record(db, person_id, adopt, proposed_at + Duration::days(30)).await?;
    if index % 6 == 1 {
        let mut moved = step("move", "adopted", Strand::CatchConvict);
        moved.reason =
            Some("Further burglary offences; fast-track through Catch & Convict.".to_owned());
        memberships::record(db, person_id, moved, proposed_at + Duration::days(120)).await?;
        let mut back = step("move", "adopted", strand);
        back.reason =
            Some("Sentenced to a community order; back to resettlement support.".to_owned());
        memberships::record(db, person_id, back, proposed_at + Duration::days(170)).await?;
    }
    if index % 10 == 9 {
        let mut deselect = step("deselect", "deselected", strand);
        deselect.reason =
            Some("No offending for twelve months; engaging with employment.".to_owned());
        deselect.exit_plan =
            Some("Monthly check-in with the offender manager for three months; housing support continues.".to_owned());
        memberships::record(db, person_id, deselect, now - Duration::days(10)).await?;
        return Ok("deselected");
    }
    Ok("adopted")
}

/// Eight weeks of past appointments with outcomes and contacts, and three weeks of future bookings.
async fn casework_history(
    db: &impl ConnectionTrait,
    rng: &mut StdRng,
    person: &vigil_persistence::entities::person::Model,
    staff_id: Uuid,
    now: DateTime<Utc>,
    tz: Tz,
) -> anyhow::Result<()> {
    let person_id = person.id;
    let today = local_date(now, tz);
    for week in -8_i64..=3 {
        if week == 0 {
            continue;
        }
        let (appointment_type, contact_type) = *APPOINTMENT_KINDS
            .choose(rng)
            .unwrap_or(&APPOINTMENT_KINDS[0]);
        let date = today + Duration::days(week * 7 + rng.random_range(0..5));
        let time = NaiveTime::from_hms_opt(
            rng.random_range(9..17),
            [0, 15, 30, 45][rng.random_range(0..4)],
            0,
        )
        .unwrap_or_default();
        let starts_at = local_to_utc(date, time, tz);
        let past = starts_at < now;
        let outcome = past.then(|| *PAST_OUTCOMES.choose(rng).unwrap_or(&"attended_complied"));
        let appointment = appointments::create(
            db,
            appointments::NewAppointment {
                person_id,
                staff_id: Some(staff_id),
                appointment_type: appointment_type.to_owned(),
                starts_at,
                ends_at: starts_at + Duration::minutes(45),
                location: (appointment_type == "office_visit")
                    .then(|| "Northgate Probation Office, 12 Market Square".to_owned()),
                status: if past { "outcomed" } else { "booked" }.to_owned(),
                remind: true,
                outcome: outcome.map(str::to_owned),
            },
            starts_at - Duration::days(14),
        )
        .await?;
        if !past {
            reminders::replan(
                db,
                &vigil_domain::ReminderPolicy::default(),
                tz,
                &appointment,
                person,
                REASON_RESCHEDULED,
                now,
            )
            .await?;
        }
        if let Some(outcome) = outcome {
            let attended = outcome.starts_with("attended");
            contacts::create(
                db,
                contacts::NewContact {
                    person_id,
                    staff_id: Some(staff_id),
                    contact_type: contact_type.to_owned(),
                    occurred_at: starts_at,
                    status: if attended { "completed" } else { "attempted" }.to_owned(),
                    outcome: Some(outcome.to_owned()),
                    notes: Some(contact_note(outcome).to_owned()),
                    sensitive: outcome == "acceptable_absence_medical",
                    appointment_id: Some(appointment.id),
                    ..Default::default()
                },
                starts_at + Duration::hours(1),
            )
            .await?;
        }
    }
    Ok(())
}

fn contact_note(outcome: &str) -> &'static str {
    match outcome {
        "attended_complied" => "Attended on time. Discussed progress on the sentence plan.",
        "attended_failed_to_comply" => {
            "Attended but under the influence; sent away. Warning to follow."
        }
        "unacceptable_absence" => "Did not attend and gave no reason. Enforcement considered.",
        "acceptable_absence_medical" => "Sick note provided by GP.",
        _ => "Recorded.",
    }
}
