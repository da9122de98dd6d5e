//! Overload and a missing database through the real router: requests are shed at once with a
//! friendly 503 page (JSON `{saved:false}` for the autosave) and `Retry-After`, instead of
//! queueing into time-outs; a stopped database is noticed within a second and service returns
//! by itself when it is back; two app processes on one database share the work.

use crate::db_switch::DbSwitch;
use crate::helpers as common;
use common::{TestApp, TestResponse, PASSWORD};
use mockexam::app::app;
use mockexam::domain::item::{Item, ItemBody};
use mockexam::state::AppState;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// A browser on an app whose database pool is `server_pool`; `pool` is the test's own view of
/// the database, for checks.
fn app_on(server_pool: PgPool, pool: &PgPool, config: mockexam::config::Config) -> TestApp {
    let mut t = TestApp::with_config(pool.clone(), config.clone());
    t.router = app(AppState::new(server_pool, config));
    t
}

/// Another browser with the same session, on the same server.
fn same_session(a: &TestApp) -> TestApp {
    let mut b = a.other_browser();
    b.cookie = a.cookie.clone();
    b
}

#[track_caller]
fn assert_friendly_503(r: &TestResponse, retry_after: &str, says: &str) {
    r.assert_status(503).assert_contains(says);
    assert_eq!(
        r.headers.get("retry-after").and_then(|v| v.to_str().ok()),
        Some(retry_after),
        "Retry-After"
    );
    assert!(
        r.headers.contains_key("content-security-policy"),
        "security headers on the 503 page"
    );
    r.assert_selector("main#main [data-retry-after]")
        .assert_selector("a[data-retry-now]");
}

async fn sign_up(app: &mut TestApp, email: &str) {
    app.register(email, "Candidate").await.assert_status(303);
    app.login(email, PASSWORD).await.assert_status(303);
}

