//! Claiming: due jobs only, in priority order, a batch at a time; leases, rescue, heartbeats and fencing.

use std::time::Duration;

use chrono::TimeDelta;
use sea_orm::TransactionTrait;
use vigil_domain::clock::{Clock, ManualClock};
use vigil_persistence::testing::TestDatabase;
use vigil_scheduler::error::JobError;
use vigil_scheduler::queue::{self, FailOutcome, JobState};

use crate::common::{add, job, row, start};

const LEASE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_job_is_claimed_only_once_it_is_due() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let clock = ManualClock::new(start());
    let id = add(
        db,
        job("later", clock.now() + TimeDelta::minutes(10)),
        clock.now(),
    )
    .await;

    assert!(
        queue::claim(db, "w1", 10, LEASE, clock.now())
            .await
            .unwrap()
            .is_empty()
    );
    clock.advance(TimeDelta::minutes(9));
    assert!(
        queue::claim(db, "w1", 10, LEASE, clock.now())
            .await
            .unwrap()
            .is_empty()
    );
    clock.advance(TimeDelta::minutes(1));
    let claimed = queue::claim(db, "w1", 10, LEASE, clock.now())
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let claimed = &claimed[0];
    assert_eq!(claimed.id, id);
    assert_eq!((claimed.attempts, claimed.epoch), (1, 1));
    assert_eq!(claimed.kind, "later");
    assert_eq!(claimed.payload["kind"], "later");

    let stored = row(db, id).await;
    assert_eq!(stored.state, JobState::Running.as_str());
    assert_eq!(stored.locked_by.as_deref(), Some("w1"));
    assert_eq!(
        stored.lease_expires_at,
        Some(clock.now() + TimeDelta::seconds(60))
    );
    assert_eq!((stored.attempts, stored.epoch), (1, 1));

    // Running and unexpired: nobody else gets it.
    assert!(
        queue::claim(db, "w2", 10, LEASE, clock.now())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn claims_take_the_highest_priority_then_the_oldest_a_batch_at_a_time() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let now = start();
    let old_low = add(db, job("a", now - TimeDelta::hours(2)), now).await;
    let new_high = add(
        db,
        job("b", now - TimeDelta::minutes(1)).with_priority(10),
        now,
    )
    .await;
    let old_high = add(
        db,
        job("c", now - TimeDelta::hours(1)).with_priority(10),
        now,
    )
    .await;
    let new_low = add(db, job("d", now - TimeDelta::minutes(5)), now).await;
    let urgent = add(db, job("e", now).with_priority(100), now).await;
    let _future = add(
        db,
        job("f", now + TimeDelta::seconds(1)).with_priority(1000),
        now,
    )
    .await;

    let first: Vec<_> = queue::claim(db, "w", 3, LEASE, now)
        .await
        .unwrap()
        .into_iter()
        .map(|claimed| claimed.id)
        .collect();
    assert_eq!(first, vec![urgent, old_high, new_high]);
    let second: Vec<_> = queue::claim(db, "w", 3, LEASE, now)
        .await
        .unwrap()
        .into_iter()
        .map(|claimed| claimed.id)
        .collect();
    assert_eq!(second, vec![old_low, new_low]);
    assert!(
        queue::claim(db, "w", 3, LEASE, now)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        queue::claim(db, "w", 0, LEASE, now)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_expired_lease_is_rescued_and_the_old_worker_is_fenced_off() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let clock = ManualClock::new(start());
    let id = add(db, job("slow", clock.now()), clock.now()).await;

    let held_by_a = queue::claim(db, "a", 1, LEASE, clock.now())
        .await
        .unwrap()
        .remove(0);
    clock.advance(TimeDelta::seconds(59));
    assert!(
        queue::claim(db, "b", 1, LEASE, clock.now())
            .await
            .unwrap()
            .is_empty()
    );
    clock.advance(TimeDelta::seconds(1));
    let held_by_b = queue::claim(db, "b", 1, LEASE, clock.now())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(held_by_b.id, id);
    assert_eq!(held_by_b.epoch, held_by_a.epoch + 1);
    assert_eq!(held_by_b.attempts, 2);

    // A wakes up and tries to finish: nothing it does touches B's job.
    let before = row(db, id).await;
    assert!(!queue::complete(db, &held_by_a, clock.now()).await.unwrap());
    assert_eq!(
        queue::fail(
            db,
            &held_by_a,
            JobError::Permanent("late".into()),
            clock.now()
        )
        .await
        .unwrap(),
        FailOutcome::LeaseLost
    );
    assert!(
        !queue::heartbeat(db, &held_by_a, LEASE, clock.now())
            .await
            .unwrap()
    );
    let after = row(db, id).await;
    assert_eq!(after, before);
    assert_eq!(after.locked_by.as_deref(), Some("b"));

    clock.advance(TimeDelta::seconds(5));
    assert!(queue::complete(db, &held_by_b, clock.now()).await.unwrap());
    let done = row(db, id).await;
    assert_eq!(done.state, JobState::Succeeded.as_str());
    assert_eq!(done.lease_expires_at, None);
    assert_eq!(done.updated_at, clock.now());
    // Completing twice is a no-op.
    assert!(!queue::complete(db, &held_by_b, clock.now()).await.unwrap());
}

#[tokio::test]
async fn heartbeats_keep_the_job_from_being_rescued() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let clock = ManualClock::new(start());
    let id = add(db, job("long", clock.now()), clock.now()).await;
    let held = queue::claim(db, "a", 1, LEASE, clock.now())
        .await
        .unwrap()
        .remove(0);

    for _ in 0..4 {
        clock.advance(TimeDelta::seconds(45));
        assert!(
            queue::heartbeat(db, &held, LEASE, clock.now())
                .await
                .unwrap()
        );
        assert!(
            queue::claim(db, "b", 1, LEASE, clock.now())
                .await
                .unwrap()
                .is_empty()
        );
    }
    assert_eq!(
        row(db, id).await.lease_expires_at,
        Some(clock.now() + TimeDelta::seconds(60))
    );

    // Heartbeats stop (the worker died): the job is rescued one lease later.
    clock.advance(TimeDelta::seconds(60));
    let rescued = queue::claim(db, "b", 1, LEASE, clock.now()).await.unwrap();
    assert_eq!(rescued.len(), 1);
    assert_eq!(rescued[0].epoch, 2);
}

