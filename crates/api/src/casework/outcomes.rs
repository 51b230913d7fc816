//! `POST /appointments/{id}/outcome`: what happened. Creates the contact (and any enforcement step),
//! closes the appointment and withdraws its remaining reminders, in one transaction.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use sea_orm::Set;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use vigil_domain::{AppointmentType, ContactOutcome};
use vigil_persistence::ConnectionTrait;
use vigil_persistence::entities::{appointment, person};
use vigil_persistence::repositories::appointments::{self, STATUS_BOOKED, STATUS_OUTCOMED};
use vigil_persistence::repositories::notifications::REASON_OUTCOMED;

use super::appointments::find_for_write;
use super::recording::{ContactRecord, ContactView, EnforcementView, record_contact};
use super::reminders::replan;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, path_id};
use crate::policy::{Permission, require};
use crate::state::AppState;
use crate::validation::Validator;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    /// attended_complied, attended_failed_to_comply, sent_home, acceptable_absence (with `reason`),
    /// acceptable_absence_<reason>, unacceptable_absence, failed_to_attend; for home visits also
    /// not_at_home, refused_entry.
    pub outcome: String,
    /// The acceptable-absence reason: court, employment, family, holiday, medical, religious,
    /// professional_judgement.
    pub reason: Option<String>,
    pub notes: Option<String>,
    /// Mark the contact's notes sensitive (hidden from roles that may not see them).
    pub sensitive: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeResult {
    pub contact: ContactView,
    /// The warning or breach the outcome started, if it counts for enforcement.
    pub enforcement: Option<EnforcementView>,
}

/// Parses an outcome, folding `acceptable_absence` + `reason` into the specific outcome.
pub fn parse_outcome(
    v: &mut Validator,
    outcome: &str,
    reason: Option<&str>,
) -> Option<ContactOutcome> {
    let outcome = outcome.trim();
    if outcome == "acceptable_absence" {
        return match reason {
            Some(reason) => v.check(
                "reason",
                format!("acceptable_absence_{}", reason.trim()).parse::<ContactOutcome>().map_err(|_| {
                    "must be court, employment, family, holiday, medical, religious or professional_judgement"
                }),
            ),
            None => {
                v.add("reason", "an acceptable absence needs a reason");
                None
            }
        };
    }
    v.check("outcome", outcome.parse::<ContactOutcome>())
}

/// Not at home and refused entry are outcomes of home and doorstep visits only (checked for an outcome
/// recorded on an appointment, and for a contact linked to one).
pub fn check_outcome_fits(
    v: &mut Validator,
    outcome: Option<ContactOutcome>,
    appointment_type: AppointmentType,
) {
    let home = matches!(
        appointment_type,
        AppointmentType::HomeVisit | AppointmentType::DoorstepVisit
    );
    if outcome
        .is_some_and(|o| matches!(o, ContactOutcome::NotAtHome | ContactOutcome::RefusedEntry))
        && !home
    {
        v.add(
            "outcome",
            "not_at_home and refused_entry are for home and doorstep visits",
        );
    }
}

/// Records the outcome of a booked appointment that has started.
pub async fn record_appointment_outcome(
    state: &AppState,
    db: &impl ConnectionTrait,
    caller: &Caller,
    current: appointment::Model,
    person: &person::Model,
    input: OutcomeInput,
    now: DateTime<Utc>,
) -> Result<(appointment::Model, OutcomeResult), ApiError> {
    let mut v = Validator::new();
    let outcome = parse_outcome(&mut v, &input.outcome, input.reason.as_deref());
    let kind = current
        .appointment_type
        .parse::<AppointmentType>()
        .map_err(|_| {
            ApiError::Internal(format!("appointment {} has an unknown type", current.id))
        })?;
    check_outcome_fits(&mut v, outcome, kind);
    if current.starts_at > now {
        v.add("outcome", "the appointment has not started yet");
    }
    v.finish()?;
    let outcome = outcome.ok_or_else(|| ApiError::field("outcome", "is required"))?;
    if current.status != STATUS_BOOKED {
        return Err(ApiError::Conflict(format!(
            "the appointment is already {}",
            current.status
        )));
    }
    let (contact, step) = record_contact(
        state,
        db,
        caller,
        ContactRecord {
            person_id: current.person_id,
            contact_type: kind.contact_type(),
            occurred_at: current.starts_at,
            status: outcome.status(),
            outcome: Some(outcome),
            notes: input
                .notes
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty()),
            sensitive: input.sensitive.unwrap_or(false),
            appointment_id: Some(current.id),
            home_visit_id: None,
            supersedes_id: None,
        },
        now,
    )
    .await?;
    let updated = appointments::save_versioned(db, current, now, |model| {
        model.status = Set(STATUS_OUTCOMED.to_owned());
        model.outcome = Set(Some(outcome.as_str().to_owned()));
    })
    .await?;
    replan(state, db, &updated, person, REASON_OUTCOMED, now).await?;
    Ok((
        updated,
        OutcomeResult {
            contact: ContactView::new(contact, None),
            enforcement: step.map(Into::into),
        },
    ))
}

#[utoipa::path(post, path = "/api/v1/appointments/{id}/outcome", tag = "casework", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Appointment id")),
    request_body = OutcomeInput,
    responses(
        (status = 200, description = "The contact recorded, and any enforcement step", body = OutcomeResult),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Already outcomed or cancelled", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn record_outcome(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<OutcomeInput>,
) -> Result<Json<OutcomeResult>, ApiError> {
    require(&caller, Permission::RecordOutcomes)?;
    let id = path_id(&id)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let (current, person) = find_for_write(&state, &txn, &caller, id).await?;
    let (_, result) =
        record_appointment_outcome(&state, &txn, &caller, current, &person, input, now).await?;
    txn.commit().await?;
    Ok(Json(result))
}
