//! Command-line options. Defaults are the issue's: 100,000 people, 32 clients, 15 s runs after 3 s.

use anyhow::{Result, bail};

use crate::common_options::{self, Common, number};

pub const USAGE: &str = "\
vigil-bench: the people search and a person read over HTTP, beside the same SQL in pgbench.

Needs VIGIL_BENCH_DATABASE_URL or VIGIL_TEST_DATABASE_URL (a PostgreSQL server; the database named by
--database is dropped and re-created on it). Usually: scripts/with-postgres.sh cargo run --release -p vigil-bench

Options:
  --people N            people in the synthetic cohort (default 100000)
  --clients N           concurrent HTTP clients and pgbench clients (default 32)
  --duration SECONDS    measured time per run (default 15)
  --warmup SECONDS      unmeasured warm-up before each run (default 3)
  --pool N              API database pool size (default: twice the CPUs plus two, as config/production.toml advises)
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

/// The common options (see `common_options`) and the scenarios to run.
#[derive(Debug, Clone)]
pub struct Options {
    pub common: Common,
    pub person_read: bool,
    pub search: bool,
}

impl Options {
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Self> {
        let mut common = Common::new("vigil_bench");
        let (mut person_read, mut search) = (true, true);
        common_options::parse(args, USAGE, &mut common, |arg, common, value| {
            match arg {
                "--max-requests" => common.max_requests_per_client = number(arg, &value()?)?,
                "--only" => match value()?.as_str() {
                    "person-read" => search = false,
                    "search" => person_read = false,
                    other => bail!("--only takes person-read or search, not {other}"),
                },
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        common.check_sizes()?;
        common.check_runs()?;
        Ok(Options {
            common,
            person_read,
            search,
        })
    }
}
