//! The case-study and series editor. Saving a scenario gives each of its questions a new
//! version showing it (drafts again, so the change is reviewed with them).

use super::{editable, Author};
use crate::bank::authoring::{ScenarioForm, TAB_ROWS};
use crate::db;
use crate::domain::item::ScenarioKind;
use crate::engine::studio::{self as engine, Studio};
use crate::error::{AppError, Result};
use crate::markdown;
use crate::state::AppState;
use crate::web::{field, form_fields, render, render_with_status, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "author/studio/scenario.html")]
struct ScenarioPage {
    ctx: PageCtx,
    exam_code: String,
    exam_slug: String,
    is_new: bool,
    is_case: bool,
    form: ScenarioForm,
    tabs: Vec<(usize, String, String)>,
    members: Vec<String>,
    errors: Vec<String>,
    preview: Vec<(String, String)>,
}

impl ScenarioPage {
    fn new(
        studio: &Studio,
        user: &crate::db::users::User,
        form: ScenarioForm,
        is_new: bool,
    ) -> Self {
        let is_case = form.kind != Some(ScenarioKind::Series);
        let rows = if is_case {
            (form.tabs.len() + 1).clamp(3, TAB_ROWS)
        } else {
            1
        };
        ScenarioPage {
            ctx: PageCtx::new(Some(user)),
            exam_code: studio.exam.code.clone(),
            exam_slug: studio.exam.slug.clone(),
            is_new,
            is_case,
            tabs: (0..rows)
                .map(|i| {
                    let (t, md) = form.tabs.get(i).cloned().unwrap_or_default();
                    (i + 1, t, md)
                })
                .collect(),
            preview: form
                .tabs
                .iter()
                .filter(|(_, md)| !md.trim().is_empty())
                .map(|(t, md)| (t.clone(), markdown::to_html(md)))
                .collect(),
            form,
            members: vec![],
            errors: vec![],
        }
    }
}

fn scenario_form(body: &[u8]) -> (ScenarioForm, bool) {
    let fields = form_fields(body);
    let kind = match field(&fields, "kind") {
        "series" => ScenarioKind::Series,
        _ => ScenarioKind::Case,
    };
    let tabs = (1..=TAB_ROWS)
        .map(|i| {
            let title = field(&fields, &format!("tab{i}_title")).trim().to_string();
            let title = if kind == ScenarioKind::Series {
                "Scenario".to_string()
            } else {
                title
            };
            (
                title,
                field(&fields, &format!("tab{i}_text")).replace("\r\n", "\n"),
            )
        })
        .filter(|(t, md)| !md.trim().is_empty() || (kind == ScenarioKind::Case && !t.is_empty()))
        .collect();
    let form = ScenarioForm {
        id: field(&fields, "id").trim().to_string(),
        kind: Some(kind),
        title: field(&fields, "title").to_string(),
        tabs,
    };
    (form, field(&fields, "do") == "save")
}

#[derive(serde::Deserialize)]
pub struct KindParam {
    #[serde(default)]
    kind: String,
}

pub(super) async fn new_page(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    Query(p): Query<KindParam>,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let kind = if p.kind == "series" {
        ScenarioKind::Series
    } else {
        ScenarioKind::Case
    };
    let form = ScenarioForm {
        kind: Some(kind),
        ..ScenarioForm::default()
    };
    render(&ScenarioPage::new(&studio, &user, form, true))
}

pub(super) async fn edit_page(
    State(state): State<AppState>,
    Author(user): Author,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let all = db::studio::scenarios(&state.db, studio.exam.id).await?;
    let (_, s) = all
        .into_iter()
        .find(|(_, s)| s.id == id)
        .ok_or(AppError::NotFound)?;
    let mut page = ScenarioPage::new(&studio, &user, ScenarioForm::from_scenario(&s), false);
    page.members = db::studio::members_of(&state.db, studio.exam.id, &id).await?;
    render(&page)
}

pub(super) async fn create(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let (form, save) = scenario_form(&body);
    submit(&state, &studio, &user, form, save, true).await
}

pub(super) async fn update(
    State(state): State<AppState>,
    Author(user): Author,
    Path((code, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let all = db::studio::scenarios(&state.db, studio.exam.id).await?;
    let (_, old) = all
        .into_iter()
        .find(|(_, s)| s.id == id)
        .ok_or(AppError::NotFound)?;
    let (mut form, save) = scenario_form(&body);
    // Its id and kind name it for its questions: they stay.
    form.id = old.id;
    form.kind = Some(old.kind);
    submit(&state, &studio, &user, form, save, false).await
}

async fn submit(
    state: &AppState,
    studio: &Studio,
    user: &crate::db::users::User,
    form: ScenarioForm,
    save: bool,
    is_new: bool,
) -> Result<Response> {
    let errors = if save {
        match engine::save_scenario(&state.db, studio, user, &form, is_new).await? {
            Ok(_) => {
                let to = format!(
                    "/author/exams/{}/questions?saved-scenario={}",
                    studio.exam.slug, form.id
                );
                return Ok(Redirect::to(&to).into_response());
            }
            Err(errors) => errors,
        }
    } else {
        vec![]
    };
    let mut page = ScenarioPage::new(studio, user, form, is_new);
    if !is_new {
        page.members = db::studio::members_of(&state.db, studio.exam.id, &page.form.id).await?;
    }
    if errors.is_empty() {
        return render(&page);
    }
    page.errors = errors;
    render_with_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
}
