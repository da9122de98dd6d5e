//! Inviting and teaching: the cohort's join code and link (new code, expiry, stop inviting),
//! its instructors (add a co-instructor, remove one) and its members.

use super::super::{render_with_status, CurrentUser, PageCtx};
use super::{date, parse_id, relative_days, taught};
use crate::db;
use crate::db::cohorts::{CohortRow, PersonRow};
use crate::db::exams::ExamRow;
use crate::db::users::User;
use crate::domain::cohort;
use crate::engine;
use crate::engine::cohorts::AddInstructor;
use crate::error::Result;
use crate::state::AppState;
use crate::types::UserId;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

pub struct MemberEntry {
    pub name: String,
    pub email: String,
    pub joined: String,
}

#[derive(Template)]
#[template(path = "cohorts/manage.html")]
struct ManagePage {
    ctx: PageCtx,
    id: String,
    name: String,
    exam_code: String,
    code: Option<String>,
    code_path: String,
    link_text: String,
    code_live: bool,
    expires: String,
    days: String,
    instructors: Vec<PersonRow>,
    me: UserId,
    members: Vec<MemberEntry>,
    email: String,
    error: Option<String>,
    notice: Option<String>,
    consent: String,
}

/// What a member agrees to at join time; the same words appear on the join page.
pub fn consent_text(instructors: &[PersonRow]) -> String {
    let names: Vec<&str> = instructors
        .iter()
        .map(|i| i.display_name.as_str())
        .collect();
    format!(
        "The cohort's instructors ({}) will see your name and email address; your readiness for this cohort's exam (chance of passing, mastery by skill area and objective, and your readiness report); your activity on that exam (when you were last active, how many full mocks and practice questions, and minutes); and your assignments' status and results. They will not see your answers to individual questions, your other exams or your password. You can leave the cohort at any time; they then stop seeing all of it.",
        names.join(", ")
    )
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    user: &User,
    c: CohortRow,
    exam: ExamRow,
    headers: &HeaderMap,
    email: String,
    error: Option<String>,
    notice: Option<String>,
) -> Result<Response> {
    let (instructors, members) = tokio::try_join!(
        db::cohorts::instructors(&state.db, c.id),
        db::cohorts::members(&state.db, c.id, exam.id),
    )?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let today = time::OffsetDateTime::now_utc().date();
    let mut members: Vec<MemberEntry> = members
        .into_iter()
        .map(|m| MemberEntry {
            name: m.display_name,
            email: m.email,
            joined: date(m.joined_at.date()),
        })
        .collect();
    members.sort_by_key(|m| m.name.to_lowercase());
    let status = match error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let page = ManagePage {
        ctx: PageCtx::new(Some(user)),
        id: c.id.to_string(),
        name: c.name.clone(),
        exam_code: exam.code.clone(),
        code: c.join_code.as_deref().map(cohort::display_code),
        code_path: c
            .join_code
            .as_deref()
            .map(|k| format!("/join/{k}"))
            .unwrap_or_default(),
        link_text: c
            .join_code
            .as_deref()
            .map(|k| format!("{host}/join/{k}"))
            .unwrap_or_default(),
        code_live: c.code_live,
        expires: c
            .join_expires_at
            .map(|t| {
                format!(
                    "{} ({})",
                    date(t.date()),
                    relative_days((t.date() - today).whole_days())
                )
            })
            .unwrap_or_default(),
        days: cohort::DEFAULT_CODE_DAYS.to_string(),
        consent: consent_text(&instructors),
        instructors,
        me: user.id,
        members,
        email,
        error,
        notice,
    };
    render_with_status(&page, status)
}

pub(super) async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response> {
    let (c, exam) = taught(&state, &user, &id).await?;
    page(&state, &user, c, exam, &headers, String::new(), None, None).await
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    days: String,
}

pub(super) async fn new_code(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response> {
    let (c, exam) = taught(&state, &user, &id).await?;
    match cohort::code_days(&form.days) {
        Ok(days) => {
            engine::cohorts::new_code(&state.db, c.id, days).await?;
            Ok(Redirect::to(&format!("/cohorts/{}/manage#invite", c.id)).into_response())
        }
        Err(e) => {
            page(
                &state,
                &user,
                c,
                exam,
                &headers,
                String::new(),
                Some(e),
                None,
            )
            .await
        }
    }
}

pub(super) async fn stop_code(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let (c, _) = taught(&state, &user, &id).await?;
    db::cohorts::clear_join_code(&state.db, c.id).await?;
    Ok(Redirect::to(&format!("/cohorts/{}/manage#invite", c.id)).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct InstructorForm {
    #[serde(default)]
    email: String,
}

pub(super) async fn add_instructor(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<InstructorForm>,
) -> Result<Response> {
    let (c, exam) = taught(&state, &user, &id).await?;
    let outcome = engine::cohorts::add_instructor(&state.db, c.id, &form.email).await?;
    let message = outcome.message(form.email.trim());
    match outcome {
        AddInstructor::Added(_) | AddInstructor::Already(_) => {
            page(
                &state,
                &user,
                c,
                exam,
                &headers,
                String::new(),
                None,
                Some(message),
            )
            .await
        }
        _ => {
            page(
                &state,
                &user,
                c,
                exam,
                &headers,
                form.email,
                Some(message),
                None,
            )
            .await
        }
    }
}

pub(super) async fn remove_instructor(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, who)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response> {
    let (c, exam) = taught(&state, &user, &id).await?;
    let who: UserId = parse_id(&who)?;
    if db::cohorts::remove_instructor(&state.db, c.id, who).await? {
        let to = match who == user.id {
            true => "/cohorts".to_string(),
            false => format!("/cohorts/{}/manage#instructors", c.id),
        };
        return Ok(Redirect::to(&to).into_response());
    }
    let why = "A cohort needs at least one instructor: add another before removing this one.";
    page(
        &state,
        &user,
        c,
        exam,
        &headers,
        String::new(),
        Some(why.into()),
        None,
    )
    .await
}
