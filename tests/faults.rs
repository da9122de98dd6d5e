//! Fault programs: the real `mockexam serve` binary in child processes, virtual candidates
//! talking HTTP to it as browsers do (sign-in form, cookies, same-origin headers, the JSON
//! autosave retried with backoff until acknowledged), and a fault injected under that load:
//!
//! - `postgres_stopped_under_load`: PostgreSQL is stopped (`pg_ctl stop -m fast`) and started
//!   again. Prints the time from the stop to the first 503, the slowest answer while it was
//!   down, the time from its return to the first page served, the answers by status, and the
//!   acknowledged saves against the rows. Needs a PostgreSQL the program may stop: run it with
//!   `scripts/fault-postgres`, which starts a private cluster (never the shared server).
//! - `kill_9_under_load`: the server is killed with SIGKILL and started again; every save it
//!   acknowledged is in the database (`scripts/fault-kill`).
//! - `two_processes_behind_one_database`: candidates sign in on process A, take the mock on
//!   process B, and both sweepers finalise the expired attempts, each exactly once
//!   (`scripts/fault-replicas`).
//!
//! They are `#[ignore]`d (they take 20–40 s and start processes) and run one at a time:
//! `cargo test --test faults -- --ignored --nocapture --test-threads=1 NAME`. Each works in a
//! database of its own, created on the server of `FAULT_DATABASE_URL` (else `DATABASE_URL`) and
//! dropped at the end. Set `FAULT_SECONDS` to lengthen the load phases.

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use mockexam::domain::item::{Item, ItemBody, Response};
use sqlx::PgPool;
use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use uuid::Uuid;

const PASSWORD: &str = "fault programs password";

// ---------------------------------------------------------------------------------------------
// HTTP as a browser sends it
// ---------------------------------------------------------------------------------------------

type Http = Client<HttpConnector, Full<Bytes>>;

fn http() -> Http {
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(64)
        .build_http()
}

#[derive(Debug)]
struct Reply {
    status: u16,
    retry_after: Option<u64>,
    location: String,
    session: Option<String>,
    body: String,
    took: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Status(u16),
    /// Connection refused or reset: the server is not there.
    NoConnection,
    /// No answer within the client's 10 s.
    TimedOut,
}

async fn send(
    http: &Http,
    method: &str,
    base: &str,
    path: &str,
    session: Option<&str>,
    form: Option<String>,
    json: bool,
) -> Result<Reply, Outcome> {
    let mut b = axum::http::Request::builder()
        .method(method)
        .uri(format!("{base}{path}"))
        .header("origin", base)
        .header("sec-fetch-site", "same-origin");
    if let Some(s) = session {
        b = b.header("cookie", format!("mockexam_session={s}"));
    }
    if json {
        b = b.header("accept", "application/json");
    }
    let body = match form {
        Some(f) => {
            b = b.header("content-type", "application/x-www-form-urlencoded");
            Full::new(Bytes::from(f))
        }
        None => Full::new(Bytes::new()),
    };
    let started = Instant::now();
    let req = b.body(body).expect("a request");
    let resp = match tokio::time::timeout(Duration::from_secs(10), http.request(req)).await {
        Err(_) => return Err(Outcome::TimedOut),
        Ok(Err(_)) => return Err(Outcome::NoConnection),
        Ok(Ok(r)) => r,
    };
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let retry_after = header("retry-after").and_then(|v| v.parse().ok());
    let location = header("location").unwrap_or_default();
    let session = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("mockexam_session="))
        .map(|v| v.split(';').next().unwrap_or("").to_string());
    let body = match tokio::time::timeout(Duration::from_secs(10), resp.into_body().collect()).await
    {
        Ok(Ok(b)) => String::from_utf8_lossy(&b.to_bytes()).into_owned(),
        Ok(Err(_)) => return Err(Outcome::NoConnection),
        Err(_) => return Err(Outcome::TimedOut),
    };
    Ok(Reply {
        status,
        retry_after,
        location,
        session,
        body,
        took: started.elapsed(),
    })
}

fn form(fields: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        s.append_pair(k, v);
    }
    s.finish()
}

// ---------------------------------------------------------------------------------------------
// The server under test: the real binary
// ---------------------------------------------------------------------------------------------

