#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Enforcement when absences are recorded out of order, corrected, or logged at the same moment: the
//! person's steps are brought into line with the rule, and what was done or decided by an officer stands.

use reqwest::Method;
use serde_json::{Value, json};
use vigil_e2e::appointments::{at, instant};
use vigil_e2e::enforcement::{
    close, correct, enforcement_of, owned, record_absence, steps_by_contact,
};
use vigil_e2e::spawn_app;

/// Named `casework::…` so that `cargo test -p vigil-e2e casework` selects them.
mod casework {
    use super::*;

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
