//! Practice: checking an answered item reveals its key and makes the answer final.

use crate::db;
use crate::domain::scoring;
use crate::types::{AttemptId, UserId};
use anyhow::Context;
use sqlx::PgPool;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    Revealed,
    NotAnswered,
    /// The same question is in a mock in progress: its answer waits for that mock.
    InOpenMock,
}

/// Reveals one answered practice item and records it in the review schedule at once (checked
/// practice answers count as readiness evidence immediately).
#[tracing::instrument(skip(db), fields(user = %user, attempt = %attempt_id), err)]
pub async fn check(
    db: &PgPool,
    attempt_id: AttemptId,
    user: UserId,
    position: i32,
) -> anyhow::Result<CheckOutcome> {
    let Some(item) = db::attempts::item(db, attempt_id, position).await? else {
        return Ok(CheckOutcome::NotAnswered);
    };
    if db::attempts::in_open_mock(db, user, item.question_id).await? {
        return Ok(CheckOutcome::InOpenMock);
    }
    if !db::attempts::mark_checked(db, attempt_id, user, position).await? {
        return Ok(CheckOutcome::NotAnswered);
    }
    let Some(response) = &item.response else {
        return Ok(CheckOutcome::NotAnswered);
    };
    let score = scoring::score(&item.body.0.body, &response.0);
    let mut tx = db
        .begin()
        .await
        .context("starting to record a checked answer")?;
    let claimed = db::attempts::claim_checked(
        &mut tx,
        attempt_id,
        position,
        score.points as i32,
        score.max as i32,
    )
    .await?;
    if claimed {
        let right = score.points == score.max;
        db::review::record(&mut tx, user, &[(item.question_id, right)]).await?;
    }
    tx.commit().await.context("committing a checked answer")?;
    Ok(CheckOutcome::Revealed)
}
