//! The review screen, the submit confirmation and submitting.

use super::result_url;
use super::views::{self, ReviewRow};
use crate::db;
use crate::db::users::User;
use crate::engine;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::types::AttemptId;
use crate::web::{render, CurrentUser, PageCtx};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "exam/review.html")]
struct ReviewPage {
    ctx: PageCtx,
    attempt_id: AttemptId,
    exam_code: String,
    remaining: Option<i64>,
    rows: Vec<ReviewRow>,
    answered: usize,
    unanswered: usize,
    flagged: usize,
    hidden_series: usize,
    confirm: bool,
    /// The filter: all, marked or unanswered.
    show: &'static str,
}

#[derive(serde::Deserialize, Default)]
pub(super) struct ReviewQuery {
    #[serde(default)]
    show: String,
}

/// Which rows a filter keeps; an unknown filter shows every question.
fn filter(show: &str) -> (&'static str, fn(&ReviewRow) -> bool) {
    match show {
        "marked" => ("marked", |r| r.flagged),
        "unanswered" => ("unanswered", |r| !r.answered),
        _ => ("all", |_| true),
    }
}

async fn review_or_confirm(
    state: &AppState,
    user: &User,
    id: AttemptId,
    (confirm, show): (bool, &str),
) -> Result<Response> {
    let db::attempts::Review { attempt: a, items } =
        engine::navigate::review(&state.db, id, user.id, state.config.grace_seconds)
            .await?
            .ok_or(AppError::NotFound)?;
    if !a.in_progress() {
        return Ok(Redirect::to(&result_url(id)).into_response());
    }
    let (rows, hidden_series) = views::review_rows(&items);
    let (show, keep) = filter(show);
    render(&ReviewPage {
        ctx: PageCtx::new(Some(user)),
        attempt_id: id,
        exam_code: a.exam_code.clone(),
        remaining: a.remaining(),
        answered: items.iter().filter(|i| i.answered()).count(),
        unanswered: items.iter().filter(|i| !i.answered()).count(),
        flagged: rows.iter().filter(|r| r.flagged).count(),
        rows: rows.into_iter().filter(keep).collect(),
        hidden_series,
        confirm,
        show,
    })
}

#[tracing::instrument(skip_all, fields(user = %user.id, attempt = %id))]
pub(super) async fn review_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<AttemptId>,
    Query(q): Query<ReviewQuery>,
) -> Result<Response> {
    review_or_confirm(&state, &user, id, (false, &q.show)).await
}

#[tracing::instrument(skip_all, fields(user = %user.id, attempt = %id))]
pub(super) async fn submit_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<AttemptId>,
) -> Result<Response> {
    review_or_confirm(&state, &user, id, (true, "all")).await
}

#[tracing::instrument(skip_all, fields(user = %user.id, attempt = %id))]
pub(super) async fn submit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<AttemptId>,
) -> Result<Response> {
    let a = engine::attempt::peek(&state.db, id, user.id)
        .await?
        .ok_or(crate::error::AppError::NotFound)?;
    engine::finalize::submit(&state.db, &a).await?;
    Ok(Redirect::to(&result_url(id)).into_response())
}
