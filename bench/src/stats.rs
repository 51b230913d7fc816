//! Rates and latency percentiles.

use std::fmt;
use std::time::Duration;

/// What a measured run came to.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// Successful requests (or transactions) per second.
    pub rate: f64,
    pub count: u64,
    pub errors: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Summary {
    /// From the latencies (in microseconds) of the successful requests of a run lasting `elapsed`.
    pub fn from_latencies(mut micros: Vec<u64>, errors: u64, elapsed: Duration) -> Self {
        micros.sort_unstable();
        let count = micros.len() as u64;
        let seconds = elapsed.as_secs_f64().max(f64::EPSILON);
        Summary {
            rate: count as f64 / seconds,
            count,
            errors,
            p50_ms: percentile(&micros, 0.50),
            p95_ms: percentile(&micros, 0.95),
            p99_ms: percentile(&micros, 0.99),
            max_ms: micros.last().map_or(0.0, |&m| m as f64 / 1000.0),
        }
    }

    /// With the rate given from elsewhere (pgbench's own tps figure).
    pub fn with_rate(mut self, rate: f64) -> Self {
        self.rate = rate;
        self
    }
}

/// Nearest-rank percentile of sorted microsecond values, in milliseconds.
fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    let index = rank.clamp(1, sorted.len()) - 1;
    sorted[index] as f64 / 1000.0
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.1}/s over {} ok ({} errors); p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            self.rate, self.count, self.errors, self.p50_ms, self.p95_ms, self.p99_ms, self.max_ms
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let values: Vec<u64> = (1..=100).map(|v| v * 1000).collect();
        let summary = Summary::from_latencies(values, 0, Duration::from_secs(10));
        assert!((summary.rate - 10.0).abs() < 1e-9);
        assert!((summary.p50_ms - 50.0).abs() < 1e-9);
        assert!((summary.p99_ms - 99.0).abs() < 1e-9);
        assert!((summary.max_ms - 100.0).abs() < 1e-9);
    }
}
