//! Starting the adaptive readiness check ("quick check"). Its questions then use the ordinary
//! item pages; the engine picks each next question after an answer (`engine::check`).

use super::CurrentUser;
use crate::db;
use crate::engine;
use crate::engine::check::CheckStart;
use crate::error::{AppError, Result};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/exams/{code}/checks", post(start_check))
}

/// Starts a check (or resumes the one in progress): 303 to the attempt.
async fn start_check(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
) -> Result<Response> {
    let exam = db::exams::by_slug(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    match engine::check::start(&state.db, user.id, &exam).await? {
        CheckStart::Created(id) | CheckStart::AlreadyOpen(id) => {
            Ok(Redirect::to(&format!("/attempts/{id}")).into_response())
        }
        CheckStart::Refused(why) => Err(AppError::Conflict(why)),
    }
}
