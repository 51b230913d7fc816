//! People: create with validation at the edge, and partial update under optimistic locking (the search is
//! in `people_search.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_domain::pnc_check_letter;
use vigil_e2e::cohort::problem_fields as fields;
use vigil_e2e::{TestApp, TestUser, spawn_app};

/// A valid long-form PNC ID.
fn pnc(year: u32, serial: u32) -> String {
    format!("{year}/{serial:07}{}", pnc_check_letter(year, serial))
}

async fn people_total(app: &TestApp, user: &TestUser) -> u64 {
    let (status, body) = app.get_json("/api/v1/people", user).await;
    assert_eq!(status, 200);
    body["total"].as_u64().unwrap()
}

#[tokio::test]
async fn creating_a_person_with_every_field_normalises_and_returns_it() {
    let app = spawn_app().await;
    let manager = app.user("offender_manager", None).await;
    let response = app
        .request(Method::POST, "/api/v1/people", &manager)
        .json(&json!({
            "given_name": "  Jordan ",
            "family_name": "Whitfield",
            "date_of_birth": "1994-06-01",
            "pnc_id": "03/12345n",
            "crn": "x123456",
            "mobile": "07700 900123",
            "email": "Jordan.W@Example.ORG",
            "address": {"line1": "12 Mill Lane", "line2": "Flat 2", "town": "Derby",
                        "postcode": "de1 2ab", "from_date": "2026-01-05"},
            "language": "cy",
            "sms_consent": true,
            "email_consent": true,
            "tier": "b",
            "rosh": "very_high",
            "mappa_level": "2"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["etag"], "\"1\"");
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();

    let (status, person) = app
        .get_json(&format!("/api/v1/people/{id}"), &manager)
        .await;
    assert_eq!(status, 200);
    for body in [&created, &person] {
        assert_eq!(body["given_name"], "Jordan");
        assert_eq!(body["family_name"], "Whitfield");
        assert_eq!(body["date_of_birth"], "1994-06-01");
        assert_eq!(body["pnc_id"], "2003/0012345N", "short form stored long");
        assert_eq!(body["crn"], "X123456");
        assert_eq!(body["mobile"], "+447700900123");
        assert_eq!(body["email"], "Jordan.W@example.org");
        assert_eq!(body["language"], "cy");
        assert_eq!(body["sms_consent"], true);
        assert_eq!(body["email_consent"], true);
        assert_eq!(body["sms_opted_out"], false);
        assert_eq!(body["tier"], "B");
        assert_eq!(body["rosh"], "very_high");
        assert_eq!(body["mappa_level"], "2");
        assert_eq!(body["wanted"], false);
        assert_eq!(body["status"], Value::Null);
        assert_eq!(body["strand"], Value::Null);
        assert_eq!(body["version"], 1);
        assert_eq!(body["created_at"], "2026-11-23T09:00:00Z");
        assert_eq!(body["address"]["line1"], "12 Mill Lane");
        assert_eq!(body["address"]["line2"], "Flat 2");
        assert_eq!(body["address"]["town"], "Derby");
        assert_eq!(body["address"]["postcode"], "DE1 2AB");
        assert_eq!(body["address"]["from_date"], "2026-01-05");
        assert_eq!(body["address"]["to_date"], Value::Null);
        assert_eq!(body["address_history"].as_array().unwrap().len(), 1);
        assert_eq!(body["allocations"], json!([]));
        assert_eq!(body["custody"], json!([]));
    }

    // The minimum is a name and a date of birth; the rest defaults.
    let (status, minimal) = app
        .send_json(
            Method::POST,
            "/api/v1/people",
            &manager,
            json!({"given_name": "Sam", "family_name": "Okafor", "date_of_birth": "2001-12-31"}),
        )
        .await;
    assert_eq!(status, 201, "{minimal}");
    assert_eq!(minimal["language"], "en");
    assert_eq!(minimal["sms_consent"], false);
    assert_eq!(minimal["pnc_id"], Value::Null);
    assert_eq!(minimal["address"], Value::Null);
}

#[tokio::test]
async fn invalid_fields_are_all_listed_in_one_422_and_nothing_is_created() {
    let app = spawn_app().await;
    let manager = app.user("offender_manager", None).await;
    let response = app
        .request(Method::POST, "/api/v1/people", &manager)
        .json(&json!({
            "given_name": "   ",
            "family_name": "Smith",
            "date_of_birth": "1990-02-30",
            "pnc_id": "03/12345A",
            "crn": "12345",
            "mobile": "0123",
            "email": "not-an-email",
            "language": "fr",
            "tier": "Z",
            "rosh": "extreme",
            "mappa_level": "4"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(body["status"], 422);
    assert!(body["request_id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(
        fields(&body),
        [
            "crn",
            "date_of_birth",
            "email",
            "given_name",
            "language",
            "mappa_level",
            "mobile",
            "pnc_id",
            "rosh",
            "tier"
        ]
    );
    for error in body["errors"].as_array().unwrap() {
        assert!(!error["message"].as_str().unwrap().is_empty(), "{error}");
    }

    // A date of birth in the future, consent without a channel, and an address without a town, with a
    // postcode that is none (and longer than any).
    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/people",
            &manager,
            json!({"given_name": "Ann", "family_name": "Lee", "date_of_birth": "2027-01-01",
                   "sms_consent": true, "email_consent": true,
                   "address": {"line1": "1 High St", "town": " ", "postcode": "not a postcode at all",
                               "from_date": "last week"}}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        fields(&body),
        [
            "address.from_date",
            "address.postcode",
            "address.town",
            "date_of_birth",
            "email_consent",
            "sms_consent"
        ]
    );
    assert_eq!(people_total(&app, &manager).await, 0);
}

#[tokio::test]
async fn malformed_json_is_400_and_unknown_or_missing_fields_are_422() {
    let app = spawn_app().await;
    let manager = app.user("offender_manager", None).await;

    let response = app
        .request(Method::POST, "/api/v1/people", &manager)
        .header("content-type", "application/json")
        .body(r#"{"given_name": "Jo", "family_name": "#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );

    // Over the body limit (1 MiB by default), declared or streamed: 413, in the same error shape.
    let huge = format!(r#"{{"given_name": "{}"}}"#, "a".repeat(2 * 1024 * 1024));
    let declared = app
        .request(Method::POST, "/api/v1/people", &manager)
        .header("content-type", "application/json")
        .body(huge.clone());
    let streamed = app
        .request(Method::POST, "/api/v1/people", &manager)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures::stream::iter([Ok::<
            _,
            std::io::Error,
        >(
            huge
        )])));
    for request in [declared, streamed] {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 413);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["code"], "payload_too_large", "{problem}");
        assert!(problem["request_id"].is_string(), "{problem}");
    }
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "bad_request");

    // JSON sent without saying so is refused as malformed too.
    let response = app
        .request(Method::POST, "/api/v1/people", &manager)
        .body(r#"{"given_name": "Jo", "family_name": "Bloggs", "date_of_birth": "1990-01-01"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/people",
            &manager,
            json!({"given_name": "Jo", "family_name": "Bloggs", "date_of_birth": "1990-01-01",
                   "nickname": "JB"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), ["nickname"]);

    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/people",
            &manager,
            json!({"given_name": "Jo", "date_of_birth": "1990-01-01"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["family_name"]);

    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/people",
            &manager,
            json!({"given_name": "Jo", "family_name": "Bloggs", "date_of_birth": 19900101}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["date_of_birth"]);
    assert_eq!(people_total(&app, &manager).await, 0);
}

#[tokio::test]
async fn a_pnc_id_or_crn_already_on_record_is_a_409() {
    let app = spawn_app().await;
    let coordinator = app.user("coordinator", None).await;
    let long = pnc(2019, 4321);
    let (status, _) = app
        .send_json(
            Method::POST,
            "/api/v1/people",
            &coordinator,
            json!({"given_name": "Lee", "family_name": "Harper", "date_of_birth": "1990-03-03",
                   "pnc_id": long, "crn": "A111111"}),
        )
        .await;
    assert_eq!(status, 201);

    // The same PNC ID written in short form is the same PNC ID.
    let short = long[2..].to_owned();
    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/people",
            &coordinator,
            json!({"given_name": "Other", "family_name": "Person", "date_of_birth": "1991-04-04",
                   "pnc_id": short}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "conflict");
    assert!(
        !body["detail"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("sql")
    );

    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/people",
            &coordinator,
            json!({"given_name": "Other", "family_name": "Person", "date_of_birth": "1991-04-04",
                   "crn": "a111111"}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("conflict")));
    assert_eq!(people_total(&app, &coordinator).await, 1);
}

async fn create(app: &TestApp, user: &TestUser, body: Value) -> String {
    let (status, created) = app
        .send_json(Method::POST, "/api/v1/people", user, body)
        .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

async fn patch(
    app: &TestApp,
    user: &TestUser,
    id: &str,
    if_match: Option<&str>,
    body: Value,
) -> (u16, Option<String>, Value) {
    let mut request = app
        .request(Method::PATCH, &format!("/api/v1/people/{id}"), user)
        .json(&body);
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, etag, response.json().await.unwrap())
}

#[tokio::test]
async fn patch_is_partial_and_guarded_by_the_version() {
    let app = spawn_app().await;
    let manager = app.user("offender_manager", None).await;
    let officer = app.user("police", None).await;
    let id = create(
        &app,
        &manager,
        json!({"given_name": "Jordan", "family_name": "Whitfield", "date_of_birth": "1994-06-01",
               "mobile": "07700900123", "email": "jw@example.org", "tier": "C", "rosh": "medium"}),
    )
    .await;
    let path = format!("/api/v1/people/{id}");
    let response = app
        .request(Method::GET, &path, &manager)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["etag"], "\"1\"");

    app.advance(chrono::Duration::hours(1));
    let manager = app.signed_in_again(&manager).await;
    let officer = app.signed_in_again(&officer).await;
    let (status, etag, body) = patch(
        &app,
        &manager,
        &id,
        Some("\"1\""),
        json!({"tier": "a", "family_name": "Whitfield-Jones"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(etag.as_deref(), Some("\"2\""));
    assert_eq!(body["version"], 2);
    assert_eq!(body["tier"], "A");
    assert_eq!(body["family_name"], "Whitfield-Jones");
    // Untouched fields are unchanged.
    assert_eq!(body["given_name"], "Jordan");
    assert_eq!(body["mobile"], "+447700900123");
    assert_eq!(body["rosh"], "medium");
    assert_eq!(body["updated_at"], "2026-11-23T10:00:00Z");
    assert_eq!(body["created_at"], "2026-11-23T09:00:00Z");

    // A second writer still holding version 1 is refused, and nothing of theirs lands.
    let (status, _, body) = patch(
        &app,
        &officer,
        &id,
        Some("\"1\""),
        json!({"rosh": "high", "given_name": "Jay"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "conflict");
    // The version may come in the body instead of If-Match; a stale one is refused the same way.
    let (status, _, _) = patch(
        &app,
        &officer,
        &id,
        None,
        json!({"rosh": "high", "version": 1}),
    )
    .await;
    assert_eq!(status, 409);
    let (status, person) = app.get_json(&path, &manager).await;
    assert_eq!(status, 200);
    assert_eq!(person["version"], 2);
    assert_eq!(person["rosh"], "medium");
    assert_eq!(person["given_name"], "Jordan");
    assert_eq!(person["tier"], "A");

    // null clears an optional field; absent leaves it alone. A weak ETag is accepted.
    let (status, etag, body) = patch(
        &app,
        &officer,
        &id,
        Some("W/\"2\""),
        json!({"mobile": null, "wanted": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(etag.as_deref(), Some("\"3\""));
    assert_eq!(body["mobile"], Value::Null);
    assert_eq!(body["email"], "jw@example.org");
    assert_eq!(body["wanted"], true);
    let (status, _, body) = patch(
        &app,
        &officer,
        &id,
        None,
        json!({"version": 3, "tier": null}),
    )
    .await;
    assert_eq!(
        (status, &body["tier"], &body["version"]),
        (200, &Value::Null, &json!(4))
    );

    // Invalid values are 422 naming each field and change nothing.
    let (status, _, body) = patch(
        &app,
        &manager,
        &id,
        Some("\"4\""),
        json!({"mobile": "12", "rosh": "enormous", "given_name": "Jay"}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), ["mobile", "rosh"]);
    let (status, _, body) = patch(&app, &manager, &id, Some("soon"), json!({"tier": "B"})).await;
    assert_eq!(status, 422, "{body}");
    // The largest version there is: stale, like any other the record is not at.
    let (status, _, body) = patch(
        &app,
        &manager,
        &id,
        Some(&format!("\"{}\"", i32::MAX)),
        json!({"tier": "B"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    let (_, person) = app.get_json(&path, &manager).await;
    assert_eq!(person["version"], 4);
    assert_eq!(person["given_name"], "Jordan");

    // An unknown person is 404.
    let (status, _, body) = patch(
        &app,
        &manager,
        &Uuid::new_v4().to_string(),
        Some("\"1\""),
        json!({"tier": "B"}),
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
    let (status, _) = app.get_json("/api/v1/people/not-a-uuid", &manager).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn patch_applies_the_same_rules_as_create() {
    let app = spawn_app().await;
    let manager = app.user("offender_manager", None).await;
    let taken = pnc(2015, 99);
    create(
        &app,
        &manager,
        json!({"given_name": "Lee", "family_name": "Harper", "date_of_birth": "1990-03-03",
               "pnc_id": taken}),
    )
    .await;
    let id = create(
        &app,
        &manager,
        json!({"given_name": "Sam", "family_name": "Okafor", "date_of_birth": "2001-12-31",
               "mobile": "07700900123", "sms_consent": true}),
    )
    .await;

    let refusals = [
        (json!({"date_of_birth": "2026-11-23"}), "date_of_birth"),
        (json!({"mobile": null}), "sms_consent"),
        (json!({"email_consent": true}), "email_consent"),
    ];
    for (body, field) in refusals {
        let (status, _, answer) = patch(&app, &manager, &id, Some("\"1\""), body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert_eq!(fields(&answer), [field], "{body}");
    }
    let (status, _, answer) = patch(
        &app,
        &manager,
        &id,
        Some("\"1\""),
        json!({"pnc_id": taken[2..]}),
    )
    .await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["code"], "conflict");

    // Clearing the mobile together with the consent is fine.
    let (status, _, person) = patch(
        &app,
        &manager,
        &id,
        Some("\"1\""),
        json!({"mobile": null, "sms_consent": false, "email": "sam@example.org", "email_consent": true}),
    )
    .await;
    assert_eq!(status, 200, "{person}");
    assert_eq!(person["version"], 2, "the refusals changed nothing");
    assert_eq!(
        (&person["mobile"], &person["sms_consent"]),
        (&Value::Null, &json!(false))
    );
    assert_eq!(person["email_consent"], true);
}
