#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Enforcement end to end: warnings after a first counting absence, breach action after a second within
//! twelve months, working-day deadlines (weekends, Christmas 2026 bank holidays), completion, and
//! corrections that cancel a pending step.

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::{TestApp, TestUser, spawn_app, spawn_app_with};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .unwrap_or_else(|| panic!("not an instant: {v}"))
        .parse()
        .unwrap()
}

/// Records an office visit after the fact with `outcome` (and `reason`), answering what was recorded.
async fn record_absence(
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

async fn enforcement_of(app: &TestApp, user: &TestUser, person: Uuid) -> Vec<Value> {
    let (status, body) = app
        .get_json(&format!("/api/v1/people/{person}/enforcement"), user)
        .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

/// Named `casework::…` so that `cargo test -p vigil-e2e casework` selects them.
mod casework {
    use super::*;

    #[tokio::test]
    async fn a_first_absence_is_a_warning_due_in_five_working_days() {
        // Monday 23 Nov 2026, 09:00; the office visit at 10:00 is missed.
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let booked = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-11-23T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
        app.clock.set(at("2026-11-23T10:40:00Z"));
        let om = app.signed_in_again(&om).await;
        let (status, result) = app
            .send_json(
                Method::POST,
                &format!(
                    "/api/v1/appointments/{}/outcome",
                    booked["appointment"]["id"].as_str().unwrap()
                ),
                &om,
                json!({"outcome": "unacceptable_absence"}),
            )
            .await;
        assert_eq!(status, 200, "{result}");
        assert_eq!(result["contact"]["status"], "attempted");
        let warning = &result["enforcement"];
        assert_eq!(warning["action"], "warning");
        assert_eq!(warning["status"], "pending");
        assert_eq!(warning["contact_id"], result["contact"]["id"]);
        // Tue 24, Wed 25, Thu 26, Fri 27, Mon 30: end of Monday 30 November (GMT).
        assert_eq!(instant(&warning["due_by"]), at("2026-11-30T23:59:59Z"));
        assert_eq!(warning["completed_at"], Value::Null);

        let steps = enforcement_of(&app, &om, person).await;
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0]["id"], warning["id"]);
    }

    #[tokio::test]
    async fn a_second_absence_within_twelve_months_is_breach_counted_across_christmas() {
        let app = spawn_app_with(at("2026-12-18T09:00:00Z")).await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;

        // Monday 7 December: warning by Monday 14 December.
        let first = record_absence(
            &app,
            &om,
            person,
            "2026-12-07T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        assert_eq!(first["enforcement"]["action"], "warning");
        assert_eq!(
            instant(&first["enforcement"]["due_by"]),
            at("2026-12-14T23:59:59Z")
        );

        // Thursday 17 December: 18, 21, 22, 23, 24 (5); 25 and 28 are bank holidays, 26–27 a weekend;
        // 29, 30, 31 (8); 1 January a bank holiday, 2–3 a weekend; 4 (9), 5 January 2027 (10).
        let second = record_absence(
            &app,
            &om,
            person,
            "2026-12-17T14:00:00Z",
            "failed_to_attend",
            None,
        )
        .await;
        assert_eq!(second["enforcement"]["action"], "breach");
        assert_eq!(second["enforcement"]["status"], "pending");
        assert_eq!(
            instant(&second["enforcement"]["due_by"]),
            at("2027-01-05T23:59:59Z")
        );

        let steps = enforcement_of(&app, &om, person).await;
        let actions: Vec<&str> = steps
            .iter()
            .map(|s| s["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["warning", "breach"]);
    }

    #[tokio::test]
    async fn acceptable_absences_need_a_reason_and_start_nothing() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let path = format!("/api/v1/people/{person}/appointments");

        let (status, problem) = app
        .send_json(
            Method::POST,
            &path,
            &om,
            json!({"type": "office_visit", "starts_at": "2026-11-20T10:00:00Z", "duration_minutes": 30,
                   "outcome": "acceptable_absence"}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "reason");
        let (status, problem) = app
        .send_json(
            Method::POST,
            &path,
            &om,
            json!({"type": "office_visit", "starts_at": "2026-11-20T10:00:00Z", "duration_minutes": 30,
                   "outcome": "acceptable_absence", "reason": "bored"}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "reason");
        // Nothing was written by the refused requests.
        let (_, list) = app.get_json(&path, &om).await;
        assert_eq!(list, json!([]));

        let recorded = record_absence(
            &app,
            &om,
            person,
            "2026-11-20T10:00:00Z",
            "acceptable_absence",
            Some("medical"),
        )
        .await;
        assert_eq!(recorded["contact"]["outcome"], "acceptable_absence_medical");
        assert_eq!(recorded["contact"]["status"], "attempted");
        assert_eq!(recorded["enforcement"], Value::Null);
        // Attending and complying counts for nothing either.
        let recorded = record_absence(
            &app,
            &om,
            person,
            "2026-11-16T10:00:00Z",
            "attended_complied",
            None,
        )
        .await;
        assert_eq!(recorded["enforcement"], Value::Null);
        assert!(enforcement_of(&app, &om, person).await.is_empty());

        // So a later unacceptable absence is a first one: a warning (Fri 20 + 5 = Fri 27 November).
        let recorded = record_absence(
            &app,
            &om,
            person,
            "2026-11-20T15:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        assert_eq!(recorded["enforcement"]["action"], "warning");
        assert_eq!(
            instant(&recorded["enforcement"]["due_by"]),
            at("2026-11-27T23:59:59Z")
        );
    }

    #[tokio::test]
    async fn the_window_is_twelve_calendar_months() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;

        // 13 months apart: a warning again. Mon 16 Nov 2026 + 5 working days = Mon 23 Nov.
        let person = app.person(&om, "Dylan", "Hart").await;
        let first = record_absence(
            &app,
            &om,
            person,
            "2025-10-13T09:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        assert_eq!(first["enforcement"]["action"], "warning");
        // Mon 13 Oct 2025 + 5 = Mon 20 Oct 2025, BST: 22:59:59Z.
        assert_eq!(
            instant(&first["enforcement"]["due_by"]),
            at("2025-10-20T22:59:59Z")
        );
        let later = record_absence(
            &app,
            &om,
            person,
            "2026-11-16T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        assert_eq!(later["enforcement"]["action"], "warning");
        assert_eq!(
            instant(&later["enforcement"]["due_by"]),
            at("2026-11-23T23:59:59Z")
        );
        // And four days after that one: breach. Fri 20 Nov + 10 = 23–27 (5), 30 Nov, 1–4 Dec (10).
        let third = record_absence(
            &app,
            &om,
            person,
            "2026-11-20T10:00:00Z",
            "attended_failed_to_comply",
            None,
        )
        .await;
        assert_eq!(third["contact"]["status"], "completed");
        assert_eq!(third["enforcement"]["action"], "breach");
        assert_eq!(
            instant(&third["enforcement"]["due_by"]),
            at("2026-12-04T23:59:59Z")
        );

        // Exactly twelve months to the local day still counts.
        let other = app.person(&om, "Erin", "Cole").await;
        record_absence(
            &app,
            &om,
            other,
            "2025-11-16T10:00:00Z",
            "failed_to_attend",
            None,
        )
        .await;
        let again = record_absence(
            &app,
            &om,
            other,
            "2026-11-16T10:00:00Z",
            "failed_to_attend",
            None,
        )
        .await;
        assert_eq!(again["enforcement"]["action"], "breach");
        // Mon 16 Nov + 10 = Mon 30 Nov.
        assert_eq!(
            instant(&again["enforcement"]["due_by"]),
            at("2026-11-30T23:59:59Z")
        );
    }

    #[tokio::test]
    async fn completing_a_step_records_who_and_when() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let recorded = record_absence(
            &app,
            &om,
            person,
            "2026-11-20T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        let step_id = recorded["enforcement"]["id"].as_str().unwrap().to_owned();
        let path = format!("/api/v1/enforcement/{step_id}/complete");

        // Police may read enforcement but not complete it.
        assert_eq!(enforcement_of(&app, &police, person).await.len(), 1);
        let (status, _) = app.send_json(Method::POST, &path, &police, json!({})).await;
        assert_eq!(status, 403);
        let (status, problem) = app
            .send_json(Method::POST, &path, &om, json!({"status": "done"}))
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "status");

        app.clock.set(at("2026-11-24T11:30:00Z"));
        let other_om = app.user("offender_manager", None).await;
        let (status, done) = app
            .send_json(Method::POST, &path, &other_om, json!({}))
            .await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(done["status"], "completed");
        assert_eq!(done["completed_by"], json!(other_om.id));
        assert_eq!(instant(&done["completed_at"]), at("2026-11-24T11:30:00Z"));

        let steps = enforcement_of(&app, &other_om, person).await;
        assert_eq!(steps[0]["status"], "completed");
        assert_eq!(steps[0]["completed_by"], json!(other_om.id));

        // Not pending any more.
        let (status, _) = app
            .send_json(
                Method::POST,
                &path,
                &other_om,
                json!({"status": "cancelled"}),
            )
            .await;
        assert_eq!(status, 409);
        let (status, _) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/enforcement/{}/complete", Uuid::new_v4()),
                &other_om,
                json!({}),
            )
            .await;
        assert_eq!(status, 404);
    }

    #[tokio::test]
    async fn correcting_an_absence_to_acceptable_cancels_its_step_and_it_no_longer_counts() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let recorded = record_absence(
            &app,
            &om,
            person,
            "2026-11-16T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        let absence = recorded["contact"].clone();
        let warning_id = recorded["enforcement"]["id"].clone();

        let (status, corrected) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{person}/contacts"),
                &om,
                json!({"type": "face_to_face_office", "occurred_at": "2026-11-16T10:00:00Z",
                   "status": "attempted", "outcome": "acceptable_absence", "reason": "medical",
                   "notes": "sick note received", "supersedes_id": absence["id"],
                   "appointment_id": absence["appointment_id"]}),
            )
            .await;
        assert_eq!(status, 201, "{corrected}");
        assert_eq!(
            corrected["contact"]["outcome"],
            "acceptable_absence_medical"
        );
        assert_eq!(corrected["contact"]["supersedes_id"], absence["id"]);
        assert_eq!(corrected["enforcement"], Value::Null);

        let steps = enforcement_of(&app, &om, person).await;
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0]["id"], warning_id);
        assert_eq!(steps[0]["status"], "withdrawn");
        assert_eq!(steps[0]["completed_by"], json!(om.id));
        assert_eq!(instant(&steps[0]["completed_at"]), app.now());

        // The corrected absence no longer counts: the next unacceptable absence is a first warning.
        let next = record_absence(
            &app,
            &om,
            person,
            "2026-11-20T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        assert_eq!(next["enforcement"]["action"], "warning");
        assert_eq!(
            instant(&next["enforcement"]["due_by"]),
            at("2026-11-27T23:59:59Z")
        );
        // A completed step is not withdrawn by a later correction: complete it, then correct that absence.
        let (status, _) = app
            .send_json(
                Method::POST,
                &format!(
                    "/api/v1/enforcement/{}/complete",
                    next["enforcement"]["id"].as_str().unwrap()
                ),
                &om,
                json!({}),
            )
            .await;
        assert_eq!(status, 200);
        let (status, _) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{person}/contacts"),
                &om,
                json!({"type": "face_to_face_office", "occurred_at": "2026-11-20T10:00:00Z",
                   "status": "attempted", "outcome": "acceptable_absence", "reason": "court",
                   "supersedes_id": next["contact"]["id"]}),
            )
            .await;
        assert_eq!(status, 201);
        let steps = enforcement_of(&app, &om, person).await;
        let statuses: Vec<&str> = steps
            .iter()
            .map(|s| s["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["withdrawn", "completed"]);
    }

    /// `(action, status, contact_id)` of each step, in the order made.
    fn steps_by_contact(steps: &[Value]) -> Vec<(String, String, Value)> {
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

    fn owned(action: &str, status: &str, contact: &Value) -> (String, String, Value) {
        (action.to_owned(), status.to_owned(), contact.clone())
    }

    /// Corrects `contact` of `person` (an office visit) to `outcome`, as `user`; answers the 201 body.
    async fn correct(
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

    #[tokio::test]
    async fn an_absence_recorded_late_before_a_warned_one_makes_that_one_a_breach() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let later = record_absence(
            &app,
            &om,
            person,
            "2026-11-20T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        assert_eq!(later["enforcement"]["action"], "warning");

        // Recorded afterwards, but ten days earlier: it is the first, and the 20th the second.
        let earlier = record_absence(
            &app,
            &om,
            person,
            "2026-11-10T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        assert_eq!(earlier["enforcement"]["action"], "warning", "{earlier}");
        // Tuesday 10 November + 5 working days = Tuesday 17 November.
        assert_eq!(
            instant(&earlier["enforcement"]["due_by"]),
            at("2026-11-17T23:59:59Z")
        );

        let steps = enforcement_of(&app, &om, person).await;
        assert_eq!(
            steps_by_contact(&steps),
            [
                owned("warning", "withdrawn", &later["contact"]["id"]),
                owned("warning", "pending", &earlier["contact"]["id"]),
                owned("breach", "pending", &later["contact"]["id"]),
            ]
        );
        // The breach runs from the 20th: Friday 20 November + 10 working days = Friday 4 December.
        assert_eq!(instant(&steps[2]["due_by"]), at("2026-12-04T23:59:59Z"));
        assert_eq!(steps[0]["completed_by"], json!(om.id));
    }

    #[tokio::test]
    async fn a_warning_already_sent_stands_when_an_earlier_absence_makes_a_breach_due() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let later = record_absence(
            &app,
            &om,
            person,
            "2026-11-20T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        let path = format!(
            "/api/v1/enforcement/{}/complete",
            later["enforcement"]["id"].as_str().unwrap()
        );
        let (status, _) = app.send_json(Method::POST, &path, &om, json!({})).await;
        assert_eq!(status, 200);

        let earlier = record_absence(
            &app,
            &om,
            person,
            "2026-11-10T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        let steps = enforcement_of(&app, &om, person).await;
        assert_eq!(
            steps_by_contact(&steps),
            [
                owned("warning", "completed", &later["contact"]["id"]),
                owned("warning", "pending", &earlier["contact"]["id"]),
                owned("breach", "pending", &later["contact"]["id"]),
            ]
        );
    }

    #[tokio::test]
    async fn a_correction_that_keeps_the_absence_keeps_its_step() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let first = record_absence(
            &app,
            &om,
            person,
            "2026-11-16T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        let warning = first["enforcement"].clone();
        let path = format!(
            "/api/v1/enforcement/{}/complete",
            warning["id"].as_str().unwrap()
        );
        let (status, _) = app.send_json(Method::POST, &path, &om, json!({})).await;
        assert_eq!(status, 200);

        // Only the notes change: the warning already sent is this absence's, not a new one to send.
        let corrected = correct(
            &app,
            &om,
            person,
            &first["contact"],
            "unacceptable_absence",
            None,
        )
        .await;
        assert_eq!(corrected["enforcement"]["id"], warning["id"], "{corrected}");
        assert_eq!(corrected["enforcement"]["status"], "completed");
        let steps = enforcement_of(&app, &om, person).await;
        assert_eq!(
            steps_by_contact(&steps),
            [owned("warning", "completed", &corrected["contact"]["id"])]
        );

        // And a pending step goes with its absence too, still pending, its deadline unchanged.
        let second = record_absence(
            &app,
            &om,
            person,
            "2026-11-20T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        let breach = second["enforcement"].clone();
        assert_eq!(breach["action"], "breach");
        let corrected = correct(
            &app,
            &om,
            person,
            &second["contact"],
            "failed_to_attend",
            None,
        )
        .await;
        assert_eq!(corrected["enforcement"]["id"], breach["id"]);
        assert_eq!(corrected["enforcement"]["due_by"], breach["due_by"]);
        assert_eq!(enforcement_of(&app, &om, person).await.len(), 2);
    }

    #[tokio::test]
    async fn correcting_the_first_absence_away_makes_the_second_a_warning() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let first = record_absence(
            &app,
            &om,
            person,
            "2026-11-02T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        let second = record_absence(
            &app,
            &om,
            person,
            "2026-11-16T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        assert_eq!(second["enforcement"]["action"], "breach");

        let corrected = correct(
            &app,
            &om,
            person,
            &first["contact"],
            "acceptable_absence",
            Some("medical"),
        )
        .await;
        assert_eq!(corrected["enforcement"], Value::Null);
        // The appointment shows the corrected outcome.
        let (status, booked) = app
            .get_json(&format!("/api/v1/people/{person}/appointments"), &om)
            .await;
        assert_eq!(status, 200, "{booked}");
        let appointment = booked
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == first["contact"]["appointment_id"])
            .unwrap_or_else(|| panic!("{booked}"));
        assert_eq!(appointment["outcome"], "acceptable_absence_medical");
        // And the appointment's alteration is in the audit log.
        let admin = app.user("admin", None).await;
        let altered = app
            .audit(&admin, &format!("person_id={person}&action=alter"))
            .await;
        let appointments_altered: Vec<&Value> = altered["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|event| event["entity"] == "appointment")
            .collect();
        assert_eq!(appointments_altered.len(), 1, "{altered}");
        assert_eq!(appointments_altered[0]["entity_id"], appointment["id"]);
        let steps = enforcement_of(&app, &om, person).await;
        assert_eq!(
            steps_by_contact(&steps),
            [
                owned("warning", "withdrawn", &first["contact"]["id"]),
                owned("breach", "withdrawn", &second["contact"]["id"]),
                owned("warning", "pending", &second["contact"]["id"]),
            ]
        );
        // Monday 16 November + 5 working days = Monday 23 November.
        assert_eq!(instant(&steps[2]["due_by"]), at("2026-11-23T23:59:59Z"));
    }

    #[tokio::test]
    async fn two_absences_recorded_at_once_are_a_warning_and_a_breach() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        // Logged as contacts (a booking would lock the person anyway, for its clash check).
        let path = format!("/api/v1/people/{person}/contacts");
        let log = |occurred_at: &'static str| {
            app.send_json(
                Method::POST,
                &path,
                &om,
                json!({"type": "face_to_face_office", "occurred_at": occurred_at,
                       "status": "attempted", "outcome": "unacceptable_absence"}),
            )
        };
        let ((early_status, early), (late_status, late)) =
            tokio::join!(log("2026-11-10T10:00:00Z"), log("2026-11-20T10:00:00Z"));
        assert_eq!((early_status, late_status), (201, 201), "{early} {late}");
        let steps = enforcement_of(&app, &om, person).await;
        let standing: Vec<(String, String, Value)> = steps_by_contact(&steps)
            .into_iter()
            .filter(|(_, status, _)| status != "withdrawn")
            .collect();
        // Whichever was decided first, the second saw it: one warning, for the 10th, and one breach.
        for wanted in [
            owned("warning", "pending", &early["contact"]["id"]),
            owned("breach", "pending", &late["contact"]["id"]),
        ] {
            assert!(standing.contains(&wanted), "{wanted:?} in {steps:?}");
        }
        assert_eq!(standing.len(), 2, "{steps:?}");
    }

    /// Closes the step `step` as `user` with `status` (completed or cancelled).
    async fn close(app: &TestApp, user: &TestUser, step: &Value, status: &str) {
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

    #[tokio::test]
    async fn what_was_done_or_decided_about_an_absence_stands_through_later_corrections() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        // 20 Nov: a warning, sent. 10 Nov, recorded late: a warning, and the 20th becomes a breach.
        let later = record_absence(
            &app,
            &om,
            person,
            "2026-11-20T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        close(&app, &om, &later["enforcement"], "completed").await;
        let earlier = record_absence(
            &app,
            &om,
            person,
            "2026-11-10T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;

        // The officer decides against breach action for the 20th.
        let steps = enforcement_of(&app, &om, person).await;
        let breach = steps
            .iter()
            .find(|s| s["action"] == "breach")
            .unwrap()
            .clone();
        close(&app, &om, &breach, "cancelled").await;
        // A fixed note on the 10th keeps its absence: the cancelled breach is not made again.
        let fixed = correct(
            &app,
            &om,
            person,
            &earlier["contact"],
            "unacceptable_absence",
            None,
        )
        .await;
        assert_eq!(fixed["enforcement"]["action"], "warning", "{fixed}");
        let steps = enforcement_of(&app, &om, person).await;
        assert_eq!(
            steps_by_contact(&steps),
            [
                owned("warning", "completed", &later["contact"]["id"]),
                owned("warning", "pending", &fixed["contact"]["id"]),
                owned("breach", "cancelled", &later["contact"]["id"]),
            ]
        );

        // The 10th was excused after all: its warning is withdrawn, and the 20th, a first again, has had
        // its warning already: none is asked for twice.
        let excused = correct(
            &app,
            &om,
            person,
            &fixed["contact"],
            "acceptable_absence",
            Some("medical"),
        )
        .await;
        assert_eq!(excused["enforcement"], Value::Null);
        let steps = enforcement_of(&app, &om, person).await;
        assert_eq!(
            steps_by_contact(&steps),
            [
                owned("warning", "completed", &later["contact"]["id"]),
                owned("warning", "withdrawn", &fixed["contact"]["id"]),
                owned("breach", "cancelled", &later["contact"]["id"]),
            ]
        );
    }

    #[tokio::test]
    async fn a_step_an_officer_cancelled_goes_with_its_absence_when_corrected() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let absence = record_absence(
            &app,
            &om,
            person,
            "2026-11-16T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        close(&app, &om, &absence["enforcement"], "cancelled").await;
        let fixed = correct(
            &app,
            &om,
            person,
            &absence["contact"],
            "failed_to_attend",
            None,
        )
        .await;
        assert_eq!(fixed["enforcement"], Value::Null, "{fixed}");
        let steps = enforcement_of(&app, &om, person).await;
        assert_eq!(
            steps_by_contact(&steps),
            [owned("warning", "cancelled", &fixed["contact"]["id"])]
        );
    }

    #[tokio::test]
    async fn a_correction_of_a_correction_still_corrects_the_appointment() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let first = record_absence(
            &app,
            &om,
            person,
            "2026-11-16T10:00:00Z",
            "unacceptable_absence",
            None,
        )
        .await;
        let appointment_id = first["contact"]["appointment_id"].clone();
        let excused = correct(
            &app,
            &om,
            person,
            &first["contact"],
            "acceptable_absence",
            Some("medical"),
        )
        .await;
        // Linked to the appointment, though the correction did not name it.
        assert_eq!(excused["contact"]["appointment_id"], appointment_id);
        let again = correct(
            &app,
            &om,
            person,
            &excused["contact"],
            "failed_to_attend",
            None,
        )
        .await;
        assert_eq!(again["contact"]["appointment_id"], appointment_id);
        let (status, booked) = app
            .get_json(&format!("/api/v1/people/{person}/appointments"), &om)
            .await;
        assert_eq!(status, 200);
        assert_eq!(booked[0]["outcome"], "failed_to_attend", "{booked}");

        // What an office visit cannot have had, and a correction with no outcome at all, are refused.
        for body in [
            json!({"type": "face_to_face_office", "occurred_at": "2026-11-16T10:00:00Z",
                   "status": "attempted", "outcome": "not_at_home", "supersedes_id": again["contact"]["id"]}),
            json!({"type": "face_to_face_office", "occurred_at": "2026-11-16T10:00:00Z",
                   "status": "attempted", "supersedes_id": again["contact"]["id"]}),
        ] {
            let (status, problem) = app
                .send_json(
                    Method::POST,
                    &format!("/api/v1/people/{person}/contacts"),
                    &om,
                    body,
                )
                .await;
            assert_eq!(status, 422, "{problem}");
            assert_eq!(problem["errors"][0]["field"], "outcome", "{problem}");
        }
    }
}
