#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The worklist is a read of every person on it (DPA 2018 s.62, list reads included): each worklist is
//! recorded as one consultation event listing exactly the people shown, each once, and an
//! administrator asking about any one of them finds it. PostgreSQL records the plain worklist in the same
//! statement as the read and `overdue_only` in a transaction after the assessment; both paths are
//! exercised here, on both engines.

use chrono::Duration;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::cohort::later;
use vigil_e2e::{TestApp, TestUser, spawn_app};

/// The audit events of worklists matching `query` (an audit query string), newest first.
async fn worklist_events(app: &TestApp, admin: &TestUser, query: &str) -> Vec<Value> {
    let page = app.audit(admin, &format!("{query}&action=consult")).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["entity"] == "caseload")
        .cloned()
        .collect()
}

/// The people an event lists, sorted: a worklist is sorted by what is due after it is read and listed.
fn listed(event: &Value) -> Vec<Uuid> {
    let mut people: Vec<Uuid> = event["people"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().parse().unwrap())
        .collect();
    people.sort();
    people
}

/// The people on a worklist, in its order.
fn shown(list: &Value) -> Vec<Uuid> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["person"]["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

fn sorted(mut people: Vec<Uuid>) -> Vec<Uuid> {
    people.sort();
    people
}

#[tokio::test]
async fn each_worklist_is_one_event_listing_exactly_the_people_shown() {
    let app = spawn_app().await;
    let mut admin = app.user("admin", None).await;
    let coordinator = app.user("coordinator", None).await;
    let mut om = app.user("offender_manager", None).await;
    let late = app.person(&coordinator, "Sam", "Archer").await;
    let quiet = app.person(&coordinator, "Lee", "Young").await;
    let elsewhere = app.person(&coordinator, "Kim", "Other").await;
    app.allocate(&coordinator, late, om.id, "offender_manager")
        .await;
    // The same officer in a second role for the same person: still one line, one event.
    app.allocate(&coordinator, late, om.id, "support_officer")
        .await;
    app.allocate(&coordinator, quiet, om.id, "offender_manager")
        .await;
    app.book(
        &om,
        late,
        json!({"type": "office_visit", "starts_at": "2026-11-23T10:00:00Z", "duration_minutes": 30}),
    )
    .await;
    // The appointment is now over without an outcome: overdue for `late` only.
    later(&app, Duration::hours(3), &mut [&mut admin, &mut om]).await;

    let (status, list) = app.get_json("/api/v1/caseload", &om).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(shown(&list), [late, quiet]);
    assert_eq!(list["items"][0]["allocation_role"], "support_officer");
    let by_officer = format!("actor_id={}", om.id);
    let events = worklist_events(&app, &admin, &by_officer).await;
    assert_eq!(events.len(), 1, "one worklist, one event: {events:?}");
    let event = &events[0];
    assert_eq!(listed(event), sorted(vec![late, quiet]), "the people shown");
    assert_eq!(event["person_id"], Value::Null);
    assert_eq!(event["purpose"], "offender_management");
    assert_eq!(event["occurred_at"], "2026-11-23T12:00:00Z");
    let id: Uuid = event["id"].as_str().unwrap().parse().unwrap();
    assert_eq!(id.get_version_num(), 7, "{id}");
    // Asked about one person, the audit finds the worklists that showed them, and only those.
    for person in [late, quiet] {
        let about = worklist_events(&app, &admin, &format!("person_id={person}")).await;
        assert_eq!(about.len(), 1, "{person}: {about:?}");
        assert_eq!(about[0]["id"], event["id"]);
    }
    assert!(
        worklist_events(&app, &admin, &format!("person_id={elsewhere}"))
            .await
            .is_empty()
    );

    // Filtered out after the assessment: not shown, not listed.
    let (status, list) = app
        .get_json("/api/v1/caseload?overdue_only=true", &om)
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(shown(&list), [late]);
    let events = worklist_events(&app, &admin, &by_officer).await;
    assert_eq!(events.len(), 2);
    assert_eq!(listed(&events[0]), [late], "newest first");
    let about_late = worklist_events(&app, &admin, &format!("person_id={late}")).await;
    assert_eq!(about_late.len(), 2);
    let about_quiet = worklist_events(&app, &admin, &format!("person_id={quiet}")).await;
    assert_eq!(about_quiet.len(), 1);

    // Filtered out in the read: nobody shown, nothing recorded.
    let (status, list) = app
        .get_json("/api/v1/caseload?strand=prevent_deter", &om)
        .await;
    assert_eq!(status, 200, "{list}");
    assert!(shown(&list).is_empty());
    assert_eq!(worklist_events(&app, &admin, &by_officer).await.len(), 2);
}

/// A long caseload is listed in full, each person once, in its one event.
#[tokio::test]
async fn a_long_caseload_is_listed_in_full() {
    let app = spawn_app().await;
    let admin = app.user("admin", None).await;
    let coordinator = app.user("coordinator", None).await;
    let om = app.user("offender_manager", None).await;
    let size = 45;
    for n in 0..size {
        // Names are letters only: n written in base 26, a to z.
        let family = format!(
            "Per{}{}",
            (b'a' + (n / 26) as u8) as char,
            (b'a' + (n % 26) as u8) as char
        );
        let person = app.person(&coordinator, "Sam", &family).await;
        app.allocate(&coordinator, person, om.id, "offender_manager")
            .await;
    }

    let (status, list) = app.get_json("/api/v1/caseload", &om).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(shown(&list).len(), size);
    let events = worklist_events(&app, &admin, &format!("actor_id={}", om.id)).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(listed(&events[0]), sorted(shown(&list)));
}
