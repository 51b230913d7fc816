//! Command-line options of the `caseload` bench.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};

pub const USAGE: &str = "\
caseload: the caseload worklist and contact logging under load (issue 4).

Needs VIGIL_BENCH_DATABASE_URL or VIGIL_TEST_DATABASE_URL (a PostgreSQL server; the database named by
--database is dropped and re-created on it). Usually:
  scripts/with-postgres.sh cargo run --release -p vigil-bench --bin caseload

Options:
  --people N            people in the database (default 100000)
  --caseload N          people allocated to the measured officer (default 40)
  --other-staff N       other offender managers sharing the rest (default 2500)
  --appointments N      appointments per person (default 10)
  --contacts N          contacts per person (default 50)
  --clients N           concurrent HTTP clients and pgbench -c (default 32)
  --duration S          measured seconds per run (default 15)
  --warmup S            warm-up seconds per run (default 3)
  --pool N              API database pool (default: twice the CPUs, as config/production.toml advises)
  --server-threads N    server runtime threads (default: CPUs)
  --client-threads N    client runtime threads (default: CPUs)
  --pgbench-threads N   pgbench -j (default 2)
  --only caseload|contacts   run one scenario
  --contacts-across caseload|cohort
                        whom contacts are logged for: the officer's people (default; 32 clients on 40
                        people often write for the same person at once) or anyone in the cohort
  --pgbench PATH        pgbench (default $PGBENCH or /usr/lib/postgresql/15/bin/pgbench)
  --scripts DIR         pgbench scripts (default bench/pgbench)
  --database NAME       database to (re)create (default vigil_caseload_bench)
  --keep-database       leave the database in place afterwards
  --quick               smoke run: 2,000 people, 4 clients, 2 s runs
  -h, --help            this text";

#[derive(Debug, Clone)]
pub struct Options {
    pub people: u32,
    pub caseload: u32,
    pub other_staff: u32,
    pub appointments: u32,
    pub contacts: u32,
    pub clients: usize,
    pub duration: Duration,
    pub warmup: Duration,
    pub pool: u32,
    pub server_threads: usize,
    pub client_threads: usize,
    pub pgbench_threads: usize,
    pub max_requests_per_client: u64,
    pub caseload_run: bool,
    pub contact_run: bool,
    /// Contacts are logged for persons 1..=this (the caseload, or the whole cohort).
    pub contact_people: u32,
    contacts_across_cohort: bool,
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
            caseload: 40,
            other_staff: 2_500,
            appointments: 10,
            contacts: 50,
            clients: 32,
            duration: Duration::from_secs(15),
            warmup: Duration::from_secs(3),
            pool: crate::server::default_pool(),
            server_threads: cpus,
            client_threads: cpus,
            pgbench_threads: 2,
            max_requests_per_client: 1_000_000,
            caseload_run: true,
            contact_people: 0,
            contacts_across_cohort: false,
            contact_run: true,
            pgbench: std::env::var_os("PGBENCH").map_or_else(
                || PathBuf::from("/usr/lib/postgresql/15/bin/pgbench"),
                PathBuf::from,
            ),
            scripts: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("pgbench"),
            database: "vigil_caseload_bench".to_owned(),
            keep_database: false,
            help: false,
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--people" => options.people = number(&arg, &value()?)?,
                "--caseload" => options.caseload = number(&arg, &value()?)?,
                "--other-staff" => options.other_staff = number(&arg, &value()?)?,
                "--appointments" => options.appointments = number(&arg, &value()?)?,
                "--contacts" => options.contacts = number(&arg, &value()?)?,
                "--clients" => options.clients = number(&arg, &value()?)?,
                "--duration" => options.duration = Duration::from_secs(number(&arg, &value()?)?),
                "--warmup" => options.warmup = Duration::from_secs(number(&arg, &value()?)?),
                "--pool" => options.pool = number(&arg, &value()?)?,
                "--server-threads" => options.server_threads = number(&arg, &value()?)?,
                "--client-threads" => options.client_threads = number(&arg, &value()?)?,
                "--pgbench-threads" => options.pgbench_threads = number(&arg, &value()?)?,
                "--only" => match value()?.as_str() {
                    "caseload" => options.contact_run = false,
                    "contacts" => options.caseload_run = false,
                    other => bail!("--only takes caseload or contacts, not {other:?}"),
                },
                "--contacts-across" => match value()?.as_str() {
                    "caseload" => options.contacts_across_cohort = false,
                    "cohort" => options.contacts_across_cohort = true,
                    other => bail!("--contacts-across takes caseload or cohort, not {other:?}"),
                },
                "--pgbench" => options.pgbench = PathBuf::from(value()?),
                "--scripts" => options.scripts = PathBuf::from(value()?),
                "--database" => options.database = value()?,
                "--keep-database" => options.keep_database = true,
                "--quick" => {
                    options.people = 2_000;
                    options.other_staff = 50;
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
        if options.caseload == 0 || options.caseload > options.people {
            bail!("--caseload must be between 1 and --people");
        }
        options.contact_people = if options.contacts_across_cohort {
            options.people
        } else {
            options.caseload
        };
        if options.other_staff == 0 || options.appointments == 0 || options.contacts == 0 {
            bail!("--other-staff, --appointments and --contacts must be positive");
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
