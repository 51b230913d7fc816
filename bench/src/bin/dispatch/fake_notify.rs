//! A local stand-in for GOV.UK Notify: `POST /v2/notifications/sms` answers 201 with a fresh id at once,
//! and counts what it received (requests, distinct references, requests without a bearer token). It is
//! served on 127.0.0.1:0 by its own one-thread runtime (threads named `fake-notify`), as a provider
//! would be a separate process; its CPU time is reported apart from the workers'.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

/// The thread name prefix of the fake's runtime, used to tell its CPU time apart.
pub const THREAD_NAME: &str = "fake-notify";

/// What the fake received.
#[derive(Debug, Default)]
pub struct Received {
    requests: AtomicU64,
    unauthorised: AtomicU64,
    references: Mutex<HashSet<String>>,
}

/// Counts at the end of a run.
#[derive(Debug, Clone, Copy)]
pub struct Counts {
    pub requests: u64,
    pub distinct_references: u64,
    pub unauthorised: u64,
}

impl Received {
    pub fn counts(&self) -> Counts {
        let distinct_references = self
            .references
            .lock()
            .map_or(0, |references| references.len() as u64);
        Counts {
            requests: self.requests.load(Ordering::Relaxed),
            distinct_references,
            unauthorised: self.unauthorised.load(Ordering::Relaxed),
        }
    }
}

pub struct FakeNotify {
    pub base_url: String,
    pub received: Arc<Received>,
    shutdown: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl FakeNotify {
    pub fn start() -> Result<Self> {
        let received = Arc::new(Received::default());
        let state = Arc::clone(&received);
        let (ready, address) = std::sync::mpsc::channel::<Result<SocketAddr>>();
        let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(THREAD_NAME.to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .thread_name(THREAD_NAME)
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = ready.send(Err(error.into()));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                        Ok(listener) => listener,
                        Err(error) => {
                            let _ = ready.send(Err(error.into()));
                            return;
                        }
                    };
                    let _ = ready.send(listener.local_addr().map_err(Into::into));
                    let app = Router::new()
                        .route("/v2/notifications/sms", post(send_sms))
                        .route("/v2/notifications", get(lookup))
                        .with_state(state);
                    let served = axum::serve(listener, app)
                        .with_graceful_shutdown(async move {
                            let _ = stopped.await;
                        })
                        .await;
                    if let Err(error) = served {
                        eprintln!("dispatch: the fake provider stopped with an error: {error}");
                    }
                });
                runtime.shutdown_timeout(Duration::from_secs(5));
            })?;
        let address = address
            .recv_timeout(Duration::from_secs(30))
            .context("the fake provider did not start within 30 s")??;
        Ok(Self {
            base_url: format!("http://{address}"),
            received,
            shutdown,
            thread,
        })
    }

    pub fn stop(self) {
        let _ = self.shutdown.send(());
        if self.thread.join().is_err() {
            eprintln!("dispatch: the fake provider's thread panicked");
        }
    }
}

/// Notify's send-a-text endpoint: 201 and an id, whatever the body says (the body is read and parsed).
async fn send_sms(
    State(received): State<Arc<Received>>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> (StatusCode, Json<Value>) {
    received.requests.fetch_add(1, Ordering::Relaxed);
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("Bearer ey"));
    if !bearer {
        received.unauthorised.fetch_add(1, Ordering::Relaxed);
    }
    let reference = body
        .get("reference")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if let Ok(mut references) = received.references.lock() {
        references.insert(reference.clone());
    }
    let id = uuid::Uuid::new_v4();
    (
        StatusCode::CREATED,
        Json(json!({ "id": id, "reference": reference, "uri": format!("/v2/notifications/{id}") })),
    )
}

/// Notify's list of notifications by reference: the workers only ask after an interrupted send, which
/// this benchmark never causes, so the answer is always "none".
async fn lookup() -> Json<Value> {
    Json(json!({ "notifications": [] }))
}
