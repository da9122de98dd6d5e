//! The instructor's studio: who may open and change which exam, saving questions as new
//! versions after `bank check`'s checks, the review workflow, exams of one's own, and resolving
//! candidates' reports.
//!
//! - **Access** ([`open`]): an exam from question-bank files is readable by every instructor and
//!   changed only through its files; an exam written in the browser is visible only to its
//!   owner and co-owners (anyone else gets "not found", as for an exam that does not exist).
//! - **Saving** ([`save_question`], [`revert`]): the form is checked by `bank::authoring` (the
//!   parser and checks of `bank check`), every save is a new immutable version and leaves a draft
//!   (`domain::workflow`), recorded in the exam's trail.
//! - **Workflow** ([`step`]): the transition rules of `domain::workflow`, applied only if nobody
//!   changed the question in between.

use crate::bank::authoring::{self, ItemForm, ScenarioForm};
use crate::db;
use crate::db::exams::ExamRow;
use crate::db::studio::{ExamMeta, Head, NewVersion};
use crate::db::users::User;
use crate::domain::exam_form::ExamForm;
use crate::domain::workflow;
use crate::types::{QuestionAction, QuestionStatus};
use anyhow::Context;
use sqlx::PgPool;

/// An exam opened in the studio by an instructor.
pub struct Studio {
    pub exam: ExamRow,
    pub meta: ExamMeta,
}

impl Studio {
    /// Changes go through the browser (a studio exam the viewer owns or co-owns).
    pub fn can_edit(&self) -> bool {
        self.meta.source == "studio" && self.meta.is_editor
    }
    /// The exam's source is its files: the browser shows it read-only.
    pub fn from_files(&self) -> bool {
        self.meta.source == "files"
    }
}

/// The exam at `slug` if this instructor may open it.
#[tracing::instrument(skip_all, fields(user = %user.id, exam = slug), err)]
pub async fn open(db: &PgPool, slug: &str, user: &User) -> anyhow::Result<Option<Studio>> {
    Ok(db::studio::exam_for(db, slug, user.id)
        .await?
        .filter(|(_, meta)| meta.source == "files" || meta.is_editor)
        .map(|(exam, meta)| Studio { exam, meta }))
}

/// What became of a save.
#[derive(Debug)]
pub enum Saved {
    Version(i32),
    /// Problems, in `bank check`'s words.
    Invalid(Vec<String>),
    /// Someone changed the question since the form was opened.
    Conflict,
}

/// The scenario a question joins, as (version id, scenario).
fn scenario_of<'a>(
    item: &crate::domain::item::Item,
    all: &'a [(uuid::Uuid, crate::domain::item::Scenario)],
) -> Option<&'a (uuid::Uuid, crate::domain::item::Scenario)> {
    let group = item.case.as_ref().or(item.series.as_ref())?;
    all.iter().find(|(_, s)| &s.id == group)
}

/// Checks a form; the item and the scenario version it shows with, or the problems.
pub async fn check_form(
    db: &PgPool,
    studio: &Studio,
    form: &ItemForm,
) -> anyhow::Result<Result<(crate::domain::item::Item, Option<uuid::Uuid>), Vec<String>>> {
    let scenarios = db::studio::scenarios(db, studio.exam.id).await?;
    let plain: Vec<_> = scenarios.iter().map(|(_, s)| s.clone()).collect();
    Ok(
        authoring::check_item(form, &studio.exam.blueprint, &plain).map(|item| {
            let sv = scenario_of(&item, &scenarios).map(|(id, _)| *id);
            (item, sv)
        }),
    )
}

/// Saves a question written in the editor: new (`existing` is `None`) or a new version.
#[tracing::instrument(skip_all, fields(user = %user.id, exam = %studio.exam.code), err)]
pub async fn save_question(
    db: &PgPool,
    studio: &Studio,
    user: &User,
    form: &ItemForm,
    existing: Option<&Head>,
    note: &str,
) -> anyhow::Result<Saved> {
    let mut form = form.clone();
    if let Some(h) = existing {
        // The id names the question for attempts and exports: it never changes.
        form.id = h.ext_id.clone();
    } else if db::studio::id_taken(db, studio.exam.id, form.id.trim()).await? {
        return Ok(Saved::Invalid(vec![format!(
            "duplicate id `{}` (already used in this exam)",
            form.id.trim()
        )]));
    }
    let (item, scenario_version) = match check_form(db, studio, &form).await? {
        Ok(x) => x,
        Err(problems) => return Ok(Saved::Invalid(problems)),
    };
    write(db, studio, user, &item, scenario_version, existing, note).await
}

