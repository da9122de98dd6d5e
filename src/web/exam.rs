//! The candidate's loop: catalogue, start, take items, review, submit, score report.

use super::item_view::{self, ItemView};
use super::{field, form_fields, render, CurrentUser, MaybeUser, PageCtx};
use crate::app::AppState;
use crate::db;
use crate::db::attempts::{AttemptRow, CreateOutcome, ItemRow, SaveOutcome};
use crate::domain::blueprint::Blueprint;
use crate::domain::item::{Response, ScenarioKind};
use crate::engine;
use crate::error::{AppError, Result};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response as HttpResponse};
use axum::routing::{get, post};
use axum::{Json, Router};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/exams", get(catalogue))
        .route("/exams/{code}", get(exam_page))
        .route("/exams/{code}/attempts", post(start))
        .route("/attempts", get(my_attempts))
        .route("/attempts/{id}", get(resume))
        .route("/attempts/{id}/items/{n}", get(item_page).post(save_item))
        .route("/attempts/{id}/items/{n}/check", post(check_item))
        .route("/attempts/{id}/review", get(review_page))
        .route("/attempts/{id}/submit", get(submit_page).post(submit))
        .route("/attempts/{id}/result", get(result_page))
        .route("/attempts/{id}/status", get(status))
}

// ---------- catalogue ----------

#[derive(Template)]
#[template(path = "exam/catalogue.html")]
struct Catalogue {
    ctx: PageCtx,
    exams: Vec<db::exams::ExamRow>,
}

