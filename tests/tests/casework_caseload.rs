#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The caseload worklist end to end: order (overdue first), contents (next appointment, last contact,
//! unrecorded outcomes, enforcement deadlines, contact standards), filters and who may read whose. A first
//! contact made long ago, and a partnership's own rules, are in `casework_caseload_rules.rs`.

use reqwest::Method;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::appointments::{at, instant};
use vigil_e2e::caseload::{adopted_member, caseload, person_ids, work};
use vigil_e2e::cohort::problem_fields;
use vigil_e2e::{spawn_app, spawn_app_with};

/// Named `casework::…` so that `cargo test -p vigil-e2e casework` selects them.
mod casework {
    use super::*;

    #[tokio::test]
    async fn overdue_people_come_first_with_what_is_due_and_when() {
        let app = spawn_app().await;
        let coordinator = app.user("coordinator", None).await;
        let om = app.user("offender_manager", None).await;
        let someone_else = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        // Archer sorts first by name; Young has something overdue and must come first anyway.
        let archer = app.person(&om, "Amy", "Archer").await;
        let young = app.person(&om, "Zed", "Young").await;
        let elsewhere = app.person(&om, "Noel", "Marsh").await;
        app.allocate(&coordinator, archer, om.id, "offender_manager")
            .await;
        app.allocate(&coordinator, young, om.id, "offender_manager")
            .await;
        app.allocate(&coordinator, elsewhere, someone_else.id, "offender_manager")
            .await;

        // Young: an office visit 09:30–10:00 today whose outcome is never recorded.
        let missed = app
        .book(
            &om,
            young,
            json!({"type": "office_visit", "starts_at": "2026-11-23T09:30:00Z", "duration_minutes": 30}),
        )
        .await;
        // Archer: a visit on Wednesday, a completed phone call on Sunday, an unacceptable absence on
        // Friday (warning due by the end of Friday 27 November).
        let upcoming = app
        .book(
            &om,
            archer,
            json!({"type": "office_visit", "starts_at": "2026-11-25T10:00:00Z", "duration_minutes": 30}),
        )
        .await;
        let (status, _) = app
        .send_json(
            Method::POST,
            &format!("/api/v1/people/{archer}/contacts"),
            &om,
            json!({"type": "telephone", "occurred_at": "2026-11-22T12:00:00Z", "status": "completed"}),
        )
        .await;
        assert_eq!(status, 201);
        let absence = app
        .book(
            &om,
            archer,
            json!({"type": "office_visit", "starts_at": "2026-11-20T10:00:00Z", "duration_minutes": 30,
                   "outcome": "unacceptable_absence"}),
        )
        .await;
        let warning_id = absence["recorded"]["enforcement"]["id"].clone();

        // At 09:45 the visit is under way: nothing overdue yet, and it is not the "next" appointment.
        app.clock.set(at("2026-11-23T09:45:00Z"));
        let om = app.signed_in_again(&om).await;
        let list = caseload(&app, &om, "/api/v1/caseload").await;
        assert_eq!(list["staff_id"], json!(om.id));
        assert_eq!(person_ids(&list), [json!(archer), json!(young)]);
        let young_item = &list["items"][1];
        assert_eq!(young_item["overdue"], json!([]));
        assert_eq!(young_item["due"], json!([]));
        assert_eq!(young_item["next_appointment"], Value::Null);

        // At 10:30 it has ended without an outcome: overdue, so Young comes first.
        app.clock.set(at("2026-11-23T10:30:00Z"));
        let om = app.signed_in_again(&om).await;
        let coordinator = app.signed_in_again(&coordinator).await;
        let list = caseload(&app, &om, "/api/v1/caseload").await;
        assert_eq!(person_ids(&list), [json!(young), json!(archer)]);

        let first = &list["items"][0];
        assert_eq!(first["person"]["family_name"], "Young");
        assert_eq!(first["allocation_role"], "offender_manager");
        assert_eq!(
            work(&first["overdue"]),
            [(
                "appointment_outcome".to_owned(),
                at("2026-11-23T10:00:00Z"),
                missed["appointment"]["id"].clone()
            )]
        );
        assert_eq!(first["due"], json!([]));
        assert_eq!(first["next_appointment"], Value::Null);
        assert_eq!(first["last_contact"], Value::Null);
        assert_eq!(first["strand"], Value::Null);

        let second = &list["items"][1];
        assert_eq!(second["overdue"], json!([]));
        assert_eq!(
            work(&second["due"]),
            [(
                "enforcement".to_owned(),
                at("2026-11-27T23:59:59Z"),
                warning_id.clone()
            )]
        );
        assert_eq!(
            second["next_appointment"]["id"],
            upcoming["appointment"]["id"]
        );
        assert_eq!(second["next_appointment"]["type"], "office_visit");
        assert_eq!(
            instant(&second["next_appointment"]["starts_at"]),
            at("2026-11-25T10:00:00Z")
        );
        // The last *completed* contact: the phone call, not the later-recorded absence.
        assert_eq!(instant(&second["last_contact"]), at("2026-11-22T12:00:00Z"));

        // Only the overdue.
        let list = caseload(&app, &om, "/api/v1/caseload?overdue_only=true").await;
        assert_eq!(person_ids(&list), [json!(young)]);

        // A coordinator reads this officer's caseload; the officer may not read anyone's by id.
        let list = caseload(
            &app,
            &coordinator,
            &format!("/api/v1/staff/{}/caseload", om.id),
        )
        .await;
        assert_eq!(list["staff_id"], json!(om.id));
        assert_eq!(person_ids(&list), [json!(young), json!(archer)]);
        let list = caseload(
            &app,
            &coordinator,
            &format!("/api/v1/staff/{}/caseload", someone_else.id),
        )
        .await;
        assert_eq!(person_ids(&list), [json!(elsewhere)]);
        let (status, _) = app
            .get_json(&format!("/api/v1/staff/{}/caseload", om.id), &om)
            .await;
        assert_eq!(status, 403);
        let police = app.signed_in_again(&police).await;
        let (status, _) = app
            .get_json(&format!("/api/v1/staff/{}/caseload", om.id), &police)
            .await;
        assert_eq!(status, 403);
        // The police officer has no allocations: an empty list, not an error.
        let list = caseload(&app, &police, "/api/v1/caseload").await;
        assert_eq!(list["items"], json!([]));

        // Recording the outcome and completing the warning clears both items.
        let (status, _) = app
            .send_json(
                Method::POST,
                &format!(
                    "/api/v1/appointments/{}/outcome",
                    missed["appointment"]["id"].as_str().unwrap()
                ),
                &om,
                json!({"outcome": "attended_complied"}),
            )
            .await;
        assert_eq!(status, 200);
        let (status, _) = app
            .send_json(
                Method::POST,
                &format!(
                    "/api/v1/enforcement/{}/complete",
                    warning_id.as_str().unwrap()
                ),
                &om,
                json!({}),
            )
            .await;
        assert_eq!(status, 200);
        let list = caseload(&app, &om, "/api/v1/caseload").await;
        let young_item = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["person"]["id"] == json!(young))
            .unwrap();
        assert_eq!(young_item["overdue"], json!([]));
        assert_eq!(
            instant(&young_item["last_contact"]),
            at("2026-11-23T09:30:00Z")
        );
        let archer_item = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["person"]["id"] == json!(archer))
            .unwrap();
        assert_eq!(archer_item["due"], json!([]));
        let list = caseload(&app, &om, "/api/v1/caseload?overdue_only=true").await;
        assert_eq!(list["items"], json!([]));
    }

    #[tokio::test]
    async fn a_worklist_line_shows_the_person_as_a_search_lists_them() {
        // The worklist reads only the summary columns; they must say what the whole record says.
        let app = spawn_app().await;
        let coordinator = app.user("coordinator", None).await;
        let om = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        let person = app
            .person_with(
                &om,
                "Nia",
                "Quayle",
                json!({"date_of_birth": "1988-02-29", "pnc_id": "03/12345n", "crn": "x123456",
                       "tier": "b", "rosh": "very_high"}),
            )
            .await;
        app.adopt(
            &coordinator,
            person,
            "rehabilitate_resettle",
            police.id,
            om.id,
        )
        .await;
        app.allocate(&coordinator, person, om.id, "support_officer")
            .await;
        let om = app.signed_in_again(&om).await;

        let list = caseload(&app, &om, "/api/v1/caseload").await;
        let item = &list["items"][0];
        assert_eq!(
            item["person"],
            json!({"id": person, "given_name": "Nia", "family_name": "Quayle",
                   "date_of_birth": "1988-02-29", "pnc_id": "2003/0012345N", "crn": "X123456",
                   "status": "adopted", "strand": "rehabilitate_resettle", "tier": "B",
                   "rosh": "very_high"})
        );
        assert_eq!(item["allocation_role"], "support_officer");
        assert_eq!(
            (&item["strand"], &item["tier"]),
            (&json!("rehabilitate_resettle"), &json!("B"))
        );

        let (status, found) = app.get_json("/api/v1/people?q=quayle", &om).await;
        assert_eq!(status, 200, "{found}");
        assert_eq!(found["items"][0], item["person"], "the search's summary");
    }

    #[tokio::test]
    async fn first_contact_after_adoption_is_due_in_two_working_days_across_the_clock_change() {
        // Thursday 22 October 2026 (BST). Clocks go back on Sunday 25 October.
        let app = spawn_app_with(at("2026-10-22T10:00:00Z")).await;
        let coordinator = app.user("coordinator", None).await;
        let om = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        let person = adopted_member(&app, &coordinator, &om, &police, "Reid").await;

        let list = caseload(&app, &om, "/api/v1/caseload").await;
        assert_eq!(person_ids(&list), [json!(person)]);
        let item = &list["items"][0];
        assert_eq!(item["strand"], "catch_convict");
        assert_eq!(item["tier"], "A");
        assert_eq!(item["overdue"], json!([]));
        // Face to face within 2 working days: Friday 23, Monday 26 — end of Monday, GMT by then. The home
        // visit every calendar month: the first month is 22 Oct – 21 Nov, due by the end of 21 November.
        assert_eq!(
            work(&item["due"]),
            [
                (
                    "contact_standard".to_owned(),
                    at("2026-10-26T23:59:59Z"),
                    Value::Null
                ),
                (
                    "contact_standard".to_owned(),
                    at("2026-11-21T23:59:59Z"),
                    Value::Null
                ),
            ]
        );
        let descriptions: Vec<&str> = item["due"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["description"].as_str().unwrap())
            .collect();
        assert!(
            descriptions[0].contains("catch_convict.A.face_to_face"),
            "{descriptions:?}"
        );
        assert!(
            descriptions[1].contains("catch_convict.A.home_visit"),
            "{descriptions:?}"
        );

        // Still due at 23:59 on Monday (GMT); overdue on Tuesday morning.
        app.clock.set(at("2026-10-26T23:59:00Z"));
        let om = app.signed_in_again(&om).await;
        let list = caseload(&app, &om, "/api/v1/caseload?overdue_only=true").await;
        assert_eq!(list["items"], json!([]));
        app.clock.set(at("2026-10-27T08:00:00Z"));
        let om = app.signed_in_again(&om).await;
        let list = caseload(&app, &om, "/api/v1/caseload?overdue_only=true").await;
        assert_eq!(person_ids(&list), [json!(person)]);
        assert_eq!(
            work(&list["items"][0]["overdue"]),
            [(
                "contact_standard".to_owned(),
                at("2026-10-26T23:59:59Z"),
                Value::Null
            )]
        );

        // An attempted contact does not satisfy it; a completed office visit does, and the weekly
        // period (22–28 October) is then met.
        for status in ["attempted", "completed"] {
            let (code, body) = app
                .send_json(
                    Method::POST,
                    &format!("/api/v1/people/{person}/contacts"),
                    &om,
                    json!({"type": "face_to_face_office", "occurred_at": "2026-10-27T08:00:00Z",
                       "status": status}),
                )
                .await;
            assert_eq!(code, 201, "{body}");
            let list = caseload(&app, &om, "/api/v1/caseload").await;
            let overdue = work(&list["items"][0]["overdue"]);
            if status == "attempted" {
                assert_eq!(overdue.len(), 1, "{overdue:?}");
            } else {
                assert_eq!(overdue, []);
                assert_eq!(
                    work(&list["items"][0]["due"]),
                    [(
                        "contact_standard".to_owned(),
                        at("2026-11-21T23:59:59Z"),
                        Value::Null
                    )]
                );
                assert_eq!(
                    instant(&list["items"][0]["last_contact"]),
                    at("2026-10-27T08:00:00Z")
                );
            }
        }

        // The next week (29 Oct – 4 Nov) needs its own face-to-face contact, due by the end of 4 November.
        app.clock.set(at("2026-10-30T09:00:00Z"));
        let om = app.signed_in_again(&om).await;
        let list = caseload(&app, &om, "/api/v1/caseload").await;
        assert_eq!(
            work(&list["items"][0]["due"]),
            [
                (
                    "contact_standard".to_owned(),
                    at("2026-11-04T23:59:59Z"),
                    Value::Null
                ),
                (
                    "contact_standard".to_owned(),
                    at("2026-11-21T23:59:59Z"),
                    Value::Null
                ),
            ]
        );
    }

    #[tokio::test]
    async fn first_contact_deadline_in_summer_time_and_the_strand_and_tier_filters() {
        // Tuesday 20 October 2026 (BST): Wednesday 21, Thursday 22 → end of Thursday 22 October BST.
        let app = spawn_app_with(at("2026-10-20T10:00:00Z")).await;
        let coordinator = app.user("coordinator", None).await;
        let om = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        let member = adopted_member(&app, &coordinator, &om, &police, "Reid").await;
        let not_member = app.person(&om, "Lee", "Ash").await;
        app.allocate(&coordinator, not_member, om.id, "offender_manager")
            .await;

        let list = caseload(&app, &om, "/api/v1/caseload").await;
        // The member has something due; the other person has nothing at all, so comes last.
        assert_eq!(person_ids(&list), [json!(member), json!(not_member)]);
        assert_eq!(
            work(&list["items"][0]["due"])[0],
            (
                "contact_standard".to_owned(),
                at("2026-10-22T22:59:59Z"),
                Value::Null
            )
        );
        assert_eq!(list["items"][1]["due"], json!([]));

        let list = caseload(&app, &om, "/api/v1/caseload?strand=catch_convict").await;
        assert_eq!(person_ids(&list), [json!(member)]);
        let list = caseload(&app, &om, "/api/v1/caseload?strand=prevent_deter").await;
        assert_eq!(list["items"], json!([]));
        let (status, problem) = app
            .get_json("/api/v1/caseload?strand=outer_space", &om)
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "strand");

        // A tier-B member of the same strand: the tier filter alone, and with the strand's.
        let tier_b = app
            .person_with(&om, "Max", "Bell", json!({"tier": "B"}))
            .await;
        app.adopt(&coordinator, tier_b, "catch_convict", police.id, om.id)
            .await;
        app.allocate(&coordinator, tier_b, om.id, "offender_manager")
            .await;
        for (query, expected) in [
            ("tier=A", vec![json!(member)]),
            ("tier=B", vec![json!(tier_b)]),
            ("strand=catch_convict&tier=B", vec![json!(tier_b)]),
            ("strand=prevent_deter&tier=B", vec![]),
            ("tier=G", vec![]),
        ] {
            let list = caseload(&app, &om, &format!("/api/v1/caseload?{query}")).await;
            assert_eq!(person_ids(&list), expected, "{query}");
        }
        let coordinators_view = caseload(
            &app,
            &coordinator,
            &format!("/api/v1/staff/{}/caseload?tier=B", om.id),
        )
        .await;
        assert_eq!(person_ids(&coordinators_view), [json!(tier_b)]);
        let (status, problem) = app
            .get_json("/api/v1/caseload?tier=Z&strand=space", &om)
            .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem_fields(&problem), ["strand", "tier"]);

        let (status, _) = app
            .get_json(
                &format!("/api/v1/staff/{}/caseload", Uuid::new_v4()),
                &coordinator,
            )
            .await;
        assert_eq!(status, 404, "no member of staff has that id");
    }

    /// A completed contact corrected to an attempted one no longer meets a standard nor is the last
    /// contact, whether the worklist reads the stored facts or works them out from the records.
    #[tokio::test]
    async fn a_corrected_contact_stops_counting() {
        let app = spawn_app().await;
        let coordinator = app.user("coordinator", None).await;
        let om = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        let person = adopted_member(&app, &coordinator, &om, &police, "Quinn").await;
        let without_time = |mut list: Value| {
            list["generated_at"] = Value::Null;
            list
        };
        app.advance(chrono::Duration::hours(1));
        let om = app.signed_in_again(&om).await;
        let before = without_time(caseload(&app, &om, "/api/v1/caseload").await);
        assert_eq!(before["items"][0]["last_contact"], Value::Null);

        let contacts = format!("/api/v1/people/{person}/contacts");
        let (status, logged) = app
            .send_json(Method::POST, &contacts, &om,
                json!({"type": "face_to_face_office", "occurred_at": "2026-11-23T09:30:00Z", "status": "completed"}),
            )
            .await;
        assert_eq!(status, 201, "{logged}");
        let met = caseload(&app, &om, "/api/v1/caseload").await;
        assert_eq!(
            instant(&met["items"][0]["last_contact"]),
            at("2026-11-23T09:30:00Z")
        );
        assert_eq!(
            work(&met["items"][0]["due"]).len() + 1,
            work(&before["items"][0]["due"]).len(),
            "the face-to-face contact is met: {met}"
        );

        // It turns out nobody answered the door at the office: corrected to an attempt.
        let (status, corrected) = app
            .send_json(Method::POST, &contacts, &om,
                json!({"type": "face_to_face_office", "occurred_at": "2026-11-23T09:30:00Z", "status": "attempted",
                       "supersedes_id": logged["contact"]["id"]}),
            )
            .await;
        assert_eq!(status, 201, "{corrected}");
        let from_facts = without_time(caseload(&app, &om, "/api/v1/caseload").await);
        assert_eq!(
            from_facts, before,
            "the stored facts must no longer count it"
        );
        app.db()
            .execute_unprepared("DELETE FROM caseload_facts")
            .await
            .unwrap();
        let from_records = without_time(caseload(&app, &om, "/api/v1/caseload").await);
        assert_eq!(
            from_records, before,
            "worked out from the records, it must no longer count"
        );

        // Corrected again, to the completed contact it was: it counts once more, and once only.
        let (status, _) = app
            .send_json(Method::POST, &contacts, &om,
                json!({"type": "face_to_face_office", "occurred_at": "2026-11-23T09:30:00Z", "status": "completed",
                       "supersedes_id": corrected["contact"]["id"]}),
            )
            .await;
        assert_eq!(status, 201);
        let again = without_time(caseload(&app, &om, "/api/v1/caseload").await);
        assert_eq!(again, without_time(met));
        app.db()
            .execute_unprepared("DELETE FROM caseload_facts")
            .await
            .unwrap();
        assert_eq!(
            without_time(caseload(&app, &om, "/api/v1/caseload").await),
            again
        );
    }
}
