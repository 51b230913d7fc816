//! `GET, POST /users` and `PATCH /users/{id}`. Deactivating a user revokes their refresh tokens, and their
//! access tokens stop working at once because every request re-reads the user.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use vigil_domain::{EmailAddress, StaffRole};
use vigil_persistence::PersistenceError;
use vigil_persistence::entities::staff as staff_entity;
use vigil_persistence::repositories::{PageRequest, agencies, refresh_tokens, staff};

use crate::auth::Caller;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiJson, ApiQuery, path_id};
use crate::password::hash_password;
use crate::policy::{Permission, require};
use crate::state::AppState;
use crate::validation::Validator;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub email: String,
    pub name: String,
    /// admin | coordinator | offender_manager | police | partner
    pub role: String,
    /// Required for partner users.
    pub agency_id: Option<Uuid>,
    /// At least 12 characters.
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub role: Option<String>,
    pub active: Option<bool>,
}

/// A user as administrators see them: never the password hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub agency_id: Option<Uuid>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<staff_entity::Model> for UserView {
    fn from(u: staff_entity::Model) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            agency_id: u.agency_id,
            active: u.active,
            created_at: u.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UsersPage {
    pub items: Vec<UserView>,
    pub page: u64,
    pub per_page: u64,
    pub total: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub page: Option<u64>,
    pub per_page: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/users", tag = "administration", security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of users", body = UsersPage),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> Result<Json<UsersPage>, ApiError> {
    require(&caller, Permission::ManageUsers)?;
    let page = staff::list(
        state.db.connection(),
        PageRequest::new(query.page, query.per_page),
    )
    .await?;
    Ok(Json(UsersPage {
        items: page.items.into_iter().map(Into::into).collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    }))
}

#[utoipa::path(post, path = "/api/v1/users", tag = "administration", security(("bearer" = [])),
    request_body = NewUserRequest,
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A user with this email exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<NewUserRequest>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    require(&caller, Permission::ManageUsers)?;
    let mut v = Validator::new();
    let email = v.check("email", EmailAddress::parse(&request.email));
    let role = v.check("role", request.role.parse::<StaffRole>());
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        v.add("name", "must be 1 to 200 characters");
    }
    let password_hash = v.check("password", hash_password(&request.password));
    if role == Some(StaffRole::Partner) && request.agency_id.is_none() {
        v.add("agency_id", "is required for a partner user");
    }
    if let Some(agency_id) = request.agency_id
        && agencies::find(state.db.connection(), agency_id)
            .await?
            .is_none()
    {
        v.add("agency_id", "no agency with this id");
    }
    v.finish()?;
    let (Some(email), Some(role), Some(password_hash)) = (email, role, password_hash) else {
        return Err(ApiError::Internal("validated fields missing".to_owned()));
    };
    let created = staff::create(
        state.db.connection(),
        staff::NewStaff {
            email: email.as_str().to_owned(),
            name: name.to_owned(),
            role: role.as_str().to_owned(),
            agency_id: request.agency_id,
            password_hash,
        },
        state.clock.now(),
    )
    .await
    .map_err(|error| match error {
        PersistenceError::Conflict(_) => {
            ApiError::Conflict("a user with this email already exists".to_owned())
        }
        other => other.into(),
    })?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "administration", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    request_body = UserPatch,
    responses(
        (status = 200, description = "Updated; deactivation ends the user's sessions at once", body = UserView),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> Result<Json<UserView>, ApiError> {
    require(&caller, Permission::ManageUsers)?;
    let id = path_id(&id)?;
    let mut v = Validator::new();
    let role = v.optional("role", patch.role.as_deref(), str::parse::<StaffRole>);
    if id == caller.id && patch.active == Some(false) {
        v.add("active", "you cannot deactivate yourself");
    }
    if id == caller.id && role.is_some_and(|r| r != StaffRole::Admin) {
        v.add("role", "you cannot demote yourself");
    }
    if role == Some(StaffRole::Partner) {
        // As on create: a partner without an agency would be scoped to nothing and serve no one.
        let target = staff::find(state.db.connection(), id)
            .await?
            .ok_or(ApiError::NotFound)?;
        if target.agency_id.is_none() {
            v.add(
                "role",
                "a partner user needs an agency, and this user has none",
            );
        }
    }
    v.finish()?;
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let updated = staff::update(
        &txn,
        id,
        role.map(|r| r.as_str().to_owned()),
        patch.active,
        now,
    )
    .await?;
    if !updated.active {
        refresh_tokens::revoke_all_for_staff(&txn, id, now).await?;
    }
    txn.commit().await?;
    Ok(Json(updated.into()))
}
