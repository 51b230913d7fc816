//! `POST, GET /people/{id}/contacts`. Contacts are never edited: a correction is a new contact that
//! supersedes the old one, and both are kept. Sensitive contacts are hidden from roles that may not see them.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use vigil_domain::{AuditAction, ContactStatus, ContactType};
use vigil_persistence::repositories::{appointments, audit, contacts, home_visits};

use super::absences::lock_person;
use super::outcomes::{check_outcome_fits, parse_outcome};
use super::recording::{
    ContactRecord, ContactView, EnforcementView, check_not_long_ago, counts_for_enforcement,
    record_contact,
};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, path_id};
use crate::people::access::load_visible;
use crate::policy::{Permission, allows, require};
use crate::state::AppState;
use crate::validation::{Validator, parse_instant};

const ALREADY_SUPERSEDED: &str = "that contact is already superseded; correct the latest version";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContactRequest {
    /// face_to_face_office, home_visit, telephone, video, text_email, letter, third_party, case_conference
    #[serde(rename = "type")]
    pub contact_type: String,
    /// RFC 3339; not in the future.
    pub occurred_at: String,
    /// attempted | completed. With an outcome, `completed` only if the person attended
    /// (`attended_complied` or `attended_failed_to_comply`).
    pub status: String,
    pub outcome: Option<String>,
    /// With `outcome: "acceptable_absence"`.
    pub reason: Option<String>,
    pub notes: Option<String>,
    #[serde(default)]
    pub sensitive: bool,
    pub appointment_id: Option<Uuid>,
    pub home_visit_id: Option<Uuid>,
    /// The contact this one corrects.
    pub supersedes_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoggedContact {
    pub contact: ContactView,
    pub enforcement: Option<EnforcementView>,
}

#[utoipa::path(post, path = "/api/v1/people/{id}/contacts", tag = "casework", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = NewContactRequest,
    responses(
        (status = 201, description = "Logged, with any enforcement step it started", body = LoggedContact),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "The contact to supersede is already superseded", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn log_contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<NewContactRequest>,
) -> Result<(StatusCode, Json<LoggedContact>), ApiError> {
    require(&caller, Permission::LogContacts)?;
    let person_id = path_id(&id)?;
    let now = state.clock.now();
    let mut v = Validator::new();
    let contact_type = v.check("type", request.contact_type.parse::<ContactType>());
    let occurred_at = v.check("occurred_at", parse_instant(&request.occurred_at));
    if occurred_at.is_some_and(|at| at > now) {
        v.add("occurred_at", "must not be in the future");
    }

    let status = v.check("status", request.status.parse::<ContactStatus>());
    let outcome = request
        .outcome
        .as_deref()
        .and_then(|raw| parse_outcome(&mut v, raw, request.reason.as_deref()));
    if let (Some(status), Some(outcome)) = (status, outcome)
        && status != outcome.status()
    {
        v.add(
            "status",
            format!(
                "must be {} with the outcome {}",
                outcome.status().as_str(),
                outcome.as_str()
            ),
        );
    }
    if request.sensitive && !allows(caller.role, Permission::ReadSensitive) {
        v.add("sensitive", "your role may not record sensitive contacts");
    }
    let txn = state.db.begin().await?;
    // First: nothing below may tell someone who cannot see the person about their records.
    load_visible(&state, &txn, &caller, person_id).await?;
    // The person's row is the first lock every casework write takes (see `absences`).
    lock_person(&txn, person_id).await?;
    let mut corrected = None;
    if let Some(old_id) = request.supersedes_id {
        match contacts::find(&txn, old_id).await? {
            // A sensitive contact is, to a role that may not see it, no contact at all.
            Some(old)
                if old.person_id == person_id
                    && (!old.sensitive || allows(caller.role, Permission::ReadSensitive)) =>
            {
                // Correcting an absence that counts withdraws its warning or breach, and stops it
                // counting towards the next: that is managing enforcement.
                if counts_for_enforcement(&old) {
                    require(&caller, Permission::ManageEnforcement)?;
                }
                if contacts::is_superseded(&txn, old_id).await? {
                    return Err(ApiError::Conflict(ALREADY_SUPERSEDED.to_owned()));
                }
                corrected = Some(old);
            }
            _ => v.add("supersedes_id", "no contact of this person with this id"),
        }
    }
    // A record is of the last year, but a correction may keep the time of what it corrects, however old.
    if let Some(at) = occurred_at
        && corrected.as_ref().is_none_or(|old| old.occurred_at != at)
    {
        check_not_long_ago(&mut v, "occurred_at", at, now);
    }
    // A correction is of the same event: unless it says otherwise, it stays linked to the appointment or
    // visit the corrected contact was for (so correcting a correction still reaches the appointment).
    let appointment_id = request
        .appointment_id
        .or(corrected.as_ref().and_then(|old| old.appointment_id));
    let home_visit_id = request
        .home_visit_id
        .or(corrected.as_ref().and_then(|old| old.home_visit_id));
    let appointment = match appointment_id {
        Some(id) => appointments::find(&txn, id)
            .await?
            .filter(|appointment| appointment.person_id == person_id),
        None => None,
    };
    if appointment_id.is_some() && appointment.is_none() {
        v.add(
            "appointment_id",
            "no appointment of this person with this id",
        );
    }
    if let Some(visit_id) = home_visit_id
        && home_visits::find(&txn, visit_id)
            .await?
            .is_none_or(|visit| visit.person_id != person_id)
    {
        v.add("home_visit_id", "no home visit of this person with this id");
    }
    // The appointment whose outcome this corrects, if it corrects the contact that recorded one.
    let outcome_corrected_of = corrected
        .as_ref()
        .filter(|old| old.outcome.is_some())
        .and_then(|old| old.appointment_id);
    // An absence that counts towards enforcement, and an appointment's outcome, are probation's to record,
    // as at the appointment's own endpoint: the police log contacts, but start no warning or breach.
    if outcome.is_some_and(|o| o.counts_for_enforcement()) || outcome_corrected_of.is_some() {
        require(&caller, Permission::RecordOutcomes)?;
    }
    // An appointment's outcome is recorded at its own endpoint, which logs its contact, and corrected by
    // superseding that contact: another contact giving it an outcome would count the same absence twice.
    if outcome.is_some() && appointment.is_some() && outcome_corrected_of != appointment_id {
        v.add(
            "outcome",
            "an appointment's outcome is recorded at POST /api/v1/appointments/{id}/outcome, and corrected by superseding the contact that recorded it",
        );
    }
    if let Some(appointment) = &appointment {
        // Every stored type is one the API accepted; one that is not can be checked against nothing.
        if let Ok(kind) = appointment.appointment_type.parse() {
            check_outcome_fits(&mut v, outcome, kind);
        }
        // The appointment shows the outcome its contact records: a correction of one must give one.
        if outcome.is_none() && corrected.as_ref().is_some_and(|old| old.outcome.is_some()) {
            v.add(
                "outcome",
                "a correction of an appointment's outcome must give the outcome",
            );
        }
    }
    v.finish()?;
    let (Some(contact_type), Some(occurred_at), Some(status)) = (contact_type, occurred_at, status)
    else {
        return Err(ApiError::Internal("validated fields missing".to_owned()));
    };
    let (contact, step) = record_contact(
        &state,
        &txn,
        &caller,
        ContactRecord {
            person_id,
            contact_type,
            occurred_at,
            status,
            outcome,
            notes: request
                .notes
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty()),
            sensitive: request.sensitive,
            appointment_id,
            home_visit_id,
            supersedes_id: request.supersedes_id,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(LoggedContact {
            contact: ContactView::new(contact, None),
            enforcement: step.map(Into::into),
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/people/{id}/contacts", tag = "casework", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Person id")),
    responses(
        (status = 200, description = "Contacts, newest first; corrections and the contacts they supersede are both listed", body = [ContactView]),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ))]
pub async fn list_contacts(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<ContactView>>, ApiError> {
    require(&caller, Permission::ReadCasework)?;
    let person_id = path_id(&id)?;
    let txn = state.db.begin().await?;
    load_visible(&state, &txn, &caller, person_id).await?;
    let include_sensitive = allows(caller.role, Permission::ReadSensitive);
    let all = contacts::for_person(&txn, person_id, include_sensitive).await?;
    audit::append(
        &txn,
        caller.audit(AuditAction::Consult, "contacts", Some(person_id)),
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    let superseded_by: HashMap<Uuid, Uuid> = all
        .iter()
        .filter_map(|c| c.supersedes_id.map(|old| (old, c.id)))
        .collect();
    Ok(Json(
        all.into_iter()
            .map(|c| {
                let later = superseded_by.get(&c.id).copied();
                ContactView::new(c, later)
            })
            .collect(),
    ))
}
