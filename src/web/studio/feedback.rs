//! The feedback queue: what candidates reported on the exam's questions, each with the item, its
//! figures and the answer the candidate had given; resolving a report links the version that
//! fixed it (or says why nothing needed to change).

use super::{editable, readable, Author};
use crate::db;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::web::{field, form_fields, format, item_view, render, PageCtx};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;

pub struct ReportView {
    /// `attempt:position`, the report's key in the resolve form.
    pub key: String,
    pub ext_id: String,
    pub version: i64,
    pub latest: i64,
    pub body: String,
    pub at: String,
    pub stem: String,
    pub answer: Vec<String>,
    pub figures: String,
    pub flag: Option<&'static str>,
    pub resolved: Option<String>,
}

#[derive(Template)]
#[template(path = "author/studio/feedback.html")]
struct FeedbackPage {
    ctx: PageCtx,
    exam_code: String,
    exam_slug: String,
    can_edit: bool,
    all: bool,
    open: usize,
    reports: Vec<ReportView>,
    message: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct Params {
    #[serde(default)]
    all: String,
    #[serde(default)]
    resolved: String,
}

fn view(
    r: db::studio::Report,
    figures: &HashMap<String, crate::domain::bank_browse::Row>,
) -> ReportView {
    let item = &r.item.0;
    let f = figures.get(&r.ext_id);
    ReportView {
        key: format!("{}:{}", r.attempt_id, r.position),
        answer: match &r.response {
            Some(resp) if !resp.0.is_empty() => {
                item_view::describe(&item.body, &r.permutation.0, Some(&resp.0))
            }
            _ => vec!["No answer given".into()],
        },
        stem: item_view::plain(&item.stem).chars().take(160).collect(),
        figures: f.map_or("—".into(), |f| {
            let pct = |x: Option<f64>| x.map_or("—".into(), |v| format!("{v:.0}"));
            format!(
                "{} answers · facility {}% · discrimination {}",
                f.answers,
                pct(f.facility),
                pct(f.discrimination)
            )
        }),
        flag: f.and_then(|f| f.flag),
        latest: f.map_or(r.version as i64, |f| f.versions),
        resolved: r.resolved_at.map(|at| {
            let by = r
                .resolver
                .clone()
                .unwrap_or_else(|| "a former instructor".into());
            let fix = r
                .resolved_version
                .map_or(String::new(), |v| format!(", fixed in version {v}"));
            let why = if r.resolution.is_empty() {
                String::new()
            } else {
                format!(": “{}”", r.resolution)
            };
            format!("Resolved by {by}, {}{fix}{why}", format::time(at))
        }),
        ext_id: r.ext_id,
        version: r.version as i64,
        body: r.body,
        at: format::time(r.created_at),
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    Query(p): Query<Params>,
) -> Result<Response> {
    let studio = readable(&state, &user, &code).await?;
    let all = p.all == "1";
    let (reports, rows) = tokio::try_join!(
        db::studio::reports(&state.db, studio.exam.id, all),
        super::browse::rows_with_figures(&state.db, studio.exam.id),
    )?;
    let figures: HashMap<String, _> = rows.into_iter().map(|r| (r.ext_id.clone(), r)).collect();
    let reports: Vec<ReportView> = reports.into_iter().map(|r| view(r, &figures)).collect();
    render(&FeedbackPage {
        ctx: PageCtx::new(Some(&user)),
        exam_code: studio.exam.code.clone(),
        exam_slug: studio.exam.slug.clone(),
        can_edit: studio.can_edit(),
        all,
        open: reports.iter().filter(|r| r.resolved.is_none()).count(),
        reports,
        message: (p.resolved == "1").then(|| "Report resolved.".to_string()),
    })
}

pub(super) async fn resolve(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let fields = form_fields(&body);
    let bad =
        || AppError::BadRequest("That report could not be read; open the queue again.".into());
    let (attempt, position) = field(&fields, "report").split_once(':').ok_or_else(bad)?;
    let attempt: uuid::Uuid = attempt.parse().map_err(|_| bad())?;
    let position: i32 = position.parse().map_err(|_| bad())?;
    let version = match field(&fields, "version") {
        "" => None,
        v => Some(
            v.parse::<i32>()
                .map_err(|_| AppError::BadRequest(format!("“{v}” is not a version number.")))?,
        ),
    };
    let resolution = field(&fields, "resolution").trim();
    if version.is_none() && resolution.is_empty() {
        return Err(AppError::BadRequest(
            "Say which version fixed it, or why nothing needed to change.".into(),
        ));
    }
    match db::studio::resolve_report(
        &state.db,
        studio.exam.id,
        (attempt, position),
        user.id,
        resolution,
        version,
    )
    .await?
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/author/exams/{}/feedback?resolved=1",
            studio.exam.slug
        ))
        .into_response()),
        Err("no-version") => Err(AppError::BadRequest(format!(
            "The question has no version {}.",
            version.unwrap_or(0)
        ))),
        Err(_) => Err(AppError::NotFound),
    }
}
