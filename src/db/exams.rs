use crate::domain::blueprint::Blueprint;
use crate::types::ExamId;
use anyhow::Context;
use sqlx::{FromRow, PgPool};

#[derive(Debug, Clone, FromRow)]
pub struct ExamRow {
    pub id: ExamId,
    pub code: String,
    pub slug: String,
    pub title: String,
    pub duration_minutes: i32,
    pub question_count: i32,
    pub blueprint: sqlx::types::Json<Blueprint>,
    /// Moves with every change to the exam's questions, objectives and scenarios (triggers of
    /// migration 20261201000100): what tells a process's copy of the live bank is current.
    pub bank_revision: i64,
}

impl ExamRow {
    /// The date the real exam was retired, if it was.
    pub fn retired_on(&self) -> Option<&str> {
        self.blueprint.retired_on.as_deref()
    }

    /// Whether lists show this exam to the given viewer: unlisted exams only to instructors.
    pub fn listed_for(&self, viewer: Option<&super::users::User>) -> bool {
        !self.blueprint.unlisted || viewer.is_some_and(|u| u.role.can_author())
    }
}

pub async fn list(pool: &PgPool) -> anyhow::Result<Vec<ExamRow>> {
    sqlx::query_as(
        "SELECT id, code, slug, title, duration_minutes, question_count, blueprint, bank_revision FROM exams
         ORDER BY blueprint ? 'retired_on', code",
    )
    .fetch_all(pool)
    .await
    .context("listing the exams")
}

pub async fn by_slug(pool: &PgPool, slug: &str) -> anyhow::Result<Option<ExamRow>> {
    sqlx::query_as(
        "SELECT id, code, slug, title, duration_minutes, question_count, blueprint, bank_revision FROM exams WHERE slug = $1",
    )
    .bind(slug.to_lowercase())
    .fetch_optional(pool)
    .await
        .context("finding the exam by its URL name")
}

pub async fn by_id<'e>(
    db: impl sqlx::PgExecutor<'e>,
    id: ExamId,
) -> anyhow::Result<Option<ExamRow>> {
    sqlx::query_as(
        "SELECT id, code, slug, title, duration_minutes, question_count, blueprint, bank_revision FROM exams WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
        .context("loading the exam")
}

/// Live (not retired) questions per exam, per domain and kind: for the authoring overview.
#[derive(Debug, Clone, FromRow)]
pub struct BankCount {
    pub domain_code: String,
    pub kind: String,
    pub n: i64,
}

pub async fn bank_counts(pool: &PgPool, exam_id: ExamId) -> anyhow::Result<Vec<BankCount>> {
    sqlx::query_as(
        "SELECT o.domain_code, q.kind, count(*) AS n
         FROM questions q JOIN objectives o ON o.exam_id = q.exam_id AND o.code = q.objective_code
         WHERE q.exam_id = $1 AND NOT q.retired GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .bind(exam_id)
    .fetch_all(pool)
    .await
    .context("counting the bank's questions by domain and kind")
}

#[derive(Debug, Clone, FromRow)]
pub struct QuestionSummary {
    pub ext_id: String,
    pub objective_code: String,
    pub kind: String,
    pub versions: i64,
    pub retired: bool,
}

pub async fn question_summaries(
    pool: &PgPool,
    exam_id: ExamId,
) -> anyhow::Result<Vec<QuestionSummary>> {
    sqlx::query_as(
        "SELECT q.ext_id, q.objective_code, q.kind, q.retired,
                (SELECT count(*) FROM question_versions v WHERE v.question_id = q.id) AS versions
         FROM questions q WHERE q.exam_id = $1 ORDER BY q.retired, q.bank_position",
    )
    .bind(exam_id)
    .fetch_all(pool)
    .await
    .context("listing the bank's questions")
}

/// Scored items of every submitted full mock of an exam: the input of item analysis.
pub async fn submitted_marks(
    pool: &PgPool,
    exam_id: ExamId,
) -> anyhow::Result<Vec<(crate::types::AttemptId, String, i32, i32)>> {
    sqlx::query_as(
        // Each candidate's first submitted mock (anonymised ones all count): later attempts
        // are taken by candidates who have seen the questions.
        "WITH chosen AS (
             SELECT id FROM attempts
             WHERE exam_id = $1 AND mode = 'exam' AND status = 'submitted' AND user_id IS NULL
             UNION ALL
             (SELECT DISTINCT ON (user_id) id FROM attempts
              WHERE exam_id = $1 AND mode = 'exam' AND status = 'submitted' AND user_id IS NOT NULL
              ORDER BY user_id, started_at, id)
         )
         SELECT ai.attempt_id, q.ext_id, ai.points, ai.max_points
         FROM chosen
         JOIN attempt_items ai ON ai.attempt_id = chosen.id
         JOIN question_versions qv ON qv.id = ai.question_version_id
         JOIN questions q ON q.id = qv.question_id
         WHERE ai.points IS NOT NULL AND ai.max_points > 0",
    )
    .bind(exam_id)
    .fetch_all(pool)
    .await
    .context("loading the marks of submitted mocks")
}

#[derive(Debug, Clone, FromRow)]
pub struct QuestionDetail {
    pub ext_id: String,
    pub retired: bool,
    pub body: sqlx::types::Json<crate::domain::item::Item>,
    pub scenario: Option<sqlx::types::Json<crate::domain::item::Scenario>>,
}

/// The current version of a question, with its scenario, for the instructor's preview.
pub async fn question_detail(
    pool: &PgPool,
    exam_id: ExamId,
    ext_id: &str,
) -> anyhow::Result<Option<QuestionDetail>> {
    sqlx::query_as(
        "SELECT q.ext_id, q.retired, v.body, sv.content AS scenario
         FROM questions q JOIN question_versions v ON v.id = q.current_version_id
         LEFT JOIN scenario_versions sv ON sv.id = v.scenario_version_id
         WHERE q.exam_id = $1 AND q.ext_id = $2",
    )
    .bind(exam_id)
    .bind(ext_id)
    .fetch_optional(pool)
    .await
    .context("loading one question")
}

#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    pub version: i32,
    pub created_at: time::OffsetDateTime,
    pub shown: i64,
}

/// Every version of a question and how many attempts showed each.
pub async fn question_versions(
    pool: &PgPool,
    exam_id: ExamId,
    ext_id: &str,
) -> anyhow::Result<Vec<VersionRow>> {
    sqlx::query_as(
        "SELECT v.version, v.created_at,
                (SELECT count(*) FROM attempt_items ai WHERE ai.question_version_id = v.id) AS shown
         FROM question_versions v JOIN questions q ON q.id = v.question_id
         WHERE q.exam_id = $1 AND q.ext_id = $2 ORDER BY v.version DESC",
    )
    .bind(exam_id)
    .bind(ext_id)
    .fetch_all(pool)
    .await
    .context("listing a question's versions")
}

/// What candidates wrote about a question (any version), newest first, for its instructors.
pub async fn question_feedback(
    pool: &PgPool,
    exam_id: ExamId,
    ext_id: &str,
) -> anyhow::Result<Vec<(String, time::OffsetDateTime, i32)>> {
    sqlx::query_as(
        "SELECT f.body, f.updated_at, v.version
         FROM item_feedback f
         JOIN question_versions v ON v.id = f.question_version_id
         JOIN questions q ON q.id = v.question_id
         WHERE q.exam_id = $1 AND q.ext_id = $2
         ORDER BY f.updated_at DESC LIMIT 200",
    )
    .bind(exam_id)
    .bind(ext_id)
    .fetch_all(pool)
    .await
    .context("loading candidates' feedback on a question")
}
