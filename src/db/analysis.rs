//! What the item analysis reads: an exam's questions with their current version, and the scored
//! items of its submitted full mocks — each candidate's first by default, or all of them.
//!
//! Both queries are bounded by the exam: the attempts come from the partial index
//! `attempts_exam_submitted_mocks_idx` (exam, user, start), their items from the primary key of
//! `attempt_items`. Nothing here depends on other exams' data.

use crate::domain::item::{Item, Response};
use crate::types::{AttemptId, ExamId, QuestionId};
use anyhow::Context;
use sqlx::types::Json;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

/// A question of the bank with its current version.
#[derive(Debug, Clone, FromRow)]
pub struct QuestionRow {
    pub id: QuestionId,
    pub ext_id: String,
    pub objective_code: String,
    pub kind: String,
    pub retired: bool,
    pub current_version_id: Uuid,
    pub current_version: i32,
    pub body: Json<Item>,
}

pub async fn questions(pool: &PgPool, exam_id: ExamId) -> anyhow::Result<Vec<QuestionRow>> {
    sqlx::query_as(
        "SELECT q.id, q.ext_id, q.objective_code, q.kind, q.retired,
                v.id AS current_version_id, v.version AS current_version, v.body
         FROM questions q JOIN question_versions v ON v.id = q.current_version_id
         WHERE q.exam_id = $1
         ORDER BY q.bank_position, q.ext_id",
    )
    .bind(exam_id)
    .fetch_all(pool)
    .await
    .context("loading the questions of the exam for item analysis")
}

/// One scored item of a submitted full mock.
#[derive(Debug, Clone, FromRow)]
pub struct AnswerRow {
    pub attempt_id: AttemptId,
    pub position: i32,
    pub question_id: QuestionId,
    pub version_id: Uuid,
    pub points: i32,
    pub max_points: i32,
    pub response: Option<Json<Response>>,
    pub seconds: Option<f64>,
}

/// Which submitted mocks the analysis reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AttemptScope {
    /// Each candidate's first submitted mock (Moodle's default): later attempts are taken by
    /// candidates who have seen the questions, which breaks the assumptions of item analysis.
    #[default]
    First,
    All,
}

/// The scored items of the exam's submitted full mocks in `scope`. Anonymised mocks (of deleted
/// accounts) have no owner to tell first from later ones and are all included.
pub async fn answers(
    pool: &PgPool,
    exam_id: ExamId,
    scope: AttemptScope,
) -> anyhow::Result<Vec<AnswerRow>> {
    sqlx::query_as(
        "WITH chosen AS (
             SELECT id FROM attempts
             WHERE exam_id = $1 AND mode = 'exam' AND status = 'submitted'
               AND ($2 OR user_id IS NULL)
             UNION ALL
             (SELECT DISTINCT ON (user_id) id FROM attempts
              WHERE exam_id = $1 AND mode = 'exam' AND status = 'submitted'
                AND user_id IS NOT NULL AND NOT $2
              ORDER BY user_id, started_at, id)
         )
         SELECT ai.attempt_id, ai.position, qv.question_id, ai.question_version_id AS version_id,
                ai.points, ai.max_points, ai.response, ai.seconds_on_item AS seconds
         FROM chosen
         JOIN attempt_items ai ON ai.attempt_id = chosen.id
         JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.points IS NOT NULL AND ai.max_points > 0",
    )
    .bind(exam_id)
    .bind(scope == AttemptScope::All)
    .fetch_all(pool)
    .await
    .context("loading the scored items of submitted mocks for item analysis")
}

/// Submitted full mocks of the exam, and how many candidates took them.
pub async fn mock_counts(pool: &PgPool, exam_id: ExamId) -> anyhow::Result<(i64, i64)> {
    sqlx::query_as(
        "SELECT count(*), count(DISTINCT user_id) FROM attempts
         WHERE exam_id = $1 AND mode = 'exam' AND status = 'submitted'",
    )
    .bind(exam_id)
    .fetch_one(pool)
    .await
    .context("counting the submitted mocks of the exam")
}
