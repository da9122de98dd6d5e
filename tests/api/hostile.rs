//! Hostile and broken input through the real router: every answer is a page in the site layout
//! with the security headers (or, for the autosave, JSON it understands), never a bare answer
//! or a 500, and nothing changes. NUL characters in paths, queries and form fields; dates that
//! PostgreSQL cannot store or nobody plans for, in every date field; bodies that are not forms;
//! and the 413, 405, 404, 414 and 431 refusals.

use crate::helpers as common;
use axum::body::Body;
use axum::http::{header, Request};
use common::{candidate, signed_in_as, TestApp, TestResponse};
use sqlx::PgPool;
use uuid::Uuid;

const SECURITY_HEADERS: [&str; 6] = [
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "permissions-policy",
    "cache-control",
];

/// A page in the layout (the site's stylesheet, header, main region with a heading) with every
/// security header, and the status.
#[track_caller]
fn assert_layout_page(r: &TestResponse, status: u16) {
    r.assert_status(status);
    let ct = r
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(ct.starts_with("text/html"), "an HTML page, not {ct:?}");
    r.assert_selector("html[data-theme] link[rel=stylesheet]")
        .assert_selector("main#main h1")
        .assert_selector("a[href='/']");
    for h in SECURITY_HEADERS {
        assert!(r.headers.contains_key(h), "{h} on a {status} page");
    }
    assert!(
        r.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"),
        "the site's CSP"
    );
}

/// A request as a hostile client might send it: any method, path, headers and body, with the
/// browser's session cookie and a same-origin `Origin` (so the CSRF check is not what refuses).
async fn raw(
    app: &mut TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: impl Into<Body>,
) -> TestResponse {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "http://localhost")
        .header("sec-fetch-site", "same-origin");
    if let Some(c) = &app.cookie {
        b = b.header(header::COOKIE, format!("mockexam_session={c}"));
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    app.send(b.body(body.into()).unwrap()).await
}

