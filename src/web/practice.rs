//! Practice sets: chosen skill areas or objectives, a size, timed or not, and which questions;
//! the candidate may check each answer as soon as it is given.

use super::summary::{summarise, AttemptSummary};
use super::{form_fields, messages, render_with_status, CurrentUser, PageCtx};
use crate::db;
use crate::db::exams::ExamRow;
use crate::db::users::User;
use crate::domain::practice::{self, PracticeRequest, Which};
use crate::engine;
use crate::engine::start::StartOutcome;
use crate::error::{AppError, Result};
use crate::state::AppState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/practice/{code}", get(practice_page).post(start_practice))
        .route("/practice/{code}/due", post(start_due))
}

pub struct ObjectiveOption {
    pub code: String,
    pub title: String,
    pub checked: bool,
}

pub struct DomainOption {
    pub code: String,
    pub title: String,
    pub checked: bool,
    pub objectives: Vec<ObjectiveOption>,
}

#[derive(Template)]
#[template(path = "practice/new.html")]
struct PracticePage {
    ctx: PageCtx,
    exam_code: String,
    exam_slug: String,
    domains: Vec<DomainOption>,
    size: u32,
    timed: bool,
    which: String,
    due: usize,
    unseen: usize,
    wrong: usize,
    marked: usize,
    error: Option<String>,
    open_sets: Vec<AttemptSummary>,
}

/// The practice form as posted (check boxes repeat their field, so it is read by hand rather
/// than through `Form`), also what the page shows again after an error.
pub struct PracticeForm {
    domains: Vec<String>,
    objectives: Vec<String>,
    size_text: String,
    timed: bool,
    which_text: String,
}

impl Default for PracticeForm {
    fn default() -> Self {
        PracticeForm {
            domains: vec![],
            objectives: vec![],
            size_text: "10".into(),
            timed: false,
            which_text: "any".into(),
        }
    }
}

impl<S: Send + Sync> FromRequest<S> for PracticeForm {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        let f = form_fields(&body);
        let list = |k: &str| f.get(k).cloned().unwrap_or_default();
        let which = super::field(&f, "which");
        Ok(PracticeForm {
            domains: list("domain"),
            objectives: list("objective"),
            size_text: super::field(&f, "size").trim().to_string(),
            timed: super::field(&f, "timed") == "on",
            which_text: if which.is_empty() { "any" } else { which }.to_string(),
        })
    }
}

impl PracticeForm {
    /// The request it asks for, or what to tell the candidate.
    fn request(&self) -> std::result::Result<PracticeRequest, String> {
        let size = match self.size_text.parse::<u32>() {
            Ok(n) if (practice::MIN_SIZE..=practice::MAX_SIZE).contains(&n) => n,
            _ => return Err(messages::practice_size(&self.size_text)),
        };
        let which = Which::parse(&self.which_text).ok_or(messages::CHOOSE_WHICH)?;
        Ok(PracticeRequest {
            domains: self.domains.clone(),
            objectives: self.objectives.clone(),
            size,
            which,
        })
    }
}

/// The practice page, showing `form` as chosen and `error` when there is one (422).
async fn page(
    state: &AppState,
    user: &User,
    exam: &ExamRow,
    form: PracticeForm,
    error: Option<String>,
) -> Result<Response> {
    let (rows, attempts) = tokio::try_join!(
        db::attempts::practice_pool(&state.db, exam, user.id),
        db::attempts::list_for_user_exam(&state.db, user.id, exam.id),
    )?;
    let domains = exam
        .blueprint
        .domains
        .iter()
        .map(|d| DomainOption {
            code: d.code.clone(),
            title: d.title.clone(),
            checked: form.domains.contains(&d.code),
            objectives: d
                .objectives
                .iter()
                .map(|o| ObjectiveOption {
                    code: o.code.clone(),
                    title: o.title.clone(),
                    checked: form.objectives.contains(&o.code),
                })
                .collect(),
        })
        .collect();
    let status = match error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let page = PracticePage {
        ctx: PageCtx::new(Some(user)),
        exam_code: exam.code.clone(),
        exam_slug: exam.slug.clone(),
        domains,
        size: form.size_text.parse().unwrap_or(10),
        timed: form.timed,
        which: form.which_text,
        due: rows.iter().filter(|r| r.due).count(),
        unseen: rows.iter().filter(|r| !r.seen).count(),
        wrong: rows.iter().filter(|r| r.wrong_before).count(),
        marked: rows.iter().filter(|r| r.marked).count(),
        error,
        open_sets: attempts
            .iter()
            .filter(|a| a.is_practice() && a.in_progress())
            .map(summarise)
            .collect(),
    };
    render_with_status(&page, status)
}

async fn exam(state: &AppState, code: &str) -> Result<ExamRow> {
    db::exams::by_slug(&state.db, code)
        .await?
        .ok_or(AppError::NotFound)
}

async fn practice_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
) -> Result<Response> {
    let exam = exam(&state, &code).await?;
    page(&state, &user, &exam, PracticeForm::default(), None).await
}

/// Starts the set and goes to it, or shows the form again with the reason it did not start.
async fn start_set(
    state: &AppState,
    user: &User,
    exam: &ExamRow,
    form: PracticeForm,
    req: &PracticeRequest,
) -> Result<Response> {
    match engine::start::practice_set(&state.db, user.id, exam, req, form.timed).await? {
        StartOutcome::Created(id) | StartOutcome::AlreadyOpen(id) => {
            Ok(Redirect::to(&format!("/attempts/{id}")).into_response())
        }
        StartOutcome::Refused(why) => {
            let msg = messages::start_refusal(&why, &exam.code);
            page(state, user, exam, form, Some(msg)).await
        }
    }
}

async fn start_practice(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
    form: PracticeForm,
) -> Result<Response> {
    let exam = exam(&state, &code).await?;
    match form.request() {
        Ok(req) => start_set(&state, &user, &exam, form, &req).await,
        Err(msg) => page(&state, &user, &exam, form, Some(msg)).await,
    }
}

/// "Review due (N)": a practice set of the questions due for review.
async fn start_due(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
) -> Result<Response> {
    let exam = exam(&state, &code).await?;
    let req = PracticeRequest {
        domains: vec![],
        objectives: vec![],
        size: practice::MAX_SIZE,
        which: Which::Due,
    };
    let form = PracticeForm {
        which_text: "due".into(),
        ..PracticeForm::default()
    };
    start_set(&state, &user, &exam, form, &req).await
}
