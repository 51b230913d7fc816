//! `POST /auth/login`, `POST /auth/refresh`, `POST /auth/logout`, `GET /me`.

use std::sync::LazyLock;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use vigil_persistence::entities::staff as staff_entity;
use vigil_persistence::repositories::{refresh_tokens, staff};

use super::caller::Caller;
use super::client_address::ClientAddress;
use super::tokens::{hash_refresh_token, new_refresh_token};
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;
use crate::password::verify_password;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    /// Always "Bearer".
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub agency_id: Option<Uuid>,
}

/// A real hash to verify against when the email is unknown, so both paths do the same work and the answer
/// never tells whether the account exists.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| {
    crate::password::hash_password("decoy password never used").unwrap_or_default()
});

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong email or password (never says which)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failures; see Retry-After", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddress,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let now = state.clock.now();
    let email = request.email.trim().to_lowercase();
    let account_key = format!("account:{email}");
    let address_keys: Vec<String> = client
        .0
        .map(|address| format!("address:{address}"))
        .into_iter()
        .collect();
    let keys: Vec<String> = std::iter::once(account_key.clone())
        .chain(address_keys.iter().cloned())
        .collect();
    // Counted as a failure from here until the password proves right (see `begin_attempt`).
    if let Err(wait) = state.throttle.begin_attempt(&keys, now) {
        return Err(ApiError::TooManyRequests {
            retry_after_secs: wait.num_seconds().max(1).unsigned_abs(),
        });
    }
    let user = staff::find_by_email(state.db.connection(), &email).await?;
    let hash = user
        .as_ref()
        .map_or(DECOY_HASH.as_str(), |user| user.password_hash.as_str())
        .to_owned();
    // argon2 is deliberately slow: keep it off the async workers.
    let password = request.password;
    let password_ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let user = match user {
        Some(user) if password_ok && user.active => user,
        _ => {
            tracing::info!("failed sign-in");
            return Err(ApiError::InvalidCredentials);
        }
    };
    state.throttle.record_success(&account_key, &address_keys);
    let txn = state.db.begin().await?;
    let response = issue_tokens(&state, &txn, &user, Uuid::now_v7(), now).await?;
    txn.commit().await?;
    Ok(Json(response))
}

async fn issue_tokens(
    state: &AppState,
    db: &impl vigil_persistence::ConnectionTrait,
    user: &staff_entity::Model,
    family_id: Uuid,
    now: DateTime<Utc>,
) -> Result<TokenResponse, ApiError> {
    let access_token = state
        .tokens
        .issue_access_token(user.id, &user.role, user.agency_id, now)
        .map_err(|error| ApiError::Internal(format!("signing a token: {error}")))?;
    let (refresh_token, refresh_hash) = new_refresh_token();
    refresh_tokens::insert(
        db,
        user.id,
        family_id,
        &refresh_hash,
        now,
        now + state.tokens.refresh_ttl,
    )
    .await?;
    Ok(TokenResponse {
        access_token,
        refresh_token,
        token_type: "Bearer".to_owned(),
        expires_in: state.tokens.access_ttl.num_seconds(),
    })
}

#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens; the old refresh token is spent", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused token (reuse revokes the chain)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let now = state.clock.now();
    let txn = state.db.begin().await?;
    let token = refresh_tokens::find_by_hash(&txn, &hash_refresh_token(&request.refresh_token))
        .await?
        .ok_or(ApiError::Unauthorized)?;
    if token.revoked_at.is_some() {
        return Err(ApiError::Unauthorized);
    }
    // A spent token presented again means it was copied: end the whole chain, for the thief and the owner.
    let reused = token.spent_at.is_some() || !refresh_tokens::spend(&txn, token.id, now).await?;
    if reused {
        refresh_tokens::revoke_family(&txn, token.family_id, now).await?;
        txn.commit().await?;
        tracing::warn!(family = %token.family_id, "refresh token reuse; chain revoked");
        return Err(ApiError::Unauthorized);
    }
    if token.expires_at <= now {
        return Err(ApiError::Unauthorized);
    }
    let user = staff::find(&txn, token.staff_id)
        .await?
        .filter(|user| user.active)
        .ok_or(ApiError::Unauthorized)?;
    let response = issue_tokens(&state, &txn, &user, token.family_id, now).await?;
    txn.commit().await?;
    Ok(Json(response))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = RefreshRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The refresh token's chain is revoked"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    let now = state.clock.now();
    if let Some(token) = refresh_tokens::find_by_hash(
        state.db.connection(),
        &hash_refresh_token(&request.refresh_token),
    )
    .await?
    .filter(|token| token.staff_id == caller.id)
    {
        refresh_tokens::revoke_family(state.db.connection(), token.family_id, now).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = Me),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn me(caller: Caller) -> Json<Me> {
    Json(Me {
        id: caller.id,
        email: caller.email,
        name: caller.name,
        role: caller.role.as_str().to_owned(),
        agency_id: caller.agency_id,
    })
}
