//! The exam's audit log: every save and workflow step, with who and when, newest first.

use super::{readable, Author};
use crate::db;
use crate::error::Result;
use crate::state::AppState;
use crate::web::{format, render, PageCtx};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;

const PER_PAGE: i64 = 50;

pub struct EventRow {
    pub at: String,
    pub ext_id: String,
    pub actor: String,
    pub action: &'static str,
    pub from: String,
    pub to: &'static str,
    pub version: i32,
    pub note: String,
}

#[derive(Template)]
#[template(path = "author/studio/log.html")]
struct LogPage {
    ctx: PageCtx,
    exam_code: String,
    exam_slug: String,
    events: Vec<EventRow>,
    page: i64,
    pages: i64,
    total: i64,
}

#[derive(serde::Deserialize, Default)]
pub struct PageParam {
    page: Option<i64>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    Query(p): Query<PageParam>,
) -> Result<Response> {
    let studio = readable(&state, &user, &code).await?;
    let page = p.page.unwrap_or(1).max(1);
    let (events, total) = db::studio::events(
        &state.db,
        studio.exam.id,
        None,
        PER_PAGE,
        (page - 1) * PER_PAGE,
    )
    .await?;
    render(&LogPage {
        ctx: PageCtx::new(Some(&user)),
        exam_code: studio.exam.code.clone(),
        exam_slug: studio.exam.slug.clone(),
        events: events
            .into_iter()
            .map(|e| EventRow {
                at: format::time(e.at),
                ext_id: e.ext_id,
                actor: e.actor_name,
                action: e.action.label(),
                from: e.from_status.map_or("—".into(), |s| s.label().to_string()),
                to: e.to_status.label(),
                version: e.version,
                note: e.note,
            })
            .collect(),
        page,
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
        total,
    })
}
