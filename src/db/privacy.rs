//! A candidate's data: everything the export contains, and deleting an account.

use crate::types::UserId;
use anyhow::Context;
use sqlx::{PgPool, Postgres, Transaction};

/// The sections of the export: a name and a query over `$1` (the user's id) whose rows become
/// JSON objects. A new table holding personal data adds one line here, e.g.
/// `("cohort_memberships", "SELECT c.name AS cohort, m.joined_at FROM cohort_members m JOIN cohorts c ON c.id = m.cohort_id WHERE m.user_id = $1")`.
pub const EXPORT_SECTIONS: &[(&str, &str)] = &[
    (
        "sessions",
        "SELECT created_at, last_seen_at, expires_at, user_agent, ip FROM sessions
         WHERE user_id = $1 ORDER BY created_at",
    ),
    (
        "trusted_browsers",
        "SELECT created_at, last_used_at FROM trusted_devices WHERE user_id = $1 ORDER BY created_at",
    ),
    (
        "mocks",
        "SELECT a.id, e.code AS exam, a.title, a.status, a.started_at, a.deadline_at,
                a.submitted_at, a.submit_reason, a.points, a.max_points, a.scaled_score, a.passed,
                a.domain_scores, (SELECT jsonb_agg(jsonb_build_object(
                    'position', ai.position, 'question', q.ext_id, 'version', qv.version,
                    'response', ai.response, 'flagged', ai.flagged,
                    'first_viewed_at', ai.first_viewed_at, 'answered_at', ai.answered_at,
                    'points', ai.points, 'max_points', ai.max_points) ORDER BY ai.position)
                 FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
                 JOIN questions q ON q.id = qv.question_id WHERE ai.attempt_id = a.id) AS answers
         FROM attempts a JOIN exams e ON e.id = a.exam_id
         WHERE a.user_id = $1 AND a.mode = 'exam' ORDER BY a.started_at",
    ),
    (
        "practice_sets",
        "SELECT a.id, e.code AS exam, a.title, a.status, a.started_at, a.submitted_at,
                a.points, a.max_points, a.settings, (SELECT jsonb_agg(jsonb_build_object(
                    'position', ai.position, 'question', q.ext_id, 'version', qv.version,
                    'response', ai.response, 'checked', ai.checked,
                    'answered_at', ai.answered_at, 'points', ai.points,
                    'max_points', ai.max_points) ORDER BY ai.position)
                 FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
                 JOIN questions q ON q.id = qv.question_id WHERE ai.attempt_id = a.id) AS answers
         FROM attempts a JOIN exams e ON e.id = a.exam_id
         WHERE a.user_id = $1 AND a.mode = 'practice' ORDER BY a.started_at",
    ),
    (
        "review_schedule",
        "SELECT e.code AS exam, q.ext_id AS question, r.box, r.due_at, r.last_reviewed_at
         FROM review_schedule r JOIN questions q ON q.id = r.question_id
         JOIN exams e ON e.id = q.exam_id WHERE r.user_id = $1 ORDER BY e.code, q.ext_id",
    ),
    (
        "readiness_history",
        "SELECT e.code AS exam, a.submitted_at, a.scaled_score, a.passed
         FROM attempts a JOIN exams e ON e.id = a.exam_id
         WHERE a.user_id = $1 AND a.mode = 'exam' AND a.status = 'submitted'
         ORDER BY e.code, a.submitted_at",
    ),
    (
        "exam_targets",
        "SELECT e.code AS exam, t.target_date FROM exam_targets t JOIN exams e ON e.id = t.exam_id
         WHERE t.user_id = $1 ORDER BY e.code",
    ),
    (
        "account_events",
        "SELECT at, action, detail FROM audit_log WHERE target_id = $1 ORDER BY at",
    ),
];

/// The profile object of the export.
pub async fn profile(pool: &PgPool, user_id: UserId) -> anyhow::Result<serde_json::Value> {
    sqlx::query_scalar(
        "SELECT jsonb_build_object('id', id, 'email', email, 'display_name', display_name,
                'role', role, 'created_at', created_at, 'email_verified_at', email_verified_at)
         FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_one(pool)
    .await
    .context("exporting the profile")
}

/// The rows of one export section as JSON objects.
pub async fn section(
    pool: &PgPool,
    sql: &str,
    user_id: UserId,
) -> anyhow::Result<serde_json::Value> {
    sqlx::query_scalar(&format!(
        "SELECT COALESCE(jsonb_agg(to_jsonb(t)), '[]'::jsonb) FROM ({sql}) t"
    ))
    .bind(user_id)
    .fetch_one(pool)
    .await
    .context("exporting a section of the candidate's data")
}

/// Deletes an account. Submitted full mocks stay as anonymous rows for item statistics: no
/// owner, times coarsened to the month, per-item times removed. Everything else of the account
/// goes: practice sets, unfinished mocks, the review schedule, targets, sessions, browsers,
/// links, failed sign-ins and counted requests (through the foreign keys or here). The audit log
/// keeps its entries (the admin's record) with the account's id cleared.
pub async fn delete_account(
    tx: &mut Transaction<'_, Postgres>,
    user_id: UserId,
) -> anyhow::Result<()> {
    sqlx::query(
        "WITH anon AS (
             UPDATE attempts SET user_id = NULL,
                    started_at = date_trunc('month', started_at),
                    deadline_at = date_trunc('month', deadline_at),
                    submitted_at = date_trunc('month', submitted_at),
                    title = ''
             WHERE user_id = $1 AND mode = 'exam' AND status = 'submitted'
             RETURNING id)
         UPDATE attempt_items SET first_viewed_at = NULL, answered_at = NULL, seconds_on_item = NULL
         WHERE attempt_id IN (SELECT id FROM anon)",
    )
    .bind(user_id)
    .execute(&mut **tx)
    .await
    .context("anonymising the account's submitted mocks")?;
    let email: Option<String> =
        sqlx::query_scalar("DELETE FROM users WHERE id = $1 RETURNING email")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await
            .context("deleting the account")?;
    if let Some(email) = email {
        sqlx::query("DELETE FROM login_failures WHERE email = $1")
            .bind(&email)
            .execute(&mut **tx)
            .await
            .context("deleting the account's failed sign-ins")?;
        sqlx::query("DELETE FROM rate_events WHERE key = $1")
            .bind(&email)
            .execute(&mut **tx)
            .await
            .context("deleting the account's counted requests")?;
    }
    Ok(())
}
