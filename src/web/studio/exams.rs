//! Exams of one's own: creating an exam (its blueprint) in the browser, changing it, and sharing
//! it with co-owners. Exams from question-bank files show their blueprint read-only.

use super::{editable, readable, Author};
use crate::db;
use crate::domain::exam_form::{DomainForm, ExamForm, DOMAIN_ROWS};
use crate::engine::studio::{self as engine, Studio};
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::types::UserId;
use crate::web::{field, form_fields, render, render_with_status, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "author/studio/exam_form.html")]
struct ExamFormPage {
    ctx: PageCtx,
    /// `None` when creating.
    exam: Option<(String, String)>,
    read_only: Option<String>,
    form: ExamForm,
    domains: Vec<(usize, DomainForm)>,
    errors: Vec<String>,
    co_owners: Vec<(UserId, String, String)>,
    owner: String,
    message: Option<String>,
}

impl ExamFormPage {
    fn new(user: &crate::db::users::User, form: ExamForm) -> Self {
        let rows = (form.domains.len() + 2).clamp(3, DOMAIN_ROWS);
        ExamFormPage {
            ctx: PageCtx::new(Some(user)),
            exam: None,
            read_only: None,
            domains: (0..rows)
                .map(|i| (i + 1, form.domains.get(i).cloned().unwrap_or_default()))
                .collect(),
            form,
            errors: vec![],
            co_owners: vec![],
            owner: String::new(),
            message: None,
        }
    }

    async fn for_exam(
        state: &AppState,
        user: &crate::db::users::User,
        studio: &Studio,
        form: ExamForm,
    ) -> Result<Self> {
        let mut page = ExamFormPage::new(user, form);
        page.exam = Some((studio.exam.code.clone(), studio.exam.slug.clone()));
        page.read_only = (!studio.can_edit()).then(|| super::read_only_message(studio));
        page.co_owners = db::studio::co_owners(&state.db, studio.exam.id).await?;
        page.owner = studio.meta.owner_name.clone().unwrap_or_default();
        Ok(page)
    }
}

fn exam_form(body: &[u8]) -> ExamForm {
    let fields = form_fields(body);
    let f = |n: &str| field(&fields, n).to_string();
    ExamForm {
        code: f("code"),
        title: f("title"),
        duration_minutes: f("duration_minutes"),
        question_count: f("question_count"),
        cut_percent: f("cut_percent"),
        listed: f("listed") == "on",
        second_approval: f("second_approval") == "on",
        domains: (1..=DOMAIN_ROWS)
            .map(|i| DomainForm {
                code: f(&format!("d{i}_code")),
                title: f(&format!("d{i}_title")),
                weight_min: f(&format!("d{i}_weight_min")),
                weight_max: f(&format!("d{i}_weight_max")),
                objectives: f(&format!("d{i}_objectives")).replace("\r\n", "\n"),
            })
            .collect(),
    }
}

fn messages(errors: Vec<(String, String)>) -> Vec<String> {
    errors.into_iter().map(|(_, m)| m).collect()
}

pub(super) async fn new_page(
    State(_state): State<AppState>,
    Author(user): Author,
) -> Result<Response> {
    render(&ExamFormPage::new(&user, ExamForm::default()))
}

pub(super) async fn create(
    State(state): State<AppState>,
    Author(user): Author,
    body: Bytes,
) -> Result<Response> {
    let form = exam_form(&body);
    match engine::create_exam(&state.db, &user, &form).await? {
        Ok(slug) => Ok(Redirect::to(&format!("/author/exams/{slug}/questions")).into_response()),
        Err(errors) => {
            let mut page = ExamFormPage::new(&user, form);
            page.errors = messages(errors);
            render_with_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

#[derive(serde::Deserialize, Default)]
pub struct Saved {
    #[serde(default)]
    saved: String,
}

pub(super) async fn settings_page(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    Query(q): Query<Saved>,
) -> Result<Response> {
    let studio = readable(&state, &user, &code).await?;
    let form = ExamForm::from_blueprint(&studio.exam.blueprint, studio.meta.second_approval);
    let mut page = ExamFormPage::for_exam(&state, &user, &studio, form).await?;
    page.message = match q.saved.as_str() {
        "blueprint" => Some("Blueprint saved.".into()),
        "co-owners" => Some("Co-owners saved.".into()),
        _ => None,
    };
    render(&page)
}

pub(super) async fn update(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let form = exam_form(&body);
    match engine::update_exam(&state.db, &studio, &user, &form).await? {
        Ok(()) => Ok(Redirect::to(&format!(
            "/author/exams/{}/settings?saved=blueprint",
            studio.exam.slug
        ))
        .into_response()),
        Err(errors) => {
            let mut page = ExamFormPage::for_exam(&state, &user, &studio, form).await?;
            page.errors = messages(errors);
            render_with_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

pub(super) async fn add_co_owner(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let fields = form_fields(&body);
    let email = field(&fields, "email").trim().to_lowercase();
    let other = db::users::by_email(&state.db, &email).await?;
    match other {
        Some(o) if o.role.can_author() && o.id != user.id => {
            db::studio::add_co_owner(&state.db, studio.exam.id, o.id).await?;
            Ok(Redirect::to(&format!(
                "/author/exams/{}/settings?saved=co-owners",
                studio.exam.slug
            ))
            .into_response())
        }
        Some(o) if o.id == user.id => {
            Err(AppError::BadRequest("You already edit this exam.".into()))
        }
        _ => Err(AppError::BadRequest(format!(
            "No instructor account has the address {email}: co-owners need an instructor account."
        ))),
    }
}

pub(super) async fn remove_co_owner(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let fields = form_fields(&body);
    let id: UserId = field(&fields, "user")
        .parse()
        .map_err(|_| AppError::BadRequest("Choose a co-owner to remove.".into()))?;
    db::studio::remove_co_owner(&state.db, studio.exam.id, id).await?;
    Ok(Redirect::to(&format!(
        "/author/exams/{}/settings?saved=co-owners",
        studio.exam.slug
    ))
    .into_response())
}
