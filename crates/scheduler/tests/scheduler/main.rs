//! The scheduler against a real database: SQLite by default, PostgreSQL when `VIGIL_TEST_DATABASE_URL` is
//! set (`scripts/with-postgres.sh cargo test -p vigil-scheduler`). Time only moves when a test moves it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod concurrency;
mod cron_ticks;
mod enqueue;
mod leases;
mod retries;
mod worker;
