//! Size independence: each per-candidate page timed on an empty database and again after
//! 1,000,000 answer rows of other candidates were added (20,000 submitted mocks of 5,000
//! candidates, `generate_series`) WITHOUT statistics — the planner's statistics of the
//! per-candidate tables are wiped, as on a server where nothing analysed the bulk load — and,
//! for reference, after ANALYZE. Each phase uses its own candidate with the same four earlier
//! mocks, so both do the same work. Prints p50/p99 per page and the ratio seeded / empty.
//!
//!   DATABASE_URL=postgres://… cargo bench --bench pages [-- SAMPLES]

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

#[tokio::main]
async fn main() {
    let samples: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let (pool, url) = common::fresh_database("mockexam_bench_pages").await;
    let exam = db::exams::by_slug(&pool, "dp-100").await.unwrap().unwrap();
    let addr = common::serve(pool.clone()).await;
    let base = format!("http://{addr}");
    let client = common::client();

    let token = candidate(&pool, &exam, "empty").await;
    let rows = db::load::answer_rows(&pool).await.unwrap();
    println!("phase 1: {rows} answer rows (the benchmark candidate's own), statistics fresh");
    let empty = measure(&client, &base, &token, samples).await;

    let began = Instant::now();
    let seeded = db::load::seed_history(&pool, exam.id, "pages", 5000, 4, 50)
        .await
        .unwrap();
    println!(
        "seeded {seeded} answer rows (5,000 candidates × 4 submitted mocks × 50) in {:.1} s",
        began.elapsed().as_secs_f64()
    );
    let token = candidate(&pool, &exam, "seeded").await;
    db::load::forget_statistics(&pool).await.unwrap();
    let rows = db::load::answer_rows(&pool).await.unwrap();
    println!("phase 2: {rows} answer rows, planner statistics of the per-candidate tables wiped");
    let without = measure(&client, &base, &token, samples).await;

    db::analyze(&pool).await.unwrap();
    let token = candidate(&pool, &exam, "analysed").await;
    db::analyze(&pool).await.unwrap();
    println!("phase 3: {rows} answer rows, after ANALYZE");
    let analysed = measure(&client, &base, &token, samples).await;

    println!(
        "\n{samples} sequential requests per page and phase, server and database on this machine ({} cores), load average {}",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split(' ').take(3).collect::<Vec<_>>().join(" ")
    );
    println!(
        "{:<40} {:>17} {:>17} {:>10} {:>17}",
        "page", "empty p50/p99", "1M, no stats", "p50 ratio", "1M, analysed"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for (i, name) in PAGES.iter().enumerate() {
        let (e, w, a) = (&empty[i], &without[i], &analysed[i]);
        println!(
            "{:<40} {:>7.2} / {:>7.2} {:>7.2} / {:>7.2} {:>9.2}x {:>7.2} / {:>7.2}",
            name,
            ms(e.0),
            ms(e.1),
            ms(w.0),
            ms(w.1),
            w.0.as_secs_f64() / e.0.as_secs_f64().max(1e-9),
            ms(a.0),
            ms(a.1)
        );
    }
    common::drop_database(pool, &url).await;
}

/// A candidate with four submitted mocks and a session; returns the session token.
async fn candidate(pool: &PgPool, exam: &db::exams::ExamRow, name: &str) -> String {
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
    db::sessions::create(pool, u.id, life, &client)
        .await
        .unwrap()
}

/// p50 and p99 of each page in `PAGES` order.
async fn measure(
    client: &common::HttpClient,
    base: &str,
    token: &str,
    samples: usize,
) -> Vec<(Duration, Duration)> {
    let req = |method: &'static str, path: String, body: Option<String>, json: bool| async move {
        common::request_with_location(client, method, &format!("{base}{path}"), token, body, json)
            .await
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
        let attempt = loc.unwrap();
        let (s, _, _, _) = req(
            "POST",
            format!("{attempt}/discard"),
            Some(String::new()),
            false,
        )
        .await;
        assert_eq!(s, 303, "discard");
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
        // The score report of one of the candidate's earlier mocks.
        String::from("RESULT"),
        "/readiness/dp-100".into(),
        "/".into(),
    ] {
        let path = if path == "RESULT" {
            let (_, _, body, _) = req("GET", "/attempts".into(), None, false).await;
            let i = body.find("/result\"").expect("a score report link");
            let from = body[..i].rfind("\"/attempts/").expect("link start") + 1;
            body[from..i + 7].to_string()
        } else {
            path
        };
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
    out.into_iter()
        .map(|mut t| {
            t.sort();
            (common::percentile(&t, 0.5), common::percentile(&t, 0.99))
        })
        .collect()
}
