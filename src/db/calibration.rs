//! Item calibrations: the responses they are fitted from, the stored parameters per question
//! version, and the lock that lets one app process at a time refresh an exam.

use crate::domain::item::Item;
use crate::types::{AttemptId, ExamId, QuestionId, UserId};
use anyhow::Context;
use sqlx::types::Json;
use sqlx::{FromRow, PgPool, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

/// Takes the exam's calibration lock for this transaction; false when another process holds it.
pub async fn try_lock(tx: &mut Transaction<'_, Postgres>, exam_id: ExamId) -> anyhow::Result<bool> {
    sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(7215, hashtext($1::text))")
        .bind(exam_id.0.to_string())
        .fetch_one(&mut **tx)
        .await
        .context("taking the calibration lock")
}

pub async fn exam_ids(pool: &PgPool) -> anyhow::Result<Vec<ExamId>> {
    sqlx::query_scalar("SELECT id FROM exams ORDER BY code")
        .fetch_all(pool)
        .await
        .context("listing exams to calibrate")
}

/// Scored responses of the exam now, and the count the last calibration used (if any).
/// The last fit of an exam: responses it used, seconds since.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LastFit {
    pub responses: i64,
    pub age_seconds: f64,
}

/// The exam's last fit, if any: the responses it used and its age.
pub async fn last_fit(
    tx: &mut Transaction<'_, Postgres>,
    exam_id: ExamId,
) -> anyhow::Result<Option<LastFit>> {
    let row: Option<(i64, f64)> = sqlx::query_as(
        "SELECT responses, EXTRACT(EPOCH FROM now() - fitted_at)::float8
         FROM calibration_runs WHERE exam_id = $1",
    )
    .bind(exam_id)
    .fetch_optional(&mut **tx)
    .await
    .context("reading the exam's last calibration")?;
    Ok(row.map(|(responses, age_seconds)| LastFit {
        responses,
        age_seconds,
    }))
}

/// Scored responses to the exam's questions (what a fit would read).
pub async fn response_count(
    tx: &mut Transaction<'_, Postgres>,
    exam_id: ExamId,
) -> anyhow::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM attempts a JOIN attempt_items ai ON ai.attempt_id = a.id
         WHERE a.exam_id = $1 AND ai.points IS NOT NULL AND ai.max_points > 0",
    )
    .bind(exam_id)
    .fetch_one(&mut **tx)
    .await
    .context("counting responses for calibration")
}

/// One scored response, in the order calibration reads them: by candidate, then time.
#[derive(Debug, Clone, FromRow)]
pub struct ResponseRow {
    pub user_id: UserId,
    pub attempt_id: AttemptId,
    pub question_id: QuestionId,
    pub version_id: Uuid,
    pub points: i32,
}

pub async fn responses(
    tx: &mut Transaction<'_, Postgres>,
    exam_id: ExamId,
) -> anyhow::Result<Vec<ResponseRow>> {
    sqlx::query_as(
        "SELECT a.user_id, a.id AS attempt_id, qv.question_id, qv.id AS version_id, ai.points
         FROM attempts a
         JOIN attempt_items ai ON ai.attempt_id = a.id
         JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE a.exam_id = $1 AND ai.points IS NOT NULL AND ai.max_points > 0
           AND ((a.mode IN ('exam', 'check') AND a.status = 'submitted')
                OR (a.mode = 'practice' AND ai.answered_at IS NOT NULL))
         ORDER BY a.user_id, a.started_at, a.id, ai.position",
    )
    .bind(exam_id)
    .fetch_all(&mut **tx)
    .await
    .context("loading responses for calibration")
}

/// Every version of every question of the exam, with what a prior needs.
#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    pub version_id: Uuid,
    pub question_id: QuestionId,
    pub kind: String,
    pub objective_code: String,
    pub domain_code: String,
    pub body: Json<Item>,
    /// The current version of a question still in the bank.
    pub live: bool,
    /// Not part of a case study or series.
    pub standalone: bool,
}