async fn catalogue(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> Result<HttpResponse> {
    let exams = db::exams::list(&state.db).await?;
    render(&Catalogue {
        ctx: PageCtx::new(user.as_ref()),
        exams,
    })
}

pub struct DomainWeight {
    pub title: String,
    pub weights: String,
    pub objectives: Vec<String>,
}

#[derive(Template)]
#[template(path = "exam/exam.html")]
struct ExamPage {
    ctx: PageCtx,
    exam: db::exams::ExamRow,
    domains: Vec<DomainWeight>,
    attempts: Vec<AttemptSummary>,
    open_attempt: Option<Uuid>,
    signed_in: bool,
    error: Option<String>,
}

pub struct AttemptSummary {
    pub id: Uuid,
    pub title: String,
    pub mode: String,
    pub started: String,
    pub status: String,
    pub in_progress: bool,
    pub scaled: Option<i32>,
    pub passed: Option<bool>,
    pub answered: i64,
    pub items: i64,
}

pub fn summarise(a: &AttemptRow) -> AttemptSummary {
    AttemptSummary {
        id: a.id,
        title: if a.title.is_empty() {
            a.exam_code.clone()
        } else {
            a.title.clone()
        },
        mode: a.mode.clone(),
        started: fmt_time(a.started_at),
        status: if a.in_progress() {
            "In progress".into()
        } else {
            match a.submit_reason.as_deref() {
                Some("candidate") => "Submitted".into(),
                _ => "Submitted when time ran out".into(),
            }
        },
        in_progress: a.in_progress(),
        scaled: a.scaled_score,
        passed: a.passed,
        answered: a.answered_count,
        items: a.item_count,
    }
}

pub fn fmt_time(t: time::OffsetDateTime) -> String {
    let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.format(&f).unwrap_or_default()
}

fn domain_weights(bp: &Blueprint) -> Vec<DomainWeight> {
    bp.domains
        .iter()
        .map(|d| DomainWeight {
            title: d.title.clone(),
            weights: format!("{}–{}%", d.weight_min, d.weight_max),
            objectives: d.objectives.iter().map(|o| o.title.clone()).collect(),
        })
        .collect()
}

async fn exam_page_with(
    state: &AppState,
    user: Option<&db::users::User>,
    code: &str,
    error: Option<String>,
) -> Result<HttpResponse> {
    let exam = db::exams::by_slug(&state.db, code)
        .await?
        .ok_or(AppError::NotFound)?;
    let (attempts, open_attempt) = match user {
        Some(u) => {
            let list = db::attempts::list_for_user_exam(&state.db, u.id, exam.id).await?;
            let open = list
                .iter()
                .find(|a| a.in_progress() && a.mode == "exam")
                .map(|a| a.id);
            (list.iter().map(summarise).collect(), open)
        }
        None => (vec![], None),
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut r = render(&ExamPage {
        ctx: PageCtx::new(user),
        domains: domain_weights(&exam.blueprint),
        exam,
        attempts,
        open_attempt,
        signed_in: user.is_some(),
        error,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

async fn exam_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(code): Path<String>,
) -> Result<HttpResponse> {
    exam_page_with(&state, user.as_ref(), &code, None).await
}

#[derive(Template)]
#[template(path = "exam/resume_offer.html")]
struct ResumeOffer {
    ctx: PageCtx,
    exam_code: String,
    attempt_id: Uuid,
}

async fn start(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
) -> Result<HttpResponse> {
    let exam = db::exams::by_slug(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    match engine::start_mock(
        &state.db,
        user.id,
        &exam,
        state.config.duration_override_seconds,
    )
    .await
    {
        Ok(CreateOutcome::Created(id)) => {
            metrics::counter!("mockexam_attempts_started_total", "mode" => "exam").increment(1);
            Ok(Redirect::to(&format!("/attempts/{id}")).into_response())
        }
        Ok(CreateOutcome::AlreadyOpen(id)) => {
            let mut r = render(&ResumeOffer {
                ctx: PageCtx::new(Some(&user)),
                exam_code: exam.code.clone(),
                attempt_id: id,
            })?;
            *r.status_mut() = StatusCode::CONFLICT;
            Ok(r)
        }
        Err(engine::StartError::Assembly(msg)) => {
            exam_page_with(
                &state,
                Some(&user),
                &code,
                Some(format!("A mock cannot be built from this bank yet: {msg}")),
            )
            .await
        }
        Err(engine::StartError::Db(e)) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "exam/attempts.html")]
struct MyAttempts {
    ctx: PageCtx,
    mocks: Vec<AttemptSummary>,
    practice: Vec<AttemptSummary>,
}

async fn my_attempts(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<HttpResponse> {
    let all = db::attempts::list_for_user(&state.db, user.id, 500).await?;
    let (mocks, practice): (Vec<_>, Vec<_>) = all.iter().partition(|a| a.mode == "exam");
    render(&MyAttempts {
        ctx: PageCtx::new(Some(&user)),
        mocks: mocks.into_iter().map(summarise).collect(),
        practice: practice.into_iter().map(summarise).collect(),
    })
}

// ---------- taking the exam ----------

/// Loads the candidate's own attempt (others' answer 404) and closes it if its time is up.
async fn load_attempt(state: &AppState, id: Uuid, user_id: Uuid) -> Result<AttemptRow> {
    let a = db::attempts::get_for_user(&state.db, id, user_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Within the grace period the attempt stays open so that answers still in flight land.
    if a.in_progress() && a.past_grace(state.config.grace_seconds) {
        engine::finalize(&state.db, a.id, "expired").await?;
        return db::attempts::get_for_user(&state.db, id, user_id)
            .await?
            .ok_or(AppError::NotFound);
    }
    Ok(a)
}

fn result_url(id: Uuid) -> String {
    format!("/attempts/{id}/result")
}

async fn resume(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<HttpResponse> {
    let a = load_attempt(&state, id, user.id).await?;
    if !a.in_progress() {
        return Ok(Redirect::to(&result_url(id)).into_response());
    }
    let items = db::attempts::items(&state.db, id).await?;
    // The first item that can still be answered and has no answer; else the review screen.
    let next = items
        .iter()
        .find(|i| !i.locked && !i.checked && !i.answered());
    Ok(match next {
        Some(i) => Redirect::to(&format!("/attempts/{id}/items/{}", i.position)).into_response(),
        None => Redirect::to(&format!("/attempts/{id}/review")).into_response(),
    })
}

pub struct TabView {
    pub id: String,
    pub title: String,
    pub html: String,
}

pub struct ScenarioView {
    pub kind: &'static str,
    pub title: String,
    pub tabs: Vec<TabView>,
}

pub struct Reveal {
    pub options: Vec<String>,
    pub correct: bool,
    pub points: u32,
    pub max: u32,
    pub your_answer: Vec<String>,
    pub correct_answer: Vec<String>,
    pub explanation_html: String,
    pub references: Vec<String>,
}

#[derive(Template)]
#[template(path = "exam/item.html")]
struct ItemPage {
    ctx: PageCtx,
    attempt_id: Uuid,
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
}

fn scenario_view(row: &ItemRow) -> Option<ScenarioView> {
    row.scenario.as_ref().map(|s| ScenarioView {
        kind: match s.0.kind {
            ScenarioKind::Case => "case",
            ScenarioKind::Series => "series",
        },
        title: s.0.title.clone(),
        tabs: s
            .0
            .tabs
            .iter()
            .enumerate()
            .map(|(i, (t, md))| TabView {
                id: format!("tab-{}", i + 1),
                title: t.clone(),
                html: crate::markdown::to_html(md),
            })
            .collect(),
    })
}

fn reveal(row: &ItemRow) -> Reveal {
    let body = &row.body.0.body;
    let resp = row.response.as_ref().map(|r| &r.0);
    let s = match resp {
        Some(r) => crate::domain::scoring::score(body, r),
        None => crate::domain::scoring::ItemScore {
            points: 0,
            max: crate::domain::scoring::max_points(body),
        },
    };
    let correct = Response::correct_for(body);
    Reveal {
        options: item_view::written_options(body),
        correct: s.points == s.max,
        points: s.points,
        max: s.max,
        your_answer: item_view::describe(body, resp),
        correct_answer: item_view::describe(body, Some(&correct)),
        explanation_html: crate::markdown::to_html(&row.body.0.explanation),
        references: row.body.0.references.clone(),
    }
}

async fn render_item(
    state: &AppState,
    user: &db::users::User,
    a: &AttemptRow,
    n: i32,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse> {
    // Navigation needs only where items sit; only the item on screen is loaded whole.
    let (items, row) = tokio::try_join!(
        db::attempts::nav_rows(&state.db, a.id),
        db::attempts::item(&state.db, a.id, n)
    )?;
    let row = row.ok_or(AppError::NotFound)?;
    let row = &row;
    if row.locked {
        let why = if row.section_kind == "series" {
            "You answered this problem–solution question; like on the real exam, it cannot be reopened."
        } else {
            "You left this case study, so its questions are closed."
        };
        let next = items.iter().find(|i| i.position > n && !i.locked);
        return Err(AppError::Conflict(match next {
            Some(i) => format!("{why} Continue with question {}.", i.position),
            None => format!("{why} Continue on the review screen."),
        }));
    }
    // An answered problem–solution question closes once the candidate is elsewhere.
    db::attempts::lock_left_series(&state.db, a.id, Some(n)).await?;
    // Entering another section closes a case study the candidate was in.
    let case_section = (row.section_kind == "case").then_some(row.section);
    if a.open_section != case_section {
        db::attempts::enter_section(&state.db, a.id, case_section).await?;
    }
    db::attempts::mark_viewed(&state.db, a.id, n).await?;
    let body = &row.body.0.body;
    let readonly = row.checked;
    let view = item_view::build(
        body,
        &row.body.0.stem,
        &row.permutation.0,
        row.response.as_ref().map(|r| &r.0),
        readonly,
    );
    let prev = items.iter().rev().find(|i| i.position < n && !i.locked);
    let next = items.iter().find(|i| i.position > n);
    let in_case = row.section_kind == "case";
    let leaves = |other: Option<&db::attempts::NavRow>| {
        in_case && other.is_none_or(|o| o.section != row.section)
    };
    let section_note = match row.section_kind.as_str() {
        "case" => Some(format!(
            "Case study: questions {}–{}. Once you leave this case study you cannot return to it.",
            items.iter().filter(|i| i.section == row.section).map(|i| i.position).min().unwrap_or(n),
            items.iter().filter(|i| i.section == row.section).map(|i| i.position).max().unwrap_or(n)
        )),
        "series" => Some(
            "Problem–solution set: each question presents a different solution to the same goal. After you answer a question in this set you cannot return to it, and it does not appear on the review screen."
                .to_string(),
        ),
        _ => None,
    };
    // A practice answer checked earlier stays hidden while the same question is in a mock.
    let mut revealable = a.is_practice() && row.checked;
    let mut section_note = section_note;
    if revealable && db::attempts::in_open_mock(&state.db, user.id, row.question_id).await? {
        revealable = false;
        section_note = Some(
            "This question is also in your full mock in progress, so its answer is shown after you submit that mock.".into(),
        );
    }
    let mut r = render(&ItemPage {
        ctx: PageCtx::new(Some(user)),
        attempt_id: a.id,
        exam_code: a.exam_code.clone(),
        practice: a.is_practice(),
        position: n,
        total: a.item_count,
        revision: row.revision,
        flagged: row.flagged,
        view,
        scenario: scenario_view(row),
        remaining: a.remaining(),
        section_note,
        has_prev: prev.is_some() && row.section_kind != "series",
        has_next: next.is_some(),
        leaving_case_on_next: leaves(next),
        leaving_case_on_prev: leaves(prev),
        in_case,
        error,
        reveal: revealable.then(|| reveal(row)),
        readonly,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

async fn item_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, n)): Path<(Uuid, i32)>,
) -> Result<HttpResponse> {
    let a = load_attempt(&state, id, user.id).await?;
    if !a.in_progress() {
        return Ok(Redirect::to(&result_url(id)).into_response());
    }
    render_item(&state, &user, &a, n, None, StatusCode::OK).await
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
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

async fn save_item(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, n)): Path<(Uuid, i32)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<HttpResponse> {
    let json = wants_json(&headers);
    let f = form_fields(&body);
    let a = db::attempts::get_for_user(&state.db, id, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let row = db::attempts::item(&state.db, id, n)
        .await?
        .ok_or(AppError::NotFound)?;
    let nav = field(&f, "nav").to_string();
    let flagged = field(&f, "flagged") == "on" || field(&f, "flagged") == "true";
    let base: i32 = match field(&f, "revision").parse() {
        Ok(r) => r,
        Err(_) => {
            return Err(AppError::BadRequest(
                "The form is missing its revision number; reload the page.".into(),
            ))
        }
    };
    let body_def = &row.body.0.body;

    let reply = |status: StatusCode,
                 saved: bool,
                 revision: i32,
                 error: Option<String>,
                 redirect: Option<String>| {
        (
            status,
            Json(SaveReply {
                saved,
                revision,
                remaining_seconds: a.remaining(),
                error,
                redirect,
            }),
        )
            .into_response()
    };

    if !a.in_progress() {
        let msg = "This attempt has been submitted; answers can no longer change.".to_string();
        return Ok(if json {
            reply(
                StatusCode::CONFLICT,
                false,
                row.revision,
                Some(msg),
                Some(result_url(id)),
            )
        } else {
            Redirect::to(&result_url(id)).into_response()
        });
    }

    // A page that only moves on (nothing changed) must not fail because the item is locked.
    let response = match Response::from_form(body_def, &f) {
        Ok(r) => r,
        Err(e) => {
            let msg = format!("Not saved: {e}.");
            return if json {
                Ok(reply(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    false,
                    row.revision,
                    Some(msg),
                    None,
                ))
            } else {
                render_item(
                    &state,
                    &user,
                    &a,
                    n,
                    Some(msg),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            };
        }
    };
    // A problem–solution answer becomes final when the candidate moves on, not while they are
    // still choosing (autosave posts `nav=stay`).
    // Autosave (JSON) never moves on; a form post moves on unless it says `stay`.
    let lock_after = row.section_kind == "series" && !json && nav != "stay";
    // Moving on from a closed question without changing it is just moving on.
    let unchanged =
        row.response.as_ref().map(|r| &r.0) == Some(&response) && row.flagged == flagged;
    if row.locked && unchanged {
        if json {
            return Ok(reply(StatusCode::OK, true, row.revision, None, None));
        }
        return Ok(navigate(&state, id, n, &nav, false).await?.into_response());
    }
    let outcome = db::attempts::save_response(
        &state.db,
        id,
        user.id,
        n,
        base,
        &response,
        flagged,
        state.config.grace_seconds,
        lock_after,
    )
    .await?;
    let (status, saved, revision, error) = match outcome {
        SaveOutcome::Saved { revision } => {
            metrics::counter!("mockexam_saves_total", "outcome" => "saved").increment(1);
            // Answering a question outside an open case study leaves the case study, exactly as
            // opening that question would.
            let target_case = (row.section_kind == "case").then_some(row.section);
            if a.open_section.is_some() && a.open_section != target_case {
                db::attempts::enter_section(&state.db, id, target_case).await?;
            }
            (StatusCode::OK, true, revision, None)
        }
        SaveOutcome::Stale { current_revision } => {
            metrics::counter!("mockexam_saves_total", "outcome" => "stale").increment(1);
            (
                StatusCode::CONFLICT,
                false,
                current_revision,
                Some("Not saved: this answer was changed in another tab or window after this page was loaded. Reload the page to see the newest answer.".to_string()),
            )
        }
        SaveOutcome::Locked => (
            StatusCode::CONFLICT,
            false,
            row.revision,
            Some(
                "Not saved: this question is closed and its answer can no longer change."
                    .to_string(),
            ),
        ),
        SaveOutcome::TooLate => {
            metrics::counter!("mockexam_saves_total", "outcome" => "too_late").increment(1);
            engine::finalize(&state.db, id, "expired").await?;
            return Ok(if json {
                reply(
                    StatusCode::CONFLICT,
                    false,
                    row.revision,
                    Some("Time is up: this answer arrived after the deadline. Your attempt was scored with the answers saved before it.".into()),
                    Some(result_url(id)),
                )
            } else {
                Redirect::to(&result_url(id)).into_response()
            });
        }
        SaveOutcome::Closed => {
            return Ok(if json {
                reply(
                    StatusCode::CONFLICT,
                    false,
                    row.revision,
                    Some("This attempt has been submitted.".into()),
                    Some(result_url(id)),
                )
            } else {
                Redirect::to(&result_url(id)).into_response()
            });
        }
        SaveOutcome::NotFound => return Err(AppError::NotFound),
    };
    if json {
        return Ok(reply(status, saved, revision, error, None));
    }
    if let Some(msg) = error {
        // The page shows the stored (newer) answer and says why this one was not saved.
        return render_item(&state, &user, &a, n, Some(msg), status).await;
    }
    if nav == "check" && a.is_practice() {
        let outcome = engine::check_practice_item(&state.db, id, user.id, n).await?;
        if let Some(msg) = check_refusal(outcome) {
            return render_item(&state, &user, &a, n, Some(msg), StatusCode::CONFLICT).await;
        }
    }
    Ok(navigate(&state, id, n, &nav, a.is_practice())
        .await?
        .into_response())
}

/// Where a question's form sends the candidate after saving: `nav` is prev, next, stay, check
/// (practice), submit or review.
async fn navigate(
    state: &AppState,
    id: Uuid,
    n: i32,
    nav: &str,
    practice: bool,
) -> Result<Redirect> {
    let items = db::attempts::nav_rows(&state.db, id).await?;
    let target = match nav {
        "prev" => items
            .iter()
            .rev()
            .find(|i| i.position < n && !i.locked)
            .map(|i| i.position),
        "next" => items
            .iter()
            .find(|i| i.position > n && !i.locked)
            .map(|i| i.position),
        "stay" => Some(n),
        "check" if practice => Some(n),
        _ => None,
    };
    Ok(match (nav, target) {
        ("submit", _) => Redirect::to(&format!("/attempts/{id}/submit")),
        (_, Some(p)) => Redirect::to(&format!("/attempts/{id}/items/{p}")),
        _ => Redirect::to(&format!("/attempts/{id}/review")),
    })
}

/// Practice: show the answer and explanation of an answered item.
async fn check_item(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, n)): Path<(Uuid, i32)>,
) -> Result<HttpResponse> {
    let a = load_attempt(&state, id, user.id).await?;
    if !a.is_practice() {
        return Err(AppError::BadRequest(
            "Answers are shown only after a full mock is submitted.".into(),
        ));
    }
    let outcome = engine::check_practice_item(&state.db, id, user.id, n).await?;
    if let Some(msg) = check_refusal(outcome) {
        let status = if outcome == engine::CheckOutcome::NotAnswered {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::CONFLICT
        };
        return render_item(&state, &user, &a, n, Some(msg), status).await;
    }
    Ok(Redirect::to(&format!("/attempts/{id}/items/{n}")).into_response())
}

/// Why an answer cannot be shown yet, in the candidate's words.
fn check_refusal(outcome: engine::CheckOutcome) -> Option<String> {
    match outcome {
        engine::CheckOutcome::Revealed => None,
        engine::CheckOutcome::NotAnswered => Some("Answer the question first, then check it.".into()),
        engine::CheckOutcome::InOpenMock => Some(
            "This question is also in your full mock in progress, so its answer is shown after you submit that mock.".into(),
        ),
    }
}

pub struct ReviewRow {
    pub position: i32,
    pub answered: bool,
    pub complete: bool,
    pub flagged: bool,
    pub locked: bool,
    pub section_kind: String,
    pub kind_label: &'static str,
}

#[derive(Template)]
#[template(path = "exam/review.html")]
struct ReviewPage {
    ctx: PageCtx,
    attempt_id: Uuid,
    exam_code: String,
    remaining: Option<i64>,
    rows: Vec<ReviewRow>,
    answered: usize,
    unanswered: usize,
    flagged: usize,
    hidden_series: usize,
    confirm: bool,
}

async fn review_rows(state: &AppState, id: Uuid) -> Result<(Vec<ReviewRow>, usize)> {
    let items = db::attempts::items(&state.db, id).await?;
    let mut hidden = 0;
    let rows = items
        .iter()
        .filter(|i| {
            // Answered problem–solution items are not listed, as on the real exam.
            let hide = i.section_kind == "series" && i.locked;
            hidden += hide as usize;
            !hide
        })
        .map(|i| ReviewRow {
            position: i.position,
            answered: i.answered(),
            complete: i
                .response
                .as_ref()
                .is_some_and(|r| r.0.is_complete(&i.body.0.body)),
            flagged: i.flagged,
            locked: i.locked,
            section_kind: i.section_kind.clone(),
            kind_label: i.body.0.body.kind().label(),
        })
        .collect();
    Ok((rows, hidden))
}

async fn review_or_confirm(
    state: &AppState,
    user: &db::users::User,
    id: Uuid,
    confirm: bool,
) -> Result<HttpResponse> {
    let a = load_attempt(state, id, user.id).await?;
    if !a.in_progress() {
        return Ok(Redirect::to(&result_url(id)).into_response());
    }
    // The review screen is outside every section: a case study left for it closes, and so do
    // answered problem–solution questions.
    if a.open_section.is_some() {
        db::attempts::enter_section(&state.db, id, None).await?;
    }
    db::attempts::lock_left_series(&state.db, id, None).await?;
    let (rows, hidden_series) = review_rows(state, id).await?;
    let answered = rows.iter().filter(|r| r.answered).count() + hidden_series;
    render(&ReviewPage {
        ctx: PageCtx::new(Some(user)),
        attempt_id: id,
        exam_code: a.exam_code.clone(),
        remaining: a.remaining(),
        answered,
        unanswered: rows.iter().filter(|r| !r.answered).count(),
        flagged: rows.iter().filter(|r| r.flagged).count(),
        rows,
        hidden_series,
        confirm,
    })
}

async fn review_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<HttpResponse> {
    review_or_confirm(&state, &user, id, false).await
}

async fn submit_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<HttpResponse> {
    review_or_confirm(&state, &user, id, true).await
}

async fn submit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<HttpResponse> {
    let a = db::attempts::get_for_user(&state.db, id, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if a.in_progress() {
        let reason = if a.expired() { "expired" } else { "candidate" };
        engine::finalize(&state.db, id, reason).await?;
    }
    Ok(Redirect::to(&result_url(id)).into_response())
}

async fn status(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<HttpResponse> {
    let a = load_attempt(&state, id, user.id).await?;
    Ok(Json(serde_json::json!({
        "status": a.status,
        "remaining_seconds": a.remaining(),
        "expired": a.in_progress() && a.expired(),
        "redirect": (!a.in_progress()).then(|| result_url(id)),
    }))
    .into_response())
}

// ---------- score report ----------

pub struct DomainBar {
    pub title: String,
    pub percent: f64,
    pub points: u32,
    pub max: u32,
    pub items: u32,
    /// The bar's length: the percentage, clamped to 0–100.
    pub width: f64,
}

pub struct ResultItem {
    pub position: i32,
    pub kind_label: &'static str,
    pub domain: String,
    pub stem_html: String,
    pub scenario_title: Option<String>,
    pub points: i32,
    pub max: i32,
    pub status: &'static str,
    pub options: Vec<String>,
    pub your_answer: Vec<String>,
    pub correct_answer: Vec<String>,
    pub explanation_html: String,
    pub references: Vec<String>,
    /// The question is also in a mock in progress: its answer waits for that mock.
    pub withheld: bool,
}

#[derive(Template)]
#[template(path = "exam/result.html")]
struct ResultPage {
    ctx: PageCtx,
    exam_code: String,
    exam_slug: String,
    practice: bool,
    scaled: i32,
    passed: bool,
    points: i32,
    max: i32,
    percent: f64,
    cut_percent: f64,
    time_used: String,
    time_allowed: String,
    reason: String,
    bars: Vec<DomainBar>,
    items: Vec<ResultItem>,
}

fn fmt_duration(secs: i64) -> String {
    let secs = secs.max(0);
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    if h > 0 {
        format!("{h} h {m:02} min")
    } else {
        format!("{m} min {s:02} s")
    }
}

async fn result_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<HttpResponse> {
    let a = load_attempt(&state, id, user.id).await?;
    if a.in_progress() {
        return Ok(Redirect::to(&format!("/attempts/{id}/review")).into_response());
    }
    let exam = db::exams::by_id(&state.db, a.exam_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let items = db::attempts::items(&state.db, id).await?;
    let domains = a
        .domain_scores
        .as_ref()
        .map(|d| d.0.clone())
        .unwrap_or_default();
    let bars: Vec<DomainBar> = domains
        .iter()
        .filter(|d| d.max > 0 || !a.is_practice())
        .map(|d| DomainBar {
            title: d.title.clone(),
            percent: d.percent,
            points: d.points,
            max: d.max,
            items: d.items,
            width: d.percent.clamp(0.0, 100.0),
        })
        .collect();
    let domain_title = |code: &str| {
        exam.blueprint
            .domains
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.title.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let open_mock = db::attempts::open_mock_questions(&state.db, user.id).await?;
    let result_items = items
        .iter()
        .map(|i| {
            let body = &i.body.0.body;
            let points = i.points.unwrap_or(0);
            let max = i.max_points.unwrap_or(0);
            if open_mock.contains(&i.question_id) {
                return ResultItem {
                    position: i.position,
                    kind_label: body.kind().label(),
                    domain: domain_title(&i.domain_code),
                    stem_html: item_view::report_stem(&i.body.0.stem),
                    scenario_title: i.scenario.as_ref().map(|s| s.0.title.clone()),
                    points: 0,
                    max,
                    status: "withheld",
                    options: vec![],
                    your_answer: item_view::describe(body, i.response.as_ref().map(|r| &r.0)),
                    correct_answer: vec![],
                    explanation_html: String::new(),
                    references: vec![],
                    withheld: true,
                };
            }
            ResultItem {
                position: i.position,
                kind_label: body.kind().label(),
                domain: domain_title(&i.domain_code),
                stem_html: item_view::report_stem(&i.body.0.stem),
                scenario_title: i.scenario.as_ref().map(|s| s.0.title.clone()),
                points,
                max,
                status: if points == max && max > 0 {
                    "correct"
                } else if points > 0 {
                    "partial"
                } else {
                    "incorrect"
                },
                options: item_view::written_options(body),
                your_answer: item_view::describe(body, i.response.as_ref().map(|r| &r.0)),
                correct_answer: item_view::describe(body, Some(&Response::correct_for(body))),
                explanation_html: crate::markdown::to_html(&i.body.0.explanation),
                references: i.body.0.references.clone(),
                withheld: false,
            }
        })
        .collect();
    let used = a
        .submitted_at
        .map(|s| (s - a.started_at).whole_seconds())
        .unwrap_or(0);
    let allowed = a.deadline_at.map(|d| (d - a.started_at).whole_seconds());
    let points = a.points.unwrap_or(0);
    let max = a.max_points.unwrap_or(0);
    render(&ResultPage {
        ctx: PageCtx::new(Some(&user)),
        exam_code: a.exam_code.clone(),
        exam_slug: a.exam_slug.clone(),
        practice: a.is_practice(),
        scaled: a.scaled_score.unwrap_or(0),
        passed: a.passed.unwrap_or(false),
        points,
        max,
        percent: if max > 0 {
            100.0 * points as f64 / max as f64
        } else {
            0.0
        },
        cut_percent: exam.blueprint.cut_percent,
        time_used: fmt_duration(used),
        time_allowed: allowed
            .map(fmt_duration)
            .unwrap_or_else(|| "untimed".into()),
        reason: match a.submit_reason.as_deref() {
            Some("candidate") => "You submitted this attempt.".into(),
            Some("expired") | Some("swept") => {
                "Time ran out; the attempt was scored with every answer saved before the deadline."
                    .into()
            }
            _ => String::new(),
        },
        bars,
        items: result_items,
    })
}
