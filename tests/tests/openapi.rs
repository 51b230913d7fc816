//! The served OpenAPI document against the contract in API.md, the shape of error answers, the security
//! headers, and the metrics' route labels.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;
use vigil_e2e::spawn_app;

/// Every path of API.md's auth, administration, people-and-cohort, audit and operations sections, with its
/// methods and whether it needs a bearer token.
const CONTRACT: &[(&str, &[&str], bool)] = &[
    ("/api/v1/auth/login", &["post"], false),
    ("/api/v1/auth/refresh", &["post"], false),
    ("/api/v1/auth/logout", &["post"], true),
    ("/api/v1/me", &["get"], true),
    ("/api/v1/agencies", &["get", "post"], true),
    ("/api/v1/users", &["get", "post"], true),
    ("/api/v1/users/{id}", &["patch"], true),
    ("/api/v1/people", &["get", "post"], true),
    ("/api/v1/people/{id}", &["get", "patch"], true),
    ("/api/v1/people/{id}/membership", &["post"], true),
    ("/api/v1/people/{id}/membership/history", &["get"], true),
    ("/api/v1/people/{id}/allocations", &["post"], true),
    ("/api/v1/allocations/{id}", &["delete"], true),
    ("/api/v1/people/{id}/custody", &["post"], true),
    ("/api/v1/audit", &["get"], true),
    ("/healthz", &["get"], false),
    ("/readyz", &["get"], false),
    ("/metrics", &["get"], false),
    ("/openapi.json", &["get"], false),
];

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

async fn document() -> Value {
    let app = spawn_app().await;
    let response = app
        .anonymous(Method::GET, "/openapi.json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_lists_every_contract_path_with_its_methods() {
    let doc = document().await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["title"], "Vigil API");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods, protected) in CONTRACT {
        let item = paths
            .get(*path)
            .unwrap_or_else(|| panic!("{path} is missing from the document"));
        let mut documented: Vec<&str> = HTTP_METHODS
            .iter()
            .copied()
            .filter(|method| item.get(*method).is_some())
            .collect();
        documented.sort_unstable();
        let mut expected = methods.to_vec();
        expected.sort_unstable();
        assert_eq!(documented, expected, "methods of {path}");
        for method in *methods {
            let operation = &item[*method];
            let security = operation.get("security").and_then(Value::as_array);
            let needs_bearer =
                security.is_some_and(|list| list.iter().any(|entry| entry.get("bearer").is_some()));
            assert_eq!(
                needs_bearer, *protected,
                "{method} {path}: bearer security declared"
            );
            if path.contains("{id}") {
                let parameters = operation["parameters"].as_array().unwrap();
                assert!(
                    parameters
                        .iter()
                        .any(|p| p["name"] == "id" && p["in"] == "path"),
                    "{method} {path} declares its id"
                );
            }
        }
    }
}

#[tokio::test]
async fn every_documented_error_is_a_problem_json() {
    let doc = document().await;
    let problem = &doc["components"]["schemas"]["Problem"];
    let required: Vec<&str> = problem["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in ["type", "title", "status", "detail", "code"] {
        assert!(required.contains(&field), "Problem requires {field}");
    }
    // The server leaves `errors` out when there are none, so the schema must not require it.
    assert!(!required.contains(&"errors"));
    for field in ["request_id", "errors"] {
        assert!(
            problem["properties"].get(field).is_some(),
            "Problem has {field}"
        );
    }

    let mut errors_seen = 0;
    // API part 1's paths (casework and notifications are checked with their own suite).
    for (path, _, _) in CONTRACT {
        let item = &doc["paths"][*path];
        for (method, operation) in item.as_object().unwrap() {
            if !HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            let responses = operation["responses"].as_object().unwrap();
            let protected = operation.get("security").is_some();
            if protected {
                assert!(
                    responses.contains_key("401"),
                    "{method} {path} documents its 401"
                );
            }
            for (status, response) in responses {
                if status.parse::<u16>().unwrap() < 400 {
                    continue;
                }
                errors_seen += 1;
                let content = response["content"]
                    .as_object()
                    .unwrap_or_else(|| panic!("{method} {path} {status} has no body"));
                let keys: Vec<&String> = content.keys().collect();
                assert_eq!(
                    keys,
                    ["application/problem+json"],
                    "{method} {path} {status}"
                );
                assert_eq!(
                    content["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
            }
        }
    }
    assert!(
        errors_seen > 40,
        "only {errors_seen} error responses documented"
    );
}

#[tokio::test]
async fn error_answers_are_problem_json_with_security_headers() {
    let app = spawn_app().await;
    let person = Uuid::new_v4();
    let response = app
        .anonymous(Method::GET, &format!("/api/v1/people/{person}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let headers = response.headers().clone();
    let header = |name: &str| {
        headers
            .get(name)
            .unwrap_or_else(|| panic!("no {name}"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(header("content-type"), "application/problem+json");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("x-frame-options"), "DENY");
    assert_eq!(header("referrer-policy"), "no-referrer");
    assert_eq!(header("cache-control"), "no-store");
    assert!(header("content-security-policy").contains("default-src 'none'"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 401);
    assert_eq!(body["code"], "unauthorized");
    assert_eq!(body["title"], "Unauthorized");
    assert_eq!(body["type"], "https://vigil.invalid/problems/unauthorized");
    assert!(!body["detail"].as_str().unwrap().is_empty());
    assert_eq!(body["request_id"], header("x-request-id").as_str());

    // An unknown path is a problem too, and so is a successful answer covered by the headers.
    let response = app
        .anonymous(Method::GET, "/api/v1/no-such-thing")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
    let response = app.anonymous(Method::GET, "/healthz").send().await.unwrap();
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(response.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_never_by_raw_path() {
    let app = spawn_app().await;
    let coordinator = app.user("coordinator", None).await;
    let person = app.person(&coordinator, "Jordan", "Whitfield").await;
    for _ in 0..2 {
        let (status, _) = app
            .get_json(&format!("/api/v1/people/{person}"), &coordinator)
            .await;
        assert_eq!(status, 200);
    }
    let missing = Uuid::new_v4();
    let (status, _) = app
        .get_json(&format!("/api/v1/people/{missing}"), &coordinator)
        .await;
    assert_eq!(status, 404);
    let stray = Uuid::new_v4();
    let response = app
        .anonymous(Method::GET, &format!("/api/v1/nothing/{stray}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);

    let response = app.anonymous(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = response.text().await.unwrap();
    assert!(text.contains("vigil_http_requests_total"), "{text}");
    let line = |status: &str| {
        text.lines()
            .find(|line| {
                line.starts_with("vigil_http_requests_total{")
                    && line.contains(r#"route="/api/v1/people/{id}""#)
                    && line.contains(r#"method="GET""#)
                    && line.contains(&format!(r#"status="{status}""#))
            })
            .unwrap_or_else(|| panic!("no GET /api/v1/people/{{id}} {status} line in\n{text}"))
            .to_owned()
    };
    assert!(line("200").ends_with(" 2"), "{}", line("200"));
    assert!(line("404").ends_with(" 1"), "{}", line("404"));
    assert!(text.contains(r#"route="/api/v1/people""#), "{text}");
    assert!(text.contains("vigil_http_request_duration_seconds"));
    for id in [person, missing, stray] {
        assert!(
            !text.contains(&id.to_string()),
            "a raw id leaked into {text}"
        );
    }
}
