//! The spaced-review schedule per candidate and question.

use crate::domain::review::{after_answer, Update};
use crate::types::{ExamId, QuestionId, UserId};
use anyhow::Context;
use sqlx::{PgPool, Postgres, Transaction};
use std::collections::HashMap;

/// Applies answers (question, every component right?) to the candidate's schedule.
pub async fn record(
    tx: &mut Transaction<'_, Postgres>,
    user_id: UserId,
    answers: &[(QuestionId, bool)],
) -> anyhow::Result<()> {
    if answers.is_empty() {
        return Ok(());
    }
    let ids: Vec<QuestionId> = answers.iter().map(|a| a.0).collect();
    let current: Vec<(QuestionId, i16)> =
        sqlx::query_as("SELECT question_id, box FROM review_schedule WHERE user_id = $1 AND question_id = ANY($2) FOR UPDATE")
            .bind(user_id)
            .bind(&ids)
            .fetch_all(&mut **tx)
            .await?;
    let mut boxes: HashMap<QuestionId, u8> =
        current.into_iter().map(|(q, b)| (q, b as u8)).collect();
    let (mut upsert_q, mut upsert_box, mut upsert_days, mut retire) =
        (vec![], vec![], vec![], vec![]);
    for (q, right) in answers {
        match after_answer(boxes.get(q).copied(), *right) {
            Update::Schedule {
                box_no,
                due_in_days,
            } => {
                boxes.insert(*q, box_no);
                upsert_q.push(*q);
                upsert_box.push(box_no as i16);
                upsert_days.push(due_in_days as i32);
            }
            Update::Retire => {
                boxes.remove(q);
                retire.push(*q);
            }
            Update::Nothing => {}
        }
    }
    // The same question twice in one batch: the last answer wins.
    let mut last: HashMap<QuestionId, (i16, i32)> = HashMap::new();
    for i in 0..upsert_q.len() {
        last.insert(upsert_q[i], (upsert_box[i], upsert_days[i]));
    }
    let (q, b, d): (Vec<QuestionId>, Vec<i16>, Vec<i32>) = last
        .into_iter()
        .filter(|(q, _)| !retire.contains(q))
        .fold((vec![], vec![], vec![]), |mut acc, (q, (b, d))| {
            acc.0.push(q);
            acc.1.push(b);
            acc.2.push(d);
            acc
        });
    sqlx::query(
        "INSERT INTO review_schedule (user_id, question_id, box, due_at, last_reviewed_at)
         SELECT $1, q, b, now() + make_interval(days => d), now()
         FROM UNNEST($2::uuid[], $3::smallint[], $4::int[]) AS t(q, b, d)
         ON CONFLICT (user_id, question_id) DO UPDATE
         SET box = EXCLUDED.box, due_at = EXCLUDED.due_at, last_reviewed_at = now()",
    )
    .bind(user_id)
    .bind(&q)
    .bind(&b)
    .bind(&d)
    .execute(&mut **tx)
    .await?;
    if !retire.is_empty() {
        sqlx::query("DELETE FROM review_schedule WHERE user_id = $1 AND question_id = ANY($2)")
            .bind(user_id)
            .bind(&retire)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Live questions of an exam due for review now.
pub async fn due(
    pool: &PgPool,
    user_id: UserId,
    exam_id: ExamId,
) -> anyhow::Result<Vec<QuestionId>> {
    sqlx::query_scalar(
        "SELECT r.question_id FROM review_schedule r JOIN questions q ON q.id = r.question_id
         WHERE r.user_id = $1 AND q.exam_id = $2 AND NOT q.retired AND r.due_at <= now()
         ORDER BY r.due_at, r.box",
    )
    .bind(user_id)
    .bind(exam_id)
    .fetch_all(pool)
    .await
    .context("listing the questions due for review")
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScheduleRow {
    pub question_id: QuestionId,
    pub box_no: i16,
    pub due_in_seconds: f64,
}

pub async fn schedule(
    pool: &PgPool,
    user_id: UserId,
    exam_id: ExamId,
) -> anyhow::Result<Vec<ScheduleRow>> {
    sqlx::query_as(
        "SELECT r.question_id, r.box AS box_no, EXTRACT(EPOCH FROM r.due_at - now())::float8 AS due_in_seconds
         FROM review_schedule r JOIN questions q ON q.id = r.question_id
         WHERE r.user_id = $1 AND q.exam_id = $2 AND NOT q.retired ORDER BY r.due_at",
    )
    .bind(user_id)
    .bind(exam_id)
    .fetch_all(pool)
    .await
        .context("loading the review schedule")
}

/// How many of the candidate's reviews fall due in the next `seconds` (not those due already).
pub async fn due_within(
    pool: &PgPool,
    user_id: UserId,
    exam_id: ExamId,
    seconds: i64,
) -> anyhow::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM review_schedule r JOIN questions q ON q.id = r.question_id
         WHERE r.user_id = $1 AND q.exam_id = $2 AND NOT q.retired
           AND r.due_at > now() AND r.due_at <= now() + make_interval(secs => $3)",
    )
    .bind(user_id)
    .bind(exam_id)
    .bind(seconds as f64)
    .fetch_one(pool)
    .await
    .context("counting reviews due soon")
}