/// Starts a mock of the example exam; the attempt and the position and key of a
/// single-answer question in it.
async fn start_mock(app: &mut TestApp, pool: &PgPool) -> (Uuid, i32, String) {
    let r = app.post("/exams/ex-100/attempts", &[]).await;
    r.assert_status(303);
    let id = common::attempt_id(r.location());
    let rows: Vec<(i32, sqlx::types::Json<Item>)> = sqlx::query_as(
        "SELECT ai.position, qv.body FROM attempt_items ai
         JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 ORDER BY ai.position",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter()
        .find_map(|(p, item)| match item.0.body {
            ItemBody::Single { key, .. } => Some((id, p, key)),
            _ => None,
        })
        .expect("a single-answer question")
}

/// The autosave's request, from another connection of the same browser.
async fn save_as(app: &TestApp, path: &str, revision: &str, choice: &str) -> TestResponse {
    let mut a = same_session(app);
    a.post_json(path, &[("choice", choice), ("revision", revision)])
        .await
}

async fn stored_revision(pool: &PgPool, attempt: Uuid, position: i32) -> i32 {
    sqlx::query_scalar("SELECT revision FROM attempt_items WHERE attempt_id = $1 AND position = $2")
        .bind(attempt)
        .bind(position)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_busy_server_sheds_at_once_with_503_and_retry_after(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut config = common::config();
    config.max_in_flight = 1;
    config.queue_wait_ms = 100;
    // The server gets one connection, and the test will hold it.
    let one = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_millis(1500))
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let mut app = app_on(one.clone(), &pool, config);
    sign_up(&mut app, "busy@example.com").await;
    let (attempt, position, _) = start_mock(&mut app, &pool).await;
    app.get("/exams").await.assert_status(200);

    let held = one.acquire().await.unwrap();
    // A request that cannot get a connection holds the only slot...
    let mut first = same_session(&app);
    let started = Instant::now();
    let slow = tokio::spawn(async move { first.get("/exams").await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    // ...so the next ones are shed after the queue wait, not after the pool's time-out.
    let t = Instant::now();
    let shed = app.get("/exams").await;
    assert!(
        t.elapsed() < Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    assert_friendly_503(&shed, "2", "very busy");
    assert_eq!(
        shed.select("h1")[0].text().collect::<String>(),
        "Please wait a moment"
    );
    // The autosave gets JSON it can retry on, and nothing is written.
    let save = app
        .post_json(
            &format!("/attempts/{attempt}/items/{position}"),
            &[("choice", "A"), ("revision", "0")],
        )
        .await;
    save.assert_status(503);
    assert_eq!(save.json()["saved"], false);
    assert_eq!(save.json()["retry_after"], 2);
    // A form post that was shed is not reloaded by itself: the page says to send it again.
    let post = app.post("/exams/ex-100/attempts", &[]).await;
    post.assert_status(503)
        .assert_contains("then go back and send it again");
    assert!(post.select("[data-retry-after]").is_empty());

    // The first request gives up at the pool's time-out, as a 503 too.
    let slow = slow.await.unwrap();
    assert_friendly_503(&slow, "2", "very busy");
    assert!(started.elapsed() < Duration::from_secs(3));

    drop(held);
    app.get("/exams").await.assert_status(200);
    assert_eq!(stored_revision(&pool, attempt, position).await, 0);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_stopped_database_answers_503_within_a_second_and_service_returns_by_itself(
    pool: PgPool,
) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut switch = DbSwitch::in_front_of(&pool).await;
    // A long pool time-out: the quick answer must come from noticing the database is gone.
    let mut app = app_on(
        switch.pool(&pool, Duration::from_secs(10)),
        &pool,
        common::config(),
    );
    sign_up(&mut app, "outage@example.com").await;
    let (attempt, position, key) = start_mock(&mut app, &pool).await;
    let path = format!("/attempts/{attempt}/items/{position}");
    let acknowledged = save_as(&app, &path, "0", &key).await;
    acknowledged.assert_status(200);
    assert_eq!(acknowledged.json()["saved"], true);

    switch.cut().await;
    for path in [
        "/exams",
        "/",
        &format!("/attempts/{attempt}/items/{position}"),
    ] {
        let t = Instant::now();
        let r = app.get(path).await;
        assert!(
            t.elapsed() < Duration::from_secs(1),
            "{path}: {:?}",
            t.elapsed()
        );
        assert_friendly_503(&r, "5", "cannot reach its database");
    }
    // The autosave is told to keep trying; the answer is not acknowledged.
    let other = if key == "A" { "B" } else { "A" };
    let t = Instant::now();
    let refused = save_as(&app, &path, "1", other).await;
    assert!(t.elapsed() < Duration::from_secs(1));
    refused.assert_status(503);
    assert_eq!(refused.json()["saved"], false);
    assert_eq!(refused.json()["retry_after"], 5);
    // Static files and liveness are served all along; readiness says the database is away.
    app.get("/healthz").await.assert_status(200);
    app.get("/readyz").await.assert_status(503);

    switch.restore().await;
    let back = Instant::now();
    loop {
        let r = app.get("/exams").await;
        if r.status == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(5),
            "still {} after 5 s",
            r.status
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("service back {:?} after the database", back.elapsed());
    // The browser's retry of the refused save lands now; the first save was kept all along.
    let retried = save_as(&app, &path, "1", other).await;
    retried.assert_status(200);
    assert_eq!(retried.json()["revision"], 2);
    assert_eq!(stored_revision(&pool, attempt, position).await, 2);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn two_app_processes_share_sessions_attempts_and_the_sweep(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    // Two servers with nothing in common but the database.
    let mut a = TestApp::new(pool.clone());
    let mut b = TestApp::new(pool.clone());
    let config = common::config();
    let state_a = AppState::new(pool.clone(), config.clone());
    let state_b = AppState::new(pool.clone(), config);
    a.router = app(state_a.clone());
    b.router = app(state_b.clone());

    let mut attempts = Vec::new();
    for i in 0..4 {
        let email = format!("two{i}@example.com");
        sign_up(&mut a, &email).await;
        let (attempt, position, key) = start_mock(&mut a, &pool).await;
        // The same browser's next request reaches the other process.
        b.cookie = a.cookie.clone();
        b.get(&format!("/attempts/{attempt}/items/{position}"))
            .await
            .assert_status(200);
        let r = b
            .post_json(
                &format!("/attempts/{attempt}/items/{position}"),
                &[("choice", key.as_str()), ("revision", "0")],
            )
            .await;
        r.assert_status(200);
        assert_eq!(r.json()["saved"], true);
        attempts.push(attempt);
        a.post("/logout", &[]).await;
    }
    // Time runs out for all of them; both sweepers run at once.
    sqlx::query("UPDATE attempts SET deadline_at = now() - interval '1 hour' WHERE id = ANY($1)")
        .bind(&attempts)
        .execute(&pool)
        .await
        .unwrap();
    let (na, nb) = tokio::join!(
        mockexam::engine::sweep(&state_a.db, 10),
        mockexam::engine::sweep(&state_b.db, 10)
    );
    let (na, nb) = (na.unwrap(), nb.unwrap());
    assert_eq!(na + nb, attempts.len(), "each finalised once: {na} + {nb}");
    let again = mockexam::engine::sweep(&state_b.db, 10).await.unwrap();
    assert_eq!(again, 0, "nothing left to finalise");
    let scored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM attempts
         WHERE id = ANY($1) AND status = 'submitted' AND submit_reason = 'swept' AND points >= 1",
    )
    .bind(&attempts)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        scored,
        attempts.len() as i64,
        "scored with the saved answer"
    );
}
