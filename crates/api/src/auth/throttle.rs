//! Login throttling, per account and per client address. After a few failures each further attempt must wait
//! (slowed); after many the key is locked out for a while (refused). Both answer 429 with `Retry-After`.
//! Kept in memory per process: with several API replicas each enforces its own limit, which still bounds
//! guessing to a small multiple.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

/// Above this many remembered keys, expired ones are dropped before counting another failure.
const PRUNE_ABOVE: usize = 1024;

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Failures allowed before attempts are spaced out.
    pub free_failures: u32,
    /// Failures after which the key is locked out.
    pub lockout_after: u32,
    pub lockout: Duration,
    /// Failures older than this are forgotten.
    pub window: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_failures: 3,
            lockout_after: 10,
            lockout: Duration::minutes(15),
            window: Duration::minutes(15),
        }
    }
}

#[derive(Debug, Default, Clone)]
struct Failures {
    count: u32,
    last: Option<DateTime<Utc>>,
}

#[derive(Debug, Default)]
pub struct LoginThrottle {
    policy: ThrottlePolicy,
    failures: Mutex<HashMap<String, Failures>>,
}

impl LoginThrottle {
    pub fn new(policy: ThrottlePolicy) -> Self {
        Self {
            policy,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// How long the caller must wait before trying `keys` again; `None` means go ahead.
    pub fn retry_after(&self, keys: &[String], now: DateTime<Utc>) -> Option<Duration> {
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        keys.iter()
            .filter_map(|key| failures.get(key))
            .filter_map(|entry| self.wait_for(entry, now))
            .max()
    }

    fn wait_for(&self, entry: &Failures, now: DateTime<Utc>) -> Option<Duration> {
        let last = entry.last?;
        if now - last >= self.policy.window.max(self.policy.lockout) {
            return None;
        }
        let required = if entry.count >= self.policy.lockout_after {
            self.policy.lockout
        } else if entry.count > self.policy.free_failures {
            // 2, 4, 8, ... seconds between attempts.
            Duration::seconds(1_i64 << (entry.count - self.policy.free_failures).min(8))
        } else {
            return None;
        };
        let remaining = required - (now - last);
        (remaining > Duration::zero()).then_some(remaining)
    }

    /// Admits an attempt on `keys`, or says how long to wait. An admitted attempt counts as a failure at
    /// once, under the same lock as the check, so that a burst of concurrent guesses cannot all pass the
    /// check before any of their failures is recorded; [`LoginThrottle::record_success`] clears it.
    pub fn begin_attempt(&self, keys: &[String], now: DateTime<Utc>) -> Result<(), Duration> {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let wait = keys
            .iter()
            .filter_map(|key| failures.get(key))
            .filter_map(|entry| self.wait_for(entry, now))
            .max();
        match wait {
            Some(wait) => Err(wait),
            None => {
                self.count_failure(&mut failures, keys, now);
                Ok(())
            }
        }
    }

    pub fn record_failure(&self, keys: &[String], now: DateTime<Utc>) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.count_failure(&mut failures, keys, now);
    }

    fn count_failure(
        &self,
        failures: &mut HashMap<String, Failures>,
        keys: &[String],
        now: DateTime<Utc>,
    ) {
        // Forget keys whose failures have all expired, so guessing with many addresses or emails cannot
        // grow the map without bound.
        if failures.len() > PRUNE_ABOVE {
            let memory = self.policy.window.max(self.policy.lockout);
            failures.retain(|_, entry| entry.last.is_some_and(|last| now - last < memory));
        }
        for key in keys {
            let entry = failures.entry(key.clone()).or_default();
            if entry
                .last
                .is_some_and(|last| now - last >= self.policy.window.max(self.policy.lockout))
            {
                entry.count = 0;
            }
            entry.count += 1;
            entry.last = Some(now);
        }
    }

    /// A successful sign-in clears the account's failures, and takes back only this attempt's count from the
    /// other keys (the client address): one valid account must not reset the address's count of guesses
    /// at other accounts.
    pub fn record_success(&self, account_key: &str, other_keys: &[String]) {
        let mut failures = self
            .failures
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        failures.remove(account_key);
        for key in other_keys {
            if let Some(entry) = failures.get_mut(key) {
                entry.count = entry.count.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_admitted_attempt_counts_until_it_succeeds() {
        let throttle = LoginThrottle::new(ThrottlePolicy::default());
        let keys = vec!["account:a@example.org".to_owned()];
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        for _ in 0..4 {
            assert_eq!(throttle.begin_attempt(&keys, now), Ok(()));
        }
        assert_eq!(
            throttle.begin_attempt(&keys, now),
            Err(Duration::seconds(2))
        );
        throttle.record_success(&keys[0], &[]);
        assert_eq!(throttle.begin_attempt(&keys, now), Ok(()));
    }

    #[test]
    fn a_success_clears_the_account_but_not_the_address_count_of_other_guesses() {
        let throttle = LoginThrottle::new(ThrottlePolicy::default());
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        let address = vec!["address:10.0.0.1".to_owned()];
        for victim in ["a", "b", "c"] {
            let keys = vec![format!("account:{victim}@example.org"), address[0].clone()];
            assert_eq!(throttle.begin_attempt(&keys, now), Ok(()));
        }
        let own = vec!["account:me@example.org".to_owned(), address[0].clone()];
        assert_eq!(throttle.begin_attempt(&own, now), Ok(()));
        throttle.record_success(&own[0], &address);
        // Three failed guesses remain counted against the address; one more is free, the next waits.
        let next = vec!["account:d@example.org".to_owned(), address[0].clone()];
        assert_eq!(throttle.begin_attempt(&next, now), Ok(()));
        assert_eq!(
            throttle.begin_attempt(&next, now),
            Err(Duration::seconds(2))
        );
    }

    #[test]
    fn slows_then_locks_out_then_forgets() {
        let throttle = LoginThrottle::new(ThrottlePolicy::default());
        let keys = vec!["account:a@example.org".to_owned()];
        let mut now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
        for _ in 0..3 {
            assert_eq!(throttle.retry_after(&keys, now), None);
            throttle.record_failure(&keys, now);
        }
        throttle.record_failure(&keys, now);
        assert_eq!(throttle.retry_after(&keys, now), Some(Duration::seconds(2)));
        now += Duration::seconds(2);
        assert_eq!(throttle.retry_after(&keys, now), None);
        for _ in 0..6 {
            throttle.record_failure(&keys, now);
        }
        assert_eq!(
            throttle.retry_after(&keys, now),
            Some(Duration::minutes(15))
        );
        now += Duration::minutes(15);
        assert_eq!(throttle.retry_after(&keys, now), None);
        throttle.record_failure(&keys, now);
        assert_eq!(
            throttle.retry_after(&keys, now),
            None,
            "the count started again"
        );
    }
}
