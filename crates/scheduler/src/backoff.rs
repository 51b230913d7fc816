//! Exponential backoff with jitter for retryable job failures.
//!
//! The delay is a pure function of the attempt number and a random fraction, so that it can be tested
//! exactly; [`RetryPolicy::delay_now`] draws the fraction.

use std::time::Duration;

use rand::Rng;

/// How long to wait before the next attempt: `base * factor^(attempt-1)`, scaled by a jitter of
/// `±jitter` (so that jobs that failed together do not retry together), never more than `cap`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub factor: f64,
    pub cap: Duration,
    /// Relative jitter, 0.2 for ±20%.
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(10),
            factor: 2.0,
            cap: Duration::from_secs(60 * 60),
            jitter: 0.2,
        }
    }
}

impl RetryPolicy {
    /// The delay after the `attempt`-th failed attempt (1 for the first), with `random_fraction` in
    /// `[0, 1]` choosing where in the jitter band it falls (0 → `-jitter`, 1 → `+jitter`). Rounded to whole
    /// milliseconds, because the database keeps no more.
    pub fn delay(&self, attempt: i32, random_fraction: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).clamp(0, 64);
        let cap = self.cap.as_secs_f64();
        let unjittered = (self.base.as_secs_f64() * self.factor.powi(exponent)).min(cap);
        let fraction = if random_fraction.is_finite() {
            random_fraction.clamp(0.0, 1.0)
        } else {
            0.5
        };
        let scale = 1.0 + self.jitter * (2.0 * fraction - 1.0);
        let seconds = (unjittered * scale).clamp(0.0, cap);
        Duration::from_millis((seconds * 1000.0).round() as u64)
    }

    /// [`delay`](Self::delay) with a fresh random fraction.
    pub fn delay_now(&self, attempt: i32) -> Duration {
        self.delay(attempt, rand::rng().random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn doubles_from_ten_seconds_without_jitter() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, 0.5), Duration::from_secs(10));
        assert_eq!(policy.delay(2, 0.5), Duration::from_secs(20));
        assert_eq!(policy.delay(3, 0.5), Duration::from_secs(40));
        assert_eq!(policy.delay(9, 0.5), Duration::from_secs(2560));
    }

    #[test]
    fn jitter_spans_twenty_percent_either_way() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, 0.0), Duration::from_secs(8));
        assert_eq!(policy.delay(1, 1.0), Duration::from_secs(12));
    }

    #[test]
    fn never_exceeds_the_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(10, 0.5), Duration::from_secs(3600));
        assert_eq!(policy.delay(10, 1.0), Duration::from_secs(3600));
        assert_eq!(policy.delay(i32::MAX, 1.0), Duration::from_secs(3600));
        // Jitter still spreads capped delays downwards.
        assert_eq!(policy.delay(40, 0.0), Duration::from_secs(2880));
    }

    #[test]
    fn odd_inputs_are_tamed() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(0, 0.5), Duration::from_secs(10));
        assert_eq!(policy.delay(-3, 0.5), Duration::from_secs(10));
        assert_eq!(policy.delay(1, f64::NAN), Duration::from_secs(10));
        assert_eq!(policy.delay(1, 7.0), Duration::from_secs(12));
    }

    proptest! {
        #[test]
        fn delay_stays_within_the_jitter_band_and_the_cap(attempt in -5i32..200, fraction in 0.0f64..=1.0) {
            let policy = RetryPolicy::default();
            let delay = policy.delay(attempt, fraction).as_secs_f64();
            let exponent = attempt.saturating_sub(1).clamp(0, 64);
            let nominal = (10.0 * 2f64.powi(exponent)).min(3600.0);
            prop_assert!(delay >= nominal * 0.8 - 0.001, "{delay} < 0.8 * {nominal}");
            prop_assert!(delay <= (nominal * 1.2).min(3600.0) + 0.001, "{delay} > 1.2 * {nominal}");
            prop_assert!(delay <= 3600.0);
        }

        #[test]
        fn delay_grows_with_the_attempt(attempt in 1i32..30, fraction in 0.0f64..=1.0) {
            let policy = RetryPolicy::default();
            prop_assert!(policy.delay(attempt + 1, fraction) >= policy.delay(attempt, fraction));
        }
    }
}
