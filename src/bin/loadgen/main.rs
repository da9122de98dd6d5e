//! `loadgen`: virtual candidates taking full mocks against a separately started `mockexam serve`
//! on 127.0.0.1, over HTTP as a browser with JavaScript does it; plus the sign-in rate with real
//! argon2 logins, and seeding a large history of submitted mocks.

mod http;
mod page;
mod procstat;
mod record;

use clap::{Parser, Subcommand};
use http::{Body, Client, Failure, Reply};
use mockexam::db;
use rand::{Rng, SeedableRng};
use record::{Recorder, Step};
use sqlx::PgPool;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser, Debug)]
#[command(
    name = "loadgen",
    about = "Load generator for mockexam: simulated candidates over HTTP against a server on 127.0.0.1",
    long_about = "Load generator for mockexam. It talks HTTP to a separately started `mockexam serve` \
on 127.0.0.1 (never another host) the way a browser with JavaScript does: session cookie, \
Sec-Fetch-Site/Origin on every post (the server's CSRF check), the JSON autosave, the form post \
of the Next button and its redirect.\n\n\
To set up thousands of candidates quickly, `run` CREATES ITS USERS AND THEIR SESSIONS DIRECTLY \
IN THE DATABASE (one statement; the session tokens are known to the generator), so no argon2 \
hash is paid per candidate; `signin` measures the real sign-in path (argon2) separately.\n\n\
The run is bounded: it stops by itself after --duration seconds, whatever is still in flight."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Debug, Clone)]
struct Target {
    /// Port of the server on 127.0.0.1.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The database the server uses (for creating candidates and reading pg_stat_database).
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// The server's pid, for its CPU and RSS (default: the only `mockexam serve` running).
    #[arg(long)]
    server_pid: Option<u32>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Candidates start a full mock spread over a ramp, answer every item after a think time,
    /// and submit. Prints per-step latency, errors by kind, CPU split, RSS and database cost.
    Run {
        #[command(flatten)]
        target: Target,
        /// Simulated candidates.
        #[arg(long, default_value_t = 1000)]
        candidates: usize,
        /// Exam slug.
        #[arg(long, default_value = "dp-100")]
        exam: String,
        /// Attempt starts are spread evenly over this many seconds.
        #[arg(long, default_value_t = 180.0)]
        ramp: f64,
        /// Shortest think time per item, seconds (before scaling).
        #[arg(long, default_value_t = 30.0)]
        think_min: f64,
        /// Longest think time per item, seconds (before scaling).
        #[arg(long, default_value_t = 90.0)]
        think_max: f64,
        /// Multiplies every think time (e.g. 0.1 for a short run); the report states it.
        #[arg(long, default_value_t = 1.0)]
        think_scale: f64,
        /// Hard limit of the run in seconds; candidates still working are stopped.
        #[arg(long, default_value_t = 600)]
        duration: u64,
        /// Most connections open at once (shared keep-alive pool).
        #[arg(long, default_value_t = 4000)]
        max_connections: usize,
        /// A request without a reply after this many seconds counts as an error.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// Seconds between progress lines.
        #[arg(long, default_value_t = 10)]
        every: u64,
        /// Random seed (think times).
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Real sign-ins (email + password, argon2 on the server) by several clients at once.
    Signin {
        #[command(flatten)]
        target: Target,
        /// Accounts created for the measurement (one argon2 hash shared by all).
        #[arg(long, default_value_t = 200)]
        users: usize,
        /// Sign-ins in flight at once.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Length of the measurement in seconds.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// The save's top rate: CLIENTS candidates each start a mock and autosave item 1 back to
    /// back (no think time) for SECONDS; compare with scripts/pgbench-save.sql.
    Saves {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value = "dp-100")]
        exam: String,
        #[arg(long, default_value_t = 32)]
        clients: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// Adds CANDIDATES × MOCKS submitted full mocks of ITEMS answers each (generate_series,
    /// one transaction) to the database, without analysing unless --analyze.
    Seed {
        #[arg(long, env = "DATABASE_URL")]
        database_url: String,
        #[arg(long, default_value = "dp-100")]
        exam: String,
        #[arg(long, default_value_t = 5000)]
        candidates: i32,
        #[arg(long, default_value_t = 4)]
        mocks: i32,
        #[arg(long, default_value_t = 50)]
        items: i32,
        /// Refresh planner statistics afterwards (the product does after its own bulk loads).
        #[arg(long)]
        analyze: bool,
        /// Wipe the planner's statistics of the per-candidate tables afterwards (superuser).
        #[arg(long, conflicts_with = "analyze")]
        forget_statistics: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Run {
                target,
                candidates,
                exam,
                ramp,
                think_min,
                think_max,
                think_scale,
                duration,
                max_connections,
                timeout,
                every,
                seed,
            } => {
                let plan = Plan {
                    candidates,
                    exam,
                    ramp,
                    think: (
                        think_min * think_scale,
                        think_max.max(think_min) * think_scale,
                    ),
                    think_scale,
                    duration: Duration::from_secs(duration),
                    every: Duration::from_secs(every.max(1)),
                    seed,
                };
                let client =
                    Client::new(target.port, max_connections, Duration::from_secs(timeout));
                run(&target, plan, client).await
            }
            Command::Signin {
                target,
                users,
                concurrency,
                seconds,
            } => signin(&target, users, concurrency, seconds).await,
            Command::Saves {
                target,
                exam,
                clients,
                seconds,
            } => saves(&target, &exam, clients, seconds).await,
            Command::Seed {
                database_url,
                exam,
                candidates,
                mocks,
                items,
                analyze,
                forget_statistics,
            } => {
                seed(
                    &database_url,
                    &exam,
                    candidates,
                    mocks,
                    items,
                    analyze,
                    forget_statistics,
                )
                .await
            }
        }
    })
}

