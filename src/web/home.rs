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

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    ctx: PageCtx,
    signed_in: bool,
    display_name: String,
    exams: Vec<db::exams::ExamRow>,
    in_progress: Vec<AttemptSummary>,
    recent: Vec<AttemptSummary>,
}

async fn home(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> Result<Response> {
    let exams = db::exams::list(&state.db).await?;
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
        exams,
        in_progress,
        recent,
    })
}
