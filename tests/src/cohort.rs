//! Helpers shared by the cohort tests (membership, allocations, custody) and the people tests.

use chrono::Duration;
use serde_json::Value;
use uuid::Uuid;

use crate::{TestApp, TestUser};

/// The fields a problem+json answer names, sorted and without repeats.
pub fn problem_fields(body: &Value) -> Vec<String> {
    let mut fields: Vec<String> = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {body}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    fields.sort_unstable();
    fields.dedup();
    fields
}

/// Moves the clock and signs the users in again (their access tokens last 15 minutes of clock time).
pub async fn later(app: &TestApp, by: Duration, users: &mut [&mut TestUser]) {
    app.advance(by);
    for user in users.iter_mut() {
        **user = app.signed_in_again(user).await;
    }
}

/// The person as `user` reads them (asserting a 200).
pub async fn person_view(app: &TestApp, user: &TestUser, person: Uuid) -> Value {
    let (status, body) = app
        .get_json(&format!("/api/v1/people/{person}"), user)
        .await;
    assert_eq!(status, 200, "{body}");
    body
}
