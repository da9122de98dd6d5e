//! The candidate's loop, one module per page: the catalogue (exams, starting a mock, "My
//! attempts"), the question pages (items, saves, practice checks, the status poll), the review
//! screen (review and submit) and the score report. `views` builds what the templates show.

mod catalogue;
mod interface;
mod item;
mod result;
mod review;
pub mod views;

use crate::db::attempts::AttemptRow;
use crate::engine;
use crate::engine::navigate::Destination;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::types::{AttemptId, UserId};
use axum::response::Redirect;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/exams", get(catalogue::catalogue))
        .route("/exams/{code}", get(catalogue::exam_page))
        .route("/exams/{code}/attempts", post(catalogue::start))
        .route("/exams/{code}/instructions", get(interface::instructions))
        .route(
            "/attempts/{id}/break",
            get(interface::break_page).post(interface::take_break),
        )
        .route(
            "/attempts/{id}/discard",
            get(interface::discard_page).post(interface::discard),
        )
        .route(
            "/attempts/{id}/items/{n}/feedback",
            post(interface::report_problem),
        )
        .route("/attempts", get(catalogue::my_attempts))
        .route("/attempts/{id}", get(item::resume))
        .route(
            "/attempts/{id}/items/{n}",
            get(item::item_page).post(item::save_item),
        )
        .route("/attempts/{id}/items/{n}/check", post(item::check_item))
        .route("/attempts/{id}/review", get(review::review_page))
        .route(
            "/attempts/{id}/submit",
            get(review::submit_page).post(review::submit),
        )
        .route("/attempts/{id}/result", get(result::result_page))
        .route("/attempts/{id}/status", get(item::status))
}

/// The candidate's own attempt under the deadline rule; anyone else's answers 404.
async fn attempt(state: &AppState, id: AttemptId, user: UserId) -> Result<AttemptRow> {
    engine::attempt::load(&state.db, id, user, state.config.grace_seconds)
        .await?
        .ok_or(AppError::NotFound)
}

fn result_url(id: AttemptId) -> String {
    format!("/attempts/{id}/result")
}

/// The redirect to where the engine sends the candidate.
fn go(id: AttemptId, to: Destination) -> Redirect {
    match to {
        Destination::Item(n) => Redirect::to(&format!("/attempts/{id}/items/{n}")),
        Destination::Review => Redirect::to(&format!("/attempts/{id}/review")),
        Destination::Submit => Redirect::to(&format!("/attempts/{id}/submit")),
        Destination::Break(n) => Redirect::to(&format!("/attempts/{id}/break?from={n}")),
    }
}
