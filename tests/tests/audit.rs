//! The audit trail (DPA 2018 Part 3, s.62): every read of a person is recorded once, with who, why and
//! under which request; partners see only what is referred to them, and their refused looks are recorded.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::{TestApp, TestUser, spawn_app};

/// Reads a person; returns status, the response's request id and the body.
async fn read_person(
    app: &TestApp,
    user: &TestUser,
    person: Uuid,
    purpose: Option<&str>,
) -> (u16, String, Value) {
    let mut request = app.request(Method::GET, &format!("/api/v1/people/{person}"), user);
    if let Some(purpose) = purpose {
        request = request.header("x-vigil-purpose", purpose);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    (status, request_id, response.json().await.unwrap())
}

#[tokio::test]
async fn reading_a_person_writes_exactly_one_consult_event() {
    let app = spawn_app().await;
    let admin = app.user("admin", None).await;
    let coordinator = app.user("coordinator", None).await;
    let manager = app.user("offender_manager", None).await;
    let person = app.person(&coordinator, "Jordan", "Whitfield").await;
    let other = app.person(&coordinator, "Casey", "Whitby").await;

    // Creating the person was a collection, by the coordinator.
    let collected = app
        .audit(&admin, &format!("person_id={person}&action=collect"))
        .await;
    assert_eq!(collected["total"], 1);
    assert_eq!(
        collected["items"][0]["actor_id"],
        coordinator.id.to_string()
    );
    assert_eq!(collected["items"][0]["purpose"], "cohort_management");
    let consulted = app
        .audit(&admin, &format!("person_id={person}&action=consult"))
        .await;
    assert_eq!(consulted["total"], 0, "nobody has read the person yet");

    app.advance(chrono::Duration::minutes(5));
    let (status, request_id, _) = read_person(&app, &manager, person, None).await;
    assert_eq!(status, 200);
    let consulted = app
        .audit(&admin, &format!("person_id={person}&action=consult"))
        .await;
    assert_eq!(consulted["total"], 1, "{consulted}");
    let event = &consulted["items"][0];
    assert_eq!(event["actor_id"], manager.id.to_string());
    assert_eq!(event["actor_role"], "offender_manager");
    assert_eq!(event["action"], "consult");
    assert_eq!(event["person_id"], person.to_string());
    assert_eq!(event["entity"], "person");
    assert_eq!(event["purpose"], "offender_management");
    assert_eq!(event["request_id"], request_id.as_str());
    assert_eq!(event["occurred_at"], "2026-11-23T09:05:00Z");
    // Nothing was written about the person not read.
    let untouched = app
        .audit(&admin, &format!("person_id={other}&action=consult"))
        .await;
    assert_eq!(untouched["total"], 0);

    // Each further read is one more event; the filters combine.
    let (status, second_request, _) = read_person(&app, &coordinator, person, None).await;
    assert_eq!(status, 200);
    assert_ne!(second_request, request_id);
    let consulted = app
        .audit(&admin, &format!("person_id={person}&action=consult"))
        .await;
    assert_eq!(consulted["total"], 2);
    assert_eq!(
        consulted["items"][0]["purpose"], "cohort_management",
        "newest first"
    );
    let by_manager = app
        .audit(
            &admin,
            &format!("person_id={person}&actor_id={}", manager.id),
        )
        .await;
    assert_eq!(by_manager["total"], 1);
    let window = app
        .audit(
            &admin,
            "from=2026-11-23T09:04:00Z&to=2026-11-23T09:06:00Z&action=consult",
        )
        .await;
    assert_eq!(window["total"], 2);
    let before = app
        .audit(&admin, "to=2026-11-23T09:05:00Z&action=consult")
        .await;
    assert_eq!(before["total"], 0, "`to` is exclusive");
    let (status, body) = app.get_json("/api/v1/audit?action=peek", &admin).await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "action");
}

#[tokio::test]
async fn a_stated_purpose_and_request_id_are_recorded() {
    let app = spawn_app().await;
    let admin = app.user("admin", None).await;
    let officer = app.user("police", None).await;
    let coordinator = app.user("coordinator", None).await;
    let person = app.person(&coordinator, "Jordan", "Whitfield").await;

    let response = app
        .request(Method::GET, &format!("/api/v1/people/{person}"), &officer)
        .header("x-vigil-purpose", "  MAPPA meeting ")
        .header("x-request-id", "case-review-0042")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-request-id"], "case-review-0042");
    let consulted = app
        .audit(&admin, &format!("person_id={person}&action=consult"))
        .await;
    assert_eq!(consulted["total"], 1);
    assert_eq!(consulted["items"][0]["purpose"], "MAPPA meeting");
    assert_eq!(consulted["items"][0]["request_id"], "case-review-0042");
    assert_eq!(consulted["items"][0]["actor_role"], "police");

    // A purpose that is not plain words is refused, and the refused read leaves no consultation.
    let (status, _, body) = read_person(&app, &officer, person, Some("drop table; --")).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "x-vigil-purpose");
    let consulted = app
        .audit(&admin, &format!("person_id={person}&action=consult"))
        .await;
    assert_eq!(consulted["total"], 1);
}

