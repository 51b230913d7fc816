//! `vigil serve [--demo]`: the HTTP API in one process, with graceful shutdown on SIGTERM/SIGINT.

use anyhow::Context;
use tokio::net::TcpListener;

use crate::settings::Settings;
use crate::startup::{app_state, open_migrated_database, system_clock};
use crate::{demo, workers};

pub async fn run(settings: Settings, seed_demo: bool) -> anyhow::Result<()> {
    let address = settings.bind_address()?;
    let db = open_migrated_database(&settings).await?;
    // Build the state (and so check the JWT secret) before seeding or listening.
    let state = app_state(&settings, db.clone(), system_clock())?;
    if seed_demo {
        match demo::seed_if_empty(&db, &settings).await? {
            Some(logins) => demo::print_logins(&logins),
            None => tracing::info!("database already has data; demo seed skipped"),
        }
    }
    let listener = TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address} (server.bind)"))?;
    tracing::info!(%address, "vigil is serving");
    // The scheduler runs beside the API until the same shutdown signal; it finishes its running jobs.
    let (stop_worker, worker_stopped) = tokio::sync::watch::channel(false);
    let worker_task = if settings.scheduler.enabled {
        let worker = workers::build(&settings, &db, system_clock())?;
        let mut stopped = worker_stopped.clone();
        Some(tokio::spawn(workers::run(worker, async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        })))
    } else {
        None
    };
    axum::serve(
        listener,
        vigil_api::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("server error")?;
    let _ = stop_worker.send(true);
    if let Some(task) = worker_task {
        let _ = task.await;
    }
    db.close().await.context("closing the database")?;
    tracing::info!("vigil stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish before the process exits.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
