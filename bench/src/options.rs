//! Command-line options. Defaults are the issue's: 100,000 people, 32 clients, 15 s runs after 3 s.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};

pub const USAGE: &str = "\
vigil-bench: the people search and a person read over HTTP, beside the same SQL in pgbench.

Needs VIGIL_BENCH_DATABASE_URL or VIGIL_TEST_DATABASE_URL (a PostgreSQL server; the database named by
--database is dropped and re-created on it). Usually: scripts/with-postgres.sh cargo run --release -p vigil-bench

Options:
  --people N            people in the synthetic cohort (default 100000)
  --clients N           concurrent HTTP clients and pgbench clients (default 32)
  --duration SECONDS    measured time per run (default 15)
  --warmup SECONDS      unmeasured warm-up before each run (default 3)
  --pool N              API database pool size (default: twice the CPUs, as config/production.toml advises)
  --server-threads N    tokio worker threads for the API server (default: number of CPUs)
  --client-threads N    tokio worker threads for the HTTP load generator (default: number of CPUs)
  --pgbench-threads N   pgbench -j (default 2)
  --max-requests N      cap on requests per client per run, so a run always ends (default 1000000)
  --only SCENARIO       run only person-read or search (default: both)
  --pgbench PATH        pgbench binary (default /usr/lib/postgresql/15/bin/pgbench, or PGBENCH)
  --scripts DIR         folder of the pgbench scripts (default bench/pgbench next to this crate)
  --database NAME       database to create (default vigil_bench)
  --keep-database       leave the database in place afterwards
  --quick               a smoke run: 2000 people, 4 clients, 2 s runs after 1 s
";

#[derive(Debug, Clone)]
pub struct Options {
    pub people: u32,
    pub clients: usize,
    pub duration: Duration,
    pub warmup: Duration,
    pub pool: u32,
    pub server_threads: usize,
    pub client_threads: usize,
    pub pgbench_threads: usize,
    pub max_requests_per_client: u64,
    pub person_read: bool,
    pub search: bool,
    pub pgbench: PathBuf,
    pub scripts: PathBuf,
    pub database: String,
    pub keep_database: bool,
    pub help: bool,
}

impl Options {
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Self> {
        let cpus = std::thread::available_parallelism().map_or(2, usize::from);
        let mut options = Options {
            people: 100_000,
            clients: 32,
            duration: Duration::from_secs(15),
            warmup: Duration::from_secs(3),
            pool: crate::server::default_pool(),
            server_threads: cpus,
            client_threads: cpus,
            pgbench_threads: 2,
            max_requests_per_client: 1_000_000,
            person_read: true,
            search: true,
            pgbench: std::env::var_os("PGBENCH").map_or_else(
                || PathBuf::from("/usr/lib/postgresql/15/bin/pgbench"),
                PathBuf::from,
            ),
            scripts: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pgbench"),
            database: "vigil_bench".to_owned(),
            keep_database: false,
            help: false,
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--people" => options.people = number(&arg, &value()?)?,
                "--clients" => options.clients = number(&arg, &value()?)?,
                "--duration" => options.duration = Duration::from_secs(number(&arg, &value()?)?),
                "--warmup" => options.warmup = Duration::from_secs(number(&arg, &value()?)?),
                "--pool" => options.pool = number(&arg, &value()?)?,
                "--server-threads" => options.server_threads = number(&arg, &value()?)?,
                "--client-threads" => options.client_threads = number(&arg, &value()?)?,
                "--pgbench-threads" => options.pgbench_threads = number(&arg, &value()?)?,
                "--max-requests" => options.max_requests_per_client = number(&arg, &value()?)?,
                "--only" => match value()?.as_str() {
                    "person-read" => options.search = false,
                    "search" => options.person_read = false,
                    other => bail!("--only takes person-read or search, not {other}"),
                },
                "--pgbench" => options.pgbench = PathBuf::from(value()?),
                "--scripts" => options.scripts = PathBuf::from(value()?),
                "--database" => options.database = value()?,
                "--keep-database" => options.keep_database = true,
                "--quick" => {
                    options.people = 2_000;
                    options.clients = 4;
                    options.duration = Duration::from_secs(2);
                    options.warmup = Duration::from_secs(1);
                    options.pool = 4;
                }
                "-h" | "--help" => options.help = true,
                other => bail!("unknown option {other}\n\n{USAGE}"),
            }
        }
        if options.people == 0 || options.clients == 0 || options.pool == 0 {
            bail!("--people, --clients and --pool must be positive");
        }
        if options.duration.is_zero() || options.duration > Duration::from_secs(600) {
            bail!("--duration must be between 1 and 600 seconds");
        }
        if options.warmup > Duration::from_secs(60) {
            bail!("--warmup must be at most 60 seconds");
        }
        if options.server_threads == 0
            || options.client_threads == 0
            || options.pgbench_threads == 0
        {
            bail!("thread counts must be positive");
        }
        if !options
            .database
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            bail!("--database must be letters, digits and underscores");
        }
        Ok(options)
    }
}

fn number<T: std::str::FromStr>(option: &str, raw: &str) -> Result<T> {
    raw.parse()
        .map_err(|_| anyhow::anyhow!("{option} needs a number, not {raw:?}"))
}
