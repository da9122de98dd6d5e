//! The live bank of an exam — its published questions with what assembly needs — kept in each
//! process and read again only when the exam's `bank_revision` moved (triggers on questions,
//! objectives and scenarios move it in the same transaction as the change). A start then reads
//! only the candidate's own history from the database; the bank's join is done once per change
//! of the bank instead of once per start.

use crate::cache::Revisioned;
use crate::db::exams::ExamRow;
use crate::domain::item::ScenarioKind;
use crate::types::{ExamId, QuestionId};
use anyhow::Context;
use sqlx::{FromRow, PgPool};
use std::sync::{Arc, OnceLock};
use uuid::Uuid;

/// A live (published, not retired) question at its current version.
#[derive(Debug, Clone, FromRow)]
pub struct LiveQuestion {
    pub question_id: QuestionId,
    pub version_id: Uuid,
    pub objective_code: String,
    pub domain_code: String,
    pub kind: String,
    pub scenario_ext_id: Option<String>,
    pub scenario_kind: Option<ScenarioKind>,
}

/// The live questions in bank order, as of `revision`.
#[derive(Debug)]
pub struct LiveBank {
    pub revision: i64,
    pub questions: Vec<LiveQuestion>,
}

fn banks() -> &'static Revisioned<ExamId, LiveBank> {
    static BANKS: OnceLock<Revisioned<ExamId, LiveBank>> = OnceLock::new();
    BANKS.get_or_init(Default::default)
}

/// The exam's live bank, from this process's copy when it is as new as `exam.bank_revision` (a
/// copy newer than the exam row the request read is as good: another request reloaded it).
#[tracing::instrument(skip_all, fields(exam = %exam.code), err)]
pub async fn live(pool: &PgPool, exam: &ExamRow) -> anyhow::Result<Arc<LiveBank>> {
    if let Some(bank) = banks().get(&exam.id, exam.bank_revision) {
        return Ok(bank);
    }
    let bank = load(pool, exam.id).await?;
    Ok(banks().offer(exam.id, bank.revision, bank))
}

/// A read-only snapshot and the exam's bank revision in it: what is read in the snapshot is the
/// bank as of that revision.
pub async fn snapshot(
    pool: &PgPool,
    exam_id: ExamId,
) -> anyhow::Result<(sqlx::Transaction<'static, sqlx::Postgres>, i64)> {
    let mut tx = pool
        .begin()
        .await
        .context("opening a snapshot of the bank")?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await
        .context("opening a snapshot of the bank")?;
    let revision: i64 = sqlx::query_scalar("SELECT bank_revision FROM exams WHERE id = $1")
        .bind(exam_id)
        .fetch_one(&mut *tx)
        .await
        .context("reading the bank's revision")?;
    Ok((tx, revision))
}

/// Reads the bank and the revision it is at from one snapshot.
async fn load(pool: &PgPool, exam_id: ExamId) -> anyhow::Result<LiveBank> {
    let (mut tx, revision) = snapshot(pool, exam_id).await?;
    let questions: Vec<LiveQuestion> = sqlx::query_as(
        "SELECT q.id AS question_id, v.id AS version_id, q.objective_code, o.domain_code, q.kind,
                s.ext_id AS scenario_ext_id, s.kind AS scenario_kind
         FROM questions q
         JOIN question_versions v ON v.id = q.current_version_id
         JOIN objectives o ON o.exam_id = q.exam_id AND o.code = q.objective_code
         LEFT JOIN scenarios s ON s.id = q.scenario_id
         WHERE q.exam_id = $1 AND NOT q.retired
           -- Drafts and questions in review never reach candidates.
           AND q.status = 'published'
         ORDER BY q.bank_position",
    )
    .bind(exam_id)
    .fetch_all(&mut *tx)
    .await
    .context("reading the live questions")?;
    tx.commit().await.context("reading the live bank")?;
    Ok(LiveBank {
        revision,
        questions,
    })
}
