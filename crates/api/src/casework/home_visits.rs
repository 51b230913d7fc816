//! Home visits: plan one by hand, list the officer's (due, overdue, completed), record the outcome.
//! Every read shows the person's risk-to-staff markers; not-at-home and refused-entry create a follow-up.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use vigil_domain::{
    AgencyKind, AuditAction, ContactOutcome, ContactStatus, ContactType, HomeVisitOutcome,
    StaffRole,
};
use vigil_persistence::ConnectionTrait;
use vigil_persistence::entities::home_visit;
use vigil_persistence::repositories::home_visits::{self, NewHomeVisit, VisitFilter, VisitState};
use vigil_persistence::repositories::{PageRequest, agencies, audit, person_details, staff};

use super::absences::lock_person;
use super::recording::{ContactRecord, ContactView, record_contact};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiQuery, path_id};
use crate::people::access::load_visible;
use crate::people::views::RiskMarkerView;
use crate::policy::{Permission, require};
use crate::state::AppState;
use crate::validation::{Validator, parse_instant};

/// How long a follow-up visit's window stays open.
const FOLLOW_UP_WINDOW_DAYS: i64 = 3;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewVisitRequest {
    pub window_start: String,
    pub window_end: String,
    /// Unannounced visits are the norm for Catch & Convict.
    pub announced: bool,
    /// The officer who will visit; defaults to the caller if police and no team is given.
    pub assigned_to: Option<Uuid>,
    /// The team the visit is given to: a police agency (with or without an officer).
    pub assigned_team_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitView {
    pub id: Uuid,
    pub person_id: Uuid,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub address: Option<String>,
    pub assigned_to: Option<Uuid>,
    /// The team (a police agency) the visit is given to.
    pub assigned_team_id: Option<Uuid>,
    pub announced: bool,
    /// planned | completed | not_at_home | refused_entry
    pub status: String,
    /// For a planned visit: due or overdue.
    pub due_state: Option<String>,
    pub follow_up_of: Option<Uuid>,
    /// Risk-to-staff warning markers, on every read.
    pub risk_markers: Vec<RiskMarkerView>,
}

async fn view(
    db: &impl ConnectionTrait,
    visit: home_visit::Model,
    now: DateTime<Utc>,
) -> Result<VisitView, ApiError> {
    views(db, vec![visit], now)
        .await?
        .pop()
        .ok_or_else(|| ApiError::Internal("a visit's view went missing".to_owned()))
}

/// The visits as shown, each with its person's risk-to-staff markers: read in one query for them all.
async fn views(
    db: &impl ConnectionTrait,
    visits: Vec<home_visit::Model>,
    now: DateTime<Utc>,
) -> Result<Vec<VisitView>, ApiError> {
    let mut people: Vec<Uuid> = visits.iter().map(|visit| visit.person_id).collect();
    people.sort_unstable();
    people.dedup();
    let markers = person_details::active_risk_markers_of(db, &people).await?;
    Ok(visits
        .into_iter()
        .map(|visit| {
            let risk_markers = markers
                .iter()
                .filter(|marker| marker.person_id == visit.person_id)
                .cloned()
                .map(Into::into)
                .collect();
            let due_state = (visit.status == home_visits::STATUS_PLANNED).then(|| {
                if visit.window_end < now {
                    "overdue"
                } else {
                    "due"
                }
                .to_owned()
            });
            VisitView {
                id: visit.id,
                person_id: visit.person_id,
                window_start: visit.window_start,
                window_end: visit.window_end,
                address: visit.address,
                assigned_to: visit.assigned_to,
                assigned_team_id: visit.assigned_team_id,
                announced: visit.announced,
                status: visit.status,
                due_state,
                follow_up_of: visit.follow_up_of,
                risk_markers,
            }
        })
        .collect())
}

#[utoipa::path(post, path = "/api/v1/people/{id}/home-visits", tag = "casework", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = NewVisitRequest,
    responses(
        (status = 201, description = "Planned, with the person's risk-to-staff markers", body = VisitView),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn plan_visit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<NewVisitRequest>,
) -> Result<(StatusCode, Json<VisitView>), ApiError> {
    require(&caller, Permission::PlanHomeVisits)?;
    let person_id = path_id(&id)?;
    let now = state.clock.now();
    let mut v = Validator::new();
    let start = v.check("window_start", parse_instant(&request.window_start));
    let end = v.check("window_end", parse_instant(&request.window_end));
    if let (Some(start), Some(end)) = (start, end)
        && end <= start
    {
        v.add("window_end", "must be after window_start");
    }
    if end.is_some_and(|end| end < now) {
        v.add("window_end", "must not be in the past");
    }
    // A police officer planning a visit takes it, unless it is given to a team.
    let assigned_to = request.assigned_to.or((caller.role == StaffRole::Police
        && request.assigned_team_id.is_none())
    .then_some(caller.id));
    let txn = state.db.begin().await?;
    if let Some(team) = request.assigned_team_id {
        let police_team = agencies::find(&txn, team)
            .await?
            .is_some_and(|agency| agency.kind == AgencyKind::Police.as_str());
        if !police_team {
            v.add("assigned_team_id", "must be the id of a police agency");
        }
    }
    if let Some(officer) = assigned_to {
        let fits = staff::find(&txn, officer)
            .await?
            .is_some_and(|user| user.active && user.role == StaffRole::Police.as_str());
        if !fits {
            v.add("assigned_to", "must be an active police user");
        }
    }
    v.finish()?;
    let (Some(window_start), Some(window_end)) = (start, end) else {
        return Err(ApiError::Internal("validated fields missing".to_owned()));
    };
    load_visible(&state, &txn, &caller, person_id).await?;
    let visit = home_visits::create(
        &txn,
        NewHomeVisit {
            person_id,
            window_start,
            window_end,
            address: person_details::current_address_line(&txn, person_id).await?,
            assigned_to,
            assigned_team_id: request.assigned_team_id,
            announced: request.announced,
            follow_up_of: None,
            created_by: Some(caller.id),
        },
        now,
    )
    .await?;
    let mut entry = caller.audit(AuditAction::Collect, "home_visit", Some(person_id));
    entry.entity_id = Some(visit.id);
    audit::append(&txn, entry, now).await?;
    let answer = view(&txn, visit, now).await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VisitQuery {
    /// `me` or a staff id.
    pub assigned_to: Option<String>,
    /// `mine` (the caller's own agency) or an agency id: the visits given to that team.
    pub team: Option<String>,
    /// due | overdue | completed
    pub status: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitPage {
    pub items: Vec<VisitView>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[utoipa::path(get, path = "/api/v1/home-visits", tag = "casework", security(("bearer" = [])),
    params(VisitQuery),
    responses(
        (status = 200, description = "Visits by window end, each with risk-to-staff markers", body = VisitPage),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    ))]
pub async fn list_visits(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<VisitQuery>,
) -> Result<Json<VisitPage>, ApiError> {
    require(&caller, Permission::ReadHomeVisits)?;
    let now = state.clock.now();
    let mut v = Validator::new();
    let assigned_to = v.optional("assigned_to", query.assigned_to.as_deref(), |raw| {
        if raw == "me" {
            Ok(caller.id)
        } else {
            Uuid::parse_str(raw).map_err(|_| "must be a staff id or \"me\"")
        }
    });
    let team = v.optional("team", query.team.as_deref(), |raw| {
        if raw == "mine" {
            caller
                .agency_id
                .ok_or("\"mine\" needs a caller who belongs to an agency")
        } else {
            Uuid::parse_str(raw).map_err(|_| "must be an agency id or \"mine\"")
        }
    });
    let visit_state = v.optional("status", query.status.as_deref(), |raw| match raw {
        "due" => Ok(VisitState::Due),
        "overdue" => Ok(VisitState::Overdue),
        "completed" => Ok(VisitState::Completed),
        _ => Err("must be due, overdue or completed"),
    });
    let from = v.optional("from", query.from.as_deref(), parse_instant);
    let to = v.optional("to", query.to.as_deref(), parse_instant);
    v.finish()?;
    let filter = VisitFilter {
        assigned_to,
        assigned_team_id: team,
        state: visit_state,
        from,
        to,
        person_ids: None,
    };
    let txn = state.db.begin().await?;
    let page = home_visits::list(
        &txn,
        &filter,
        now,
        PageRequest::new(query.page, query.per_page),
    )
    .await?;
    let listing = caller
        .audit(AuditAction::Consult, "home_visits", None)
        .listing(page.items.iter().map(|visit| visit.person_id));
    let items = views(&txn, page.items, now).await?;
    audit::append_listing(&txn, listing, now).await?;
    txn.commit().await?;
    Ok(Json(VisitPage {
        items,
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitOutcomeRequest {
    /// completed | not_at_home | refused_entry
    pub outcome: String,
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitOutcomeResult {
    pub visit: VisitView,
    pub contact: ContactView,
    /// The follow-up visit planned after not-at-home or refused-entry.
    pub follow_up: Option<VisitView>,
}

#[utoipa::path(post, path = "/api/v1/home-visits/{id}/outcome", tag = "casework", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Home visit id")),
    request_body = VisitOutcomeRequest,
    responses(
        (status = 200, description = "Recorded, with the contact and any follow-up", body = VisitOutcomeResult),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Already outcomed", body = Problem), (status = 422, body = Problem),
    ))]
pub async fn record_visit_outcome(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<VisitOutcomeRequest>,
) -> Result<Json<VisitOutcomeResult>, ApiError> {
    require(&caller, Permission::RecordHomeVisits)?;
    let id = path_id(&id)?;
    let now = state.clock.now();
    let mut v = Validator::new();
    let outcome = v.check("outcome", request.outcome.parse::<HomeVisitOutcome>());
    v.finish()?;
    let outcome = outcome.ok_or_else(|| ApiError::field("outcome", "is required"))?;
    let txn = state.db.begin().await?;
    let planned = home_visits::find(&txn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    load_visible(&state, &txn, &caller, planned.person_id).await?;
    lock_person(&txn, planned.person_id).await?;
    if planned.window_start > now {
        return Err(ApiError::field(
            "outcome",
            "the visit window has not opened yet",
        ));
    }
    let visit = home_visits::record_outcome(&txn, id, outcome.as_str(), now).await?;
    let (contact_outcome, status) = match outcome {
        HomeVisitOutcome::Completed => (None, ContactStatus::Completed),
        HomeVisitOutcome::NotAtHome => (Some(ContactOutcome::NotAtHome), ContactStatus::Attempted),
        HomeVisitOutcome::RefusedEntry => {
            (Some(ContactOutcome::RefusedEntry), ContactStatus::Attempted)
        }
    };
    let (contact, _) = record_contact(
        &state,
        &txn,
        &caller,
        ContactRecord {
            person_id: visit.person_id,
            contact_type: ContactType::HomeVisit,
            occurred_at: now,
            status,
            outcome: contact_outcome,
            notes: request
                .notes
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty()),
            sensitive: false,
            appointment_id: None,
            home_visit_id: Some(visit.id),
            supersedes_id: None,
        },
        now,
    )
    .await?;
    let follow_up = if outcome == HomeVisitOutcome::Completed {
        None
    } else {
        let next = home_visits::create(
            &txn,
            NewHomeVisit {
                person_id: visit.person_id,
                window_start: now,
                window_end: now + Duration::days(FOLLOW_UP_WINDOW_DAYS),
                address: visit.address.clone(),
                assigned_to: visit.assigned_to,
                assigned_team_id: visit.assigned_team_id,
                announced: false,
                follow_up_of: Some(visit.id),
                created_by: Some(caller.id),
            },
            now,
        )
        .await?;
        Some(view(&txn, next, now).await?)
    };
    let answer = VisitOutcomeResult {
        visit: view(&txn, visit, now).await?,
        contact: ContactView::new(contact, None),
        follow_up,
    };
    txn.commit().await?;
    Ok(Json(answer))
}
