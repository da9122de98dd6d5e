//! Bank browser benchmark: the DP-100 bank grown to 2,000 questions (copies of its questions
//! under new ids, in every state) with 200 submitted full mocks behind the item-analysis
//! figures, then ANALYZE. Prints the latency per page of `/author/exams/dp-100/questions` for
//! plain pages, searches, filters and sorts by figures (target: under 100 ms).
//!
//!   DATABASE_URL=postgres://… cargo bench --bench studio

#[path = "common.rs"]
mod common;

use mockexam::db;
use mockexam::types::Role;
use std::time::{Duration, Instant};

const QUESTIONS: i64 = 2000;
const MOCKS: usize = 200;

#[tokio::main]
async fn main() {
    let (pool, url) = common::fresh_database("bench_studio").await;
    let exam = db::exams::by_slug(&pool, "dp-100").await.unwrap().unwrap();
    let started = Instant::now();
    // Copies of the bank's standalone questions under new ids until the bank holds 2,000, a
    // quarter each draft, in review and retired besides the published originals.
    sqlx::query(
        "WITH src AS (
             SELECT q.*, row_number() OVER (ORDER BY q.bank_position) AS n, count(*) OVER () AS total
             FROM questions q WHERE q.exam_id = $1 AND q.scenario_id IS NULL),
         copies AS (
             SELECT s.*, g AS copy FROM src s
             CROSS JOIN generate_series(1, 20) g),
         numbered AS (
             SELECT c.*, row_number() OVER (ORDER BY c.copy, c.n) AS k FROM copies c),
         newq AS (
             INSERT INTO questions (exam_id, ext_id, objective_code, kind, bank_position, status, retired)
             SELECT exam_id, ext_id || '-copy-' || copy, objective_code, kind, 10000 + k,
                    (ARRAY['draft','in_review','published','retired'])[1 + k % 4], k % 4 = 3
             FROM numbered
             WHERE k <= $2 - (SELECT count(*) FROM questions WHERE exam_id = $1)
             RETURNING id, ext_id)
         INSERT INTO question_versions (question_id, version, body, content_hash)
         SELECT nq.id, 1, jsonb_set(v.body, '{id}', to_jsonb(nq.ext_id)), md5(nq.ext_id)
         FROM newq nq
         JOIN questions o ON o.exam_id = $1
                          AND o.ext_id = regexp_replace(nq.ext_id, '-copy-[0-9]+$', '')
         JOIN question_versions v ON v.id = o.current_version_id",
    )
    .bind(exam.id)
    .bind(QUESTIONS)
    .execute(&pool)
    .await
    .expect("copying questions");
    sqlx::query(
        "UPDATE questions q SET current_version_id = v.id FROM question_versions v
         WHERE v.question_id = q.id AND q.current_version_id IS NULL",
    )
    .execute(&pool)
    .await
    .expect("current versions");
    for i in 0..MOCKS {
        let email = format!("bench{i}@example.com");
        mockexam::demo::upsert_user(
            &pool,
            &email,
            "C",
            Role::Candidate,
            "correct horse battery staple",
        )
        .await
        .unwrap();
        let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(&email)
            .fetch_one(&pool)
            .await
            .unwrap();
        let ability = 0.3 + 0.5 * (i as f64 / MOCKS as f64);
        mockexam::demo::simulate_history(&pool, id.into(), &exam, 1, ability, ability, i as u64)
            .await
            .expect("a simulated mock");
    }
    db::analyze(&pool).await.expect("analyze");
    let counts: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM questions), (SELECT count(*) FROM attempt_items)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    println!(
        "seeded in {:.1} s: {} questions, {} answers from {MOCKS} submitted mocks",
        started.elapsed().as_secs_f64(),
        counts.0,
        counts.1
    );

    mockexam::demo::upsert_user(
        &pool,
        "lead@example.com",
        "Lead",
        Role::Instructor,
        "correct horse battery staple",
    )
    .await
    .unwrap();
    let lead: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'lead@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let token = db::sessions::create(
        &pool,
        lead.into(),
        db::sessions::Lifetime {
            idle_hours: 24,
            absolute_hours: 24,
        },
        &db::sessions::Client {
            user_agent: "studio bench",
            ip: "127.0.0.1",
        },
    )
    .await
    .unwrap();
    let addr = common::serve(pool.clone()).await;
    let client = common::client();
    let base = format!("http://{addr}/author/exams/dp-100/questions");
    let views = [
        "",
        "?page=20",
        "?q=compute+cluster",
        "?kind=dropdown&status=published",
        "?sort=facility&dir=desc&page=3",
        "?sort=discrimination&flag=look",
        "?sort=id&dir=desc&page=40",
    ];
    let (s, body, first) = common::request(&client, "GET", &base, &token, None, false).await;
    assert_eq!(s, 200, "{body}");
    assert!(
        body.contains(&format!("of {QUESTIONS} question(s) match")),
        "{body}"
    );
    println!("first page: {:.1} ms", first.as_secs_f64() * 1000.0);
    for v in views {
        let url = format!("{base}{v}");
        let mut samples: Vec<Duration> = Vec::new();
        let wall = Instant::now();
        for _ in 0..30 {
            let (s, _, d) = common::request(&client, "GET", &url, &token, None, false).await;
            assert_eq!(s, 200);
            samples.push(d);
        }
        common::summary(&format!("questions{v}"), samples, wall.elapsed());
    }
    common::drop_database(pool, &url).await;
}
