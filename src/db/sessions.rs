//! Server-side sessions. The browser holds a random token; the table holds its SHA-256.

use super::users::User;
use crate::types::UserId;
use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub fn new_token() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Starts a session and returns its token.
pub async fn create(pool: &PgPool, user_id: UserId, hours: i64) -> anyhow::Result<String> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, expires_at)
         VALUES ($1, $2, now() + make_interval(hours => $3))",
    )
    .bind(hash_token(&token))
    .bind(user_id)
    .bind(hours as i32)
    .execute(pool)
    .await?;
    Ok(token)
}

/// The user of a live session. Sliding expiry: use extends it, at most once a minute.
pub async fn user_for(pool: &PgPool, token: &str, hours: i64) -> anyhow::Result<Option<User>> {
    sqlx::query_as(
        "WITH s AS (
             UPDATE sessions SET last_seen_at = now(), expires_at = now() + make_interval(hours => $2)
             WHERE token_hash = $1 AND expires_at > now()
               AND last_seen_at < now() - interval '1 minute'
             RETURNING user_id
         )
         SELECT u.id, u.email, u.display_name, u.password_hash, u.role, u.created_at
         FROM users u
         WHERE u.id = (SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > now())",
    )
    .bind(hash_token(token))
    .bind(hours as i32)
    .fetch_optional(pool)
    .await
        .context("resolving the session cookie")
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

pub async fn purge_expired(pool: &PgPool) -> anyhow::Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE expires_at < now()")
        .execute(pool)
        .await
        .context("deleting expired sessions")?;
    Ok(r.rows_affected())
}
