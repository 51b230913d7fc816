//! `POST /people/{id}/membership` and `GET /people/{id}/membership/history`. The transitions are the
//! domain's (`next_membership`); this module only collects the request and records the step.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use vigil_domain::{
    AuditAction, MembershipAction, MembershipError, MembershipStatus, StaffRole, Strand,
    next_membership,
};
use vigil_persistence::ConnectionTrait;
use vigil_persistence::entities::membership;
use vigil_persistence::repositories::memberships::{self, MembershipStep};
use vigil_persistence::repositories::{audit, staff};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, path_id};
use crate::people::access::load_visible;
use crate::policy::{Permission, require};
use crate::state::AppState;
use crate::validation::Validator;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembershipRequest {
    /// propose | adopt | move | deselect
    pub action: String,
    /// prevent_deter | catch_convict | rehabilitate_resettle (required to propose and to move)
    pub strand: Option<String>,
    /// Why (required to move and to deselect).
    pub reason: Option<String>,
    /// Required to deselect.
    pub exit_plan: Option<String>,
    /// Adoption, optional: the police lead who agreed (an active police user).
    pub police_lead_id: Option<Uuid>,
    /// Adoption, optional: the probation lead who agreed (an active offender manager or coordinator).
    pub probation_lead_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipStepView {
    pub id: Uuid,
    pub action: String,
    pub status: String,
    pub strand: String,
    pub reason: Option<String>,
    pub exit_plan: Option<String>,
    pub police_lead_id: Option<Uuid>,
    pub probation_lead_id: Option<Uuid>,
    /// Who made the change.
    pub actor_id: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
}

impl From<membership::Model> for MembershipStepView {
    fn from(m: membership::Model) -> Self {
        Self {
            id: m.id,
            action: m.action,
            status: m.status,
            strand: m.strand,
            reason: m.reason,
            exit_plan: m.exit_plan,
            police_lead_id: m.police_lead_id,
            probation_lead_id: m.probation_lead_id,
            actor_id: m.actor_id,
            occurred_at: m.occurred_at,
        }
    }
}

/// Checks that a lead, if named, is an active user in one of the expected roles.
async fn check_lead(
    db: &impl ConnectionTrait,
    v: &mut Validator,
    field: &str,
    id: Option<Uuid>,
    roles: &[StaffRole],
) -> Result<(), ApiError> {
    // The leads who agreed are recorded when given; the contract's adoption needs only the action, and
    // the person's officers are allocated separately (`POST /people/{id}/allocations`).
    let Some(id) = id else {
        return Ok(());
    };
    let fits = staff::find(db, id)
        .await?
        .is_some_and(|user| user.active && roles.iter().any(|role| role.as_str() == user.role));
    if !fits {
        let expected: Vec<_> = roles.iter().map(StaffRole::as_str).collect();
        v.add(
            field,
            format!("must be an active user with role {}", expected.join(" or ")),
        );
    }
    Ok(())
}

fn membership_error(error: MembershipError) -> ApiError {
    match error {
        MembershipError::InvalidTransition { .. } => ApiError::Conflict(error.to_string()),
        other => ApiError::field(other.field(), other.to_string()),
    }
}

#[utoipa::path(post, path = "/api/v1/people/{id}/membership", tag = "cohort", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Person id")),
    request_body = MembershipRequest,
    responses(
        (status = 201, description = "The step recorded", body = MembershipStepView),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not allowed from the current status (e.g. adopting a deselected person)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A required field is missing or invalid", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn change_membership(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<MembershipRequest>,
) -> Result<(StatusCode, Json<MembershipStepView>), ApiError> {
    require(&caller, Permission::ChangeMembership)?;
    let id = path_id(&id)?;
    let now = state.clock.now();
    let mut v = Validator::new();
    let action = v.check("action", request.action.parse::<MembershipAction>());
    let strand = v.optional("strand", request.strand.as_deref(), str::parse::<Strand>);
    v.finish()?;
    let action = action.ok_or_else(|| ApiError::field("action", "is required"))?;

    let txn = state.db.begin().await?;
    let (person, _) = load_visible(&state, &txn, &caller, id).await?;
    let current = person
        .cohort_status
        .as_deref()
        .and_then(|status| status.parse::<MembershipStatus>().ok())
        .map(|status| {
            (
                status,
                person
                    .strand
                    .as_deref()
                    .and_then(|s| s.parse::<Strand>().ok()),
            )
        });
    let (status, strand) = next_membership(
        current,
        action,
        strand,
        request.reason.as_deref(),
        request.exit_plan.as_deref(),
    )
    .map_err(membership_error)?;
    let mut v = Validator::new();
    if action == MembershipAction::Adopt {
        check_lead(
            &txn,
            &mut v,
            "police_lead_id",
            request.police_lead_id,
            &[StaffRole::Police],
        )
        .await?;
        check_lead(
            &txn,
            &mut v,
            "probation_lead_id",
            request.probation_lead_id,
            &[StaffRole::OffenderManager, StaffRole::Coordinator],
        )
        .await?;
    }
    v.finish()?;
    let step = memberships::record(
        &txn,
        id,
        MembershipStep {
            action: action.as_str().to_owned(),
            status: status.as_str().to_owned(),
            strand: strand.as_str().to_owned(),
            reason: request
                .reason
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty()),
            exit_plan: request
                .exit_plan
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty()),
            police_lead_id: request
                .police_lead_id
                .filter(|_| action == MembershipAction::Adopt),
            probation_lead_id: request
                .probation_lead_id
                .filter(|_| action == MembershipAction::Adopt),
            actor_id: Some(caller.id),
        },
        now,
    )
    .await?;
    let mut entry = caller.audit(AuditAction::Alter, "membership", Some(id));
    entry.entity_id = Some(step.id);
    audit::append(&txn, entry, now).await?;
    txn.commit().await?;
    Ok((StatusCode::CREATED, Json(step.into())))
}

#[utoipa::path(get, path = "/api/v1/people/{id}/membership/history", tag = "cohort", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Person id")),
    responses(
        (status = 200, description = "Every status and strand change, oldest first", body = [MembershipStepView]),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn membership_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<MembershipStepView>>, ApiError> {
    require(&caller, Permission::ReadMembershipHistory)?;
    let id = path_id(&id)?;
    let txn = state.db.begin().await?;
    load_visible(&state, &txn, &caller, id).await?;
    let history = memberships::history(&txn, id).await?;
    audit::append(
        &txn,
        caller.audit(AuditAction::Consult, "membership_history", Some(id)),
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(Json(history.into_iter().map(Into::into).collect()))
}
