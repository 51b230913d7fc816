//! Vigil's HTTP API: the axum router, errors as problem+json, authentication and the handlers.

pub mod error;
pub mod operations;
pub mod password;
pub mod router;
pub mod state;

pub use router::router;
pub use state::AppState;
