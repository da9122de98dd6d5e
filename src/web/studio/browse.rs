//! The bank browser: search, filters, sorting by any column or figure, pages whose links keep
//! the query.

use super::{query_string, readable, Author};
use crate::db;
use crate::domain::bank_browse::{self, FlagFilter, Query, Row, SortKey};
use crate::domain::item::ItemKind;
use crate::error::Result;
use crate::state::AppState;
use crate::types::QuestionStatus;
use crate::web::{render, PageCtx};
use askama::Template;
use axum::extract::{Path, Query as UrlQuery, State};
use axum::response::Response;
use std::collections::HashMap;

/// The browser's query as it appears in the URL.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Params {
    #[serde(default)]
    q: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    objective: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    flag: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    dir: String,
    #[serde(default)]
    page: String,
}

impl Params {
    fn query(&self) -> Query {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Query {
            text: self.q.trim().to_string(),
            domain: some(&self.domain),
            objective: some(&self.objective),
            kind: some(&self.kind),
            status: QuestionStatus::parse(&self.status),
            flag: match self.flag.as_str() {
                "" => FlagFilter::Any,
                "look" => FlagFilter::NeedsLook,
                "none" => FlagFilter::NoFlag,
                f => FlagFilter::Is(f.to_string()),
            },
            sort: SortKey::parse(&self.sort).unwrap_or(SortKey::Position),
            descending: self.dir == "desc",
            page: self.page.parse().unwrap_or(1).max(1),
            per_page: 50,
        }
    }

    /// This query with some fields replaced, as a link.
    fn link(&self, base: &str, changes: &[(&str, String)]) -> String {
        let mut pairs: Vec<(&str, String)> = vec![
            ("q", self.q.clone()),
            ("domain", self.domain.clone()),
            ("objective", self.objective.clone()),
            ("kind", self.kind.clone()),
            ("status", self.status.clone()),
            ("flag", self.flag.clone()),
            ("sort", self.sort.clone()),
            ("dir", self.dir.clone()),
            ("page", self.page.clone()),
        ];
        for (k, v) in changes {
            if let Some(p) = pairs.iter_mut().find(|p| p.0 == *k) {
                p.1 = v.clone();
            }
        }
        format!("{base}{}", query_string(&pairs))
    }
}

pub struct Column {
    pub label: &'static str,
    pub href: String,
    /// `ascending`/`descending` on the sorted column (aria-sort), else "".
    pub sorted: &'static str,
    pub numeric: bool,
}

pub struct PageLink {
    pub n: usize,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "author/studio/browse.html")]
struct BrowsePage {
    ctx: PageCtx,
    exam_code: String,
    exam_slug: String,
    can_edit: bool,
    from_files: bool,
    params: Params,
    domains: Vec<(String, String)>,
    objectives: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    flags: Vec<String>,
    columns: Vec<Column>,
    rows: Vec<Row>,
    total: usize,
    all: usize,
    pages: Vec<PageLink>,
    prev: Option<String>,
    next: Option<String>,
}

/// Rows of the browser with item-analysis figures, in bank order.
pub async fn rows_with_figures(
    pool: &sqlx::PgPool,
    exam_id: crate::types::ExamId,
) -> anyhow::Result<Vec<Row>> {
    let (rows, summaries, marks) = tokio::try_join!(
        db::studio::browse_rows(pool, exam_id),
        db::exams::question_summaries(pool, exam_id),
        db::exams::submitted_marks(pool, exam_id),
    )?;
    let stats: HashMap<String, crate::web::author::QuestionRow> =
        crate::web::author::analyse(summaries, &marks)
            .0
            .into_iter()
            .map(|r| (r.ext_id.clone(), r))
            .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let s = stats.get(&r.ext_id);
            Row {
                stem: crate::web::item_view::plain(&r.stem),
                answers: s.map_or(0, |s| s.answers),
                facility: s.and_then(|s| s.facility),
                discrimination: s.and_then(|s| s.discrimination),
                flag: s.and_then(|s| s.flag),
                ext_id: r.ext_id,
                objective_code: r.objective_code,
                domain_code: r.domain_code,
                kind: r.kind,
                status: r.status,
                versions: r.versions,
            }
        })
        .collect())
}

pub(super) async fn page(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    UrlQuery(params): UrlQuery<Params>,
) -> Result<Response> {
    let studio = readable(&state, &user, &code).await?;
    let rows = rows_with_figures(&state.db, studio.exam.id).await?;
    let query = params.query();
    let (shown, total) = bank_browse::page(&rows, &query);
    let shown: Vec<Row> = shown.into_iter().cloned().collect();
    let base = format!("/author/exams/{}/questions", studio.exam.slug);
    let mut page = BrowsePage::new(&studio, &rows, params, &base, total);
    page.ctx = PageCtx::new(Some(&user));
    page.rows = shown;
    page.all = rows.len();
    render(&page)
}

impl BrowsePage {
    fn new(
        studio: &crate::engine::studio::Studio,
        rows: &[Row],
        params: Params,
        base: &str,
        total: usize,
    ) -> BrowsePage {
        let bp = &studio.exam.blueprint;
        let query = params.query();
        let mut flags: Vec<String> = rows
            .iter()
            .filter_map(|r| r.flag.map(String::from))
            .collect();
        flags.sort();
        flags.dedup();
        let columns = SortKey::ALL
            .iter()
            .filter(|(k, _, _)| *k != SortKey::Position)
            .map(|(k, name, label)| {
                let on = query.sort == *k;
                let dir = if on && !query.descending {
                    "desc"
                } else {
                    "asc"
                };
                Column {
                    label,
                    href: params.link(
                        base,
                        &[
                            ("sort", name.to_string()),
                            ("dir", dir.into()),
                            ("page", String::new()),
                        ],
                    ),
                    sorted: match (on, query.descending) {
                        (true, false) => "ascending",
                        (true, true) => "descending",
                        _ => "",
                    },
                    numeric: matches!(
                        k,
                        SortKey::Versions
                            | SortKey::Answers
                            | SortKey::Facility
                            | SortKey::Discrimination
                    ),
                }
            })
            .collect();
        let count = bank_browse::page_count(total, query.per_page);
        let current = query.page.min(count);
        let link = |n: usize| params.link(base, &[("page", n.to_string())]);
        let pages = (1..=count)
            .filter(|n| *n == 1 || *n == count || n.abs_diff(current) <= 2)
            .map(|n| PageLink {
                n,
                href: link(n),
                current: n == current,
            })
            .collect();
        BrowsePage {
            ctx: PageCtx::default(),
            exam_code: studio.exam.code.clone(),
            exam_slug: studio.exam.slug.clone(),
            can_edit: studio.can_edit(),
            from_files: studio.from_files(),
            domains: bp
                .domains
                .iter()
                .map(|d| (d.code.clone(), d.title.clone()))
                .collect(),
            objectives: bp
                .domains
                .iter()
                .flat_map(|d| {
                    d.objectives
                        .iter()
                        .map(|o| (o.code.clone(), o.title.clone()))
                })
                .collect(),
            kinds: ItemKind::ALL
                .iter()
                .map(|k| (k.bank_name(), k.label()))
                .collect(),
            statuses: QuestionStatus::ALL
                .iter()
                .map(|s| (s.as_str(), s.label()))
                .collect(),
            flags,
            columns,
            rows: vec![],
            total,
            all: 0,
            prev: (current > 1).then(|| link(current - 1)),
            next: (current < count).then(|| link(current + 1)),
            pages,
            params,
        }
    }
}
