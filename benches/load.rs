//! Load benchmark: many candidates taking a DP-100 mock at once against the real server and
//! database. Each virtual candidate loops: open an item page, save an answer (JSON autosave with
//! revision tracking). Prints p50/p90/p99 latency per request kind.
//!
//!   DATABASE_URL=postgres://… cargo bench --bench load [-- CANDIDATES SECONDS]

#[path = "common.rs"]
mod common;

use mockexam::db;
use mockexam::engine::start::StartOutcome;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().filter(|a| !a.starts_with('-')).collect();
    let candidates: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(50);
    let seconds: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20);
    let (pool, url) = common::fresh_database("mockexam_bench_load").await;
    let exam = db::exams::by_slug(&pool, "dp-100").await.unwrap().unwrap();
    let hash = mockexam::password::hash_blocking("benchmark password 1").unwrap();
    let mut users = Vec::new();
    for i in 0..candidates {
        let u = match db::users::create(
            &pool,
            &format!("load{i}@bench.mockexam"),
            "Load",
            &hash,
            mockexam::types::Role::Candidate,
            true,
        )
        .await
        {
            Ok(u) => u,
            Err(_) => panic!("user"),
        };
        let life = db::sessions::Lifetime {
            idle_hours: 24,
            absolute_hours: 24,
        };
        let client = db::sessions::Client {
            user_agent: "load bench",
            ip: "127.0.0.1",
        };
        let token = db::sessions::create(&pool, u.id, life, &client)
            .await
            .unwrap();
        let attempt = match mockexam::engine::start::mock(&pool, u.id, &exam, None)
            .await
            .unwrap()
        {
            StartOutcome::Created(id) | StartOutcome::AlreadyOpen(id) => id,
            StartOutcome::Refused(why) => panic!("cannot start a mock: {why:?}"),
        };
        // Standalone items only: series items lock after one answer and case studies lock on leaving.
        let positions: Vec<i32> = sqlx::query_scalar(
            "SELECT position FROM attempt_items WHERE attempt_id = $1 AND section_kind = 'standalone' ORDER BY position",
        )
        .bind(attempt)
        .fetch_all(&pool)
        .await
        .unwrap();
        let bodies: Vec<(i32, String)> = {
            let items = db::attempts::items(&pool, attempt).await.unwrap();
            positions
                .iter()
                .map(|p| {
                    let it = items.iter().find(|i| i.position == *p).unwrap();
                    (*p, answer_form(&it.body.0.body))
                })
                .collect()
        };
        users.push((token, attempt, bodies));
    }
    let addr = common::serve(pool.clone()).await;
    let base = format!("http://{addr}");
    println!(
        "load: {candidates} concurrent candidates, {seconds} s, no think time, server and client on this machine ({} cores)",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    );
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (token, attempt, bodies) in users {
        let client = common::client();
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let (mut pages, mut saves, mut errors) = (Vec::new(), Vec::new(), 0usize);
            let mut revisions = std::collections::HashMap::new();
            let mut k = 0usize;
            while Instant::now() < deadline {
                let (pos, form) = &bodies[k % bodies.len()];
                k += 1;
                let (s, _, d) = common::request(
                    &client,
                    "GET",
                    &format!("{base}/attempts/{attempt}/items/{pos}"),
                    &token,
                    None,
                    false,
                )
                .await;
                if s == 200 {
                    pages.push(d)
                } else {
                    errors += 1
                }
                let rev: i64 = *revisions.get(pos).unwrap_or(&0);
                let body = format!("{form}&revision={rev}");
                let (s, text, d) = common::request(
                    &client,
                    "POST",
                    &format!("{base}/attempts/{attempt}/items/{pos}"),
                    &token,
                    Some(body),
                    true,
                )
                .await;
                if s == 200 {
                    saves.push(d);
                    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                    revisions.insert(*pos, v["revision"].as_i64().unwrap());
                } else {
                    errors += 1;
                }
            }
            (pages, saves, errors)
        }));
    }
    let (mut pages, mut saves, mut errors) = (Vec::new(), Vec::new(), 0);
    for t in tasks {
        let (p, s, e) = t.await.unwrap();
        pages.extend(p);
        saves.extend(s);
        errors += e;
    }
    let wall = started.elapsed();
    common::summary("GET item page", pages, wall);
    common::summary("POST save (JSON autosave)", saves, wall);
    println!("errors (non-200): {errors}");
    common::drop_database(pool, &url).await;
}

/// A plausible answer form for any item kind (the first choice everywhere).
fn answer_form(body: &mockexam::domain::item::ItemBody) -> String {
    use mockexam::domain::item::ItemBody::*;
    match body {
        Single { options, .. } => format!("choice={}", options[0].id),
        Multiple {
            options, choose, ..
        } => options
            .iter()
            .take(*choose as usize)
            .map(|o| format!("choice={}", o.id))
            .collect::<Vec<_>>()
            .join("&"),
        Order { actions, key, .. } => actions
            .iter()
            .take(key.len())
            .enumerate()
            .map(|(i, a)| format!("pos{}={}", i + 1, a.id))
            .collect::<Vec<_>>()
            .join("&"),
        Dropdown { slots, .. } => slots
            .iter()
            .map(|s| format!("slot{}={}", s.number, s.choices[0].id))
            .collect::<Vec<_>>()
            .join("&"),
        Grid { statements, .. } => (1..=statements.len())
            .map(|n| format!("s{n}=yes"))
            .collect::<Vec<_>>()
            .join("&"),
        Match {
            prompts, choices, ..
        } => (1..=prompts.len())
            .map(|n| format!("p{n}={}", choices[0].id))
            .collect::<Vec<_>>()
            .join("&"),
        YesNo { .. } => "answer=yes".into(),
    }
}
