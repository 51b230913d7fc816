//! Twilio callbacks: form posts signed with `X-Twilio-Signature` (HMAC-SHA1 of the full URL and the sorted
//! parameters, keyed by the auth token). An unsigned or wrongly signed post is refused with 401.

use axum::extract::{OriginalUri, RawForm, State};
use axum::http::{HeaderMap, StatusCode};
use secrecy::ExposeSecret;
use vigil_domain::verify_twilio_signature;

use super::receipts::{self, Receipt};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// The form's parameters, after checking Twilio signed exactly this post to exactly this URL.
fn verified_params(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Result<Vec<(String, String)>, ApiError> {
    let (Some(token), Some(base)) = (
        state.webhooks.twilio_auth_token.as_ref(),
        state.webhooks.public_base_url.as_deref(),
    ) else {
        return Err(ApiError::Unauthorized);
    };
    let signature = headers
        .get("x-twilio-signature")
        .and_then(|value| value.to_str().ok())
        .ok_or(ApiError::Unauthorized)?;
    let params: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
    // Twilio signs the URL it was given, query string included (Vigil's status callbacks carry
    // `?reference=…`).
    let url = match query {
        Some(query) => format!("{}{}?{}", base.trim_end_matches('/'), path, query),
        None => format!("{}{}", base.trim_end_matches('/'), path),
    };
    if verify_twilio_signature(token.expose_secret(), &url, &params, signature) {
        Ok(params)
    } else {
        Err(ApiError::Unauthorized)
    }
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

pub const STATUS_PATH: &str = "/api/v1/webhooks/twilio/status";
pub const INBOUND_PATH: &str = "/api/v1/webhooks/twilio/inbound";

#[utoipa::path(post, path = "/api/v1/webhooks/twilio/status", tag = "notifications",
    request_body(content_type = "application/x-www-form-urlencoded", description = "MessageSid, MessageStatus, ErrorCode"),
    responses(
        (status = 204, description = "Recorded"),
        (status = 401, description = "Missing or wrong signature", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn status(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Result<StatusCode, ApiError> {
    let params = verified_params(&state, &headers, STATUS_PATH, uri.query(), &body)?;
    // Our reference, from the callback URL: it matches the message even if Twilio's sid was never recorded.
    let reference = uri.query().and_then(|query| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == "reference")
            .map(|(_, value)| value.into_owned())
    });
    let receipt = match param(&params, "MessageStatus") {
        Some("delivered") => Receipt::Delivered,
        Some("undelivered") => Receipt::Failed("the phone could not be reached".to_owned()),
        Some("failed") => Receipt::Failed("the provider could not send the text".to_owned()),
        _ => Receipt::Pending,
    };
    receipts::apply(
        state.db.connection(),
        param(&params, "MessageSid"),
        reference.as_deref(),
        receipt,
        state.clock.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/webhooks/twilio/inbound", tag = "notifications",
    request_body(content_type = "application/x-www-form-urlencoded", description = "MessageSid, From, Body"),
    responses(
        (status = 204, description = "Applied (STOP/START) or ignored"),
        (status = 401, description = "Missing or wrong signature", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn inbound(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> Result<StatusCode, ApiError> {
    let params = verified_params(&state, &headers, INBOUND_PATH, uri.query(), &body)?;
    let (Some(id), Some(from), Some(text)) = (
        param(&params, "MessageSid"),
        param(&params, "From"),
        param(&params, "Body"),
    ) else {
        return Err(ApiError::field(
            "Body",
            "MessageSid, From and Body are required",
        ));
    };
    let txn = state.db.begin().await?;
    super::inbound::apply(&txn, id, from, text, state.clock.now()).await?;
    txn.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
