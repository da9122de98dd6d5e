//! Accounts a school can run: recovery by email (through a real SMTP sink), registration that
//! reveals nothing, sign-in that resists abuse, sessions, administration, privacy, and the
//! authorization matrix of every account route.

mod admin;
mod mail_sink;
mod matrix;
mod privacy;
mod recovery;
mod sessions;
mod signin;

use crate::helpers::{config, TestApp, PASSWORD};
use mail_sink::MailSink;
use sqlx::PgPool;

/// The app delivering mail through SMTP to a sink this test started; links point at
/// http://localhost.
pub async fn app_with_sink(pool: &PgPool) -> (TestApp, MailSink) {
    let sink = MailSink::start().await;
    let mut cfg = config();
    cfg.smtp_url = Some(sink.url());
    cfg.public_url = Some("http://localhost".into());
    (TestApp::with_config(pool.clone(), cfg), sink)
}

/// An account made directly (verified), for tests that need one to exist.
pub async fn account(pool: &PgPool, email: &str, role: &str) -> uuid::Uuid {
    let role = mockexam::types::Role::parse(role).expect("a role");
    mockexam::demo::upsert_user(pool, email, "Dana Example", role, PASSWORD)
        .await
        .expect("user");
    user_id(pool, email).await
}

pub async fn user_id(pool: &PgPool, email: &str) -> uuid::Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .expect("the account exists")
}

pub async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}
