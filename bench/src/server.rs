//! The real router, served on 127.0.0.1:0 by its own runtime on its own threads. Shared by the benchmark
//! binaries (each includes this file as a module).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use secrecy::SecretString;
use vigil_api::auth::tokens::TokenKeys;
use vigil_api::{AppState, HttpSettings};
use vigil_domain::{SystemClock, WorkingCalendar};
use vigil_persistence::Database;

pub struct Server {
    pub address: SocketAddr,
    shutdown: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Server {
    pub fn stop(self) {
        let _ = self.shutdown.send(());
        if self.thread.join().is_err() {
            eprintln!("bench: the server thread panicked");
        }
    }
}

pub fn start(url: &str, pool: u32, threads: usize) -> Result<Server> {
    let url = url.to_owned();
    let (ready, address) = std::sync::mpsc::channel::<Result<SocketAddr>>();
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("vigil-server-main".to_owned())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(threads)
                .thread_name("vigil-server")
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
                let setup = async {
                    let database = Database::connect(&url, pool).await?;
                    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
                    anyhow::Ok((database, listener))
                };
                let (database, listener) = match setup.await {
                    Ok(parts) => parts,
                    Err(error) => {
                        let _ = ready.send(Err(error));
                        return;
                    }
                };
                let _ = ready.send(listener.local_addr().map_err(Into::into));
                let service = vigil_api::router(app_state(database.clone()))
                    .into_make_service_with_connect_info::<SocketAddr>();
                let served = axum::serve(listener, service)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.await;
                    })
                    .await;
                if let Err(error) = served {
                    eprintln!("bench: server stopped with an error: {error}");
                }
                if let Err(error) = database.close().await {
                    eprintln!("bench: closing the server's pool: {error}");
                }
            });
            runtime.shutdown_timeout(Duration::from_secs(5));
        })?;
    let address = address
        .recv_timeout(Duration::from_secs(60))
        .context("the server did not start within a minute")??;
    Ok(Server {
        address,
        shutdown,
        thread,
    })
}

/// As `vigil serve` builds it, with a fixed bench-only secret and 24-hour access tokens.
fn app_state(database: Database) -> AppState {
    let keys = TokenKeys::new(
        &SecretString::from("vigil-bench-secret-vigil-bench-secret!".to_owned()),
        chrono::Duration::hours(24),
        chrono::Duration::days(14),
    );
    AppState::new(
        database,
        Arc::new(SystemClock),
        chrono_tz::Europe::London,
        WorkingCalendar::england_and_wales(),
        keys,
        HttpSettings::default(),
    )
}

/// The API's database pool when none is given: twice this machine's CPUs plus two, the usual PostgreSQL
/// sizing (cores × 2 + effective spindles; the database runs on the same machine here), 6 on 2 cores.
/// Measured on 2 cores: a pool of 32 made person reads slower (p99 35-43 ms) than a pool of 4 (p99
/// 13-17 ms); once a search wrote one audit event instead of 25, a pool of 6 served it at p99 15-16 ms
/// where 4 gave 19-23 ms (bench/RESULTS.md).
pub fn default_pool() -> u32 {
    std::thread::available_parallelism()
        .map_or(2, |cpus| cpus.get())
        .saturating_mul(2)
        .saturating_add(2)
        .try_into()
        .unwrap_or(u32::MAX)
}
