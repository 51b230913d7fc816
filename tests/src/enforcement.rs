//! Helpers shared by the enforcement tests: absences recorded after the fact, corrections of them, and the
//! person's steps.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{TestApp, TestUser};

/// Records an office visit after the fact with `outcome` (and `reason`), answering what was recorded.
pub async fn record_absence(
    app: &TestApp,
    user: &TestUser,
    person: Uuid,
    starts_at: &str,
    outcome: &str,
    reason: Option<&str>,
) -> Value {
    let mut body = json!({"type": "office_visit", "starts_at": starts_at, "duration_minutes": 30,
                          "outcome": outcome});
    if let Some(reason) = reason {
        body["reason"] = json!(reason);
    }
    let answer = app.book(user, person, body).await;
    answer["recorded"].clone()
}

/// The person's enforcement steps, in the order made.
pub async fn enforcement_of(app: &TestApp, user: &TestUser, person: Uuid) -> Vec<Value> {
    let (status, body) = app
        .get_json(&format!("/api/v1/people/{person}/enforcement"), user)
        .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

/// `(action, status, contact_id)` of each step, in the order made.
pub fn steps_by_contact(steps: &[Value]) -> Vec<(String, String, Value)> {
    steps
        .iter()
        .map(|step| {
            (
                step["action"].as_str().unwrap().to_owned(),
                step["status"].as_str().unwrap().to_owned(),
                step["contact_id"].clone(),
            )
        })
        .collect()
}

/// An expected `(action, status, contact_id)`.
pub fn owned(action: &str, status: &str, contact: &Value) -> (String, String, Value) {
    (action.to_owned(), status.to_owned(), contact.clone())
}

/// Corrects `contact` of `person` (an office visit) to `outcome`, as `user`; answers the 201 body.
pub async fn correct(
    app: &TestApp,
    user: &TestUser,
    person: Uuid,
    contact: &Value,
    outcome: &str,
    reason: Option<&str>,
) -> Value {
    let mut body = json!({"type": "face_to_face_office", "occurred_at": contact["occurred_at"],
                          "status": "attempted", "outcome": outcome, "notes": "corrected",
                          "supersedes_id": contact["id"]});
    if let Some(reason) = reason {
        body["reason"] = json!(reason);
    }
    let (status, corrected) = app
        .send_json(
            Method::POST,
            &format!("/api/v1/people/{person}/contacts"),
            user,
            body,
        )
        .await;
    assert_eq!(status, 201, "{corrected}");
    corrected
}

/// Closes the step `step` as `user` with `status` (completed or cancelled).
pub async fn close(app: &TestApp, user: &TestUser, step: &Value, status: &str) {
    let (status_code, closed) = app
        .send_json(
            Method::POST,
            &format!(
                "/api/v1/enforcement/{}/complete",
                step["id"].as_str().unwrap()
            ),
            user,
            json!({"status": status}),
        )
        .await;
    assert_eq!(status_code, 200, "{closed}");
}
