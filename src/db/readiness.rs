//! What the readiness report reads: scored answers, mock results, pacing and the target date.

use crate::types::{AttemptId, ExamId, Mode, UserId};
use anyhow::Context;
use sqlx::{FromRow, PgPool};
use time::{Date, OffsetDateTime};

/// One scored answer as stored. Which question, objective and skill area its version belongs to
/// comes from the exam's calibrated bank (kept per process), not from joins over every answer.
#[derive(Debug, Clone, FromRow)]
pub struct EvidenceRow {
    pub points: i32,
    pub max_points: i32,
    pub age_days: f64,
    pub attempt_id: AttemptId,
    pub mode: Mode,
    /// Seconds since the epoch when the attempt started: orders sittings.
    pub started: f64,
    pub version_id: uuid::Uuid,
    pub checked: bool,
}

/// Every scored item of the candidate for the exam: all items of submitted full mocks and
/// adaptive checks (a blank scores zero there, as on the real exam) and the answered items of
/// practice sets.
pub async fn evidence(
    pool: &PgPool,
    user_id: UserId,
    exam_id: ExamId,
) -> anyhow::Result<Vec<EvidenceRow>> {
    sqlx::query_as(
        "SELECT ai.points, ai.max_points,
                GREATEST(0, EXTRACT(EPOCH FROM now() - COALESCE(ai.answered_at, a.submitted_at, a.started_at)) / 86400.0)::float8 AS age_days,
                a.id AS attempt_id, a.mode, EXTRACT(EPOCH FROM a.started_at)::float8 AS started,
                ai.question_version_id AS version_id, ai.checked
         FROM attempts a
         -- One index probe per attempt of this candidate, never a join over all answers.
         CROSS JOIN LATERAL (SELECT i.points, i.max_points, i.answered_at, i.checked,
                                    i.question_version_id
                             FROM attempt_items i WHERE i.attempt_id = a.id OFFSET 0) ai
         WHERE a.user_id = $1 AND a.exam_id = $2 AND ai.points IS NOT NULL AND ai.max_points > 0
           AND ((a.mode IN ('exam', 'check') AND a.status = 'submitted') OR (a.mode = 'practice' AND ai.answered_at IS NOT NULL))",
    )
    .bind(user_id)
    .bind(exam_id)
    .fetch_all(pool)
    .await
        .context("loading the candidate's scored answers")
}

#[derive(Debug, Clone, FromRow)]
pub struct MockResult {
    pub id: AttemptId,
    pub mode: Mode,
    pub started_at: OffsetDateTime,
    pub scaled_score: i32,
    pub passed: bool,
    pub seconds_used: f64,
    pub answered: i64,
    pub items: i64,
}

/// Scored full mocks and adaptive checks, oldest first.
pub async fn mock_results(
    pool: &PgPool,
    user_id: UserId,
    exam_id: ExamId,
) -> anyhow::Result<Vec<MockResult>> {
    sqlx::query_as(
        "SELECT a.id, a.mode, a.started_at, a.scaled_score, a.passed,
                EXTRACT(EPOCH FROM a.submitted_at - a.started_at)::float8 AS seconds_used,
                (SELECT count(*) FROM attempt_items i WHERE i.attempt_id = a.id AND i.answered_at IS NOT NULL) AS answered,
                (SELECT count(*) FROM attempt_items i WHERE i.attempt_id = a.id) AS items
         FROM attempts a
         WHERE a.user_id = $1 AND a.exam_id = $2 AND a.mode IN ('exam', 'check')
           AND a.status = 'submitted' AND a.scaled_score IS NOT NULL
         ORDER BY a.started_at",
    )
    .bind(user_id)
    .bind(exam_id)
    .fetch_all(pool)
    .await
        .context("loading the candidate's mock results")
}

pub async fn target(
    pool: &PgPool,
    user_id: UserId,
    exam_id: ExamId,
) -> anyhow::Result<Option<Date>> {
    sqlx::query_scalar("SELECT target_date FROM exam_targets WHERE user_id = $1 AND exam_id = $2")
        .bind(user_id)
        .bind(exam_id)
        .fetch_optional(pool)
        .await
        .context("loading the candidate's target date")
}

pub async fn set_target(
    pool: &PgPool,
    user_id: UserId,
    exam_id: ExamId,
    date: Option<Date>,
) -> anyhow::Result<()> {
    match date {
        Some(d) => {
            sqlx::query(
                "INSERT INTO exam_targets (user_id, exam_id, target_date) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id, exam_id) DO UPDATE SET target_date = EXCLUDED.target_date",
            )
            .bind(user_id)
            .bind(exam_id)
            .bind(d)
            .execute(pool)
            .await
            .context("storing the candidate's target date")?;
        }
        None => {
            sqlx::query("DELETE FROM exam_targets WHERE user_id = $1 AND exam_id = $2")
                .bind(user_id)
                .bind(exam_id)
                .execute(pool)
                .await
                .context("storing the candidate's target date")?;
        }
    }
    Ok(())
}
