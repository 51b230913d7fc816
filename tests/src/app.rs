//! The real router on 127.0.0.1:0 against a fresh database, with a manual clock.

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use vigil_api::AppState;
use vigil_domain::{ManualClock, WorkingCalendar};

use vigil_persistence::testing::TestDatabase;

pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub database: TestDatabase,
    pub state: AppState,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub fn db(&self) -> &vigil_persistence::DatabaseConnection {
        self.database.db.connection()
    }
}

/// Spawns the app with the clock at `now`.
pub async fn spawn_app_with(now: DateTime<Utc>) -> TestApp {
    let database = TestDatabase::migrated().await;
    let clock = Arc::new(ManualClock::new(now));
    let state = AppState {
        db: database.db.clone(),
        clock: clock.clone(),
        time_zone: chrono_tz::Europe::London,
        calendar: Arc::new(WorkingCalendar::england_and_wales()),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a random port");
    let address = listener.local_addr().expect("local address");
    let router = vigil_api::router(state.clone());
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("server runs");
    });
    TestApp {
        address,
        client: reqwest::Client::new(),
        clock,
        database,
        state,
    }
}

/// Spawns the app with the clock at [`crate::monday_morning`].
pub async fn spawn_app() -> TestApp {
    spawn_app_with(crate::monday_morning()).await
}
