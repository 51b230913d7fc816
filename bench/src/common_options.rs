//! The command-line options the two HTTP benches (`vigil-bench` and `caseload`) have in common: load
//! size, timing, runtimes, pgbench and the database. Each binary keeps its own options, its USAGE text
//! and its own checks in its `options.rs`; this module holds the parts that are the same in both, so a
//! default or a check changed here changes for both benches alike.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// The value of the option being parsed (the next argument), or an error naming the option.
pub type Value<'a> = dyn FnMut() -> Result<String> + 'a;

#[derive(Debug, Clone)]
pub struct Common {
    pub people: u32,
    pub clients: usize,
    pub duration: Duration,
    pub warmup: Duration,
    pub pool: u32,
    pub server_threads: usize,
    pub client_threads: usize,
    pub pgbench_threads: usize,
    pub max_requests_per_client: u64,
    pub pgbench: PathBuf,
    pub scripts: PathBuf,
    pub database: String,
    pub keep_database: bool,
    pub help: bool,
}

impl Common {
    /// The issues' defaults: 100,000 people, 32 clients, 15 s runs after 3 s; the bench's own database.
    pub fn new(database: &str) -> Self {
        let cpus = std::thread::available_parallelism().map_or(2, usize::from);
        Common {
            people: 100_000,
            clients: 32,
            duration: Duration::from_secs(15),
            warmup: Duration::from_secs(3),
            pool: crate::server::default_pool(),
            server_threads: cpus,
            client_threads: cpus,
            pgbench_threads: 2,
            max_requests_per_client: 1_000_000,
            pgbench: std::env::var_os("PGBENCH").map_or_else(
                || PathBuf::from("/usr/lib/postgresql/15/bin/pgbench"),
                PathBuf::from,
            ),
            scripts: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pgbench"),
            database: database.to_owned(),
            keep_database: false,
            help: false,
        }
    }

    /// The smoke-run sizes `--quick` sets (a bench may set more of its own beside them).
    pub fn quick(&mut self) {
        self.people = 2_000;
        self.clients = 4;
        self.duration = Duration::from_secs(2);
        self.warmup = Duration::from_secs(1);
        self.pool = 4;
    }

    /// Applies `arg` if it is one of the common options; `Ok(false)` if it is not.
    fn apply(&mut self, arg: &str, value: &mut Value<'_>) -> Result<bool> {
        match arg {
            "--people" => self.people = number(arg, &value()?)?,
            "--clients" => self.clients = number(arg, &value()?)?,
            "--duration" => self.duration = Duration::from_secs(number(arg, &value()?)?),
            "--warmup" => self.warmup = Duration::from_secs(number(arg, &value()?)?),
            "--pool" => self.pool = number(arg, &value()?)?,
            "--server-threads" => self.server_threads = number(arg, &value()?)?,
            "--client-threads" => self.client_threads = number(arg, &value()?)?,
            "--pgbench-threads" => self.pgbench_threads = number(arg, &value()?)?,
            "--pgbench" => self.pgbench = PathBuf::from(value()?),
            "--scripts" => self.scripts = PathBuf::from(value()?),
            "--database" => self.database = value()?,
            "--keep-database" => self.keep_database = true,
            "--quick" => self.quick(),
            "-h" | "--help" => self.help = true,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The first of the checks: the sizes. A bench's own checks may come between this and
    /// [`Common::check_runs`], so that the first error reported stays the same as it always was.
    pub fn check_sizes(&self) -> Result<()> {
        if self.people == 0 || self.clients == 0 || self.pool == 0 {
            bail!("--people, --clients and --pool must be positive");
        }
        Ok(())
    }

    /// The rest of the checks: run times, thread counts and the database name (which goes into SQL).
    pub fn check_runs(&self) -> Result<()> {
        if self.duration.is_zero() || self.duration > Duration::from_secs(600) {
            bail!("--duration must be between 1 and 600 seconds");
        }
        if self.warmup > Duration::from_secs(60) {
            bail!("--warmup must be at most 60 seconds");
        }
        if self.server_threads == 0 || self.client_threads == 0 || self.pgbench_threads == 0 {
            bail!("thread counts must be positive");
        }
        if !self
            .database
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            bail!("--database must be letters, digits and underscores");
        }
        Ok(())
    }
}

/// Walks the arguments: each goes first to `own` (the bench's own options; it answers whether it took
/// the argument, and may change the common options too, as `--quick` does), then to the common options;
/// anything else is an error followed by `usage`.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    usage: &str,
    common: &mut Common,
    mut own: impl FnMut(&str, &mut Common, &mut Value<'_>) -> Result<bool>,
) -> Result<()> {
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        if !own(&arg, common, &mut value)? && !common.apply(&arg, &mut value)? {
            bail!("unknown option {arg}\n\n{usage}");
        }
    }
    Ok(())
}

pub fn number<T: std::str::FromStr>(option: &str, raw: &str) -> Result<T> {
    raw.parse()
        .map_err(|_| anyhow::anyhow!("{option} needs a number, not {raw:?}"))
}
