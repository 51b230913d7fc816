#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Contacts end to end: logging, corrections that supersede (both kept), sensitive contacts hidden from
//! the police, and field errors.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::contacts::{list, log};
use vigil_e2e::spawn_app;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .unwrap_or_else(|| panic!("not an instant: {v}"))
        .parse()
        .unwrap()
}

/// Named `casework::…` so that `cargo test -p vigil-e2e casework` selects them.
mod casework {
    use super::*;

    #[tokio::test]
    async fn contacts_of_each_status_are_logged_and_listed_newest_first() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;

        let (status, completed) = log(
            &app,
            &om,
            person,
            json!({"type": "face_to_face_office", "occurred_at": "2026-11-20T10:00:00Z",
               "status": "completed", "notes": "  weekly check-in  "}),
        )
        .await;
        assert_eq!(status, 201, "{completed}");
        let c = &completed["contact"];
        assert_eq!(c["type"], "face_to_face_office");
        assert_eq!(c["status"], "completed");
        assert_eq!(c["notes"], "weekly check-in");
        assert_eq!(c["outcome"], Value::Null);
        assert_eq!(c["sensitive"], false);
        assert_eq!(c["staff_id"], json!(om.id));
        assert_eq!(c["superseded_by"], Value::Null);
        assert_eq!(instant(&c["occurred_at"]), at("2026-11-20T10:00:00Z"));
        assert_eq!(instant(&c["recorded_at"]), at("2026-11-23T09:00:00Z"));
        assert_eq!(completed["enforcement"], Value::Null);

        // Police may log contacts too (a phone call nobody answered).
        let (status, attempted) = log(
        &app,
        &police,
        person,
        json!({"type": "telephone", "occurred_at": "2026-11-22T18:00:00Z", "status": "attempted"}),
    )
    .await;
        assert_eq!(status, 201, "{attempted}");
        assert_eq!(attempted["contact"]["status"], "attempted");
        assert_eq!(attempted["contact"]["staff_id"], json!(police.id));

