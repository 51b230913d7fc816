#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Who records an appointment's outcome, and where: only probation records an absence that counts towards
//! enforcement; an appointment's outcome is recorded once, at its own endpoint, and corrected only by
//! superseding the contact that recorded it; an appointment that has started is not moved or cancelled but
//! given its outcome; and writes about one person sent at once are decided one after the other.

use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};
use vigil_e2e::contacts::{list as contacts, log};
use vigil_e2e::enforcement::enforcement_of as steps;
use vigil_e2e::spawn_app;

/// Named `casework::…` so that `cargo test -p vigil-e2e casework` selects them.
mod casework {
    use super::*;

    #[tokio::test]
    async fn the_police_log_contacts_but_record_no_absence_or_outcome() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;

        // A counting absence from the police: refused, and nothing is written.
        for outcome in ["unacceptable_absence", "failed_to_attend"] {
            let (status, problem) = log(
                &app,
                &police,
                person,
                json!({"type": "telephone", "occurred_at": "2026-11-23T08:00:00Z",
                       "status": "attempted", "outcome": outcome}),
            )
            .await;
            assert_eq!(status, 403, "{outcome}: {problem}");
        }
        assert_eq!(contacts(&app, &om, person).await, Vec::<Value>::new());
        assert_eq!(steps(&app, &om, person).await, Vec::<Value>::new());

        // An appointment's outcome, recorded by probation, is not the police's to correct, whichever
        // way: not to an absence, and not to another attendance.
        let recorded = app
            .book(
                &om,
                person,
                json!({"type": "office_visit", "starts_at": "2026-11-23T08:00:00Z",
                       "duration_minutes": 30, "outcome": "attended_complied"}),
            )
            .await;
        let outcome_contact = recorded["recorded"]["contact"]["id"].clone();
        for outcome in ["unacceptable_absence", "sent_home"] {
            let (status, problem) = log(
                &app,
                &police,
                person,
                json!({"type": "face_to_face_office", "occurred_at": "2026-11-23T08:00:00Z",
                       "status": "attempted", "outcome": outcome, "supersedes_id": outcome_contact}),
            )
            .await;
            assert_eq!(status, 403, "{outcome}: {problem}");
        }
        let (_, appointment) = app
            .get_json(&format!("/api/v1/people/{person}/appointments"), &om)
            .await;
        assert_eq!(appointment[0]["outcome"], "attended_complied");