#[tokio::test]
async fn a_list_read_writes_one_event_listing_the_people_shown() {
    let app = spawn_app().await;
    let admin = app.user("admin", None).await;
    let coordinator = app.user("coordinator", None).await;
    let manager = app.user("offender_manager", None).await;
    let adams = app.person(&coordinator, "Whitney", "Adams").await;
    let brown = app.person(&coordinator, "Alex", "Brown").await;
    let cole = app.person(&coordinator, "Robin", "Cole").await;

    let response = app
        .request(Method::GET, "/api/v1/people?per_page=2", &manager)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let page: Value = response.json().await.unwrap();
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 2);

    let events = app
        .audit(&admin, &format!("actor_id={}&action=consult", manager.id))
        .await;
    assert_eq!(events["total"], 1, "one list read, one event: {events}");
    let event = &events["items"][0];
    assert_eq!(event["request_id"], request_id.as_str());
    assert_eq!(event["entity"], "people_search");
    assert_eq!(event["purpose"], "offender_management");
    assert_eq!(event["person_id"], Value::Null);
    let shown: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|person| person["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        event["people"],
        json!(shown),
        "the people shown, in page order"
    );
    for person in [adams, brown] {
        let about = app
            .audit(&admin, &format!("person_id={person}&action=consult"))
            .await;
        assert_eq!(about["total"], 1, "{person}: {about}");
        assert_eq!(about["items"][0]["id"], event["id"]);
    }
    let not_shown = app
        .audit(&admin, &format!("person_id={cole}&action=consult"))
        .await;
    assert_eq!(not_shown["total"], 0, "Cole was on page 2, never shown");

    // An empty result shows nobody and records nobody.
    let (status, page) = app.get_json("/api/v1/people?q=zzzz", &manager).await;
    assert_eq!((status, &page["total"]), (200, &json!(0)));
    let events = app
        .audit(&admin, &format!("actor_id={}&action=consult", manager.id))
        .await;
    assert_eq!(events["total"], 1);
}

