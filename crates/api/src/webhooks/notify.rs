//! GOV.UK Notify callbacks: delivery receipts and received texts, each authenticated by the bearer token
//! configured in Notify (`sms.callback_token`).

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use secrecy::ExposeSecret;
use serde::Deserialize;
use utoipa::ToSchema;

use super::receipts::{self, Receipt};
use crate::error::{ApiError, Problem};
use crate::extract::ApiJson;
use crate::state::AppState;

/// Proof that a request carries Notify's bearer token. As an extractor it runs before the body is read,
/// so a caller without the token learns nothing, not even whether its JSON would have been accepted.
pub struct FromNotify;

impl FromRequestParts<AppState> for FromNotify {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        check_bearer(state, &parts.headers).map(|()| FromNotify)
    }
}

fn check_bearer(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let expected = state
        .webhooks
        .notify_bearer_token
        .as_ref()
        .ok_or(ApiError::Unauthorized)?;
    let given = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    if constant_time_eq(given.trim().as_bytes(), expected.expose_secret().as_bytes()) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized)
    }
}

/// Compares secrets without an early exit that would leak how much matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Notify's delivery receipt (the fields Vigil uses).
#[derive(Debug, Deserialize, ToSchema)]
pub struct NotifyStatus {
    pub id: String,
    pub reference: Option<String>,
    /// delivered | permanent-failure | temporary-failure | technical-failure | sending | created
    pub status: String,
}

fn receipt_of(status: &str) -> Receipt {
    match status {
        "delivered" => Receipt::Delivered,
        "permanent-failure" => {
            Receipt::Failed("the number does not exist or cannot receive texts".to_owned())
        }
        "temporary-failure" => {
            Receipt::Failed("the phone was off or out of signal for too long".to_owned())
        }
        "technical-failure" => Receipt::Failed("the provider had a technical failure".to_owned()),
        _ => Receipt::Pending,
    }
}

#[utoipa::path(post, path = "/api/v1/webhooks/notify/status", tag = "notifications",
    request_body = NotifyStatus,
    responses(
        (status = 204, description = "Recorded"),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn status(
    State(state): State<AppState>,
    _: FromNotify,
    ApiJson(receipt): ApiJson<NotifyStatus>,
) -> Result<StatusCode, ApiError> {
    receipts::apply(
        state.db.connection(),
        Some(&receipt.id),
        receipt.reference.as_deref(),
        receipt_of(&receipt.status),
        state.clock.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A text Notify received for the service.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NotifyInbound {
    pub id: String,
    pub source_number: String,
    pub content: String,
}

#[utoipa::path(post, path = "/api/v1/webhooks/notify/inbound", tag = "notifications",
    request_body = NotifyInbound,
    responses(
        (status = 204, description = "Applied (STOP/START) or ignored"),
        (status = 401, description = "Missing or wrong bearer token", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn inbound(
    State(state): State<AppState>,
    _: FromNotify,
    ApiJson(text): ApiJson<NotifyInbound>,
) -> Result<StatusCode, ApiError> {
    let txn = state.db.begin().await?;
    super::inbound::apply(
        &txn,
        &text.id,
        &text.source_number,
        &text.content,
        state.clock.now(),
    )
    .await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_map_to_delivered_or_a_plain_reason() {
        assert_eq!(receipt_of("delivered"), Receipt::Delivered);
        assert!(
            matches!(receipt_of("permanent-failure"), Receipt::Failed(reason) if reason.contains("does not exist"))
        );
        assert_eq!(receipt_of("sending"), Receipt::Pending);
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