struct Plan {
    candidates: usize,
    exam: String,
    ramp: f64,
    think: (f64, f64),
    think_scale: f64,
    duration: Duration,
    every: Duration,
    seed: u64,
}

async fn connect(url: &str) -> anyhow::Result<PgPool> {
    Ok(sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await?)
}

/// The database's name in its URL (Postgres backends carry it in their process title).
fn db_name(url: &str) -> String {
    url.rsplit('/')
        .next()
        .unwrap_or("")
        .split('?')
        .next()
        .unwrap_or("")
        .to_string()
}

fn server_pid(target: &Target) -> anyhow::Result<u32> {
    target
        .server_pid
        .or_else(procstat::find_server)
        .ok_or_else(|| {
            anyhow::anyhow!("cannot tell which process is the server: pass --server-pid")
        })
}

/// A short name for this run, so its candidates never collide with an earlier run's.
fn run_tag() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!("r{secs}-")
}

struct Shared {
    client: Client,
    rec: Recorder,
    t0: Instant,
    exam: String,
    started: AtomicUsize,
    finished: AtomicUsize,
    active: AtomicUsize,
}

async fn run(target: &Target, plan: Plan, client: Client) -> anyhow::Result<()> {
    let pid = server_pid(target)?;
    let pool = connect(&target.database_url).await?;
    let prepared = Instant::now();
    let tokens: Vec<String> = (0..plan.candidates)
        .map(|_| db::sessions::new_token())
        .collect();
    let hashes: Vec<Vec<u8>> = tokens.iter().map(|t| db::sessions::hash_token(t)).collect();
    db::load::create_candidates_with_sessions(&pool, &run_tag(), "loadgen: no password", &hashes)
        .await?;
    let answers_before = db::load::answer_rows(&pool).await?;
    println!(
        "loadgen: {} candidates and sessions created in the database in {:.1} s; {answers_before} answer rows already in the database",
        plan.candidates,
        prepared.elapsed().as_secs_f64()
    );
    println!(
        "plan: exam {}, starts spread over {:.0} s, think time {:.1}–{:.1} s per item (scale {} of 30–90 s{}), run stops after {} s; server pid {pid} on 127.0.0.1:{}; load average {}",
        plan.exam,
        plan.ramp,
        plan.think.0,
        plan.think.1,
        plan.think_scale,
        if (plan.think_scale - 1.0).abs() < 1e-9 { ", the real profile" } else { ": SCALED DOWN" },
        plan.duration.as_secs(),
        target.port,
        procstat::load_average()
    );
    let shared = Arc::new(Shared {
        client,
        rec: Recorder::default(),
        t0: Instant::now(),
        exam: plan.exam.clone(),
        started: AtomicUsize::new(0),
        finished: AtomicUsize::new(0),
        active: AtomicUsize::new(0),
    });
    let before_db = db::load::counters(&pool).await?;
    let before_cpu = procstat::sample(pid, &db_name(&target.database_url));
    let rss_start = procstat::rss_mib(pid).unwrap_or(0.0);
    let mut rss_peak = rss_start;
    let mut tasks = Vec::with_capacity(plan.candidates);
    for (i, token) in tokens.into_iter().enumerate() {
        let at = shared.t0 + Duration::from_secs_f64(plan.ramp * i as f64 / plan.candidates as f64);
        let shared = shared.clone();
        let think = plan.think;
        let seed = plan.seed.wrapping_mul(1_000_003).wrapping_add(i as u64);
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep_until(at.into()).await;
            candidate(&shared, &format!("mockexam_session={token}"), think, seed).await;
        }));
    }
    println!(
        "{:>6} {:>8} {:>8} {:>8} {:>8} {:>7} {:>9} {:>9} {:>7} {:>7} {:>7} {:>7}  load",
        "t (s)",
        "started",
        "active",
        "done",
        "req/s",
        "errors",
        "item p99",
        "save p99",
        "srv %",
        "pg %",
        "gen %",
        "RSS MB"
    );
    let deadline = shared.t0 + plan.duration;
    let mut last = before_cpu.clone();
    loop {
        let all_done = tasks.iter().all(|t| t.is_finished());
        let now = Instant::now();
        if all_done || now >= deadline {
            break;
        }
        let next = (now + plan.every).min(deadline);
        // Sample RSS every second for the peak.
        while Instant::now() < next && !tasks.iter().all(|t| t.is_finished()) {
            tokio::time::sleep(Duration::from_secs(1).min(next - Instant::now())).await;
            rss_peak = rss_peak.max(procstat::rss_mib(pid).unwrap_or(0.0));
        }
        let s = procstat::sample(pid, &db_name(&target.database_url));
        let cpu = procstat::between(&last, &s);
        last = s;
        let (n, errors, item99, save99) = shared.rec.take_window();
        let pct = |x: f64| 100.0 * x / cpu.wall.max(1e-9);
        println!(
            "{:>6.0} {:>8} {:>8} {:>8} {:>8.0} {:>7} {:>9.1} {:>9.1} {:>7.0} {:>7.0} {:>7.0} {:>7.0}  {}",
            shared.t0.elapsed().as_secs_f64(),
            shared.started.load(Ordering::Relaxed),
            shared.active.load(Ordering::Relaxed),
            shared.finished.load(Ordering::Relaxed),
            n as f64 / cpu.wall.max(1e-9),
            errors,
            item99,
            save99,
            pct(cpu.server),
            pct(cpu.postgres),
            pct(cpu.generator),
            procstat::rss_mib(pid).unwrap_or(0.0),
            procstat::load_average()
        );
    }
    let stopped_early = tasks.iter().filter(|t| !t.is_finished()).count();
    for t in &tasks {
        t.abort();
    }
    let end_cpu = procstat::sample(pid, &db_name(&target.database_url));
    // pg_stat_database is flushed by each backend within about a second of its transactions.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after_db = db::load::counters(&pool).await?;
    let cpu = procstat::between(&before_cpu, &end_cpu);
    let rss_end = procstat::rss_mib(pid).unwrap_or(0.0);
    report(
        &shared,
        &plan,
        &cpu,
        (rss_start, rss_peak, rss_end),
        before_db,
        after_db,
        stopped_early,
    );
    Ok(())
}

