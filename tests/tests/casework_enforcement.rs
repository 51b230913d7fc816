#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Enforcement end to end: warnings after a first counting absence, breach action after a second within
//! twelve months, working-day deadlines (weekends, Christmas 2026 bank holidays), completion, and a
//! correction that withdraws a pending step. Absences recorded out of order, and corrections of them, are
//! in `casework_enforcement_corrections.rs`.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::appointments::{at, instant};
use vigil_e2e::enforcement::{enforcement_of, record_absence};
use vigil_e2e::{spawn_app, spawn_app_with};

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
        // Each absence is recorded the day after it (a record more than a year late is refused).
        let app = spawn_app_with(at("2025-10-14T09:00:00Z")).await;
        let om = app.user("offender_manager", None).await;

        // 13 months apart: a warning again. Mon 16 Nov 2026 + 5 working days = Mon 23 Nov.
        let person = app.person(&om, "Dylan", "Hart").await;
        let other = app.person(&om, "Erin", "Cole").await;
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
        // For the second case below: an absence on Sunday 16 November 2025.
        app.clock.set(at("2025-11-17T09:00:00Z"));
        let om = app.signed_in_again(&om).await;
        record_absence(
            &app,
            &om,
            other,
            "2025-11-16T10:00:00Z",
            "failed_to_attend",
            None,
        )
        .await;

        app.clock.set(at("2026-11-23T09:00:00Z"));
        let om = app.signed_in_again(&om).await;
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
}
