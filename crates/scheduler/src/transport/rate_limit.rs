//! Keeps a worker under a provider's request rate (GOV.UK Notify: 3,000 requests a minute), so that a
//! big batch of reminders is paced rather than answered with 429s.
//!
//! A token bucket: a burst of a tenth of the minute's allowance, refilled steadily with the rest, so
//! that no 60-second window ever holds more than the allowance. A caller that finds the bucket empty
//! takes a token on credit and waits until it would have been refilled, so callers are served in the
//! order they asked. The arithmetic is in [`TokenBucket`], a pure type tested without waiting; the
//! waiting uses tokio's clock because it paces real network calls.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use super::{Accepted, Lookup, OutgoingSms, SmsTransport, TransportError};

/// Token bucket arithmetic, with time passed in as "elapsed since the last call".
#[derive(Debug, Clone, PartialEq)]
pub struct TokenBucket {
    capacity: f64,
    per_second: f64,
    /// Below zero when callers have taken tokens on credit and are waiting for them.
    tokens: f64,
}

impl TokenBucket {
    /// At most `per_minute` requests in any 60 seconds (at least one): a full bucket of a tenth of
    /// them, and the other nine tenths refilled evenly over the minute.
    pub fn per_minute(per_minute: u32) -> Self {
        let per_minute = f64::from(per_minute.max(1));
        let capacity = (per_minute / 10.0).floor().max(1.0);
        let per_second = ((per_minute - capacity) / 60.0).max(1.0 / 60.0);
        Self {
            capacity,
            per_second,
            tokens: capacity,
        }
    }

    /// Tokens available now (negative while callers wait on credit).
    pub fn available(&self) -> f64 {
        self.tokens
    }

    pub fn capacity(&self) -> f64 {
        self.capacity
    }

    /// Adds what `elapsed` has earned, up to the capacity.
    pub fn refill(&mut self, elapsed: Duration) {
        self.tokens = (self.tokens + elapsed.as_secs_f64() * self.per_second).min(self.capacity);
    }

    /// Takes one token after `elapsed` has passed since the last call, and says how long the caller
    /// must wait before using it (zero if one was there).
    pub fn take(&mut self, elapsed: Duration) -> Duration {
        self.refill(elapsed);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.per_second)
        }
    }
}

/// A shared token bucket on tokio's clock.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<(TokenBucket, Instant)>,
}

impl RateLimiter {
    pub fn per_minute(per_minute: u32) -> Self {
        Self {
            state: Mutex::new((TokenBucket::per_minute(per_minute), Instant::now())),
        }
    }

    /// Waits until this caller may make one request.
    pub async fn acquire(&self) {
        let wait = {
            let mut state = self.state.lock().await;
            let (bucket, last) = &mut *state;
            let now = Instant::now();
            let wait = bucket.take(now.saturating_duration_since(*last));
            *last = now;
            wait
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// An SMS transport that paces every request (sends and lookups) through a [`RateLimiter`].
#[derive(Debug, Clone)]
pub struct RateLimitedSms {
    inner: Arc<dyn SmsTransport>,
    limiter: Arc<RateLimiter>,
}

impl RateLimitedSms {
    pub fn new(inner: Arc<dyn SmsTransport>, per_minute: u32) -> Self {
        Self {
            inner,
            limiter: Arc::new(RateLimiter::per_minute(per_minute)),
        }
    }
}

#[async_trait::async_trait]
impl SmsTransport for RateLimitedSms {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, TransportError> {
        self.limiter.acquire().await;
        self.inner.send(sms).await
    }

    async fn lookup(&self, reference: &str) -> Result<Lookup, TransportError> {
        self.limiter.acquire().await;
        self.inner.lookup(reference).await
    }

    fn supports_lookup(&self) -> bool {
        self.inner.supports_lookup()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPSILON: f64 = 1e-9;

    #[test]
    fn notify_allowance_is_a_burst_of_300_then_45_a_second() {
        let bucket = TokenBucket::per_minute(3000);
        assert!((bucket.capacity() - 300.0).abs() < EPSILON);
        assert!((bucket.per_second - 45.0).abs() < EPSILON);
    }

    #[test]
    fn a_full_bucket_serves_its_burst_without_waiting_then_paces() {
        let mut bucket = TokenBucket::per_minute(3000);
        for _ in 0..300 {
            assert_eq!(bucket.take(Duration::ZERO), Duration::ZERO);
        }
        // The 301st waits for one token at 45 a second; the 302nd for two.
        let first = bucket.take(Duration::ZERO);
        let second = bucket.take(Duration::ZERO);
        assert!((first.as_secs_f64() - 1.0 / 45.0).abs() < 1e-6, "{first:?}");
        assert!(
            (second.as_secs_f64() - 2.0 / 45.0).abs() < 1e-6,
            "{second:?}"
        );
    }

    #[test]
    fn refill_is_proportional_to_elapsed_time_and_capped() {
        let mut bucket = TokenBucket::per_minute(3000);
        for _ in 0..300 {
            bucket.take(Duration::ZERO);
        }
        assert!(bucket.available().abs() < EPSILON);
        bucket.refill(Duration::from_secs(2));
        assert!((bucket.available() - 90.0).abs() < EPSILON);
        bucket.refill(Duration::from_secs(3600));
        assert!((bucket.available() - 300.0).abs() < EPSILON);
    }

    #[test]
    fn no_sixty_second_window_exceeds_the_allowance() {
        // Take as fast as allowed for a minute, in 10 ms steps: never more than 3,000.
        let mut bucket = TokenBucket::per_minute(3000);
        let mut served = 0_u32;
        let mut elapsed = Duration::ZERO;
        let step = Duration::from_millis(10);
        while elapsed < Duration::from_secs(60) {
            let mut since_last = step;
            loop {
                let mut trial = bucket.clone();
                if trial.take(since_last) > Duration::ZERO {
                    bucket.refill(since_last);
                    break;
                }
                bucket = trial;
                since_last = Duration::ZERO;
                served += 1;
            }
            elapsed += step;
        }
        assert!(served <= 3000, "{served}");
        assert!(served >= 2900, "{served}");
    }

    #[test]
    fn tiny_and_zero_allowances_still_allow_one() {
        let mut bucket = TokenBucket::per_minute(0);
        assert_eq!(bucket.take(Duration::ZERO), Duration::ZERO);
        let wait = bucket.take(Duration::ZERO);
        assert!((wait.as_secs_f64() - 60.0).abs() < 1e-6, "{wait:?}");
    }

    #[tokio::test]
    async fn the_limiter_serves_the_burst_at_once_then_makes_the_next_caller_wait() {
        let limiter = RateLimiter::per_minute(60); // a burst of 6, then one every 1.1 seconds.
        let burst = tokio::time::timeout(Duration::from_secs(5), async {
            for _ in 0..6 {
                limiter.acquire().await;
            }
        })
        .await;
        assert!(burst.is_ok(), "the burst should not wait");
        let seventh = tokio::time::timeout(Duration::from_millis(50), limiter.acquire()).await;
        assert!(
            seventh.is_err(),
            "the seventh request should wait for a token"
        );
    }
}