fn report(
    shared: &Shared,
    plan: &Plan,
    cpu: &procstat::CpuSplit,
    (rss_start, rss_peak, rss_end): (f64, f64, f64),
    before: db::load::DbCounters,
    after: db::load::DbCounters,
    stopped_early: usize,
) {
    let (requests, errors) = shared.rec.totals();
    let (steps, by_kind, peak_starts) = shared.rec.report();
    println!();
    println!(
        "== {} candidates, ramp {:.0} s, think {:.1}–{:.1} s (scale {}), wall {:.0} s, load average at end {}",
        plan.candidates, plan.ramp, plan.think.0, plan.think.1, plan.think_scale, cpu.wall, procstat::load_average()
    );
    println!(
        "started {}, submitted {}, stopped by the time limit {}; {} requests answered, {} errors",
        shared.started.load(Ordering::Relaxed),
        shared.finished.load(Ordering::Relaxed),
        stopped_early,
        requests,
        errors
    );
    println!(
        "attempt starts: planned {:.1}/s, peak {}/s completed in one second",
        plan.candidates as f64 / plan.ramp.max(1e-9),
        peak_starts
    );
    println!(
        "{:<32} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "step", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    for (step, p) in &steps {
        println!(
            "{:<32} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
            step.label(),
            p.n,
            p.p50,
            p.p95,
            p.p99,
            p.max
        );
    }
    if by_kind.is_empty() {
        println!("errors by kind: none");
    } else {
        println!("errors by kind:");
        for (k, n) in &by_kind {
            println!("  {n:>8}  {k}");
        }
    }
    let per = |x: f64| x / cpu.wall.max(1e-9) * 100.0;
    println!(
        "CPU over the run (% of one core; the machine has {} cores): server {:.0}% ({:.1} s), Postgres {:.0}% ({:.1} s), generator {:.0}% ({:.1} s)",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        per(cpu.server),
        cpu.server,
        per(cpu.postgres),
        cpu.postgres,
        per(cpu.generator),
        cpu.generator
    );
    if requests > 0 {
        let r = requests as f64;
        println!(
            "per request: server {:.2} ms CPU, Postgres {:.2} ms CPU, generator {:.2} ms CPU",
            cpu.server * 1000.0 / r,
            cpu.postgres * 1000.0 / r,
            cpu.generator * 1000.0 / r
        );
        let d = |a: i64, b: i64| (b - a) as f64 / r;
        println!(
            "per request (pg_stat_database deltas, whole database): {:.2} transactions, {:.1} rows read (returned {:.1} + fetched {:.1}), {:.2} rows written, {:.1} buffer hits, {:.2} block reads",
            d(before.xact_commit + before.xact_rollback, after.xact_commit + after.xact_rollback),
            d(before.tup_returned + before.tup_fetched, after.tup_returned + after.tup_fetched),
            d(before.tup_returned, after.tup_returned),
            d(before.tup_fetched, after.tup_fetched),
            d(before.tup_inserted + before.tup_updated, after.tup_inserted + after.tup_updated),
            d(before.blks_hit, after.blks_hit),
            d(before.blks_read, after.blks_read),
        );
    }
    println!(
        "server RSS: {rss_start:.0} MB at start, {rss_peak:.0} MB peak, {rss_end:.0} MB at end"
    );
}

