//! Helpers for Vigil's end-to-end tests: a fresh database per test (SQLite by default, PostgreSQL when
//! `VIGIL_TEST_DATABASE_URL` names a server), and the real router on a random port with a clock the test
//! moves.
//!
//! Run against PostgreSQL with e.g.
//! `VIGIL_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5433/postgres cargo test --workspace`;
//! each test then creates its own database on that server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod app;
pub mod appointments;
pub mod caseload;
pub mod cohort;
pub mod contacts;
pub mod enforcement;
pub mod scheduling;

pub use app::{TEST_PASSWORD, TestApp, TestUser, spawn_app, spawn_app_adjusted, spawn_app_with};
pub use vigil_persistence::testing::TestDatabase;

use chrono::{DateTime, TimeZone, Utc};

/// A fixed instant to start the clock at: a Monday morning in November 2026 (GMT).
pub fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}
