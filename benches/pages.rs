//! Size independence: each per-candidate page timed on an empty database and on a database
//! holding 1,000,000 answer rows of other candidates (20,000 submitted mocks of 5,000
//! candidates, `generate_series`) WITHOUT statistics — the planner's statistics of the
//! per-candidate tables are wiped, as on a server where nothing analysed the bulk load — and,
//! for reference, the seeded database after ANALYZE. Each database has its own candidate with
//! the same four earlier mocks, so both do the same work.
//!
//! The two databases live side by side, each behind its own server in this process, and are
//! measured in alternating rounds (empty, seeded, seeded, empty, …) after a CHECKPOINT, so a
//! machine that speeds up or slows down during the run, or the seeding's dirty pages, weigh on
//! both alike. Prints p50/p99 per page over all rounds, their ratios seeded / empty, and the
//! spread of the p50 ratio between rounds.
//!
//!   DATABASE_URL=postgres://… cargo bench --bench pages [-- SAMPLES [ROUNDS]]

#[path = "common.rs"]
mod common;
#[path = "../src/bin/loadgen/page.rs"]
#[allow(dead_code, unused_imports)]
mod page;

use mockexam::db;
use sqlx::PgPool;
use std::time::{Duration, Instant};

const PAGES: [&str; 8] = [
    "start (POST /exams/dp-100/attempts)",
    "practice start (POST /practice/dp-100)",
    "item page (GET /attempts/…/items/1)",
    "save (JSON autosave)",
    "review (GET /attempts/…/review)",
    "score report (GET /attempts/…/result)",
    "readiness (GET /readiness/dp-100)",
    "home (GET /)",
];

/// Request durations per page, in `PAGES` order.
type Times = Vec<Vec<Duration>>;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with('-'));
    let samples: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4).max(1);
    let per_round = samples.div_ceil(rounds);
    let client = common::client();

    let (empty_pool, empty_url) = common::fresh_database("mockexam_bench_pages_empty").await;
    let (seeded_pool, seeded_url) = common::fresh_database("mockexam_bench_pages_seeded").await;
    let exam = db::exams::by_slug(&seeded_pool, "dp-100")
        .await
        .unwrap()
        .unwrap();
    let began = Instant::now();
    let seeded = db::load::seed_history(&seeded_pool, exam.id, "pages", 5000, 4, 50)
        .await
        .unwrap();
    println!(
        "seeded {seeded} answer rows (5,000 candidates × 4 submitted mocks × 50) in {:.1} s",
        began.elapsed().as_secs_f64()
    );
    let empty = Side::new(&empty_pool, "empty").await;
    let seeded = Side::new(&seeded_pool, "seeded").await;
    db::load::forget_statistics(&seeded_pool).await.unwrap();
    checkpoint(&seeded_pool).await;
    println!(
        "empty database: {} answer rows (the benchmark candidate's own), statistics fresh",
        db::load::answer_rows(&empty_pool).await.unwrap()
    );
    let rows = db::load::answer_rows(&seeded_pool).await.unwrap();
    println!(
        "seeded database: {rows} answer rows, planner statistics of the per-candidate tables wiped"
    );

    let (mut all_empty, mut all_seeded) = (vec![Vec::new(); 8], vec![Vec::new(); 8]);
    let mut round_ratios = vec![Vec::new(); 8];
    for round in 0..rounds {
        // ABBA: each side goes first every other round.
        let (e, s) = if round % 2 == 0 {
            let e = empty.measure(&client, per_round).await;
            (e, seeded.measure(&client, per_round).await)
        } else {
            let s = seeded.measure(&client, per_round).await;
            (empty.measure(&client, per_round).await, s)
        };
        for i in 0..PAGES.len() {
            round_ratios[i].push(p50(&s[i]) / p50(&e[i]));
            all_empty[i].extend_from_slice(&e[i]);
            all_seeded[i].extend_from_slice(&s[i]);
        }
        println!("round {} of {rounds} done", round + 1);
    }

    db::analyze(&seeded_pool).await.unwrap();
    let analysed = Side::new(&seeded_pool, "analysed").await;
    db::analyze(&seeded_pool).await.unwrap();
    let mut all_analysed = vec![Vec::new(); 8];
    for _ in 0..rounds {
        for (i, t) in analysed
            .measure(&client, per_round)
            .await
            .into_iter()
            .enumerate()
        {
            all_analysed[i].extend(t);
        }
    }

    println!(
        "\n{} sequential requests per page and database in {rounds} alternating rounds, server and database on this machine ({} cores), load average {}",
        per_round * rounds,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split(' ').take(3).collect::<Vec<_>>().join(" ")
    );
    println!(
        "{:<40} {:>17} {:>17} {:>9} {:>9} {:>13} {:>17}",
        "page", "empty p50/p99", "1M, no stats", "p50 ×", "p99 ×", "rounds' p50 ×", "1M, analysed"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for (i, name) in PAGES.iter().enumerate() {
        let (e, w, a) = (
            summary(&mut all_empty[i]),
            summary(&mut all_seeded[i]),
            summary(&mut all_analysed[i]),
        );
        let r = &round_ratios[i];
        let (lo, hi) = r
            .iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
        println!(
            "{:<40} {:>7.2} / {:>7.2} {:>7.2} / {:>7.2} {:>8.2}x {:>8.2}x {:>6.2}–{:<5.2} {:>7.2} / {:>7.2}",
            name,
            ms(e.0),
            ms(e.1),
            ms(w.0),
            ms(w.1),
            w.0.as_secs_f64() / e.0.as_secs_f64().max(1e-9),
            w.1.as_secs_f64() / e.1.as_secs_f64().max(1e-9),
            lo,
            hi,
            ms(a.0),
            ms(a.1)
        );
    }
    common::drop_database(empty_pool, &empty_url).await;
    common::drop_database(seeded_pool, &seeded_url).await;
}

