//! Forgot password, the reset link, registration that reveals nothing, verification, email
//! change — every mail delivered through SMTP to the test's sink.

use super::mail_sink::{link, path_of};
use super::{account, app_with_sink, count, user_id};
use crate::helpers::PASSWORD;
use sqlx::PgPool;

const NEW_PASSWORD: &str = "a brand new passphrase";

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_reset_link_sets_a_new_password_once_and_ends_every_session(pool: PgPool) {
    let (mut app, sink) = app_with_sink(&pool).await;
    account(&pool, "dana@example.com", "candidate").await;
    let mut laptop = app.other_browser();
    laptop
        .login("dana@example.com", PASSWORD)
        .await
        .assert_status(303);

    app.get("/login")
        .await
        .assert_selector("a[href='/password/forgot']");
    app.post("/password/forgot", &[("email", " Dana@Example.com ")])
        .await
        .assert_status(200)
        .assert_contains("If an account uses that address, we have mailed it a link");
    let mail = sink.wait_for("dana@example.com", 1).await.remove(0);
    assert_eq!(mail.subject, "Reset your mockexam password");
    let url = link(&mail, "http://localhost/password/reset/");
    // Only a hash of the token is stored, with a 30-minute expiry.
    let token = url.rsplit('/').next().unwrap().to_string();
    let (stored, minutes): (Vec<u8>, f64) = sqlx::query_as(
        "SELECT token_hash, EXTRACT(EPOCH FROM expires_at - created_at)::float8 / 60 FROM account_tokens WHERE purpose = 'reset'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stored, mockexam::db::sessions::hash_token(&token));
    assert!((minutes - 30.0).abs() < 0.1, "{minutes}");
    assert_eq!(
        count(
            &pool,
            &format!("SELECT count(*) FROM account_tokens t WHERE t::text LIKE '%{token}%'")
        )
        .await,
        0
    );

    let path = path_of(&url);
    app.get(&path)
        .await
        .assert_status(200)
        .assert_contains("Choose a new password")
        .assert_contains("dana@example.com");
    // Bad input: the form again, nothing changed, the link still works.
    app.post(
        &path,
        &[("new_password", "short"), ("new_password_confirm", "short")],
    )
    .await
    .assert_status(422)
    .assert_contains("Use at least 12 characters");
    let r = app
        .post(
            &path,
            &[
                ("new_password", NEW_PASSWORD),
                ("new_password_confirm", NEW_PASSWORD),
            ],
        )
        .await;
    r.assert_status(303);
    assert_eq!(r.location(), "/login?done=reset");
    app.get(r.location())
        .await
        .assert_contains("Your password was changed");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM sessions").await,
        0,
        "every session ended"
    );
    laptop
        .get("/")
        .await
        .assert_contains("Create a free account");
    // Single use.
    app.get(&path)
        .await
        .assert_status(410)
        .assert_contains("This link no longer works");
    app.post(
        &path,
        &[
            ("new_password", "yet another passphrase"),
            ("new_password_confirm", "yet another passphrase"),
        ],
    )
    .await
    .assert_status(410);
    app.login("dana@example.com", PASSWORD)
        .await
        .assert_status(401);
    app.login("dana@example.com", NEW_PASSWORD)
        .await
        .assert_status(303);
    // The owner is told the password changed.
    let told = sink.wait_for("dana@example.com", 2).await;
    assert!(told
        .iter()
        .any(|m| m.subject == "Your mockexam password was changed"));
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_reset_link_expires_after_thirty_minutes_and_a_newer_one_replaces_it(pool: PgPool) {
    let (mut app, sink) = app_with_sink(&pool).await;
    account(&pool, "eve@example.com", "candidate").await;
    app.post("/password/forgot", &[("email", "eve@example.com")])
        .await;
    let first = path_of(&link(
        &sink.wait_for("eve@example.com", 1).await[0],
        "http://localhost/password/reset/",
    ));
    app.post("/password/forgot", &[("email", "eve@example.com")])
        .await;
    let second = path_of(&link(
        &sink.wait_for("eve@example.com", 2).await[1],
        "http://localhost/password/reset/",
    ));
    app.get(&first).await.assert_status(410);
    app.get(&second).await.assert_status(200);
    sqlx::query("UPDATE account_tokens SET expires_at = now() - interval '1 second', created_at = created_at - interval '31 minutes'")
        .execute(&pool)
        .await
        .unwrap();
    app.get(&second).await.assert_status(410);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn forgot_password_answers_the_same_for_an_unknown_address(pool: PgPool) {
    let (mut app, sink) = app_with_sink(&pool).await;
    account(&pool, "known@example.com", "candidate").await;
    let known = app
        .post("/password/forgot", &[("email", "known@example.com")])
        .await;
    let unknown = app
        .post("/password/forgot", &[("email", "nobody@example.com")])
        .await;
    assert_eq!(known.status, unknown.status);
    assert_eq!(
        known.text().replace("known@example.com", "X"),
        unknown.text().replace("nobody@example.com", "X")
    );
    sink.wait_for("known@example.com", 1).await;
    sink.settle().await;
    assert!(sink.to("nobody@example.com").is_empty());
    // Bad input is explained, not mailed.
    app.post("/password/forgot", &[("email", "not an email")])
        .await
        .assert_status(422)
        .assert_contains("Enter an email address like name@example.com.");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn reset_mails_are_limited_per_account(pool: PgPool) {
    let (mut app, sink) = app_with_sink(&pool).await;
    account(&pool, "flood@example.com", "candidate").await;
    for _ in 0..6 {
        app.post("/password/forgot", &[("email", "flood@example.com")])
            .await
            .assert_status(200);
    }
    sink.wait_for("flood@example.com", 3).await;
    sink.settle().await;
    assert_eq!(
        sink.to("flood@example.com").len(),
        3,
        "at most 3 reset mails an hour"
    );
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn registration_reveals_nothing_and_mails_the_owner_instead(pool: PgPool) {
    let (mut app, sink) = app_with_sink(&pool).await;
    account(&pool, "owner@example.com", "candidate").await;
    let hash_before: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut stranger = app.other_browser();
    let taken = stranger.register("owner@example.com", "Mallory").await;
    let fresh = app.register("new@example.com", "Nina").await;
    assert_eq!(taken.status, fresh.status);
    assert_eq!(taken.location(), fresh.location());
    assert_eq!(
        taken.headers.get("set-cookie"),
        fresh.headers.get("set-cookie")
    );
    assert_eq!(
        stranger.get(taken.location()).await.text(),
        app.get(fresh.location()).await.text()
    );
    let hash_after: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE email = 'owner@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(hash_before, hash_after, "the existing account is untouched");
    let owner_mail = sink.wait_for("owner@example.com", 1).await.remove(0);
    assert_eq!(owner_mail.subject, "You already have a mockexam account");
    assert!(owner_mail.text.contains("http://localhost/password/forgot"));
    let new_mail = sink.wait_for("new@example.com", 1).await.remove(0);
    assert_eq!(new_mail.subject, "Confirm your email for mockexam");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn registration_is_throttled_per_address(pool: PgPool) {
    let sink = super::mail_sink::MailSink::start().await;
    let mut cfg = crate::helpers::config();
    cfg.smtp_url = Some(sink.url());
    cfg.register_max_per_ip = 3;
    let mut app = crate::helpers::TestApp::with_config(pool.clone(), cfg);
    for i in 0..3 {
        app.register(&format!("r{i}@example.com"), "R")
            .await
            .assert_status(303);
    }
    let r = app.register("r3@example.com", "R").await;
    r.assert_status(429)
        .assert_contains("Too many accounts were created from your network");
    assert!(r.headers.get("retry-after").is_some());
    assert_eq!(count(&pool, "SELECT count(*) FROM users").await, 3);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_new_account_is_verified_by_its_link_and_reminded_until_then(pool: PgPool) {
    let (mut app, sink) = app_with_sink(&pool).await;
    app.sign_up("ver@example.com", "Vera")
        .await
        .assert_status(303);
    app.get("/")
        .await
        .assert_contains("Please confirm your email.");
    let mail = sink.wait_for("ver@example.com", 1).await.remove(0);
    let path = path_of(&link(&mail, "http://localhost/verify/"));
    app.get(&path)
        .await
        .assert_status(200)
        .assert_contains("Thank you: ver@example.com is confirmed.");
    let verified: bool = sqlx::query_scalar("SELECT email_verified_at IS NOT NULL FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(verified);
    let home = app.get("/").await;
    assert!(!home.text().contains("Please confirm your email."));
    app.get(&path).await.assert_status(410);
    // "Send the link again" for an account already verified sends nothing.
    app.post("/account/verify/resend", &[])
        .await
        .assert_status(200);
    sink.settle().await;
    assert_eq!(sink.to("ver@example.com").len(), 1);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn unverified_accounts_get_one_reminder_and_are_deleted_after_the_deadline(pool: PgPool) {
    let (mut app, sink) = app_with_sink(&pool).await;
    app.sign_up("late@example.com", "Late")
        .await
        .assert_status(303);
    let mut keen_browser = app.other_browser();
    keen_browser
        .sign_up("keen@example.com", "Keen")
        .await
        .assert_status(303);
    let keen = user_id(&pool, "keen@example.com").await;
    sqlx::query("UPDATE users SET email_verified_at = now() WHERE id = $1")
        .bind(keen)
        .execute(&pool)
        .await
        .unwrap();
    sink.wait_for("late@example.com", 1).await;
    let state = mockexam::state::AppState::new(pool.clone(), {
        let mut c = crate::helpers::config();
        c.smtp_url = Some(sink.url());
        c.public_url = Some("http://localhost".into());
        c
    });
    // Day 24 of 30: one reminder, however often the sweeper runs.
    sqlx::query("UPDATE users SET created_at = now() - interval '24 days'")
        .execute(&pool)
        .await
        .unwrap();
    let sweep = mockexam::accounts::recovery::sweep_unverified;
    assert_eq!(sweep(&state).await.unwrap(), (1, 0));
    assert_eq!(sweep(&state).await.unwrap(), (0, 0));
    let reminder = sink.wait_for("late@example.com", 2).await.remove(1);
    assert_eq!(
        reminder.subject,
        "Reminder: confirm your email for mockexam"
    );
    assert!(reminder.text.contains("http://localhost/verify/"));
    // Day 31: deleted; the verified account stays.
    sqlx::query("UPDATE users SET created_at = now() - interval '31 days'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(sweep(&state).await.unwrap(), (0, 1));
    let left: Vec<String> = sqlx::query_scalar("SELECT email FROM users")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(left, vec!["keen@example.com".to_string()]);
    app.get("/").await.assert_contains("Create a free account");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_deadline_for_verification_is_configurable(pool: PgPool) {
    let sink = super::mail_sink::MailSink::start().await;
    let mut cfg = crate::helpers::config();
    cfg.smtp_url = Some(sink.url());
    cfg.unverified_days = 7;
    let state = mockexam::state::AppState::new(pool.clone(), cfg);
    let mut app = crate::helpers::TestApp::new(pool.clone());
    app.register("week@example.com", "W")
        .await
        .assert_status(303);
    sqlx::query("UPDATE users SET created_at = now() - interval '8 days'")
        .execute(&pool)
        .await
        .unwrap();
    let (_, deleted) = mockexam::accounts::recovery::sweep_unverified(&state)
        .await
        .unwrap();
    assert_eq!(deleted, 1);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn changing_the_email_verifies_the_new_one_and_tells_the_old_one(pool: PgPool) {
    let (mut app, sink) = app_with_sink(&pool).await;
    account(&pool, "old@example.com", "candidate").await;
    account(&pool, "taken@example.com", "candidate").await;
    app.login("old@example.com", PASSWORD)
        .await
        .assert_status(303);
    app.post(
        "/account/email",
        &[
            ("email", "new@example.com"),
            ("current_password", "wrong password!!"),
        ],
    )
    .await
    .assert_status(422)
    .assert_contains("Your current password is not right.");
    app.post(
        "/account/email",
        &[("email", "New@Example.com"), ("current_password", PASSWORD)],
    )
    .await
    .assert_status(200)
    .assert_contains("We mailed a link to new@example.com");
    // Nothing changes until the link is opened.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM users WHERE email = 'old@example.com'"
        )
        .await,
        1
    );
    let notice = sink.wait_for("old@example.com", 1).await.remove(0);
    assert_eq!(notice.subject, "Your mockexam email is about to change");
    let confirm = sink.wait_for("new@example.com", 1).await.remove(0);
    let path = path_of(&link(&confirm, "http://localhost/verify/"));
    app.get(&path)
        .await
        .assert_status(200)
        .assert_contains("Your account now uses new@example.com");
    assert_eq!(count(&pool, "SELECT count(*) FROM users WHERE email = 'new@example.com' AND email_verified_at IS NOT NULL").await, 1);
    let changed = sink.wait_for("old@example.com", 2).await.remove(1);
    assert_eq!(changed.subject, "Your mockexam email was changed");
    // Moving to an address with an account answers the same and changes nothing.
    app.post(
        "/account/email",
        &[
            ("email", "taken@example.com"),
            ("current_password", PASSWORD),
        ],
    )
    .await
    .assert_status(200)
    .assert_contains("We mailed a link to taken@example.com");
    let warned = sink.wait_for("taken@example.com", 1).await.remove(0);
    assert_eq!(
        warned.subject,
        "Someone tried to move a mockexam account to this address"
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM users WHERE email = 'taken@example.com'"
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn without_smtp_mails_land_in_the_outbox_listed_for_admins(pool: PgPool) {
    let dir = std::env::temp_dir().join(format!("mockexam-outbox-{}", uuid::Uuid::new_v4()));
    let mut cfg = crate::helpers::config();
    cfg.outbox = Some(dir.clone());
    cfg.public_url = Some("http://localhost".into());
    let mut app = crate::helpers::TestApp::with_config(pool.clone(), cfg);
    account(&pool, "lap@example.com", "candidate").await;
    app.post("/password/forgot", &[("email", "lap@example.com")])
        .await
        .assert_status(200);
    let mut files = Vec::new();
    for _ in 0..100 {
        files = std::fs::read_dir(&dir)
            .map(|d| d.flatten().collect())
            .unwrap_or_default();
        if !files.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(files.len(), 1, "one .eml file in {}", dir.display());
    let mut admin = app.other_browser();
    crate::helpers::signed_in_as(&mut admin, "root@example.com", "admin").await;
    let list = admin.get("/admin/outbox").await;
    list.assert_status(200)
        .assert_contains("lap@example.com")
        .assert_contains("Reset your mockexam password");
    let href = list.select("a[href^='/admin/outbox/']")[0]
        .attr("href")
        .unwrap()
        .to_string();
    let mail = admin.get(&href).await;
    mail.assert_status(200)
        .assert_contains("http://localhost/password/reset/");
    // The link in the file works.
    let text = mail.text();
    let start = text.find("http://localhost/password/reset/").unwrap();
    let url: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    app.get(&path_of(&url)).await.assert_status(200);
    // Names outside the outbox are not found.
    admin
        .get("/admin/outbox/..%2F..%2Fetc%2Fpasswd")
        .await
        .assert_status(404);
    admin
        .get("/admin/outbox/nothing.eml")
        .await
        .assert_status(404);
    let _ = std::fs::remove_dir_all(&dir);
}
