#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The worklist is a read of every person on it (DPA 2018 s.62, list reads included): each person shown
//! is recorded as consulted once per worklist, and nobody else. PostgreSQL records the plain worklist in
//! the same statement as the read and `overdue_only` in a transaction after the assessment; both paths are
//! exercised here, on both engines.

use std::collections::HashSet;

use chrono::Duration;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::cohort::later;
use vigil_e2e::{TestApp, TestUser, spawn_app};
use vigil_persistence::caseload::USUAL_CASELOAD;

/// The consultations recorded through worklists for `person`.
async fn worklist_consultations(app: &TestApp, admin: &TestUser, person: Uuid) -> Vec<Value> {
    let page = app
        .audit(admin, &format!("person_id={person}&action=consult"))
        .await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["entity"] == "caseload")
        .cloned()
        .collect()
}

fn shown(list: &Value) -> Vec<Uuid> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["person"]["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test]
async fn each_person_shown_is_recorded_once_and_nobody_else() {
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
    let mut ids = HashSet::new();
    for person in [late, quiet] {
        let events = worklist_consultations(&app, &admin, person).await;
        assert_eq!(events.len(), 1, "{person}: {events:?}");
        let event = &events[0];
        assert_eq!(event["actor_id"], om.id.to_string());
        assert_eq!(event["purpose"], "offender_management");
        assert_eq!(event["occurred_at"], "2026-11-23T12:00:00Z");
        let id: Uuid = event["id"].as_str().unwrap().parse().unwrap();
        assert_eq!(id.get_version_num(), 7, "{id}");
        ids.insert(id);
    }
    assert_eq!(ids.len(), 2, "each event has its own id");
    assert!(
        worklist_consultations(&app, &admin, elsewhere)
            .await
            .is_empty()
    );

    // Filtered out after the assessment: not shown, not recorded.
    let (status, list) = app
        .get_json("/api/v1/caseload?overdue_only=true", &om)
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(shown(&list), [late]);
    assert_eq!(worklist_consultations(&app, &admin, late).await.len(), 2);
    assert_eq!(worklist_consultations(&app, &admin, quiet).await.len(), 1);

    // Filtered out in the read: nobody shown, nothing recorded.
    let (status, list) = app
        .get_json("/api/v1/caseload?strand=prevent_deter", &om)
        .await;
    assert_eq!(status, 200, "{list}");
    assert!(shown(&list).is_empty());
    assert_eq!(worklist_consultations(&app, &admin, late).await.len(), 2);
    assert_eq!(worklist_consultations(&app, &admin, quiet).await.len(), 1);
}

/// More people than the audit ids made ahead for a worklist: the rest get ids made by the database, and
/// every person is still recorded once, under an id of their own.
#[tokio::test]
async fn a_caseload_larger_than_usual_is_recorded_in_full() {
    let app = spawn_app().await;
    let coordinator = app.user("coordinator", None).await;
    let om = app.user("offender_manager", None).await;
    let size = USUAL_CASELOAD + 3;
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
    assert_eq!(shown(&list).len() as u64, size);
    let rows = app
        .db()
        .query_all_raw(Statement::from_string(
            app.db().get_database_backend(),
            "SELECT id, person_id FROM audit_events WHERE entity = 'caseload'",
        ))
        .await
        .unwrap();
    let ids: HashSet<Uuid> = rows
        .iter()
        .map(|row| row.try_get::<Uuid>("", "id").unwrap())
        .collect();
    let people: HashSet<Uuid> = rows
        .iter()
        .map(|row| row.try_get::<Uuid>("", "person_id").unwrap())
        .collect();
    assert_eq!(rows.len() as u64, size);
    assert_eq!(ids.len() as u64, size, "every event has its own id");
    assert_eq!(people, shown(&list).into_iter().collect::<HashSet<_>>());
    assert!(ids.iter().all(|id| id.get_version_num() == 7), "{ids:?}");
}
