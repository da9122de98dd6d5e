//! One-time links mailed to users (reset, verification, invitation). The link carries a random
//! token; the table holds its SHA-256, when it expires and when it was used.

use super::sessions::{hash_token, new_token};
use crate::types::{TokenPurpose, UserId};
use anyhow::Context;
use sqlx::{FromRow, PgExecutor, PgPool};

/// What a valid link proves.
#[derive(Debug, Clone, FromRow)]
pub struct TokenGrant {
    pub user_id: UserId,
    /// The address the link was sent to (for an email change: the new address).
    pub email: String,
}

/// Issues a link for `purpose`, valid `minutes`; earlier unused links of the same purpose stop
/// working, so only the newest mail counts.
pub async fn issue(
    pool: &PgPool,
    user_id: UserId,
    purpose: TokenPurpose,
    email: &str,
    minutes: i64,
) -> anyhow::Result<String> {
    let token = new_token();
    let mut tx = pool.begin().await.context("starting a transaction")?;
    sqlx::query(
        "DELETE FROM account_tokens WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
    )
    .bind(user_id)
    .bind(purpose)
    .execute(&mut *tx)
    .await
    .context("retiring earlier links")?;
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, email, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5::int))",
    )
    .bind(hash_token(&token))
    .bind(user_id)
    .bind(purpose)
    .bind(email)
    .bind(minutes)
    .execute(&mut *tx)
    .await
    .context("storing the link")?;
    tx.commit().await.context("committing the link")?;
    Ok(token)
}

/// What a link would grant, without using it (to show its form).
pub async fn peek(
    pool: &PgPool,
    token: &str,
    purpose: TokenPurpose,
) -> anyhow::Result<Option<TokenGrant>> {
    sqlx::query_as(
        "SELECT user_id, email FROM account_tokens
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()",
    )
    .bind(hash_token(token))
    .bind(purpose)
    .fetch_optional(pool)
    .await
    .context("looking the link up")
}

/// Uses a link: only one caller ever gets its grant.
pub async fn consume<'e>(
    db: impl PgExecutor<'e>,
    token: &str,
    purpose: TokenPurpose,
) -> anyhow::Result<Option<TokenGrant>> {
    sqlx::query_as(
        "UPDATE account_tokens SET used_at = now()
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
         RETURNING user_id, email",
    )
    .bind(hash_token(token))
    .bind(purpose)
    .fetch_optional(db)
    .await
    .context("using the link")
}

/// Every unused link of the account stops working (a password reset also retires older resets;
/// disabling an account retires its links).
pub async fn revoke_all<'e>(db: impl PgExecutor<'e>, user_id: UserId) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM account_tokens WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .execute(db)
        .await
        .context("retiring the account's links")?;
    Ok(())
}

/// Deletes links expired or used more than a day ago.
pub async fn purge_old(pool: &PgPool) -> anyhow::Result<u64> {
    let r = sqlx::query(
        "DELETE FROM account_tokens
         WHERE expires_at < now() - interval '1 day' OR used_at < now() - interval '1 day'",
    )
    .execute(pool)
    .await
    .context("deleting old links")?;
    Ok(r.rows_affected())
}
