//! The exam catalogue, an exam's page, starting a full mock, and "My attempts".

use crate::db;
use crate::db::users::User;
use crate::engine;
use crate::engine::start::StartOutcome;
use crate::error::Result;
use crate::state::AppState;
use crate::types::{AttemptId, Mode};
use crate::web::exam::views::{self, DomainWeight};
use crate::web::messages;
use crate::web::summary::{summarise, AttemptSummary};
use crate::web::{render, render_with_status, CurrentUser, MaybeUser, PageCtx};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "exam/catalogue.html")]
struct Catalogue {
    ctx: PageCtx,
    exams: Vec<db::exams::ExamRow>,
}

pub(super) async fn catalogue(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> Result<Response> {
    let mut exams = db::exams::list(&state.db).await?;
    exams.retain(|e| e.listed_for(user.as_ref()));
    render(&Catalogue {
        ctx: PageCtx::new(user.as_ref()),
        exams,
    })
}

#[derive(Template)]
#[template(path = "exam/exam.html")]
struct ExamPage {
    ctx: PageCtx,
    exam: db::exams::ExamRow,
    /// The exam that replaced a retired one.
    successor: Option<db::exams::ExamRow>,
    domains: Vec<DomainWeight>,
    attempts: Vec<AttemptSummary>,
    open_attempt: Option<AttemptId>,
    signed_in: bool,
    error: Option<String>,
    /// Just back from discarding a mock.
    discarded: bool,
}

/// An exam's page; with `error` it explains why no mock could start (422).
async fn exam_page_with(
    state: &AppState,
    user: Option<&User>,
    code: &str,
    (error, discarded): (Option<String>, bool),
) -> Result<Response> {
    let exam = crate::web::exam_or_404(state, code).await?;
    let list = match user {
        Some(u) => db::attempts::list_for_user_exam(&state.db, u.id, exam.id).await?,
        None => vec![],
    };
    let successor = match &exam.blueprint.successor {
        Some(code) => db::exams::by_slug(&state.db, code).await?,
        None => None,
    };
    let open_attempt = list
        .iter()
        .find(|a| a.in_progress() && a.mode == Mode::Exam)
        .map(|a| a.id);
    let status = match error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let page = ExamPage {
        ctx: PageCtx::new(user),
        domains: views::domain_weights(&exam.blueprint),
        exam,
        successor,
        attempts: list.iter().map(summarise).collect(),
        open_attempt,
        signed_in: user.is_some(),
        error,
        discarded,
    };
    render_with_status(&page, status)
}

#[derive(serde::Deserialize, Default)]
pub(super) struct ExamQuery {
    #[serde(default)]
    discarded: Option<u8>,
}

pub(super) async fn exam_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(code): Path<String>,
    Query(q): Query<ExamQuery>,
) -> Result<Response> {
    let discarded = q.discarded.is_some() && user.is_some();
    exam_page_with(&state, user.as_ref(), &code, (None, discarded)).await
}

#[derive(Template)]
#[template(path = "exam/resume_offer.html")]
struct ResumeOffer {
    ctx: PageCtx,
    exam_code: String,
    attempt_id: AttemptId,
}

pub(super) async fn start(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
) -> Result<Response> {
    let exam = crate::web::exam_or_404(&state, &code).await?;
    let duration = state.config.duration_override_seconds;
    match engine::start::mock(&state.db, user.id, &exam, duration).await? {
        StartOutcome::Created(id) => Ok(Redirect::to(&format!("/attempts/{id}")).into_response()),
        StartOutcome::AlreadyOpen(attempt_id) => {
            let page = ResumeOffer {
                ctx: PageCtx::new(Some(&user)),
                exam_code: exam.code.clone(),
                attempt_id,
            };
            render_with_status(&page, StatusCode::CONFLICT)
        }
        StartOutcome::Refused(why) => {
            let msg = messages::start_refusal(&why, &exam.code);
            exam_page_with(&state, Some(&user), &code, (Some(msg), false)).await
        }
    }
}

#[derive(Template)]
#[template(path = "exam/attempts.html")]
struct MyAttempts {
    ctx: PageCtx,
    mocks: Vec<AttemptSummary>,
    practice: Vec<AttemptSummary>,
}

pub(super) async fn my_attempts(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    let all = db::attempts::list_for_user(&state.db, user.id, 500).await?;
    let (mocks, practice): (Vec<_>, Vec<_>) = all.iter().partition(|a| a.mode == Mode::Exam);
    render(&MyAttempts {
        ctx: PageCtx::new(Some(&user)),
        mocks: mocks.into_iter().map(summarise).collect(),
        practice: practice.into_iter().map(summarise).collect(),
    })
}
