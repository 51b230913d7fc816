#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Appointments end to end: booking, clashes, after-the-fact records and outcomes. The reminders planned
//! with them are in `casework_reminders.rs`.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::appointments::*;
use vigil_e2e::spawn_app;
use vigil_persistence::repositories::notifications;

/// Named `casework::…` so that `cargo test -p vigil-e2e casework` selects them.
mod casework {
    use super::*;

    #[tokio::test]
    async fn booking_answers_the_appointment_and_lists_it() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;

        let body = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-11-25T10:00:00Z", "duration_minutes": 45,
                   "location": "  Room 4  "}),
        )
        .await;
        let booked = &body["appointment"];
        assert_eq!(booked["status"], "booked");
        assert_eq!(booked["type"], "office_visit");
        assert_eq!(instant(&booked["starts_at"]), at("2026-11-25T10:00:00Z"));
        assert_eq!(instant(&booked["ends_at"]), at("2026-11-25T10:45:00Z"));
        assert_eq!(booked["duration_minutes"], 45);
        assert_eq!(booked["location"], "Room 4");
        assert_eq!(booked["staff_id"], json!(om.id));
        assert_eq!(booked["remind"], true);
        assert_eq!(booked["version"], 1);
        assert!(body.get("recorded").is_none(), "{body}");

        let (status, list) = app
            .get_json(&format!("/api/v1/people/{person}/appointments"), &om)
            .await;
        assert_eq!(status, 200);
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["id"], booked["id"]);

        // The range is [from, to) on the start.
        let (status, list) = app
        .get_json(
            &format!(
                "/api/v1/people/{person}/appointments?from=2026-11-25T10:00:01Z&to=2026-12-01T00:00:00Z"
            ),
            &om,
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(list, json!([]));

        // Bad fields are listed.
        let (status, problem) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{person}/appointments"),
                &om,
                json!({"type": "picnic", "starts_at": "soon", "duration_minutes": 2}),
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
        assert_eq!(fields, ["duration_minutes", "starts_at", "type"]);
    }

    #[tokio::test]
    async fn clashes_with_the_person_or_the_staff_member_are_refused_but_back_to_back_is_fine() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let other_om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let second = app.person(&om, "Erin", "Cole").await;
        let path = |p: Uuid| format!("/api/v1/people/{p}/appointments");

        let first = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-11-25T10:00:00Z", "duration_minutes": 60}),
        )
        .await;
        let first_id = first["appointment"]["id"].as_str().unwrap().to_owned();

        // The same person with another officer, overlapping.
        let (status, problem) = app
        .send_json(
            Method::POST,
            &path(person),
            &om,
            json!({"type": "drug_test", "starts_at": "2026-11-25T10:30:00Z", "duration_minutes": 15,
                   "staff_id": other_om.id}),
        )
        .await;
        assert_eq!(status, 409, "{problem}");
        assert_eq!(problem["code"], "conflict");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(&first_id), "{detail}");
        assert!(detail.contains("this person"), "{detail}");

        // The same officer with a different person, overlapping.
        let (status, problem) = app
        .send_json(
            Method::POST,
            &path(second),
            &om,
            json!({"type": "office_visit", "starts_at": "2026-11-25T09:30:00Z", "duration_minutes": 31}),
        )
        .await;
        assert_eq!(status, 409, "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(detail.contains(&first_id), "{detail}");
        assert!(detail.contains("member of staff"), "{detail}");

        // Back to back on either side is not a clash: 09:00–10:00 and 11:00–11:30.
        app.book(
        &om,
        second,
        json!({"type": "office_visit", "starts_at": "2026-11-25T09:00:00Z", "duration_minutes": 60}),
    )
    .await;
        let call = app.book(
        &om,
        person,
        json!({"type": "telephone", "starts_at": "2026-11-25T11:00:00Z", "duration_minutes": 30}),
    )
    .await;

        // A cancelled appointment no longer blocks its slot.
        let (status, _) = app
            .send_json(
                Method::PATCH,
                &format!("/api/v1/appointments/{first_id}"),
                &om,
                json!({"status": "cancelled"}),
            )
            .await;
        assert_eq!(status, 200);
        app.book(
        &om,
        second,
        json!({"type": "office_visit", "starts_at": "2026-11-25T10:15:00Z", "duration_minutes": 30}),
    )
    .await;

        // Rescheduling into a clash is refused too.
        let moved = app
        .book(
            &om,
            person,
            json!({"type": "video", "starts_at": "2026-11-26T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
        let (status, problem) = app
            .send_json(
                Method::PATCH,
                &format!(
                    "/api/v1/appointments/{}",
                    moved["appointment"]["id"].as_str().unwrap()
                ),
                &om,
                json!({"starts_at": "2026-11-25T11:15:00Z"}),
            )
            .await;
        assert_eq!(status, 409, "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains(call["appointment"]["id"].as_str().unwrap()),
            "{detail}"
        );
        assert!(detail.contains("this person"), "{detail}");

        // Handing it to an officer who is busy then is refused as that officer's clash.
        let busy = app
            .book(
                &other_om,
                second,
                json!({"type": "office_visit", "starts_at": "2026-11-26T10:15:00Z", "duration_minutes": 30}),
            )
            .await;
        let (status, problem) = app
            .send_json(
                Method::PATCH,
                &format!(
                    "/api/v1/appointments/{}",
                    moved["appointment"]["id"].as_str().unwrap()
                ),
                &om,
                json!({"staff_id": other_om.id}),
            )
            .await;
        assert_eq!(status, 409, "{problem}");
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail.contains(busy["appointment"]["id"].as_str().unwrap()),
            "{detail}"
        );
        assert!(detail.contains("member of staff"), "{detail}");
        // Shortening it to end when the other begins is fine.
        let (status, changed) = app
            .send_json(
                Method::PATCH,
                &format!(
                    "/api/v1/appointments/{}",
                    moved["appointment"]["id"].as_str().unwrap()
                ),
                &om,
                json!({"staff_id": other_om.id, "duration_minutes": 15}),
            )
            .await;
        assert_eq!(status, 200, "{changed}");
        assert_eq!(changed["staff_id"], json!(other_om.id));
        assert_eq!(instant(&changed["ends_at"]), at("2026-11-26T10:15:00Z"));
    }

    /// A location goes into every reminder: trimmed, blank for none, and no longer than a text can carry.
    #[tokio::test]
    async fn a_location_is_trimmed_and_limited_on_booking_and_moving() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let path = format!("/api/v1/people/{person}/appointments");
        let too_long = "Room 4, ".repeat(26);
        let (status, problem) = app
            .send_json(
                Method::POST,
                &path,
                &om,
                json!({"type": "office_visit", "starts_at": "2026-11-25T10:00:00Z",
                       "duration_minutes": 30, "location": too_long}),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "location");
        assert_eq!(app.get_json(&path, &om).await.1, json!([]));

        let booked = app
            .book(
                &om,
                person,
                json!({"type": "office_visit", "starts_at": "2026-11-25T10:00:00Z",
                       "duration_minutes": 30, "location": "Room 4"}),
            )
            .await;
        let appointment = format!(
            "/api/v1/appointments/{}",
            booked["appointment"]["id"].as_str().unwrap()
        );
        let (status, problem) = app
            .send_json(
                Method::PATCH,
                &appointment,
                &om,
                json!({"location": too_long}),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "location");
        let (status, moved) = app
            .send_json(
                Method::PATCH,
                &appointment,
                &om,
                json!({"location": "  Room 9 "}),
            )
            .await;
        assert_eq!(status, 200, "{moved}");
        assert_eq!(moved["location"], "Room 9");
        let (status, cleared) = app
            .send_json(Method::PATCH, &appointment, &om, json!({"location": "   "}))
            .await;
        assert_eq!(status, 200, "{cleared}");
        assert_eq!(cleared["location"], Value::Null);
    }

    /// Bookings sent at once for the same person and time: one is booked, the others see it and are
    /// refused. (On PostgreSQL each booking locks the person and the officer before it checks.)
    #[tokio::test]
    async fn simultaneous_bookings_of_the_same_slot_book_it_once() {
        let app = spawn_app().await;
        let person = app
            .person(&app.user("offender_manager", None).await, "Dylan", "Hart")
            .await;
        let mut officers = Vec::new();
        for _ in 0..6 {
            officers.push(app.user("offender_manager", None).await);
        }
        let path = format!("/api/v1/people/{person}/appointments");
        let answers = futures::future::join_all(officers.iter().map(|om| {
            app.send_json(
                Method::POST,
                &path,
                om,
                json!({"type": "office_visit", "starts_at": "2026-11-25T10:00:00Z", "duration_minutes": 60}),
            )
        }))
        .await;
        let mut statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409, 409, 409, 409, 409], "{answers:?}");
        let (status, booked) = app.get_json(&path, &officers[0]).await;
        assert_eq!(status, 200, "{booked}");
        assert_eq!(booked.as_array().unwrap().len(), 1, "{booked}");
        // The refused bookings left no reminder or send job behind: the booking's own two (48 and 2 hours
        // before, by SMS), each with one job.
        let booked_id = id_of(&booked[0]["id"]);
        let reminders = app.notifications_of(person).await;
        assert_eq!(reminders.len(), 2, "{reminders:?}");
        assert!(
            reminders
                .iter()
                .all(|n| n.appointment_id == Some(booked_id)),
            "{reminders:?}"
        );
        assert_jobs_match_pending(&app, &pending(&reminders)).await;
        assert_eq!(send_jobs(&app).await.len(), 2);
    }

    #[tokio::test]
    async fn a_past_start_needs_an_outcome_and_then_records_a_contact() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let path = format!("/api/v1/people/{person}/appointments");

        let (status, problem) = app
        .send_json(
            Method::POST,
            &path,
            &om,
            json!({"type": "office_visit", "starts_at": "2026-11-20T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "starts_at");

        // An outcome for a future appointment is refused.
        let (status, problem) = app
        .send_json(
            Method::POST,
            &path,
            &om,
            json!({"type": "office_visit", "starts_at": "2026-11-30T10:00:00Z", "duration_minutes": 30,
                   "outcome": "attended_complied"}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "outcome");

        // Recorded after the fact, but more than a year back: a slip of the year, refused.
        let (status, problem) = app
            .send_json(
                Method::POST,
                &path,
                &om,
                json!({"type": "office_visit", "starts_at": "2025-11-20T10:00:00Z", "duration_minutes": 30,
                       "outcome": "unacceptable_absence"}),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "starts_at");
        assert_eq!(app.get_json(&path, &om).await.1, json!([]));

        let body = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-11-20T10:00:00Z", "duration_minutes": 30,
                   "outcome": "attended_complied", "notes": "seen, all fine"}),
        )
        .await;
        let appointment = &body["appointment"];
        assert_eq!(appointment["status"], "outcomed");
        assert_eq!(appointment["outcome"], "attended_complied");
        assert_eq!(appointment["remind"], false);
        let contact = &body["recorded"]["contact"];
        assert_eq!(contact["type"], "face_to_face_office");
        assert_eq!(contact["status"], "completed");
        assert_eq!(contact["outcome"], "attended_complied");
        assert_eq!(contact["notes"], "seen, all fine");
        assert_eq!(contact["appointment_id"], appointment["id"]);
        assert_eq!(contact["staff_id"], json!(om.id));
        assert_eq!(instant(&contact["occurred_at"]), at("2026-11-20T10:00:00Z"));
        assert_eq!(body["recorded"]["enforcement"], Value::Null);

        let (status, contacts) = app
            .get_json(&format!("/api/v1/people/{person}/contacts"), &om)
            .await;
        assert_eq!(status, 200);
        assert_eq!(contacts.as_array().unwrap().len(), 1);
        assert_eq!(contacts[0]["id"], contact["id"]);
        // Nothing to remind anyone of.
        assert!(
            notifications::for_person(app.db(), person)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(send_jobs(&app).await.is_empty());
    }

    #[tokio::test]
    async fn outcome_closes_the_appointment_and_withdraws_its_reminders() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let body = app
        .book(
            &om,
            person,
            json!({"type": "office_visit", "starts_at": "2026-11-25T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
        let id = id_of(&body["appointment"]["id"]);
        let path = format!("/api/v1/appointments/{id}/outcome");

        // Before the start: refused.
        let (status, problem) = app
            .send_json(
                Method::POST,
                &path,
                &om,
                json!({"outcome": "attended_complied"}),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "outcome");

        app.clock.set(at("2026-11-25T09:59:00Z"));
        let om = app.signed_in_again(&om).await;
        let police = app.signed_in_again(&police).await;
        // Still before the start at 09:59; at 10:05 it has started.
        let (status, _) = app
            .send_json(
                Method::POST,
                &path,
                &om,
                json!({"outcome": "attended_complied"}),
            )
            .await;
        assert_eq!(status, 422);
        app.clock.set(at("2026-11-25T10:05:00Z"));

        // Police may not record appointment outcomes.
        let (status, _) = app
            .send_json(
                Method::POST,
                &path,
                &police,
                json!({"outcome": "attended_complied"}),
            )
            .await;
        assert_eq!(status, 403);

        // An acceptable absence without a reason names the reason.
        let (status, problem) = app
            .send_json(
                Method::POST,
                &path,
                &om,
                json!({"outcome": "acceptable_absence"}),
            )
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "reason");
        // Home-visit-only outcomes are refused for an office visit.
        let (status, problem) = app
            .send_json(Method::POST, &path, &om, json!({"outcome": "not_at_home"}))
            .await;
        assert_eq!(status, 422, "{problem}");

        let (status, result) = app
            .send_json(
                Method::POST,
                &path,
                &om,
                json!({"outcome": "attended_complied", "notes": "on time"}),
            )
            .await;
        assert_eq!(status, 200, "{result}");
        assert_eq!(result["contact"]["status"], "completed");
        assert_eq!(result["contact"]["outcome"], "attended_complied");
        assert_eq!(
            instant(&result["contact"]["occurred_at"]),
            at("2026-11-25T10:00:00Z")
        );
        assert_eq!(result["enforcement"], Value::Null);

        let all = reminders_of(&app, person, id).await;
        assert_eq!(all.len(), 2);
        assert!(all.iter().all(
            |n| n.status == "suppressed" && n.reason.as_deref() == Some("appointment_outcomed")
        ));
        assert!(send_jobs(&app).await.is_empty());

        let (_, list) = app
            .get_json(&format!("/api/v1/people/{person}/appointments"), &om)
            .await;
        assert_eq!(list[0]["status"], "outcomed");
        assert_eq!(list[0]["outcome"], "attended_complied");

        // Twice: conflict.
        let (status, problem) = app
            .send_json(
                Method::POST,
                &path,
                &om,
                json!({"outcome": "failed_to_attend"}),
            )
            .await;
        assert_eq!(status, 409, "{problem}");
        // An unknown appointment: 404.
        let (status, _) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/appointments/{}/outcome", Uuid::new_v4()),
                &om,
                json!({"outcome": "attended_complied"}),
            )
            .await;
        assert_eq!(status, 404);
    }
}
