//! Where the CPU went during a run, from /proc (Linux): this process's threads (the fake provider's apart
//! from the rest), the PostgreSQL server (its postmaster and every backend), and the whole machine, so
//! that a run sharing the CPUs with a compiler can be told from a quiet one.

use std::fs;

/// Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`, 100 on every Linux we run on).
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU seconds used so far.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sample {
    /// This process, except the fake provider's threads: the workers, sea-orm and sqlx, reqwest, JWTs.
    pub workers: f64,
    /// The fake provider's threads.
    pub fake: f64,
    /// The PostgreSQL server, if its processes could be read.
    pub postgres: Option<f64>,
    /// Every CPU of the machine: busy and total time.
    pub machine_busy: f64,
    pub machine_total: f64,
}

impl Sample {
    pub fn take(postmaster: Option<u32>, fake_thread_prefix: &str) -> Self {
        // The process's own figure includes threads that have ended; the fake's threads live for the run.
        let process = read_stat("/proc/self/stat".as_ref()).map_or(0.0, |stat| stat.own());
        let mut fake = 0.0;
        if let Ok(tasks) = fs::read_dir("/proc/self/task") {
            for task in tasks.flatten() {
                if let Some(stat) = read_stat(&task.path().join("stat"))
                    && stat.comm.starts_with(fake_thread_prefix)
                {
                    fake += stat.own();
                }
            }
        }
        let workers = process - fake;
        let (machine_busy, machine_total) = machine().unwrap_or_default();
        Self {
            workers,
            fake,
            postgres: postmaster.and_then(postgres_tree),
            machine_busy,
            machine_total,
        }
    }

    /// What was used between `before` and `self`.
    pub fn since(&self, before: &Sample) -> Sample {
        Sample {
            workers: self.workers - before.workers,
            fake: self.fake - before.fake,
            postgres: self
                .postgres
                .zip(before.postgres)
                .map(|(after, before)| after - before),
            machine_busy: self.machine_busy - before.machine_busy,
            machine_total: self.machine_total - before.machine_total,
        }
    }

    /// Busy CPU seconds not accounted for by this process or the server: other work on the machine.
    pub fn others(&self) -> f64 {
        (self.machine_busy - self.workers - self.fake - self.postgres.unwrap_or(0.0)).max(0.0)
    }
}

/// The parent of a server backend (`SELECT pg_backend_pid()`): the postmaster, when it is readable.
pub fn parent_of(pid: u32) -> Option<u32> {
    read_stat(format!("/proc/{pid}/stat").as_ref()).map(|stat| stat.ppid)
}

struct Stat {
    comm: String,
    ppid: u32,
    utime: f64,
    stime: f64,
    cutime: f64,
    cstime: f64,
}

impl Stat {
    fn own(&self) -> f64 {
        (self.utime + self.stime) / TICKS_PER_SECOND
    }

    fn with_reaped_children(&self) -> f64 {
        (self.utime + self.stime + self.cutime + self.cstime) / TICKS_PER_SECOND
    }
}

/// Parses `/proc/<pid>/stat`; the command name is in parentheses and may contain spaces.
fn read_stat(path: &std::path::Path) -> Option<Stat> {
    let text = fs::read_to_string(path).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_owned();
    // Fields after the name, numbered as in proc(5): state is 3, ppid 4, utime 14 ... cstime 17.
    let fields: Vec<&str> = text.get(close + 1..)?.split_whitespace().collect();
    let field = |n: usize| {
        fields
            .get(n - 3)
            .and_then(|value| value.parse::<f64>().ok())
    };
    Some(Stat {
        comm,
        ppid: fields.get(1)?.parse().ok()?,
        utime: field(14)?,
        stime: field(15)?,
        cutime: field(16)?,
        cstime: field(17)?,
    })
}

/// The postmaster with the children it reaped, plus every live child (backends, walwriter, ...).
fn postgres_tree(postmaster: u32) -> Option<f64> {
    let mut total = read_stat(format!("/proc/{postmaster}/stat").as_ref())?.with_reaped_children();
    for entry in fs::read_dir("/proc").ok()?.flatten() {
        let is_pid = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.bytes().all(|b| b.is_ascii_digit()));
        if !is_pid {
            continue;
        }
        if let Some(stat) = read_stat(&entry.path().join("stat"))
            && stat.ppid == postmaster
        {
            total += stat.own();
        }
    }
    Some(total)
}

/// Busy and total CPU seconds of the whole machine, from the first line of /proc/stat.
fn machine() -> Option<(f64, f64)> {
    let text = fs::read_to_string("/proc/stat").ok()?;
    let line = text.lines().next()?;
    let values: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|value| value.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    let busy: f64 = [0, 1, 2, 5, 6, 7]
        .iter()
        .filter_map(|&i| values.get(i))
        .sum();
    let idle: f64 = [3, 4].iter().filter_map(|&i| values.get(i)).sum();
    Some((busy / TICKS_PER_SECOND, (busy + idle) / TICKS_PER_SECOND))
}
