//! `GET, POST /agencies`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use vigil_domain::AgencyKind;
use vigil_persistence::entities::agency;
use vigil_persistence::repositories::agencies;

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;
use crate::policy::{Permission, require};
use crate::state::AppState;
use crate::validation::Validator;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgencyRequest {
    pub name: String,
    /// police | probation | youth_offending | local_authority | housing | drug_alcohol | employment | health | other
    pub kind: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyView {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub created_at: DateTime<Utc>,
}

impl From<agency::Model> for AgencyView {
    fn from(a: agency::Model) -> Self {
        Self {
            id: a.id,
            name: a.name,
            kind: a.kind,
            created_at: a.created_at,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/agencies", tag = "administration", security(("bearer" = [])),
    responses(
        (status = 200, description = "Every agency, by name", body = [AgencyView]),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_agencies(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<AgencyView>>, ApiError> {
    require(&caller, Permission::ManageAgencies)?;
    let all = agencies::list(state.db.connection()).await?;
    Ok(Json(all.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/agencies", tag = "administration", security(("bearer" = [])),
    request_body = NewAgencyRequest,
    responses(
        (status = 201, description = "Created", body = AgencyView),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An agency with this name exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_agency(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<NewAgencyRequest>,
) -> Result<(StatusCode, Json<AgencyView>), ApiError> {
    require(&caller, Permission::ManageAgencies)?;
    let mut v = Validator::new();
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        v.add("name", "must be 1 to 200 characters");
    }
    let kind = v.check("kind", request.kind.parse::<AgencyKind>());
    v.finish()?;
    let kind = kind.ok_or_else(|| ApiError::field("kind", "is required"))?;
    let created = agencies::create(
        state.db.connection(),
        name,
        kind.as_str(),
        state.clock.now(),
    )
    .await
    .map_err(|error| match error {
        vigil_persistence::PersistenceError::Conflict(_) => {
            ApiError::Conflict("an agency with this name already exists".to_owned())
        }
        other => other.into(),
    })?;
    Ok((StatusCode::CREATED, Json(created.into())))
}
