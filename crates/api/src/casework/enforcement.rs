//! `GET /people/{id}/enforcement` and `POST /enforcement/{id}/complete`: warnings and breaches with their
//! deadlines, and who completed each step.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;

use vigil_domain::AuditAction;
use vigil_persistence::repositories::{audit, enforcement};

use super::recording::EnforcementView;
use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, path_id};
use crate::people::access::load_visible;
use crate::policy::{Permission, require};
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/people/{id}/enforcement", tag = "casework", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Person id")),
    responses(
        (status = 200, description = "Warnings and breaches, oldest first, with deadlines", body = [EnforcementView]),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ))]
pub async fn list_enforcement(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<EnforcementView>>, ApiError> {
    require(&caller, Permission::ReadCasework)?;
    let person_id = path_id(&id)?;
    let txn = state.db.begin().await?;
    load_visible(&state, &txn, &caller, person_id).await?;
    let steps = enforcement::for_person(&txn, person_id).await?;
    audit::append(
        &txn,
        caller.audit(AuditAction::Consult, "enforcement", Some(person_id)),
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(Json(steps.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    /// `completed` (default: the letter was sent, the breach was laid) or `cancelled`.
    pub status: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/enforcement/{id}/complete", tag = "casework", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Enforcement action id")),
    request_body = CompleteRequest,
    responses(
        (status = 200, description = "The step, completed by the caller", body = EnforcementView),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "No longer pending", body = Problem), (status = 422, body = Problem),
    ))]
pub async fn complete_enforcement(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CompleteRequest>,
) -> Result<Json<EnforcementView>, ApiError> {
    require(&caller, Permission::ManageEnforcement)?;
    let id = path_id(&id)?;
    let status = match request.status.as_deref().unwrap_or("completed") {
        status @ ("completed" | "cancelled") => status,
        _ => return Err(ApiError::field("status", "must be completed or cancelled")),
    };
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let step = enforcement::find(&txn, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    load_visible(&state, &txn, &caller, step.person_id).await?;
    let closed = enforcement::close(&txn, id, status, caller.id, now).await?;
    let mut entry = caller.audit(AuditAction::Alter, "enforcement", Some(closed.person_id));
    entry.entity_id = Some(closed.id);
    audit::append(&txn, entry, now).await?;
    txn.commit().await?;
    Ok(Json(closed.into()))
}
