#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Two people doing the same thing to one record at the same moment: a home visit's outcome, a referral's
//! next status, an enforcement step's completion. One is recorded, the other told 409; never both (on
//! PostgreSQL each decision is made with the row, or the person's row, locked; SQLite has one writer).
//! And different writes about one person at once: each is made, none fails.

use reqwest::Method;
use serde_json::{Value, json};
use vigil_e2e::{TestApp, TestUser, spawn_app};

/// Sends `body` to `path` twice at once, as `first` and `second`; answers both statuses, sorted, and the
/// answers.
async fn twice_at_once(
    app: &TestApp,
    method: Method,
    path: &str,
    (first, first_body): (&TestUser, Value),
    (second, second_body): (&TestUser, Value),
) -> (Vec<u16>, Vec<Value>) {
    let ((a, a_body), (b, b_body)) = tokio::join!(
        app.send_json(method.clone(), path, first, first_body),
        app.send_json(method.clone(), path, second, second_body),
    );
    let mut statuses = vec![a, b];
    statuses.sort_unstable();
    (statuses, vec![a_body, b_body])
}

/// Named `casework::…` so that `cargo test -p vigil-e2e casework` selects them.
mod casework {
    use super::*;

    #[tokio::test]
    async fn two_outcomes_for_one_home_visit_record_one() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let officer = app.user("police", None).await;
        let colleague = app.user("police", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let (status, visit) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{person}/home-visits"),
                &officer,
                json!({"window_start": "2026-11-23T08:00:00Z", "window_end": "2026-11-23T17:00:00Z",
                       "announced": false}),
            )
            .await;
        assert_eq!(status, 201, "{visit}");
        let path = format!(
            "/api/v1/home-visits/{}/outcome",
            visit["id"].as_str().unwrap()
        );
        let (statuses, answers) = twice_at_once(
            &app,
            Method::POST,
            &path,
            (&officer, json!({"outcome": "not_at_home"})),
            (&colleague, json!({"outcome": "not_at_home"})),
        )
        .await;
        assert_eq!(statuses, [200, 409], "{answers:?}");

        // One contact, one follow-up visit.
        let (status, contacts) = app
            .get_json(&format!("/api/v1/people/{person}/contacts"), &om)
            .await;
        assert_eq!(status, 200);
        assert_eq!(contacts.as_array().unwrap().len(), 1, "{contacts}");
        let (status, planned) = app
            .get_json(
                &format!("/api/v1/home-visits?assigned_to={}", officer.id),
                &officer,
            )
            .await;
        assert_eq!(status, 200, "{planned}");
        let follow_ups = planned["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["id"] != visit["id"])
            .count();
        assert_eq!(follow_ups, 1, "{planned}");
    }