/// What went wrong with one step, in a few words (the key of "errors by kind").
fn describe(r: &Result<Reply, Failure>, want: u16) -> Option<String> {
    match r {
        Ok(reply) if reply.status == want => None,
        Ok(reply) => Some(format!("HTTP {} (expected {want})", reply.status)),
        Err(f) => Some(f.to_string()),
    }
}

/// One timed request; records its latency or its error.
#[allow(clippy::too_many_arguments)]
async fn step(
    s: &Shared,
    st: Step,
    method: &str,
    path: &str,
    cookie: &str,
    body: Body<'_>,
    json: bool,
    want: u16,
) -> Option<Reply> {
    let began = Instant::now();
    let r = s.client.send(method, path, cookie, body, json).await;
    if let Some(e) = describe(&r, want) {
        s.rec.error(st, &e);
        return None;
    }
    s.rec.ok(st, began.elapsed(), s.t0.elapsed().as_secs());
    r.ok()
}

/// One virtual candidate: start, answer every item (autosave, then Next), review, submit.
async fn candidate(s: &Shared, cookie: &str, think: (f64, f64), seed: u64) {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    s.started.fetch_add(1, Ordering::Relaxed);
    s.active.fetch_add(1, Ordering::Relaxed);
    let done = taking(s, cookie, think, &mut rng).await;
    s.active.fetch_sub(1, Ordering::Relaxed);
    if done {
        s.finished.fetch_add(1, Ordering::Relaxed);
    }
}

