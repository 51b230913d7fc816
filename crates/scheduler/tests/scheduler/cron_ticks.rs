//! Cron ticks through the jobs table: local time across the clock changes, downtime and the catch-up
//! window, one job per tick.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Europe::London;
use vigil_persistence::DatabaseConnection;
use vigil_persistence::testing::TestDatabase;
use vigil_scheduler::cron::{CronSchedule, enqueue_cron_ticks};

use crate::common::{at, of_kind};

const SIX_HOURS: Duration = Duration::from_secs(6 * 3600);

fn nightly() -> Vec<CronSchedule> {
    vec![CronSchedule::new("nightly", "30 1 * * *", London).unwrap()]
}

/// Polls every ten minutes from `from` to `until`, as a running worker would.
async fn poll(db: &DatabaseConnection, from: DateTime<Utc>, until: DateTime<Utc>) {
    let schedules = nightly();
    let mut now = from;
    while now <= until {
        enqueue_cron_ticks(db, &schedules, now, SIX_HOURS)
            .await
            .unwrap();
        now += TimeDelta::minutes(10);
    }
}

async fn tick_times(db: &DatabaseConnection) -> Vec<DateTime<Utc>> {
    of_kind(db, "cron:nightly")
        .await
        .iter()
        .map(|row| row.run_at)
        .collect()
}

#[tokio::test]
async fn spring_forward_runs_the_0130_job_once_at_0200_bst() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    poll(db, at(2026, 3, 28, 0, 0), at(2026, 3, 30, 12, 0)).await;
    assert_eq!(
        tick_times(db).await,
        vec![
            at(2026, 3, 28, 1, 30),
            at(2026, 3, 29, 1, 0),
            at(2026, 3, 30, 0, 30)
        ]
    );
    let rows = of_kind(db, "cron:nightly").await;
    assert_eq!(
        rows[1].unique_key.as_deref(),
        Some("cron:nightly:2026-03-29T01:00:00Z")
    );
    assert_eq!(rows[1].payload["schedule"], "nightly");
    assert_eq!(rows[1].payload["tick"], "2026-03-29T01:00:00Z");
}

#[tokio::test]
async fn autumn_back_runs_the_0130_job_once_at_the_earlier_instant() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    poll(db, at(2026, 10, 24, 0, 0), at(2026, 10, 26, 12, 0)).await;
    assert_eq!(
        tick_times(db).await,
        vec![
            at(2026, 10, 24, 0, 30),
            at(2026, 10, 25, 0, 30),
            at(2026, 10, 26, 1, 30)
        ]
    );
}

#[tokio::test]
async fn three_days_of_downtime_catch_up_with_one_run() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let schedules = nightly();
    let created = enqueue_cron_ticks(db, &schedules, at(2026, 1, 7, 1, 31), SIX_HOURS)
        .await
        .unwrap();
    assert_eq!(created, vec![("nightly".to_owned(), at(2026, 1, 7, 1, 30))]);

    // Down from the 7th to 03:00 on the 10th: the 8th, 9th and 10th were missed; only the 10th runs.
    let created = enqueue_cron_ticks(db, &schedules, at(2026, 1, 10, 3, 0), SIX_HOURS)
        .await
        .unwrap();
    assert_eq!(
        created,
        vec![("nightly".to_owned(), at(2026, 1, 10, 1, 30))]
    );
    // Planning again changes nothing.
    assert!(
        enqueue_cron_ticks(db, &schedules, at(2026, 1, 10, 3, 5), SIX_HOURS)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        tick_times(db).await,
        vec![at(2026, 1, 7, 1, 30), at(2026, 1, 10, 1, 30)]
    );
}

#[tokio::test]
async fn a_tick_missed_for_longer_than_the_catch_up_window_is_skipped() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let schedules = nightly();
    enqueue_cron_ticks(db, &schedules, at(2026, 1, 7, 1, 31), SIX_HOURS)
        .await
        .unwrap();
    // Back at 09:00 on the 10th: 01:30 is seven and a half hours old.
    assert!(
        enqueue_cron_ticks(db, &schedules, at(2026, 1, 10, 9, 0), SIX_HOURS)
            .await
            .unwrap()
            .is_empty()
    );
    // The next night runs as usual.
    poll(db, at(2026, 1, 10, 9, 0), at(2026, 1, 11, 2, 0)).await;
    assert_eq!(
        tick_times(db).await,
        vec![at(2026, 1, 7, 1, 30), at(2026, 1, 11, 1, 30)]
    );
}
