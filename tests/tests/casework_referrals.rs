#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Referrals end to end: referring, a partner seeing and moving only its own agency's referrals, the
//! time from referral to start, and the transitions allowed.

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::cohort::later;
use vigil_e2e::{TestApp, TestUser, spawn_app};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .unwrap_or_else(|| panic!("not an instant: {v}"))
        .parse()
        .unwrap()
}

async fn refer(app: &TestApp, user: &TestUser, person: Uuid, body: Value) -> (u16, Value) {
    app.send_json(
        Method::POST,
        &format!("/api/v1/people/{person}/referrals"),
        user,
        body,
    )
    .await
}

async fn move_to(app: &TestApp, user: &TestUser, referral: &Value, body: Value) -> (u16, Value) {
    app.send_json(
        Method::PATCH,
        &format!("/api/v1/referrals/{}", referral["id"].as_str().unwrap()),
        user,
        body,
    )
    .await
}

/// Named `casework::…` so that `cargo test -p vigil-e2e casework` selects them.
mod casework {
    use super::*;

    #[tokio::test]
    async fn partners_see_and_move_only_their_own_agency_referrals() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let police = app.user("police", None).await;
        let housing = app.agency("Shelter Housing", "housing").await;
        let treatment = app.agency("Change Grow Live", "drug_alcohol").await;
        let housing_worker = app.user("partner", Some(housing)).await;
        let treatment_worker = app.user("partner", Some(treatment)).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let other = app.person(&om, "Erin", "Cole").await;

        let (status, to_housing) = refer(
            &app,
            &om,
            person,
            json!({"pathway": "accommodation", "agency_id": housing, "notes": " needs a tenancy "}),
        )
        .await;
        assert_eq!(status, 201, "{to_housing}");
        assert_eq!(to_housing["status"], "referred");
        assert_eq!(to_housing["pathway"], "accommodation");
        assert_eq!(to_housing["agency_id"], json!(housing));
        assert_eq!(to_housing["notes"], "needs a tenancy");
        assert_eq!(
            instant(&to_housing["referred_at"]),
            at("2026-11-23T09:00:00Z")
        );
        assert_eq!(to_housing["started_at"], Value::Null);
        assert_eq!(to_housing["days_to_start"], Value::Null);
        let (status, to_treatment) = refer(
            &app,
            &om,
            other,
            json!({"pathway": "drugs_alcohol", "agency_id": treatment}),
        )
        .await;
        assert_eq!(status, 201, "{to_treatment}");

