//! The cohort: membership transitions (propose, adopt, move, deselect) and their history.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::appointments::instant;
use vigil_e2e::cohort::{later, person_view, problem_fields as fields};
use vigil_e2e::{TestApp, TestUser, spawn_app};

async fn membership(app: &TestApp, user: &TestUser, person: Uuid, body: Value) -> (u16, Value) {
    app.send_json(
        Method::POST,
        &format!("/api/v1/people/{person}/membership"),
        user,
        body,
    )
    .await
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

    // Adopt: the leads who agreed are optional, but one named must hold the right role.
    later(
        &app,
        Duration::days(7),
        &mut [&mut coordinator, &mut officer, &mut manager],
    )
    .await;
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

/// The contract's adoption: the action alone (the strand proposed is kept; no leads named).
#[tokio::test]
async fn adoption_needs_only_the_action() {
    let app = spawn_app().await;
    let coordinator = app.user("coordinator", None).await;
    let person = app.person(&coordinator, "Jordan", "Whitfield").await;
    let (status, body) = membership(
        &app,
        &coordinator,
        person,
        json!({"action": "propose", "strand": "prevent_deter"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, adopted) =
        membership(&app, &coordinator, person, json!({"action": "adopt"})).await;
    assert_eq!(status, 201, "{adopted}");
    assert_eq!(adopted["status"], "adopted");
    assert_eq!(adopted["strand"], "prevent_deter");
    assert_eq!(adopted["police_lead_id"], Value::Null);
    assert_eq!(adopted["probation_lead_id"], Value::Null);
}
