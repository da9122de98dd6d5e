//! The question editor: one form per kind with native controls, a preview drawn by the same
//! partial candidates see (`templates/_item_body.html`), on the server with the Preview button
//! and live as the author types (app.js posts the form to `…/preview`).

use super::{editable, question, Author};
use crate::bank::authoring::{
    letter, ItemForm, OPTION_ROWS, PART_ROWS, SLOT_CHOICE_ROWS, SLOT_ROWS,
};
use crate::db;
use crate::domain::item::{
    Choice, Item, ItemBody, ItemKind, OrderScoring, Response as Answer, Slot,
};
use crate::engine::studio::{self as engine, Saved, Studio};
use crate::error::{AppError, Result};
use crate::markdown;
use crate::state::AppState;
use crate::web::item_view::{self, Controls, ItemView};
use crate::web::{field, form_fields, render, render_with_status, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;

pub struct OptRow {
    pub n: usize,
    pub label: String,
    pub text: String,
    pub key: bool,
}

pub struct PartRow {
    pub n: usize,
    pub text: String,
    pub key: String,
}

pub struct SlotRow {
    pub n: usize,
    pub choices: Vec<OptRow>,
    pub key: String,
}

pub struct ObjectiveGroup {
    pub title: String,
    pub objectives: Vec<(String, String)>,
}

/// What the preview shows: the item through the candidates' partial, its key and explanation.
#[derive(Default)]
pub struct Preview {
    pub preview_item: Option<ItemView>,
    pub preview_key: Vec<String>,
    pub preview_explanation: String,
    pub preview_scenario: Option<(String, Vec<(String, String)>)>,
}

#[derive(Template)]
#[template(path = "author/studio/editor.html")]
struct EditorPage {
    ctx: PageCtx,
    exam_code: String,
    exam_slug: String,
    /// `None` for a new question.
    editing: Option<(String, i32)>,
    kind: &'static str,
    kind_label: &'static str,
    form: ItemForm,
    note: String,
    groups: Vec<ObjectiveGroup>,
    cases: Vec<(String, String)>,
    series: Vec<(String, String)>,
    letters: Vec<String>,
    options: Vec<OptRow>,
    steps: Vec<PartRow>,
    parts: Vec<PartRow>,
    slots: Vec<SlotRow>,
    errors: Vec<String>,
    preview: Preview,
}

#[derive(Template)]
#[template(path = "author/studio/preview_fragment.html")]
struct PreviewFragment {
    preview: Preview,
}

/// The editor's form as posted.
pub fn item_form(fields: &BTreeMap<String, Vec<String>>) -> ItemForm {
    let f = |name: &str| field(fields, name).to_string();
    let rows = |prefix: &str, n: usize| -> Vec<String> {
        (1..=n).map(|i| f(&format!("{prefix}{i}"))).collect()
    };
    ItemForm {
        id: f("id").trim().to_string(),
        kind: ItemKind::from_bank_name(field(fields, "kind")),
        objective: f("objective"),
        stem: f("stem").replace("\r\n", "\n"),
        explanation: f("explanation").replace("\r\n", "\n"),
        references: f("references").replace("\r\n", "\n"),
        reviewed: f("reviewed"),
        case: f("case"),
        series: f("series"),
        choose: f("choose"),
        scoring: f("scoring"),
        options: rows("opt", OPTION_ROWS),
        parts: rows("part", PART_ROWS),
        slots: (1..=SLOT_ROWS)
            .map(|s| rows(&format!("slot{s}_"), SLOT_CHOICE_ROWS))
            .collect(),
        key_letters: match field(fields, "kind") {
            "order" => rows("step", OPTION_ROWS),
            _ => fields.get("key").cloned().unwrap_or_default(),
        },
        key_parts: rows("keypart", PART_ROWS.max(SLOT_ROWS)),
        key_yes_no: f("key_yesno"),
    }
}

/// Rows shown for a list: what is written plus two blank ones, at least `min`.
fn shown(len: usize, min: usize, max: usize) -> usize {
    (len + 2).max(min).min(max)
}

fn used_len(rows: &[String]) -> usize {
    rows.iter()
        .rposition(|r| !r.trim().is_empty())
        .map_or(0, |i| i + 1)
}

impl EditorPage {
    fn new(studio: &Studio, scenarios: &[crate::domain::item::Scenario], form: ItemForm) -> Self {
        let bp = &studio.exam.blueprint;
        let kind = form.kind.unwrap_or(ItemKind::Single);
        let n_opts = shown(used_len(&form.options), 4, OPTION_ROWS);
        let n_parts = shown(used_len(&form.parts), 3, PART_ROWS);
        let n_slots = shown(
            form.slots
                .iter()
                .rposition(|s| used_len(s) > 0)
                .map_or(0, |i| i + 1),
            2,
            SLOT_ROWS,
        )
        .min(SLOT_ROWS);
        let get = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
        let options = (0..n_opts)
            .map(|i| OptRow {
                n: i + 1,
                label: letter(i),
                text: get(&form.options, i),
                key: form.key_letters.iter().any(|k| k.trim() == letter(i)),
            })
            .collect();
        let steps = (0..n_opts)
            .map(|i| PartRow {
                n: i + 1,
                text: String::new(),
                key: get(&form.key_letters, i),
            })
            .collect();
        let parts = (0..n_parts)
            .map(|i| PartRow {
                n: i + 1,
                text: get(&form.parts, i),
                key: get(&form.key_parts, i),
            })
            .collect();
        let slots = (0..n_slots)
            .map(|s| {
                let choices = form.slots.get(s).cloned().unwrap_or_default();
                SlotRow {
                    n: s + 1,
                    choices: (0..shown(used_len(&choices), 3, SLOT_CHOICE_ROWS))
                        .map(|i| OptRow {
                            n: i + 1,
                            label: letter(i),
                            text: get(&choices, i),
                            key: false,
                        })
                        .collect(),
                    key: get(&form.key_parts, s),
                }
            })
            .collect();
        let pick = |k: crate::domain::item::ScenarioKind| {
            scenarios
                .iter()
                .filter(|s| s.kind == k)
                .map(|s| (s.id.clone(), s.title.clone()))
                .collect()
        };
        EditorPage {
            ctx: PageCtx::default(),
            exam_code: studio.exam.code.clone(),
            exam_slug: studio.exam.slug.clone(),
            editing: None,
            kind: kind.bank_name(),
            kind_label: kind.label(),
            groups: bp
                .domains
                .iter()
                .map(|d| ObjectiveGroup {
                    title: d.title.clone(),
                    objectives: d
                        .objectives
                        .iter()
                        .map(|o| (o.code.clone(), o.title.clone()))
                        .collect(),
                })
                .collect(),
            cases: pick(crate::domain::item::ScenarioKind::Case),
            series: pick(crate::domain::item::ScenarioKind::Series),
            letters: (0..n_opts.max(SLOT_CHOICE_ROWS)).map(letter).collect(),
            options,
            steps,
            parts,
            slots,
            form,
            note: String::new(),
            errors: vec![],
            preview: Preview::default(),
        }
    }
}

fn choices(rows: &[String]) -> Vec<Choice> {
    rows.iter()
        .enumerate()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(i, t)| Choice {
            id: letter(i),
            text: t.trim().to_string(),
        })
        .collect()
}

