//! Accounts and security, through the real router against a fresh database per test.

use crate::helpers as common;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request};
use common::{candidate, signed_in_as, TestApp, PASSWORD};
use sqlx::PgPool;

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn register_sign_out_and_sign_in_again(pool: PgPool) {
    let mut app = TestApp::new(pool.clone());
    let r = app.register("Ada@Example.com", "Ada").await;
    r.assert_status(303);
    assert_eq!(r.location(), "/register/check-inbox");
    app.get(r.location())
        .await
        .assert_status(200)
        .assert_contains("Check your inbox");
    app.login("ada@example.com", PASSWORD)
        .await
        .assert_status(303);
    app.get("/")
        .await
        .assert_status(200)
        .assert_contains("Welcome, Ada")
        .assert_contains("Please confirm your email.");

    // Stored lower-cased, argon2id with OWASP parameters, never the password itself.
    let (email, hash): (String, String) = sqlx::query_as("SELECT email, password_hash FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(email, "ada@example.com");
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));

    app.post("/logout", &[]).await.assert_status(303);
    assert!(app.cookie.is_none(), "sign-out clears the cookie");
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "sign-out ends the session in the database");
    app.get("/").await.assert_contains("Create a free account");

    app.login("ada@example.com", PASSWORD)
        .await
        .assert_status(303);
    app.get("/").await.assert_contains("Welcome, Ada");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn wrong_password_is_refused_with_a_message(pool: PgPool) {
    let mut app = TestApp::new(pool);
    app.sign_up("bo@example.com", "Bo").await;
    app.post("/logout", &[]).await;
    let r = app.login("bo@example.com", "not the password at all").await;
    r.assert_status(401)
        .assert_contains("Email or password is not right.");
    assert!(app.cookie.is_none());
    // The form keeps the email the user typed.
    r.assert_selector("input[value='bo@example.com']");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn registering_a_taken_email_answers_like_a_new_one_and_changes_nothing(pool: PgPool) {
    let mut app = TestApp::new(pool.clone());
    let new = app.register("cy@example.com", "Cy").await;
    new.assert_status(303);
    let mut other = app.other_browser();
    let taken = other.register("CY@example.com", "Another Cy").await;
    taken.assert_status(303);
    assert_eq!(new.location(), taken.location());
    assert!(
        other.cookie.is_none() && app.cookie.is_none(),
        "nobody is signed in"
    );
    let (n, name): (i64, String) =
        sqlx::query_as("SELECT count(*) OVER (), display_name FROM users")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (n, name.as_str()),
        (1, "Cy"),
        "the existing account is unchanged"
    );
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn registration_validates_every_field(pool: PgPool) {
    let mut app = TestApp::new(pool.clone());
    let r = app
        .post(
            "/register",
            &[
                ("email", "not-an-email"),
                ("display_name", ""),
                ("password", "short"),
                ("password_confirm", "short"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("Enter an email address like name@example.com.")
        .assert_contains("Enter a display name of 1 to 80 characters.")
        .assert_contains("Use at least 12 characters");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0, "bad input changes nothing");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn session_id_rotates_at_login(pool: PgPool) {
    let mut app = TestApp::new(pool.clone());
    app.sign_up("di@example.com", "Di").await;
    let first = app.cookie.clone().expect("session after the first sign-in");
    app.login("di@example.com", PASSWORD)
        .await
        .assert_status(303);
    let second = app.cookie.clone().expect("session after login");
    assert_ne!(first, second, "a new session id is issued at login");
    // The old token is dead: a browser still holding it is signed out.
    let mut stale = app.other_browser();
    stale.cookie = Some(first);
    stale
        .get("/")
        .await
        .assert_contains("Create a free account");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn cross_site_post_is_rejected(pool: PgPool) {
    use axum::body::Body;
    use axum::http::{header, Request};
    let mut app = TestApp::new(pool.clone());
    app.sign_up("ed@example.com", "Ed").await;
    let cookie = app.cookie.clone().unwrap();
    let req = Request::builder()
        .method("POST")
        .uri("/logout")
        .header(header::HOST, "localhost")
        .header(header::ORIGIN, "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .header(header::COOKIE, format!("mockexam_session={cookie}"))
        .body(Body::empty())
        .unwrap();
    let r = app.send(req).await;
    r.assert_status(403)
        .assert_contains("sent from another site");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 1, "the refused request changed nothing");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn repeated_failures_throttle_the_account(pool: PgPool) {
    let mut app = TestApp::new(pool.clone());
    app.sign_up("fi@example.com", "Fi").await;
    app.post("/logout", &[]).await;
    for _ in 0..5 {
        app.login("fi@example.com", "wrong password here")
            .await
            .assert_status(401);
    }
    // Even the right password waits now, with a clear message and Retry-After.
    let r = app.login("fi@example.com", PASSWORD).await;
    r.assert_status(429)
        .assert_contains("Too many failed sign-in attempts. Try again in ");
    let retry: i64 = r
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 800 && retry <= 900, "{retry}");
    // Counted in Postgres, so every app process sees the same count.
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM login_failures WHERE email = 'fi@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(n, 5);
    // The same browser (its cookies) against a second app process sees the same count.
    let mut second_process = TestApp::new(pool.clone());
    second_process.device = app.device.clone();
    second_process
        .login("fi@example.com", PASSWORD)
        .await
        .assert_status(429);
    // Once the window has passed, the right password works again.
    sqlx::query("UPDATE login_failures SET failed_at = failed_at - interval '16 minutes'")
        .execute(&pool)
        .await
        .unwrap();
    app.login("fi@example.com", PASSWORD)
        .await
        .assert_status(303);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn roles_guard_instructor_and_admin_pages(pool: PgPool) {
    let mut anon = TestApp::new(pool.clone());
    let r = anon.get("/author").await;
    r.assert_status(303);
    assert_eq!(r.location(), "/login?next=%2Fauthor");

    let mut candidate = TestApp::new(pool.clone());
    signed_in_as(&mut candidate, "cand@example.com", "candidate").await;
    // The authoring pages do not exist for candidates.
    candidate.get("/author").await.assert_status(404);
    candidate.get("/admin/users").await.assert_status(403);

    let mut instructor = TestApp::new(pool.clone());
    signed_in_as(&mut instructor, "inst@example.com", "instructor").await;
    instructor
        .get("/author")
        .await
        .assert_status(200)
        .assert_contains("Question bank");
    instructor.get("/admin/users").await.assert_status(403);

    let mut admin = TestApp::new(pool.clone());
    signed_in_as(&mut admin, "root@example.com", "admin").await;
    let users = admin.get("/admin/users").await;
    users.assert_status(200).assert_contains("cand@example.com");
    let id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'cand@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    admin
        .post(
            &format!("/admin/users/{id}/role"),
            &[("role", "instructor"), ("confirm", "yes")],
        )
        .await
        .assert_status(200)
        .assert_contains("Saved: cand@example.com is now an instructor.");
    candidate.get("/author").await.assert_status(200);
    admin
        .post(&format!("/admin/users/{id}/role"), &[("role", "superuser")])
        .await
        .assert_status(400);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn password_change_ends_other_sessions(pool: PgPool) {
    let mut laptop = TestApp::new(pool.clone());
    laptop.sign_up("gu@example.com", "Gu").await;
    let mut phone = laptop.other_browser();
    phone
        .login("gu@example.com", PASSWORD)
        .await
        .assert_status(303);
    phone.get("/").await.assert_contains("Welcome, Gu");

    let r = laptop
        .post(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "a much newer passphrase"),
                ("new_password_confirm", "a much newer passphrase"),
            ],
        )
        .await;
    r.assert_status(200)
        .assert_contains("1 other session(s) were signed out");
    phone
        .get("/")
        .await
        .assert_contains("Create a free account");
    laptop.get("/").await.assert_contains("Welcome, Gu");
    laptop.post("/logout", &[]).await;
    laptop
        .login("gu@example.com", "a much newer passphrase")
        .await
        .assert_status(303);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn pages_carry_security_headers_and_friendly_errors(pool: PgPool) {
    let mut app = TestApp::new(pool);
    let r = app.get("/login").await;
    let csp = r
        .headers
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(r.headers.get("referrer-policy").unwrap(), "same-origin");
    r.assert_selector("script[src^='/static/app.']");
    let missing = app.get("/no/such/page").await;
    missing
        .assert_status(404)
        .assert_contains("Page not found")
        .assert_selector(".site-header");
    // Hashed static URLs are cached for a year.
    let css = r
        .body
        .split("href=\"/static/app.")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let s = app.get(&format!("/static/app.{css}")).await;
    s.assert_status(200);
    assert!(s
        .headers
        .get("cache-control")
        .unwrap()
        .to_str()
        .unwrap()
        .contains("immutable"));
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn health_readiness_and_metrics(pool: PgPool) {
    let mut app = TestApp::new(pool.clone());
    app.get("/healthz").await.assert_status(200);
    app.get("/readyz")
        .await
        .assert_status(200)
        .assert_contains("ready");
    app.get("/login").await;
    let m = app.get("/metrics").await;
    m.assert_status(200)
        .assert_contains("http_requests_total")
        .assert_contains("route=\"/login\"");
    pool.close().await;
    app.get("/readyz").await.assert_status(503);
}

// ---- guards found by review

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

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn registration_errors_are_tied_to_their_fields(pool: PgPool) {
    let mut app = TestApp::new(pool.clone());
    app.get("/register").await;
    let r = app
        .post(
            "/register",
            &[
                ("email", "not-an-email"),
                ("display_name", "Ann"),
                ("password", "long enough password"),
                ("password_confirm", "a different password"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_selector("#error-summary[data-focus-on-load] a[href='#email']")
        .assert_selector("input#email[aria-invalid=true][aria-describedby=email-error]")
        .assert_selector("#email-error")
        .assert_selector("input#password_confirm[aria-invalid=true]");
    assert!(r.select("input#display_name[aria-invalid]").is_empty());
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(users, 0, "nothing was created");
}