/// One database behind its own server, with the benchmark's candidate signed in.
struct Side {
    pool: PgPool,
    user: mockexam::types::UserId,
    base: String,
    token: String,
    /// The score report of one of the candidate's earlier mocks.
    result: String,
}

impl Side {
    async fn new(pool: &PgPool, name: &str) -> Side {
        let exam = db::exams::by_slug(pool, "dp-100").await.unwrap().unwrap();
        let (user, token) = candidate(pool, &exam, name).await;
        let addr = common::serve(pool.clone()).await;
        let base = format!("http://{addr}");
        let client = common::client();
        let (_, _, body, _) = common::request_with_location(
            &client,
            "GET",
            &format!("{base}/attempts"),
            &token,
            None,
            false,
        )
        .await;
        let i = body.find("/result\"").expect("a score report link");
        let from = body[..i].rfind("\"/attempts/").expect("link start") + 1;
        Side {
            pool: pool.clone(),
            user,
            base,
            token,
            result: body[from..i + 7].to_string(),
        }
    }

    /// Times every page, then removes the practice sets the round started so that every
    /// round finds the candidate as the first did.
    async fn measure(&self, client: &common::HttpClient, samples: usize) -> Times {
        let times = measure(client, &self.base, &self.token, &self.result, samples).await;
        sqlx::query("DELETE FROM attempts WHERE user_id = $1 AND mode = 'practice'")
            .bind(self.user)
            .execute(&self.pool)
            .await
            .expect("removing the round's practice sets");
        times
    }
}

/// Writes the seeding's dirty pages out now rather than during a measured round.
async fn checkpoint(pool: &PgPool) {
    sqlx::query("CHECKPOINT")
        .execute(pool)
        .await
        .expect("CHECKPOINT (the benchmark connects as a superuser)");
}

fn p50(times: &[Duration]) -> f64 {
    let mut t = times.to_vec();
    t.sort();
    common::percentile(&t, 0.5).as_secs_f64()
}

