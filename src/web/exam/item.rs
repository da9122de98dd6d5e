//! Question pages: opening an item, saving its answer (a JSON autosave or a form post), the
//! practice "Check answer", resuming an attempt and the clock's status poll.

use super::views::{self, Reveal, ScenarioView};
use super::{attempt, go, result_url};
use crate::db::attempts::{whole_seconds, AttemptRow, Screen};
use crate::db::users::User;
use crate::domain::adaptive::Config;
use crate::domain::assembly::SectionKind;
use crate::engine;
use crate::engine::check::Advance;
use crate::engine::navigate::Destination;
use crate::engine::navigate::{self, ItemScreen, Opened, Visit};
use crate::engine::practice::CheckOutcome;
use crate::engine::save::{Posted, SaveOutcome, SaveRequest};
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::types::{AttemptId, Mode, Nav};
use crate::web::answer_form::AnswerForm;
use crate::web::item_view::{self, Controls, ItemView};
use crate::web::messages;
use crate::web::negotiate::Wants;
use crate::web::{render_with_status, CurrentUser, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;

#[tracing::instrument(skip_all, fields(user = %user.id, attempt = %id))]
pub(super) async fn resume(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<AttemptId>,
) -> Result<Response> {
    let a = attempt(&state, id, user.id).await?;
    if !a.in_progress() {
        return Ok(Redirect::to(&result_url(id)).into_response());
    }
    let to = navigate::resume(&state.db, id).await?;
    Ok(go(id, to).into_response())
}

#[derive(Template)]
#[template(path = "exam/item.html")]
struct ItemPage {
    ctx: PageCtx,
    attempt_id: AttemptId,
    exam_code: String,
    practice: bool,
    position: i32,
    total: i64,
    revision: i32,
    flagged: bool,
    view: ItemView,
    scenario: Option<ScenarioView>,
    remaining: Option<i64>,
    section_note: Option<String>,
    has_prev: bool,
    has_next: bool,
    leaving_case_on_next: bool,
    leaving_case_on_prev: bool,
    in_case: bool,
    error: Option<String>,
    reveal: Option<Reveal>,
    readonly: bool,
    /// The questions of this section, for the navigator.
    navigator: Vec<NavEntry>,
    learn_access: bool,
    /// A break may be taken here (offered by the exam, a mock, not inside a series).
    break_offered: bool,
    /// A quick check: the most questions it asks (it moves on one question at a time and
    /// never back).
    check_items: Option<usize>,
}

/// One question in the navigator.
pub struct NavEntry {
    pub position: i32,
    pub current: bool,
    pub answered: bool,
    pub flagged: bool,
    pub locked: bool,
}

impl NavEntry {
    /// The state in words, for the button's accessible name and its tooltip.
    pub fn state(&self) -> String {
        let mut words = vec![if self.answered {
            "answered"
        } else {
            "unanswered"
        }];
        if self.flagged {
            words.push("marked for review");
        }
        if self.locked {
            words.push("closed");
        }
        words.join(", ")
    }
}

impl ItemPage {
    fn new(user: &User, a: &AttemptRow, s: &ItemScreen, error: Option<String>) -> ItemPage {
        let row = &s.item;
        let section_note = match (s.reveal, row.section_kind, s.case_span) {
            (navigate::Reveal::WithheldForMock, _, _) => Some(messages::IN_OPEN_MOCK.to_string()),
            (_, SectionKind::Case, Some((first, last))) => Some(messages::case_note(first, last)),
            (_, SectionKind::Series, _) => Some(messages::CASE_NOTE_SERIES.to_string()),
            _ => None,
        };
        ItemPage {
            ctx: PageCtx::new(Some(user)),
            attempt_id: a.id,
            exam_code: a.exam_code.clone(),
            practice: a.is_practice(),
            position: row.position,
            total: a.item_count,
            revision: row.revision,
            flagged: row.flagged,
            view: item_view::build(
                &row.body.0.body,
                &row.body.0.stem,
                &row.permutation.0,
                row.response.as_ref().map(|r| &r.0),
                row.checked,
            )
            .with_ruled_out(&row.ruled_out.0),
            scenario: views::scenario(row),
            remaining: a.remaining(),
            section_note,
            has_prev: s.prev.is_some(),
            has_next: s.next.is_some(),
            leaving_case_on_next: s.leaves_case_on_next,
            leaving_case_on_prev: s.leaves_case_on_prev,
            in_case: row.section_kind == SectionKind::Case,
            error,
            reveal: (s.reveal == navigate::Reveal::Shown).then(|| views::reveal(row)),
            readonly: row.checked,
            navigator: s
                .section
                .iter()
                .map(|i| NavEntry {
                    position: i.position,
                    current: i.position == row.position,
                    answered: i.answered,
                    flagged: i.flagged,
                    locked: i.locked,
                })
                .collect(),
            learn_access: a.learn_access && !a.is_practice(),
            break_offered: a.breaks_offered
                && a.mode == Mode::Exam
                && row.section_kind != SectionKind::Series,
            check_items: (a.mode == Mode::Check).then(|| Config::default().max_items),
        }
    }
}

/// Opens item `n` (applying the rules of entering it) and draws it, with a message if given; the
/// score report when the attempt is over.
async fn render_item(
    state: &AppState,
    user: &User,
    id: AttemptId,
    n: i32,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response> {
    let visit = navigate::visit(&state.db, id, user.id, n, state.config.grace_seconds)
        .await?
        .ok_or(AppError::NotFound)?;
    let (a, opened) = match visit {
        Visit::Over => return Ok(Redirect::to(&result_url(id)).into_response()),
        Visit::Item { attempt, opened } => (attempt, opened),
    };
    match opened {
        Opened::Screen(screen) => {
            render_with_status(&ItemPage::new(user, &a, &screen, error), status)
        }
        Opened::Closed {
            section_kind,
            continue_at,
        } => Err(AppError::Conflict(messages::closed_item(
            section_kind,
            continue_at,
        ))),
        Opened::Missing => Err(AppError::NotFound),
    }
}

#[tracing::instrument(skip_all, fields(user = %user.id, attempt = %id))]
pub(super) async fn item_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, n)): Path<(AttemptId, i32)>,
) -> Result<Response> {
    render_item(&state, &user, id, n, None, StatusCode::OK).await
}

