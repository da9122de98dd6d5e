//! Writes only the demo's simulated histories need: answers stored in bulk and dates moved into
//! the past, as if the candidate had sat those mocks over the past weeks.

use crate::types::{AttemptId, UserId};
use anyhow::Context;
use sqlx::PgPool;

/// Stores simulated answers for the given positions (answered problem–solution items locked, as
/// moving on would have locked them).
pub async fn answer_items(
    pool: &PgPool,
    attempt_id: AttemptId,
    positions: &[i32],
    bodies: &[serde_json::Value],
    flags: &[bool],
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE attempt_items ai SET response = r.body, flagged = r.flag, revision = 1, answered_at = now(),
             first_viewed_at = now(), locked = ai.section_kind = 'series'
         FROM UNNEST($2::int[], $3::jsonb[], $4::bool[]) AS r(position, body, flag)
         WHERE ai.attempt_id = $1 AND ai.position = r.position",
    )
    .bind(attempt_id)
    .bind(positions)
    .bind(bodies)
    .bind(flags)
    .execute(pool)
    .await
    .context("storing simulated answers")?;
    Ok(())
}

/// Moves a submitted attempt `days_ago` into the past, taking `minutes_used` of its 100 minutes.
pub async fn backdate(
    pool: &PgPool,
    attempt_id: AttemptId,
    days_ago: i32,
    minutes_used: i32,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE attempts SET started_at = now() - make_interval(days => $2),
             deadline_at = now() - make_interval(days => $2) + make_interval(mins => 100),
             submitted_at = now() - make_interval(days => $2) + make_interval(mins => $3)
         WHERE id = $1",
    )
    .bind(attempt_id)
    .bind(days_ago)
    .bind(minutes_used)
    .execute(pool)
    .await
    .context("moving a simulated attempt into the past")?;
    sqlx::query(
        "UPDATE attempt_items SET answered_at = now() - make_interval(days => $2), first_viewed_at = now() - make_interval(days => $2)
         WHERE attempt_id = $1 AND answered_at IS NOT NULL",
    )
    .bind(attempt_id)
    .bind(days_ago)
    .execute(pool)
    .await
    .context("moving simulated answers into the past")?;
    Ok(())
}

/// Reviews scheduled by simulated mocks fall due as if the mocks had been taken on their dates.
pub async fn advance_reviews(pool: &PgPool, user_id: UserId, days: i32) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE review_schedule SET due_at = due_at - make_interval(days => $2) WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(days)
    .execute(pool)
    .await
    .context("moving simulated reviews forward")?;
    Ok(())
}

/// Moves all of a candidate's attempts of an exam (and their answers) `days` further into the
/// past, so that demo members differ in when they were last active.
pub async fn shift_history(
    pool: &PgPool,
    user_id: UserId,
    exam_id: crate::types::ExamId,
    days: i32,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE attempt_items ai SET answered_at = ai.answered_at - make_interval(days => $3),
             first_viewed_at = ai.first_viewed_at - make_interval(days => $3)
         FROM attempts a WHERE a.id = ai.attempt_id AND a.user_id = $1 AND a.exam_id = $2",
    )
    .bind(user_id)
    .bind(exam_id)
    .bind(days)
    .execute(pool)
    .await
    .context("moving simulated answers further into the past")?;
    sqlx::query(
        "UPDATE attempts SET started_at = started_at - make_interval(days => $3),
             deadline_at = deadline_at - make_interval(days => $3),
             submitted_at = submitted_at - make_interval(days => $3)
         WHERE user_id = $1 AND exam_id = $2",
    )
    .bind(user_id)
    .bind(exam_id)
    .bind(days)
    .execute(pool)
    .await
    .context("moving simulated attempts further into the past")?;
    Ok(())
}
