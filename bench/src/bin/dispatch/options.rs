//! Command-line options. Defaults are the issue's: 1,000 people x 100 appointments = 100,000 reminders,
//! one run with one worker and one with two.

use std::time::Duration;

use anyhow::{Context, Result, bail};

pub const USAGE: &str = "\
dispatch: 100,000 due reminders sent by Vigil's scheduler workers to a local fake GOV.UK Notify.

Needs VIGIL_BENCH_DATABASE_URL or VIGIL_TEST_DATABASE_URL (a PostgreSQL server; the database named by
--database is dropped and re-created on it), or --sqlite. Usually:
  scripts/with-postgres.sh cargo run --release -p vigil-bench --bin dispatch

Options:
  --people N            people, each with their own mobile number (default 1000, at most 99999)
  --per-person N        appointments (and so reminders) per person (default 100)
  --workers LIST        worker counts to measure, comma-separated (default 1,2)
  --batch LIST          jobs claimed per poll (SchedulerConfig::batch_size), comma-separated (default 100, as config/default.toml)
  --pool N              database connections per worker (default 10)
  --poll-ms N           SchedulerConfig::poll_interval_ms (default 10)
  --threads N           tokio worker threads shared by the workers (default: number of CPUs)
  --time-cap SECONDS    give up on a run after this long and report what was done (default 300)
  --no-acquire-ping     build the workers' pools without sqlx's ping on every acquire (a suggested fix,
                        measured; PostgreSQL only). Default: Database::connect, as `vigil worker` does
  --sqlite              use a SQLite file in a temporary folder instead of PostgreSQL
  --database NAME       PostgreSQL database to create (default vigil_dispatch_bench)
  --keep-database       leave the PostgreSQL database in place afterwards
  --quick               a smoke run: 100 people x 10 = 1,000 reminders, 60 s cap
";

#[derive(Debug, Clone)]
pub struct Options {
    pub people: u32,
    pub per_person: u32,
    pub workers: Vec<usize>,
    pub batches: Vec<u64>,
    pub pool: u32,
    pub poll_ms: u64,
    pub threads: usize,
    pub time_cap: Duration,
    pub acquire_ping: bool,
    pub sqlite: bool,
    pub database: String,
    pub keep_database: bool,
    pub help: bool,
}

impl Options {
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Self> {
        let mut options = Options {
            people: 1_000,
            per_person: 100,
            workers: vec![1, 2],
            batches: vec![100],
            pool: 10,
            poll_ms: 10,
            threads: std::thread::available_parallelism().map_or(2, usize::from),
            time_cap: Duration::from_secs(300),
            acquire_ping: true,
            sqlite: false,
            database: "vigil_dispatch_bench".to_owned(),
            keep_database: false,
            help: false,
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--people" => options.people = number(&arg, &value()?)?,
                "--per-person" => options.per_person = number(&arg, &value()?)?,
                "--workers" => options.workers = list(&arg, &value()?)?,
                "--batch" => options.batches = list(&arg, &value()?)?,
                "--pool" => options.pool = number(&arg, &value()?)?,
                "--poll-ms" => options.poll_ms = number(&arg, &value()?)?,
                "--threads" => options.threads = number(&arg, &value()?)?,
                "--time-cap" => options.time_cap = Duration::from_secs(number(&arg, &value()?)?),
                "--no-acquire-ping" => options.acquire_ping = false,
                "--sqlite" => options.sqlite = true,
                "--database" => options.database = value()?,
                "--keep-database" => options.keep_database = true,
                "--quick" => {
                    options.people = 100;
                    options.per_person = 10;
                    options.time_cap = Duration::from_secs(60);
                }
                "--help" | "-h" => options.help = true,
                other => bail!("unknown option {other}; see --help"),
            }
        }
        if !(1..=99_999).contains(&options.people) || options.per_person == 0 {
            bail!(
                "--people must be 1 to 99999 (five-digit mobile suffixes) and --per-person at least 1"
            );
        }
        if options.sqlite && !options.acquire_ping {
            bail!("--no-acquire-ping is for PostgreSQL only");
        }
        if options.pool == 0 || options.threads == 0 || options.time_cap.is_zero() {
            bail!("--pool, --threads and --time-cap must be at least 1");
        }
        if !options
            .database
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            bail!("--database must be lower-case letters, digits and underscores");
        }
        Ok(options)
    }

    /// Reminders (and jobs) per run.
    pub fn reminders(&self) -> u64 {
        u64::from(self.people) * u64::from(self.per_person)
    }
}

fn number<T: std::str::FromStr>(option: &str, text: &str) -> Result<T> {
    text.trim()
        .parse()
        .ok()
        .with_context(|| format!("{option} expects a whole number, not {text:?}"))
}

fn list<T: std::str::FromStr + PartialEq + Default>(option: &str, text: &str) -> Result<Vec<T>> {
    let values = text
        .split(',')
        .map(|part| number(option, part))
        .collect::<Result<Vec<T>>>()?;
    if values.is_empty() || values.contains(&T::default()) {
        bail!("{option} expects numbers of at least 1, comma-separated");
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::Options;

    fn parse(args: &[&str]) -> anyhow::Result<Options> {
        Options::from_args(args.iter().map(|arg| (*arg).to_owned()))
    }

    #[test]
    fn defaults_are_the_issues() -> anyhow::Result<()> {
        let options = parse(&[])?;
        assert_eq!(options.reminders(), 100_000);
        assert_eq!(options.workers, vec![1, 2]);
        Ok(())
    }

    #[test]
    fn lists_and_bad_values() -> anyhow::Result<()> {
        let options = parse(&["--workers", "2", "--batch", "50,200"])?;
        assert_eq!(options.workers, vec![2]);
        assert_eq!(options.batches, vec![50, 200]);
        assert!(parse(&["--batch", "0"]).is_err());
        assert!(parse(&["--people", "100000"]).is_err());
        assert!(parse(&["--database", "x; DROP"]).is_err());
        assert!(parse(&["--frobnicate"]).is_err());
        Ok(())
    }
}