#[tokio::test]
async fn a_partner_sees_only_referred_people_narrowed_and_every_look_is_recorded() {
    let app = spawn_app().await;
    let admin = app.user("admin", None).await;
    let coordinator = app.user("coordinator", None).await;
    let housing = app.agency("Northshire Housing", "housing").await;
    let drugs = app.agency("Northshire Recovery", "drug_alcohol").await;
    let partner = app.user("partner", Some(housing)).await;
    let (status, created) = app
        .send_json(
            Method::POST,
            "/api/v1/people",
            &coordinator,
            json!({"given_name": "Jordan", "family_name": "Whitfield", "date_of_birth": "1994-06-01",
                   "pnc_id": "03/12345N", "crn": "X123456", "tier": "B", "rosh": "high",
                   "mobile": "07700900123"}),
        )
        .await;
    assert_eq!(status, 201);
    let referred: Uuid = created["id"].as_str().unwrap().parse().unwrap();
    let elsewhere = app.person(&coordinator, "Casey", "Whitby").await;
    let unreferred = app.person(&coordinator, "Robin", "Cole").await;
    app.refer(referred, housing).await;
    app.refer(elsewhere, drugs).await;
    let (status, _) = app
        .send_json(
            Method::POST,
            &format!("/api/v1/people/{referred}/membership"),
            &coordinator,
            json!({"action": "propose", "strand": "rehabilitate_resettle"}),
        )
        .await;
    assert_eq!(status, 201);

    // Outside the agreement: 404, exactly as for a person who does not exist, and recorded.
    for person in [unreferred, elsewhere] {
        let (status, _, body) = read_person(&app, &partner, person, None).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["code"], "not_found");
        let trace = app.audit(&admin, &format!("person_id={person}")).await;
        let refusals: Vec<&Value> = trace["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["actor_id"] == partner.id.to_string())
            .collect();
        assert_eq!(refusals.len(), 1, "{trace}");
        assert_eq!(refusals[0]["detail"]["outcome"], "refused");
        assert_eq!(refusals[0]["actor_role"], "partner");
    }
    let missing = Uuid::new_v4();
    let (status, _, unknown) = read_person(&app, &partner, missing, None).await;
    assert_eq!(status, 404);
    let (_, _, refused) = read_person(&app, &partner, unreferred, None).await;
    assert_eq!(unknown["detail"], refused["detail"]);
    assert_eq!(unknown["title"], refused["title"]);

    // The referred person: the narrowed view, recorded as a disclosure.
    let (status, request_id, view) = read_person(&app, &partner, referred, None).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["id"], referred.to_string());
    assert_eq!(view["given_name"], "Jordan");
    assert_eq!(view["family_name"], "Whitfield");
    assert_eq!(view["mobile"], "+447700900123");
    let object = view.as_object().unwrap();
    for hidden in [
        "pnc_id",
        "crn",
        "tier",
        "rosh",
        "mappa_level",
        "strand",
        "status",
        "allocations",
        "custody",
        "risk_markers",
        "wanted",
        "version",
    ] {
        assert!(
            !object.contains_key(hidden),
            "a partner must not see {hidden}: {view}"
        );
    }
    let disclosed = app
        .audit(&admin, &format!("person_id={referred}&action=disclose"))
        .await;
    assert_eq!(disclosed["total"], 1);
    assert_eq!(disclosed["items"][0]["actor_id"], partner.id.to_string());
    assert_eq!(disclosed["items"][0]["purpose"], "partner_referral");
    assert_eq!(disclosed["items"][0]["request_id"], request_id.as_str());
    let consulted = app
        .audit(
            &admin,
            &format!(
                "person_id={referred}&action=consult&actor_id={}",
                partner.id
            ),
        )
        .await;
    assert_eq!(
        consulted["total"], 0,
        "a partner's read is a disclosure, not a consultation"
    );

    // The partner's list holds only the referred person, narrowed, and discloses only them.
    let (status, page) = app.get_json("/api/v1/people", &partner).await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], referred.to_string());
    assert!(page["items"][0].get("pnc_id").is_none(), "{page}");
    assert!(page["items"][0].get("strand").is_none(), "{page}");
    let disclosed = app
        .audit(&admin, &format!("actor_id={}&action=disclose", partner.id))
        .await;
    assert_eq!(disclosed["total"], 2);

    // A search cannot reach past the agreement either.
    let (_, page) = app.get_json("/api/v1/people?q=Cole", &partner).await;
    assert_eq!(page["total"], 0);
}

#[tokio::test]
async fn only_admins_read_the_audit_log_and_nobody_writes_it() {
    let app = spawn_app().await;
    let admin = app.user("admin", None).await;
    let housing = app.agency("Northshire Housing", "housing").await;
    let coordinator = app.user("coordinator", None).await;
    let person = app.person(&coordinator, "Jordan", "Whitfield").await;
    let others = [
        coordinator.clone(),
        app.user("offender_manager", None).await,
        app.user("police", None).await,
        app.user("partner", Some(housing)).await,
    ];
    for user in &others {
        let (status, body) = app
            .get_json(&format!("/api/v1/audit?person_id={person}"), user)
            .await;
        assert_eq!(status, 403, "{}: {body}", user.email);
        assert_eq!(body["code"], "forbidden");
        assert!(body.get("items").is_none());
    }
    let response = app
        .anonymous(Method::GET, "/api/v1/audit")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    let before = app.audit(&admin, "").await["total"].as_u64().unwrap();
    assert!(before >= 1);
    let event_id = app.audit(&admin, "").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (method, path) in [
        (Method::POST, "/api/v1/audit".to_owned()),
        (Method::PUT, "/api/v1/audit".to_owned()),
        (Method::PATCH, "/api/v1/audit".to_owned()),
        (Method::DELETE, "/api/v1/audit".to_owned()),
        (Method::DELETE, format!("/api/v1/audit/{event_id}")),
        (Method::PATCH, format!("/api/v1/audit/{event_id}")),
    ] {
        let response = app
            .request(method.clone(), &path, &admin)
            .json(&json!({"action": "erase", "person_id": person}))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_client_error(),
            "{method} {path}: {}",
            response.status()
        );
    }
    let after = app.audit(&admin, "").await;
    assert_eq!(
        after["total"].as_u64().unwrap(),
        before,
        "the log is unchanged"
    );
    assert_eq!(after["items"][0]["id"], event_id.as_str());
}
