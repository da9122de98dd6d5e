//! The parts of the real exam's interface around the questions: the instructions before a mock
//! starts, breaks, discarding a mock started by mistake, and feedback on a question from the
//! score report.

use super::{attempt, result_url};
use crate::db;
use crate::engine;
use crate::engine::attempt::{BreakOutcome, FeedbackOutcome};
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::types::AttemptId;
use crate::web::exam::views::{self, DomainWeight};
use crate::web::{messages, render, CurrentUser, PageCtx};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "exam/instructions.html")]
struct Instructions {
    ctx: PageCtx,
    exam: db::exams::ExamRow,
    domains: Vec<DomainWeight>,
    open_attempt: Option<AttemptId>,
}

/// What the candidate reads before the clock starts, as on the real exam's welcome screens.
pub(super) async fn instructions(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
) -> Result<Response> {
    let exam = crate::web::exam_or_404(&state, &code).await?;
    let open_attempt = db::attempts::open_mock(&state.db, user.id, exam.id).await?;
    render(&Instructions {
        ctx: PageCtx::new(Some(&user)),
        domains: views::domain_weights(&exam.blueprint),
        exam,
        open_attempt,
    })
}

#[derive(serde::Deserialize, Default)]
pub(super) struct BreakQuery {
    #[serde(default)]
    from: Option<i32>,
}

#[derive(Template)]
#[template(path = "exam/break.html")]
struct BreakPage {
    ctx: PageCtx,
    attempt_id: AttemptId,
    exam_code: String,
    remaining: Option<i64>,
    /// The question the candidate left for the break.
    from: i32,
    /// `Some(closed)` once the break has started.
    taken: Option<u64>,
    error: Option<&'static str>,
}

/// "Take a break?": what a break does, before it starts.
#[tracing::instrument(skip_all, fields(user = %user.id, attempt = %id))]
pub(super) async fn break_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<AttemptId>,
    Query(q): Query<BreakQuery>,
) -> Result<Response> {
    let a = attempt(&state, id, user.id).await?;
    if !a.in_progress() {
        return Ok(Redirect::to(&result_url(id)).into_response());
    }
    render(&BreakPage {
        ctx: PageCtx::new(Some(&user)),
        attempt_id: id,
        exam_code: a.exam_code.clone(),
        remaining: a.remaining(),
        from: q.from.unwrap_or(0),
        taken: None,
        error: (!a.breaks_offered || a.is_practice()).then_some(messages::NO_BREAKS),
    })
}

#[derive(serde::Deserialize)]
pub(super) struct BreakForm {
    #[serde(default)]
    from: i32,
}

/// Starts a break: the questions seen so far close; the clock keeps running.
#[tracing::instrument(skip_all, fields(user = %user.id, attempt = %id))]
pub(super) async fn take_break(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<AttemptId>,
    Form(form): Form<BreakForm>,
) -> Result<Response> {
    let a = attempt(&state, id, user.id).await?;
    if !a.in_progress() {
        return Ok(Redirect::to(&result_url(id)).into_response());
    }
    let outcome = engine::attempt::take_break(&state.db, &a, form.from).await?;
    let (taken, error) = match outcome {
        BreakOutcome::Taken { closed } => (Some(closed), None),
        BreakOutcome::NotOffered => (None, Some(messages::NO_BREAKS)),
        BreakOutcome::InsideSeries => (None, Some(messages::NO_BREAK_IN_SERIES)),
    };
    render(&BreakPage {
        ctx: PageCtx::new(Some(&user)),
        attempt_id: id,
        exam_code: a.exam_code.clone(),
        remaining: a.remaining(),
        from: form.from,
        taken,
        error,
    })
}

#[derive(Template)]
#[template(path = "exam/discard.html")]
struct DiscardPage {
    ctx: PageCtx,
    attempt_id: AttemptId,
    exam_code: String,
    answered: i64,
    items: i64,
}

/// "Discard this mock?": a mock started by mistake can go, with a clear confirmation.
pub(super) async fn discard_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<AttemptId>,
) -> Result<Response> {
    let a = attempt(&state, id, user.id).await?;
    if !a.in_progress() || a.is_practice() {
        return Err(AppError::Conflict(messages::DISCARD_ONLY_OPEN_MOCKS.into()));
    }
    render(&DiscardPage {
        ctx: PageCtx::new(Some(&user)),
        attempt_id: id,
        exam_code: a.exam_code.clone(),
        answered: a.answered_count,
        items: a.item_count,
    })
}

pub(super) async fn discard(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<AttemptId>,
) -> Result<Response> {
    let a = attempt(&state, id, user.id).await?;
    if !engine::attempt::discard(&state.db, id, user.id).await? {
        return Err(AppError::Conflict(messages::DISCARD_ONLY_OPEN_MOCKS.into()));
    }
    let to = format!("/exams/{}?discarded=1", a.exam_slug);
    Ok(Redirect::to(&to).into_response())
}

#[derive(serde::Deserialize)]
pub(super) struct FeedbackForm {
    #[serde(default)]
    feedback: String,
}

/// "Report a problem" on a question of the score report.
#[tracing::instrument(skip_all, fields(user = %user.id, attempt = %id, position = n))]
pub(super) async fn report_problem(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, n)): Path<(AttemptId, i32)>,
    Form(form): Form<FeedbackForm>,
) -> Result<Response> {
    attempt(&state, id, user.id).await?;
    let outcome =
        engine::attempt::leave_feedback(&state.db, id, user.id, n, &form.feedback).await?;
    match outcome {
        FeedbackOutcome::Stored => {
            Ok(Redirect::to(&format!("{}?feedback={n}#q{n}", result_url(id))).into_response())
        }
        FeedbackOutcome::Empty => Err(AppError::BadRequest(messages::FEEDBACK_EMPTY.into())),
        FeedbackOutcome::TooLong => Err(AppError::BadRequest(messages::FEEDBACK_TOO_LONG.into())),
        FeedbackOutcome::Missing => Err(AppError::NotFound),
    }
}
