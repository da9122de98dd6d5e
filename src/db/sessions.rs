//! Server-side sessions. The browser holds a random token; the table holds its SHA-256.

use super::users::{User, COLUMNS};
use crate::types::UserId;
use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::{FromRow, PgExecutor, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// A random 256-bit token, URL-safe (sessions, device cookies and mailed links).
pub fn new_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// How long sessions live: `idle_hours` without use, `absolute_hours` at most.
#[derive(Debug, Clone, Copy)]
pub struct Lifetime {
    pub idle_hours: i64,
    pub absolute_hours: i64,
}

/// The browser a session starts in.
pub struct Client<'a> {
    pub user_agent: &'a str,
    pub ip: &'a str,
}

/// Starts a session and returns its token.
pub async fn create(
    pool: &PgPool,
    user_id: UserId,
    life: Lifetime,
    client: &Client<'_>,
) -> anyhow::Result<String> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, expires_at, user_agent, ip)
         VALUES ($1, $2, now() + make_interval(hours => $3), $4, $5)",
    )
    .bind(hash_token(&token))
    .bind(user_id)
    .bind(life.idle_hours.min(life.absolute_hours) as i32)
    .bind(client.user_agent.chars().take(400).collect::<String>())
    .bind(client.ip)
    .execute(pool)
    .await
    .context("starting a session")?;
    Ok(token)
}

/// The user of a live session of an account that is not disabled. Sliding expiry: use extends
/// it (at most once a minute), never past the absolute lifetime counted from sign-in.
pub async fn user_for(pool: &PgPool, token: &str, life: Lifetime) -> anyhow::Result<Option<User>> {
    sqlx::query_as(user_for_sql())
        .bind(hash_token(token))
        .bind(life.idle_hours as i32)
        .bind(life.absolute_hours as i32)
        .fetch_optional(pool)
        .await
        .context("resolving the session cookie")
}

/// The session lookup of every request: `$1` the token's hash, `$2` idle and `$3` absolute
/// lifetime in hours. Its touch writes no indexed column, so it stays a HOT update (the
/// `sessions_hot_touch` migration); `tests/api/upkeep.rs` holds it to that.
pub fn user_for_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "WITH s AS (
             UPDATE sessions SET last_seen_at = now(),
                 expires_at = LEAST(now() + make_interval(hours => $2),
                                    created_at + make_interval(hours => $3))
             WHERE token_hash = $1 AND expires_at > now()
               AND last_seen_at < now() - interval '1 minute'
             RETURNING user_id
         )
         SELECT {COLUMNS}
         FROM users u
         WHERE u.disabled_at IS NULL
           AND u.id = (SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > now()
                         AND created_at > now() - make_interval(hours => $3))"
        )
    })
}

pub async fn delete(pool: &PgPool, token: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(hash_token(token))
        .execute(pool)
        .await
        .context("ending the session")?;
    Ok(())
}

/// Ends every session of a user except the given one (after a password change).
pub async fn delete_others(
    pool: &PgPool,
    user_id: UserId,
    keep_token: &str,
) -> anyhow::Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(hash_token(keep_token))
        .execute(pool)
        .await
        .context("ending the account's other sessions")?;
    Ok(r.rows_affected())
}

/// Ends every session of a user (password reset, disabling, the operator's reset).
pub async fn delete_all<'e>(db: impl PgExecutor<'e>, user_id: UserId) -> anyhow::Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await
        .context("ending every session of the account")?;
    Ok(r.rows_affected())
}

/// Ends one session of the user by its public id; `false` when the user has no such session.
pub async fn delete_by_id(pool: &PgPool, user_id: UserId, id: Uuid) -> anyhow::Result<bool> {
    let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id = $2")
        .bind(user_id)
        .bind(id)
        .execute(pool)
        .await
        .context("ending one session")?;
    Ok(r.rows_affected() == 1)
}

/// One live session, as the sessions page lists it.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    pub id: Uuid,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub user_agent: String,
    pub ip: String,
    /// The session of the browser asking.
    pub current: bool,
}

/// The user's live sessions, most recently used first.
pub async fn list_for_user(
    pool: &PgPool,
    user_id: UserId,
    current_token: Option<&str>,
) -> anyhow::Result<Vec<SessionRow>> {
    sqlx::query_as(
        "SELECT id, created_at, last_seen_at, user_agent, ip,
                token_hash = $2 AS current
         FROM sessions WHERE user_id = $1 AND expires_at > now()
         ORDER BY last_seen_at DESC",
    )
    .bind(user_id)
    .bind(current_token.map(hash_token).unwrap_or_default())
    .fetch_all(pool)
    .await
    .context("listing the account's sessions")
}

/// Deletes sessions past their idle expiry or their absolute lifetime.
pub async fn purge_expired(pool: &PgPool, absolute_hours: i64) -> anyhow::Result<u64> {
    let r = sqlx::query(
        "DELETE FROM sessions
         WHERE expires_at < now() OR created_at < now() - make_interval(hours => $1)",
    )
    .bind(absolute_hours as i32)
    .execute(pool)
    .await
    .context("deleting expired sessions")?;
    Ok(r.rows_affected())
}
