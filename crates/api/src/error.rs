//! The one API error type. Every 4xx/5xx is `application/problem+json` (RFC 9457) with a stable `code`, a
//! human `detail` and the request id; internal details are logged, never returned.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use vigil_persistence::PersistenceError;

/// One invalid field in a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized,
    /// Sign-in failed; deliberately silent on whether the account exists.
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("request timed out")]
    Timeout,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Logged with the request id; the client sees only a bare 500.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Timeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::InvalidCredentials => "invalid_credentials",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::Validation(_) => "validation_failed",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::Timeout => "timeout",
            ApiError::TooManyRequests { .. } => "rate_limited",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal_error",
        }
    }

    /// What the client may read: never a database message or a stack of causes.
    fn public_detail(&self) -> String {
        match self {
            ApiError::BadRequest(detail) | ApiError::Conflict(detail) => detail.clone(),
            ApiError::Unauthorized => "a valid access token is required".to_owned(),
            ApiError::InvalidCredentials => "invalid email or password".to_owned(),
            ApiError::Forbidden => "your role may not do this".to_owned(),
            ApiError::NotFound => "no such resource".to_owned(),
            ApiError::MethodNotAllowed => "this method is not allowed on this path".to_owned(),
            ApiError::Validation(errors) => match errors.as_slice() {
                [one] => format!("{}: {}", one.field, one.message),
                _ => format!("{} fields are invalid", errors.len()),
            },
            ApiError::PayloadTooLarge => {
                "the request body is larger than this server accepts".to_owned()
            }
            ApiError::Timeout => "the request took too long and was abandoned".to_owned(),
            ApiError::TooManyRequests { .. } => "too many attempts; try again later".to_owned(),
            ApiError::Unavailable(detail) => detail.clone(),
            ApiError::Internal(_) => "an internal error occurred; quote the request id".to_owned(),
        }
    }
}

/// What a request whose transaction lost a race is told: nothing was written, so it may be sent again.
const LOST_RACE: &str = "another change to the same records, or the database being busy with others, \
    stopped this one; nothing was saved, try again";

impl From<PersistenceError> for ApiError {
    fn from(error: PersistenceError) -> Self {
        match error {
            PersistenceError::NotFound { .. } => ApiError::NotFound,
            PersistenceError::Conflict(message) => ApiError::Conflict(message),
            PersistenceError::LostRace(error) => {
                // Logged: with the person's row locked first a deadlock means a lock-order fault.
                tracing::warn!(error = %error, "a transaction lost a race and was rolled back");
                ApiError::Conflict(LOST_RACE.to_owned())
            }
            PersistenceError::Database(error) => ApiError::Internal(error.to_string()),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> Self {
        PersistenceError::from(error).into()
    }
}

/// RFC 9457 problem details, as every 4xx/5xx answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    pub request_id: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(detail) = &self {
            // The request span carries the request id, so this line can be matched to the answer.
            tracing::error!(error = %detail, "internal error");
        }
        let problem = Problem {
            problem_type: format!("https://vigil.invalid/problems/{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.public_detail(),
            code: self.code().to_owned(),
            request_id: crate::request_id::current_request_id(),
            errors: match self {
                ApiError::Validation(ref errors) => errors.clone(),
                _ => Vec::new(),
            },
        };
        let mut response = (status, Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let ApiError::TooManyRequests { retry_after_secs } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}