async fn target_of(pool: &PgPool, email: &str) -> Option<time::Date> {
    sqlx::query_scalar(
        "SELECT t.target_date FROM exam_targets t JOIN users u ON u.id = t.user_id WHERE u.email = $1",
    )
    .bind(email)
    .fetch_optional(pool)
    .await
    .unwrap()
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A candidate with a target date for DP-100 set to 30 days ahead; returns it.
async fn candidate_with_target(pool: &PgPool, email: &str) -> (TestApp, time::Date) {
    common::import_bank(pool, "question-bank/dp-100").await;
    let mut app = candidate(pool, email).await;
    let date = time::OffsetDateTime::now_utc().date() + time::Duration::days(30);
    app.post(
        "/readiness/dp-100/target",
        &[("target_date", date.to_string().as_str())],
    )
    .await
    .assert_status(303);
    assert_eq!(target_of(pool, email).await, Some(date));
    (app, date)
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn nul_in_a_path_is_a_404_page_signed_in_or_not(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut anon = TestApp::new(pool.clone());
    let mut cand = candidate(&pool, "nul-path@example.com").await;
    let id = Uuid::new_v4();
    for app in [&mut anon, &mut cand] {
        for path in [
            "/exams/%00",
            "/exams/ex%00-100",
            "/exams/ex-100%00/instructions",
            "/readiness/%00",
            &format!("/attempts/{id}%00/items/1"),
            "/cohorts/%00",
            "/join/%00ABCDEF",
            "/password/reset/%00",
            "/static/app%00.css",
            "/%00",
        ] {
            let r = app.get(path).await;
            assert_layout_page(&r, 404);
            r.assert_contains("does not lead to a page");
        }
        // A state change to such an address is refused the same way.
        let r = app.post("/join/%00ABC", &[("x", "y")]).await;
        assert_layout_page(&r, 404);
    }
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn nul_in_a_query_is_a_400_page(pool: PgPool) {
    let mut admin = TestApp::new(pool.clone());
    signed_in_as(&mut admin, "admin@example.com", "admin").await;
    for path in [
        "/login?next=%00",
        "/login?next=/exams%00",
        "/admin/users?q=a%00b",
        "/exams?x=%00",
    ] {
        let r = admin.get(path).await;
        assert_layout_page(&r, 400);
        r.assert_contains("NUL character");
    }
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn nul_in_form_fields_is_refused_with_a_message_and_changes_nothing(pool: PgPool) {
    let email = "nul-form@example.com";
    let (mut app, date) = candidate_with_target(&pool, email).await;
    let users = count(&pool, "users").await;

    let mut anon = TestApp::new(pool.clone());
    let r = anon
        .post(
            "/register",
            &[
                ("email", "new@example.com"),
                ("display_name", "Eve\0"),
                ("password", common::PASSWORD),
                ("password_confirm", common::PASSWORD),
            ],
        )
        .await;
    assert_layout_page(&r, 400);
    r.assert_contains("NUL character");
    assert_eq!(count(&pool, "users").await, users, "no account made");
    let r = anon
        .post(
            "/login",
            &[("email", "nul\0@example.com"), ("password", "x")],
        )
        .await;
    assert_layout_page(&r, 400);

    let r = app
        .post(
            "/readiness/dp-100/target",
            &[("target_date", "2030-01-01\0")],
        )
        .await;
    assert_layout_page(&r, 400);
    assert_eq!(target_of(&pool, email).await, Some(date), "target kept");
    // A raw NUL byte rather than %00.
    let r = raw(
        &mut app,
        "POST",
        "/readiness/dp-100/target",
        &[("content-type", "application/x-www-form-urlencoded")],
        &b"target_date=2030-01-01\x00"[..],
    )
    .await;
    assert_layout_page(&r, 400);
    assert_eq!(target_of(&pool, email).await, Some(date));
    let r = app
        .post(
            "/account/email",
            &[
                ("email", "new\0@example.com"),
                ("password", common::PASSWORD),
            ],
        )
        .await;
    assert_layout_page(&r, 400);
    let changed: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE email LIKE 'new%'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(changed, 0);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn nul_in_an_autosave_answers_json_and_saves_nothing(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "nul-save@example.com").await;
    let r = app.post("/exams/ex-100/attempts", &[]).await;
    let id = common::attempt_id(r.location());
    let r = app
        .post_json(
            &format!("/attempts/{id}/items/1"),
            &[("choice", "A\0"), ("revision", "0")],
        )
        .await;
    r.assert_status(400);
    assert_eq!(r.json()["saved"], false);
    assert!(r.json()["error"]
        .as_str()
        .unwrap()
        .contains("NUL character"));
    let revision: i32 = sqlx::query_scalar(
        "SELECT revision FROM attempt_items WHERE attempt_id = $1 AND position = 1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(revision, 0);
}

/// Dates PostgreSQL cannot store (before 4713 BC), the year 0, years past 9999, and days the
/// calendar does not have.
const IMPOSSIBLE_DATES: [&str; 8] = [
    "-5000-01-01",
    "0000-01-01",
    "+10000-01-01",
    "10000-01-01",
    "9999-12-31",
    "2027-02-30",
    "+2027-01-01",
    "1970-01-01",
];

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn impossible_dates_in_the_readiness_target_are_refused(pool: PgPool) {
    let email = "dates@example.com";
    let (mut app, date) = candidate_with_target(&pool, email).await;
    for typed in IMPOSSIBLE_DATES {
        let r = app
            .post("/readiness/dp-100/target", &[("target_date", typed)])
            .await;
        assert_layout_page(&r, 400);
        r.assert_contains("Exam date:");
        assert_eq!(target_of(&pool, email).await, Some(date), "{typed}: kept");
    }
    // The readiness report still opens with the date that was kept.
    app.get("/readiness/dp-100")
        .await
        .assert_status(200)
        .assert_selector(&format!("input#target_date[value='{date}']"));
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn impossible_dates_in_cohort_forms_are_refused(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut lead = TestApp::new(pool.clone());
    signed_in_as(&mut lead, "lead@example.com", "instructor").await;
    for typed in IMPOSSIBLE_DATES {
        let r = lead
            .post(
                "/cohorts",
                &[
                    ("name", "Dates"),
                    ("exam", "ex-100"),
                    ("target_date", typed),
                    ("code_days", "14"),
                ],
            )
            .await;
        assert_layout_page(&r, 422);
        r.assert_contains("Target date:");
    }
    assert_eq!(count(&pool, "cohorts").await, 0);

    let r = lead
        .post(
            "/cohorts",
            &[
                ("name", "Dates"),
                ("exam", "ex-100"),
                ("target_date", ""),
                ("code_days", "14"),
            ],
        )
        .await;
    r.assert_status(303);
    let cohort = r
        .location()
        .trim_start_matches("/cohorts/")
        .trim_end_matches("/manage")
        .to_string();
    for typed in IMPOSSIBLE_DATES {
        let r = lead
            .post(
                &format!("/cohorts/{cohort}/assignments"),
                &[
                    ("kind", "mock"),
                    ("title", "Dated"),
                    ("size", "5"),
                    ("due", typed),
                ],
            )
            .await;
        assert_layout_page(&r, 422);
        r.assert_contains("Due date:");
    }
    assert_eq!(count(&pool, "cohort_assignments").await, 0);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn bodies_that_are_not_forms_are_refused_with_415_and_change_nothing(pool: PgPool) {
    let email = "types@example.com";
    let (mut app, date) = candidate_with_target(&pool, email).await;
    for (content_type, body) in [
        ("application/json", r#"{"target_date": ""}"#),
        ("application/json; charset=utf-8", "{}"),
        (
            "application/xml",
            "<?xml version=\"1.0\"?><target><target_date/></target>",
        ),
        ("text/xml", "<target_date></target_date>"),
        ("text/plain", "target_date="),
        ("", "target_date="),
    ] {
        let headers: Vec<(&str, &str)> = if content_type.is_empty() {
            vec![]
        } else {
            vec![("content-type", content_type)]
        };
        let r = raw(&mut app, "POST", "/readiness/dp-100/target", &headers, body).await;
        assert_layout_page(&r, 415);
        r.assert_contains("accepts forms sent from this site's pages only");
        assert_eq!(target_of(&pool, email).await, Some(date), "{content_type}");
    }
    // A form without the field (a JSON body labelled as a form) does not clear the date.
    let r = raw(
        &mut app,
        "POST",
        "/readiness/dp-100/target",
        &[("content-type", "application/x-www-form-urlencoded")],
        r#"{"target_date": ""}"#,
    )
    .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert_layout_page(&r, r.status.as_u16());
    assert_eq!(target_of(&pool, email).await, Some(date));
    // Clearing it takes the form's own empty field.
    app.post("/readiness/dp-100/target", &[("target_date", "")])
        .await
        .assert_status(303);
    assert_eq!(target_of(&pool, email).await, None);

    // The autosave and the practice form refuse JSON the same way, the autosave in JSON.
    common::import_bank(&pool, "question-bank/example").await;
    let r = app.post("/exams/ex-100/attempts", &[]).await;
    let id = common::attempt_id(r.location());
    let r = raw(
        &mut app,
        "POST",
        &format!("/attempts/{id}/items/1"),
        &[
            ("content-type", "application/json"),
            ("accept", "application/json"),
        ],
        r#"{"choice": "A", "revision": 0}"#,
    )
    .await;
    r.assert_status(415);
    assert_eq!(r.json()["saved"], false);
    let r = raw(
        &mut app,
        "POST",
        "/practice/dp-100",
        &[("content-type", "application/json")],
        r#"{"size": 10}"#,
    )
    .await;
    assert_layout_page(&r, 415);
    assert_eq!(
        count(&pool, "attempts").await,
        1,
        "only the mock started above"
    );
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn too_large_bodies_are_a_413_page(pool: PgPool) {
    let mut app = TestApp::new(pool.clone());
    let big = format!("email={}", "a".repeat(300 * 1024));
    // With a Content-Length, refused before reading.
    let r = raw(
        &mut app,
        "POST",
        "/login",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("content-length", &big.len().to_string()),
        ],
        big.clone(),
    )
    .await;
    assert_layout_page(&r, 413);
    r.assert_contains("too large");
    // Without a Content-Length (streamed), refused while reading.
    let r = raw(
        &mut app,
        "POST",
        "/login",
        &[("content-type", "application/x-www-form-urlencoded")],
        big,
    )
    .await;
    assert_layout_page(&r, 413);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn wrong_methods_unknown_addresses_and_long_requests_are_layout_pages(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "refusals@example.com").await;
    // 405
    for (method, path) in [
        ("GET", "/readiness/ex-100/target"),
        ("GET", "/logout"),
        ("PUT", "/exams"),
        ("DELETE", "/login"),
        ("PATCH", "/account"),
    ] {
        let r = raw(&mut app, method, path, &[], Body::empty()).await;
        assert_layout_page(&r, 405);
        r.assert_contains("not available at this address");
    }
    // 404
    for path in [
        "/no-such-page",
        "/static/no-such.css",
        "/exams/no-such-exam",
    ] {
        let r = app.get(path).await;
        assert_layout_page(&r, 404);
    }
    // 414: an address longer than 8 KiB, in the path or the query.
    for path in [
        format!("/{}", "a".repeat(9000)),
        format!("/exams?q={}", "b".repeat(9000)),
    ] {
        let r = app.get(&path).await;
        assert_layout_page(&r, 414);
        r.assert_contains("That address is too long");
    }
    // 431: too many headers, or a huge cookie.
    let many: Vec<(String, String)> = (0..80)
        .map(|i| (format!("x-extra-{i}"), "1".to_string()))
        .collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = raw(&mut app, "GET", "/exams", &many, Body::empty()).await;
    assert_layout_page(&r, 431);
    r.assert_contains("Clearing this site's cookies");
    let cookie = format!("junk={}", "c".repeat(40 * 1024));
    let r = raw(
        &mut app,
        "GET",
        "/exams",
        &[("cookie", cookie.as_str())],
        Body::empty(),
    )
    .await;
    assert_layout_page(&r, 431);
    // Still signed in and served after all of it.
    app.get("/exams").await.assert_status(200);
}
