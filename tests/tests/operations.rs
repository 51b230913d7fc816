//! The operational endpoints through the real router on a random port.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use vigil_e2e::spawn_app;

#[tokio::test]
async fn healthz_and_readyz_answer_when_the_database_is_migrated() {
    let app = spawn_app().await;
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn readyz_is_unavailable_with_a_migration_pending_and_says_so_as_a_problem() {
    let app = spawn_app().await;
    app.database.db.migrate_down(Some(1)).await.unwrap();
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert_eq!(
        ready.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["code"], "unavailable");
    assert!(body["detail"].as_str().unwrap().contains("pending"));
}
