//! Readiness benchmark: a candidate with 20 full mocks (about 1,000 scored answers) opens the
//! readiness report on a database of 1,000,000 answer rows (20,000 other submitted mocks seeded
//! with generate_series, then ANALYZE); prints the server-side latency of the whole page
//! (queries, calibrated bank, ability model, forecast, render).
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
    seed_other_candidates(&pool, exam.id).await;
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
    let started = Instant::now();
    let mut samples = Vec::new();
    for _ in 0..200 {
        let (s, _, d) = common::request(&client, "GET", &page, &token, None, false).await;
        assert_eq!(s, 200);
        samples.push(d);
    }
    println!("readiness: 20 submitted mocks, {evidence} scored items ({answers} answered), {total} answer rows in the database, sequential requests");
    common::summary("GET /readiness/dp-100", samples, started.elapsed());
    common::drop_database(pool, &url).await;
}

/// 2,000 other candidates with 10 submitted 50-question mocks each: 1,000,000 answer rows.
async fn seed_other_candidates(pool: &sqlx::PgPool, exam: mockexam::types::ExamId) {
    let started = Instant::now();
    for sql in [
        "INSERT INTO users (email, display_name, password_hash)
         SELECT 'load' || g || '@bench.mockexam', 'Load', 'x' FROM generate_series(1, 2000) g",
        "INSERT INTO attempts (user_id, exam_id, mode, seed, status, started_at, submitted_at,
                               submit_reason, points, max_points, scaled_score, passed)
         SELECT u.id, $1, 'exam', g, 'submitted', now() - g * interval '1 day',
                now() - g * interval '1 day' + interval '90 minutes', 'candidate', 60, 95, 650, false
         FROM users u, generate_series(1, 10) g WHERE u.email LIKE 'load%@bench.mockexam'",
        "INSERT INTO attempt_items (attempt_id, position, question_version_id, section, section_kind,
                                    permutation, answered_at, points, max_points)
         SELECT a.id, p, v.ids[1 + (abs(hashtext(a.id::text)) + p) % array_length(v.ids, 1)], p,
                'standalone', '{}'::jsonb, a.submitted_at, p % 2, 1
         FROM attempts a JOIN users u ON u.id = a.user_id,
              generate_series(1, 50) p,
              (SELECT array_agg(id) AS ids FROM question_versions) v
         WHERE u.email LIKE 'load%@bench.mockexam'",
        "ANALYZE",
    ] {
        let q = sqlx::query(sql);
        let q = if sql.contains("$1") { q.bind(exam) } else { q };
        q.execute(pool).await.unwrap();
    }
    println!(
        "seeded 1,000,000 answer rows of 2,000 other candidates in {:.1?}",
        started.elapsed()
    );
}
