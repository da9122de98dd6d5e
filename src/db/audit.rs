//! The audit log of administration: who did what to which account, when.

use crate::db::users::User;
use crate::types::AuditAction;
use anyhow::Context;
use sqlx::{FromRow, PgExecutor, PgPool};
use time::OffsetDateTime;

pub async fn record<'e>(
    db: impl PgExecutor<'e>,
    actor: &User,
    action: AuditAction,
    target: &User,
    detail: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (actor_id, actor_email, action, target_id, target_email, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(actor.id)
    .bind(&actor.email)
    .bind(action)
    .bind(target.id)
    .bind(&target.email)
    .bind(detail)
    .execute(db)
    .await
    .context("recording the admin action")?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditEntry {
    pub at: OffsetDateTime,
    pub actor_email: String,
    pub action: AuditAction,
    pub target_email: String,
    pub detail: String,
}

/// A page of the log, newest first, and the number of entries in all.
pub async fn page(
    pool: &PgPool,
    limit: i64,
    offset: i64,
) -> anyhow::Result<(Vec<AuditEntry>, i64)> {
    let rows = sqlx::query_as(
        "SELECT at, actor_email, action, target_email, detail FROM audit_log
         ORDER BY at DESC, id DESC LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
    .context("reading the audit log")?;
    let total = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(pool)
        .await
        .context("counting the audit log")?;
    Ok((rows, total))
}
