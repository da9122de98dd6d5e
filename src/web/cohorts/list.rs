//! `/cohorts`: the cohorts an instructor teaches (and the form to create one), and the cohorts
//! a candidate belongs to, with a way to join another and to leave.

use super::super::{render_with_status, CurrentUser, PageCtx};
use crate::db;
use crate::db::cohorts::{CohortListRow, MembershipRow};
use crate::db::exams::ExamRow;
use crate::db::users::User;
use crate::domain::cohort::DEFAULT_CODE_DAYS;
use crate::engine;
use crate::error::Result;
use crate::state::AppState;
use crate::web::session::Instructor;
use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub exam: String,
    #[serde(default)]
    pub target_date: String,
    #[serde(default)]
    pub code_days: String,
}

#[derive(Template)]
#[template(path = "cohorts/index.html")]
struct Index {
    ctx: PageCtx,
    teaches: bool,
    taught: Vec<CohortListRow>,
    memberships: Vec<MembershipRow>,
    exams: Vec<ExamRow>,
    form: CreateForm,
    problems: Vec<String>,
}

async fn page(
    state: &AppState,
    user: &User,
    form: CreateForm,
    problems: Vec<String>,
) -> Result<Response> {
    let teaches = user.role.can_author();
    let (taught, memberships, exams) = tokio::try_join!(
        async {
            match teaches {
                true => db::cohorts::list_for_instructor(&state.db, user.id).await,
                false => Ok(vec![]),
            }
        },
        db::cohorts::memberships(&state.db, user.id),
        db::exams::list(&state.db),
    )?;
    let status = match problems.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let form = CreateForm {
        code_days: match form.code_days.is_empty() {
            true => DEFAULT_CODE_DAYS.to_string(),
            false => form.code_days,
        },
        ..form
    };
    let page = Index {
        ctx: PageCtx::new(Some(user)),
        teaches,
        taught,
        memberships,
        exams,
        form,
        problems,
    };
    render_with_status(&page, status)
}

pub(super) async fn index(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    page(&state, &user, CreateForm::default(), vec![]).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    Instructor(user): Instructor,
    Form(form): Form<CreateForm>,
) -> Result<Response> {
    let exams = db::exams::list(&state.db).await?;
    let today = time::OffsetDateTime::now_utc().date();
    let checked = engine::cohorts::check_new_cohort(
        &form.name,
        &form.exam,
        &form.target_date,
        &form.code_days,
        &exams,
        today,
    );
    match checked {
        Ok(c) => {
            let id = engine::cohorts::create(&state.db, user.id, &c).await?;
            Ok(Redirect::to(&format!("/cohorts/{id}/manage")).into_response())
        }
        Err(problems) => page(&state, &user, form, problems).await,
    }
}