async fn write(
    db: &PgPool,
    studio: &Studio,
    user: &User,
    item: &crate::domain::item::Item,
    scenario_version: Option<uuid::Uuid>,
    existing: Option<&Head>,
    note: &str,
) -> anyhow::Result<Saved> {
    let action = match existing {
        None => QuestionAction::Create,
        Some(_) if note.starts_with("Reverted") => QuestionAction::Revert,
        Some(_) => QuestionAction::Edit,
    };
    let from = existing.map(|h| h.status);
    if let Err(refusal) = workflow::next(from, action, request(studio, user, existing)) {
        return Ok(Saved::Invalid(vec![refusal.to_string()]));
    }
    let saved = db::studio::save_version(
        db,
        NewVersion {
            exam_id: studio.exam.id,
            item,
            scenario_version,
            author: user.id,
            author_name: &user.display_name,
            action,
            note,
        },
        existing.map(|h| (h.id, h.status)),
    )
    .await?;
    Ok(saved.map_or(Saved::Conflict, Saved::Version))
}

fn request(studio: &Studio, user: &User, head: Option<&Head>) -> workflow::Request {
    workflow::Request {
        actor: user.id,
        author: head.and_then(|h| h.author_id),
        second_approval: studio.meta.second_approval,
    }
}

/// Makes a new version equal to an old one (its content and scenario version).
#[tracing::instrument(skip_all, fields(user = %user.id, exam = %studio.exam.code, version), err)]
pub async fn revert(
    db: &PgPool,
    studio: &Studio,
    user: &User,
    head: &Head,
    version: i32,
) -> anyhow::Result<Option<Saved>> {
    let versions = db::studio::versions(db, head.id).await?;
    let Some(old) = versions.iter().find(|v| v.version == version) else {
        return Ok(None);
    };
    let note = format!("Reverted to version {version}");
    let saved = write(
        db,
        studio,
        user,
        &old.body.0,
        old.scenario_version_id,
        Some(head),
        &note,
    )
    .await?;
    Ok(Some(saved))
}

/// Applies a workflow step; the new state, or why it was refused.
#[tracing::instrument(skip_all, fields(user = %user.id, exam = %studio.exam.code, question = %head.ext_id), err)]
pub async fn step(
    db: &PgPool,
    studio: &Studio,
    user: &User,
    head: &Head,
    action: QuestionAction,
    note: &str,
) -> anyhow::Result<Result<QuestionStatus, String>> {
    if matches!(
        action,
        QuestionAction::Create | QuestionAction::Edit | QuestionAction::Revert
    ) {
        return Ok(Err("Use the editor to save a new version.".into()));
    }
    let to = match workflow::next(Some(head.status), action, request(studio, user, Some(head))) {
        Ok(to) => to,
        Err(refusal) => return Ok(Err(refusal.to_string())),
    };
    let done = db::studio::transition(
        db,
        studio.exam.id,
        head,
        (user.id, &user.display_name),
        action,
        to,
        note,
    )
    .await?;
    Ok(if done {
        Ok(to)
    } else {
        Err("Someone changed this question in the meantime; look at it again.".into())
    })
}

/// Saves a case study or series and gives each of its questions a new version that shows it
/// (a draft again: the changed scenario is reviewed with its questions).
#[tracing::instrument(skip_all, fields(user = %user.id, exam = %studio.exam.code), err)]
pub async fn save_scenario(
    db: &PgPool,
    studio: &Studio,
    user: &User,
    form: &ScenarioForm,
    is_new: bool,
) -> anyhow::Result<Result<String, Vec<String>>> {
    let scenario = match authoring::check_scenario(form) {
        Ok(s) => s,
        Err(problems) => return Ok(Err(problems)),
    };
    if is_new && db::studio::id_taken(db, studio.exam.id, &scenario.id).await? {
        return Ok(Err(vec![format!(
            "duplicate id `{}` (already used in this exam)",
            scenario.id
        )]));
    }
    let version = db::studio::save_scenario(db, studio.exam.id, &scenario).await?;
    for ext in db::studio::members_of(db, studio.exam.id, &scenario.id).await? {
        let Some(head) = db::studio::head(db, studio.exam.id, &ext).await? else {
            continue;
        };
        if head.status == QuestionStatus::Retired {
            continue;
        }
        let note = format!("{} “{}” changed", scenario.kind.as_str(), scenario.title);
        write(
            db,
            studio,
            user,
            &head.body.0,
            Some(version),
            Some(&head),
            &note,
        )
        .await?;
    }
    Ok(Ok(scenario.id))
}

/// Creates an exam owned by `user`; its address, or (field, message) problems.
#[tracing::instrument(skip_all, fields(user = %user.id), err)]
pub async fn create_exam(
    db: &PgPool,
    user: &User,
    form: &ExamForm,
) -> anyhow::Result<Result<String, Vec<(String, String)>>> {
    let bp = match form.to_blueprint() {
        Ok(bp) => bp,
        Err(e) => return Ok(Err(e)),
    };
    Ok(
        match db::studio::create_exam(db, &bp, user.id, form.second_approval).await? {
            Some(slug) => Ok(slug),
            None => Err(vec![(
                "code".into(),
                format!(
                    "The code {} is taken by another exam; choose another.",
                    bp.code
                ),
            )]),
        },
    )
}