fn summary(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort();
    (
        common::percentile(times, 0.5),
        common::percentile(times, 0.99),
    )
}
/// A candidate with four submitted mocks and a session; returns the session token.
async fn candidate(
    pool: &PgPool,
    exam: &db::exams::ExamRow,
    name: &str,
) -> (mockexam::types::UserId, String) {
    let u = match db::users::create(
        pool,
        &format!("{name}@pages.bench"),
        "Bench",
        "no password",
        mockexam::types::Role::Candidate,
        true,
    )
    .await
    {
        Ok(u) => u,
        Err(_) => panic!("cannot create the benchmark candidate"),
    };
    mockexam::demo::simulate_history(pool, u.id, exam, 4, 0.6, 0.8, 7)
        .await
        .unwrap();
    let life = db::sessions::Lifetime {
        idle_hours: 24,
        absolute_hours: 24,
    };
    let client = db::sessions::Client {
        user_agent: "pages bench",
        ip: "127.0.0.1",
    };
    let token = db::sessions::create(pool, u.id, life, &client)
        .await
        .unwrap();
    (u.id, token)
}

/// Each page's request durations in `PAGES` order.
async fn measure(
    client: &common::HttpClient,
    base: &str,
    token: &str,
    result: &str,
    samples: usize,
) -> Times {
    let req = |method: &'static str, path: String, body: Option<String>, json: bool| async move {
        common::request_with_location(client, method, &format!("{base}{path}"), token, body, json)
            .await
    };
    let discard = |attempt: String| async move {
        let (s, _, _, _) = req(
            "POST",
            format!("{attempt}/discard"),
            Some(String::new()),
            false,
        )
        .await;
        assert_eq!(s, 303, "discard {attempt}");
    };
    let mut out = Vec::new();
    let warm = 10;
    // Start: a new mock, discarded again (not timed) so the next start is a fresh one.
    let mut times = Vec::new();
    for i in 0..samples + warm {
        let (s, loc, _, d) = req(
            "POST",
            "/exams/dp-100/attempts".into(),
            Some(String::new()),
            false,
        )
        .await;
        assert_eq!(s, 303, "start");
        discard(loc.unwrap()).await;
        if i >= warm {
            times.push(d);
        }
    }
    out.push(times);
    let mut times = Vec::new();
    for i in 0..samples + warm {
        let (s, _, _, d) = req(
            "POST",
            "/practice/dp-100".into(),
            Some("size=10&which=any".into()),
            false,
        )
        .await;
        assert_eq!(s, 303, "practice start");
        if i >= warm {
            times.push(d);
        }
    }
    out.push(times);
    // One mock kept open for the item page, saves and the review screen.
    let (_, loc, _, _) = req(
        "POST",
        "/exams/dp-100/attempts".into(),
        Some(String::new()),
        false,
    )
    .await;
    let attempt = loc.unwrap();
    let item = format!("{attempt}/items/1");
    let (mut times, mut form) = (Vec::new(), None);
    for i in 0..samples + warm {
        let (s, _, body, d) = req("GET", item.clone(), None, false).await;
        assert_eq!(s, 200, "item page");
        form = page::item_form(&body);
        if i >= warm {
            times.push(d);
        }
    }
    out.push(times);
    let form = form.expect("a question form on the item page");
    let (mut times, mut revision) = (Vec::new(), form.revision);
    for i in 0..samples + warm {
        let body = format!("{}&revision={revision}&nav=stay", form.answer);
        let (s, _, reply, d) = req("POST", item.clone(), Some(body), true).await;
        assert_eq!(s, 200, "save: {reply}");
        revision = page::json_revision(&reply).expect("revision in the reply");
        if i >= warm {
            times.push(d);
        }
    }
    out.push(times);
    for path in [
        format!("{attempt}/review"),
        result.to_string(),
        "/readiness/dp-100".into(),
        "/".into(),
    ] {
        let mut times = Vec::new();
        for i in 0..samples + warm {
            let (s, _, _, d) = req("GET", path.clone(), None, false).await;
            assert_eq!(s, 200, "{path}");
            if i >= warm {
                times.push(d);
            }
        }
        out.push(times);
    }
    // The next round starts from the same state: no mock in progress.
    discard(attempt).await;
    out
}