#[derive(serde::Serialize)]
struct SaveReply {
    saved: bool,
    revision: i32,
    remaining_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect: Option<String>,
}

#[tracing::instrument(skip_all, fields(user = %user.id, attempt = %id, position = n), err)]
pub(super) async fn save_item(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, n)): Path<(AttemptId, i32)>,
    wants: Wants,
    body: Bytes,
) -> Result<Response> {
    let form = AnswerForm::parse(&body)?;
    let posted = engine::save::Posted {
        attempt: id,
        user: user.id,
        position: n,
        base_revision: form.revision,
        answer: &form,
        flagged: form.flagged,
        ruled_out: &form.ruled_out,
        grace_seconds: state.config.grace_seconds,
    };
    if wants == Wants::Json {
        if let Some(reply) = landed_autosave(&state, &posted, form.feedback.as_deref()).await? {
            return Ok(reply);
        }
    }
    // Everything else (a form post, or an autosave that did not land) is decided on the
    // attempt and the item as the database holds them.
    let screen = engine::attempt::peek_item(&state.db, id, user.id, n)
        .await?
        .ok_or(AppError::NotFound)?;
    let a = &screen.attempt;
    let req = SaveRequest {
        posted: &posted,
        attempt: a,
        item: screen.item.as_ref(),
        nav: form.nav,
        autosave: wants == Wants::Json,
    };
    let outcome = engine::save::save(&state.db, &req)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(text) = &form.feedback {
        engine::attempt::leave_feedback(&state.db, id, user.id, n, text).await?;
    }
    match wants {
        Wants::Json => Ok(save_reply(a, &outcome)),
        Wants::Html => {
            let to = (n, form.nav, form.goto);
            after_form_save(&state, &user, &screen, to, outcome).await
        }
    }
}

/// The autosave's common case (`engine::save::autosave`): the reply when the answer landed in
/// one statement; `None` sends the request the long way.
async fn landed_autosave(
    state: &AppState,
    posted: &Posted<'_>,
    feedback: Option<&str>,
) -> Result<Option<Response>> {
    let Some(written) = engine::save::autosave(&state.db, posted).await? else {
        return Ok(None);
    };
    if let Some(text) = feedback {
        let (id, user, n) = (posted.attempt, posted.user, posted.position);
        engine::attempt::leave_feedback(&state.db, id, user, n, text).await?;
    }
    let reply = SaveReply {
        saved: true,
        revision: written.revision,
        remaining_seconds: whole_seconds(written.remaining_seconds),
        error: None,
        redirect: None,
    };
    Ok(Some(Json(reply).into_response()))
}

