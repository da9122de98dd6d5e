//! The score report of a submitted attempt.

use super::attempt;
use super::views::{self, DomainBar, ResultItem};
use crate::db;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::types::{AttemptId, SubmitReason};
use crate::web::{format, render, CurrentUser, PageCtx};
use askama::Template;
use axum::extract::{Path, State};
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
    time_allowed: String,
    reason: &'static str,
    bars: Vec<DomainBar>,
    items: Vec<ResultItem>,
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
) -> Result<Response> {
    let a = attempt(&state, id, user.id).await?;
    if a.in_progress() {
        return Ok(Redirect::to(&format!("/attempts/{id}/review")).into_response());
    }
    let (exam, items, open_mock) = tokio::try_join!(
        db::exams::by_id(&state.db, a.exam_id),
        db::attempts::items(&state.db, id),
        db::attempts::open_mock_questions(&state.db, user.id),
    )?;
    let exam = exam.ok_or(AppError::NotFound)?;
    let used = a
        .submitted_at
        .map_or(0, |s| (s - a.started_at).whole_seconds());
    let allowed = a.deadline_at.map(|d| (d - a.started_at).whole_seconds());
    let (points, max) = (a.points.unwrap_or(0), a.max_points.unwrap_or(0));
    render(&ResultPage {
        ctx: PageCtx::new(Some(&user)),
        exam_code: a.exam_code.clone(),
        exam_slug: a.exam_slug.clone(),
        practice: a.is_practice(),
        scaled: a.scaled_score.unwrap_or(0),
        passed: a.passed.unwrap_or(false),
        points,
        max,
        percent: if max > 0 {
            100.0 * points as f64 / max as f64
        } else {
            0.0
        },
        cut_percent: exam.blueprint.cut_percent,
        time_used: format::duration(used),
        time_allowed: allowed.map_or_else(|| "untimed".into(), format::duration),
        reason: reason(a.submit_reason),
        bars: views::domain_bars(&a),
        items: views::result_items(&exam.blueprint, &items, &open_mock),
    })
}
