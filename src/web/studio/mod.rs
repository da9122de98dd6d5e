//! The instructor's studio: the bank browser, the question and scenario editors with their
//! preview, history and workflow, the audit trail, the feedback queue and exams of one's own.
//! One module per page; the rules live in `engine::studio`.

pub mod browse;
pub mod editor;
pub mod exams;
pub mod feedback;
pub mod history;
pub mod log;
pub mod scenarios;

use crate::db::users::User;
use crate::engine::studio::{self as engine, Studio};
use crate::error::{AppError, Result};
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/author/exams/new",
            get(exams::new_page).post(exams::create),
        )
        .route(
            "/author/exams/{code}/settings",
            get(exams::settings_page).post(exams::update),
        )
        .route("/author/exams/{code}/co-owners", post(exams::add_co_owner))
        .route(
            "/author/exams/{code}/co-owners/remove",
            post(exams::remove_co_owner),
        )
        .route("/author/exams/{code}/questions", get(browse::page))
        .route(
            "/author/exams/{code}/questions/new",
            get(editor::new_page).post(editor::create),
        )
        .route(
            "/author/exams/{code}/questions/{id}/edit",
            get(editor::edit_page).post(editor::update),
        )
        .route("/author/exams/{code}/preview", post(editor::live_preview))
        .route(
            "/author/exams/{code}/questions/{id}/history",
            get(history::page),
        )
        .route(
            "/author/exams/{code}/questions/{id}/revert",
            post(history::revert),
        )
        .route(
            "/author/exams/{code}/questions/{id}/workflow",
            post(history::workflow),
        )
        .route("/author/exams/{code}/log", get(log::page))
        .route("/author/exams/{code}/feedback", get(feedback::page))
        .route(
            "/author/exams/{code}/feedback/resolve",
            post(feedback::resolve),
        )
        .route(
            "/author/exams/{code}/scenarios/new",
            get(scenarios::new_page).post(scenarios::create),
        )
        .route(
            "/author/exams/{code}/scenarios/{id}/edit",
            get(scenarios::edit_page).post(scenarios::update),
        )
}

/// An instructor or admin. Anyone else signed in gets "not found": the authoring pages do not
/// exist for candidates. Visitors who are not signed in are sent to sign in.
pub struct Author(pub User);

impl FromRequestParts<AppState> for Author {
    type Rejection = super::session::AuthRejection;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let super::CurrentUser(u) = super::CurrentUser::from_request_parts(parts, state).await?;
        if u.role.can_author() {
            Ok(Author(u))
        } else {
            Err(super::session::AuthRejection::Error(AppError::NotFound))
        }
    }
}

/// The exam at `/author/exams/{code}` if this instructor may open it (else 404).
pub async fn readable(state: &AppState, user: &User, code: &str) -> Result<Studio> {
    engine::open(&state.db, code, user)
        .await?
        .ok_or(AppError::NotFound)
}

/// The exam if this instructor may change it in the browser; an exam from files says why not.
pub async fn editable(state: &AppState, user: &User, code: &str) -> Result<Studio> {
    let studio = readable(state, user, code).await?;
    if studio.can_edit() {
        Ok(studio)
    } else {
        Err(AppError::Conflict(read_only_message(&studio)))
    }
}

pub fn read_only_message(studio: &Studio) -> String {
    format!(
        "{} comes from question-bank files, which are its source: change the files and import them (mockexam bank import). The browser shows it read-only.",
        studio.exam.code
    )
}

/// The question at `/…/questions/{id}` of an exam, or 404.
pub async fn question(
    state: &AppState,
    studio: &Studio,
    id: &str,
) -> Result<crate::db::studio::Head> {
    crate::db::studio::head(&state.db, studio.exam.id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// A query string of the given pairs (values encoded), for links that keep a page's state.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    let q = s.finish();
    if q.is_empty() {
        q
    } else {
        format!("?{q}")
    }
}
