//! The home page: a welcome for visitors, a dashboard for candidates.

use super::summary::{summarise, AttemptSummary};
use super::{render, MaybeUser, PageCtx};
use crate::db;
use crate::db::exams::ExamRow;
use crate::db::users::User;
use crate::engine;
use crate::error::Result;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

/// One exam on the candidate's home page.
pub struct ExamSummary {
    pub code: String,
    pub slug: String,
    pub title: String,
    pub question_count: i32,
    pub duration_minutes: i32,
    pub answers: u32,
    pub pass_percent: Option<f64>,
    pub readiness_note: String,
    pub due: usize,
    /// Due within the next day but not yet (wrong answers of a mock just taken).
    pub due_tomorrow: usize,
    pub retired: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    ctx: PageCtx,
    signed_in: bool,
    display_name: String,
    /// No attempt yet: a welcome, not a "welcome back".
    first_visit: bool,
    summaries: Vec<ExamSummary>,
    in_progress: Vec<AttemptSummary>,
    recent: Vec<AttemptSummary>,
    /// Shown as a reminder while the account's address is not confirmed.
    verification: Option<super::accounts::account::Verification>,
    assignments: Vec<super::cohorts::HomeAssignment>,
}

async fn home(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> Result<Response> {
    let assignments = match &user {
        Some(u) => super::cohorts::home_assignments(&state, u).await?,
        None => vec![],
    };
    let (summaries, in_progress, recent) = match &user {
        Some(u) => {
            let exams = db::exams::list(&state.db).await?;
            let mut summaries = Vec::with_capacity(exams.len());
            for e in exams.iter().filter(|e| e.listed_for(Some(u))) {
                summaries.push(exam_summary(&state, u, e).await?);
            }
            let list = db::attempts::list_for_user(&state.db, u.id, 20).await?;
            let (open, done): (Vec<_>, Vec<_>) = list.iter().partition(|a| a.in_progress());
            let recent = done.into_iter().take(5).map(summarise).collect();
            (summaries, open.into_iter().map(summarise).collect(), recent)
        }
        None => (vec![], vec![], vec![]),
    };
    render(&Home {
        ctx: PageCtx::new(user.as_ref()),
        signed_in: user.is_some(),
        display_name: user
            .as_ref()
            .map(|u| u.display_name.clone())
            .unwrap_or_default(),
        first_visit: in_progress.is_empty() && recent.is_empty(),
        summaries,
        in_progress,
        recent,
        verification: user
            .as_ref()
            .filter(|u| !u.is_verified())
            .map(|u| super::accounts::account::Verification::of(u, state.config.unverified_days)),
        assignments,
    })
}

/// One exam's line on the candidate's home page: readiness in a sentence and reviews due.
async fn exam_summary(state: &AppState, u: &User, e: &ExamRow) -> Result<ExamSummary> {
    let (r, due, soon) = tokio::try_join!(
        engine::readiness::assess(&state.db, u.id, e),
        db::review::due(&state.db, u.id, e.id),
        db::review::due_within(&state.db, u.id, e.id, 24 * 3600),
    )?;
    Ok(ExamSummary {
        code: e.code.clone(),
        slug: e.slug.clone(),
        title: e.title.clone(),
        question_count: e.question_count,
        duration_minutes: e.duration_minutes,
        answers: r.answers,
        pass_percent: r.pass.as_ref().map(|p| p.probability * 100.0),
        readiness_note: match (&r.pass, &r.too_little_data) {
            (Some(p), _) => format!(
                "Estimated chance of passing: {:.0}% (likely {:.0}–{:.0}%)",
                p.probability * 100.0,
                p.low * 100.0,
                p.high * 100.0
            ),
            (None, Some(msg)) => msg.clone(),
            (None, None) => "Not enough answers yet for a readiness estimate.".into(),
        },
        due: due.len(),
        due_tomorrow: soon as usize,
        retired: e.retired_on().is_some(),
    })
}
