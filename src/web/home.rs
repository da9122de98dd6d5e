//! The home page: a welcome for visitors, a dashboard for candidates.

use super::exam::{summarise, AttemptSummary};
use super::{render, MaybeUser, PageCtx};
use crate::app::AppState;
use crate::db;
use crate::error::Result;
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
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    ctx: PageCtx,
    signed_in: bool,
    display_name: String,
    summaries: Vec<ExamSummary>,
    in_progress: Vec<AttemptSummary>,
    recent: Vec<AttemptSummary>,
}

async fn home(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> Result<Response> {
    let exams = db::exams::list(&state.db).await?;
    let mut summaries = Vec::new();
    if let Some(u) = &user {
        for e in &exams {
            let (r, due) = tokio::try_join!(
                super::readiness::assess_candidate(&state.db, u.id, e),
                db::review::due(&state.db, u.id, e.id),
            )?;
            summaries.push(ExamSummary {
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
            });
        }
    }
    let (in_progress, recent) = match &user {
        Some(u) => {
            let list = db::attempts::list_for_user(&state.db, u.id, 20).await?;
            let open = list
                .iter()
                .filter(|a| a.in_progress())
                .map(summarise)
                .collect();
            let done = list
                .iter()
                .filter(|a| !a.in_progress())
                .take(5)
                .map(summarise)
                .collect();
            (open, done)
        }
        None => (vec![], vec![]),
    };
    render(&Home {
        ctx: PageCtx::new(user.as_ref()),
        signed_in: user.is_some(),
        display_name: user
            .as_ref()
            .map(|u| u.display_name.clone())
            .unwrap_or_default(),
        summaries,
        in_progress,
        recent,
    })
}