fn numbered(rows: &[String]) -> Vec<Choice> {
    rows.iter()
        .enumerate()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(i, t)| Choice {
            id: (i + 1).to_string(),
            text: t.trim().to_string(),
        })
        .collect()
}

/// The item as far as the form describes it, even while it does not pass the checks yet, so the
/// preview follows the author's typing.
fn draft_body(form: &ItemForm) -> ItemBody {
    let trimmed = |v: &[String]| -> Vec<String> {
        v.iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    match form.kind.unwrap_or(ItemKind::Single) {
        ItemKind::Single => ItemBody::Single {
            options: choices(&form.options),
            key: trimmed(&form.key_letters)
                .into_iter()
                .next()
                .unwrap_or_default(),
        },
        ItemKind::Multiple => ItemBody::Multiple {
            options: choices(&form.options),
            choose: form.choose.trim().parse().unwrap_or(2),
            key: trimmed(&form.key_letters),
        },
        ItemKind::Order => ItemBody::Order {
            actions: choices(&form.options),
            key: trimmed(&form.key_letters),
            scoring: if form.scoring == "per-position" {
                OrderScoring::PerPosition
            } else {
                OrderScoring::AllOrNothing
            },
        },
        ItemKind::Dropdown => {
            let slots: Vec<Slot> = form
                .slots
                .iter()
                .enumerate()
                .filter(|(_, s)| used_len(s) > 0)
                .map(|(i, s)| Slot {
                    number: i as u32 + 1,
                    choices: choices(s),
                })
                .collect();
            let key = (0..slots.len())
                .map(|i| form.key_parts.get(i).cloned().unwrap_or_default())
                .collect();
            ItemBody::Dropdown { slots, key }
        }
        ItemKind::Grid => {
            let statements = numbered(&form.parts);
            let key = (0..statements.len())
                .map(|i| form.key_parts.get(i).is_some_and(|k| k == "yes"))
                .collect();
            ItemBody::Grid { statements, key }
        }
        ItemKind::Match => {
            let prompts = numbered(&form.parts);
            let key = (0..prompts.len())
                .map(|i| form.key_parts.get(i).cloned().unwrap_or_default())
                .collect();
            ItemBody::Match {
                prompts,
                choices: choices(&form.options),
                key,
            }
        }
        ItemKind::YesNo => ItemBody::YesNo {
            key: form.key_yes_no == "yes",
        },
    }
}

/// The preview of a form: the candidates' partial, the key as the score report words it, the
/// explanation, and the case study or series it joins.
pub fn preview_of(form: &ItemForm, scenarios: &[crate::domain::item::Scenario]) -> Preview {
    let body = draft_body(form);
    let item = Item {
        id: form.id.clone(),
        objective: form.objective.clone(),
        stem: form.stem.clone(),
        explanation: form.explanation.clone(),
        references: vec![],
        case: None,
        series: None,
        reviewed: None,
        body,
    };
    let group = [&form.case, &form.series]
        .into_iter()
        .find(|g| !g.trim().is_empty());
    Preview {
        preview_item: Some(item_view::build(
            &item.body,
            &item.stem,
            &Default::default(),
            None,
            true,
        )),
        preview_key: item_view::describe(
            &item.body,
            &Default::default(),
            Some(&Answer::correct_for(&item.body)),
        ),
        preview_explanation: markdown::to_html(&item.explanation),
        preview_scenario: group
            .and_then(|g| scenarios.iter().find(|s| &s.id == g))
            .map(|s| {
                (
                    s.title.clone(),
                    s.tabs
                        .iter()
                        .map(|(t, md)| (t.clone(), markdown::to_html(md)))
                        .collect(),
                )
            }),
    }
}

async fn scenarios_of(
    state: &AppState,
    studio: &Studio,
) -> Result<Vec<crate::domain::item::Scenario>> {
    Ok(db::studio::scenarios(&state.db, studio.exam.id)
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect())
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
    let kind = ItemKind::from_bank_name(&p.kind).ok_or_else(|| {
        AppError::BadRequest(format!(
            "“{}” is not a kind of question; choose one from the list of questions.",
            p.kind
        ))
    })?;
    let form = ItemForm {
        kind: Some(kind),
        ..ItemForm::default()
    };
    let scenarios = scenarios_of(&state, &studio).await?;
    let mut page = EditorPage::new(&studio, &scenarios, form);
    page.ctx = PageCtx::new(Some(&user));
    render(&page)
}

pub(super) async fn edit_page(
    State(state): State<AppState>,
    Author(user): Author,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let head = question(&state, &studio, &id).await?;
    let scenarios = scenarios_of(&state, &studio).await?;
    let form = ItemForm::from_item(&head.body.0);
    let mut page = EditorPage::new(&studio, &scenarios, form);
    page.ctx = PageCtx::new(Some(&user));
    page.editing = Some((head.ext_id, head.version));
    render(&page)
}

pub(super) async fn create(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let fields = form_fields(&body);
    submit(&state, &studio, &user, &fields, None).await
}

pub(super) async fn update(
    State(state): State<AppState>,
    Author(user): Author,
    Path((code, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let head = question(&state, &studio, &id).await?;
    let fields = form_fields(&body);
    if field(&fields, "based_on") != head.version.to_string() {
        return Err(AppError::Conflict(format!(
            "Version {} of {} was saved after you opened the editor; nothing was changed. Open the editor again to start from it.",
            head.version, head.ext_id
        )));
    }
    submit(&state, &studio, &user, &fields, Some(head)).await
}

/// Preview (the editor again, with the preview) or save (a new version, then its page).
async fn submit(
    state: &AppState,
    studio: &Studio,
    user: &crate::db::users::User,
    fields: &BTreeMap<String, Vec<String>>,
    head: Option<db::studio::Head>,
) -> Result<Response> {
    let form = item_form(fields);
    let scenarios = scenarios_of(state, studio).await?;
    let note = field(fields, "note").trim().to_string();
    let outcome = if field(fields, "do") == "save" {
        Some(engine::save_question(&state.db, studio, user, &form, head.as_ref(), &note).await?)
    } else {
        None
    };
    let errors = match outcome {
        Some(Saved::Version(_)) => {
            let id = head.as_ref().map_or(form.id.trim(), |h| h.ext_id.as_str());
            let to = format!("/author/exams/{}/questions/{id}/history?saved=1", studio.exam.slug);
            return Ok(Redirect::to(&to).into_response());
        }
        Some(Saved::Conflict) => {
            return Err(AppError::Conflict("Someone changed this question while you were editing it; nothing was saved. Open the editor again.".into()))
        }
        Some(Saved::Invalid(errors)) => errors,
        None => vec![],
    };
    let mut page = EditorPage::new(studio, &scenarios, form.clone());
    page.ctx = PageCtx::new(Some(user));
    page.editing = head.map(|h| (h.ext_id, h.version));
    page.note = note;
    page.preview = preview_of(&form, &scenarios);
    if errors.is_empty() {
        return render(&page);
    }
    page.errors = errors;
    render_with_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
}

/// The preview alone, for the editor's script to swap in as the author types.
pub(super) async fn live_preview(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let form = item_form(&form_fields(&body));
    let scenarios = scenarios_of(&state, &studio).await?;
    render(&PreviewFragment {
        preview: preview_of(&form, &scenarios),
    })
}
