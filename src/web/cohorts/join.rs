//! Joining a cohort (by link or by typing the code), with a consent line that says exactly what
//! the instructors will see, and leaving it.

use super::super::{render_with_status, CurrentUser, PageCtx};
use super::manage::consent_text;
use super::{date, parse_id};
use crate::db;
use crate::db::cohorts::InviteRow;
use crate::db::users::User;
use crate::domain::cohort;
use crate::engine;
use crate::engine::cohorts::{CodeRefusal, JoinOutcome};
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::types::CohortId;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "cohorts/join.html")]
struct CodePage {
    ctx: PageCtx,
    code: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "cohorts/join_confirm.html")]
struct ConfirmPage {
    ctx: PageCtx,
    code: String,
    display: String,
    name: String,
    exam_code: String,
    exam_title: String,
    expires: String,
    consent: String,
    member: bool,
    teaches: bool,
    cohort_id: CohortId,
}

fn refused(user: &User, typed: &str, why: &CodeRefusal) -> Result<Response> {
    let status = match why {
        CodeRefusal::Unknown => StatusCode::NOT_FOUND,
        CodeRefusal::Expired(_) => StatusCode::GONE,
    };
    let page = CodePage {
        ctx: PageCtx::new(Some(user)),
        code: typed.chars().take(40).collect(),
        error: Some(why.message()),
    };
    render_with_status(&page, status)
}

pub(super) async fn code_form(CurrentUser(user): CurrentUser) -> Result<Response> {
    let page = CodePage {
        ctx: PageCtx::new(Some(&user)),
        code: String::new(),
        error: None,
    };
    render_with_status(&page, StatusCode::OK)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub(super) async fn lookup(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Form(form): Form<CodeForm>,
) -> Result<Response> {
    match engine::cohorts::invite(&state.db, &form.code).await? {
        Ok(_) => {
            let code = cohort::normalise_code(&form.code).unwrap_or_default();
            Ok(Redirect::to(&format!("/join/{code}")).into_response())
        }
        Err(why) => {
            let page = CodePage {
                ctx: PageCtx::new(Some(&user)),
                code: form.code.chars().take(40).collect(),
                error: Some(why.message()),
            };
            render_with_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

async fn confirm_page(state: &AppState, user: &User, invite: InviteRow) -> Result<Response> {
    let id = invite.cohort_id;
    let (instructors, member) = tokio::try_join!(
        db::cohorts::instructors(&state.db, id),
        db::cohorts::is_member(&state.db, id, user.id),
    )?;
    let page = ConfirmPage {
        ctx: PageCtx::new(Some(user)),
        display: cohort::display_code(&invite.code),
        code: invite.code,
        name: invite.name,
        exam_code: invite.exam_code,
        exam_title: invite.exam_title,
        expires: date(invite.expires_at.date()),
        consent: consent_text(&instructors),
        teaches: instructors.iter().any(|i| i.user_id == user.id),
        member,
        cohort_id: id,
    };
    render_with_status(&page, StatusCode::OK)
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
) -> Result<Response> {
    match engine::cohorts::invite(&state.db, &code).await? {
        Ok(invite) => confirm_page(&state, &user, invite).await,
        Err(why) => refused(&user, &code, &why),
    }
}

pub(super) async fn join(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
) -> Result<Response> {
    match engine::cohorts::join(&state.db, user.id, &code).await? {
        JoinOutcome::Joined(_) | JoinOutcome::AlreadyMember(_) => {
            Ok(Redirect::to("/cohorts#memberships").into_response())
        }
        JoinOutcome::TeachesIt(id) => Ok(Redirect::to(&format!("/cohorts/{id}")).into_response()),
        JoinOutcome::Refused(why) => refused(&user, &code, &why),
    }
}

pub(super) async fn leave(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let id: CohortId = parse_id(&id)?;
    if !engine::cohorts::leave(&state.db, user.id, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/cohorts#memberships").into_response())
}
