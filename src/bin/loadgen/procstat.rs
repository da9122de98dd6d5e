//! CPU and memory of the processes involved, read from /proc: the server (by pid), every
//! process named `postgres`, and the generator itself. CPU times are in clock ticks of 1/100 s
//! (USER_HZ, 100 on Linux).

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

/// CPU ticks summed over every process named `postgres` (postmaster, backends, workers).
/// Backends that exited between two readings take their time with them; the server's pool
/// keeps its connections, so that loss is small.
pub fn postgres_ticks() -> u64 {
    pids()
        .into_iter()
        .filter(|p| comm(*p).as_deref() == Some("postgres"))
        .filter_map(cpu_ticks)
        .sum()
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
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub at: std::time::Instant,
    pub server: u64,
    pub postgres: u64,
    pub generator: u64,
}

pub fn sample(server: u32) -> Sample {
    Sample {
        at: std::time::Instant::now(),
        server: cpu_ticks(server).unwrap_or(0),
        postgres: postgres_ticks(),
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
        postgres: secs(a.postgres, b.postgres),
        generator: secs(a.generator, b.generator),
    }
}
