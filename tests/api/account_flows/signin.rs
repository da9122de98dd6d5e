//! Sign-in under abuse: the concurrent burst from one address, the lockout that no longer locks
//! the owner out, the global per-account limit, disabled accounts and the operator's reset.

use super::{account, count};
use crate::helpers::{config, TestApp, PASSWORD};
use sqlx::PgPool;

const WRONG: &str = "not the right password";

async fn statuses(tasks: Vec<tokio::task::JoinHandle<u16>>) -> Vec<u16> {
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn sixty_parallel_wrong_passwords_from_one_address_check_at_most_the_limit(pool: PgPool) {
    // Different accounts, so only the per-address limit (20) applies.
    let app = TestApp::new(pool.clone());
    let mut tasks = Vec::new();
    for i in 0..60 {
        let mut browser = app.other_browser();
        tasks.push(tokio::spawn(async move {
            browser
                .login(&format!("victim{i}@example.com"), WRONG)
                .await
                .status
                .as_u16()
        }));
    }
    let statuses = statuses(tasks).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + refused, 60, "{statuses:?}");
    assert!(
        checked <= 20,
        "{checked} passwords were checked: {statuses:?}"
    );
    assert!(checked >= 1);
    assert!(
        count(&pool, "SELECT count(*) FROM login_failures").await <= 20,
        "no more failures recorded than the limit"
    );
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn one_at_a_time_the_address_limit_is_twenty(pool: PgPool) {
    let mut app = TestApp::new(pool.clone());
    for i in 0..20 {
        app.login(&format!("v{i}@example.com"), WRONG)
            .await
            .assert_status(401);
    }
    app.login("v20@example.com", WRONG).await.assert_status(429);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn five_wrong_passwords_elsewhere_do_not_lock_the_owner_out(pool: PgPool) {
    account(&pool, "owner@example.com", "candidate").await;
    let app = TestApp::new(pool.clone());
    // The owner signed in from this browser before: it holds a device cookie.
    let mut owner = app.other_browser();
    owner
        .login("owner@example.com", PASSWORD)
        .await
        .assert_status(303);
    assert!(owner.device.is_some(), "a device cookie after signing in");
    owner.post("/logout", &[]).await;
    // An attacker at another address: five wrong passwords pause that pair.
    let attacker_ip = |req: axum::http::request::Builder| {
        req.extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [203, 0, 113, 66],
            4000,
        ))))
    };
    let mut attacker = app.other_browser();
    for _ in 0..5 {
        let body = TestApp::encode(&[("email", "owner@example.com"), ("password", WRONG)]);
        let req = attacker_ip(axum::http::Request::builder())
            .method("POST")
            .uri("/login")
            .header("host", "localhost")
            .header("origin", "http://localhost")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(body))
            .unwrap();
        attacker.send(req).await.assert_status(401);
    }
    let body = TestApp::encode(&[("email", "owner@example.com"), ("password", PASSWORD)]);
    let req = attacker_ip(axum::http::Request::builder())
        .method("POST")
        .uri("/login")
        .header("host", "localhost")
        .header("origin", "http://localhost")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body))
        .unwrap();
    attacker.send(req).await.assert_status(429);
    // The owner, from their own address and browser, signs in at once.
    owner
        .login("owner@example.com", PASSWORD)
        .await
        .assert_status(303);
    // So does the owner on a new browser at their own address (a different pair).
    let mut new_browser = app.other_browser();
    new_browser
        .login("owner@example.com", PASSWORD)
        .await
        .assert_status(303);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_global_account_limit_stops_many_addresses_but_not_a_trusted_browser(pool: PgPool) {
    account(&pool, "target@example.com", "candidate").await;
    let mut cfg = config();
    cfg.login_max_per_account_global = 8;
    let app = TestApp::with_config(pool.clone(), cfg);
    let mut owner = app.other_browser();
    owner
        .login("target@example.com", PASSWORD)
        .await
        .assert_status(303);
    owner.post("/logout", &[]).await;
    // Guesses spread over many addresses, two from each.
    sqlx::query(
        "INSERT INTO login_failures (email, ip, failed_at)
         SELECT 'target@example.com', '198.51.100.' || (i / 2), now() - interval '1 minute'
         FROM generate_series(0, 7) i",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut stranger = app.other_browser();
    let r = stranger.login("target@example.com", PASSWORD).await;
    r.assert_status(429)
        .assert_contains("reset your password by email");
    owner
        .login("target@example.com", PASSWORD)
        .await
        .assert_status(303);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_trusted_browser_is_paused_by_its_own_failures(pool: PgPool) {
    account(&pool, "t@example.com", "candidate").await;
    let mut app = TestApp::new(pool.clone());
    app.login("t@example.com", PASSWORD)
        .await
        .assert_status(303);
    app.post("/logout", &[]).await;
    for _ in 0..5 {
        app.login("t@example.com", WRONG).await.assert_status(401);
    }
    app.login("t@example.com", PASSWORD)
        .await
        .assert_status(429);
    let device_rows = count(
        &pool,
        "SELECT count(*) FROM login_failures WHERE device IS NOT NULL",
    )
    .await;
    assert_eq!(device_rows, 5);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_forged_device_cookie_counts_as_a_stranger(pool: PgPool) {
    account(&pool, "f@example.com", "candidate").await;
    let mut app = TestApp::new(pool.clone());
    app.device = Some("forged-device-token".into());
    app.login("f@example.com", WRONG).await.assert_status(401);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM login_failures WHERE device IS NULL"
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_disabled_account_cannot_sign_in(pool: PgPool) {
    account(&pool, "off@example.com", "candidate").await;
    sqlx::query("UPDATE users SET disabled_at = now()")
        .execute(&pool)
        .await
        .unwrap();
    let mut app = TestApp::new(pool.clone());
    app.login("off@example.com", PASSWORD)
        .await
        .assert_status(403)
        .assert_contains("This account is disabled");
    assert!(app.cookie.is_none());
    // A wrong password says no more than for any account.
    app.login("off@example.com", WRONG)
        .await
        .assert_status(401)
        .assert_contains("Email or password is not right.");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_operators_reset_ends_every_session(pool: PgPool) {
    account(&pool, "cli@example.com", "candidate").await;
    let mut phone = TestApp::new(pool.clone());
    phone
        .login("cli@example.com", PASSWORD)
        .await
        .assert_status(303);
    let mut laptop = phone.other_browser();
    laptop
        .login("cli@example.com", PASSWORD)
        .await
        .assert_status(303);
    assert_eq!(count(&pool, "SELECT count(*) FROM sessions").await, 2);
    // What `mockexam user add` runs for an existing email.
    let out = mockexam::demo::upsert_user(
        &pool,
        "cli@example.com",
        "Cli",
        mockexam::types::Role::Instructor,
        "an operator chosen passphrase",
    )
    .await
    .unwrap();
    assert!(out.contains("2 session(s) ended"), "{out}");
    assert_eq!(count(&pool, "SELECT count(*) FROM sessions").await, 0);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM trusted_devices").await,
        0
    );
    phone
        .get("/")
        .await
        .assert_contains("Create a free account");
    phone
        .login("cli@example.com", "an operator chosen passphrase")
        .await
        .assert_status(303);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_cli_binary_resets_an_existing_account(pool: PgPool) {
    account(&pool, "bin@example.com", "candidate").await;
    let mut app = TestApp::new(pool.clone());
    app.login("bin@example.com", PASSWORD)
        .await
        .assert_status(303);
    let opts = pool.connect_options();
    let url = format!(
        "postgres://{}@{}:{}/{}",
        opts.get_username(),
        opts.get_host(),
        opts.get_port(),
        opts.get_database().unwrap()
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mockexam"))
        .args([
            "user",
            "add",
            "--email",
            "bin@example.com",
            "--name",
            "Bin",
            "--role",
            "candidate",
        ])
        .env("DATABASE_URL", url)
        .env("MOCKEXAM_USER_PASSWORD", "the operator's new passphrase")
        .output()
        .expect("run mockexam");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 session(s) ended"), "{stdout}");
    app.get("/").await.assert_contains("Create a free account");
}
