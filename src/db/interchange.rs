//! Uploaded import files kept between the dry run and its confirmation (`import_uploads`).

use crate::types::{ExamId, UserId};
use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StagedUpload {
    pub id: Uuid,
    pub format: String,
    pub file_name: String,
    pub content: Vec<u8>,
    pub default_objective: Option<String>,
    pub applied_at: Option<time::OffsetDateTime>,
    pub applied_summary: Option<String>,
}

/// Keeps an upload; uploads older than a day (applied or not) are cleared at the same time.
pub async fn stage(
    pool: &PgPool,
    exam: ExamId,
    user: UserId,
    format: &str,
    file_name: &str,
    content: &[u8],
    default_objective: Option<&str>,
) -> anyhow::Result<Uuid> {
    sqlx::query("DELETE FROM import_uploads WHERE created_at < now() - interval '1 day'")
        .execute(pool)
        .await
        .context("clearing old import uploads")?;
    sqlx::query_scalar(
        "INSERT INTO import_uploads (exam_id, user_id, format, file_name, content, default_objective)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(exam)
    .bind(user)
    .bind(format)
    .bind(file_name)
    .bind(content)
    .bind(default_objective)
    .fetch_one(pool)
    .await
    .context("keeping an import upload")
}

/// The upload, when it is this user's and for this exam.
pub async fn find(
    pool: &PgPool,
    exam: ExamId,
    user: UserId,
    id: Uuid,
) -> anyhow::Result<Option<StagedUpload>> {
    sqlx::query_as(
        "SELECT id, format, file_name, content, default_objective, applied_at, applied_summary
         FROM import_uploads WHERE id = $1 AND exam_id = $2 AND user_id = $3",
    )
    .bind(id)
    .bind(exam)
    .bind(user)
    .fetch_optional(pool)
    .await
    .context("reading an import upload")
}

/// Claims the upload for applying; false when it was applied already (or is being applied).
pub async fn claim(pool: &PgPool, id: Uuid) -> anyhow::Result<bool> {
    let r = sqlx::query(
        "UPDATE import_uploads SET applied_at = now() WHERE id = $1 AND applied_at IS NULL",
    )
    .bind(id)
    .execute(pool)
    .await
    .context("claiming an import upload")?;
    Ok(r.rows_affected() == 1)
}

/// Records what the import did, or releases the claim when it failed (`None`).
pub async fn finish(pool: &PgPool, id: Uuid, summary: Option<&str>) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE import_uploads SET applied_summary = $2,
             applied_at = CASE WHEN $2::text IS NULL THEN NULL ELSE applied_at END
         WHERE id = $1",
    )
    .bind(id)
    .bind(summary)
    .execute(pool)
    .await
    .context("recording an import's outcome")?;
    Ok(())
}
