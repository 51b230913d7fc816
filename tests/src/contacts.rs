//! Helpers shared by the contact tests: logging one, and listing a person's.

use serde_json::Value;
use uuid::Uuid;

use crate::{TestApp, TestUser};

/// Logs a contact for `person` as `user`: the status and the answer, whatever they are.
pub async fn log(app: &TestApp, user: &TestUser, person: Uuid, body: Value) -> (u16, Value) {
    app.send_json(
        reqwest::Method::POST,
        &format!("/api/v1/people/{person}/contacts"),
        user,
        body,
    )
    .await
}

/// The person's contacts as `user` reads them, newest first (asserting a 200).
pub async fn list(app: &TestApp, user: &TestUser, person: Uuid) -> Vec<Value> {
    let (status, body) = app
        .get_json(&format!("/api/v1/people/{person}/contacts"), user)
        .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}
