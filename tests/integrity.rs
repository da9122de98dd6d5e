//! Guards found by review: answer keys never leak through practice, the grace period holds,
//! case studies close however they are left, bad addresses get pages, sign-in guesses are
//! counted even in parallel.

mod common;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request};
use common::{attempt_id, candidate, TestApp};
use sqlx::PgPool;
use uuid::Uuid;

async fn question_at(pool: &PgPool, attempt: Uuid, position: i32) -> Uuid {
    sqlx::query_scalar(
        "SELECT qv.question_id FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND ai.position = $2",
    )
    .bind(attempt)
    .bind(position)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn practice_never_offers_or_reveals_a_question_of_an_open_mock(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "leak@example.com").await;
    // A practice set made first holds every question of the small exam.
    let p = app
        .post("/practice/ex-100", &[("size", "10"), ("which", "any")])
        .await;
    let set = attempt_id(p.location());
    // Then a mock starts with the same questions; one of them is marked.
    let mock = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    app.post(
        &format!("/attempts/{mock}/items/1"),
        &[("flagged", "on"), ("revision", "0"), ("nav", "stay")],
    )
    .await
    .assert_status(303);
    // No new practice set can contain the mock's questions…
    app.post("/practice/ex-100", &[("size", "10"), ("which", "marked")])
        .await
        .assert_status(422)
        .assert_contains("No question matches");
    app.post("/practice/ex-100", &[("size", "10"), ("which", "any")])
        .await
        .assert_status(422);
    // …and the older set cannot reveal them while the mock is open.
    let q = question_at(&pool, mock, 1).await;
    let pos: i32 = sqlx::query_scalar(
        "SELECT ai.position FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND qv.question_id = $2",
    )
    .bind(set)
    .bind(q)
    .fetch_one(&pool)
    .await
    .unwrap();
    let item: sqlx::types::Json<mockexam::domain::item::Item> = sqlx::query_scalar(
        "SELECT qv.body FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND ai.position = $2",
    )
    .bind(set)
    .bind(pos)
    .fetch_one(&pool)
    .await
    .unwrap();
    let fields: Vec<(String, String)> = match &item.0.body {
        mockexam::domain::item::ItemBody::YesNo { .. } => vec![("answer".into(), "yes".into())],
        mockexam::domain::item::ItemBody::Grid { .. } => vec![("s1".into(), "yes".into())],
        mockexam::domain::item::ItemBody::Order { actions, .. } => {
            vec![("pos1".into(), actions[0].id.clone())]
        }
        mockexam::domain::item::ItemBody::Dropdown { slots, .. } => {
            vec![("slot1".into(), slots[0].choices[0].id.clone())]
        }
        mockexam::domain::item::ItemBody::Match { choices, .. } => {
            vec![("p1".into(), choices[0].id.clone())]
        }
        mockexam::domain::item::ItemBody::Single { options, .. }
        | mockexam::domain::item::ItemBody::Multiple { options, .. } => {
            vec![("choice".into(), options[0].id.clone())]
        }
    };
    let mut pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.push(("revision", "0"));
    pairs.push(("nav", "check"));
    let r = app
        .post(&format!("/attempts/{set}/items/{pos}"), &pairs)
        .await;
    r.assert_status(409)
        .assert_contains("also in your full mock in progress");
    assert!(!r.body.contains("Correct answer"));
    app.post(&format!("/attempts/{set}/items/{pos}/check"), &[])
        .await
        .assert_status(409);
    // After the mock is submitted the practice answer can be checked.
    app.post(&format!("/attempts/{mock}/submit"), &[]).await;
    app.post(&format!("/attempts/{set}/items/{pos}/check"), &[])
        .await
        .assert_status(303);
    app.get(&format!("/attempts/{set}/items/{pos}"))
        .await
        .assert_contains("Correct answer");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_flag_alone_is_not_an_answer_to_check(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "flag@example.com").await;
    let set = attempt_id(
        app.post("/practice/ex-100", &[("size", "5"), ("which", "any")])
            .await
            .location(),
    );
    app.post(
        &format!("/attempts/{set}/items/1"),
        &[("flagged", "on"), ("revision", "0"), ("nav", "stay")],
    )
    .await
    .assert_status(303);
    app.post(&format!("/attempts/{set}/items/1/check"), &[])
        .await
        .assert_status(422)
        .assert_contains("Answer the question first");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn sign_in_never_redirects_to_another_site(pool: PgPool) {
    let mut app = candidate(&pool, "redirect@example.com").await;
    for next in [
        "/%09/evil.example/",
        "//evil.example",
        "/%5Cevil.example",
        "https://evil.example",
    ] {
        let r = app.get(&format!("/login?next={next}")).await;
        assert_eq!(r.location(), "/", "{next}");
    }
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn looking_at_the_clock_does_not_cancel_the_grace_period(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "grace@example.com").await;
    let id = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    sqlx::query("UPDATE attempts SET deadline_at = now() - interval '2 seconds' WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let status = app.get_json(&format!("/attempts/{id}/status")).await.json();
    assert_eq!(status["expired"], true);
    assert_eq!(status["remaining_seconds"], 0);
    app.get(&format!("/attempts/{id}/items/1"))
        .await
        .assert_status(200);
    // An answer still in flight lands…
    app.post_json(
        &format!("/attempts/{id}/items/2"),
        &[("revision", "0"), ("flagged", "true")],
    )
    .await
    .assert_status(200);
    // …and the page's own submit closes the attempt as expired.
    app.post(&format!("/attempts/{id}/submit"), &[])
        .await
        .assert_status(303);
    let reason: String = sqlx::query_scalar("SELECT submit_reason FROM attempts WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(reason, "expired");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn answering_outside_an_open_case_study_closes_it(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "case2@example.com").await;
    let id = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    let case = common::first_position(&pool, id, "case").await;
    app.get(&format!("/attempts/{id}/items/{case}"))
        .await
        .assert_status(200);
    // A save to question 1 from another tab, without opening it.
    app.post_json(
        &format!("/attempts/{id}/items/1"),
        &[("revision", "0"), ("flagged", "true")],
    )
    .await
    .assert_status(200);
    app.get(&format!("/attempts/{id}/items/{case}"))
        .await
        .assert_status(409);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_mistyped_position_locks_nothing(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "typo@example.com").await;
    let id = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    let series = common::first_position(&pool, id, "series").await;
    app.get(&format!("/attempts/{id}/items/{series}"))
        .await
        .assert_status(200);
    app.post_json(
        &format!("/attempts/{id}/items/{series}"),
        &[("answer", "yes"), ("revision", "0")],
    )
    .await
    .assert_status(200);
    app.get(&format!("/attempts/{id}/items/9999"))
        .await
        .assert_status(404);
    // Still the question on screen: its answer may change until the candidate moves on.
    app.get(&format!("/attempts/{id}/items/{series}"))
        .await
        .assert_status(200);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn malformed_addresses_get_a_page_not_plain_text(pool: PgPool) {
    let mut app = candidate(&pool, "badurl@example.com").await;
    for path in [
        "/attempts/not-a-uuid",
        "/attempts/00000000-0000-0000-0000-000000000000/items/abc",
    ] {
        let r = app.get(path).await;
        assert!(r.status.is_client_error(), "{path}: {}", r.status);
        r.assert_contains("class=\"site-header\"")
            .assert_contains("does not lead to a page");
    }
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn renaming_an_objective_breaks_no_attempt(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "renamed@example.com").await;
    let id = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    // A later blueprint no longer has the objective these question versions name.
    sqlx::query("UPDATE objectives SET code = 'models.renamed' WHERE code = 'models.train'")
        .execute(&pool)
        .await
        .unwrap();
    for n in 1..=10 {
        let r = app.get(&format!("/attempts/{id}/items/{n}")).await;
        assert!(r.status == 200 || r.status == 409, "item {n}: {}", r.status);
    }
    sqlx::query("UPDATE attempts SET deadline_at = now() - interval '1 hour' WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(mockexam::engine::sweep(&pool, 10).await.unwrap(), 1);
    app.get(&format!("/attempts/{id}/result"))
        .await
        .assert_status(200);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn parallel_guesses_still_count_against_the_limit(pool: PgPool) {
    let mut app = candidate(&pool, "burst@example.com").await;
    app.post("/logout", &[]).await;
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let mut other = app.other_browser();
        tasks.push(tokio::spawn(async move {
            other
                .login("burst@example.com", "wrong guess number x")
                .await
                .status
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + refused, 12, "{statuses:?}");
    assert!(checked <= 5, "at most 5 guesses were checked: {statuses:?}");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn metrics_are_for_this_machine_or_a_token(pool: PgPool) {
    let mut cfg = common::config();
    cfg.metrics_token = Some("s3cret-token".into());
    let mut app = TestApp::with_config(pool, cfg);
    let remote = || {
        let mut req = Request::builder()
            .uri("/metrics")
            .header(header::HOST, "localhost");
        req = req.extension(ConnectInfo(std::net::SocketAddr::from((
            [203, 0, 113, 9],
            4000,
        ))));
        req
    };
    let r = app.send(remote().body(Body::empty()).unwrap()).await;
    r.assert_status(404);
    let r = app
        .send(
            remote()
                .header(header::AUTHORIZATION, "Bearer s3cret-token")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    r.assert_status(200).assert_contains("# TYPE");
    let local = Request::builder()
        .uri("/metrics")
        .header(header::HOST, "localhost")
        .extension(ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            4000,
        ))))
        .body(Body::empty())
        .unwrap();
    app.send(local).await.assert_status(200);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn no_save_lands_while_an_attempt_is_being_closed(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "race@example.com").await;
    let id = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    // A finaliser holds the attempt…
    let mut closing = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM attempts WHERE id = $1 FOR UPDATE")
        .bind(id)
        .execute(&mut *closing)
        .await
        .unwrap();
    // …while an autosave arrives: it waits instead of slipping in between scoring and closing.
    let mut tab = app.other_browser();
    tab.cookie = app.cookie.clone();
    let save = tokio::spawn(async move {
        tab.post_json(
            &format!("/attempts/{id}/items/1"),
            &[("revision", "0"), ("flagged", "true")],
        )
        .await
        .status
        .as_u16()
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!save.is_finished(), "the save waits for the finaliser");
    sqlx::query("UPDATE attempts SET status = 'submitted', submitted_at = now(), submit_reason = 'candidate' WHERE id = $1")
        .bind(id)
        .execute(&mut *closing)
        .await
        .unwrap();
    closing.commit().await.unwrap();
    assert_eq!(
        save.await.unwrap(),
        409,
        "refused once it sees the attempt closed"
    );
    let flagged: bool = sqlx::query_scalar(
        "SELECT flagged FROM attempt_items WHERE attempt_id = $1 AND position = 1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(!flagged);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn submit_waits_for_a_save_in_flight_instead_of_skipping(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "wait@example.com").await;
    let id = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    let mut saving = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM attempts WHERE id = $1 FOR SHARE")
        .bind(id)
        .execute(&mut *saving)
        .await
        .unwrap();
    let mut tab = app.other_browser();
    tab.cookie = app.cookie.clone();
    let submit = tokio::spawn(async move {
        tab.post(&format!("/attempts/{id}/submit"), &[])
            .await
            .status
            .as_u16()
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!submit.is_finished());
    saving.commit().await.unwrap();
    assert_eq!(submit.await.unwrap(), 303);
    let status: String = sqlx::query_scalar("SELECT status FROM attempts WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "submitted");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn answers_checked_before_a_mock_stay_hidden_while_it_runs(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "before@example.com").await;
    let set = attempt_id(
        app.post("/practice/ex-100", &[("size", "10"), ("which", "any")])
            .await
            .location(),
    );
    // Answer and check a single-answer item of the practice set.
    let (pos, body): (i32, sqlx::types::Json<mockexam::domain::item::Item>) = sqlx::query_as(
        "SELECT ai.position, qv.body FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND qv.body->>'kind' = 'single' ORDER BY ai.position LIMIT 1",
    )
    .bind(set)
    .fetch_one(&pool)
    .await
    .unwrap();
    let explanation = common::words_of(&body.0.explanation, 8);
    let choice = match &body.0.body {
        mockexam::domain::item::ItemBody::Single { options, .. } => options[0].id.clone(),
        _ => unreachable!(),
    };
    app.post(
        &format!("/attempts/{set}/items/{pos}"),
        &[
            ("choice", choice.as_str()),
            ("revision", "0"),
            ("nav", "check"),
        ],
    )
    .await
    .assert_status(303);
    app.get(&format!("/attempts/{set}/items/{pos}"))
        .await
        .assert_contains("Correct answer");
    // The mock (all ten questions of the small exam) starts: the key disappears everywhere.
    let mock = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    let page = app.get(&format!("/attempts/{set}/items/{pos}")).await;
    page.assert_status(200)
        .assert_contains("also in your full mock in progress");
    assert!(
        !page.body.contains("Correct answer")
            && !common::page_text(&page.body).contains(&explanation)
    );
    app.post(&format!("/attempts/{set}/submit"), &[]).await;
    let report = app.get(&format!("/attempts/{set}/result")).await;
    report
        .assert_status(200)
        .assert_contains("Answer shown after your mock in progress");
    assert!(
        !common::page_text(&report.body).contains(&explanation),
        "the practice report withholds the explanation"
    );
    assert!(
        !report.body.contains("learn.microsoft.com"),
        "and the references"
    );
    // Once the mock is submitted, both show everything again.
    app.post(&format!("/attempts/{mock}/submit"), &[]).await;
    let after = app.get(&format!("/attempts/{set}/result")).await;
    assert!(
        common::page_text(&after.body).contains(&explanation),
        "{explanation}"
    );
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_classroom_signing_in_at_once_from_one_address_is_not_throttled(pool: PgPool) {
    let app = TestApp::new(pool.clone());
    for i in 0..30 {
        mockexam::demo::upsert_user(
            &pool,
            &format!("student{i}@example.com"),
            "Student",
            mockexam::types::Role::Candidate,
            common::PASSWORD,
        )
        .await
        .unwrap();
    }
    let mut tasks = Vec::new();
    for i in 0..30 {
        let mut browser = app.other_browser();
        tasks.push(tokio::spawn(async move {
            browser
                .login(&format!("student{i}@example.com"), common::PASSWORD)
                .await
                .status
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert!(statuses.iter().all(|s| *s == 303), "{statuses:?}");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM login_failures")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}
