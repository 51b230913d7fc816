#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Home visits end to end: planning, the officer's due and overdue lists, outcomes with follow-ups, and
//! the risk-to-staff markers on every read.

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::{TestApp, TestUser, spawn_app};
use vigil_persistence::repositories::person_details;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .unwrap_or_else(|| panic!("not an instant: {v}"))
        .parse()
        .unwrap()
}

async fn plan(app: &TestApp, user: &TestUser, person: Uuid, body: Value) -> (u16, Value) {
    app.send_json(
        Method::POST,
        &format!("/api/v1/people/{person}/home-visits"),
        user,
        body,
    )
    .await
}

async fn visits(app: &TestApp, user: &TestUser, query: &str) -> Value {
    let (status, body) = app
        .get_json(&format!("/api/v1/home-visits?{query}"), user)
        .await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

fn ids(page: &Value) -> Vec<Value> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].clone())
        .collect()
}

fn markers(visit: &Value) -> Vec<(String, Option<String>)> {
    visit["risk_markers"]
        .as_array()
        .unwrap_or_else(|| panic!("no risk_markers in {visit}"))
        .iter()
        .map(|m| {
            (
                m["marker"].as_str().unwrap().to_owned(),
                m["notes"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// Named `casework::…` so that `cargo test -p vigil-e2e casework` selects them.
mod casework {
    use super::*;

    #[tokio::test]
    async fn plan_list_by_state_and_outcome_with_a_follow_up() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let coordinator = app.user("coordinator", None).await;
        let officer = app.user("police", None).await;
        let colleague = app.user("police", None).await;
        let person = app
            .person_with(
                &om,
                "Dylan",
                "Hart",
                json!({"address": {"line1": "12 Mill Lane", "line2": "Flat 2", "town": "Derby",
                                   "postcode": "DE1 2AB"}}),
            )
            .await;
        let other = app.person(&om, "Erin", "Cole").await;
        person_details::add_risk_marker(
            app.db(),
            person,
            "violence",
            Some("aggressive dog at the address".to_owned()),
            None,
            app.now(),
        )
        .await
        .unwrap();
        let expected_markers = vec![(
            "violence".to_owned(),
            Some("aggressive dog at the address".to_owned()),
        )];

        // An offender manager does not plan visits.
        let window = json!({"window_start": "2026-11-24T09:00:00Z", "window_end": "2026-11-26T17:00:00Z",
                        "announced": false});
        let (status, _) = plan(&app, &om, person, window.clone()).await;
        assert_eq!(status, 403);

        // The officer plans one for themself; the coordinator plans one for a colleague.
        let (status, mine) = plan(&app, &officer, person, window.clone()).await;
        assert_eq!(status, 201, "{mine}");
        assert_eq!(mine["assigned_to"], json!(officer.id));
        assert_eq!(mine["status"], "planned");
        assert_eq!(mine["due_state"], "due");
        assert_eq!(mine["announced"], false);
        assert_eq!(mine["follow_up_of"], Value::Null);
        assert_eq!(instant(&mine["window_end"]), at("2026-11-26T17:00:00Z"));
        assert_eq!(markers(&mine), expected_markers);
        // Where to go: the person's current address, on one line.
        assert_eq!(mine["address"], "12 Mill Lane, Flat 2, Derby, DE1 2AB");
        let (status, theirs) = plan(
            &app,
            &coordinator,
            other,
            json!({"window_start": "2026-11-23T12:00:00Z", "window_end": "2026-11-30T17:00:00Z",
               "announced": true, "assigned_to": colleague.id}),
        )
        .await;
        assert_eq!(status, 201, "{theirs}");
        assert_eq!(theirs["assigned_to"], json!(colleague.id));
        assert_eq!(markers(&theirs), vec![]);
        assert_eq!(theirs["address"], Value::Null, "no address known");

        // Bad windows and a non-police assignee.
        let (status, problem) = plan(
            &app,
            &coordinator,
            person,
            json!({"window_start": "2026-11-24T09:00:00Z", "window_end": "2026-11-24T08:00:00Z",
               "announced": true, "assigned_to": om.id}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        let mut fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        fields.sort_unstable();
        assert_eq!(fields, ["assigned_to", "window_end"]);
        let (status, _) = plan(
            &app,
            &officer,
            person,
            json!({"window_start": "2026-11-20T09:00:00Z", "window_end": "2026-11-22T17:00:00Z",
               "announced": true}),
        )
        .await;
        assert_eq!(status, 422);

        // Lists: by me, by id, by state; markers on every read.
        let page = visits(&app, &officer, "assigned_to=me&status=due").await;
        assert_eq!(ids(&page), [mine["id"].clone()]);
        assert_eq!(page["total"], 1);
        assert_eq!(markers(&page["items"][0]), expected_markers);
        assert_eq!(page["items"][0]["address"], mine["address"]);
        let page = visits(&app, &officer, &format!("assigned_to={}", colleague.id)).await;
        assert_eq!(ids(&page), [theirs["id"].clone()]);
        let page = visits(&app, &coordinator, "status=due").await;
        // By window end: 26 Nov before 30 Nov.
        assert_eq!(ids(&page), [mine["id"].clone(), theirs["id"].clone()]);
        // Each visit with its own person's markers (read for the whole page at once).
        assert_eq!(markers(&page["items"][0]), expected_markers);
        assert_eq!(markers(&page["items"][1]), vec![]);
        assert!(
            visits(&app, &officer, "assigned_to=me&status=overdue").await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        // Windows ending on or after `from`, starting before `to`.
        let page = visits(&app, &coordinator, "from=2026-11-27T00:00:00Z").await;
        assert_eq!(ids(&page), [theirs["id"].clone()]);
        let page = visits(&app, &coordinator, "to=2026-11-24T00:00:00Z").await;
        assert_eq!(ids(&page), [theirs["id"].clone()]);
        let page = visits(&app, &coordinator, "to=2026-11-24T09:00:01Z").await;
        assert_eq!(ids(&page), [mine["id"].clone(), theirs["id"].clone()]);
        let (status, problem) = app
            .get_json(
                "/api/v1/home-visits?status=late&assigned_to=someone",
                &officer,
            )
            .await;
        assert_eq!(status, 422, "{problem}");

        // Past the window's end (17:00 Thursday): overdue.
        app.clock.set(at("2026-11-27T09:00:00Z"));
        let officer = app.signed_in_again(&officer).await;
        let page = visits(&app, &officer, "assigned_to=me&status=overdue").await;
        assert_eq!(ids(&page), [mine["id"].clone()]);
        assert_eq!(page["items"][0]["due_state"], "overdue");
        assert_eq!(markers(&page["items"][0]), expected_markers);
        assert!(
            visits(&app, &officer, "assigned_to=me&status=due").await["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        // Nobody in: the visit is closed, an attempted contact is logged, a follow-up is planned.
        let path = format!(
            "/api/v1/home-visits/{}/outcome",
            mine["id"].as_str().unwrap()
        );
        let (status, result) = app
            .send_json(
                Method::POST,
                &path,
                &officer,
                json!({"outcome": "not_at_home", "notes": "curtains drawn"}),
            )
            .await;
        assert_eq!(status, 200, "{result}");
        assert_eq!(result["visit"]["status"], "not_at_home");
        assert_eq!(result["visit"]["due_state"], Value::Null);
        assert_eq!(markers(&result["visit"]), expected_markers);
        assert_eq!(result["visit"]["address"], mine["address"]);
        let contact = &result["contact"];
        assert_eq!(contact["type"], "home_visit");
        assert_eq!(contact["status"], "attempted");
        assert_eq!(contact["outcome"], "not_at_home");
        assert_eq!(contact["home_visit_id"], mine["id"]);
        assert_eq!(contact["notes"], "curtains drawn");
        assert_eq!(instant(&contact["occurred_at"]), at("2026-11-27T09:00:00Z"));
        let follow_up = &result["follow_up"];
        assert_eq!(follow_up["follow_up_of"], mine["id"]);
        assert_eq!(follow_up["status"], "planned");
        assert_eq!(follow_up["assigned_to"], json!(officer.id));
        assert_eq!(follow_up["announced"], false);
        assert_eq!(
            instant(&follow_up["window_start"]),
            at("2026-11-27T09:00:00Z")
        );
        assert_eq!(
            instant(&follow_up["window_end"]),
            at("2026-11-27T09:00:00Z") + Duration::days(3)
        );
        assert_eq!(markers(follow_up), expected_markers);
        assert_eq!(follow_up["address"], mine["address"], "the same door");

        // Twice: conflict, and nothing more is planned.
        let (status, problem) = app
            .send_json(
                Method::POST,
                &path,
                &officer,
                json!({"outcome": "completed"}),
            )
            .await;
        assert_eq!(status, 409, "{problem}");

        let page = visits(&app, &officer, "assigned_to=me&status=completed").await;
        assert_eq!(ids(&page), [mine["id"].clone()]);
        let page = visits(&app, &officer, "assigned_to=me&status=due").await;
        assert_eq!(ids(&page), [follow_up["id"].clone()]);
        assert_eq!(visits(&app, &officer, "assigned_to=me").await["total"], 2);

        // The follow-up completed: no further follow-up; a completed contact.
        let (status, done) = app
            .send_json(
                Method::POST,
                &format!(
                    "/api/v1/home-visits/{}/outcome",
                    follow_up["id"].as_str().unwrap()
                ),
                &officer,
                json!({"outcome": "completed"}),
            )
            .await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(done["visit"]["status"], "completed");
        assert_eq!(done["contact"]["status"], "completed");
        assert_eq!(done["contact"]["outcome"], Value::Null);
        assert_eq!(done["follow_up"], Value::Null);
        // A home visit creates no enforcement.
        let (_, steps) = app
            .get_json(&format!("/api/v1/people/{person}/enforcement"), &officer)
            .await;
        assert_eq!(steps, json!([]));
    }

    #[tokio::test]
    async fn refused_entry_follows_up_and_outcomes_wait_for_the_window() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let officer = app.user("police", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let (_, visit) = plan(
            &app,
            &officer,
            person,
            json!({"window_start": "2026-11-24T09:00:00Z", "window_end": "2026-11-24T17:00:00Z",
               "announced": true}),
        )
        .await;
        let path = format!(
            "/api/v1/home-visits/{}/outcome",
            visit["id"].as_str().unwrap()
        );
        let (status, problem) = app
            .send_json(
                Method::POST,
                &path,
                &officer,
                json!({"outcome": "completed"}),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        let (status, problem) = app
            .send_json(
                Method::POST,
                &path,
                &officer,
                json!({"outcome": "gone_fishing"}),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "outcome");

        app.clock.set(at("2026-11-24T10:00:00Z"));
        let officer = app.signed_in_again(&officer).await;
        let om = app.signed_in_again(&om).await;
        // An offender manager does not record visit outcomes.
        let (status, _) = app
            .send_json(Method::POST, &path, &om, json!({"outcome": "completed"}))
            .await;
        assert_eq!(status, 403);
        // A new risk marker shows on the very next read.
        person_details::add_risk_marker(app.db(), person, "weapons", None, None, app.now())
            .await
            .unwrap();
        let (status, result) = app
            .send_json(
                Method::POST,
                &path,
                &officer,
                json!({"outcome": "refused_entry"}),
            )
            .await;
        assert_eq!(status, 200, "{result}");
        assert_eq!(result["visit"]["status"], "refused_entry");
        assert_eq!(result["contact"]["outcome"], "refused_entry");
        assert_eq!(result["contact"]["status"], "attempted");
        assert_eq!(result["follow_up"]["follow_up_of"], visit["id"]);
        assert_eq!(
            markers(&result["visit"]),
            vec![("weapons".to_owned(), None)]
        );
        assert_eq!(
            markers(&result["follow_up"]),
            vec![("weapons".to_owned(), None)]
        );
        let (status, _) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/home-visits/{}/outcome", Uuid::new_v4()),
                &officer,
                json!({"outcome": "completed"}),
            )
            .await;
        assert_eq!(status, 404);
    }

    #[tokio::test]
    async fn a_visit_can_be_given_to_a_team_and_its_follow_up_stays_with_it() {
        let app = spawn_app().await;
        let north = app.agency("North Neighbourhood Team", "police").await;
        let south = app.agency("South Neighbourhood Team", "police").await;
        let housing = app.agency("Shelter Housing", "housing").await;
        let om = app.user("offender_manager", None).await;
        let coordinator = app.user("coordinator", None).await;
        let officer = app.user("police", Some(north)).await;
        let southerner = app.user("police", Some(south)).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let window = json!({"window_start": "2026-11-23T08:00:00Z",
                            "window_end": "2026-11-23T20:00:00Z", "announced": false});
        let with = |extra: Value| {
            let mut body = window.clone();
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            body
        };

        // Given to the team, the planning officer does not take it.
        let (status, visit) = plan(
            &app,
            &officer,
            person,
            with(json!({"assigned_team_id": north})),
        )
        .await;
        assert_eq!(status, 201, "{visit}");
        assert_eq!(visit["assigned_team_id"], json!(north));
        assert_eq!(visit["assigned_to"], Value::Null);
        // To an officer and a team at once.
        let (status, both) = plan(
            &app,
            &coordinator,
            person,
            with(json!({"assigned_team_id": north, "assigned_to": officer.id})),
        )
        .await;
        assert_eq!(status, 201, "{both}");
        assert_eq!(both["assigned_to"], json!(officer.id));

        // Only a police agency is a team.
        for not_a_team in [json!(housing), json!(Uuid::new_v4())] {
            let (status, problem) = plan(
                &app,
                &coordinator,
                person,
                with(json!({"assigned_team_id": not_a_team})),
            )
            .await;
            assert_eq!(status, 422, "{problem}");
            assert_eq!(problem["errors"][0]["field"], "assigned_team_id");
        }

        // A team's list: its own by `mine`, another's by id; nothing of it in another team's.
        assert_eq!(
            ids(&visits(&app, &officer, "team=mine").await),
            [visit["id"].clone(), both["id"].clone()]
        );
        assert_eq!(
            ids(&visits(&app, &om, &format!("team={north}")).await).len(),
            2
        );
        assert_eq!(
            ids(&visits(&app, &southerner, "team=mine").await),
            Vec::<Value>::new()
        );
        for (user, query) in [(&officer, "team=north"), (&om, "team=mine")] {
            let (status, problem) = app
                .get_json(&format!("/api/v1/home-visits?{query}"), user)
                .await;
            assert_eq!(status, 422, "{query}: {problem}");
            assert_eq!(problem["errors"][0]["field"], "team");
        }

        // Not at home: the follow-up is the team's too.
        let (status, outcome) = app
            .send_json(
                Method::POST,
                &format!(
                    "/api/v1/home-visits/{}/outcome",
                    visit["id"].as_str().unwrap()
                ),
                &officer,
                json!({"outcome": "not_at_home"}),
            )
            .await;
        assert_eq!(status, 200, "{outcome}");
        assert_eq!(outcome["follow_up"]["assigned_team_id"], json!(north));
        assert_eq!(outcome["follow_up"]["assigned_to"], Value::Null);
    }
}
