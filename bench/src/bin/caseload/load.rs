//! The caseload scenarios: which request each client sends. The driving (clients, timing, counting) is
//! `load_driver`'s.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use rand::Rng;
use serde_json::{Value, json};

use crate::load_driver::{self, RunResult, person_id};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// `GET /api/v1/caseload` as the officer.
    Caseload,
    /// `POST /api/v1/people/{id}/contacts` for a random person (of the caseload, or of the cohort).
    LogContact,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
    /// Contacts are logged for persons 1..=contact_people.
    pub contact_people: u32,
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

pub async fn run(
    target: &Target,
    scenario: Scenario,
    clients: usize,
    duration: Duration,
    max_per_client: u64,
) -> Result<RunResult> {
    let target = target.clone();
    load_driver::run(clients, duration, max_per_client, 0xca5e_0000, move |rng| {
        let request = match scenario {
            Scenario::Caseload => target
                .client
                .get(format!("{}/api/v1/caseload", target.base)),
            Scenario::LogContact => {
                let person = person_id(rng.random_range(1..=target.contact_people));
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
        request.bearer_auth(&target.token)
    })
    .await
}