pub async fn versions<'e>(
    db: impl sqlx::PgExecutor<'e>,
    exam_id: ExamId,
) -> anyhow::Result<Vec<VersionRow>> {
    sqlx::query_as(
        "SELECT v.id AS version_id, q.id AS question_id, q.kind, q.objective_code,
                COALESCE(o.domain_code, '') AS domain_code, v.body,
                (q.current_version_id = v.id AND NOT q.retired AND q.status = 'published') AS live,
                (q.scenario_id IS NULL) AS standalone
         FROM questions q
         JOIN question_versions v ON v.question_id = q.id
         LEFT JOIN objectives o ON o.exam_id = q.exam_id AND o.code = q.objective_code
         WHERE q.exam_id = $1
         ORDER BY q.bank_position, v.version",
    )
    .bind(exam_id)
    .fetch_all(db)
    .await
    .context("loading question versions for calibration")
}

/// The retest offset the exam's last calibration estimated, with its standard error, if it had
/// enough repeated answers.
pub async fn retest<'e>(
    db: impl sqlx::PgExecutor<'e>,
    exam_id: ExamId,
) -> anyhow::Result<Option<(f64, Option<f64>)>> {
    let row: Option<(Option<f64>, Option<f64>)> =
        sqlx::query_as("SELECT retest_offset, retest_se FROM calibration_runs WHERE exam_id = $1")
            .bind(exam_id)
            .fetch_optional(db)
            .await
            .context("reading the exam's retest offset")?;
    Ok(row.and_then(|(offset, se)| offset.map(|o| (o, se))))
}

/// Stored parameters of one question version.
#[derive(Debug, Clone, FromRow)]
pub struct CalibrationRow {
    pub question_version_id: Uuid,
    pub a: f64,
    pub b: f64,
    pub steps: Vec<f64>,
    pub se_a: Option<f64>,
    pub se_b: Option<f64>,
    pub rasch_b: Option<f64>,
    pub rasch_se_b: Option<f64>,
    pub responses: i32,
    pub source: String,
    pub fitted_at: OffsetDateTime,
}

pub async fn load<'e>(
    db: impl sqlx::PgExecutor<'e>,
    exam_id: ExamId,
) -> anyhow::Result<Vec<CalibrationRow>> {
    sqlx::query_as(
        "SELECT question_version_id, a, b, steps, se_a, se_b, rasch_b, rasch_se_b, responses,
                source, fitted_at
         FROM item_calibrations WHERE exam_id = $1",
    )
    .bind(exam_id)
    .fetch_all(db)
    .await
    .context("loading item calibrations")
}

/// The calibrations of one question's versions, newest version first.
pub async fn for_question(
    pool: &PgPool,
    exam_id: ExamId,
    ext_id: &str,
) -> anyhow::Result<Vec<(i32, CalibrationRow)>> {
    let rows: Vec<(i32, Uuid)> = sqlx::query_as(
        "SELECT v.version, v.id FROM questions q JOIN question_versions v ON v.question_id = q.id
         WHERE q.exam_id = $1 AND q.ext_id = $2 ORDER BY v.version DESC",
    )
    .bind(exam_id)
    .bind(ext_id)
    .fetch_all(pool)
    .await
    .context("listing a question's versions for its calibration")?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.1).collect();
    let cals: Vec<CalibrationRow> = sqlx::query_as(
        "SELECT question_version_id, a, b, steps, se_a, se_b, rasch_b, rasch_se_b, responses,
                source, fitted_at
         FROM item_calibrations WHERE question_version_id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await
    .context("loading a question's calibrations")?;
    Ok(rows
        .into_iter()
        .filter_map(|(v, id)| {
            cals.iter()
                .find(|c| c.question_version_id == id)
                .map(|c| (v, c.clone()))
        })
        .collect())
}

