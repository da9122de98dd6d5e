//! The score report of a submitted attempt.

use super::attempt;
use super::views::{self, DomainBar, ResultItem};
use crate::db;
use crate::db::attempts::{AttemptRow, ItemRow};
use crate::domain::blueprint::Blueprint;
use crate::engine::check::{Ending, Measurement};
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::types::{AttemptId, SubmitReason};
use crate::types::{Mode, QuestionId};
use crate::web::{format, render, CurrentUser, PageCtx};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "exam/result.html")]
struct ResultPage {
    ctx: PageCtx,
    exam_code: String,
    exam_slug: String,
    practice: bool,
    scaled: i32,
    passed: bool,
    points: i32,
    max: i32,
    percent: f64,
    cut_percent: f64,
    time_used: String,
    /// `None` for untimed practice.
    time_allowed: Option<String>,
    /// Questions of a practice set left out of every figure (they are in a mock in progress).
    left_out: usize,
    reason: &'static str,
    bars: Vec<DomainBar>,
    items: Vec<ResultItem>,
    attempt_id: crate::types::AttemptId,
    /// The real exam was open book (noted on the report).
    learn_access: bool,
    breaks_taken: i32,
    /// The question whose problem report was just stored.
    feedback_saved: Option<i32>,
    /// A quick check that finished by its own rule: what it measured.
    check: Option<CheckView>,
    /// A quick check, finished or closed by its deadline.
    is_check: bool,
}

/// A quick check's measurement as the report words it.
struct CheckView {
    questions: usize,
    low: Option<u32>,
    high: Option<u32>,
    /// Chance of passing a fresh form, in percent.
    chance: Option<u32>,
    /// Why it stopped and how precise it was, in a sentence.
    stopped: String,
}

impl CheckView {
    fn of(m: &Measurement) -> CheckView {
        let precision = m.precision_percent();
        let stopped = match m.ended {
            _ if m.as_precise_as_a_mock() => {
                "The check stopped once it had measured you as precisely as a full mock would."
                    .to_string()
            }
            Ending::Precision | Ending::Limit => format!(
                "The check stopped at its {}-question limit, having measured you about {precision} % as precisely as a full mock; the range above allows for the rest.",
                m.max_items
            ),
            Ending::Candidate => format!(
                "You ended the check there, when it had measured you about {precision} % as precisely as a full mock; the range above allows for the rest."
            ),
            Ending::Time => format!(
                "Time ran out there, when the check had measured you about {precision} % as precisely as a full mock; the range above allows for the rest."
            ),
        };
        CheckView {
            questions: m.items,
            low: m.low,
            high: m.high,
            chance: m
                .chance
                .map(|c| (c * 100.0).round().clamp(0.0, 100.0) as u32),
            stopped,
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub(super) struct ResultQuery {
    #[serde(default)]
    feedback: Option<i32>,
}

fn reason(r: Option<SubmitReason>) -> &'static str {
    match r {
        Some(SubmitReason::Candidate) => "You submitted this attempt.",
        Some(SubmitReason::Expired | SubmitReason::Swept) => {
            "Time ran out; the attempt was scored with every answer saved before the deadline."
        }
        None => "",
    }
}

#[tracing::instrument(skip_all, fields(user = %user.id, attempt = %id))]
pub(super) async fn result_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<AttemptId>,
    Query(q): Query<ResultQuery>,
) -> Result<Response> {
    let a = attempt(&state, id, user.id).await?;
    if a.in_progress() {
        return Ok(Redirect::to(&format!("/attempts/{id}/review")).into_response());
    }
    let (exam, items, open_mock, feedback) = tokio::try_join!(
        db::exams::by_id(&state.db, a.exam_id),
        db::attempts::items_cached(&state.db, id),
        db::attempts::open_mock_questions(&state.db, user.id),
        db::attempts::feedback_of(&state.db, id),
    )?;
    let exam = exam.ok_or(AppError::NotFound)?;
    let bp = &exam.blueprint;
    let (time_used, time_allowed) = durations(&a);
    let mut score = Score::of_attempt(&a);
    if a.is_practice() {
        score = Score::of_practice(bp, &items, &open_mock);
    }
    render(&ResultPage {
        ctx: PageCtx::new(Some(&user)),
        exam_code: a.exam_code.clone(),
        exam_slug: a.exam_slug.clone(),
        practice: a.is_practice(),
        scaled: score.scaled,
        passed: score.passed,
        points: score.points,
        max: score.max,
        percent: score.percent(),
        cut_percent: bp.cut_percent,
        time_used,
        time_allowed,
        left_out: score.left_out,
        reason: reason(a.submit_reason),
        bars: score.bars,
        items: views::with_feedback(views::result_items(bp, &items, &open_mock), feedback),
        attempt_id: id,
        learn_access: a.learn_access && !a.is_practice(),
        breaks_taken: a.breaks_taken,
        feedback_saved: q.feedback,
        check: Measurement::of(&a).as_ref().map(CheckView::of),
        is_check: a.mode == Mode::Check,
    })
}

/// Time used, and time allowed (`None` for untimed practice), in words.
fn durations(a: &AttemptRow) -> (String, Option<String>) {
    let used = a
        .submitted_at
        .map_or(0, |s| (s - a.started_at).whole_seconds());
    let allowed = a.deadline_at.map(|d| (d - a.started_at).whole_seconds());
    (format::duration(used), allowed.map(format::duration))
}

/// The figures at the top of a report.
struct Score {
    scaled: i32,
    passed: bool,
    points: i32,
    max: i32,
    bars: Vec<DomainBar>,
    left_out: usize,
}

impl Score {
    /// A mock's figures as scored when it closed.
    fn of_attempt(a: &AttemptRow) -> Score {
        Score {
            scaled: a.scaled_score.unwrap_or(0),
            passed: a.passed.unwrap_or(false),
            points: a.points.unwrap_or(0),
            max: a.max_points.unwrap_or(0),
            bars: views::domain_bars(a),
            left_out: 0,
        }
    }

    /// A practice set's figures without the questions of a mock in progress.
    fn of_practice(bp: &Blueprint, items: &[ItemRow], open_mock: &[QuestionId]) -> Score {
        let (points, max, bars, left_out) = views::practice_totals(bp, items, open_mock);
        let fraction = if max > 0 {
            points as f64 / max as f64
        } else {
            0.0
        };
        let scaled = bp.scaled_score(fraction);
        Score {
            scaled: scaled as i32,
            passed: bp.passes(scaled),
            points,
            max,
            bars,
            left_out,
        }
    }

    fn percent(&self) -> f64 {
        if self.max > 0 {
            100.0 * self.points as f64 / self.max as f64
        } else {
            0.0
        }
    }
}