async fn taking(s: &Shared, cookie: &str, think: (f64, f64), rng: &mut impl Rng) -> bool {
    let start_path = format!("/exams/{}/attempts", s.exam);
    let Some(r) = step(
        s,
        Step::Start,
        "POST",
        &start_path,
        cookie,
        Body::Form(""),
        false,
        303,
    )
    .await
    else {
        return false;
    };
    let Some(attempt) = r.location else {
        s.rec.error(Step::Start, "redirect without Location");
        return false;
    };
    let Some(r) = step(
        s,
        Step::Resume,
        "GET",
        &attempt,
        cookie,
        Body::None,
        false,
        303,
    )
    .await
    else {
        return false;
    };
    let mut at = r.location.unwrap_or_default();
    while at.contains("/items/") {
        let Some(page) = step(s, Step::Item, "GET", &at, cookie, Body::None, false, 200).await
        else {
            return false;
        };
        let Some(form) = page::item_form(&page.body) else {
            s.rec.error(Step::Item, "page without a question form");
            return false;
        };
        let pause = if think.1 > 0.0 {
            rng.gen_range(think.0..=think.1)
        } else {
            0.0
        };
        // Reading and answering, then a moment before pressing Next.
        tokio::time::sleep(Duration::from_secs_f64(pause * 0.8)).await;
        let body = format!("{}&revision={}&nav=stay", form.answer, form.revision);
        let Some(saved) = step(
            s,
            Step::Save,
            "POST",
            &at,
            cookie,
            Body::Form(&body),
            true,
            200,
        )
        .await
        else {
            return false;
        };
        let revision = match page::json_revision(&saved.body) {
            Some(r) if saved.body.contains("\"saved\":true") => r,
            _ => {
                s.rec.error(Step::Save, "reply without saved:true");
                return false;
            }
        };
        tokio::time::sleep(Duration::from_secs_f64(pause * 0.2)).await;
        let nav = if form.has_next { "next" } else { "review" };
        let body = format!("{}&revision={revision}&nav={nav}", form.answer);
        let Some(r) = step(
            s,
            Step::Next,
            "POST",
            &at,
            cookie,
            Body::Form(&body),
            false,
            303,
        )
        .await
        else {
            return false;
        };
        at = r.location.unwrap_or_default();
    }
    if !at.ends_with("/review") {
        s.rec.error(Step::Next, "did not lead to the review screen");
        return false;
    }
    if step(s, Step::Review, "GET", &at, cookie, Body::None, false, 200)
        .await
        .is_none()
    {
        return false;
    }
    let submit = at.replace("/review", "/submit");
    let Some(r) = step(
        s,
        Step::Submit,
        "POST",
        &submit,
        cookie,
        Body::Form(""),
        false,
        303,
    )
    .await
    else {
        return false;
    };
    let result = r.location.unwrap_or_default();
    step(
        s,
        Step::Result,
        "GET",
        &result,
        cookie,
        Body::None,
        false,
        200,
    )
    .await
    .is_some()
}

