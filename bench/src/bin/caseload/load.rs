//! The HTTP load: N tasks sharing one reqwest client, each sending requests back to back until the run's
//! time is up or it has sent its cap of requests.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use crate::stats::Summary;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// `GET /api/v1/caseload` as the officer.
    Caseload,
    /// `POST /api/v1/people/{id}/contacts` for a random person of the officer's caseload.
    LogContact,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
    /// Persons 1..=caseload are the officer's.
    pub caseload: u32,
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

/// One worklist read before the load, to check that it is the officer's whole caseload.
pub async fn check_caseload(target: &Target) -> Result<usize> {
    let response = target
        .client
        .get(format!("{}/api/v1/caseload", target.base))
        .bearer_auth(&target.token)
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("GET /api/v1/caseload answered {status}: {body}");
    }
    let items = body["items"]
        .as_array()
        .context("the caseload has no items array")?;
    let with_work = items
        .iter()
        .filter(|item| {
            item["overdue"].as_array().is_some_and(|a| !a.is_empty())
                || item["due"].as_array().is_some_and(|a| !a.is_empty())
        })
        .count();
    eprintln!(
        "caseload: {} of {} people on the worklist have something due or overdue; body {} bytes",
        with_work,
        items.len(),
        body.to_string().len()
    );
    Ok(items.len())
}

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

pub async fn run(
    target: &Target,
    scenario: Scenario,
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
    result.elapsed = started.elapsed();
    Ok(result)
}

async fn client_loop(
    target: Target,
    scenario: Scenario,
    seed: u64,
    deadline: Instant,
    max_requests: u64,
) -> RunResult {
    let mut rng = StdRng::seed_from_u64(0xca5e_0000 + seed);
    let mut result = RunResult {
        latencies_us: Vec::with_capacity(8_192),
        ..RunResult::default()
    };
    let mut sent = 0;
    while sent < max_requests && Instant::now() < deadline {
        sent += 1;
        let request = match scenario {
            Scenario::Caseload => target
                .client
                .get(format!("{}/api/v1/caseload", target.base)),
            Scenario::LogContact => {
                let person = person_id(rng.random_range(1..=target.caseload));
                let occurred_at =
                    chrono::Utc::now() - chrono::Duration::minutes(rng.random_range(5..=600));
                target
                    .client
                    .post(format!("{}/api/v1/people/{person}/contacts", target.base))
                    .json(&json!({
                        "type": "telephone",
                        "occurred_at": occurred_at.to_rfc3339(),
                        "status": "completed",
                    }))
            }
        };
        let started = Instant::now();
        let outcome = async {
            let response = request.bearer_auth(&target.token).send().await?;
            let status = response.status();
            let body = response.bytes().await?;
            if status.is_success() {
                Ok(())
            } else {
                Err(anyhow::anyhow!(
                    "{status}: {}",
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
