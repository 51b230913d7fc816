//! Several workers claiming at once never get the same job (SKIP LOCKED on PostgreSQL, the write lock on
//! SQLite), and several planners create each cron tick once.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use chrono_tz::Europe::London;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;
use vigil_persistence::Database;
use vigil_persistence::entities::job;
use vigil_persistence::testing::TestDatabase;
use vigil_scheduler::cron::{CronSchedule, enqueue_cron_ticks};
use vigil_scheduler::queue::{self, JobState};

use crate::common::{add, at, job, of_kind, start};

const JOBS: usize = 60;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_never_share_a_job() {
    let test_db = TestDatabase::migrated().await;
    let now = start();
    let mut ids = HashSet::new();
    for n in 0..JOBS {
        let priority = (n % 3) as i32;
        ids.insert(
            add(
                test_db.db.connection(),
                job("bulk", now).with_priority(priority),
                now,
            )
            .await,
        );
    }

    // Two processes' worth: separate pools, two claiming tasks on each.
    let pools = [
        Database::connect(&test_db.url, 4).await.unwrap(),
        Database::connect(&test_db.url, 4).await.unwrap(),
    ];
    let mut tasks = Vec::new();
    for (index, pool) in pools.iter().chain(pools.iter()).enumerate() {
        let connection = pool.connection().clone();
        tasks.push(tokio::spawn(async move {
            let worker = format!("worker-{index}");
            let mut mine: Vec<Uuid> = Vec::new();
            loop {
                let claimed = queue::claim(&connection, &worker, 3, Duration::from_secs(60), now)
                    .await
                    .unwrap();
                if claimed.is_empty() {
                    return mine;
                }
                mine.extend(claimed.into_iter().map(|held| held.id));
                tokio::task::yield_now().await;
            }
        }));
    }
    let mut claimed: Vec<Uuid> = Vec::new();
    for task in tasks {
        claimed.extend(task.await.unwrap());
    }
    let distinct: HashSet<Uuid> = claimed.iter().copied().collect();
    assert_eq!(distinct.len(), claimed.len(), "a job was claimed twice");
    assert_eq!(distinct, ids, "every job was claimed");

    // Each row was claimed exactly once: epoch 1, one attempt.
    let rows = job::Entity::find()
        .filter(job::Column::Kind.eq("bulk"))
        .all(test_db.db.connection())
        .await
        .unwrap();
    assert!(
        rows.iter().all(|row| row.epoch == 1
            && row.attempts == 1
            && row.state == JobState::Running.as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_planners_create_each_cron_tick_once() {
    let test_db = TestDatabase::migrated().await;
    let schedules = Arc::new(vec![
        CronSchedule::new("nightly", "30 1 * * *", London).unwrap(),
        CronSchedule::new("quarter", "*/15 * * * *", London).unwrap(),
    ]);
    let pools = [
        Database::connect(&test_db.url, 4).await.unwrap(),
        Database::connect(&test_db.url, 4).await.unwrap(),
    ];
    // Four planners poll the same minutes of one night at the same time.
    let mut tasks = Vec::new();
    for pool in pools.iter().chain(pools.iter()) {
        let connection = pool.connection().clone();
        let schedules = Arc::clone(&schedules);
        tasks.push(tokio::spawn(async move {
            let mut now = at(2026, 1, 12, 1, 0);
            while now <= at(2026, 1, 12, 2, 0) {
                enqueue_cron_ticks(&connection, &schedules, now, Duration::from_secs(3600))
                    .await
                    .unwrap();
                now += TimeDelta::minutes(5);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let db = test_db.db.connection();
    let nightly: Vec<_> = of_kind(db, "cron:nightly")
        .await
        .iter()
        .map(|row| row.run_at)
        .collect();
    assert_eq!(nightly, vec![at(2026, 1, 12, 1, 30)]);
    let quarter: Vec<_> = of_kind(db, "cron:quarter")
        .await
        .iter()
        .map(|row| row.run_at)
        .collect();
    assert_eq!(
        quarter,
        vec![
            at(2026, 1, 12, 1, 0),
            at(2026, 1, 12, 1, 15),
            at(2026, 1, 12, 1, 30),
            at(2026, 1, 12, 1, 45),
            at(2026, 1, 12, 2, 0)
        ]
    );
}
