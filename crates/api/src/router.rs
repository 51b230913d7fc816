//! The router: every route and the layers around them.

use axum::Router;
use axum::routing::get;

use crate::operations;
use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(operations::healthz))
        .route("/readyz", get(operations::readyz))
        .with_state(state)
}
