//! Creating jobs: idempotent by unique key, and part of the caller's transaction.

use chrono::TimeDelta;
use sea_orm::TransactionTrait;
use vigil_persistence::testing::TestDatabase;
use vigil_scheduler::queue::{self, EnqueueOutcome, JobState};

use crate::common::{add, count, job, row, start};

#[tokio::test]
async fn a_unique_key_creates_one_job_however_often_it_is_enqueued() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let now = start();
    let first = queue::enqueue(db, job("remind", now).with_unique_key("remind:1"), now)
        .await
        .unwrap();
    let EnqueueOutcome::Created(id) = first else {
        panic!("first enqueue should create: {first:?}");
    };
    let again = queue::enqueue(
        db,
        job("remind", now + TimeDelta::hours(1)).with_unique_key("remind:1"),
        now,
    )
    .await
    .unwrap();
    assert_eq!(again, EnqueueOutcome::AlreadyExists);
    assert_eq!(count(db).await, 1);
    let stored = row(db, id).await;
    assert_eq!(stored.run_at, now, "the first job is kept as it was");
    assert_eq!(stored.state, JobState::Available.as_str());
    assert_eq!((stored.attempts, stored.epoch), (0, 0));

    // Jobs without a key never conflict.
    add(db, job("remind", now), now).await;
    add(db, job("remind", now), now).await;
    assert_eq!(count(db).await, 3);
}

#[tokio::test]
async fn enqueueing_is_part_of_the_callers_transaction() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let now = start();

    let txn = db.begin().await.unwrap();
    queue::enqueue(&txn, job("send", now).with_unique_key("send:1"), now)
        .await
        .unwrap();
    txn.rollback().await.unwrap();
    assert_eq!(
        count(db).await,
        0,
        "a rolled-back transaction leaves no job"
    );

    let txn = db.begin().await.unwrap();
    let created = queue::enqueue(&txn, job("send", now).with_unique_key("send:1"), now)
        .await
        .unwrap();
    assert!(matches!(created, EnqueueOutcome::Created(_)));
    // A duplicate inside the same transaction does not abort it (no unique violation on PostgreSQL).
    let duplicate = queue::enqueue(&txn, job("send", now).with_unique_key("send:1"), now)
        .await
        .unwrap();
    assert_eq!(duplicate, EnqueueOutcome::AlreadyExists);
    txn.commit().await.unwrap();
    assert_eq!(count(db).await, 1);
}
