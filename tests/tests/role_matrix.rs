//! The role × permission matrix, written out as data: every route of API part 1 against every role. The
//! expected answers are deliberately not computed from `policy.rs`, so that a change of policy shows up
//! here as a failing row to review.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use vigil_e2e::{TestApp, TestUser, spawn_app};

/// The order of the expected statuses in each row.
const ROLES: [&str; 5] = [
    "admin",
    "coordinator",
    "offender_manager",
    "police",
    "partner",
];

struct Route {
    method: Method,
    path: String,
    /// `{role}` anywhere in the body is replaced by the caller's role, so that bodies that must be unique
    /// (an agency name, an email) are.
    body: Option<Value>,
    /// admin, coordinator, offender_manager, police, partner
    expected: [u16; 5],
}

fn route(
    method: Method,
    path: impl Into<String>,
    body: Option<Value>,
    expected: [u16; 5],
) -> Route {
    Route {
        method,
        path: path.into(),
        body,
        expected,
    }
}

struct Setup {
    users: Vec<TestUser>,
    routes: Vec<Route>,
}

async fn setup(app: &TestApp) -> Setup {
    let housing = app.agency("Northshire Housing", "housing").await;
    let mut users = Vec::new();
    for role in ROLES {
        let agency = (role == "partner").then_some(housing);
        users.push(app.user(role, agency).await);
    }
    let coordinator = users[1].clone();
    let manager = users[2].clone();
    let officer = users[3].clone();

    let referred = app.person(&coordinator, "Jordan", "Whitfield").await;
    app.refer(referred, housing).await;
    let unreferred = app.person(&coordinator, "Casey", "Whitby").await;
    let unproposed = app.person(&coordinator, "Robin", "Cole").await;
    let (status, allocation) = app
        .send_json(
            Method::POST,
            &format!("/api/v1/people/{unreferred}/allocations"),
            &coordinator,
            json!({"staff_id": manager.id, "role": "offender_manager"}),
        )
        .await;
    assert_eq!(status, 201, "{allocation}");
    let allocation = allocation["id"].as_str().unwrap().to_owned();
    let target = app.user("police", None).await;

    use Method as M;
    let routes = vec![
        // Auth: anyone signed in.
        route(M::GET, "/api/v1/me", None, [200, 200, 200, 200, 200]),
        route(
            M::POST,
            "/api/v1/auth/logout",
            Some(json!({"refresh_token": "not-one-of-mine"})),
            [204, 204, 204, 204, 204],
        ),
        // Administration: admin only.
        route(M::GET, "/api/v1/agencies", None, [200, 403, 403, 403, 403]),
        route(
            M::POST,
            "/api/v1/agencies",
            Some(json!({"name": "Agency made by {role}", "kind": "employment"})),
            [201, 403, 403, 403, 403],
        ),
        route(M::GET, "/api/v1/users", None, [200, 403, 403, 403, 403]),
        route(
            M::POST,
            "/api/v1/users",
            Some(
                json!({"email": "made-by-{role}@example.org", "name": "New User",
                        "role": "police", "password": "a long enough password"}),
            ),
            [201, 403, 403, 403, 403],
        ),
        route(
            M::PATCH,
            format!("/api/v1/users/{}", target.id),
            Some(json!({"active": true})),
            [200, 403, 403, 403, 403],
        ),
        route(M::GET, "/api/v1/audit", None, [200, 403, 403, 403, 403]),
        // People: cohort staff; partners read what is referred to them; admins do not read people.
        route(M::GET, "/api/v1/people", None, [403, 200, 200, 200, 200]),
        route(
            M::POST,
            "/api/v1/people",
            Some(json!({"given_name": "Made", "family_name": "By", "date_of_birth": "1990-01-01"})),
            [403, 201, 201, 403, 403],
        ),
        route(
            M::GET,
            format!("/api/v1/people/{referred}"),
            None,
            [403, 200, 200, 200, 200],
        ),
        route(
            M::GET,
            format!("/api/v1/people/{unreferred}"),
            None,
            [403, 200, 200, 200, 404],
        ),
        route(
            M::GET,
            format!("/api/v1/people/{}", Uuid::new_v4()),
            None,
            [403, 404, 404, 404, 404],
        ),
        route(
            M::PATCH,
            format!("/api/v1/people/{referred}"),
            Some(json!({"wanted": false})),
            [403, 200, 200, 200, 403],
        ),
        // The cohort.
        route(
            M::POST,
            format!("/api/v1/people/{unproposed}/membership"),
            Some(json!({"action": "propose", "strand": "prevent_deter"})),
            [403, 201, 403, 403, 403],
        ),
        route(
            M::GET,
            format!("/api/v1/people/{referred}/membership/history"),
            None,
            [403, 200, 200, 200, 403],
        ),
        route(
            M::POST,
            format!("/api/v1/people/{referred}/allocations"),
            Some(json!({"staff_id": officer.id, "role": "police_spoc"})),
            [403, 201, 403, 403, 403],
        ),
        route(
            M::DELETE,
            format!("/api/v1/allocations/{allocation}"),
            None,
            [403, 200, 403, 403, 403],
        ),
        route(
            M::POST,
            format!("/api/v1/people/{referred}/custody"),
            Some(json!({"received_at": "2026-11-01T09:00:00Z"})),
            [403, 201, 201, 201, 403],
        ),
    ];
    Setup { users, routes }
}

