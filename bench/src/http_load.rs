//! The API-read scenarios: which request each client sends. The driving (clients, timing, counting) is
//! `load_driver`'s.

use std::time::Duration;

use anyhow::Result;
use rand::Rng;

use crate::SEARCH_FRAGMENTS;
use crate::load_driver::{self, RunResult, person_id};

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

/// Runs `clients` tasks for `duration` (each stops at the deadline or after `max_per_client` requests).
pub async fn run(
    target: &HttpTarget,
    scenario: HttpScenario,
    clients: usize,
    duration: Duration,
    max_per_client: u64,
) -> Result<RunResult> {
    let target = target.clone();
    load_driver::run(clients, duration, max_per_client, 0x5eed_0000, move |rng| {
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
        target.client.get(url).bearer_auth(&target.token)
    })
    .await
}
