//! `POST /people/{id}/allocations` and `DELETE /allocations/{id}`. A person has at most one active
//! allocation per role; a new one ends the old (kept in the history).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use vigil_domain::{AllocationRole, AuditAction, StaffRole};
use vigil_persistence::repositories::{allocations, audit, staff};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, path_id};
use crate::people::access::load_visible;
use crate::people::views::AllocationView;
use crate::policy::{Permission, require};
use crate::state::AppState;
use crate::validation::Validator;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationRequest {
    pub staff_id: Uuid,
    /// offender_manager | police_spoc | support_officer
    pub role: String,
}

/// Which staff roles can hold an allocation role.
fn fits(allocation: AllocationRole, staff_role: StaffRole) -> bool {
    match allocation {
        AllocationRole::OffenderManager => staff_role == StaffRole::OffenderManager,
        AllocationRole::PoliceSpoc => staff_role == StaffRole::Police,
        AllocationRole::SupportOfficer => !matches!(staff_role, StaffRole::Admin),
    }
}

#[utoipa::path(post, path = "/api/v1/people/{id}/allocations", tag = "cohort", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = AllocationRequest,
    responses(
        (status = 201, description = "Allocated; any previous allocation in the role is ended", body = AllocationView),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn allocate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<AllocationRequest>,
) -> Result<(StatusCode, Json<AllocationView>), ApiError> {
    require(&caller, Permission::Allocate)?;
    let id = path_id(&id)?;
    let now = state.clock.now();
    let mut v = Validator::new();
    let role = v.check("role", request.role.parse::<AllocationRole>());
    v.finish()?;
    let role = role.ok_or_else(|| ApiError::field("role", "is required"))?;

    let txn = state.db.begin().await?;
    load_visible(&state, &txn, &caller, id).await?;
    let member = staff::find(&txn, request.staff_id)
        .await?
        .filter(|user| user.active)
        .ok_or_else(|| ApiError::field("staff_id", "no active user with this id"))?;
    let staff_role: StaffRole = member
        .role
        .parse()
        .map_err(|_| ApiError::Internal(format!("user {} has an unknown role", member.id)))?;
    if !fits(role, staff_role) {
        return Err(ApiError::field(
            "staff_id",
            format!(
                "a {} cannot be allocated as {}",
                staff_role.as_str(),
                role.as_str()
            ),
        ));
    }
    let allocation =
        allocations::allocate(&txn, id, member.id, role.as_str(), Some(caller.id), now).await?;
    let mut entry = caller.audit(AuditAction::Alter, "allocation", Some(id));
    entry.entity_id = Some(allocation.id);
    audit::append(&txn, entry, now).await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, Json(allocation.into())))
}

#[utoipa::path(delete, path = "/api/v1/allocations/{id}", tag = "cohort", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Allocation id")),
    responses(
        (status = 200, description = "Ended (kept in the history)", body = AllocationView),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already ended", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn end_allocation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<AllocationView>, ApiError> {
    require(&caller, Permission::Allocate)?;
    let id = path_id(&id)?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let ended = allocations::end(&txn, id, now).await?;
    let mut entry = caller.audit(AuditAction::Alter, "allocation", Some(ended.person_id));
    entry.entity_id = Some(ended.id);
    audit::append(&txn, entry, now).await?;
    txn.commit().await?;
    Ok(Json(ended.into()))
}