    #[tokio::test]
    async fn a_referral_started_and_declined_at_once_is_one_or_the_other() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let housing = app.agency("Shelter Housing", "housing").await;
        let worker = app.user("partner", Some(housing)).await;
        let colleague = app.user("partner", Some(housing)).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let (status, referral) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{person}/referrals"),
                &om,
                json!({"pathway": "accommodation", "agency_id": housing}),
            )
            .await;
        assert_eq!(status, 201, "{referral}");
        let path = format!("/api/v1/referrals/{}", referral["id"].as_str().unwrap());
        let (statuses, answers) = twice_at_once(
            &app,
            Method::PATCH,
            &path,
            (&worker, json!({"status": "started"})),
            (&colleague, json!({"status": "declined"})),
        )
        .await;
        assert_eq!(statuses, [200, 409], "{answers:?}");
        let (status, now) = app.get_json("/api/v1/referrals", &worker).await;
        assert_eq!(status, 200);
        let kept = &now["items"][0];
        let winner = answers.iter().find(|a| a["status"].is_string()).unwrap();
        assert_eq!(kept["status"], winner["status"], "{now}");
        // Started and ended are never both set by the two.
        assert!(
            kept["started_at"].is_null() || kept["ended_at"].is_null(),
            "{kept}"
        );
    }

    /// A reschedule, a booking, an outcome's correction, a logged contact and a visit's outcome for one
    /// person, all at once, several times over: each is made. Each takes the person's row first, so none
    /// can wait on another in a cycle. (A guard, not a reproduction: on this machine the writes rarely
    /// overlap closely enough to deadlock even without the lock; a lost race answers 409, never 500.)
    #[tokio::test]
    async fn different_writes_about_one_person_at_once_are_all_made() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        for round in 0..4i64 {
            let day = 24 + round;
            let later = app
                .book(
                    &om,
                    person,
                    json!({"type": "office_visit", "starts_at": format!("2026-12-{day:02}T10:00:00Z"),
                           "duration_minutes": 30}),
                )
                .await;
            let started = app
                .book(
                    &om,
                    person,
                    json!({"type": "telephone", "starts_at": format!("2026-11-23T0{round}:00:00Z"),
                           "duration_minutes": 15, "outcome": "attended_complied"}),
                )
                .await;
            let (status, visit) = app
                .send_json(
                    Method::POST,
                    &format!("/api/v1/people/{person}/home-visits"),
                    &police,
                    json!({"window_start": "2026-11-23T08:00:00Z", "window_end": "2026-11-23T17:00:00Z",
                           "announced": false}),
                )
                .await;
            assert_eq!(status, 201, "{visit}");
            let appointment = |v: &Value| v["appointment"]["id"].as_str().unwrap().to_owned();
            let writes = [
                (
                    Method::PATCH,
                    format!("/api/v1/appointments/{}", appointment(&later)),
                    &om,
                    json!({"starts_at": format!("2026-12-{day:02}T14:00:00Z")}),
                ),
                (
                    Method::POST,
                    format!("/api/v1/people/{person}/appointments"),
                    &om,
                    json!({"type": "video", "starts_at": format!("2026-12-{day:02}T16:00:00Z"),
                           "duration_minutes": 30}),
                ),
                (
                    Method::POST,
                    format!("/api/v1/people/{person}/contacts"),
                    &om,
                    json!({"type": "telephone", "occurred_at": started["appointment"]["starts_at"],
                           "status": "completed", "outcome": "attended_failed_to_comply",
                           "supersedes_id": started["recorded"]["contact"]["id"]}),
                ),
                (
                    Method::POST,
                    format!("/api/v1/people/{person}/contacts"),
                    &police,
                    json!({"type": "telephone", "occurred_at": "2026-11-23T08:40:00Z", "status": "completed"}),
                ),
                (
                    Method::POST,
                    format!(
                        "/api/v1/home-visits/{}/outcome",
                        visit["id"].as_str().unwrap()
                    ),
                    &police,
                    json!({"outcome": "completed"}),
                ),
            ];
            let answers =
                futures::future::join_all(writes.iter().map(|(method, path, user, body)| {
                    app.send_json(method.clone(), path, user, body.clone())
                }))
                .await;
            for (status, answer) in &answers {
                assert!((200..300).contains(status), "round {round}: {answers:?}");
                assert!(answer.is_object(), "{answer}");
            }
        }
    }

    #[tokio::test]
    async fn a_step_completed_by_two_officers_at_once_is_completed_once() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let colleague = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let booked = app
            .book(
                &om,
                person,
                json!({"type": "office_visit", "starts_at": "2026-11-20T10:00:00Z",
                       "duration_minutes": 30, "outcome": "unacceptable_absence"}),
            )
            .await;
        let step = &booked["recorded"]["enforcement"];
        let path = format!(
            "/api/v1/enforcement/{}/complete",
            step["id"].as_str().unwrap()
        );
        let (statuses, answers) = twice_at_once(
            &app,
            Method::POST,
            &path,
            (&om, json!({})),
            (&colleague, json!({})),
        )
        .await;
        assert_eq!(statuses, [200, 409], "{answers:?}");
        let winner = answers.iter().find(|a| a["status"] == "completed").unwrap();
        let (status, steps) = app
            .get_json(&format!("/api/v1/people/{person}/enforcement"), &om)
            .await;
        assert_eq!(status, 200);
        assert_eq!(steps[0]["completed_by"], winner["completed_by"], "{steps}");
    }
}
