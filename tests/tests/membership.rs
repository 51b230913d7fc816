//! The cohort: membership transitions and their history, allocations to staff, custody periods.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::{TestApp, TestUser, spawn_app};

fn fields(body: &Value) -> Vec<String> {
    let mut fields: Vec<String> = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {body}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    fields.sort_unstable();
    fields
}

fn instant(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not an instant: {value}"))
        .parse()
        .unwrap()
}

/// Moves the clock and signs the users in again (their access tokens last 15 minutes of clock time).
async fn later(app: &TestApp, by: Duration, users: &mut [&mut TestUser]) {
    app.advance(by);
    for user in users.iter_mut() {
        **user = app.signed_in_again(user).await;
    }
}

async fn membership(app: &TestApp, user: &TestUser, person: Uuid, body: Value) -> (u16, Value) {
    app.send_json(
        Method::POST,
        &format!("/api/v1/people/{person}/membership"),
        user,
        body,
    )
    .await
}

async fn person_view(app: &TestApp, user: &TestUser, person: Uuid) -> Value {
    let (status, body) = app
        .get_json(&format!("/api/v1/people/{person}"), user)
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn membership_goes_propose_adopt_move_deselect_and_back_with_a_full_history() {
    let app = spawn_app().await;
    let mut coordinator = app.user("coordinator", None).await;
    let mut officer = app.user("police", None).await;
    let mut manager = app.user("offender_manager", None).await;
    let person = app.person(&coordinator, "Jordan", "Whitfield").await;
    let start = app.now();

    // Nothing but a proposal is possible for someone never proposed.
    for action in ["adopt", "move", "deselect"] {
        let (status, body) = membership(
            &app,
            &coordinator,
            person,
            json!({"action": action, "strand": "rehabilitate_resettle", "reason": "r", "exit_plan": "e"}),
        )
        .await;
        assert_eq!(status, 409, "{action}: {body}");
        assert_eq!(body["code"], "conflict");
    }
    let (status, body) = membership(&app, &coordinator, person, json!({"action": "propose"})).await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["strand"]);
    let (status, body) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "promote", "strand": "catch_convict"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["action"]);
    let (status, body) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "propose", "strand": "sideways"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["strand"]);

    // Propose.
    let (status, proposed) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "propose", "strand": "catch_convict", "reason": "12 burglaries in 6 months"}),
    )
    .await;
    assert_eq!(status, 201, "{proposed}");
    assert_eq!(proposed["action"], "propose");
    assert_eq!(proposed["status"], "proposed");
    assert_eq!(proposed["strand"], "catch_convict");
    assert_eq!(proposed["actor_id"], coordinator.id.to_string());
    assert_eq!(instant(&proposed["occurred_at"]), start);
    let view = person_view(&app, &manager, person).await;
    assert_eq!(
        (view["status"].as_str(), view["strand"].as_str()),
        (Some("proposed"), Some("catch_convict"))
    );
    let (status, _) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "propose", "strand": "prevent_deter"}),
    )
    .await;
    assert_eq!(status, 409, "already proposed");

    // Adopt: both leads are required and must hold the right roles.
    later(
        &app,
        Duration::days(7),
        &mut [&mut coordinator, &mut officer, &mut manager],
    )
    .await;
    let (status, body) = membership(&app, &coordinator, person, json!({"action": "adopt"})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["police_lead_id", "probation_lead_id"]);
    let (status, body) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "adopt", "probation_lead_id": manager.id}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["police_lead_id"]);
    let (status, body) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "adopt", "police_lead_id": manager.id, "probation_lead_id": officer.id}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["police_lead_id", "probation_lead_id"]);
    let (status, body) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "adopt", "police_lead_id": Uuid::new_v4(), "probation_lead_id": manager.id}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["police_lead_id"]);
    let (status, adopted) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "adopt", "police_lead_id": officer.id, "probation_lead_id": manager.id,
               "reason": "agreed at the PPO meeting"}),
    )
    .await;
    assert_eq!(status, 201, "{adopted}");
    assert_eq!(adopted["status"], "adopted");
    assert_eq!(adopted["strand"], "catch_convict");
    assert_eq!(adopted["police_lead_id"], officer.id.to_string());
    assert_eq!(adopted["probation_lead_id"], manager.id.to_string());
    let (status, body) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "adopt", "police_lead_id": officer.id, "probation_lead_id": manager.id}),
    )
    .await;
    assert_eq!(status, 409, "adopting the adopted: {body}");
    assert_eq!(body["code"], "conflict");

    // Move: to a different strand, with a reason.
    later(
        &app,
        Duration::days(30),
        &mut [&mut coordinator, &mut officer, &mut manager],
    )
    .await;
    let (status, body) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "move", "strand": "catch_convict", "reason": "no change"}),
    )
    .await;
    assert_eq!(status, 422, "same strand: {body}");
    assert_eq!(fields(&body), ["strand"]);
    let (status, body) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "move", "strand": "rehabilitate_resettle"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["reason"]);
    let (status, body) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "move", "strand": "rehabilitate_resettle", "reason": "   "}),
    )
    .await;
    assert_eq!(status, 422, "a blank reason is no reason");
    assert_eq!(fields(&body), ["reason"]);
    let (status, moved) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "move", "strand": "rehabilitate_resettle", "reason": "engaging with treatment"}),
    )
    .await;
    assert_eq!(status, 201, "{moved}");
    assert_eq!(
        (moved["status"].as_str(), moved["strand"].as_str()),
        (Some("adopted"), Some("rehabilitate_resettle"))
    );

    // Deselect: a reason and an exit plan.
    later(
        &app,
        Duration::days(90),
        &mut [&mut coordinator, &mut officer, &mut manager],
    )
    .await;
    let (status, body) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "deselect", "reason": "no offending for a year"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["exit_plan"]);
    let (status, body) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "deselect", "exit_plan": "handover to community team"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["reason"]);
    let (status, deselected) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "deselect", "reason": "no offending for a year",
               "exit_plan": "handover to community team"}),
    )
    .await;
    assert_eq!(status, 201, "{deselected}");
    assert_eq!(deselected["status"], "deselected");
    assert_eq!(
        deselected["strand"], "rehabilitate_resettle",
        "the strand is kept for the record"
    );
    for action in ["adopt", "move", "deselect"] {
        let (status, _) = membership(
            &app,
            &coordinator,
            person,
            json!({"action": action, "strand": "prevent_deter", "reason": "r", "exit_plan": "e",
                   "police_lead_id": officer.id, "probation_lead_id": manager.id}),
        )
        .await;
        assert_eq!(status, 409, "{action} after deselection");
    }

    // Re-proposal after deselection.
    later(
        &app,
        Duration::days(200),
        &mut [&mut coordinator, &mut officer, &mut manager],
    )
    .await;
    let (status, reproposed) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "propose", "strand": "prevent_deter", "reason": "reoffending"}),
    )
    .await;
    assert_eq!(status, 201, "{reproposed}");
    let view = person_view(&app, &manager, person).await;
    assert_eq!(
        (view["status"].as_str(), view["strand"].as_str()),
        (Some("proposed"), Some("prevent_deter"))
    );

    // The history: every step and only the steps taken, oldest first, with who, when and why.
    let (status, history) = app
        .get_json(
            &format!("/api/v1/people/{person}/membership/history"),
            &officer,
        )
        .await;
    assert_eq!(status, 200, "{history}");
    let steps = history.as_array().unwrap();
    let summary: Vec<(&str, &str, &str)> = steps
        .iter()
        .map(|s| {
            (
                s["action"].as_str().unwrap(),
                s["status"].as_str().unwrap(),
                s["strand"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("propose", "proposed", "catch_convict"),
            ("adopt", "adopted", "catch_convict"),
            ("move", "adopted", "rehabilitate_resettle"),
            ("deselect", "deselected", "rehabilitate_resettle"),
            ("propose", "proposed", "prevent_deter"),
        ]
    );
    let when: Vec<DateTime<Utc>> = steps.iter().map(|s| instant(&s["occurred_at"])).collect();
    assert_eq!(
        when,
        [
            start,
            start + Duration::days(7),
            start + Duration::days(37),
            start + Duration::days(127),
            start + Duration::days(327),
        ]
    );
    for step in steps {
        assert_eq!(step["actor_id"], coordinator.id.to_string());
    }
    assert_eq!(steps[0]["reason"], "12 burglaries in 6 months");
    assert_eq!(steps[1]["police_lead_id"], officer.id.to_string());
    assert_eq!(steps[1]["probation_lead_id"], manager.id.to_string());
    assert_eq!(steps[2]["reason"], "engaging with treatment");
    assert_eq!(steps[3]["reason"], "no offending for a year");
    assert_eq!(steps[3]["exit_plan"], "handover to community team");
    assert_eq!(steps[4]["police_lead_id"], Value::Null);
    assert_eq!(steps[4]["reason"], "reoffending");

    // Only a coordinator changes the cohort; an unknown person is 404.
    let (status, _) = membership(
        &app,
        &manager,
        person,
        json!({"action": "deselect", "reason": "r", "exit_plan": "e"}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = membership(
        &app,
        &coordinator,
        Uuid::new_v4(),
        json!({"action": "propose", "strand": "prevent_deter"}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get_json(
            &format!("/api/v1/people/{}/membership/history", Uuid::new_v4()),
            &manager,
        )
        .await;
    assert_eq!(status, 404);
}

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