#[tokio::test]
async fn a_job_that_loses_its_lease_on_the_last_attempt_is_discarded_not_rerun() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let clock = ManualClock::new(start());
    let id = add(
        db,
        job("crashy", clock.now()).with_max_attempts(1),
        clock.now(),
    )
    .await;
    queue::claim(db, "a", 1, LEASE, clock.now()).await.unwrap();
    clock.advance(TimeDelta::minutes(5));
    assert!(
        queue::claim(db, "b", 1, LEASE, clock.now())
            .await
            .unwrap()
            .is_empty()
    );
    let stored = row(db, id).await;
    assert_eq!(stored.state, JobState::Discarded.as_str());
    assert!(stored.last_error.unwrap().contains("lease expired"));
}

#[tokio::test]
async fn completion_can_commit_with_the_jobs_own_effects() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let now = start();
    let id = add(db, job("effects", now), now).await;
    let held = queue::claim(db, "a", 1, LEASE, now)
        .await
        .unwrap()
        .remove(0);

    let txn = db.begin().await.unwrap();
    assert!(queue::complete(&txn, &held, now).await.unwrap());
    txn.rollback().await.unwrap();
    assert_eq!(row(db, id).await.state, JobState::Running.as_str());

    let txn = db.begin().await.unwrap();
    assert!(queue::complete(&txn, &held, now).await.unwrap());
    txn.commit().await.unwrap();
    assert_eq!(row(db, id).await.state, JobState::Succeeded.as_str());
}
