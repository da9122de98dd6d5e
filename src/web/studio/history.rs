//! A question's history: its state with the workflow's buttons, every version with who wrote it,
//! a readable diff between any two versions, and revert.

use super::{editable, question, readable, Author};
use crate::bank::export::render_item;
use crate::db;
use crate::db::studio::{Event, VersionFull};
use crate::domain::line_diff::{self, Change};
use crate::domain::workflow;
use crate::engine::studio as engine;
use crate::engine::studio::Saved;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::types::{QuestionAction, QuestionStatus};
use crate::web::{field, form_fields, format, render, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

pub struct DiffLine {
    pub class: &'static str,
    pub sign: &'static str,
    pub text: String,
}

pub struct VersionView {
    pub version: i32,
    pub at: String,
    pub author: String,
    pub note: String,
    pub shown: i64,
}

#[derive(Template)]
#[template(path = "author/studio/history.html")]
struct HistoryPage {
    ctx: PageCtx,
    exam_code: String,
    exam_slug: String,
    ext_id: String,
    status: QuestionStatus,
    current: i32,
    can_edit: bool,
    from_files: bool,
    second_approval: bool,
    actions: Vec<(&'static str, &'static str)>,
    message: Option<String>,
    versions: Vec<VersionView>,
    a: i32,
    b: i32,
    diff: Vec<DiffLine>,
    events: Vec<(String, String, &'static str, i32, String)>,
}

#[derive(serde::Deserialize, Default)]
pub struct Compare {
    a: Option<i32>,
    b: Option<i32>,
    #[serde(default)]
    saved: String,
    #[serde(default)]
    done: String,
}

impl Compare {
    /// What the previous step did, said on the page it led to.
    fn message(&self, version: i32) -> Option<String> {
        match (self.saved.as_str(), self.done.as_str()) {
            ("1", _) => Some(format!("Saved as version {version}, a draft.")),
            (_, "") => None,
            (_, s) => QuestionStatus::parse(s)
                .map(|s| format!("Done: the question is now {}.", s.label().to_lowercase())),
        }
    }
}

fn button(action: QuestionAction) -> &'static str {
    match action {
        QuestionAction::Submit => "Send for review",
        QuestionAction::Approve => "Approve and publish",
        QuestionAction::SendBack => "Send back to draft",
        QuestionAction::Retire => "Retire",
        QuestionAction::Reopen => "Reopen as a draft",
        _ => "",
    }
}

/// The two versions' bank text, line by line.
fn diff_of(versions: &[VersionFull], a: i32, b: i32) -> Vec<DiffLine> {
    let text = |n: i32| {
        versions
            .iter()
            .find(|v| v.version == n)
            .map(|v| render_item(&v.body.0))
            .unwrap_or_default()
    };
    line_diff::diff(&text(a), &text(b))
        .into_iter()
        .map(|l| DiffLine {
            class: match l.change {
                Change::Same => "same",
                Change::Removed => "removed",
                Change::Added => "added",
            },
            sign: match l.change {
                Change::Same => " ",
                Change::Removed => "−",
                Change::Added => "+",
            },
            text: l.text,
        })
        .collect()
}

fn event_view(e: Event) -> (String, String, &'static str, i32, String) {
    (
        format::time(e.at),
        e.actor_name,
        e.action.label(),
        e.version,
        e.note,
    )
}

pub(super) async fn page(
    State(state): State<AppState>,
    Author(user): Author,
    Path((code, id)): Path<(String, String)>,
    Query(q): Query<Compare>,
) -> Result<Response> {
    let studio = readable(&state, &user, &code).await?;
    let head = question(&state, &studio, &id).await?;
    let (versions, (events, _)) = tokio::try_join!(
        db::studio::versions(&state.db, head.id),
        db::studio::events(&state.db, studio.exam.id, Some(&head.ext_id), 200, 0),
    )?;
    let b = q.b.unwrap_or(head.version);
    let a = q.a.unwrap_or((b - 1).max(1));
    let message = q.message(head.version);
    render(&HistoryPage {
        ctx: PageCtx::new(Some(&user)),
        exam_code: studio.exam.code.clone(),
        exam_slug: studio.exam.slug.clone(),
        ext_id: head.ext_id.clone(),
        status: head.status,
        current: head.version,
        can_edit: studio.can_edit(),
        from_files: studio.from_files(),
        second_approval: studio.meta.second_approval,
        actions: workflow::offered(head.status)
            .iter()
            .map(|a| (a.as_str(), button(*a)))
            .collect(),
        message,
        diff: diff_of(&versions, a, b),
        a,
        b,
        versions: versions
            .into_iter()
            .map(|v| VersionView {
                version: v.version,
                at: format::time(v.created_at),
                author: v
                    .author_name
                    .unwrap_or_else(|| "imported from files".into()),
                note: v.note,
                shown: v.shown,
            })
            .collect(),
        events: events.into_iter().map(event_view).collect(),
    })
}

pub(super) async fn revert(
    State(state): State<AppState>,
    Author(user): Author,
    Path((code, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let head = question(&state, &studio, &id).await?;
    let fields = form_fields(&body);
    let version: i32 = field(&fields, "version")
        .parse()
        .map_err(|_| AppError::BadRequest("Choose a version to revert to.".into()))?;
    match engine::revert(&state.db, &studio, &user, &head, version).await? {
        None => Err(AppError::BadRequest(format!(
            "{} has no version {version}.",
            head.ext_id
        ))),
        Some(Saved::Version(_)) => Ok(Redirect::to(&format!(
            "/author/exams/{}/questions/{}/history?saved=1",
            studio.exam.slug, head.ext_id
        ))
        .into_response()),
        Some(Saved::Invalid(problems)) => Err(AppError::Conflict(problems.join(" "))),
        Some(Saved::Conflict) => Err(AppError::Conflict(
            "Someone changed this question in the meantime; nothing was reverted.".into(),
        )),
    }
}

pub(super) async fn workflow(
    State(state): State<AppState>,
    Author(user): Author,
    Path((code, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let head = question(&state, &studio, &id).await?;
    let fields = form_fields(&body);
    let action = QuestionAction::parse(field(&fields, "action"))
        .ok_or_else(|| AppError::BadRequest("Choose what to do with the question.".into()))?;
    if field(&fields, "version") != head.version.to_string() {
        return Err(AppError::Conflict(format!(
            "{} changed to version {} since the page was opened; look at it again before deciding.",
            head.ext_id, head.version
        )));
    }
    let note = field(&fields, "note").trim().to_string();
    match engine::step(&state.db, &studio, &user, &head, action, &note).await? {
        Ok(to) => Ok(Redirect::to(&format!(
            "/author/exams/{}/questions/{}/history?done={}",
            studio.exam.slug, head.ext_id, to
        ))
        .into_response()),
        Err(why) => Err(AppError::Conflict(why)),
    }
}
