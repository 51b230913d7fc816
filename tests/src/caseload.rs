//! Helpers shared by the caseload worklist tests.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::appointments::instant;
use crate::{TestApp, TestUser};

/// The worklist at `path`, answered 200.
pub async fn caseload(app: &TestApp, user: &TestUser, path: &str) -> Value {
    let (status, body) = app.get_json(path, user).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// The people of a worklist, in its order.
pub fn person_ids(caseload: &Value) -> Vec<Value> {
    caseload["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["person"]["id"].clone())
        .collect()
}

/// `(kind, due_by, reference_id)` of a list of work items.
pub fn work(items: &Value) -> Vec<(String, DateTime<Utc>, Value)> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {items}"))
        .iter()
        .map(|w| {
            (
                w["kind"].as_str().unwrap().to_owned(),
                instant(&w["due_by"]),
                w["reference_id"].clone(),
            )
        })
        .collect()
}

/// Adopts a tier-A catch & convict member allocated to `om`; returns the person.
pub async fn adopted_member(
    app: &TestApp,
    coordinator: &TestUser,
    om: &TestUser,
    police: &TestUser,
    family: &str,
) -> Uuid {
    let person = app
        .person_with(om, "Kai", family, json!({"tier": "A"}))
        .await;
    app.adopt(coordinator, person, "catch_convict", police.id, om.id)
        .await;
    app.allocate(coordinator, person, om.id, "offender_manager")
        .await;
    person
}
