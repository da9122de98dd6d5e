use crate::domain::blueprint::Blueprint;
use sqlx::{FromRow, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct ExamRow {
    pub id: Uuid,
    pub code: String,
    pub slug: String,
    pub title: String,
    pub duration_minutes: i32,
    pub question_count: i32,
    pub blueprint: sqlx::types::Json<Blueprint>,
}

pub async fn list(pool: &PgPool) -> sqlx::Result<Vec<ExamRow>> {
    sqlx::query_as(
        "SELECT id, code, slug, title, duration_minutes, question_count, blueprint FROM exams ORDER BY code",
    )
    .fetch_all(pool)
    .await
}

pub async fn by_slug(pool: &PgPool, slug: &str) -> sqlx::Result<Option<ExamRow>> {
    sqlx::query_as(
        "SELECT id, code, slug, title, duration_minutes, question_count, blueprint FROM exams WHERE slug = $1",
    )
    .bind(slug.to_lowercase())
    .fetch_optional(pool)
    .await
}

pub async fn by_id<'e>(db: impl sqlx::PgExecutor<'e>, id: Uuid) -> sqlx::Result<Option<ExamRow>> {
    sqlx::query_as(
        "SELECT id, code, slug, title, duration_minutes, question_count, blueprint FROM exams WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// Live (not retired) questions per exam, per domain and kind: for the authoring overview.
#[derive(Debug, Clone, FromRow)]
pub struct BankCount {
    pub domain_code: String,
    pub kind: String,
    pub n: i64,
}

pub async fn bank_counts(pool: &PgPool, exam_id: Uuid) -> sqlx::Result<Vec<BankCount>> {
    sqlx::query_as(
        "SELECT o.domain_code, q.kind, count(*) AS n
         FROM questions q JOIN objectives o ON o.exam_id = q.exam_id AND o.code = q.objective_code
         WHERE q.exam_id = $1 AND NOT q.retired GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .bind(exam_id)
    .fetch_all(pool)
    .await
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
    exam_id: Uuid,
) -> sqlx::Result<Vec<QuestionSummary>> {
    sqlx::query_as(
        "SELECT q.ext_id, q.objective_code, q.kind, q.retired,
                (SELECT count(*) FROM question_versions v WHERE v.question_id = q.id) AS versions
         FROM questions q WHERE q.exam_id = $1 ORDER BY q.retired, q.bank_position",
    )
    .bind(exam_id)
    .fetch_all(pool)
    .await
}

/// Scored items of every submitted full mock of an exam: the input of item analysis.
pub async fn submitted_marks(
    pool: &PgPool,
    exam_id: Uuid,
) -> sqlx::Result<Vec<(Uuid, String, i32, i32)>> {
    sqlx::query_as(
        "SELECT a.id, q.ext_id, ai.points, ai.max_points
         FROM attempts a
         JOIN attempt_items ai ON ai.attempt_id = a.id
         JOIN question_versions qv ON qv.id = ai.question_version_id
         JOIN questions q ON q.id = qv.question_id
         WHERE a.exam_id = $1 AND a.status = 'submitted' AND a.mode = 'exam'
           AND ai.points IS NOT NULL AND ai.max_points > 0",
    )
    .bind(exam_id)
    .fetch_all(pool)
    .await
}
