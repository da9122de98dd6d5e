//! Cohorts: an instructor's list and dashboard, invitations, assignments, exports and the
//! member's side (joining, leaving, assignments on the home page). One module per page.
//!
//! Every page of a cohort is for its instructors only (`taught`): anyone else, members and
//! admins included, gets 404, exactly as for a cohort that does not exist.

pub mod assignments;
pub mod dashboard;
pub mod export;
pub mod join;
pub mod list;
pub mod manage;
pub mod member;

use crate::db;
use crate::db::cohorts::CohortRow;
use crate::db::exams::ExamRow;
use crate::db::users::User;
use crate::error::{AppError, Result};
use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

pub use assignments::{home_assignments, HomeAssignment};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cohorts", get(list::index).post(list::create))
        .route("/cohorts/{id}", get(dashboard::show))
        .route("/cohorts/{id}/members.csv", get(export::members_csv))
        .route(
            "/cohorts/{id}/assignments.csv",
            get(export::assignments_csv),
        )
        .route("/cohorts/{id}/manage", get(manage::show))
        .route("/cohorts/{id}/code", post(manage::new_code))
        .route("/cohorts/{id}/code/stop", post(manage::stop_code))
        .route("/cohorts/{id}/instructors", post(manage::add_instructor))
        .route(
            "/cohorts/{id}/instructors/{user}/remove",
            post(manage::remove_instructor),
        )
        .route("/cohorts/{id}/members/{user}", get(member::report))
        .route("/cohorts/{id}/assignments/new", get(assignments::new_form))
        .route("/cohorts/{id}/assignments", post(assignments::create))
        .route("/cohorts/{id}/assignments/{aid}", get(assignments::show))
        .route(
            "/cohorts/{id}/assignments/{aid}/delete",
            post(assignments::delete),
        )
        .route("/cohorts/{id}/leave", post(join::leave))
        .route("/join", get(join::code_form).post(join::lookup))
        .route("/join/{code}", get(join::confirm).post(join::join))
        .route("/assignments/{aid}/start", post(assignments::start))
}

/// A typed id from a path segment; anything else is a page that does not exist.
fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T> {
    s.parse().map_err(|_| AppError::NotFound)
}

/// The cohort with its exam, when `user` teaches it; 404 otherwise.
async fn taught(state: &AppState, user: &User, id: &str) -> Result<(CohortRow, ExamRow)> {
    let id = parse_id(id)?;
    let cohort = db::cohorts::for_instructor(&state.db, id, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let exam = db::exams::by_id(&state.db, cohort.exam_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((cohort, exam))
}

/// A date as pages show it.
fn date(d: time::Date) -> String {
    d.to_string()
}

/// "today", "in 3 days", "5 days ago".
fn relative_days(days: i64) -> String {
    match days {
        0 => "today".into(),
        1 => "tomorrow".into(),
        -1 => "yesterday".into(),
        d if d > 1 => format!("in {d} days"),
        d => format!("{} days ago", -d),
    }
}

/// A share (0..=1) as a whole percentage.
fn pct(x: f64) -> String {
    format!("{:.0}", (x * 100.0).clamp(0.0, 100.0))
}
