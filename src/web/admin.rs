//! Instructor and admin pages: the bank overview per exam, and user roles.

use super::session::{Admin, Instructor};
use super::{field, form_fields, render, PageCtx};
use crate::app::AppState;
use crate::db;
use crate::error::{AppError, Result};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/author", get(author_home))
        .route("/author/exams/{code}", get(author_exam))
        .route("/admin/users", get(users_page))
        .route("/admin/users/{id}/role", post(set_role))
}

#[derive(Template)]
#[template(path = "author/index.html")]
struct AuthorHome {
    ctx: PageCtx,
    exams: Vec<db::exams::ExamRow>,
}

async fn author_home(
    State(state): State<AppState>,
    Instructor(user): Instructor,
) -> Result<Response> {
    let exams = db::exams::list(&state.db).await?;
    render(&AuthorHome {
        ctx: PageCtx::new(Some(&user)),
        exams,
    })
}

pub struct DomainRow {
    pub code: String,
    pub title: String,
    pub counts: Vec<i64>,
    pub total: i64,
}

#[derive(Template)]
#[template(path = "author/exam.html")]
struct AuthorExam {
    ctx: PageCtx,
    exam: db::exams::ExamRow,
    kinds: Vec<&'static str>,
    domains: Vec<DomainRow>,
    questions: Vec<db::exams::QuestionSummary>,
}

async fn author_exam(
    State(state): State<AppState>,
    Instructor(user): Instructor,
    Path(code): Path<String>,
) -> Result<Response> {
    let exam = db::exams::by_slug(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    let counts = db::exams::bank_counts(&state.db, exam.id).await?;
    let kinds: Vec<&'static str> = crate::domain::item::ItemKind::ALL
        .iter()
        .map(|k| k.bank_name())
        .collect();
    let domains = exam
        .blueprint
        .domains
        .iter()
        .map(|d| {
            let counts: Vec<i64> = kinds
                .iter()
                .map(|k| {
                    counts
                        .iter()
                        .find(|c| c.domain_code == d.code && c.kind == *k)
                        .map(|c| c.n)
                        .unwrap_or(0)
                })
                .collect();
            DomainRow {
                code: d.code.clone(),
                title: d.title.clone(),
                total: counts.iter().sum(),
                counts,
            }
        })
        .collect();
    let questions = db::exams::question_summaries(&state.db, exam.id).await?;
    render(&AuthorExam {
        ctx: PageCtx::new(Some(&user)),
        exam,
        kinds,
        domains,
        questions,
    })
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    ctx: PageCtx,
    users: Vec<db::users::User>,
    me: uuid::Uuid,
}

async fn users_page(State(state): State<AppState>, Admin(user): Admin) -> Result<Response> {
    let users = db::users::list(&state.db).await?;
    render(&UsersPage {
        ctx: PageCtx::new(Some(&user)),
        me: user.id,
        users,
    })
}

async fn set_role(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<uuid::Uuid>,
    body: Bytes,
) -> Result<Response> {
    let f = form_fields(&body);
    let role = field(&f, "role");
    if !["candidate", "instructor", "admin"].contains(&role) {
        return Err(AppError::BadRequest(format!(
            "“{role}” is not a role (candidate, instructor, admin)."
        )));
    }
    if id == admin.id {
        return Err(AppError::BadRequest(
            "You cannot change your own role.".into(),
        ));
    }
    db::users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::users::set_role(&state.db, id, role).await?;
    Ok(Redirect::to("/admin/users").into_response())
}
