//! Failures: backoff, dead-letter after the last attempt, permanent errors, provider throttling; pruning.

use std::time::Duration;

use chrono::TimeDelta;
use vigil_domain::clock::{Clock, ManualClock};
use vigil_persistence::testing::TestDatabase;
use vigil_scheduler::error::JobError;
use vigil_scheduler::queue::{self, FailOutcome, JobState};

use crate::common::{add, count, job, row, start};

const LEASE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn retryable_failures_back_off_until_the_last_attempt_then_discard() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let clock = ManualClock::new(start());
    let id = add(
        db,
        job("flaky", clock.now()).with_max_attempts(3),
        clock.now(),
    )
    .await;

    // Attempt n backs off 10s * 2^(n-1), ±20%.
    for (attempt, nominal_secs) in [(1, 10.0), (2, 20.0)] {
        let held = queue::claim(db, "w", 1, LEASE, clock.now())
            .await
            .unwrap()
            .remove(0);
        assert_eq!(held.attempts, attempt);
        let outcome = queue::fail(
            db,
            &held,
            JobError::Retryable(format!("timeout {attempt}")),
            clock.now(),
        )
        .await
        .unwrap();
        let FailOutcome::Retrying { run_at } = outcome else {
            panic!("attempt {attempt} should retry: {outcome:?}");
        };
        let delay = (run_at - clock.now()).as_seconds_f64();
        assert!(
            (nominal_secs * 0.8..=nominal_secs * 1.2).contains(&delay),
            "attempt {attempt}: delay {delay}s outside the backoff band"
        );
        let stored = row(db, id).await;
        assert_eq!(stored.state, JobState::Available.as_str());
        assert_eq!(stored.run_at, run_at);
        assert_eq!(stored.attempts, attempt);
        assert_eq!(stored.locked_by, None);
        assert_eq!(stored.lease_expires_at, None);
        assert_eq!(stored.last_error, Some(format!("timeout {attempt}")));

        // Not before the backoff has passed.
        assert!(
            queue::claim(db, "w", 1, LEASE, run_at - TimeDelta::milliseconds(1))
                .await
                .unwrap()
                .is_empty()
        );
        clock.set(run_at);
    }

    let last = queue::claim(db, "w", 1, LEASE, clock.now())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(last.attempts, 3);
    assert_eq!(
        queue::fail(
            db,
            &last,
            JobError::Retryable("timeout 3".into()),
            clock.now()
        )
        .await
        .unwrap(),
        FailOutcome::Discarded
    );
    let stored = row(db, id).await;
    assert_eq!(stored.state, JobState::Discarded.as_str());
    assert_eq!(stored.last_error.as_deref(), Some("timeout 3"));
    clock.advance(TimeDelta::days(1));
    assert!(
        queue::claim(db, "w", 1, LEASE, clock.now())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_permanent_failure_discards_at_once() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let now = start();
    let id = add(db, job("bad", now), now).await;
    let held = queue::claim(db, "w", 1, LEASE, now)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        queue::fail(db, &held, JobError::Permanent("no such person".into()), now)
            .await
            .unwrap(),
        FailOutcome::Discarded
    );
    let stored = row(db, id).await;
    assert_eq!(stored.state, JobState::Discarded.as_str());
    assert_eq!(stored.attempts, 1);
    assert_eq!(stored.last_error.as_deref(), Some("no such person"));
}

#[tokio::test]
async fn provider_throttling_retries_without_spending_an_attempt() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let clock = ManualClock::new(start());
    let id = add(
        db,
        job("sms", clock.now()).with_max_attempts(1),
        clock.now(),
    )
    .await;

    // Many 429s in a row never exhaust the single attempt.
    for _ in 0..3 {
        let held = queue::claim(db, "w", 1, LEASE, clock.now())
            .await
            .unwrap()
            .remove(0);
        assert_eq!(held.attempts, 1);
        let error =
            JobError::RetryWithoutAttempt("429 Too Many Requests".into(), Duration::from_secs(30));
        assert_eq!(
            queue::fail(db, &held, error, clock.now()).await.unwrap(),
            FailOutcome::Retrying {
                run_at: clock.now() + TimeDelta::seconds(30)
            }
        );
        let stored = row(db, id).await;
        assert_eq!(stored.state, JobState::Available.as_str());
        assert_eq!(stored.attempts, 0);
        assert_eq!(stored.run_at, clock.now() + TimeDelta::seconds(30));
        clock.advance(TimeDelta::seconds(30));
    }
    let held = queue::claim(db, "w", 1, LEASE, clock.now())
        .await
        .unwrap()
        .remove(0);
    assert!(queue::complete(db, &held, clock.now()).await.unwrap());
    assert_eq!(row(db, id).await.state, JobState::Succeeded.as_str());
}

#[tokio::test]
async fn pruning_removes_only_finished_jobs_older_than_the_cutoff() {
    let test_db = TestDatabase::migrated().await;
    let db = test_db.db.connection();
    let long_ago = start() - TimeDelta::days(40);
    let now = start();

    let old_succeeded = add(db, job("a", long_ago), long_ago).await;
    let old_discarded = add(db, job("b", long_ago), long_ago).await;
    let old_running = add(db, job("c", long_ago), long_ago).await;
    let old_available = add(db, job("d", long_ago + TimeDelta::days(100)), long_ago).await;
    let claimed = queue::claim(db, "w", 3, LEASE, long_ago).await.unwrap();
    assert_eq!(claimed.len(), 3);
    for held in &claimed {
        if held.id == old_succeeded {
            assert!(queue::complete(db, held, long_ago).await.unwrap());
        } else if held.id == old_discarded {
            queue::fail(db, held, JobError::Permanent("x".into()), long_ago)
                .await
                .unwrap();
        }
    }
    // Expired leases are rescued before due jobs are taken: the claim gets the old running job back,
    // then the new one.
    let recent_succeeded = add(db, job("e", now).with_priority(10), now).await;
    let claimed = queue::claim(db, "w", 2, LEASE, now).await.unwrap();
    assert_eq!(
        claimed.iter().map(|held| held.id).collect::<Vec<_>>(),
        [old_running, recent_succeeded]
    );
    assert!(queue::complete(db, &claimed[1], now).await.unwrap());

    let pruned = queue::prune(db, now - TimeDelta::days(30)).await.unwrap();
    assert_eq!(pruned, 2);
    assert_eq!(count(db).await, 3);
    for kept in [old_running, old_available, recent_succeeded] {
        row(db, kept).await;
    }
}