async fn call(app: &TestApp, route: &Route, user: Option<&TestUser>, role: &str) -> (u16, Value) {
    let mut request = match user {
        Some(user) => app.request(route.method.clone(), &route.path, user),
        None => app.anonymous(route.method.clone(), &route.path),
    };
    if let Some(body) = &route.body {
        let text = serde_json::to_string(body).unwrap().replace("{role}", role);
        request = request
            .header("content-type", "application/json")
            .body(text);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let app = spawn_app().await;
    let Setup { users, routes } = setup(&app).await;

    let mut mismatches = Vec::new();
    for route in &routes {
        for (index, role) in ROLES.iter().enumerate() {
            let (status, body) = call(&app, route, Some(&users[index]), role).await;
            let expected = route.expected[index];
            if status != expected {
                mismatches.push(format!(
                    "{} {} as {role}: expected {expected}, got {status} {body}",
                    route.method, route.path
                ));
            }
            if status == 403 {
                assert_eq!(body["code"], "forbidden", "{} {}", route.method, route.path);
            }
        }
    }
    assert!(mismatches.is_empty(), "\n{}", mismatches.join("\n"));
}

#[tokio::test]
async fn every_protected_route_needs_a_valid_token() {
    let app = spawn_app().await;
    let Setup { users, routes } = setup(&app).await;

    for route in &routes {
        let (status, body) = call(&app, route, None, "anonymous").await;
        assert_eq!(
            status, 401,
            "{} {} without a token: {body}",
            route.method, route.path
        );
        assert_eq!(body["code"], "unauthorized");
    }
    // A token signed with another key is no token.
    let forged = TestUser {
        token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl".to_owned(),
        ..users[1].clone()
    };
    for route in &routes {
        let (status, _) = call(&app, route, Some(&forged), "forged").await;
        assert_eq!(
            status, 401,
            "{} {} with a forged token",
            route.method, route.path
        );
    }
    // Nor is an expired one.
    app.advance(chrono::Duration::minutes(15));
    for route in &routes {
        for (index, role) in ROLES.iter().enumerate() {
            let (status, _) = call(&app, route, Some(&users[index]), role).await;
            assert_eq!(
                status, 401,
                "{} {} as {role} after expiry",
                route.method, route.path
            );
        }
    }

    // The operational endpoints and sign-in are public.
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        let response = app.anonymous(Method::GET, path).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
}
