//! Command-line options of the `caseload` bench.

use anyhow::{Result, bail};

use crate::common_options::{self, Common, number};

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
  --pool N              API database pool (default: twice the CPUs plus two, as config/production.toml advises)
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

/// The common options (see `common_options`) and the caseload bench's options.
#[derive(Debug, Clone)]
pub struct Options {
    pub common: Common,
    pub caseload: u32,
    pub other_staff: u32,
    pub appointments: u32,
    pub contacts: u32,
    pub caseload_run: bool,
    pub contact_run: bool,
    /// Contacts are logged for persons 1..=this (the caseload, or the whole cohort).
    pub contact_people: u32,
    contacts_across_cohort: bool,
}

impl Options {
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Self> {
        let mut options = Options {
            common: Common::new("vigil_caseload_bench"),
            caseload: 40,
            other_staff: 2_500,
            appointments: 10,
            contacts: 50,
            caseload_run: true,
            contact_people: 0,
            contacts_across_cohort: false,
            contact_run: true,
        };
        // The closure borrows the bench's own fields, `parse` the common ones: disjoint borrows.
        common_options::parse(args, USAGE, &mut options.common, |arg, common, value| {
            match arg {
                "--caseload" => options.caseload = number(arg, &value()?)?,
                "--other-staff" => options.other_staff = number(arg, &value()?)?,
                "--appointments" => options.appointments = number(arg, &value()?)?,
                "--contacts" => options.contacts = number(arg, &value()?)?,
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
                "--quick" => {
                    common.quick();
                    options.other_staff = 50;
                }
                _ => return Ok(false),
            }
            Ok(true)
        })?;
        options.common.check_sizes()?;
        if options.caseload == 0 || options.caseload > options.common.people {
            bail!("--caseload must be between 1 and --people");
        }
        options.contact_people = if options.contacts_across_cohort {
            options.common.people
        } else {
            options.caseload
        };
        if options.other_staff == 0 || options.appointments == 0 || options.contacts == 0 {
            bail!("--other-staff, --appointments and --contacts must be positive");
        }
        options.common.check_runs()?;
        Ok(options)
    }
}
