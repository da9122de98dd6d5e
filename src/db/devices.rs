//! Browsers that signed in to an account before (device cookies): the browser holds a random
//! token, the table its SHA-256 per account.

use super::sessions::hash_token;
use crate::types::UserId;
use anyhow::Context;
use sqlx::{PgExecutor, PgPool};

/// The browser holding `token` signed in to the account.
pub async fn trust(pool: &PgPool, token: &str, user_id: UserId) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO trusted_devices (token_hash, user_id) VALUES ($1, $2)
         ON CONFLICT (token_hash, user_id) DO UPDATE SET last_used_at = now()",
    )
    .bind(hash_token(token))
    .bind(user_id)
    .execute(pool)
    .await
    .context("remembering the browser")?;
    Ok(())
}

/// Whether the browser holding `token` signed in to the account with this email before (within
/// `days`).
pub async fn is_trusted(
    pool: &PgPool,
    token: &str,
    email: &str,
    days: i64,
) -> anyhow::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM trusted_devices d JOIN users u ON u.id = d.user_id
                        WHERE d.token_hash = $1 AND u.email = $2
                          AND d.last_used_at > now() - make_interval(days => $3::int))",
    )
    .bind(hash_token(token))
    .bind(email)
    .bind(days)
    .fetch_one(pool)
    .await
    .context("checking the device cookie")
}

/// No browser is trusted for the account any more (password reset, disabling): whoever knew
/// the old password on some browser must start as a stranger.
pub async fn forget_all<'e>(db: impl PgExecutor<'e>, user_id: UserId) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM trusted_devices WHERE user_id = $1")
        .bind(user_id)
        .execute(db)
        .await
        .context("forgetting the account's browsers")?;
    Ok(())
}

pub async fn purge_old(pool: &PgPool, days: i64) -> anyhow::Result<u64> {
    let r = sqlx::query(
        "DELETE FROM trusted_devices WHERE last_used_at < now() - make_interval(days => $1::int)",
    )
    .bind(days)
    .execute(pool)
    .await
    .context("deleting old device cookies")?;
    Ok(r.rows_affected())
}
