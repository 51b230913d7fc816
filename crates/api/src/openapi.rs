//! The OpenAPI 3.1 document's frame: title, tags and the bearer security scheme. The paths come from the
//! handlers themselves as the router registers them (see `router.rs`), so the document cannot drift from
//! what is served.

use utoipa::Modify;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vigil API",
        version = "1",
        description = "Integrated Offender Management case tracking. Every 4xx/5xx answer is application/problem+json."
    ),
    paths(openapi_json),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign-in, token refresh, sign-out"),
        (name = "administration", description = "Agencies, users and the audit log (admin)"),
        (name = "people", description = "People on the scheme"),
        (name = "cohort", description = "Membership, allocations and custody"),
        (name = "casework", description = "Appointments, contacts, enforcement, home visits, referrals, caseload"),
        (name = "notifications", description = "Messages planned and sent to people on the scheme"),
        (name = "operations", description = "Health, readiness, metrics"),
    )
)]
pub struct ApiDoc;

/// `GET /openapi.json`. The router serves it (it needs the finished document); it is declared here so
/// that the document lists every path the server answers, itself included.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "This OpenAPI 3.1 document", content_type = "application/json")))]
#[allow(dead_code)]
fn openapi_json() {}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
