//! Scoring and closing attempts: on submit, on a page or save after the deadline, and by the
//! background sweeper.

use crate::db;
use crate::db::attempts::AttemptRow;
use crate::domain::scoring;
use crate::types::{AttemptId, ExamId, Mode, SubmitReason};
use anyhow::Context;
use sqlx::PgPool;

/// Scores and closes an attempt with whatever was saved. Safe to call from several processes at
/// once: only the one holding the row lock finalises, the others see it submitted. True when this
/// call closed it.
#[tracing::instrument(skip(db), fields(attempt = %attempt_id), err)]
pub async fn finalize(
    db: &PgPool,
    attempt_id: AttemptId,
    reason: SubmitReason,
) -> anyhow::Result<bool> {
    let mut tx = db.begin().await.context("starting to finalise")?;
    let Some(exam_id) = db::attempts::lock_open(&mut tx, attempt_id).await? else {
        return Ok(false);
    };
    let mode = finalize_locked(&mut tx, attempt_id, exam_id, reason).await?;
    tx.commit()
        .await
        .context("committing a finalised attempt")?;
    after_closing(db, attempt_id, exam_id, mode, reason).await;
    Ok(true)
}

/// A quick check is scored on what it measured, once it is closed. If that fails the check
/// keeps its points-based score (logged; the candidate's answers are all stored).
async fn after_closing(
    db: &PgPool,
    attempt_id: AttemptId,
    exam_id: ExamId,
    mode: Mode,
    reason: SubmitReason,
) {
    if mode != Mode::Check {
        return;
    }
    if let Err(e) = super::check::measure_closed(db, attempt_id, exam_id, reason).await {
        tracing::error!(attempt = %attempt_id, error = %format!("{e:#}"), "cannot measure a closed check");
    }
}

/// The candidate pressed Submit (after the deadline it counts as expiry).
#[tracing::instrument(skip_all, fields(attempt = %a.id), err)]
pub async fn submit(db: &PgPool, a: &AttemptRow) -> anyhow::Result<()> {
    if a.in_progress() {
        let reason = if a.expired() {
            SubmitReason::Expired
        } else {
            SubmitReason::Candidate
        };
        finalize(db, a.id, reason).await?;
    }
    Ok(())
}

/// Scores and closes a locked attempt; returns its mode.
async fn finalize_locked(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    attempt_id: AttemptId,
    exam_id: ExamId,
    reason: SubmitReason,
) -> anyhow::Result<Mode> {
    let exam = db::exams::by_id(&mut **tx, exam_id)
        .await?
        .with_context(|| format!("exam {exam_id} of attempt {attempt_id} is gone"))?;
    let items = db::attempts::items(&mut **tx, attempt_id).await?;
    let mut scored = Vec::with_capacity(items.len());
    let (mut positions, mut points, mut max) = (vec![], vec![], vec![]);
    for it in &items {
        let body = &it.body.0.body;
        let s = match &it.response {
            Some(r) => scoring::score(body, &r.0),
            None => scoring::ItemScore {
                points: 0,
                max: scoring::max_points(body),
            },
        };
        positions.push(it.position);
        points.push(s.points as i32);
        max.push(s.max as i32);
        scored.push((it.domain_code.clone(), s));
    }
    let result = scoring::exam_score(&exam.blueprint, &scored);
    db::attempts::store_item_points(tx, attempt_id, &positions, &points, &max).await?;
    // Answered items not yet in the review schedule (checked practice items already are).
    let answers: Vec<_> = items
        .iter()
        .zip(points.iter().zip(&max))
        .filter(|(it, _)| it.answered() && !it.reviewed_into_schedule)
        .map(|(it, (p, m))| (it.question_id, p == m))
        .collect();
    let owner = db::attempts::owner(&mut **tx, attempt_id).await?;
    db::review::record(tx, owner.user_id, &answers).await?;
    db::attempts::mark_scheduled(tx, attempt_id).await?;
    db::timing::stop_viewing(&mut **tx, attempt_id).await?;
    db::attempts::store_result(tx, attempt_id, reason, &result).await?;
    metrics::counter!("mockexam_attempts_finalised_total", "reason" => reason.as_str())
        .increment(1);
    Ok(owner.mode)
}

/// Finalises every abandoned attempt whose time (and grace) ran out. Returns how many.
#[tracing::instrument(skip(db), err)]
pub async fn sweep(db: &PgPool, grace_seconds: i64) -> anyhow::Result<usize> {
    let mut total = 0;
    // Attempts that failed to finalise this run: logged and left for the next run, so one bad
    // row never blocks the others.
    let mut failed: Vec<AttemptId> = Vec::new();
    // Checks closed in a batch, measured once the batch is committed.
    let mut checks: Vec<(AttemptId, ExamId)> = Vec::new();
    loop {
        let mut tx = db.begin().await.context("starting a sweep")?;
        let ids = db::attempts::lock_expired(&mut tx, grace_seconds, 50, &failed).await?;
        if ids.is_empty() {
            return Ok(total);
        }
        for id in &ids {
            let mut one = sqlx::Connection::begin(&mut *tx)
                .await
                .context("starting to finalise one expired attempt")?;
            let owner = db::attempts::owner(&mut *one, *id).await?;
            match finalize_locked(&mut one, *id, owner.exam_id, SubmitReason::Swept).await {
                Ok(mode) => {
                    one.commit().await.context("committing a swept attempt")?;
                    total += 1;
                    if mode == Mode::Check {
                        checks.push((*id, owner.exam_id));
                    }
                }
                Err(e) => {
                    one.rollback()
                        .await
                        .context("rolling back a failed sweep")?;
                    tracing::error!(attempt = %id, error = %format!("{e:#}"), "cannot finalise expired attempt");
                    failed.push(*id);
                }
            }
        }
        tx.commit().await.context("committing a sweep")?;
        for (id, exam_id) in checks.drain(..) {
            after_closing(db, id, exam_id, Mode::Check, SubmitReason::Swept).await;
        }
    }
}
