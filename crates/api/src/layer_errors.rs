//! tower-http's body-size limit and timeout answer 413 and 408 themselves, in plain text or with no
//! body at all. This middleware, outside them, gives those answers the problem+json every other error
//! has, so a client can rely on one error shape.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

pub async fn as_problem(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        return response;
    }
    match response.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge.into_response(),
        StatusCode::REQUEST_TIMEOUT => ApiError::Timeout.into_response(),
        _ => response,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use axum::middleware;
    use axum::routing::get;
    use tower::ServiceExt;

    async fn answer(status: StatusCode) -> (StatusCode, Option<String>, serde_json::Value) {
        let app = Router::new()
            .route("/", get(move || async move { status }))
            .layer(middleware::from_fn(super::as_problem));
        let response = app
            .oneshot(Request::get("/").body(Body::empty()).expect("a request"))
            .await
            .expect("an answer");
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().expect("ascii").to_owned());
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("a body");
        let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (status, content_type, body)
    }

    #[tokio::test]
    async fn a_bare_timeout_becomes_a_problem() {
        let (status, content_type, body) = answer(StatusCode::REQUEST_TIMEOUT).await;
        assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
        assert_eq!(content_type.as_deref(), Some("application/problem+json"));
        assert_eq!(body["code"], "timeout");
    }

    #[tokio::test]
    async fn other_answers_pass_unchanged() {
        let (status, content_type, _) = answer(StatusCode::NO_CONTENT).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(content_type, None);
    }
}
