#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The caseload worklist end to end, for what its items come from beyond adoption and appointments: a
//! release from custody restarts the contact standards (first contact within 2 working days of release),
//! and a planned home visit is an item until its outcome is recorded.

use reqwest::Method;
use serde_json::{Value, json};
use vigil_e2e::appointments::{at, instant};
use vigil_e2e::caseload::{adopted_member, caseload, work};
use vigil_e2e::spawn_app_with;

/// Named `casework::…` so that `cargo test -p vigil-e2e casework` selects them.
mod casework {
    use super::*;

    #[tokio::test]
    async fn a_release_restarts_the_standards_and_a_planned_visit_is_an_item_until_made() {
        // Adopted on Thursday 22 October 2026 (tier A, catch & convict), then in custody from 2 November.
        let app = spawn_app_with(at("2026-10-22T10:00:00Z")).await;
        let coordinator = app.user("coordinator", None).await;
        let om = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        let person = adopted_member(&app, &coordinator, &om, &police, "Reid").await;

        // Released on Good Friday, 26 March 2027, two days before the clocks go forward.
        app.clock.set(at("2027-03-26T15:00:00Z"));
        let om = app.signed_in_again(&om).await;
        let police = app.signed_in_again(&police).await;
        let (status, period) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{person}/custody"),
                &om,
                json!({"received_at": "2026-11-02T09:00:00Z", "released_at": "2027-03-26T10:00:00Z"}),
            )
            .await;
        assert_eq!(status, 201, "{period}");

        // Nothing is overdue from before the sentence: the standards start again at the release. Face to
        // face within 2 working days: Easter Monday is a bank holiday too, so Tuesday 30 and Wednesday 31,
        // due by the end of Wednesday (BST by then). The month's home visit by the end of 25 April.
        let list = caseload(&app, &om, "/api/v1/caseload").await;
        let item = &list["items"][0];
        assert_eq!(item["overdue"], json!([]), "{item}");
        let first_contact = (
            "contact_standard".to_owned(),
            at("2027-03-31T22:59:59Z"),
            Value::Null,
        );
        let monthly_visit = (
            "contact_standard".to_owned(),
            at("2027-04-25T22:59:59Z"),
            Value::Null,
        );
        assert_eq!(
            work(&item["due"]),
            [first_contact.clone(), monthly_visit.clone()]
        );

        // An unannounced visit planned for Monday to Wednesday is an item, due at the window's end (before the
        // first contact's deadline, at the end of the same day).
        let (status, visit) = app
            .send_json(
                Method::POST,
                &format!("/api/v1/people/{person}/home-visits"),
                &police,
                json!({"window_start": "2027-03-29T08:00:00Z", "window_end": "2027-03-31T17:00:00Z",
                       "announced": false}),
            )
            .await;
        assert_eq!(status, 201, "{visit}");
        let list = caseload(&app, &om, "/api/v1/caseload").await;
        let item = &list["items"][0];
        let planned_visit = (
            "home_visit".to_owned(),
            at("2027-03-31T17:00:00Z"),
            visit["id"].clone(),
        );
        assert_eq!(
            work(&item["due"]),
            [planned_visit, first_contact, monthly_visit]
        );
        assert_eq!(item["due"][0]["description"], "unannounced home visit");

        // Made on Easter Monday morning: the visit leaves the worklist, and as a face-to-face contact and a home
        // visit it meets both standards for now.
        app.clock.set(at("2027-03-29T10:00:00Z"));
        let om = app.signed_in_again(&om).await;
        let police = app.signed_in_again(&police).await;
        let (status, made) = app
            .send_json(
                Method::POST,
                &format!(
                    "/api/v1/home-visits/{}/outcome",
                    visit["id"].as_str().unwrap()
                ),
                &police,
                json!({"outcome": "completed"}),
            )
            .await;
        assert_eq!(status, 200, "{made}");
        let list = caseload(&app, &om, "/api/v1/caseload").await;
        let item = &list["items"][0];
        assert_eq!(item["overdue"], json!([]), "{item}");
        assert_eq!(item["due"], json!([]), "{item}");
        assert_eq!(instant(&item["last_contact"]), at("2027-03-29T10:00:00Z"));
    }
}
