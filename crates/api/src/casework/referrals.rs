//! Referrals to resettlement pathways (Rehabilitate & Resettle). A partner agency sees and moves only its
//! own agency's referrals; the time from referral to start is recorded for reporting.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use vigil_domain::{AuditAction, ReferralStatus, ResettlementPathway, StaffRole};
use vigil_persistence::entities::referral;
use vigil_persistence::repositories::referrals::{self, NewReferral, ReferralFilter};
use vigil_persistence::repositories::{PageRequest, agencies, audit};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiQuery, path_id};
use crate::people::access::{Visibility, load_visible};
use crate::policy::{Permission, require};
use crate::state::AppState;
use crate::validation::{Validator, parse_instant};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReferralRequest {
    /// accommodation, education_training_employment, health, drugs_alcohol, finance_benefit_debt,
    /// children_families, attitudes_thinking_behaviour
    pub pathway: String,
    pub agency_id: Uuid,
    pub notes: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralPatch {
    /// started | completed | declined | withdrawn
    pub status: String,
    /// When it happened (RFC 3339); defaults to now.
    pub at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralView {
    pub id: Uuid,
    pub person_id: Uuid,
    pub pathway: String,
    pub agency_id: Uuid,
    pub status: String,
    pub notes: Option<String>,
    pub referred_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Whole days from referral to start: the key measure (e.g. time to drug treatment).
    pub days_to_start: Option<i64>,
}

impl From<referral::Model> for ReferralView {
    fn from(r: referral::Model) -> Self {
        Self {
            days_to_start: r.started_at.map(|start| (start - r.referred_at).num_days()),
            id: r.id,
            person_id: r.person_id,
            pathway: r.pathway,
            agency_id: r.agency_id,
            status: r.status,
            notes: r.notes,
            referred_at: r.referred_at,
            started_at: r.started_at,
            ended_at: r.ended_at,
        }
    }
}

#[utoipa::path(post, path = "/api/v1/people/{id}/referrals", tag = "casework", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = NewReferralRequest,
    responses(
        (status = 201, description = "Referred", body = ReferralView),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn refer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<NewReferralRequest>,
) -> Result<(StatusCode, Json<ReferralView>), ApiError> {
    require(&caller, Permission::Refer)?;
    let person_id = path_id(&id)?;
    let now = state.clock.now();
    let mut v = Validator::new();
    let pathway = v.check("pathway", request.pathway.parse::<ResettlementPathway>());
    let txn = state.db.begin().await?;
    if agencies::find(&txn, request.agency_id).await?.is_none() {
        v.add("agency_id", "no agency with this id");
    }
    v.finish()?;
    let pathway = pathway.ok_or_else(|| ApiError::field("pathway", "is required"))?;
    load_visible(&state, &txn, &caller, person_id).await?;
    let created = referrals::create(
        &txn,
        NewReferral {
            person_id,
            pathway: pathway.as_str().to_owned(),
            agency_id: request.agency_id,
            notes: request
                .notes
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty()),
            created_by: Some(caller.id),
        },
        now,
    )
    .await?;
    // Sending a referral shares the person's details with the agency.
    let mut entry = caller.audit(AuditAction::Disclose, "referral", Some(person_id));
    entry.entity_id = Some(created.id);
    entry.detail = Some(serde_json::json!({ "recipient_agency_id": request.agency_id }));
    audit::append(&txn, entry, now).await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReferralQuery {
    pub person_id: Option<Uuid>,
    pub agency_id: Option<Uuid>,
    pub status: Option<String>,
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralPage {
    pub items: Vec<ReferralView>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

/// A partner sees its own agency's referrals only, whatever it asks for.
fn scoped_agency(caller: &Caller, asked: Option<Uuid>) -> Option<Uuid> {
    if caller.role == StaffRole::Partner {
        Some(caller.agency_id.unwrap_or_else(Uuid::nil))
    } else {
        asked
    }
}

#[utoipa::path(get, path = "/api/v1/referrals", tag = "casework", security(("bearer" = [])),
    params(ReferralQuery),
    responses(
        (status = 200, description = "Referrals, newest first (a partner sees its own agency's only)", body = ReferralPage),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem),
    ))]
pub async fn list_referrals(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ReferralQuery>,
) -> Result<Json<ReferralPage>, ApiError> {
    require(&caller, Permission::ReadReferrals)?;
    let mut v = Validator::new();
    let status = v.optional(
        "status",
        query.status.as_deref(),
        str::parse::<ReferralStatus>,
    );
    v.finish()?;
    let filter = ReferralFilter {
        agency_id: scoped_agency(&caller, query.agency_id),
        person_id: query.person_id,
        status: status.map(|s| s.as_str().to_owned()),
    };
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let page = referrals::list(&txn, &filter, PageRequest::new(query.page, query.per_page)).await?;
    let listing = caller
        .audit(Visibility::of(&caller).read_action(), "referrals", None)
        .listing(page.items.iter().map(|r| r.person_id));
    audit::append_listing(&txn, listing, now).await?;
    txn.commit().await?;
    Ok(Json(ReferralPage {
        items: page.items.into_iter().map(Into::into).collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    }))
}

#[utoipa::path(patch, path = "/api/v1/referrals/{id}", tag = "casework", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Referral id")),
    request_body = ReferralPatch,
    responses(
        (status = 200, description = "Moved", body = ReferralView),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, description = "Unknown, or another agency's", body = Problem),
        (status = 409, description = "Not allowed from the current status", body = Problem),
        (status = 422, body = Problem),
    ))]
pub async fn update_referral(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ReferralPatch>,
) -> Result<Json<ReferralView>, ApiError> {
    require(&caller, Permission::UpdateReferrals)?;
    let id = path_id(&id)?;
    let now = state.clock.now();
    let mut v = Validator::new();
    let status = v.check("status", patch.status.parse::<ReferralStatus>());
    let at = v.optional("at", patch.at.as_deref(), parse_instant);
    if at.is_some_and(|at| at > now) {
        v.add("at", "must not be in the future");
    }
    v.finish()?;
    let status = status.ok_or_else(|| ApiError::field("status", "is required"))?;
    let txn = state.db.begin().await?;
    // Locked: two updates sent at once (started and declined) are decided one after the other.
    let current = referrals::find_for_update(&txn, id)
        .await?
        .filter(|r| scoped_agency(&caller, Some(r.agency_id)) == Some(r.agency_id))
        .ok_or(ApiError::NotFound)?;
    let from: ReferralStatus = current
        .status
        .parse()
        .map_err(|_| ApiError::Internal(format!("referral {id} has an unknown status")))?;
    if !from.can_move_to(status) {
        return Err(ApiError::Conflict(format!(
            "a {} referral cannot become {}",
            from.as_str(),
            status.as_str()
        )));
    }
    let at = at.unwrap_or(now);
    if at < current.referred_at {
        return Err(ApiError::field(
            "at",
            "must not be before the referral was made",
        ));
    }
    if let Some(started_at) = current.started_at
        && at < started_at
    {
        return Err(ApiError::field(
            "at",
            "must not be before the referral was started",
        ));
    }
    let person_id = current.person_id;
    let moved = referrals::move_to(&txn, current, status.as_str(), at).await?;
    let mut entry = caller.audit(AuditAction::Alter, "referral", Some(person_id));
    entry.entity_id = Some(moved.id);
    audit::append(&txn, entry, now).await?;
    txn.commit().await?;
    Ok(Json(moved.into()))
}