        // What the police do log still goes in: a call that was answered.
        let (status, logged) = log(
            &app,
            &police,
            person,
            json!({"type": "telephone", "occurred_at": "2026-11-23T08:45:00Z", "status": "completed"}),
        )
        .await;
        assert_eq!(status, 201, "{logged}");
        assert_eq!(contacts(&app, &om, person).await.len(), 2);
        assert_eq!(steps(&app, &om, person).await, Vec::<Value>::new());
    }

    /// An absence for a medical reason, recorded as sensitive: the police see that the appointment was
    /// outcomed, but not why, whether it was sensitive from the start or made so by a correction.
    #[tokio::test]
    async fn a_sensitive_outcome_is_withheld_from_the_police() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let path = format!("/api/v1/people/{person}/appointments");
        let book = |starts_at: &str, extra: Value| {
            let mut body = json!({"type": "office_visit", "starts_at": starts_at, "duration_minutes": 15,
                                  "outcome": "acceptable_absence", "reason": "medical"});
            body.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            app.send_json(Method::POST, &path, &om, body)
        };
        let (status, marked) = book("2026-11-20T10:00:00Z", json!({"sensitive": true})).await;
        assert_eq!(status, 201, "{marked}");
        assert_eq!(marked["recorded"]["contact"]["sensitive"], true);
        let (status, plain) = book("2026-11-21T10:00:00Z", json!({})).await;
        assert_eq!(status, 201, "{plain}");
        // The second made sensitive by a correction.
        let (status, corrected) = log(
            &app,
            &om,
            person,
            json!({"type": "face_to_face_office", "occurred_at": "2026-11-21T10:00:00Z",
                   "status": "attempted", "outcome": "acceptable_absence_medical", "sensitive": true,
                   "notes": "hospital appointment", "supersedes_id": plain["recorded"]["contact"]["id"]}),
        )
        .await;
        assert_eq!(status, 201, "{corrected}");

        let outcomes = |list: Value| -> Vec<Value> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|a| a["outcome"].clone())
                .collect()
        };
        let medical = json!("acceptable_absence_medical");
        assert_eq!(
            outcomes(app.get_json(&path, &om).await.1),
            [medical.clone(), medical]
        );
        assert_eq!(
            outcomes(app.get_json(&path, &police).await.1),
            [Value::Null, Value::Null]
        );
        // Of the three contacts, the police see only the one since corrected (not sensitive itself).
        let seen: Vec<Value> = contacts(&app, &police, person)
            .await
            .iter()
            .map(|c| c["id"].clone())
            .collect();
        assert_eq!(seen, [plain["recorded"]["contact"]["id"].clone()]);

        // Corrected again, to an outcome that is not sensitive: shown again.
        let (status, _) = log(
            &app,
            &om,
            person,
            json!({"type": "face_to_face_office", "occurred_at": "2026-11-21T10:00:00Z",
                   "status": "attempted", "outcome": "failed_to_attend",
                   "supersedes_id": corrected["contact"]["id"]}),
        )
        .await;
        assert_eq!(status, 201);
        assert_eq!(
            outcomes(app.get_json(&path, &police).await.1),
            [Value::Null, json!("failed_to_attend")]
        );

        // `sensitive` marks an outcome's contact: with no outcome it is refused.
        let (status, problem) = app
            .send_json(
                Method::POST,
                &path,
                &om,
                json!({"type": "office_visit", "starts_at": "2026-11-30T10:00:00Z",
                       "duration_minutes": 15, "sensitive": true}),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "sensitive");
    }

    #[tokio::test]
    async fn an_appointments_outcome_is_recorded_once_at_its_own_endpoint() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        // Missed this morning: a warning.
        let missed = app
            .book(
                &om,
                person,
                json!({"type": "office_visit", "starts_at": "2026-11-23T08:00:00Z",
                       "duration_minutes": 30, "outcome": "unacceptable_absence"}),
            )
            .await;
        assert_eq!(missed["recorded"]["enforcement"]["action"], "warning");
        let missed_id = missed["appointment"]["id"].clone();

        // The same absence logged again as a new contact of the appointment: refused (it would be a
        // second absence, and a breach), whatever the outcome given.
        for outcome in ["unacceptable_absence", "attended_complied"] {
            let (status, problem) = log(
                &app,
                &om,
                person,
                json!({"type": "face_to_face_office", "occurred_at": "2026-11-23T08:00:00Z",
                       "status": if outcome == "attended_complied" { "completed" } else { "attempted" },
                       "outcome": outcome, "appointment_id": missed_id}),
            )
            .await;
            assert_eq!(status, 422, "{outcome}: {problem}");
            assert_eq!(problem["errors"][0]["field"], "outcome", "{problem}");
        }
        let actions: Vec<Value> = steps(&app, &om, person)
            .await
            .iter()
            .map(|s| s["action"].clone())
            .collect();
        assert_eq!(actions, [json!("warning")]);

        // Nor can an outcome be given to an appointment still waiting for one, except at its endpoint.
        let (status, booked) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{person}/appointments"),
                &om,
                json!({"type": "telephone", "starts_at": "2026-11-23T12:00:00Z", "duration_minutes": 15}),
            )
            .await;
        assert_eq!(status, 201, "{booked}");
        let (status, problem) = log(
            &app,
            &om,
            person,
            json!({"type": "telephone", "occurred_at": "2026-11-23T08:50:00Z", "status": "attempted",
                   "outcome": "failed_to_attend", "appointment_id": booked["appointment"]["id"]}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        // A note about it, with no outcome, is a contact like any other.
        let (status, note) = log(
            &app,
            &om,
            person,
            json!({"type": "telephone", "occurred_at": "2026-11-23T08:50:00Z", "status": "completed",
                   "notes": "reminded him of the call", "appointment_id": booked["appointment"]["id"]}),
        )
        .await;
        assert_eq!(status, 201, "{note}");

        // Correcting the contact that recorded the outcome is how an outcome is changed.
        let (status, corrected) = log(
            &app,
            &om,
            person,
            json!({"type": "face_to_face_office", "occurred_at": "2026-11-23T08:00:00Z",
                   "status": "attempted", "outcome": "acceptable_absence_medical",
                   "supersedes_id": missed["recorded"]["contact"]["id"]}),
        )
        .await;
        assert_eq!(status, 201, "{corrected}");
        let statuses: Vec<Value> = steps(&app, &om, person)
            .await
            .iter()
            .map(|s| s["status"].clone())
            .collect();
        assert_eq!(statuses, [json!("withdrawn")]);
    }

    #[tokio::test]
    async fn a_started_appointment_is_given_its_outcome_not_moved_or_cancelled() {
        let app = spawn_app().await;
        let mut om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let booked = app
            .book(
                &om,
                person,
                json!({"type": "office_visit", "starts_at": "2026-11-23T10:00:00Z", "duration_minutes": 30}),
            )
            .await;
        let id = booked["appointment"]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/appointments/{id}");

        // 10:00 has come: neither moved to tomorrow nor cancelled.
        vigil_e2e::cohort::later(&app, Duration::hours(1), &mut [&mut om]).await;
        for patch in [
            json!({"starts_at": "2026-11-24T10:00:00Z"}),
            json!({"status": "cancelled"}),
            json!({"location": "Room 2"}),
        ] {
            let (status, problem) = app
                .send_json(Method::PATCH, &path, &om, patch.clone())
                .await;
            assert_eq!(status, 409, "{patch}: {problem}");
            let detail = problem["detail"].as_str().unwrap();
            assert!(detail.contains("record its outcome"), "{detail}");
        }
        let (_, listed) = app
            .get_json(&format!("/api/v1/people/{person}/appointments"), &om)
            .await;
        assert_eq!(listed[0]["status"], "booked");
        assert_eq!(listed[0]["version"], booked["appointment"]["version"]);

        // Its outcome is what is recorded instead: here, the office was closed.
        let (status, recorded) = app
            .send_json(
                Method::POST,
                &format!("{path}/outcome"),
                &om,
                json!({"outcome": "acceptable_absence", "reason": "professional_judgement",
                       "notes": "office closed by snow"}),
            )
            .await;
        assert_eq!(status, 200, "{recorded}");
        assert_eq!(recorded["enforcement"], Value::Null);
    }
}