struct Server {
    child: Option<Child>,
    base: String,
    db_url: String,
    port: u16,
    env: Vec<(String, String)>,
    log: std::path::PathBuf,
}

impl Server {
    async fn start(db_url: &str, name: &str, env: &[(&str, &str)]) -> Server {
        let port = free_port();
        let log = std::env::temp_dir().join(format!("mockexam-fault-{name}-{port}.log"));
        let mut s = Server {
            child: None,
            base: format!("http://127.0.0.1:{port}"),
            db_url: db_url.to_string(),
            port,
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            log,
        };
        s.spawn().await;
        s
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("a log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mockexam"));
        cmd.arg("serve")
            .env("DATABASE_URL", &self.db_url)
            .env("MOCKEXAM_BIND", format!("127.0.0.1:{}", self.port))
            .env(
                "MOCKEXAM_DATA_DIR",
                std::env::temp_dir().join("mockexam-fault-data"),
            )
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        self.child = Some(cmd.spawn().expect("the mockexam binary starts"));
        let http = http();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = send(&http, "GET", &self.base, "/healthz", None, None, false).await {
                if r.status == 200 {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "the server did not start; see {}",
                self.log.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGKILL: no shutdown, no flushing, requests in flight cut.
    fn kill_9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill_9();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A database of this program's own on the server of `FAULT_DATABASE_URL` or `DATABASE_URL`,
/// migrated, with the example bank and `n` candidates.
async fn fresh_database(name: &str, n: usize) -> (String, PgPool) {
    let base = std::env::var("FAULT_DATABASE_URL")
        .or_else(|_| std::env::var("DATABASE_URL"))
        .expect("FAULT_DATABASE_URL or DATABASE_URL");
    let (server, _) = base.rsplit_once('/').expect("a database URL");
    let db = format!("mockexam_fault_{name}_{}", std::process::id());
    let url = format!("{server}/{db}");
    let pool = mockexam::db::connect_and_migrate(&url)
        .await
        .expect("a fresh database");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("question-bank/example");
    let bank = mockexam::bank::load(&dir).expect("the example bank");
    mockexam::bank::import::import(&pool, &bank)
        .await
        .expect("import");
    for i in 0..n {
        mockexam::demo::upsert_user(
            &pool,
            &email(i),
            "Fault Candidate",
            mockexam::types::Role::Candidate,
            PASSWORD,
        )
        .await
        .expect("a candidate");
    }
    (url, pool)
}

async fn drop_database(url: &str, pool: PgPool) {
    pool.close().await;
    let (server, db) = url.rsplit_once('/').unwrap();
    if let Ok(admin) = sqlx::PgPool::connect(&format!("{server}/postgres")).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
            .execute(&admin)
            .await;
    }
}

fn email(i: usize) -> String {
    format!("fault{i}@example.com")
}

fn seconds(default: u64) -> Duration {
    let scale = std::env::var("FAULT_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(default);
    Duration::from_secs(scale)
}

// ---------------------------------------------------------------------------------------------
// Virtual candidates
// ---------------------------------------------------------------------------------------------

/// A standalone question the candidate answers again and again, and what it may answer.
#[derive(Clone, Debug)]
struct Slot {
    position: i32,
    options: Vec<String>,
    /// 1 for single answer, the number to choose for multiple answer.
    choose: usize,
}

#[derive(Debug)]
struct Acked {
    revision: i32,
    choices: Vec<String>,
}

struct Candidate {
    session: String,
    attempt: Uuid,
    slots: Vec<Slot>,
    /// The last acknowledged save per position.
    acked: BTreeMap<i32, Acked>,
    /// The attempt was closed (time up): no more saves.
    closed: bool,
}

#[derive(Default)]
struct Tally {
    acknowledged: AtomicUsize,
    retries: AtomicUsize,
    by_outcome: Mutex<BTreeMap<Outcome, usize>>,
}

impl Tally {
    fn count(&self, o: Outcome) {
        *self.by_outcome.lock().unwrap().entry(o).or_default() += 1;
    }
}

/// Signs in through the form (a real argon2 check); the session cookie.
async fn sign_in(http: &Http, base: &str, i: usize) -> String {
    let r = send(
        http,
        "POST",
        base,
        "/login",
        None,
        Some(form(&[
            ("email", &email(i)),
            ("password", PASSWORD),
            ("next", "/"),
        ])),
        false,
    )
    .await
    .expect("sign-in answers");
    assert_eq!(
        r.status,
        303,
        "sign-in: {}",
        &r.body[..r.body.len().min(300)]
    );
    r.session.expect("a session cookie")
}

/// Starts a mock of the example exam.
async fn start(http: &Http, base: &str, pool: &PgPool, session: String) -> Candidate {
    let r = send(
        http,
        "POST",
        base,
        "/exams/ex-100/attempts",
        Some(&session),
        Some(String::new()),
        false,
    )
    .await
    .expect("start answers");
    assert_eq!(r.status, 303, "start: {}", &r.body[..r.body.len().min(300)]);
    let attempt: Uuid = r
        .location
        .trim_start_matches("/attempts/")
        .parse()
        .expect("an attempt address");
    Candidate {
        session,
        attempt,
        slots: slots(pool, attempt).await,
        acked: BTreeMap::new(),
        closed: false,
    }
}

async fn sign_in_and_start(http: &Http, base: &str, pool: &PgPool, i: usize) -> Candidate {
    let session = sign_in(http, base, i).await;
    start(http, base, pool, session).await
}

async fn slots(pool: &PgPool, attempt: Uuid) -> Vec<Slot> {
    let rows: Vec<(i32, sqlx::types::Json<Item>)> = sqlx::query_as(
        "SELECT ai.position, qv.body FROM attempt_items ai
         JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND ai.section_kind = 'standalone' ORDER BY ai.position",
    )
    .bind(attempt)
    .fetch_all(pool)
    .await
    .expect("the attempt's items");
    rows.into_iter()
        .filter_map(|(position, item)| match item.0.body {
            ItemBody::Single { options, .. } => Some(Slot {
                position,
                options: options.into_iter().map(|o| o.id).collect(),
                choose: 1,
            }),
            ItemBody::Multiple {
                options, choose, ..
            } => Some(Slot {
                position,
                options: options.into_iter().map(|o| o.id).collect(),
                choose: choose as usize,
            }),
            _ => None,
        })
        .collect()
}

impl Candidate {
    /// Saves the `n`th answer: retried with backoff (honouring Retry-After, at most 1 s here to
    /// keep the program short) until the server acknowledges it or `give_up` is set. The same
    /// body is sent again on every try, as the browser does.
    async fn save(
        &mut self,
        http: &Http,
        base: &(dyn Fn() -> String + Sync),
        n: usize,
        tally: &Tally,
        give_up: &AtomicBool,
    ) {
        let slot = self.slots[n % self.slots.len()].clone();
        let start = (n / self.slots.len()) % slot.options.len();
        let choices: Vec<String> = (0..slot.choose)
            .map(|k| slot.options[(start + k) % slot.options.len()].clone())
            .collect();
        let revision = self
            .acked
            .get(&slot.position)
            .map(|a| a.revision)
            .unwrap_or(0);
        let mut fields: Vec<(&str, &str)> =
            choices.iter().map(|c| ("choice", c.as_str())).collect();
        let rev = revision.to_string();
        fields.push(("revision", &rev));
        fields.push(("nav", "stay"));
        let body = form(&fields);
        let path = format!("/attempts/{}/items/{}", self.attempt, slot.position);
        let mut tries = 0u32;
        loop {
            let r = send(
                http,
                "POST",
                &base(),
                &path,
                Some(&self.session),
                Some(body.clone()),
                true,
            )
            .await;
            let wait = match r {
                Ok(r) if r.status == 200 => {
                    tally.count(Outcome::Status(200));
                    let j: serde_json::Value = serde_json::from_str(&r.body).expect("JSON");
                    assert_eq!(j["saved"], true, "{}", r.body);
                    let revision = j["revision"].as_i64().expect("a revision") as i32;
                    self.acked
                        .insert(slot.position, Acked { revision, choices });
                    tally.acknowledged.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Ok(r) if r.status == 409 && r.body.contains("\"redirect\"") => {
                    // Time is up and the attempt is closed: the browser goes to the report.
                    tally.count(Outcome::Status(409));
                    self.closed = true;
                    return;
                }
                Ok(r) => {
                    tally.count(Outcome::Status(r.status));
                    assert!(
                        r.status == 503 || r.status == 502,
                        "a save answered {}: {}",
                        r.status,
                        &r.body[..r.body.len().min(300)]
                    );
                    let j: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_default();
                    assert_eq!(j["saved"], false, "{}", r.body);
                    Duration::from_secs(r.retry_after.unwrap_or(1)).min(Duration::from_secs(1))
                }
                Err(o) => {
                    tally.count(o);
                    Duration::from_millis(200)
                }
            };
            if give_up.load(Ordering::Relaxed) {
                return;
            }
            tries += 1;
            tally.retries.fetch_add(1, Ordering::Relaxed);
            let backoff = Duration::from_millis(100 * 2u64.pow(tries.min(4)));
            tokio::time::sleep(wait.max(backoff).min(Duration::from_secs(1))).await;
        }
    }
}

/// Compares every candidate's last acknowledged save per question with the row.
struct Verdict {
    acknowledged_answers: usize,
    found: usize,
    newer_unacknowledged: usize,
    lost: Vec<String>,
}

async fn verify(pool: &PgPool, candidates: &[Candidate]) -> Verdict {
    let mut v = Verdict {
        acknowledged_answers: 0,
        found: 0,
        newer_unacknowledged: 0,
        lost: vec![],
    };
    for c in candidates {
        for (position, acked) in &c.acked {
            v.acknowledged_answers += 1;
            let (revision, response): (i32, Option<sqlx::types::Json<Response>>) = sqlx::query_as(
                "SELECT revision, response FROM attempt_items WHERE attempt_id = $1 AND position = $2",
            )
            .bind(c.attempt)
            .bind(position)
            .fetch_one(pool)
            .await
            .expect("the row");
            let stored: Vec<String> = match response.map(|r| r.0) {
                Some(Response::Single { choice }) => choice.into_iter().collect(),
                Some(Response::Multiple { mut choices }) => {
                    choices.sort();
                    choices
                }
                _ => vec![],
            };
            let mut want = acked.choices.clone();
            want.sort();
            if revision == acked.revision && stored == want {
                v.found += 1;
            } else if revision > acked.revision {
                // A later save landed but its answer never reached the candidate (cut by the
                // fault); the browser would resend it. Not a loss.
                v.found += 1;
                v.newer_unacknowledged += 1;
            } else {
                v.lost.push(format!(
                    "attempt {} position {position}: acknowledged revision {} {:?}, stored revision {revision} {:?}",
                    c.attempt, acked.revision, acked.choices, stored
                ));
            }
        }
    }
    v
}

/// Candidates saving in a loop with `think` between saves until `stop`; returns them.
fn run_load(
    candidates: Vec<Candidate>,
    base: Arc<dyn Fn() -> String + Send + Sync>,
    think: Duration,
    tally: Arc<Tally>,
    stop: Arc<AtomicBool>,
    give_up: Arc<AtomicBool>,
) -> Vec<tokio::task::JoinHandle<Candidate>> {
    candidates
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            let (base, tally, stop, give_up) =
                (base.clone(), tally.clone(), stop.clone(), give_up.clone());
            tokio::spawn(async move {
                let http = http();
                let mut n = i;
                // Staggered: not every candidate saves in the same millisecond.
                tokio::time::sleep(think * (i as u32 % 10) / 10).await;
                while !stop.load(Ordering::Relaxed) && !c.closed {
                    c.save(&http, &*base, n, &tally, &give_up).await;
                    n += 1;
                    tokio::time::sleep(think).await;
                }
                c
            })
        })
        .collect()
}

/// One page load: when (since the start), what came back, how long it took, its Retry-After.
type Probe = (Duration, Outcome, Duration, Option<u64>);

/// A page load every `every` until `stop`.
fn run_prober(
    base: String,
    session: String,
    t0: Instant,
    every: Duration,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<Vec<Probe>> {
    tokio::spawn(async move {
        let http = http();
        let mut seen = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let at = t0.elapsed();
            let started = Instant::now();
            match send(&http, "GET", &base, "/exams", Some(&session), None, false).await {
                Ok(r) => {
                    if r.status == 503 {
                        assert!(r.body.contains("data-retry-after"), "the friendly page");
                    }
                    seen.push((at, Outcome::Status(r.status), r.took, r.retry_after))
                }
                Err(o) => seen.push((at, o, started.elapsed(), None)),
            }
            tokio::time::sleep(every).await;
        }
        seen
    })
}

fn outcomes_line(by: &BTreeMap<Outcome, usize>) -> String {
    by.iter()
        .map(|(o, n)| match o {
            Outcome::Status(s) => format!("{s}: {n}"),
            Outcome::NoConnection => format!("no connection: {n}"),
            Outcome::TimedOut => format!("timed out: {n}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn ms(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

async fn sign_in_all(base: &str, pool: &PgPool, n: usize) -> Vec<Candidate> {
    let http = http();
    // Everyone signs in first (argon2 is slow on a debug build), then starts: the mocks'
    // clocks start together.
    let mut sessions = Vec::new();
    for i in 0..n {
        sessions.push(sign_in(&http, base, i).await);
    }
    let mut out = Vec::new();
    for s in sessions {
        out.push(start(&http, base, pool, s).await);
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The faults
// ---------------------------------------------------------------------------------------------

/// `FAULT_PG_CTL`: the command that controls the PostgreSQL of `FAULT_DATABASE_URL`, to which
/// `stop -m fast` and `start -w` are appended (scripts/fault-postgres sets both).
fn pg_ctl(args: &str) -> Duration {
    let ctl = std::env::var("FAULT_PG_CTL")
        .expect("FAULT_PG_CTL: run this through scripts/fault-postgres");
    let started = Instant::now();
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{ctl} {args}"))
        .stdout(Stdio::null())
        .status()
        .expect("pg_ctl runs");
    assert!(status.success(), "pg_ctl {args} failed");
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "stops PostgreSQL: run through scripts/fault-postgres"]
async fn postgres_stopped_under_load() {
    let n = 16;
    let (url, pool) = fresh_database("pgstop", n + 1).await;
    let server = Server::start(&url, "pgstop", &[]).await;
    let candidates = sign_in_all(&server.base, &pool, n).await;
    let watcher = sign_in_and_start(&http(), &server.base, &pool, n).await;
    pool.close().await;

    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let give_up = Arc::new(AtomicBool::new(false));
    let base = server.base.clone();
    let t0 = Instant::now();
    let load = run_load(
        candidates,
        Arc::new(move || base.clone()),
        Duration::from_millis(100),
        tally.clone(),
        stop.clone(),
        give_up.clone(),
    );
    let prober = run_prober(
        server.base.clone(),
        watcher.session.clone(),
        t0,
        Duration::from_millis(50),
        stop.clone(),
    );
    tokio::time::sleep(seconds(5)).await;
    let acked_before = tally.acknowledged.load(Ordering::Relaxed);

    let stop_at = t0.elapsed();
    let stop_took = pg_ctl("stop -m fast");
    tokio::time::sleep(seconds(5)).await;
    let start_at = t0.elapsed();
    let start_took = pg_ctl("start -w");
    let up_at = t0.elapsed();
    tokio::time::sleep(seconds(5)).await;
    stop.store(true, Ordering::Relaxed);
    // Saves still retrying finish now that the database is back.
    let mut finished = Vec::new();
    for h in load {
        finished.push(h.await.expect("a candidate"));
    }
    let probes = prober.await.expect("the prober");

    let pool = PgPool::connect(&url).await.expect("the database again");
    let verdict = verify(&pool, &finished).await;
    let first_503 = probes
        .iter()
        .find(|(at, o, _, _)| *at >= stop_at && *o == Outcome::Status(503));
    let down_window: Vec<_> = probes
        .iter()
        .filter(|(at, _, _, _)| *at >= stop_at && *at < up_at)
        .collect();
    let slowest_down = down_window.iter().map(|p| p.2).max().unwrap_or_default();
    let first_200_after = probes
        .iter()
        .find(|(at, o, _, _)| *at >= up_at && *o == Outcome::Status(200));
    let mut probe_outcomes = BTreeMap::new();
    for p in &down_window {
        *probe_outcomes.entry(p.1).or_insert(0) += 1;
    }
    let retry_after: Vec<u64> = down_window.iter().filter_map(|p| p.3).collect();
    let saves = tally.by_outcome.lock().unwrap().clone();

    println!(
        "postgres_stopped_under_load: {n} candidates saving every 100 ms, a page load every 50 ms"
    );
    println!("  PostgreSQL stopped at {:.1} s (pg_ctl stop -m fast took {}), started at {:.1} s (pg_ctl start -w took {})",
        stop_at.as_secs_f64(), ms(stop_took), start_at.as_secs_f64(), ms(start_took));
    match first_503 {
        Some((at, _, took, _)) => println!(
            "  first 503 page {} after the stop (that request took {}); Retry-After {:?}",
            ms(at.saturating_sub(stop_at) + *took),
            ms(*took),
            retry_after.first()
        ),
        None => println!("  no 503 seen"),
    }
    println!(
        "  page loads while it was down: {} ({}), slowest {}",
        down_window.len(),
        outcomes_line(&probe_outcomes),
        ms(slowest_down)
    );
    match first_200_after {
        Some((at, _, took, _)) => println!(
            "  service back {} after PostgreSQL accepted connections again (no restart)",
            ms(at.saturating_sub(up_at) + *took)
        ),
        None => println!("  service NOT back"),
    }
    println!(
        "  saves: {} acknowledged ({} before the stop), {} retries; answers by status: {}",
        tally.acknowledged.load(Ordering::Relaxed),
        acked_before,
        tally.retries.load(Ordering::Relaxed),
        outcomes_line(&saves)
    );
    println!(
        "  acknowledged answers (last per question): {}, in the database: {}, newer unacknowledged: {}, lost: {}",
        verdict.acknowledged_answers,
        verdict.found,
        verdict.newer_unacknowledged,
        verdict.lost.len()
    );
    drop(server);
    drop_database(&url, pool).await;

    assert!(verdict.lost.is_empty(), "lost: {:#?}", verdict.lost);
    let first_503 = first_503.expect("a 503 while PostgreSQL was down");
    assert!(first_503.0.saturating_sub(stop_at) + first_503.2 < Duration::from_secs(2));
    assert!(
        slowest_down < Duration::from_secs(1),
        "every page answered within 1 s: {slowest_down:?}"
    );
    assert!(
        !probe_outcomes
            .keys()
            .chain(saves.keys())
            .any(|o| *o == Outcome::Status(500)),
        "no 500"
    );
    let back = first_200_after.expect("service back");
    assert!(back.0.saturating_sub(up_at) < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts and kills server processes: run through scripts/fault-kill"]
async fn kill_9_under_load() {
    let n = 16;
    let (url, pool) = fresh_database("kill9", n).await;
    let mut server = Server::start(&url, "kill9", &[]).await;
    let candidates = sign_in_all(&server.base, &pool, n).await;

    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let give_up = Arc::new(AtomicBool::new(false));
    let base = server.base.clone();
    let load = run_load(
        candidates,
        Arc::new(move || base.clone()),
        Duration::from_millis(50),
        tally.clone(),
        stop.clone(),
        give_up.clone(),
    );
    let mut kills = Vec::new();
    for round in 0..3 {
        tokio::time::sleep(seconds(4)).await;
        let acked = tally.acknowledged.load(Ordering::Relaxed);
        server.kill_9();
        let killed = Instant::now();
        tokio::time::sleep(Duration::from_millis(500)).await;
        server.spawn().await;
        kills.push((round + 1, acked, killed.elapsed()));
    }
    tokio::time::sleep(seconds(4)).await;
    stop.store(true, Ordering::Relaxed);
    let mut finished = Vec::new();
    for h in load {
        finished.push(h.await.expect("a candidate"));
    }
    let verdict = verify(&pool, &finished).await;
    let rows: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM attempt_items WHERE attempt_id = ANY($1) AND revision > 0",
    )
    .bind(finished.iter().map(|c| c.attempt).collect::<Vec<_>>())
    .fetch_one(&pool)
    .await
    .unwrap();
    let saves = tally.by_outcome.lock().unwrap().clone();
    println!("kill_9_under_load: {n} candidates saving every 50 ms; the server killed with SIGKILL 3 times");
    for (round, acked, back) in &kills {
        println!(
            "  kill {round}: after {acked} acknowledged saves; serving again {} after the kill",
            ms(*back)
        );
    }
    println!(
        "  saves: {} acknowledged, {} retries; answers by outcome: {}",
        tally.acknowledged.load(Ordering::Relaxed),
        tally.retries.load(Ordering::Relaxed),
        outcomes_line(&saves)
    );
    println!(
        "  acknowledged answers (last per question): {}, in the database: {} (rows answered: {rows}), newer unacknowledged: {}, lost: {}",
        verdict.acknowledged_answers,
        verdict.found,
        verdict.newer_unacknowledged,
        verdict.lost.len()
    );
    drop(server);
    drop_database(&url, pool).await;
    assert!(verdict.lost.is_empty(), "lost: {:#?}", verdict.lost);
    assert!(!saves.contains_key(&Outcome::Status(500)), "no 500");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "starts two server processes: run through scripts/fault-replicas"]
async fn two_processes_behind_one_database() {
    let n = 12;
    let (url, pool) = fresh_database("replicas", n).await;
    // Short mocks and a sweeper every second on both, so attempts expire during the run.
    let env = [
        ("MOCKEXAM_DURATION_OVERRIDE_SECONDS", "15"),
        ("MOCKEXAM_SWEEP_SECONDS", "1"),
        ("MOCKEXAM_GRACE_SECONDS", "1"),
    ];
    let a = Server::start(&url, "replica-a", &env).await;
    let b = Server::start(&url, "replica-b", &env).await;
    // Signed in and started on A...
    let candidates = sign_in_all(&a.base, &pool, n).await;
    let attempts: Vec<Uuid> = candidates.iter().map(|c| c.attempt).collect();
    // ...and answered on B (a load balancer without sticky sessions sends them anywhere).
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let give_up = Arc::new(AtomicBool::new(false));
    let flip = Arc::new(AtomicUsize::new(0));
    let (base_a, base_b) = (a.base.clone(), b.base.clone());
    let load = run_load(
        candidates,
        Arc::new(move || {
            // Two saves on B for one on A.
            if flip.fetch_add(1, Ordering::Relaxed) % 3 == 0 {
                base_a.clone()
            } else {
                base_b.clone()
            }
        }),
        Duration::from_millis(200),
        tally.clone(),
        stop.clone(),
        give_up.clone(),
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    stop.store(true, Ordering::Relaxed);
    let mut finished = Vec::new();
    for h in load {
        finished.push(h.await.expect("a candidate"));
    }
    let verdict = verify(&pool, &finished).await;
    // Nobody submits: time runs out and the sweepers of both processes finalise.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM attempts WHERE id = ANY($1) AND status = 'in_progress'",
        )
        .bind(&attempts)
        .fetch_one(&pool)
        .await
        .unwrap();
        if open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{open} attempts still open");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let finalised = |m: String| -> usize {
        m.lines()
            .filter(|l| l.starts_with("mockexam_attempts_finalised_total"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>() as usize
    };
    let http = http();
    let metrics_a = send(&http, "GET", &a.base, "/metrics", None, None, false)
        .await
        .unwrap();
    let metrics_b = send(&http, "GET", &b.base, "/metrics", None, None, false)
        .await
        .unwrap();
    let (fa, fb) = (finalised(metrics_a.body), finalised(metrics_b.body));
    let swept: Vec<(String, i64)> = sqlx::query_as(
        "SELECT submit_reason, count(*) FROM attempts WHERE id = ANY($1) GROUP BY 1 ORDER BY 1",
    )
    .bind(&attempts)
    .fetch_all(&pool)
    .await
    .unwrap();
    let scored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM attempts WHERE id = ANY($1) AND status = 'submitted' AND points IS NOT NULL",
    )
    .bind(&attempts)
    .fetch_one(&pool)
    .await
    .unwrap();
    let saves = tally.by_outcome.lock().unwrap().clone();
    println!("two_processes_behind_one_database: {n} candidates signed in and started on A, answering on A and B");
    println!(
        "  saves: {} acknowledged ({}), answers in the database: {}/{} lost: {}",
        tally.acknowledged.load(Ordering::Relaxed),
        outcomes_line(&saves),
        verdict.found,
        verdict.acknowledged_answers,
        verdict.lost.len()
    );
    println!(
        "  attempts finalised by process A: {fa}, by process B: {fb}, total {} for {} attempts",
        fa + fb,
        attempts.len()
    );
    println!("  attempts by reason: {swept:?}; scored: {scored}");
    drop((a, b));
    drop_database(&url, pool).await;
    assert!(verdict.lost.is_empty(), "lost: {:#?}", verdict.lost);
    assert_eq!(
        fa + fb,
        attempts.len(),
        "each attempt finalised exactly once"
    );
    assert_eq!(scored, attempts.len() as i64);
}