/// Changes a studio exam's blueprint. Objectives that questions use cannot be removed.
#[tracing::instrument(skip_all, fields(user = %user.id, exam = %studio.exam.code), err)]
pub async fn update_exam(
    db: &PgPool,
    studio: &Studio,
    user: &User,
    form: &ExamForm,
) -> anyhow::Result<Result<(), Vec<(String, String)>>> {
    let mut form = form.clone();
    form.code = studio.exam.code.clone();
    let bp = match form.to_blueprint() {
        Ok(bp) => bp,
        Err(e) => return Ok(Err(e)),
    };
    let used = db::studio::objectives_in_use(db, studio.exam.id).await?;
    let missing: Vec<String> = used
        .into_iter()
        .filter(|o| bp.objective(o).is_none())
        .collect();
    if !missing.is_empty() {
        return Ok(Err(vec![(
            String::new(),
            format!(
                "Questions use the objective(s) {}: keep them in the blueprint (retired questions included, so that attempts stay readable).",
                missing.join(", ")
            ),
        )]));
    }
    db::studio::update_exam(db, studio.exam.id, &bp, form.second_approval).await?;
    Ok(Ok(()))
}

/// Writes a checked import plan into an exam made in the browser, in one transaction: each new or
/// changed case study and series gets a new scenario version; each new or changed question, and
/// each question of a changed scenario, a new draft version by this instructor with the file's
/// name as its note (the review workflow publishes them, as for questions written in the editor).
/// `Err` says why nothing was written: a question the workflow does not let this instructor
/// change (a retired one), or one changed by someone else meanwhile.
#[tracing::instrument(skip_all, fields(user = %user.id, exam = %studio.exam.code), err)]
pub async fn import_plan(
    pool: &PgPool,
    studio: &Studio,
    user: &User,
    plan: &crate::bank::formats::plan::Plan,
) -> anyhow::Result<Result<db::bank::ImportReport, String>> {
    use crate::bank::formats::plan::ChangeKind;
    use std::collections::{HashMap, HashSet};
    anyhow::ensure!(studio.can_edit(), "the exam is not editable in the browser");
    let bank = plan
        .bank
        .as_ref()
        .context("an import plan without a bank")?;
    let exam_id = studio.exam.id;
    let touched: HashSet<&str> = plan
        .changes
        .iter()
        .filter(|c| c.change != ChangeKind::Unchanged)
        .map(|c| c.id.as_str())
        .collect();
    let mut versions: HashMap<String, uuid::Uuid> = db::studio::scenarios(pool, exam_id)
        .await?
        .into_iter()
        .map(|(v, s)| (s.id, v))
        .collect();
    let file = plan
        .file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("a file");
    let note = format!("Imported from {file}");
    let mut report = db::bank::ImportReport {
        exam_code: studio.exam.code.clone(),
        new_questions: 0,
        new_versions: 0,
        unchanged: plan.count(ChangeKind::Unchanged) as u32,
        retired: 0,
    };
    let mut tx = pool.begin().await.context("starting an import")?;
    let mut rewritten: HashSet<&str> = HashSet::new();
    for s in &bank.scenarios {
        if touched.contains(s.value.id.as_str()) {
            let v = db::studio::save_scenario_in(&mut tx, exam_id, &s.value).await?;
            versions.insert(s.value.id.clone(), v);
            rewritten.insert(s.value.id.as_str());
        }
    }
    for located in &bank.items {
        let item = &located.value;
        let group = item.case.as_ref().or(item.series.as_ref());
        let in_file = touched.contains(item.id.as_str());
        if !in_file && !group.is_some_and(|g| rewritten.contains(g.as_str())) {
            continue;
        }
        let head = db::studio::head(&mut *tx, exam_id, &item.id).await?;
        if !in_file
            && head
                .as_ref()
                .is_some_and(|h| h.status == QuestionStatus::Retired)
        {
            // A retired member of a changed scenario stays as it was (as in the editor).
            continue;
        }
        let action = if head.is_some() {
            QuestionAction::Edit
        } else {
            QuestionAction::Create
        };
        if let Err(refusal) = workflow::next(
            head.as_ref().map(|h| h.status),
            action,
            request(studio, user, head.as_ref()),
        ) {
            return Ok(Err(format!("`{}`: {refusal}", item.id)));
        }
        let saved = db::studio::save_version_in(
            &mut tx,
            NewVersion {
                exam_id,
                item,
                scenario_version: group.and_then(|g| versions.get(g)).copied(),
                author: user.id,
                author_name: &user.display_name,
                action,
                note: &note,
            },
            head.as_ref().map(|h| (h.id, h.status)),
        )
        .await?;
        if saved.is_none() {
            return Ok(Err(format!(
                "`{}` was changed by someone else while the import ran; check the file again.",
                item.id
            )));
        }
        match head {
            None => report.new_questions += 1,
            Some(_) => report.new_versions += 1,
        }
    }
    tx.commit().await.context("committing an import")?;
    db::analyze(pool).await?;
    Ok(Ok(report))
}
