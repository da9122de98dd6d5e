//! Loading an attempt under the deadline rule.

use crate::db;
use crate::db::attempts::AttemptRow;
use crate::types::{AttemptId, SubmitReason, UserId};
use anyhow::Context;
use sqlx::PgPool;

/// The candidate's own attempt (`None` for anyone else's), closed first when its deadline and
/// grace have both passed. Within the grace the attempt stays open so answers in flight land.
#[tracing::instrument(skip_all, fields(user = %user, attempt = %id), err)]
pub async fn load(
    db: &PgPool,
    id: AttemptId,
    user: UserId,
    grace_seconds: i64,
) -> anyhow::Result<Option<AttemptRow>> {
    let Some(a) = db::attempts::get_for_user(db, id, user).await? else {
        return Ok(None);
    };
    if a.in_progress() && a.past_grace(grace_seconds) {
        super::finalize(db, a.id, SubmitReason::Expired)
            .await
            .context("closing an attempt whose time ran out")?;
        return db::attempts::get_for_user(db, id, user).await;
    }
    Ok(Some(a))
}

/// The attempt without the deadline check: for a save, which applies the deadline itself in the
/// same statement as its write.
#[tracing::instrument(skip_all, fields(user = %user, attempt = %id), err)]
pub async fn peek(db: &PgPool, id: AttemptId, user: UserId) -> anyhow::Result<Option<AttemptRow>> {
    db::attempts::get_for_user(db, id, user).await
}
