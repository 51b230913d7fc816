//! Runs pgbench with one of the scripts in bench/pgbench, at the same concurrency as the HTTP load,
//! and reads its rate (tps) and per-transaction latencies (from its `-l` log).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use uuid::Uuid;

use crate::common_options::Common;
use crate::stats::Summary;

#[derive(Debug, Clone)]
pub struct PgbenchRun {
    pub program: PathBuf,
    pub url: String,
    pub scripts: PathBuf,
    pub clients: usize,
    pub threads: usize,
    pub people: u32,
    /// The coordinator whose staff row is read and who is recorded as the actor in audit events.
    pub actor: Uuid,
}

impl PgbenchRun {
    /// pgbench as the common options set it (program, scripts, `-c`, `-j`), on `url`, with `-D people`
    /// and `-D actor` for the scripts.
    pub fn new(common: &Common, url: &str, people: u32, actor: Uuid) -> Self {
        PgbenchRun {
            program: common.pgbench.clone(),
            url: url.to_owned(),
            scripts: common.scripts.clone(),
            clients: common.clients,
            threads: common.pgbench_threads,
            people,
            actor,
        }
    }

    /// Fails early, before any load, if pgbench or a script is missing.
    pub fn check(&self) -> Result<()> {
        let version = Command::new(&self.program)
            .arg("--version")
            .output()
            .with_context(|| format!("running {} --version", self.program.display()))?;
        if !version.status.success() {
            bail!("{} --version failed", self.program.display());
        }
        for script in [
            "person_read.sql",
            "person_read_ro.sql",
            "search.sql",
            "search_ro.sql",
        ] {
            let path = self.scripts.join(script);
            if !path.is_file() {
                bail!("pgbench script {} is missing", path.display());
            }
        }
        Ok(())
    }

    /// Measures `script` as the HTTP scenarios are measured (see `load_driver::measure`): `announce`,
    /// the warm-up, then the measured run, at `options.clients` clients; progress goes to stderr under
    /// `prefix`, the binary's name. pgbench blocks, so it runs off the async workers.
    pub async fn measure(
        &self,
        prefix: &str,
        script: &str,
        options: &Common,
        db: &sea_orm::DatabaseConnection,
    ) -> Result<Summary> {
        crate::load_driver::announce(prefix, &format!("pgbench {script}"), options, db).await?;
        let pg = self.clone();
        let script = script.to_owned();
        let (warmup, duration) = (options.warmup, options.duration);
        let summary = tokio::task::spawn_blocking(move || -> Result<Summary> {
            if !warmup.is_zero() {
                pg.run(&script, warmup)?;
            }
            pg.run(&script, duration)
        })
        .await??;
        eprintln!("{prefix}:   {summary}");
        Ok(summary)
    }

    /// One pgbench run of `script` for `duration`. pgbench stops itself at the end of `-T`; if it has not
    /// finished a minute after that, it is killed.
    pub fn run(&self, script: &str, duration: Duration) -> Result<Summary> {
        let log_dir = std::env::temp_dir().join(format!(
            "vigil-bench-pgbench-{}-{}",
            std::process::id(),
            Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&log_dir)?;
        let outcome = self.run_logging_into(script, duration, &log_dir);
        // Best effort: the folder is in the temporary directory either way.
        let _ = std::fs::remove_dir_all(&log_dir);
        outcome
    }

    fn run_logging_into(
        &self,
        script: &str,
        duration: Duration,
        log_dir: &std::path::Path,
    ) -> Result<Summary> {
        let seconds = duration.as_secs().max(1);
        let mut child = Command::new(&self.program)
            .arg("--no-vacuum")
            .args(["--protocol", "prepared"])
            .args(["--client", &self.clients.to_string()])
            .args(["--jobs", &self.threads.to_string()])
            .args(["--time", &seconds.to_string()])
            .args(["--define", &format!("people={}", self.people)])
            .args(["--define", &format!("actor={}", self.actor)])
            .arg("--log")
            .arg(format!(
                "--log-prefix={}",
                log_dir.join("tx").to_string_lossy()
            ))
            .arg("--file")
            .arg(self.scripts.join(script))
            .arg(&self.url)
            .current_dir(log_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", self.program.display()))?;
        let limit = Instant::now() + duration + Duration::from_secs(60);
        loop {
            if child.try_wait()?.is_some() {
                break;
            }
            if Instant::now() > limit {
                child.kill()?;
                child.wait()?;
                bail!("pgbench {script} did not stop by itself; killed");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let output = child.wait_with_output()?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            bail!(
                "pgbench {script} failed ({}):\n{stdout}\n{stderr}",
                output.status
            );
        }
        let tps = parse_tps(&stdout)
            .with_context(|| format!("no tps in pgbench output:\n{stdout}\n{stderr}"))?;
        let failed = parse_failed(&stdout).unwrap_or(0);
        let latencies = read_latencies(log_dir)?;
        Ok(Summary::from_latencies(latencies, failed, duration).with_rate(tps))
    }
}

/// `tps = 1234.567890 (without initial connection time)`
fn parse_tps(output: &str) -> Option<f64> {
    output.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("tps = ")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// `number of failed transactions: 0 (0.000%)`
fn parse_failed(output: &str) -> Option<u64> {
    output.lines().find_map(|line| {
        let rest = line
            .trim()
            .strip_prefix("number of failed transactions: ")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// Per-transaction log lines: `client_id transaction_no time_us script_no epoch epoch_us`.
fn read_latencies(log_dir: &std::path::Path) -> Result<Vec<u64>> {
    let mut latencies = Vec::new();
    for entry in std::fs::read_dir(log_dir)? {
        let entry = entry?;
        if !entry.file_name().to_string_lossy().starts_with("tx") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path())?;
        latencies.extend(text.lines().filter_map(|line| {
            let mut fields = line.split_whitespace();
            fields.next()?; // client
            fields.next()?; // transaction number
            fields.next()?.parse::<u64>().ok()
        }));
    }
    Ok(latencies)
}

#[cfg(test)]
mod tests {
    use super::{parse_failed, parse_tps};

    #[test]
    fn reads_pgbench_summary() {
        let output = "transaction type: search.sql\nnumber of failed transactions: 3 (0.010%)\n\
                      latency average = 12.3 ms\ntps = 2598.123456 (without initial connection time)\n";
        assert_eq!(parse_tps(output), Some(2598.123456));
        assert_eq!(parse_failed(output), Some(3));
    }
}