async fn signin(
    target: &Target,
    users: usize,
    concurrency: usize,
    seconds: u64,
) -> anyhow::Result<()> {
    let pid = server_pid(target)?;
    let pool = connect(&target.database_url).await?;
    let password = "loadgen sign-in password";
    let hash = mockexam::password::hash_blocking(password)?;
    let tag = run_tag();
    let hashes: Vec<Vec<u8>> = (0..users)
        .map(|_| db::sessions::hash_token(&db::sessions::new_token()))
        .collect();
    db::load::create_candidates_with_sessions(&pool, &tag, &hash, &hashes).await?;
    let shared = Arc::new(Shared {
        client: Client::new(target.port, concurrency * 2, Duration::from_secs(30)),
        rec: Recorder::default(),
        t0: Instant::now(),
        exam: String::new(),
        started: AtomicUsize::new(0),
        finished: AtomicUsize::new(0),
        active: AtomicUsize::new(0),
    });
    let before = procstat::sample(pid, &db_name(&target.database_url));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (shared, next, tag) = (shared.clone(), next.clone(), tag.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::Relaxed) % users + 1;
                let body = format!(
                    "email={tag}{n}%40loadgen.mockexam&password={}&next=%2F",
                    password.replace(' ', "+")
                );
                if let Some(r) = step(
                    &shared,
                    Step::SignIn,
                    "POST",
                    "/login",
                    "",
                    Body::Form(&body),
                    false,
                    303,
                )
                .await
                {
                    if !r
                        .set_cookie
                        .is_some_and(|c| c.contains("mockexam_session="))
                    {
                        shared.rec.error(Step::SignIn, "no session cookie");
                    }
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let cpu = procstat::between(
        &before,
        &procstat::sample(pid, &db_name(&target.database_url)),
    );
    let (steps, errors, _) = shared.rec.report();
    let n = steps.first().map_or(0, |(_, p)| p.n);
    println!(
        "sign-in: {n} real sign-ins (argon2id) by {concurrency} clients in {:.1} s = {:.1}/s; load average {}",
        cpu.wall,
        n as f64 / cpu.wall,
        procstat::load_average()
    );
    for (_, p) in &steps {
        println!(
            "  p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            p.p50, p.p95, p.p99, p.max
        );
    }
    println!(
        "  CPU: server {:.1} s ({:.2} s per sign-in), Postgres {:.1} s; errors: {}",
        cpu.server,
        cpu.server / n.max(1) as f64,
        cpu.postgres,
        if errors.is_empty() {
            "none".to_string()
        } else {
            format!("{errors:?}")
        }
    );
    Ok(())
}

async fn saves(target: &Target, exam: &str, clients: usize, seconds: u64) -> anyhow::Result<()> {
    let pid = server_pid(target)?;
    let pool = connect(&target.database_url).await?;
    let tokens: Vec<String> = (0..clients).map(|_| db::sessions::new_token()).collect();
    let hashes: Vec<Vec<u8>> = tokens.iter().map(|t| db::sessions::hash_token(t)).collect();
    db::load::create_candidates_with_sessions(&pool, &run_tag(), "loadgen: no password", &hashes)
        .await?;
    let shared = Arc::new(Shared {
        client: Client::new(target.port, clients * 2, Duration::from_secs(30)),
        rec: Recorder::default(),
        t0: Instant::now(),
        exam: exam.to_string(),
        started: AtomicUsize::new(0),
        finished: AtomicUsize::new(0),
        active: AtomicUsize::new(0),
    });
    // Every client opens item 1 of a new mock first (not measured).
    let mut ready = Vec::new();
    for token in tokens {
        let cookie = format!("mockexam_session={token}");
        let s = &shared;
        let path = format!("/exams/{exam}/attempts");
        let r = s
            .client
            .send("POST", &path, &cookie, Body::Form(""), false)
            .await;
        let attempt = r
            .ok()
            .and_then(|r| r.location)
            .ok_or_else(|| anyhow::anyhow!("cannot start a mock"))?;
        let item = format!("{attempt}/items/1");
        let page = s
            .client
            .send("GET", &item, &cookie, Body::None, false)
            .await;
        let form = page
            .ok()
            .and_then(|p| page::item_form(&p.body))
            .ok_or_else(|| anyhow::anyhow!("cannot read item 1"))?;
        ready.push((cookie, item, form));
    }
    let before_db = db::load::counters(&pool).await?;
    let before = procstat::sample(pid, &db_name(&target.database_url));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for (cookie, item, form) in ready {
        let shared = shared.clone();
        tasks.push(tokio::spawn(async move {
            let mut revision = form.revision;
            while Instant::now() < deadline {
                let body = format!("{}&revision={revision}&nav=stay", form.answer);
                let Some(r) = step(
                    &shared,
                    Step::Save,
                    "POST",
                    &item,
                    &cookie,
                    Body::Form(&body),
                    true,
                    200,
                )
                .await
                else {
                    continue;
                };
                match page::json_revision(&r.body) {
                    Some(n) => revision = n,
                    None => shared.rec.error(Step::Save, "reply without a revision"),
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let cpu = procstat::between(
        &before,
        &procstat::sample(pid, &db_name(&target.database_url)),
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let after_db = db::load::counters(&pool).await?;
    let (steps, errors, _) = shared.rec.report();
    let n = steps.first().map_or(0, |(_, p)| p.n);
    println!(
        "saves: {n} autosaves by {clients} clients in {:.1} s = {:.0} saves/s; load average {}",
        cpu.wall,
        n as f64 / cpu.wall,
        procstat::load_average()
    );
    for (_, p) in &steps {
        println!(
            "  p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.1} ms",
            p.p50, p.p95, p.p99, p.max
        );
    }
    let per = |x: f64| x * 1000.0 / n.max(1) as f64;
    println!(
        "  CPU per save: server {:.3} ms, Postgres {:.3} ms, generator {:.3} ms; transactions per save {:.2}, rows read per save {:.1}; errors: {}",
        per(cpu.server),
        per(cpu.postgres),
        per(cpu.generator),
        (after_db.xact_commit + after_db.xact_rollback - before_db.xact_commit - before_db.xact_rollback) as f64 / n.max(1) as f64,
        (after_db.tup_returned + after_db.tup_fetched - before_db.tup_returned - before_db.tup_fetched) as f64 / n.max(1) as f64,
        if errors.is_empty() { "none".to_string() } else { format!("{errors:?}") }
    );
    Ok(())
}

async fn seed(
    url: &str,
    exam: &str,
    candidates: i32,
    mocks: i32,
    items: i32,
    analyze: bool,
    forget: bool,
) -> anyhow::Result<()> {
    let pool = connect(url).await?;
    let exam_row = db::exams::by_slug(&pool, exam)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no exam {exam} in the database: import its bank first"))?;
    let began = Instant::now();
    let rows = db::load::seed_history(
        &pool,
        exam_row.id,
        &format!("h{}", &run_tag()[1..]),
        candidates,
        mocks,
        items,
    )
    .await?;
    println!(
        "seeded {candidates} candidates × {mocks} submitted mocks = {rows} answer rows in {:.1} s; {} answer rows in the database",
        began.elapsed().as_secs_f64(),
        db::load::answer_rows(&pool).await?
    );
    if analyze {
        db::analyze(&pool).await?;
        println!("planner statistics refreshed (ANALYZE)");
    } else if forget {
        db::load::forget_statistics(&pool).await?;
        println!(
            "planner statistics of the per-candidate tables wiped: plans are chosen without any"
        );
    } else {
        println!("not analysed: the planner still has the statistics from before the seeding");
    }
    Ok(())
}
