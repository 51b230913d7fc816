//! Appointments: book, list, reschedule and cancel. Every change re-plans the reminders in the same
//! transaction; a clash with another booked appointment of the person or of the member of staff is 409.

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use sea_orm::Set;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use vigil_domain::{AppointmentType, AuditAction, StaffRole};
use vigil_persistence::ConnectionTrait;
use vigil_persistence::entities::{appointment, person};
use vigil_persistence::repositories::appointments::{self, NewAppointment, STATUS_BOOKED};
use vigil_persistence::repositories::notifications::{REASON_CANCELLED, REASON_RESCHEDULED};
use vigil_persistence::repositories::{audit, contacts, staff};

use super::absences::lock_person;
use super::outcomes::{OutcomeInput, OutcomeResult, record_appointment_outcome};
use super::recording::check_not_long_ago;
use super::reminders::replan;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiQuery, path_id};
use crate::people::access::load_visible;
use crate::policy::{Permission, allows, require};
use crate::state::AppState;
use crate::validation::{Validator, nullable, parse_instant};

const MIN_MINUTES: i64 = 5;
const MAX_MINUTES: i64 = 8 * 60;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAppointmentRequest {
    /// office_visit, initial_appointment, telephone, video, home_visit, doorstep_visit, drug_test,
    /// treatment_session, programme_session, unpaid_work, job_interview, court_hearing, housing_appointment
    #[serde(rename = "type")]
    pub appointment_type: String,
    /// RFC 3339 instant.
    pub starts_at: String,
    /// 5 to 480.
    pub duration_minutes: i64,
    pub location: Option<String>,
    /// Who sees the person; defaults to the caller.
    pub staff_id: Option<Uuid>,
    /// Send SMS/email reminders (default true).
    pub remind: Option<bool>,
    /// Only for an appointment recorded after the fact (a past start): what happened.
    pub outcome: Option<String>,
    /// With `outcome: "acceptable_absence"`: court, employment, family, holiday, medical, religious,
    /// professional_judgement.
    pub reason: Option<String>,
    pub notes: Option<String>,
    /// With `outcome`: mark the contact it records sensitive (a medical or family reason, say), hiding it
    /// and the appointment's outcome from roles that may not read sensitive contacts.
    pub sensitive: Option<bool>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentPatch {
    /// Reschedule to this start.
    pub starts_at: Option<String>,
    pub duration_minutes: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    pub staff_id: Option<Uuid>,
    /// Only `cancelled`.
    pub status: Option<String>,
    /// The version being changed (optimistic locking).
    pub version: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AppointmentView {
    pub id: Uuid,
    pub person_id: Uuid,
    pub staff_id: Option<Uuid>,
    #[serde(rename = "type")]
    pub appointment_type: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub duration_minutes: i64,
    pub location: Option<String>,
    /// booked | cancelled | outcomed
    pub status: String,
    pub remind: bool,
    /// The outcome recorded; withheld (null) from a role that may not read sensitive contacts when the
    /// contact that recorded it is sensitive.
    pub outcome: Option<String>,
    pub version: i32,
}

impl From<appointment::Model> for AppointmentView {
    fn from(a: appointment::Model) -> Self {
        Self {
            id: a.id,
            person_id: a.person_id,
            staff_id: a.staff_id,
            appointment_type: a.appointment_type,
            duration_minutes: (a.ends_at - a.starts_at).num_minutes(),
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            location: a.location,
            status: a.status,
            remind: a.remind,
            outcome: a.outcome,
            version: a.version,
        }
    }
}

/// Booking with an after-the-fact outcome answers the appointment and what the outcome recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookedAppointment {
    pub appointment: AppointmentView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded: Option<OutcomeResult>,
}

fn check_duration(v: &mut Validator, minutes: i64) {
    if !(MIN_MINUTES..=MAX_MINUTES).contains(&minutes) {
        v.add(
            "duration_minutes",
            format!("must be {MIN_MINUTES} to {MAX_MINUTES}"),
        );
    }
}

/// 409 naming the clash, if the slot overlaps another booked appointment of the person or the staff member.
async fn refuse_clash(
    db: &impl ConnectionTrait,
    person_id: Uuid,
    staff_id: Option<Uuid>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    except: Option<Uuid>,
) -> Result<(), ApiError> {
    if let Some(clash) =
        appointments::find_clash(db, person_id, staff_id, starts_at, ends_at, except).await?
    {
        let whose = if clash.person_id == person_id {
            "this person"
        } else {
            "this member of staff"
        };
        return Err(ApiError::Conflict(format!(
            "clashes with {whose}'s {} from {} to {} (appointment {})",
            clash.appointment_type,
            clash.starts_at.to_rfc3339(),
            clash.ends_at.to_rfc3339(),
            clash.id
        )));
    }
    Ok(())
}

/// The appointment `id` and its person, for a write: 404 unless the caller may see the person. The
/// person's row is locked first, as in every casework write, and the appointment read after that, as it
/// stands once any write that held the lock before this one has committed.
pub(super) async fn find_for_write(
    state: &AppState,
    txn: &impl ConnectionTrait,
    caller: &Caller,
    id: Uuid,
) -> Result<(appointment::Model, person::Model), ApiError> {
    let person_id = appointments::find(txn, id)
        .await?
        .ok_or(ApiError::NotFound)?
        .person_id;
    let (person, _) = load_visible(state, txn, caller, person_id).await?;
    lock_person(txn, person_id).await?;
    let current = appointments::find(txn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((current, person))
}

/// The longest location kept: it goes into every reminder, and an SMS has room for little more.
const LOCATION_MAX_CHARS: usize = 200;

/// A location as given, trimmed (blank is none); 422 on `location` if too long for a reminder to carry.
fn clean_location(v: &mut Validator, location: Option<String>) -> Option<String> {
    let location = location
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())?;
    if location.chars().count() > LOCATION_MAX_CHARS {
        v.add(
            "location",
            format!("must be at most {LOCATION_MAX_CHARS} characters"),
        );
    }
    Some(location)
}

/// The member of staff who will see the person: an active user who is not a partner or an admin.
async fn check_staff(
    db: &impl ConnectionTrait,
    v: &mut Validator,
    id: Uuid,
) -> Result<(), ApiError> {
    let fits = staff::find(db, id).await?.is_some_and(|user| {
        user.active
            && user
                .role
                .parse::<StaffRole>()
                .is_ok_and(|role| !matches!(role, StaffRole::Partner | StaffRole::Admin))
    });
    if !fits {
        v.add(
            "staff_id",
            "must be an active member of the offender management team",
        );
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/people/{id}/appointments", tag = "casework", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = NewAppointmentRequest,
    responses(
        (status = 201, description = "Booked (reminders planned), or recorded after the fact", body = BookedAppointment),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Clashes with another appointment of the person or the staff member", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn book(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<NewAppointmentRequest>,
) -> Result<(StatusCode, Json<BookedAppointment>), ApiError> {
    require(&caller, Permission::BookAppointments)?;
    let person_id = path_id(&id)?;
    let now = state.clock.now();
    let mut v = Validator::new();
    let kind = v.check("type", request.appointment_type.parse::<AppointmentType>());
    let starts_at = v.check("starts_at", parse_instant(&request.starts_at));
    check_duration(&mut v, request.duration_minutes);
    let after_the_fact = starts_at.is_some_and(|at| at < now);
    if let Some(at) = starts_at {
        check_not_long_ago(&mut v, "starts_at", at, now);
    }
    if after_the_fact && request.outcome.is_none() {
        v.add(
            "starts_at",
            "is in the past: record it after the fact with an outcome, or book a future time",
        );
    }
    if !after_the_fact && request.outcome.is_some() {
        v.add(
            "outcome",
            "can only be recorded for an appointment that has started",
        );
    }
    if request.sensitive.is_some() && request.outcome.is_none() {
        v.add(
            "sensitive",
            "marks the contact an outcome records: give it with an outcome",
        );
    }
    let location = clean_location(&mut v, request.location);
    let staff_id = request.staff_id.unwrap_or(caller.id);
    let txn = state.db.begin().await?;
    check_staff(&txn, &mut v, staff_id).await?;
    v.finish()?;
    let (Some(kind), Some(starts_at)) = (kind, starts_at) else {
        return Err(ApiError::Internal("validated fields missing".to_owned()));
    };
    let ends_at = starts_at + Duration::minutes(request.duration_minutes);
    let (person, _) = load_visible(&state, &txn, &caller, person_id).await?;
    lock_person(&txn, person_id).await?;
    if !after_the_fact {
        refuse_clash(&txn, person_id, Some(staff_id), starts_at, ends_at, None).await?;
    }
    let booked = appointments::create(
        &txn,
        NewAppointment {
            person_id,
            staff_id: Some(staff_id),
            appointment_type: kind.as_str().to_owned(),
            starts_at,
            ends_at,
            location,
            status: STATUS_BOOKED.to_owned(),
            remind: request.remind.unwrap_or(true) && !after_the_fact,
            outcome: None,
        },
        now,
    )
    .await?;
    let mut entry = caller.audit(AuditAction::Collect, "appointment", Some(person_id));
    entry.entity_id = Some(booked.id);
    audit::append(&txn, entry, now).await?;
    let (appointment, recorded) = match request.outcome {
        Some(outcome) => {
            let input = OutcomeInput {
                outcome,
                reason: request.reason,
                notes: request.notes,
                sensitive: request.sensitive,
            };
            let (appointment, result) =
                record_appointment_outcome(&state, &txn, &caller, booked, &person, input, now)
                    .await?;
            (appointment, Some(result))
        }
        None => {
            replan(&state, &txn, &booked, &person, REASON_RESCHEDULED, now).await?;
            (booked, None)
        }
    };
    txn.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(BookedAppointment {
            appointment: appointment.into(),
            recorded,
        }),
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RangeQuery {
    /// RFC 3339; appointments starting at or after.
    pub from: Option<String>,
    /// RFC 3339; appointments starting before.
    pub to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/people/{id}/appointments", tag = "casework", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Person id"), RangeQuery),
    responses(
        (status = 200, description = "Appointments, earliest first", body = [AppointmentView]),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<RangeQuery>,
) -> Result<Json<Vec<AppointmentView>>, ApiError> {
    require(&caller, Permission::ReadCasework)?;
    let person_id = path_id(&id)?;
    let mut v = Validator::new();
    let from = v.optional("from", query.from.as_deref(), parse_instant);
    let to = v.optional("to", query.to.as_deref(), parse_instant);
    v.finish()?;
    let txn = state.db.begin().await?;
    load_visible(&state, &txn, &caller, person_id).await?;
    let found = appointments::for_person(&txn, person_id, from, to).await?;
    // An outcome a sensitive contact records (an absence for a medical or family reason) is as hidden as
    // that contact from a role that may not read it: the appointment shows it outcomed, without the why.
    let withheld = if allows(caller.role, Permission::ReadSensitive) {
        HashSet::new()
    } else {
        contacts::appointments_with_sensitive_outcome(&txn, person_id).await?
    };
    audit::append(
        &txn,
        caller.audit(AuditAction::Consult, "appointments", Some(person_id)),
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    let views = found
        .into_iter()
        .map(|appointment| {
            let hide = withheld.contains(&appointment.id);
            let mut view = AppointmentView::from(appointment);
            if hide {
                view.outcome = None;
            }
            view
        })
        .collect();
    Ok(Json(views))
}

#[utoipa::path(patch, path = "/api/v1/appointments/{id}", tag = "casework", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Appointment id")),
    request_body = AppointmentPatch,
    responses(
        (status = 200, description = "Rescheduled or cancelled; reminders follow", body = AppointmentView),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "A clash, a stale version, or the appointment is no longer booked", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<AppointmentPatch>,
) -> Result<Json<AppointmentView>, ApiError> {
    require(&caller, Permission::BookAppointments)?;
    let id = path_id(&id)?;
    let now = state.clock.now();
    let mut v = Validator::new();
    let new_start = v.optional("starts_at", patch.starts_at.as_deref(), parse_instant);
    if new_start.is_some_and(|at| at < now) {
        v.add("starts_at", "must not be in the past");
    }
    if let Some(minutes) = patch.duration_minutes {
        check_duration(&mut v, minutes);
    }
    let location = patch
        .location
        .map(|location| clean_location(&mut v, location));
    let cancel = match patch.status.as_deref() {
        None => false,
        Some("cancelled") => true,
        Some(_) => {
            v.add(
                "status",
                "only \"cancelled\" can be set here; outcomes go to /outcome",
            );
            false
        }
    };
    let txn = state.db.begin().await?;
    if let Some(staff_id) = patch.staff_id {
        check_staff(&txn, &mut v, staff_id).await?;
    }
    v.finish()?;
    let (current, person) = find_for_write(&state, &txn, &caller, id).await?;
    if current.status != STATUS_BOOKED {
        return Err(ApiError::Conflict(format!(
            "the appointment is {}",
            current.status
        )));
    }
    // Once it has started, what happened is recorded as its outcome (an acceptable absence, if the
    // session did not take place for a good reason): moving or cancelling it then would take a missed
    // appointment off the worklist without an outcome, and out of reach of enforcement.
    if current.starts_at <= now {
        return Err(ApiError::Conflict(format!(
            "the appointment started at {}: record its outcome instead (POST /api/v1/appointments/{}/outcome)",
            current.starts_at.to_rfc3339(),
            current.id
        )));
    }
    if patch
        .version
        .is_some_and(|version| version != current.version)
    {
        return Err(ApiError::Conflict(
            "the appointment was changed by someone else; reload and try again".to_owned(),
        ));
    }
    let starts_at = new_start.unwrap_or(current.starts_at);
    let duration = patch
        .duration_minutes
        .map_or(current.ends_at - current.starts_at, Duration::minutes);
    let ends_at = starts_at + duration;
    let staff_id = patch.staff_id.or(current.staff_id);
    if !cancel {
        refuse_clash(
            &txn,
            current.person_id,
            staff_id,
            starts_at,
            ends_at,
            Some(id),
        )
        .await?;
    }
    let updated = appointments::save_versioned(&txn, current, now, |model| {
        model.starts_at = Set(starts_at);
        model.ends_at = Set(ends_at);
        model.staff_id = Set(staff_id);
        if let Some(location) = location {
            model.location = Set(location);
        }
        if cancel {
            model.status = Set("cancelled".to_owned());
        }
    })
    .await?;
    let reason = if cancel {
        REASON_CANCELLED
    } else {
        REASON_RESCHEDULED
    };
    replan(&state, &txn, &updated, &person, reason, now).await?;
    let mut entry = caller.audit(AuditAction::Alter, "appointment", Some(updated.person_id));
    entry.entity_id = Some(updated.id);
    audit::append(&txn, entry, now).await?;
    txn.commit().await?;
    Ok(Json(updated.into()))
}
