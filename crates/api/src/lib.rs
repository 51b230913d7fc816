//! Vigil's HTTP API: the axum router, errors as problem+json, authentication, the role × permission
//! policy, the audit trail of every read and change, and the handlers.

pub mod admin;
pub mod auth;
pub mod casework;
pub mod cohort;
pub mod error;
pub mod extract;
pub mod instant;
pub mod layer_errors;
pub mod metrics;
pub mod openapi;
pub mod operations;
pub mod password;
pub mod people;
pub mod policy;
pub mod request_id;
pub mod router;
pub mod sized_json;
pub mod state;
pub mod validation;
pub mod webhooks;

pub use router::{openapi_document, router};
pub use state::{AppState, CaseworkRules, HttpSettings, WebhookSettings};
