//! Sessions: absolute lifetime, the `__Host-` cookie, the sessions page and signing out there.

use super::{account, count};
use crate::helpers::{config, TestApp, PASSWORD};
use sqlx::PgPool;

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_sessions_page_lists_devices_and_signs_them_out(pool: PgPool) {
    account(&pool, "s@example.com", "candidate").await;
    let mut laptop = TestApp::new(pool.clone());
    laptop.user_agent = Some(FIREFOX.into());
    laptop
        .login("s@example.com", PASSWORD)
        .await
        .assert_status(303);
    let mut phone = laptop.other_browser();
    phone.user_agent = Some(IPHONE.into());
    phone
        .login("s@example.com", PASSWORD)
        .await
        .assert_status(303);

    let page = laptop.get("/account/sessions").await;
    page.assert_status(200)
        .assert_contains("Firefox on Linux This browser")
        .assert_contains("Safari on iPhone")
        .assert_contains("Last seen")
        .assert_selector("form[action='/account/sessions/end-all']");
    assert_eq!(page.select("form[action$='/end']").len(), 2);
    // Sign out the phone from the laptop.
    let phone_id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM sessions WHERE user_agent = $1")
        .bind(IPHONE)
        .fetch_one(&pool)
        .await
        .unwrap();
    laptop
        .post(&format!("/account/sessions/{phone_id}/end"), &[])
        .await
        .assert_status(200)
        .assert_contains("That session was signed out.");
    phone
        .get("/")
        .await
        .assert_contains("Create a free account");
    // Another account's session is "not found", and stays.
    account(&pool, "other@example.com", "candidate").await;
    let mut other = TestApp::new(pool.clone());
    other.login("other@example.com", PASSWORD).await;
    let other_id: uuid::Uuid =
        sqlx::query_scalar("SELECT s.id FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'other@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    laptop
        .post(&format!("/account/sessions/{other_id}/end"), &[])
        .await
        .assert_status(404);
    other.get("/").await.assert_contains("Welcome");
    // Sign out everywhere.
    phone.login("s@example.com", PASSWORD).await;
    let r = laptop.post("/account/sessions/end-all", &[]).await;
    r.assert_status(303);
    assert_eq!(r.location(), "/login");
    laptop
        .get("/")
        .await
        .assert_contains("Create a free account");
    phone
        .get("/")
        .await
        .assert_contains("Create a free account");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 's@example.com'").await,
        0
    );
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_session_ends_at_its_absolute_lifetime_even_when_used(pool: PgPool) {
    account(&pool, "abs@example.com", "candidate").await;
    let mut cfg = config();
    cfg.session_absolute_hours = 8;
    let mut app = TestApp::with_config(pool.clone(), cfg);
    let r = app.login("abs@example.com", PASSWORD).await;
    let cookie = r
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.contains("Max-Age=28800"), "{cookie}");
    app.get("/").await.assert_contains("Welcome");
    // Used a minute ago, signed in 9 hours ago: over.
    sqlx::query("UPDATE sessions SET created_at = now() - interval '9 hours', last_seen_at = now() - interval '2 minutes'")
        .execute(&pool)
        .await
        .unwrap();
    app.get("/").await.assert_contains("Create a free account");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn secure_cookies_use_the_host_prefix(pool: PgPool) {
    account(&pool, "sec@example.com", "candidate").await;
    let mut cfg = config();
    cfg.secure_cookies = true;
    let mut app = TestApp::with_config(pool.clone(), cfg);
    let r = app.login("sec@example.com", PASSWORD).await;
    r.assert_status(303);
    let cookies: Vec<&str> = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("__Host-mockexam_session="))
        .unwrap_or_else(|| panic!("{cookies:?}"));
    assert!(
        session.contains("; Secure") && session.contains("Path=/") && !session.contains("Domain")
    );
    assert!(cookies
        .iter()
        .any(|c| c.starts_with("__Host-mockexam_device=") && c.contains("; Secure")));
    let token = session["__Host-mockexam_session=".len()..]
        .split(';')
        .next()
        .unwrap();
    // The prefixed cookie signs in; the same token under the plain name does not.
    let req = |name: &str| {
        axum::http::Request::builder()
            .uri("/")
            .header("host", "localhost")
            .header("cookie", format!("{name}={token}"))
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let mut browser = app.other_browser();
    browser
        .send(req("__Host-mockexam_session"))
        .await
        .assert_contains("Welcome");
    browser
        .send(req("mockexam_session"))
        .await
        .assert_contains("Create a free account");
}