        let contacts = list(&app, &om, person).await;
        let ids: Vec<&Value> = contacts.iter().map(|c| &c["id"]).collect();
        assert_eq!(ids, [&attempted["contact"]["id"], &c["id"]]);
    }

    #[tokio::test]
    async fn every_contact_type_is_logged_and_listed() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let types = vigil_domain::ContactType::ALL;
        assert_eq!(types.len(), 8);
        // One an hour, so the list's order (newest first) is the reverse of this one.
        for (hour, contact_type) in (0u32..).zip(types) {
            let occurred_at = format!("2026-11-20T{:02}:00:00Z", 8 + hour);
            let (status, logged) = log(
                &app,
                &om,
                person,
                json!({"type": contact_type.as_str(), "occurred_at": occurred_at,
                       "status": "completed", "notes": format!("by {}", contact_type.as_str())}),
            )
            .await;
            assert_eq!(status, 201, "{contact_type:?}: {logged}");
            assert_eq!(logged["contact"]["type"], contact_type.as_str());
        }
        let listed: Vec<(String, String)> = list(&app, &om, person)
            .await
            .iter()
            .map(|c| {
                (
                    c["type"].as_str().unwrap().to_owned(),
                    c["notes"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = types
            .iter()
            .rev()
            .map(|t| (t.as_str().to_owned(), format!("by {}", t.as_str())))
            .collect();
        assert_eq!(listed, expected);
    }

    #[tokio::test]
    async fn a_correction_supersedes_and_both_are_kept() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let (_, original) = log(
        &app,
        &om,
        person,
        json!({"type": "telephone", "occurred_at": "2026-11-20T10:00:00Z", "status": "completed",
               "notes": "spoke to him"}),
    )
    .await;
        let original_id = original["contact"]["id"].clone();

        app.advance(chrono::Duration::minutes(5));
        let (status, correction) = log(
            &app,
            &om,
            person,
            json!({"type": "video", "occurred_at": "2026-11-20T10:00:00Z", "status": "completed",
               "notes": "it was a video call", "supersedes_id": original_id}),
        )
        .await;
        assert_eq!(status, 201, "{correction}");
        assert_eq!(correction["contact"]["supersedes_id"], original_id);
        let correction_id = correction["contact"]["id"].clone();

        let contacts = list(&app, &om, person).await;
        assert_eq!(contacts.len(), 2);
        let old = contacts.iter().find(|c| c["id"] == original_id).unwrap();
        let new = contacts.iter().find(|c| c["id"] == correction_id).unwrap();
        assert_eq!(old["superseded_by"], correction_id);
        assert_eq!(old["type"], "telephone");
        assert_eq!(old["notes"], "spoke to him");
        assert_eq!(new["superseded_by"], Value::Null);
        assert_eq!(new["type"], "video");

        // Superseding the old one again: correct the latest version instead.
        let (status, problem) = log(
            &app,
            &om,
            person,
            json!({"type": "letter", "occurred_at": "2026-11-20T10:00:00Z", "status": "completed",
               "supersedes_id": original_id}),
        )
        .await;
        assert_eq!(status, 409, "{problem}");
        assert_eq!(list(&app, &om, person).await.len(), 2);

        // Correcting the correction is fine.
        let (status, third) = log(
            &app,
            &om,
            person,
            json!({"type": "video", "occurred_at": "2026-11-20T10:30:00Z", "status": "completed",
               "supersedes_id": correction_id}),
        )
        .await;
        assert_eq!(status, 201, "{third}");
        let contacts = list(&app, &om, person).await;
        let middle = contacts.iter().find(|c| c["id"] == correction_id).unwrap();
        assert_eq!(middle["superseded_by"], third["contact"]["id"]);

        // Another person's contact cannot be superseded from here.
        let other = app.person(&om, "Erin", "Cole").await;
        let (status, problem) = log(
            &app,
            &om,
            other,
            json!({"type": "video", "occurred_at": "2026-11-20T10:00:00Z", "status": "completed",
               "supersedes_id": third["contact"]["id"]}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "supersedes_id");
    }

    #[tokio::test]
    async fn the_status_must_agree_with_the_outcome() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        // A "completed" absence would meet a contact standard and start enforcement at once.
        for (status, outcome, expected) in [
            ("completed", "failed_to_attend", "attempted"),
            ("completed", "not_at_home", "attempted"),
            ("attempted", "attended_complied", "completed"),
        ] {
            let (code, problem) = log(
                &app,
                &om,
                person,
                json!({"type": "face_to_face_office", "occurred_at": "2026-11-20T10:00:00Z",
                       "status": status, "outcome": outcome}),
            )
            .await;
            assert_eq!(code, 422, "{status} with {outcome}: {problem}");
            assert_eq!(problem["errors"][0]["field"], "status", "{problem}");
            assert!(
                problem["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains(expected),
                "{problem}"
            );
        }
        assert!(list(&app, &om, person).await.is_empty());
        for (status, outcome) in [
            ("attempted", "failed_to_attend"),
            ("completed", "attended_failed_to_comply"),
        ] {
            let (code, body) = log(
                &app,
                &om,
                person,
                json!({"type": "face_to_face_office", "occurred_at": "2026-11-20T10:00:00Z",
                       "status": status, "outcome": outcome}),
            )
            .await;
            assert_eq!(code, 201, "{status} with {outcome}: {body}");
        }
    }

    /// A correction of an absence that counts withdraws its warning or breach: only roles that manage
    /// enforcement may make it. And a contact hidden from a role cannot be corrected by it either.
    #[tokio::test]
    async fn the_police_may_not_correct_away_an_absence_or_a_hidden_contact() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let (_, absence) = log(
            &app,
            &om,
            person,
            json!({"type": "face_to_face_office", "occurred_at": "2026-11-20T10:00:00Z",
                   "status": "attempted", "outcome": "unacceptable_absence"}),
        )
        .await;
        assert_eq!(absence["enforcement"]["action"], "warning", "{absence}");
        let excuse = json!({"type": "face_to_face_office", "occurred_at": "2026-11-20T10:00:00Z",
            "status": "attempted", "outcome": "acceptable_absence", "reason": "medical",
            "supersedes_id": absence["contact"]["id"]});

        let (status, problem) = log(&app, &police, person, excuse.clone()).await;
        assert_eq!(status, 403, "{problem}");
        let enforcement = format!("/api/v1/people/{person}/enforcement");
        let (_, steps) = app.get_json(&enforcement, &om).await;
        assert_eq!(steps[0]["status"], "pending", "{steps}");
        assert_eq!(list(&app, &om, person).await.len(), 1);

        let (status, corrected) = log(&app, &om, person, excuse).await;
        assert_eq!(status, 201, "{corrected}");
        let (_, steps) = app.get_json(&enforcement, &om).await;
        assert_eq!(steps[0]["status"], "withdrawn", "{steps}");

        // A sensitive contact is not there for the police to correct.
        let (_, sensitive) = log(
            &app,
            &om,
            person,
            json!({"type": "telephone", "occurred_at": "2026-11-21T10:00:00Z", "status": "completed",
                   "notes": "health disclosure", "sensitive": true}),
        )
        .await;
        let (status, problem) = log(
            &app,
            &police,
            person,
            json!({"type": "telephone", "occurred_at": "2026-11-21T10:00:00Z", "status": "attempted",
                   "supersedes_id": sensitive["contact"]["id"]}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "supersedes_id");
        // A plain contact the police may correct.
        let (_, call) = log(
            &app,
            &police,
            person,
            json!({"type": "telephone", "occurred_at": "2026-11-21T11:00:00Z", "status": "completed"}),
        )
        .await;
        let (status, body) = log(
            &app,
            &police,
            person,
            json!({"type": "telephone", "occurred_at": "2026-11-21T11:00:00Z", "status": "attempted",
                   "supersedes_id": call["contact"]["id"]}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }

    #[tokio::test]
    async fn sensitive_contacts_are_hidden_from_the_police() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let coordinator = app.user("coordinator", None).await;
        let police = app.user("police", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;

        let (_, open) = log(
            &app,
            &om,
            person,
            json!({"type": "face_to_face_office", "occurred_at": "2026-11-20T10:00:00Z",
               "status": "completed", "notes": "general progress"}),
        )
        .await;
        let (status, sensitive) = log(
        &app,
        &om,
        person,
        json!({"type": "telephone", "occurred_at": "2026-11-21T10:00:00Z", "status": "completed",
               "notes": "health disclosure", "sensitive": true}),
    )
    .await;
        assert_eq!(status, 201, "{sensitive}");
        assert_eq!(sensitive["contact"]["sensitive"], true);

        let seen_by_police = list(&app, &police, person).await;
        assert_eq!(seen_by_police.len(), 1);
        assert_eq!(seen_by_police[0]["id"], open["contact"]["id"]);
        assert!(
            !serde_json::to_string(&seen_by_police)
                .unwrap()
                .contains("health disclosure")
        );

        for user in [&om, &coordinator] {
            let seen = list(&app, user, person).await;
            assert_eq!(seen.len(), 2);
            assert_eq!(seen[0]["id"], sensitive["contact"]["id"]);
            assert_eq!(seen[0]["notes"], "health disclosure");
        }

        // The police may not record a sensitive contact; partners may not read contacts at all.
        let (status, problem) = log(
        &app,
        &police,
        person,
        json!({"type": "telephone", "occurred_at": "2026-11-21T11:00:00Z", "status": "completed",
               "sensitive": true}),
    )
    .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "sensitive");
        let agency = app.agency("Shelter Housing", "housing").await;
        let partner = app.user("partner", Some(agency)).await;
        let (status, _) = app
            .get_json(&format!("/api/v1/people/{person}/contacts"), &partner)
            .await;
        assert_eq!(status, 403);
    }

    #[tokio::test]
    async fn bad_fields_are_listed() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;

        let (status, problem) = log(
            &app,
            &om,
            person,
            json!({"type": "carrier_pigeon", "occurred_at": "yesterday", "status": "done",
               "outcome": "went_fishing"}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["code"], "validation_failed");
        let mut fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        fields.sort_unstable();
        assert_eq!(fields, ["occurred_at", "outcome", "status", "type"]);

        // In the future, or naming an appointment or a visit that is not this person's.
        let (status, problem) = log(
        &app,
        &om,
        person,
        json!({"type": "telephone", "occurred_at": "2026-11-23T09:00:01Z", "status": "completed",
               "appointment_id": Uuid::new_v4(), "home_visit_id": Uuid::new_v4()}),
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
        assert_eq!(fields, ["appointment_id", "home_visit_id", "occurred_at"]);

        // An unknown field is refused rather than ignored; a missing one too.
        let (status, _) = log(
        &app,
        &om,
        person,
        json!({"type": "telephone", "occurred_at": "2026-11-20T09:00:00Z", "status": "completed",
               "mood": "cheerful"}),
    )
    .await;
        assert_eq!(status, 422);
        let (status, problem) = log(&app, &om, person, json!({"type": "telephone"})).await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "occurred_at");
        // An unknown person: 404.
        let (status, _) = log(
        &app,
        &om,
        Uuid::new_v4(),
        json!({"type": "telephone", "occurred_at": "2026-11-20T09:00:00Z", "status": "completed"}),
    )
    .await;
        assert_eq!(status, 404);
        assert!(list(&app, &om, person).await.is_empty());

        // More than a year back (a slip of the year): refused; a year back to the day is fine.
        for (occurred_at, expected) in [
            ("1026-11-20T10:00:00Z", 422),
            ("2025-11-21T09:00:00Z", 422),
            ("2025-11-23T09:00:00Z", 201),
        ] {
            let (status, answer) = log(
                &app,
                &om,
                person,
                json!({"type": "telephone", "occurred_at": occurred_at, "status": "completed"}),
            )
            .await;
            assert_eq!(status, expected, "{occurred_at}: {answer}");
            if expected == 422 {
                assert_eq!(answer["errors"][0]["field"], "occurred_at", "{answer}");
            }
        }
        assert_eq!(list(&app, &om, person).await.len(), 1);

        // A month on, that contact is over a year old: a correction may keep its time, not go further back.
        let year_ago = list(&app, &om, person).await[0]["id"].clone();
        app.advance(chrono::Duration::days(30));
        let om = app.signed_in_again(&om).await;
        for (occurred_at, expected) in
            [("1025-11-23T09:00:00Z", 422), ("2025-11-23T09:00:00Z", 201)]
        {
            let (status, answer) = log(
                &app,
                &om,
                person,
                json!({"type": "telephone", "occurred_at": occurred_at, "status": "completed",
                       "notes": "corrected", "supersedes_id": year_ago}),
            )
            .await;
            assert_eq!(status, expected, "{occurred_at}: {answer}");
        }
    }
}
