//! The review screen, the submit confirmation and submitting.

use super::views::{self, ReviewRow};
use super::{attempt, result_url};
use crate::db;
use crate::db::users::User;
use crate::engine;
use crate::error::Result;
use crate::state::AppState;
use crate::types::AttemptId;
use crate::web::{render, CurrentUser, PageCtx};
use askama::Template;
use axum::extract::{Path, State};
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
}

async fn review_or_confirm(
    state: &AppState,
    user: &User,
    id: AttemptId,
    confirm: bool,
) -> Result<Response> {
    let a = attempt(state, id, user.id).await?;
    if !a.in_progress() {
        return Ok(Redirect::to(&result_url(id)).into_response());
    }
    engine::navigate::open_review(&state.db, &a).await?;
    let items = db::attempts::items(&state.db, id).await?;
    let (rows, hidden_series) = views::review_rows(&items);
    render(&ReviewPage {
        ctx: PageCtx::new(Some(user)),
        attempt_id: id,
        exam_code: a.exam_code.clone(),
        remaining: a.remaining(),
        answered: items.iter().filter(|i| i.answered()).count(),
        unanswered: items.iter().filter(|i| !i.answered()).count(),
        flagged: rows.iter().filter(|r| r.flagged).count(),
        rows,
        hidden_series,
        confirm,
    })
}

#[tracing::instrument(skip_all, fields(user = %user.id, attempt = %id))]
pub(super) async fn review_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<AttemptId>,
) -> Result<Response> {
    review_or_confirm(&state, &user, id, false).await
}

#[tracing::instrument(skip_all, fields(user = %user.id, attempt = %id))]
pub(super) async fn submit_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<AttemptId>,
) -> Result<Response> {
    review_or_confirm(&state, &user, id, true).await
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