/// The autosave's answer: whether it landed, the revision to send next, and where to go when the
/// attempt is over.
fn save_reply(a: &AttemptRow, outcome: &SaveOutcome) -> Response {
    let (status, saved, error, redirect) = match outcome {
        SaveOutcome::Saved { .. } | SaveOutcome::Unchanged { .. } => {
            (StatusCode::OK, true, None, None)
        }
        SaveOutcome::Stale { .. } => (StatusCode::CONFLICT, false, Some(messages::STALE), None),
        SaveOutcome::Locked { .. } => (StatusCode::CONFLICT, false, Some(messages::LOCKED), None),
        SaveOutcome::TooLate { .. } => (
            StatusCode::CONFLICT,
            false,
            Some(messages::TOO_LATE),
            Some(result_url(a.id)),
        ),
        SaveOutcome::Closed { .. } => (
            StatusCode::CONFLICT,
            false,
            Some(messages::SUBMITTED),
            Some(result_url(a.id)),
        ),
        SaveOutcome::Invalid { message, .. } => {
            let reply = SaveReply {
                saved: false,
                revision: outcome.revision(),
                remaining_seconds: a.remaining(),
                error: Some(message.clone()),
                redirect: None,
            };
            return (StatusCode::UNPROCESSABLE_ENTITY, Json(reply)).into_response();
        }
    };
    let reply = SaveReply {
        saved,
        revision: outcome.revision(),
        remaining_seconds: a.remaining(),
        error: error.map(str::to_string),
        redirect,
    };
    (status, Json(reply)).into_response()
}

/// A form post (JavaScript off, or a navigation button): move on, or show the question again
/// with the reason it was not saved.
async fn after_form_save(
    state: &AppState,
    user: &User,
    screen: &Screen,
    (n, nav, goto): (i32, Nav, Option<i32>),
    outcome: SaveOutcome,
) -> Result<Response> {
    let db = &state.db;
    let a = &screen.attempt;
    let refused =
        |msg: &str, status| render_item(state, user, a.id, n, Some(msg.to_string()), status);
    match outcome {
        SaveOutcome::TooLate { .. } | SaveOutcome::Closed { .. } => {
            Ok(Redirect::to(&result_url(a.id)).into_response())
        }
        SaveOutcome::Stale { .. } => refused(messages::STALE, StatusCode::CONFLICT).await,
        SaveOutcome::Locked { .. } => refused(messages::LOCKED, StatusCode::CONFLICT).await,
        SaveOutcome::Invalid { message, .. } => {
            refused(&message, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        SaveOutcome::Unchanged { .. } | SaveOutcome::Saved { .. } if a.mode == Mode::Check => {
            let exam = crate::db::exams::by_id(db, a.exam_id)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(match engine::check::advance(db, a, &exam, n, nav).await? {
                Advance::Item(p) => go(a.id, Destination::Item(p)).into_response(),
                Advance::Finished => Redirect::to(&result_url(a.id)).into_response(),
            })
        }
        SaveOutcome::Unchanged { .. } => {
            // Nothing was written: the navigation read with the attempt is current.
            let to = navigate::destination_in(&screen.nav, n, nav, a.is_practice(), goto);
            Ok(go(a.id, to).into_response())
        }
        SaveOutcome::Saved { .. } => {
            if nav == Nav::Check && a.is_practice() {
                let checked = engine::practice::check(db, a.id, user.id, n).await?;
                if let Some(msg) = messages::check_refusal(checked) {
                    return refused(msg, StatusCode::CONFLICT).await;
                }
            }
            // The save may have closed questions (a problem–solution answer left, a case study
            // left from another tab): then navigation is read again.
            let to = match &screen.item {
                Some(item) if !engine::save::closed_something(a, item, nav) => {
                    navigate::destination_in(&screen.nav, n, nav, a.is_practice(), goto)
                }
                _ => navigate::destination(db, a.id, n, nav, a.is_practice(), goto).await?,
            };
            Ok(go(a.id, to).into_response())
        }
    }
}

/// Practice: show the answer and explanation of an answered item.
#[tracing::instrument(skip_all, fields(user = %user.id, attempt = %id))]
pub(super) async fn check_item(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, n)): Path<(AttemptId, i32)>,
) -> Result<Response> {
    let a = attempt(&state, id, user.id).await?;
    if !a.is_practice() {
        return Err(AppError::BadRequest(messages::KEY_AFTER_SUBMIT.into()));
    }
    let outcome = engine::practice::check(&state.db, id, user.id, n).await?;
    let Some(msg) = messages::check_refusal(outcome) else {
        return Ok(Redirect::to(&format!("/attempts/{id}/items/{n}")).into_response());
    };
    let status = match outcome {
        CheckOutcome::NotAnswered => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::CONFLICT,
    };
    render_item(&state, &user, a.id, n, Some(msg.to_string()), status).await
}

/// The clock's poll: time left, and where to go once the attempt is over.
#[tracing::instrument(skip_all, fields(user = %user.id, attempt = %id))]
pub(super) async fn status(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<AttemptId>,
) -> Result<Response> {
    let a = attempt(&state, id, user.id).await?;
    Ok(Json(serde_json::json!({
        "status": a.status.as_str(),
        "remaining_seconds": a.remaining(),
        "expired": a.in_progress() && a.expired(),
        "redirect": (!a.in_progress()).then(|| result_url(id)),
    }))
    .into_response())
}
