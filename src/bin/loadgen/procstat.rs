//! CPU and memory of the processes involved, read from /proc: the server (by pid), every
//! process named `postgres`, and the generator itself. CPU times are in clock ticks of 1/100 s
//! (USER_HZ, 100 on Linux).

use std::collections::HashMap;
use std::fs;

pub const TICKS_PER_SECOND: f64 = 100.0;

/// utime + stime of a process, in ticks.
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields count from after its closing parenthesis.
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Resident memory in MiB.
pub fn rss_mib(pid: u32) -> Option<f64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn comm(pid: u32) -> Option<String> {
    fs::read_to_string(format!("/proc/{pid}/comm"))
        .ok()
        .map(|s| s.trim().to_string())
}

fn pids() -> Vec<u32> {
    fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// CPU ticks of each Postgres process working for database `db` (its backends, named after the
/// database in their process title) and of the shared writers (WAL writer, checkpointer,
/// background writer). Other databases' backends on the same server are left out.
pub fn postgres_ticks(db: &str) -> HashMap<u32, u64> {
    let ours = format!(" {db} ");
    pids()
        .into_iter()
        .filter(|p| comm(*p).as_deref() == Some("postgres"))
        .filter(|p| {
            let title = fs::read(format!("/proc/{p}/cmdline"))
                .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
                .unwrap_or_default();
            title.contains(&ours)
                || ["walwriter", "checkpointer", "background writer"]
                    .iter()
                    .any(|w| title.contains(w))
        })
        .filter_map(|p| Some((p, cpu_ticks(p)?)))
        .collect()
}

/// The pid of a running `mockexam serve`, when exactly one is found.
pub fn find_server() -> Option<u32> {
    let found: Vec<u32> = pids()
        .into_iter()
        .filter(|p| comm(*p).as_deref() == Some("mockexam"))
        .filter(|p| {
            fs::read(format!("/proc/{p}/cmdline"))
                .map(|c| c.split(|b| *b == 0).any(|a| a == b"serve"))
                .unwrap_or(false)
        })
        .collect();
    (found.len() == 1).then(|| found[0])
}

/// The one-minute load average.
pub fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| {
            let parts: Vec<&str> = s.split_whitespace().take(3).collect();
            (parts.len() == 3).then(|| parts.join(" "))
        })
        .unwrap_or_else(|| "?".into())
}

/// One reading of everything, to subtract from a later one.
#[derive(Debug, Clone)]
pub struct Sample {
    pub at: std::time::Instant,
    pub server: u64,
    /// Per backend: a backend that starts between two samples counts from zero, one that exits
    /// takes its time since the previous sample with it.
    pub postgres: HashMap<u32, u64>,
    pub generator: u64,
}

pub fn sample(server: u32, db: &str) -> Sample {
    Sample {
        at: std::time::Instant::now(),
        server: cpu_ticks(server).unwrap_or(0),
        postgres: postgres_ticks(db),
        generator: cpu_ticks(std::process::id()).unwrap_or(0),
    }
}

/// CPU used between two samples, in seconds, per process group.
pub struct CpuSplit {
    pub wall: f64,
    pub server: f64,
    pub postgres: f64,
    pub generator: f64,
}

pub fn between(a: &Sample, b: &Sample) -> CpuSplit {
    let secs = |x: u64, y: u64| y.saturating_sub(x) as f64 / TICKS_PER_SECOND;
    CpuSplit {
        wall: (b.at - a.at).as_secs_f64(),
        server: secs(a.server, b.server),
        postgres: b
            .postgres
            .iter()
            .map(|(pid, t)| secs(a.postgres.get(pid).copied().unwrap_or(0), *t))
            .sum(),
        generator: secs(a.generator, b.generator),
    }
}
