//! The router: every route, the OpenAPI document built from the same registrations, and the layers
//! around them (request id, tracing span, metrics, timeout, body limit, CORS, security headers).

use std::sync::Arc;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::routing::get;
use axum::{Json, Router, middleware};
use tower_http::LatencyUnit;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::{agencies, audit_log, users};
use crate::auth::handlers as auth;
use crate::casework::{
    appointments, caseload, contacts, enforcement, home_visits, notifications, outcomes, referrals,
};
use crate::cohort::{allocations, custody, membership};
use crate::error::ApiError;
use crate::openapi::ApiDoc;
use crate::people::{create, read, search, update};
use crate::state::AppState;
use crate::{layer_errors, metrics, operations, request_id, webhooks};

/// Every documented route, with its OpenAPI registration.
fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(operations::healthz))
        .routes(routes!(operations::readyz))
        .routes(routes!(metrics::metrics))
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(agencies::list_agencies, agencies::create_agency))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::update_user))
        .routes(routes!(audit_log::list_audit_events))
        .routes(routes!(search::list_people, create::create_person))
        .routes(routes!(read::get_person, update::update_person))
        .routes(routes!(membership::change_membership))
        .routes(routes!(membership::membership_history))
        .routes(routes!(allocations::allocate))
        .routes(routes!(allocations::end_allocation))
        .routes(routes!(custody::record_custody))
        .routes(routes!(appointments::book, appointments::list))
        .routes(routes!(appointments::update))
        .routes(routes!(outcomes::record_outcome))
        .routes(routes!(contacts::log_contact, contacts::list_contacts))
        .routes(routes!(enforcement::list_enforcement))
        .routes(routes!(enforcement::complete_enforcement))
        .routes(routes!(home_visits::plan_visit))
        .routes(routes!(home_visits::list_visits))
        .routes(routes!(home_visits::record_visit_outcome))
        .routes(routes!(referrals::refer))
        .routes(routes!(referrals::list_referrals))
        .routes(routes!(referrals::update_referral))
        .routes(routes!(caseload::own_caseload))
        .routes(routes!(caseload::staff_caseload))
        .routes(routes!(notifications::for_person))
        .routes(routes!(notifications::list_all))
        .routes(routes!(webhooks::notify::status))
        .routes(routes!(webhooks::notify::inbound))
        .routes(routes!(webhooks::twilio::status))
        .routes(routes!(webhooks::twilio::inbound))
}

/// The OpenAPI document for what this build serves.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api_routes().split_for_parts().1
}

pub fn router(state: AppState) -> Router {
    let (routes, document) = api_routes().split_for_parts();
    let document = Arc::new(document);
    let http = state.http.clone();
    let routes = routes
        .route(
            "/openapi.json",
            get(move || {
                let document = document.clone();
                async move { Json(document.as_ref().clone()) }
            }),
        )
        .fallback(|| async { ApiError::NotFound })
        .method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed })
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(RequestBodyLimitLayer::new(http.body_limit_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            http.request_timeout,
        ))
        // Inside CORS, so that its headers are on the problem too.
        .layer(middleware::from_fn(layer_errors::as_problem))
        .layer(cors(&http.cors_allowed_origins));
    with_security_headers(routes)
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let route = request
                    .extensions()
                    .get::<MatchedPath>()
                    .map_or_else(|| request.uri().path().to_owned(), |p| p.as_str().to_owned());
                let id = request
                    .headers()
                    .get(request_id::REQUEST_ID_HEADER)
                    .and_then(|value| value.to_str().ok())
                    .unwrap_or_default();
                tracing::info_span!("request", request_id = %id, method = %request.method(), route = %route)
            })
            // One line per request, with its status and latency, inside the request's span.
            .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(LatencyUnit::Millis)),
        )
        .layer(middleware::from_fn(request_id::request_id))
        .with_state(state)
}

/// CORS is closed unless origins are configured.
fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([
            axum::http::Method::GET,
            axum::http::Method::POST,
            axum::http::Method::PATCH,
            axum::http::Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            HeaderName::from_static("x-vigil-purpose"),
            HeaderName::from_static(request_id::REQUEST_ID_HEADER),
        ])
        .expose_headers([
            header::ETAG,
            HeaderName::from_static(request_id::REQUEST_ID_HEADER),
        ])
}

/// Standard security headers on every answer: an API has nothing to frame, sniff, cache or refer.
fn with_security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let headers = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ),
    ];
    headers.into_iter().fold(router, |router, (name, value)| {
        router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ))
    })
}
