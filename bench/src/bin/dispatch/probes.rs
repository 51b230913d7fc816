//! A stopwatch around the real SMS transport, to say how much of a job's time is the HTTP request to the
//! provider (with its JWT). It only adds two clock reads per send.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use vigil_scheduler::transport::{Accepted, Lookup, OutgoingSms, SmsTransport, TransportError};

/// Calls and their summed wall time.
#[derive(Debug, Default)]
pub struct Stopwatch {
    calls: AtomicU64,
    micros: AtomicU64,
}

impl Stopwatch {
    fn record(&self, started: Instant) {
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.calls.fetch_add(1, Ordering::Relaxed);
        self.micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    /// Mean wall time per call, in milliseconds.
    pub fn mean_ms(&self) -> f64 {
        let calls = self.calls();
        if calls == 0 {
            return 0.0;
        }
        self.micros.load(Ordering::Relaxed) as f64 / calls as f64 / 1000.0
    }
}

#[derive(Debug)]
pub struct TimedSms {
    pub inner: Arc<dyn SmsTransport>,
    pub watch: Arc<Stopwatch>,
}

#[async_trait]
impl SmsTransport for TimedSms {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn send(&self, sms: &OutgoingSms) -> Result<Accepted, TransportError> {
        let started = Instant::now();
        let result = self.inner.send(sms).await;
        self.watch.record(started);
        result
    }

    async fn lookup(&self, reference: &str) -> Result<Lookup, TransportError> {
        self.inner.lookup(reference).await
    }

    fn supports_lookup(&self) -> bool {
        self.inner.supports_lookup()
    }
}
