//! Loading an attempt under the deadline rule.

use crate::db;
use crate::db::attempts::AttemptRow;
use crate::types::{AttemptId, SubmitReason, UserId};
use anyhow::Context;
use sqlx::PgPool;

/// The candidate's own attempt (`None` for anyone else's), closed first when its deadline and
/// grace have both passed. Within the grace the attempt stays open so answers in flight land.
#[tracing::instrument(skip_all, fields(user = %user, attempt = %id), err)]
pub async fn load(
    db: &PgPool,
    id: AttemptId,
    user: UserId,
    grace_seconds: i64,
) -> anyhow::Result<Option<AttemptRow>> {
    let Some(a) = db::attempts::get_for_user(db, id, user).await? else {
        return Ok(None);
    };
    if a.in_progress() && a.past_grace(grace_seconds) {
        super::finalize(db, a.id, SubmitReason::Expired)
            .await
            .context("closing an attempt whose time ran out")?;
        return db::attempts::get_for_user(db, id, user).await;
    }
    Ok(Some(a))
}

/// The attempt without the deadline check: for a save, which applies the deadline itself in the
/// same statement as its write.
#[tracing::instrument(skip_all, fields(user = %user, attempt = %id), err)]
pub async fn peek(db: &PgPool, id: AttemptId, user: UserId) -> anyhow::Result<Option<AttemptRow>> {
    db::attempts::get_for_user(db, id, user).await
}

/// The attempt with its navigation and item `position`, in one statement and without the
/// deadline check: for a save, which applies the deadline itself in its write.
#[tracing::instrument(skip_all, fields(user = %user, attempt = %id, position), err)]
pub async fn peek_item(
    db: &PgPool,
    id: AttemptId,
    user: UserId,
    position: i32,
) -> anyhow::Result<Option<db::attempts::Screen>> {
    db::attempts::screen(db, id, user, position).await
}

/// Discards a full mock started by mistake: it is deleted with its answers and counts nowhere
/// (not in readiness, reviews, item statistics or the list of attempts). Only a mock still in
/// progress can be discarded; false otherwise.
#[tracing::instrument(skip_all, fields(user = %user, attempt = %id), err)]
pub async fn discard(db: &PgPool, id: AttemptId, user: UserId) -> anyhow::Result<bool> {
    db::attempts::delete_open_mock(db, id, user).await
}

/// Why a break was not taken, or how many questions it closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakOutcome {
    Taken {
        closed: u64,
    },
    /// The exam offers no breaks, or this is a practice set or a closed attempt.
    NotOffered,
    /// As on the real exam, there is no break inside a problem–solution set.
    InsideSeries,
}

/// A break during a mock: the clock keeps running, and every question seen so far closes (as on
/// the real exam since 2022), including an open case study.
#[tracing::instrument(skip_all, fields(attempt = %a.id, position), err)]
pub async fn take_break(
    db: &PgPool,
    a: &AttemptRow,
    position: i32,
) -> anyhow::Result<BreakOutcome> {
    if !a.breaks_offered || a.is_practice() || !a.in_progress() {
        return Ok(BreakOutcome::NotOffered);
    }
    let in_series = db::attempts::item(db, a.id, position)
        .await?
        .is_some_and(|i| {
            i.section_kind == crate::domain::assembly::SectionKind::Series && !i.locked
        });
    if in_series {
        return Ok(BreakOutcome::InsideSeries);
    }
    let closed = db::attempts::take_break(db, a.id).await?;
    db::timing::stop_viewing(db, a.id).await?;
    Ok(BreakOutcome::Taken { closed })
}

/// What became of feedback left on a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedbackOutcome {
    Stored,
    Empty,
    TooLong,
    Missing,
}

pub const FEEDBACK_MAX_CHARS: usize = 2000;

/// Stores the candidate's comment on a question of their attempt (during the exam or from the
/// score report); instructors read it with the question.
#[tracing::instrument(skip_all, fields(user = %user, attempt = %id, position), err)]
pub async fn leave_feedback(
    db: &PgPool,
    id: AttemptId,
    user: UserId,
    position: i32,
    text: &str,
) -> anyhow::Result<FeedbackOutcome> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(FeedbackOutcome::Empty);
    }
    if text.chars().count() > FEEDBACK_MAX_CHARS {
        return Ok(FeedbackOutcome::TooLong);
    }
    Ok(
        match db::attempts::store_feedback(db, id, user, position, text).await? {
            true => FeedbackOutcome::Stored,
            false => FeedbackOutcome::Missing,
        },
    )
}