/// One calibration to store.
pub struct NewCalibration {
    pub version_id: Uuid,
    pub a: f64,
    pub steps: Vec<f64>,
    pub se_a: Option<f64>,
    pub se_b: Option<f64>,
    pub rasch_b: Option<f64>,
    pub rasch_se_b: Option<f64>,
    pub responses: i32,
    pub source: &'static str,
}

/// What one calibration run used and found, besides the questions' parameters.
#[derive(Debug, Clone, Copy)]
pub struct NewRun {
    pub responses: i64,
    pub patterns: i64,
    pub iterations: i32,
    pub converged: bool,
    /// The retest offset and its standard error, when there were enough repeated answers.
    pub retest: Option<(f64, f64)>,
}

/// Replaces the exam's calibrations and records the run.
pub async fn store(
    tx: &mut Transaction<'_, Postgres>,
    exam_id: ExamId,
    rows: &[NewCalibration],
    run: NewRun,
) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM item_calibrations WHERE exam_id = $1")
        .bind(exam_id)
        .execute(&mut **tx)
        .await
        .context("clearing old calibrations")?;
    for r in rows {
        let b = r.steps.iter().sum::<f64>() / r.steps.len().max(1) as f64;
        sqlx::query(
            "INSERT INTO item_calibrations (question_version_id, exam_id, a, b, steps, se_a, se_b,
                 rasch_b, rasch_se_b, responses, source)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(r.version_id)
        .bind(exam_id)
        .bind(r.a)
        .bind(b)
        .bind(&r.steps)
        .bind(r.se_a)
        .bind(r.se_b)
        .bind(r.rasch_b)
        .bind(r.rasch_se_b)
        .bind(r.responses)
        .bind(r.source)
        .execute(&mut **tx)
        .await
        .context("storing an item calibration")?;
    }
    sqlx::query(
        "INSERT INTO calibration_runs (exam_id, responses, patterns, iterations, converged,
                                       retest_offset, retest_se)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (exam_id) DO UPDATE SET responses = EXCLUDED.responses,
             patterns = EXCLUDED.patterns, iterations = EXCLUDED.iterations,
             converged = EXCLUDED.converged, retest_offset = EXCLUDED.retest_offset,
             retest_se = EXCLUDED.retest_se, fitted_at = now()",
    )
    .bind(exam_id)
    .bind(run.responses)
    .bind(run.patterns)
    .bind(run.iterations)
    .bind(run.converged)
    .bind(run.retest.map(|r| r.0))
    .bind(run.retest.map(|r| r.1).filter(|se| se.is_finite()))
    .execute(&mut **tx)
    .await
    .context("recording the calibration run")?;
    Ok(())
}

/// How many of the last `limit` checks of the exam showed each question (for exposure
/// control), and how many checks that was.
pub async fn check_exposure(
    pool: &PgPool,
    exam_id: ExamId,
    limit: i64,
) -> anyhow::Result<(Vec<(QuestionId, i64)>, i64)> {
    let checks: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT 1 FROM attempts WHERE exam_id = $1 AND mode = 'check'
                                ORDER BY started_at DESC LIMIT $2) c",
    )
    .bind(exam_id)
    .bind(limit)
    .fetch_one(pool)
    .await
    .context("counting recent checks")?;
    let shown: Vec<(QuestionId, i64)> = sqlx::query_as(
        "SELECT qv.question_id, count(*) FROM
             (SELECT id FROM attempts WHERE exam_id = $1 AND mode = 'check'
              ORDER BY started_at DESC LIMIT $2) c
         JOIN attempt_items ai ON ai.attempt_id = c.id
         JOIN question_versions qv ON qv.id = ai.question_version_id
         GROUP BY qv.question_id",
    )
    .bind(exam_id)
    .bind(limit)
    .fetch_all(pool)
    .await
    .context("counting how often questions were shown in checks")?;
    Ok((shown, checks))
}
