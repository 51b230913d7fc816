//! What all three benches need around their runs, whatever they measure: the PostgreSQL server's URL
//! from the environment, a database of their own on it (dropped and made again, so every run starts
//! from the same state), and the machine's load average (to tell a quiet run from one that shared the
//! CPUs with something else). One copy here, included by each binary with `#[path]`.

use anyhow::{Context, Result, bail};
use sea_orm::ConnectionTrait;

/// The PostgreSQL server the HTTP benches run against (`dispatch` also takes SQLite, so says more).
pub fn server_url() -> Result<String> {
    let server_url = std::env::var("VIGIL_BENCH_DATABASE_URL")
        .or_else(|_| std::env::var("VIGIL_TEST_DATABASE_URL"))
        .context(
            "set VIGIL_BENCH_DATABASE_URL (or run under scripts/with-postgres.sh, which sets \
             VIGIL_TEST_DATABASE_URL) to a PostgreSQL server URL",
        )?;
    if !server_url.starts_with("postgres") {
        bail!("the benchmark needs PostgreSQL, not {server_url}");
    }
    Ok(server_url)
}

/// The machine's load average (`/proc/loadavg`, its first three figures), or "unknown".
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// The URL of database `name` on the server at `server_url` (same credentials, host and options).
fn database_url(server_url: &str, name: &str) -> Result<String> {
    let (base, query) = match server_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (server_url, None),
    };
    let after_scheme = base.find("://").context("the database URL has no scheme")? + 3;
    let authority_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let mut url = format!("{}/{name}", &base[..authority_end]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    Ok(url)
}

/// Drops database `name` on the server if it exists and, with `create`, makes it again; returns its URL.
pub async fn recreate_database(server_url: &str, name: &str, create: bool) -> Result<String> {
    let admin = sea_orm::Database::connect(server_url)
        .await
        .context("connecting to the PostgreSQL server")?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    if create {
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
    }
    admin.close().await?;
    database_url(server_url, name)
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn swaps_the_database_name() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "vigil_bench").ok(),
            Some("postgres://postgres@127.0.0.1:5432/vigil_bench".to_owned())
        );
        assert_eq!(
            database_url("postgresql://u:p@h/db?sslmode=disable", "b").ok(),
            Some("postgresql://u:p@h/b?sslmode=disable".to_owned())
        );
        assert_eq!(
            database_url("postgres://h:1", "b").ok(),
            Some("postgres://h:1/b".to_owned())
        );
    }
}
