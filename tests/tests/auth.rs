//! Sign-in, token refresh and rotation, sign-out, expiry, throttling and deactivation, through the real
//! router.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use reqwest::{Method, Response};
use serde_json::{Value, json};
use vigil_e2e::{TEST_PASSWORD, TestApp, spawn_app, spawn_app_adjusted};

async fn try_login(app: &TestApp, email: &str, password: &str) -> Response {
    app.anonymous(Method::POST, "/api/v1/auth/login")
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn try_refresh(app: &TestApp, refresh_token: &Value) -> (u16, Value) {
    let response = app
        .anonymous(Method::POST, "/api/v1/auth/refresh")
        .json(&json!({"refresh_token": refresh_token}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// `GET /me` with a raw access token.
async fn me_with(app: &TestApp, access_token: &Value) -> (u16, Value) {
    let response = app
        .anonymous(Method::GET, "/api/v1/me")
        .bearer_auth(access_token.as_str().unwrap())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn sign_in_returns_bearer_tokens_and_me_describes_the_user() {
    let app = spawn_app().await;
    let agency = app.agency("Northshire Police", "police").await;
    let officer = app.user("police", Some(agency)).await;

    // Email addresses are matched without regard to case or surrounding space.
    let response = try_login(
        &app,
        &format!("  {}  ", officer.email.to_uppercase()),
        TEST_PASSWORD,
    )
    .await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    assert!(tokens["access_token"].as_str().unwrap().len() > 20);
    assert!(tokens["refresh_token"].as_str().unwrap().len() > 20);

    let (status, me) = me_with(&app, &tokens["access_token"]).await;
    assert_eq!(status, 200);
    assert_eq!(me["id"], officer.id.to_string());
    assert_eq!(me["email"], officer.email);
    assert_eq!(me["name"], "Test police");
    assert_eq!(me["role"], "police");
    assert_eq!(me["agency_id"], agency.to_string());

    // A user without an agency gets null, not a missing key.
    let admin = app.user("admin", None).await;
    let (status, me) = app.get_json("/api/v1/me", &admin).await;
    assert_eq!(status, 200);
    assert_eq!(me["role"], "admin");
    assert!(me.get("agency_id").is_some_and(Value::is_null), "{me}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_401() {
    let app = spawn_app().await;
    let user = app.user("coordinator", None).await;

    let wrong_password = try_login(&app, &user.email, "not the password at all").await;
    assert_eq!(wrong_password.status(), 401);
    assert_eq!(
        header(&wrong_password, "content-type"),
        "application/problem+json"
    );
    let wrong_password: Value = wrong_password.json().await.unwrap();

    let unknown = try_login(&app, "nobody-here@example.org", TEST_PASSWORD).await;
    assert_eq!(unknown.status(), 401);
    let unknown: Value = unknown.json().await.unwrap();

    for body in [&wrong_password, &unknown] {
        assert_eq!(body["code"], "invalid_credentials");
        assert_eq!(body["status"], 401);
        assert!(body.get("access_token").is_none());
    }
    // Nothing in the answer tells the two apart.
    assert_eq!(wrong_password["detail"], unknown["detail"]);
    assert_eq!(wrong_password["title"], unknown["title"]);
    assert_eq!(wrong_password["type"], unknown["type"]);

    // /me without a token, or with a forged one, is 401 `unauthorized`.
    let response = app
        .anonymous(Method::GET, "/api/v1/me")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized");
    let (status, body) = me_with(&app, &json!("not.a.jwt")).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));
}

#[tokio::test]
async fn refresh_rotates_and_the_spent_token_is_refused() {
    let app = spawn_app().await;
    let user = app.user("offender_manager", None).await;
    let first = app.login(&user.email, TEST_PASSWORD).await;

    let (status, second) = try_refresh(&app, &first["refresh_token"]).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["token_type"], "Bearer");
    assert_eq!(second["expires_in"], 900);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(second["access_token"], first["access_token"]);
    let (status, me) = me_with(&app, &second["access_token"]).await;
    assert_eq!(
        (status, me["id"].as_str()),
        (200, Some(&*user.id.to_string()))
    );

    // The old refresh token was spent by the rotation.
    let (status, body) = try_refresh(&app, &first["refresh_token"]).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "unauthorized");

    // An unknown refresh token is 401 too.
    let (status, _) = try_refresh(&app, &json!("made-up-token")).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn reusing_a_spent_refresh_token_revokes_the_whole_chain() {
    let app = spawn_app().await;
    let user = app.user("police", None).await;
    let stolen = app.login(&user.email, TEST_PASSWORD).await;
    let other_session = app.login(&user.email, TEST_PASSWORD).await;

    let (status, rotated) = try_refresh(&app, &stolen["refresh_token"]).await;
    assert_eq!(status, 200);
    // The spent token comes back: reuse.
    let (status, _) = try_refresh(&app, &stolen["refresh_token"]).await;
    assert_eq!(status, 401);
    // The token the rotation issued belongs to the same chain, so it is dead as well.
    let (status, body) = try_refresh(&app, &rotated["refresh_token"]).await;
    assert_eq!(status, 401, "{body}");

    // Another sign-in is another chain, and is untouched.
    let (status, _) = try_refresh(&app, &other_session["refresh_token"]).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = spawn_app().await;
    let user = app.user("coordinator", None).await;
    let session = app.login(&user.email, TEST_PASSWORD).await;

    // Logging out needs an access token.
    let response = app
        .anonymous(Method::POST, "/api/v1/auth/logout")
        .json(&json!({"refresh_token": session["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    let response = app
        .request(Method::POST, "/api/v1/auth/logout", &user)
        .json(&json!({"refresh_token": session["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.bytes().await.unwrap().is_empty());

    let (status, _) = try_refresh(&app, &session["refresh_token"]).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn access_tokens_expire_after_fifteen_minutes_of_clock_time() {
    let app = spawn_app().await;
    let user = app.user("offender_manager", None).await;
    let session = app.login(&user.email, TEST_PASSWORD).await;

    app.advance(Duration::minutes(15) - Duration::seconds(1));
    let (status, _) = app.get_json("/api/v1/me", &user).await;
    assert_eq!(status, 200, "still valid one second before expiry");

    app.advance(Duration::seconds(1));
    let (status, body) = app.get_json("/api/v1/me", &user).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "unauthorized");

    // The refresh token outlives the access token and gets a fresh one.
    let (status, fresh) = try_refresh(&app, &session["refresh_token"]).await;
    assert_eq!(status, 200);
    let (status, _) = me_with(&app, &fresh["access_token"]).await;
    assert_eq!(status, 200);
}

/// One failed sign-in that the throttle lets through; waits (moves the clock) as told when refused.
/// Returns the `Retry-After` that had to be waited, if any.
async fn fail_once(app: &TestApp, email: &str) -> Option<i64> {
    let response = try_login(app, email, "a wrong password, again").await;
    if response.status() == 429 {
        let wait: i64 = header(&response, "retry-after").parse().unwrap();
        app.advance(Duration::seconds(wait));
        let retried = try_login(app, email, "a wrong password, again").await;
        assert_eq!(retried.status(), 401);
        Some(wait)
    } else {
        assert_eq!(response.status(), 401);
        None
    }
}

/// Behind a load balancer every sign-in arrives from its address: the throttle counts by the client it
/// names in `X-Forwarded-For`, so one client's failures lock that client out, not everyone.
#[tokio::test]
async fn behind_a_trusted_proxy_failures_count_against_the_forwarded_client() {
    let http = vigil_api::HttpSettings {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Default::default()
    };
    let app = spawn_app_adjusted(vigil_e2e::monday_morning(), http, |state| state).await;
    let user = app.user("offender_manager", None).await;
    let login = |client: &'static str, email: String, password: &'static str| {
        app.anonymous(Method::POST, "/api/v1/auth/login")
            // What the client claims comes first; the balancer appends the address it saw.
            .header("x-forwarded-for", format!("10.9.9.9, {client}"))
            .json(&json!({"email": email, "password": password}))
            .send()
    };
    for attempt in 0..10 {
        let email = format!("nobody{attempt}@example.org");
        let response = login("203.0.113.7", email, "wrong").await.unwrap();
        if response.status() == 429 {
            let wait: i64 = header(&response, "retry-after").parse().unwrap();
            app.advance(Duration::seconds(wait));
            let retried = login(
                "203.0.113.7",
                format!("again{attempt}@example.org"),
                "wrong",
            );
            assert_eq!(retried.await.unwrap().status(), 401);
        } else {
            assert_eq!(response.status(), 401);
        }
    }
    let locked = login("203.0.113.7", user.email.clone(), TEST_PASSWORD);
    assert_eq!(
        locked.await.unwrap().status(),
        429,
        "that client is locked out"
    );
    let other = login("198.51.100.4", user.email.clone(), TEST_PASSWORD);
    assert_eq!(other.await.unwrap().status(), 200, "another client is not");
}

#[tokio::test]
async fn repeated_failures_slow_then_lock_the_account_until_the_clock_moves_on() {
    let app = spawn_app().await;
    let bystander = app.user("police", None).await;
    let user = app.user("offender_manager", None).await;

    // The first three failures are free.
    for _ in 0..3 {
        assert_eq!(fail_once(&app, &user.email).await, None);
    }
    fail_once(&app, &user.email).await;
    // After four failures the next attempt must wait 2 s, after five 4 s: 2^(n-3).
    let response = try_login(&app, &user.email, TEST_PASSWORD).await;
    assert_eq!(response.status(), 429);
    assert_eq!(header(&response, "retry-after"), "2");
    assert_eq!(
        header(&response, "content-type"),
        "application/problem+json"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    app.advance(Duration::seconds(1));
    let response = try_login(&app, &user.email, TEST_PASSWORD).await;
    assert_eq!(header(&response, "retry-after"), "1");
    app.advance(Duration::seconds(1));
    assert_eq!(fail_once(&app, &user.email).await, None);
    let response = try_login(&app, &user.email, TEST_PASSWORD).await;
    assert_eq!(response.status(), 429);
    assert_eq!(header(&response, "retry-after"), "4");

    // Keep failing (waiting as told) up to ten failures: then the account is locked for 15 minutes.
    for _ in 5..10 {
        fail_once(&app, &user.email).await;
    }
    let response = try_login(&app, &user.email, TEST_PASSWORD).await;
    assert_eq!(response.status(), 429, "the right password is refused too");
    assert_eq!(header(&response, "retry-after"), "900");

    // The same client address is throttled for other accounts as well.
    let response = try_login(&app, &bystander.email, TEST_PASSWORD).await;
    assert_eq!(response.status(), 429);

    app.advance(Duration::minutes(14));
    let response = try_login(&app, &user.email, TEST_PASSWORD).await;
    assert_eq!(response.status(), 429, "still locked after 14 minutes");
    assert_eq!(header(&response, "retry-after"), "60");

    app.advance(Duration::minutes(1));
    let response = try_login(&app, &user.email, TEST_PASSWORD).await;
    assert_eq!(response.status(), 200);
    // Success clears the count: the next failure is free again.
    assert_eq!(fail_once(&app, &user.email).await, None);
    let response = try_login(&app, &user.email, TEST_PASSWORD).await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn deactivating_a_user_stops_their_access_token_at_once() {
    let app = spawn_app().await;
    let admin = app.user("admin", None).await;
    let manager = app.user("offender_manager", None).await;
    let session = app.login(&manager.email, TEST_PASSWORD).await;
    let (status, _) = app.get_json("/api/v1/me", &manager).await;
    assert_eq!(status, 200);

    let (status, body) = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/users/{}", manager.id),
            &admin,
            json!({"active": false}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["active"], false);
    assert!(body.get("password_hash").is_none());

    // No clock movement: the still-unexpired token is refused at once.
    let (status, body) = app.get_json("/api/v1/me", &manager).await;
    assert_eq!(status, 401);
    assert_eq!(body["code"], "unauthorized");
    let (status, _) = try_refresh(&app, &session["refresh_token"]).await;
    assert_eq!(status, 401);
    let response = try_login(&app, &manager.email, TEST_PASSWORD).await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "invalid_credentials");

    // Reactivated, the user can sign in again.
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/users/{}", manager.id),
            &admin,
            json!({"active": true}),
        )
        .await;
    assert_eq!((status, body["active"].as_bool()), (200, Some(true)));
    assert_eq!(
        try_login(&app, &manager.email, TEST_PASSWORD)
            .await
            .status(),
        200
    );

    // An administrator cannot lock themselves out.
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &format!("/api/v1/users/{}", admin.id),
            &admin,
            json!({"active": false}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test]
async fn user_creation_refuses_short_passwords_and_makes_working_accounts() {
    let app = spawn_app().await;
    let admin = app.user("admin", None).await;
    let new_user = |password: &str| {
        json!({"email": "New.Officer@Example.org", "name": "New Officer", "role": "police",
               "agency_id": null, "password": password})
    };

    for short in ["", "short", "elevenchars"] {
        let (status, body) = app
            .send_json(Method::POST, "/api/v1/users", &admin, new_user(short))
            .await;
        assert_eq!(status, 422, "{short:?}: {body}");
        assert_eq!(body["code"], "validation_failed");
        let fields: Vec<&str> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["password"]);
    }

    let (status, created) = app
        .send_json(
            Method::POST,
            "/api/v1/users",
            &admin,
            new_user("twelve chars"),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["email"], "new.officer@example.org");
    assert_eq!(created["role"], "police");
    assert_eq!(created["active"], true);
    assert!(created.get("password").is_none());
    assert!(created.get("password_hash").is_none());
    let response = try_login(&app, "new.officer@example.org", "twelve chars").await;
    assert_eq!(response.status(), 200, "the new user can sign in");

    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/users",
            &admin,
            new_user("twelve chars"),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (409, Some("conflict")));

    // A partner needs an agency; a role must be one of the five.
    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/users",
            &admin,
            json!({"email": "p@example.org", "name": "P", "role": "partner", "password": "long enough password"}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"][0]["field"], "agency_id");
    // Nor can an existing user without an agency become a partner.
    let user_path = format!("/api/v1/users/{}", created["id"].as_str().unwrap());
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &user_path,
            &admin,
            json!({"role": "partner"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["field"], "role");
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &user_path,
            &admin,
            json!({"role": "coordinator"}),
        )
        .await;
    assert_eq!((status, body["role"].as_str()), (200, Some("coordinator")));

    let (status, body) = app
        .send_json(
            Method::POST,
            "/api/v1/users",
            &admin,
            json!({"email": "q@example.org", "name": "Q", "role": "superuser", "password": "x"}),
        )
        .await;
    assert_eq!(status, 422);
    let mut fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort_unstable();
    assert_eq!(fields, ["password", "role"]);
}

#[tokio::test]
async fn a_burst_of_concurrent_guesses_is_throttled_like_a_sequence() {
    let app = spawn_app().await;
    let user = app.user("coordinator", None).await;

    let mut burst = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let request = app
            .anonymous(Method::POST, "/api/v1/auth/login")
            .json(&json!({"email": user.email, "password": "guess guess guess"}));
        burst.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    let statuses = burst.join_all().await;
    let guessed = statuses.iter().filter(|s| **s == 401).count();
    let throttled = statuses.iter().filter(|s| **s == 429).count();
    // Three free failures and a fourth; then every attempt at that instant must wait. Sent all at once,
    // the guesses must not slip past the throttle before their failures are counted.
    assert_eq!((guessed, throttled), (4, 8), "{statuses:?}");
}
