//! Readiness benchmark: a candidate with 20 full mocks (about 1,000 scored answers) opens the
//! readiness report on a database of 1,000,000 answer rows (20,000 other submitted mocks seeded
//! with generate_series); prints the server-side latency of the whole page (queries, calibrated
//! bank, ability model, forecast, render) twice: after ANALYZE, then with the planner's
//! statistics of the per-candidate tables wiped. READINESS_KEEP=1 keeps the database afterwards
//! (to EXPLAIN the page's statements on it).
//!
//!   DATABASE_URL=postgres://… cargo bench --bench readiness

#[path = "common.rs"]
mod common;

use mockexam::db;
use std::time::Instant;

#[tokio::main]
async fn main() {
    let (pool, url) = common::fresh_database("mockexam_bench_readiness").await;
    let exam = db::exams::by_slug(&pool, "dp-100").await.unwrap().unwrap();
    let hash = mockexam::password::hash_blocking("benchmark password 1").unwrap();
    let u = match db::users::create(
        &pool,
        "ready@bench.mockexam",
        "Ready",
        &hash,
        mockexam::types::Role::Candidate,
        true,
    )
    .await
    {
        Ok(u) => u,
        Err(_) => panic!("user"),
    };
    let answers = mockexam::demo::simulate_history(&pool, u.id, &exam, 20, 0.6, 0.8, 42)
        .await
        .unwrap();
    let evidence: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM attempt_items ai JOIN attempts a ON a.id = ai.attempt_id WHERE a.user_id = $1",
    )
    .bind(u.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    // The bank calibrated from those answers (most questions keep their prior).
    mockexam::engine::calibration::refresh(&pool, exam.id, true)
        .await
        .unwrap();
    let began = Instant::now();
    db::load::seed_history(&pool, exam.id, "ready", 2000, 10, 50)
        .await
        .unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();
    println!(
        "seeded 1,000,000 answer rows of 2,000 other candidates (10 mocks × 50 each) in {:.1} s, then ANALYZE",
        began.elapsed().as_secs_f64()
    );
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM attempt_items")
        .fetch_one(&pool)
        .await
        .unwrap();
    let life = db::sessions::Lifetime {
        idle_hours: 24,
        absolute_hours: 24,
    };
    let client = db::sessions::Client {
        user_agent: "readiness bench",
        ip: "127.0.0.1",
    };
    let token = db::sessions::create(&pool, u.id, life, &client)
        .await
        .unwrap();
    let addr = common::serve(pool.clone()).await;
    let client = common::client();
    let page = format!("http://{addr}/readiness/dp-100");
    // Warm up connections and caches.
    for _ in 0..5 {
        let (s, body, _) = common::request(&client, "GET", &page, &token, None, false).await;
        assert_eq!(s, 200);
        assert!(body.contains("Chance of passing a fresh DP-100 form"));
    }
    let measure = |label: &'static str| {
        let (client, page, token) = (&client, &page, &token);
        async move {
            let started = Instant::now();
            let mut samples = Vec::new();
            for _ in 0..200 {
                let (s, _, d) = common::request(client, "GET", page, token, None, false).await;
                assert_eq!(s, 200);
                samples.push(d);
            }
            println!("readiness: 20 submitted mocks, {evidence} scored items ({answers} answered), {total} answer rows in the database, sequential requests, {label}");
            common::summary("GET /readiness/dp-100", samples, started.elapsed());
        }
    };
    measure("statistics fresh (ANALYZE after the bulk load)").await;
    // The same database as a server would hold it where nothing analysed the bulk load.
    db::load::forget_statistics(&pool).await.unwrap();
    for _ in 0..5 {
        common::request(&client, "GET", &page, &token, None, false).await;
    }
    measure("planner statistics of the per-candidate tables wiped").await;
    if std::env::var("READINESS_KEEP").is_err() {
        common::drop_database(pool, &url).await;
    }
}
