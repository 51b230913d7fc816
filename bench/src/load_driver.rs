//! The HTTP load both API benchmarks drive: N tasks sharing one reqwest client (one keep-alive connection
//! each), each sending requests back to back until the run's time is up or it has sent its cap of
//! requests. What each request is, is the caller's (a closure); timing and counting are here.

use std::fmt::Debug;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};

use crate::common_options::Common;
use crate::stats::Summary;

/// Person `n`'s id, as `bench_person_id(n)` makes it in cohort.sql.
pub fn person_id(n: u32) -> String {
    format!("01900000-0000-7000-8000-{n:012x}")
}

/// Signs in through the API and returns the access token.
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

/// Measures one HTTP scenario the way both API benches do: [`announce`], the unmeasured warm-up, which must have at least one success (else the scenario
/// is broken, not slow), then the measured run; progress and failures go to stderr under `prefix`, the
/// binary's name. `run` runs the scenario at `options.clients` clients for the time it is given.
pub async fn measure<S, F, Fut>(
    prefix: &str,
    scenario: S,
    options: &Common,
    db: &sea_orm::DatabaseConnection,
    run: F,
) -> Result<Summary>
where
    S: Debug,
    F: Fn(Duration) -> Fut,
    Fut: Future<Output = Result<RunResult>>,
{
    announce(prefix, &format!("API {scenario:?}"), options, db).await?;
    if !options.warmup.is_zero() {
        let warmup = run(options.warmup).await?;
        if warmup.ok == 0 {
            bail!(
                "no successful request during the warm-up of {scenario:?}: {}",
                warmup.first_error.as_deref().unwrap_or("?")
            );
        }
    }
    let measured = run(options.duration).await?;
    if measured.errors > 0 {
        eprintln!(
            "{prefix}: API {scenario:?}: {} failed requests (first: {})",
            measured.errors,
            measured.first_error.as_deref().unwrap_or("?")
        );
    }
    let summary = measured.summary();
    eprintln!("{prefix}:   {summary}");
    Ok(summary)
}

/// What comes before every measured scenario, HTTP or pgbench: a checkpoint, so that the previous run's
/// writes are not paid for by this one, and a progress line naming `what` is run and for how long.
pub async fn announce(
    prefix: &str,
    what: &str,
    options: &Common,
    db: &sea_orm::DatabaseConnection,
) -> Result<()> {
    crate::cohort::checkpoint(db).await?;
    eprintln!(
        "{prefix}: {what}: warm-up {} s, then {} s at {} clients",
        options.warmup.as_secs(),
        options.duration.as_secs(),
        options.clients
    );
    Ok(())
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

    fn record_error(&mut self, error: String) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(error);
        }
    }
}

/// Runs `clients` tasks for `duration` (each stops at the deadline or after `max_per_client` requests).
/// `request` makes each request, drawing what it needs from the client's own seeded generator
/// (`seed_base` + client number), so runs are repeatable.
pub async fn run<F>(
    clients: usize,
    duration: Duration,
    max_per_client: u64,
    seed_base: u64,
    request: F,
) -> Result<RunResult>
where
    F: Fn(&mut StdRng) -> reqwest::RequestBuilder + Clone + Send + 'static,
{
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(clients);
    for client in 0..clients {
        let request = request.clone();
        let rng = StdRng::seed_from_u64(seed_base + client as u64);
        tasks.push(tokio::spawn(client_loop(
            request,
            rng,
            deadline,
            max_per_client,
        )));
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

async fn client_loop<F>(
    request: F,
    mut rng: StdRng,
    deadline: Instant,
    max_requests: u64,
) -> RunResult
where
    F: Fn(&mut StdRng) -> reqwest::RequestBuilder,
{
    let mut result = RunResult {
        latencies_us: Vec::with_capacity(16_384),
        ..RunResult::default()
    };
    let mut sent = 0;
    while sent < max_requests && Instant::now() < deadline {
        sent += 1;
        let builder = request(&mut rng);
        let started = Instant::now();
        match send(builder).await {
            Ok(()) => {
                result.ok += 1;
                result
                    .latencies_us
                    .push(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
            }
            Err(error) => result.record_error(error.to_string()),
        }
    }
    result
}

/// Sends one request and reads the whole body: the client pays for what the server serialised.
async fn send(builder: reqwest::RequestBuilder) -> Result<()> {
    let response = builder.send().await?;
    let status = response.status();
    let url = response.url().clone();
    let body = response.bytes().await?;
    if status.is_success() {
        Ok(())
    } else {
        bail!(
            "{status} for {url}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        )
    }
}