        // The partner sees its own agency's only, whatever it asks for.
        let (status, page) = app.get_json("/api/v1/referrals", &housing_worker).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["total"], 1);
        assert_eq!(page["items"][0]["id"], to_housing["id"]);
        // What a partner reads is disclosed to its agency, and recorded as such.
        let admin = app.user("admin", None).await;
        let disclosed = app
            .audit(
                &admin,
                &format!("actor_id={}&action=disclose", housing_worker.id),
            )
            .await;
        assert_eq!(disclosed["total"], 1, "{disclosed}");
        assert_eq!(disclosed["items"][0]["entity"], "referrals");
        assert_eq!(
            disclosed["items"][0]["detail"]["recipient_agency_id"],
            json!(housing),
            "{disclosed}"
        );
        let consulted = app
            .audit(
                &admin,
                &format!("actor_id={}&action=consult", housing_worker.id),
            )
            .await;
        assert_eq!(consulted["total"], 0, "{consulted}");
        let (_, page) = app
            .get_json(
                &format!("/api/v1/referrals?agency_id={treatment}"),
                &housing_worker,
            )
            .await;
        assert_eq!(page["total"], 1);
        assert_eq!(page["items"][0]["id"], to_housing["id"]);
        let (_, page) = app.get_json("/api/v1/referrals", &treatment_worker).await;
        assert_eq!(page["total"], 1);
        assert_eq!(page["items"][0]["id"], to_treatment["id"]);
        // The offender manager sees both, newest first, and can filter.
        let (_, page) = app.get_json("/api/v1/referrals", &om).await;
        assert_eq!(page["total"], 2);
        let (_, page) = app
            .get_json(&format!("/api/v1/referrals?person_id={other}"), &om)
            .await;
        assert_eq!(page["total"], 1);
        assert_eq!(page["items"][0]["id"], to_treatment["id"]);

        // Three days and two hours later the housing worker starts it: 3 whole days.
        app.advance(Duration::days(3) + Duration::hours(2));
        let housing_worker = app.signed_in_again(&housing_worker).await;
        let treatment_worker = app.signed_in_again(&treatment_worker).await;
        let om = app.signed_in_again(&om).await;
        let police = app.signed_in_again(&police).await;

        // Not the other agency's: 404, and nothing changes.
        let (status, _) = move_to(
            &app,
            &housing_worker,
            &to_treatment,
            json!({"status": "started"}),
        )
        .await;
        assert_eq!(status, 404);

        let (status, started) = move_to(
            &app,
            &housing_worker,
            &to_housing,
            json!({"status": "started"}),
        )
        .await;
        assert_eq!(status, 200, "{started}");
        assert_eq!(started["status"], "started");
        assert_eq!(instant(&started["started_at"]), at("2026-11-26T11:00:00Z"));
        assert_eq!(started["days_to_start"], 3);

        // A start recorded as happening earlier: 1 day and 20 hours after referral counts as 1 day.
        let (status, started) = move_to(
            &app,
            &treatment_worker,
            &to_treatment,
            json!({"status": "started", "at": "2026-11-25T05:00:00Z"}),
        )
        .await;
        assert_eq!(status, 200, "{started}");
        assert_eq!(started["days_to_start"], 1);
        let (_, page) = app
            .get_json(&format!("/api/v1/referrals?person_id={other}"), &om)
            .await;
        assert_eq!(page["items"][0]["status"], "started");
        assert_eq!(page["items"][0]["days_to_start"], 1);

        // Invalid transitions: 409.
        let (status, problem) = move_to(
            &app,
            &housing_worker,
            &to_housing,
            json!({"status": "declined"}),
        )
        .await;
        assert_eq!(status, 409, "{problem}");
        let (status, _) = move_to(
            &app,
            &housing_worker,
            &to_housing,
            json!({"status": "started"}),
        )
        .await;
        assert_eq!(status, 409);
        let (status, done) = move_to(
            &app,
            &housing_worker,
            &to_housing,
            json!({"status": "completed"}),
        )
        .await;
        assert_eq!(status, 200, "{done}");
        assert_eq!(instant(&done["ended_at"]), at("2026-11-26T11:00:00Z"));
        assert_eq!(done["days_to_start"], 3);
        let (status, _) = move_to(&app, &om, &to_housing, json!({"status": "withdrawn"})).await;
        assert_eq!(status, 409);

        // Bad statuses and times.
        let (status, problem) =
            move_to(&app, &om, &to_treatment, json!({"status": "referred"})).await;
        assert_eq!(status, 409, "{problem}");
        let (status, problem) = move_to(
            &app,
            &om,
            &to_treatment,
            json!({"status": "finished", "at": "2030-01-01T00:00:00Z"}),
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
        assert_eq!(fields, ["at", "status"]);

        // The police neither read nor make referrals.
        let (status, _) = app.get_json("/api/v1/referrals", &police).await;
        assert_eq!(status, 403);
        let (status, _) = refer(
            &app,
            &police,
            person,
            json!({"pathway": "health", "agency_id": housing}),
        )
        .await;
        assert_eq!(status, 403);
        let (status, _) =
            move_to(&app, &police, &to_treatment, json!({"status": "completed"})).await;
        assert_eq!(status, 403);
        // Partners do not refer.
        let (status, _) = refer(
            &app,
            &housing_worker,
            person,
            json!({"pathway": "health", "agency_id": housing}),
        )
        .await;
        assert_eq!(status, 403);
    }

    /// A partner may turn a referral down, or stop one it started; the officer may withdraw one. Each ends
    /// the referral there and then, and a start never made leaves no time to start.
    #[tokio::test]
    async fn a_referral_is_declined_or_withdrawn_and_ends() {
        let app = spawn_app().await;
        let mut om = app.user("offender_manager", None).await;
        let housing = app.agency("Shelter Housing", "housing").await;
        let mut worker = app.user("partner", Some(housing)).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let mut referrals = Vec::new();
        for pathway in [
            "accommodation",
            "finance_benefit_debt",
            "attitudes_thinking_behaviour",
        ] {
            let (status, referral) = refer(
                &app,
                &om,
                person,
                json!({"pathway": pathway, "agency_id": housing}),
            )
            .await;
            assert_eq!(status, 201, "{referral}");
            referrals.push(referral);
        }
        let [no_room, stopped, not_needed] = referrals.as_slice() else {
            unreachable!("three referrals")
        };
        later(&app, Duration::days(2), &mut [&mut om, &mut worker]).await;

        // The partner turns one down: it ends, never started.
        let (status, declined) =
            move_to(&app, &worker, no_room, json!({"status": "declined"})).await;
        assert_eq!(status, 200, "{declined}");
        assert_eq!(declined["status"], "declined");
        assert_eq!(instant(&declined["ended_at"]), at("2026-11-25T09:00:00Z"));
        assert_eq!(declined["started_at"], Value::Null);
        assert_eq!(declined["days_to_start"], Value::Null);

        // The partner starts one and stops it a day later: the time to start is kept.
        let (status, _) = move_to(&app, &worker, stopped, json!({"status": "started"})).await;
        assert_eq!(status, 200);
        later(&app, Duration::days(1), &mut [&mut om, &mut worker]).await;
        let (status, withdrawn) =
            move_to(&app, &worker, stopped, json!({"status": "withdrawn"})).await;
        assert_eq!(status, 200, "{withdrawn}");
        assert_eq!(withdrawn["status"], "withdrawn");
        assert_eq!(
            instant(&withdrawn["started_at"]),
            at("2026-11-25T09:00:00Z")
        );
        assert_eq!(instant(&withdrawn["ended_at"]), at("2026-11-26T09:00:00Z"));
        assert_eq!(withdrawn["days_to_start"], 2);

        // The officer withdraws one the agency never took up.
        let (status, withdrawn) =
            move_to(&app, &om, not_needed, json!({"status": "withdrawn"})).await;
        assert_eq!(status, 200, "{withdrawn}");
        assert_eq!(withdrawn["status"], "withdrawn");
        assert_eq!(withdrawn["days_to_start"], Value::Null);

        // All three have ended: nothing moves them again, and the list shows each as it ended.
        for referral in [no_room, stopped, not_needed] {
            let (status, problem) =
                move_to(&app, &worker, referral, json!({"status": "started"})).await;
            assert_eq!(status, 409, "{problem}");
        }
        let (_, page) = app
            .get_json(&format!("/api/v1/referrals?person_id={person}"), &worker)
            .await;
        let mut ended: Vec<(&str, &str)> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["pathway"].as_str().unwrap(),
                    r["status"].as_str().unwrap(),
                )
            })
            .collect();
        ended.sort_unstable();
        assert_eq!(
            ended,
            [
                ("accommodation", "declined"),
                ("attitudes_thinking_behaviour", "withdrawn"),
                ("finance_benefit_debt", "withdrawn")
            ]
        );
    }

    #[tokio::test]
    async fn referral_fields_are_checked() {
        let app = spawn_app().await;
        let om = app.user("offender_manager", None).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let (status, problem) = refer(
            &app,
            &om,
            person,
            json!({"pathway": "space_travel", "agency_id": Uuid::new_v4()}),
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
        assert_eq!(fields, ["agency_id", "pathway"]);
        let agency = app.agency("Shelter Housing", "housing").await;
        let (status, _) = refer(
            &app,
            &om,
            Uuid::new_v4(),
            json!({"pathway": "accommodation", "agency_id": agency}),
        )
        .await;
        assert_eq!(status, 404);
        let (_, page) = app.get_json("/api/v1/referrals", &om).await;
        assert_eq!(page["total"], 0);

        // A start before the referral was made is refused.
        let (status, referral) = refer(
            &app,
            &om,
            person,
            json!({"pathway": "accommodation", "agency_id": agency}),
        )
        .await;
        assert_eq!(status, 201);
        let (status, problem) = move_to(
            &app,
            &om,
            &referral,
            json!({"status": "started", "at": "2026-11-22T09:00:00Z"}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "at");
        let (status, unknown) = move_to(
            &app,
            &om,
            &json!({"id": Uuid::new_v4()}),
            json!({"status": "started"}),
        )
        .await;
        assert_eq!(status, 404, "{unknown}");

        // A page far past the end is empty, however far.
        let (status, page) = app
            .get_json(&format!("/api/v1/referrals?page={}", u64::MAX), &om)
            .await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["items"], json!([]));
        assert_eq!(page["total"], 1);
    }

    #[tokio::test]
    async fn a_referral_cannot_end_before_it_started() {
        let app = spawn_app().await;
        let mut om = app.user("offender_manager", None).await;
        let housing = app.agency("Shelter Housing", "housing").await;
        let mut worker = app.user("partner", Some(housing)).await;
        let person = app.person(&om, "Dylan", "Hart").await;
        let (status, referral) = refer(
            &app,
            &om,
            person,
            json!({"pathway": "accommodation", "agency_id": housing}),
        )
        .await;
        assert_eq!(status, 201, "{referral}");
        // Referred at 09:00, started at 11:00.
        later(&app, Duration::hours(2), &mut [&mut om, &mut worker]).await;
        let (status, started) =
            move_to(&app, &worker, &referral, json!({"status": "started"})).await;
        assert_eq!(status, 200, "{started}");

        let (status, problem) = move_to(
            &app,
            &worker,
            &referral,
            json!({"status": "completed", "at": "2026-11-23T10:00:00Z"}),
        )
        .await;
        assert_eq!(status, 422, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "at");
        let (status, completed) = move_to(
            &app,
            &worker,
            &referral,
            json!({"status": "completed", "at": "2026-11-23T11:00:00Z"}),
        )
        .await;
        assert_eq!(status, 200, "{completed}");
        assert_eq!(completed["status"], "completed");
    }
}
