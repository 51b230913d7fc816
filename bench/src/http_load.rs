//! The HTTP load: N tasks sharing one reqwest client (one keep-alive connection each), each sending
//! requests back to back until the run's time is up or it has sent its cap of requests.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::SEARCH_FRAGMENTS;
use crate::stats::Summary;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpScenario {
    /// `GET /api/v1/people/{id}` for a random person of the cohort.
    PersonRead,
    /// `GET /api/v1/people?q=<fragment>&per_page=25` for a random fragment.
    Search,
}

/// Where and as whom to send requests.
#[derive(Debug, Clone)]
pub struct HttpTarget {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
    pub people: u32,
}

/// Person `n`'s id, as `bench_person_id(n)` makes it in cohort.sql.
pub fn person_id(n: u32) -> String {
    format!("01900000-0000-7000-8000-{n:012x}")
}

pub async fn login(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> Result<String> {
    let response = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("login failed with {status}: {body}");
    }
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .context("login answered without an access_token")
}

/// What one run came to, across all clients.
#[derive(Debug, Default)]
pub struct RunResult {
    pub latencies_us: Vec<u64>,
    pub ok: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub elapsed: Duration,
}

impl RunResult {
    pub fn summary(self) -> Summary {
        Summary::from_latencies(self.latencies_us, self.errors, self.elapsed)
    }
}

/// Runs `clients` tasks for `duration` (each stops at the deadline or after `max_per_client` requests).
pub async fn run(
    target: &HttpTarget,
    scenario: HttpScenario,
    clients: usize,
    duration: Duration,
    max_per_client: u64,
) -> Result<RunResult> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(clients);
    for seed in 0..clients {
        let target = target.clone();
        tasks.push(tokio::spawn(async move {
            client_loop(target, scenario, seed as u64, deadline, max_per_client).await
        }));
    }
    let mut result = RunResult::default();
    for task in tasks {
        let one = task.await?;
        result.ok += one.ok;
        result.errors += one.errors;
        if result.first_error.is_none() {
            result.first_error = one.first_error;
        }
        result.latencies_us.extend(one.latencies_us);
    }
    // Requests in flight at the deadline are finished and counted, so the run lasts until the last
    // one is answered.
    result.elapsed = started.elapsed();
    Ok(result)
}

async fn client_loop(
    target: HttpTarget,
    scenario: HttpScenario,
    seed: u64,
    deadline: Instant,
    max_requests: u64,
) -> RunResult {
    let mut rng = StdRng::seed_from_u64(0x5eed_0000 + seed);
    let mut result = RunResult {
        latencies_us: Vec::with_capacity(16_384),
        ..RunResult::default()
    };
    let mut sent = 0;
    while sent < max_requests && Instant::now() < deadline {
        sent += 1;
        let url = match scenario {
            HttpScenario::PersonRead => format!(
                "{}/api/v1/people/{}",
                target.base,
                person_id(rng.random_range(1..=target.people))
            ),
            HttpScenario::Search => format!(
                "{}/api/v1/people?q={}&per_page=25",
                target.base,
                SEARCH_FRAGMENTS[rng.random_range(0..SEARCH_FRAGMENTS.len())]
            ),
        };
        let started = Instant::now();
        let outcome = async {
            let response = target
                .client
                .get(&url)
                .bearer_auth(&target.token)
                .send()
                .await?;
            let status = response.status();
            // The whole body is read: the client pays for what the server serialised.
            let body = response.bytes().await?;
            if status.is_success() {
                Ok(())
            } else {
                Err(anyhow::anyhow!(
                    "{status} for {url}: {}",
                    String::from_utf8_lossy(&body[..body.len().min(300)])
                ))
            }
        }
        .await;
        match outcome {
            Ok(()) => {
                result.ok += 1;
                result
                    .latencies_us
                    .push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
            }
            Err(error) => {
                result.errors += 1;
                if result.first_error.is_none() {
                    result.first_error = Some(error.to_string());
                }
            }
        }
    }
    result
}
