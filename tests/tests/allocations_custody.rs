//! The cohort's allocations to staff (one current lead per role, the old one kept in history) and custody
//! periods.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::appointments::instant;
use vigil_e2e::cohort::{later, person_view, problem_fields as fields};
use vigil_e2e::{TestApp, TestUser, spawn_app};
use vigil_persistence::repositories::{allocations, custody};

async fn allocate(app: &TestApp, user: &TestUser, person: Uuid, body: Value) -> (u16, Value) {
    app.send_json(
        Method::POST,
        &format!("/api/v1/people/{person}/allocations"),
        user,
        body,
    )
    .await
}

#[tokio::test]
async fn a_new_allocation_ends_the_previous_one_in_the_same_role() {
    let app = spawn_app().await;
    let mut coordinator = app.user("coordinator", None).await;
    let mut first_manager = app.user("offender_manager", None).await;
    let mut second_manager = app.user("offender_manager", None).await;
    let officer = app.user("police", None).await;
    let admin = app.user("admin", None).await;
    let person = app.person(&coordinator, "Casey", "Whitby").await;
    let start = app.now();

    let (status, first) = allocate(
        &app,
        &coordinator,
        person,
        json!({"staff_id": first_manager.id, "role": "offender_manager"}),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["staff_id"], first_manager.id.to_string());
    assert_eq!(first["role"], "offender_manager");
    assert_eq!(instant(&first["from"]), start);
    assert_eq!(first["to"], Value::Null);
    let (status, spoc) = allocate(
        &app,
        &coordinator,
        person,
        json!({"staff_id": officer.id, "role": "police_spoc"}),
    )
    .await;
    assert_eq!(status, 201, "{spoc}");

    later(
        &app,
        Duration::days(10),
        &mut [&mut coordinator, &mut first_manager, &mut second_manager],
    )
    .await;
    let (status, second) = allocate(
        &app,
        &coordinator,
        person,
        json!({"staff_id": second_manager.id, "role": "offender_manager"}),
    )
    .await;
    assert_eq!(status, 201, "{second}");

    let view = person_view(&app, &coordinator, person).await;
    let allocations = view["allocations"].as_array().unwrap();
    assert_eq!(allocations.len(), 3, "{allocations:?}");
    let find = |id: &Value| {
        allocations
            .iter()
            .find(|a| a["id"] == *id)
            .unwrap_or_else(|| panic!("allocation {id} missing"))
    };
    let old = find(&first["id"]);
    assert_eq!(old["staff_id"], first_manager.id.to_string());
    assert_eq!(
        instant(&old["to"]),
        start + Duration::days(10),
        "the old one ended"
    );
    let new = find(&second["id"]);
    assert_eq!(new["to"], Value::Null);
    assert_eq!(instant(&new["from"]), start + Duration::days(10));
    assert_eq!(
        find(&spoc["id"])["to"],
        Value::Null,
        "another role is untouched"
    );

    // "Allocated to me" follows the current allocation.
    let (_, page) = app
        .get_json("/api/v1/people?allocated_to=me", &first_manager)
        .await;
    assert_eq!(page["total"], 0);
    let (_, page) = app
        .get_json("/api/v1/people?allocated_to=me", &second_manager)
        .await;
    assert_eq!(page["total"], 1);

    // The staff member must fit the role.
    for (staff_id, role, field) in [
        (officer.id, "offender_manager", "staff_id"),
        (first_manager.id, "police_spoc", "staff_id"),
        (admin.id, "support_officer", "staff_id"),
        (Uuid::new_v4(), "offender_manager", "staff_id"),
        (first_manager.id, "boss", "role"),
    ] {
        let (status, body) = allocate(
            &app,
            &coordinator,
            person,
            json!({"staff_id": staff_id, "role": role}),
        )
        .await;
        assert_eq!(status, 422, "{role}: {body}");
        assert_eq!(fields(&body), [field]);
    }
    let (status, body) = allocate(
        &app,
        &coordinator,
        person,
        json!({"staff_id": "nobody", "role": "police_spoc"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["staff_id"]);
    let view = person_view(&app, &coordinator, person).await;
    assert_eq!(
        view["allocations"].as_array().unwrap().len(),
        3,
        "refusals add nothing"
    );

    // DELETE ends an allocation and keeps it; a second DELETE is a conflict.
    later(
        &app,
        Duration::days(1),
        &mut [&mut coordinator, &mut second_manager],
    )
    .await;
    let path = format!("/api/v1/allocations/{}", second["id"].as_str().unwrap());
    let response = app
        .request(Method::DELETE, &path, &coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let ended: Value = response.json().await.unwrap();
    assert_eq!(ended["id"], second["id"]);
    assert_eq!(instant(&ended["to"]), start + Duration::days(11));
    let response = app
        .request(Method::DELETE, &path, &coordinator)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "conflict");
    let response = app
        .request(
            Method::DELETE,
            &format!("/api/v1/allocations/{}", Uuid::new_v4()),
            &coordinator,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let view = person_view(&app, &coordinator, person).await;
    let allocations = view["allocations"].as_array().unwrap();
    assert_eq!(allocations.len(), 3);
    assert_eq!(
        allocations.iter().filter(|a| a["to"].is_null()).count(),
        1,
        "only the police SPOC is current: {allocations:?}"
    );
    let (_, page) = app
        .get_json("/api/v1/people?allocated_to=me", &second_manager)
        .await;
    assert_eq!(page["total"], 0);
}

/// Allocations in the same role made at the same moment: the person ends with one active, the others
/// ended and kept.
#[tokio::test]
async fn simultaneous_allocations_in_one_role_leave_one_active() {
    let app = spawn_app().await;
    let coordinator = app.user("coordinator", None).await;
    let person = app.person(&coordinator, "Robin", "Cole").await;
    let mut officers = Vec::new();
    for _ in 0..5 {
        officers.push(app.user("offender_manager", None).await);
    }
    let answers = futures::future::join_all(officers.iter().map(|om| {
        allocate(
            &app,
            &coordinator,
            person,
            json!({"staff_id": om.id, "role": "offender_manager"}),
        )
    }))
    .await;
    assert!(
        answers.iter().all(|(status, _)| *status == 201),
        "{answers:?}"
    );
    let all = allocations::for_person(app.db(), person).await.unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(
        all.iter().filter(|a| a.to_at.is_none()).count(),
        1,
        "{all:?}"
    );
}

#[tokio::test]
async fn custody_dates_are_validated_and_recorded() {
    let app = spawn_app().await;
    let manager = app.user("offender_manager", None).await;
    let person = app.person(&manager, "Robin", "Cole").await;
    let path = format!("/api/v1/people/{person}/custody");

    for (body, expected) in [
        (
            json!({"received_at": "2026-10-01T09:00:00Z", "released_at": "2026-09-01T09:00:00Z"}),
            vec!["released_at"],
        ),
        (
            json!({"received_at": "2026-10-01T09:00:00Z", "expected_release_at": "2026-09-30T09:00:00+01:00"}),
            vec!["expected_release_at"],
        ),
        (
            json!({"received_at": "2026-12-25T09:00:00Z"}),
            vec!["received_at"],
        ),
        (
            json!({"received_at": "2026-10-01T09:00:00Z", "released_at": "2026-11-23T09:00:01Z"}),
            vec!["released_at"],
        ),
        (json!({"received_at": "1st October"}), vec!["received_at"]),
        (
            json!({"received_at": "2026-10-01 09:00", "released_at": "yesterday"}),
            vec!["received_at", "released_at"],
        ),
        (
            json!({"expected_release_at": "2027-01-01T00:00:00Z"}),
            vec!["received_at"],
        ),
    ] {
        let (status, answer) = app
            .send_json(Method::POST, &path, &manager, body.clone())
            .await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert_eq!(fields(&answer), expected, "{body}");
    }
    assert_eq!(
        person_view(&app, &manager, person).await["custody"],
        json!([])
    );

    let (status, period) = app
        .send_json(
            Method::POST,
            &path,
            &manager,
            json!({"received_at": "2026-10-01T10:00:00+01:00", "expected_release_at": "2027-04-01T09:00:00Z"}),
        )
        .await;
    assert_eq!(status, 201, "{period}");
    assert_eq!(
        instant(&period["received_at"]),
        "2026-10-01T09:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(period["released_at"], Value::Null);
    let custody = person_view(&app, &manager, person).await["custody"].clone();
    assert_eq!(custody.as_array().unwrap().len(), 1);
    assert_eq!(custody[0]["id"], period["id"]);
    assert_eq!(
        instant(&custody[0]["expected_release_at"]),
        "2027-04-01T09:00:00Z".parse::<DateTime<Utc>>().unwrap()
    );

    // A release learnt later completes the period received at that instant; until then no other opens.
    let in_custody = || custody::in_custody(app.db(), person, app.now());
    assert!(in_custody().await.unwrap());
    let (status, problem) = app
        .send_json(
            Method::POST,
            &path,
            &manager,
            json!({"received_at": "2026-11-01T09:00:00Z"}),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    let release =
        json!({"received_at": "2026-10-01T09:00:00Z", "released_at": "2026-11-20T08:00:00Z"});
    for _ in 0..2 {
        let (status, closed) = app
            .send_json(Method::POST, &path, &manager, release.clone())
            .await;
        assert_eq!(status, 201, "{closed}");
        assert_eq!(closed["id"], period["id"]);
        assert_eq!(
            instant(&closed["released_at"]),
            "2026-11-20T08:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(closed["expected_release_at"], period["expected_release_at"]);
    }
    assert!(!in_custody().await.unwrap());
    let (status, problem) = app
        .send_json(
            Method::POST,
            &path,
            &manager,
            json!({"received_at": "2026-10-01T09:00:00Z", "released_at": "2026-11-21T08:00:00Z"}),
        )
        .await;
    assert_eq!(status, 409, "a recorded release is not changed: {problem}");
    let (status, recalled) = app
        .send_json(
            Method::POST,
            &path,
            &manager,
            json!({"received_at": "2026-11-22T09:00:00Z"}),
        )
        .await;
    assert_eq!(status, 201, "{recalled}");
    assert!(in_custody().await.unwrap());
    let custody = person_view(&app, &manager, person).await["custody"].clone();
    assert_eq!(custody.as_array().unwrap().len(), 2, "{custody}");

    // An unknown person is 404.
    let (status, _) = app
        .send_json(
            Method::POST,
            &format!("/api/v1/people/{}/custody", Uuid::new_v4()),
            &manager,
            json!({"received_at": "2026-10-01T09:00:00Z"}),
        )
        .await;
    assert_eq!(status, 404);
}
