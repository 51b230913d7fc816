//! `POST /people/{id}/custody`: custody and release dates. A period is known by its `received_at`: posting
//! the same one again with `released_at` (or `expected_release_at`) completes that period.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use vigil_domain::AuditAction;
use vigil_persistence::repositories::audit;
use vigil_persistence::repositories::custody::{self, NewCustodyPeriod, Recorded};
use vigil_persistence::repositories::jobs::{self, NewJob};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, path_id};
use crate::people::access::load_visible;
use crate::people::views::CustodyView;
use crate::policy::{Permission, require};
use crate::state::AppState;
use crate::validation::{Validator, parse_instant};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustodyRequest {
    /// RFC 3339 instant.
    pub received_at: String,
    pub expected_release_at: Option<String>,
    pub released_at: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/people/{id}/custody", tag = "cohort", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "Person id")),
    request_body = CustodyRequest,
    responses(
        (status = 201, description = "Recorded: a new period, or the one received at that instant completed", body = CustodyView),
        (status = 409, description = "An earlier period has no release recorded, or this one's release is already recorded otherwise", body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn record_custody(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<CustodyRequest>,
) -> Result<(StatusCode, Json<CustodyView>), ApiError> {
    require(&caller, Permission::RecordCustody)?;
    let id = path_id(&id)?;
    let now = state.clock.now();
    let mut v = Validator::new();
    let received_at = v.check("received_at", parse_instant(&request.received_at));
    let expected = v.optional(
        "expected_release_at",
        request.expected_release_at.as_deref(),
        parse_instant,
    );
    let released = v.optional("released_at", request.released_at.as_deref(), parse_instant);
    if let Some(received) = received_at {
        if expected.is_some_and(|at| at < received) {
            v.add("expected_release_at", "must not be before received_at");
        }
        if released.is_some_and(|at| at < received) {
            v.add("released_at", "must not be before received_at");
        }
        if received > now {
            v.add("received_at", "must not be in the future");
        }
    }
    if released.is_some_and(|at| at > now) {
        v.add("released_at", "must not be in the future");
    }
    v.finish()?;
    let received_at = received_at.ok_or_else(|| ApiError::field("received_at", "is required"))?;

    let txn = state.db.begin().await?;
    load_visible(&state, &txn, &caller, id).await?;
    let (period, recorded) = custody::record(
        &txn,
        id,
        NewCustodyPeriod {
            received_at,
            expected_release_at: expected,
            released_at: released,
        },
        now,
    )
    .await?;
    if let Some(released_at) = released {
        // The scheduler plans the first appointment, a home visit and an accommodation referral; the job is
        // written in this transaction, so a recorded release can never miss its plan.
        jobs::enqueue(
            &txn,
            NewJob::new(
                "plan_release",
                serde_json::json!({ "person_id": id, "released_at": released_at }),
                now,
            )
            .with_unique_key(format!("plan_release:{}", period.id)),
            now,
        )
        .await?;
    }
    let action = match recorded {
        Recorded::Opened => AuditAction::Collect,
        Recorded::Updated => AuditAction::Alter,
    };
    let mut entry = caller.audit(action, "custody", Some(id));
    entry.entity_id = Some(period.id);
    audit::append(&txn, entry, now).await?;
    txn.commit().await?;
    // 201 either way: the custody dates given are recorded, whether they opened the period or completed it.
    Ok((StatusCode::CREATED, Json(period.into())))
}
