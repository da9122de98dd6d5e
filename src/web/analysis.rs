//! The instructor's item analysis of an exam: test-level figures, a histogram of scores, and a
//! sortable table of every question's figures and flags (`/author/exams/{code}/analysis`), the
//! same figures as CSV for tooling (`…/analysis.csv`), and the option table of one question that
//! its preview shows. The figures come from `engine::analysis`; this module only lays them out.

use super::cohorts::export::csv_field;
use super::studio::{readable, Author};
use super::{render, PageCtx};
use crate::db::analysis::AttemptScope;
use crate::db::exams::ExamRow;
use crate::domain::item::ItemKind;
use crate::domain::stats::TestStats;
use crate::engine::analysis::{analyse, ExamAnalysis, QuestionFigures};
use crate::error::Result;
use crate::markdown;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/author/exams/{code}/analysis", get(analysis_page))
        .route("/author/exams/{code}/analysis.csv", get(analysis_csv))
}

/// The page's query: `attempts=first|all`, `sort=<column>`, `dir=asc|desc`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AnalysisQuery {
    attempts: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
}

/// A column the table can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Flags,
    Id,
    Answers,
    Facility,
    Sd,
    Guess,
    Intended,
    Effective,
    Discrimination,
    Efficiency,
    PartDiscrimination,
    Time,
}

impl Column {
    pub const ALL: [Column; 12] = [
        Column::Id,
        Column::Answers,
        Column::Facility,
        Column::Sd,
        Column::Guess,
        Column::Intended,
        Column::Effective,
        Column::Discrimination,
        Column::Efficiency,
        Column::PartDiscrimination,
        Column::Time,
        Column::Flags,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Column::Flags => "flags",
            Column::Id => "id",
            Column::Answers => "n",
            Column::Facility => "facility",
            Column::Sd => "sd",
            Column::Guess => "guess",
            Column::Intended => "intended",
            Column::Effective => "effective",
            Column::Discrimination => "discrimination",
            Column::Efficiency => "efficiency",
            Column::PartDiscrimination => "part",
            Column::Time => "time",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Column::Flags => "Flags",
            Column::Id => "Question",
            Column::Answers => "Answers",
            Column::Facility => "Facility %",
            Column::Sd => "SD %",
            Column::Guess => "Random guess %",
            Column::Intended => "Intended weight %",
            Column::Effective => "Effective weight %",
            Column::Discrimination => "Discrimination index",
            Column::Efficiency => "Discriminative efficiency",
            Column::PartDiscrimination => "Per-part discrimination",
            Column::Time => "Median time",
        }
    }

    fn parse(s: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.key() == s)
    }

    /// Numbers and flags read best largest first; ids in alphabetical order.
    fn default_descending(self) -> bool {
        self != Column::Id
    }

    fn value(self, q: &QuestionFigures) -> Option<f64> {
        let s = q.stats.as_ref()?;
        match self {
            Column::Flags | Column::Id => None,
            Column::Answers => Some(s.n as f64),
            Column::Facility => Some(s.facility),
            Column::Sd => s.sd,
            Column::Guess => s.random_guess,
            Column::Intended => Some(s.intended_weight),
            Column::Effective => s.effective_weight,
            Column::Discrimination => s.discrimination,
            Column::Efficiency => s.efficiency,
            Column::PartDiscrimination => s.part_discrimination,
            Column::Time => s.median_seconds,
        }
    }
}

/// What the query asked for, with a message for any part of it that made no sense.
#[derive(Debug, Clone)]
pub struct View {
    pub scope: AttemptScope,
    pub sort: Column,
    pub descending: bool,
    pub notice: Option<String>,
}

impl View {
    pub fn from_query(q: &AnalysisQuery) -> View {
        let mut problems = vec![];
        let scope = match q.attempts.as_deref() {
            None | Some("") | Some("first") => AttemptScope::First,
            Some("all") => AttemptScope::All,
            Some(other) => {
                problems.push(format!(
                    "“{other}” is not a choice of attempts (first or all); showing first attempts."
                ));
                AttemptScope::First
            }
        };
        let sort = match q.sort.as_deref() {
            None | Some("") => Column::Flags,
            Some(s) => Column::parse(s).unwrap_or_else(|| {
                problems.push(format!(
                    "“{s}” is not a column to sort by; sorted by flags."
                ));
                Column::Flags
            }),
        };
        let descending = match q.dir.as_deref() {
            None | Some("") => sort.default_descending(),
            Some("desc") => true,
            Some("asc") => false,
            Some(other) => {
                problems.push(format!("“{other}” is not a sort direction (asc or desc)."));
                sort.default_descending()
            }
        };
        View {
            scope,
            sort,
            descending,
            notice: (!problems.is_empty()).then(|| problems.join(" ")),
        }
    }

    pub fn all_attempts(&self) -> bool {
        self.scope == AttemptScope::All
    }

    fn attempts_param(&self) -> &'static str {
        if self.all_attempts() {
            "all"
        } else {
            "first"
        }
    }

    /// The link of a column header: sorts by it, or flips the direction if it already does.
    pub fn sort_link(&self, c: &Column) -> String {
        let desc = if *c == self.sort {
            !self.descending
        } else {
            c.default_descending()
        };
        format!(
            "?attempts={}&sort={}&dir={}",
            self.attempts_param(),
            c.key(),
            if desc { "desc" } else { "asc" }
        )
    }

    /// `aria-sort` of a column header.
    pub fn aria_sort(&self, c: &Column) -> &'static str {
        match (*c == self.sort, self.descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        }
    }

    pub fn scope_link(&self, all: bool) -> String {
        format!(
            "?attempts={}&sort={}&dir={}",
            if all { "all" } else { "first" },
            self.sort.key(),
            if self.descending { "desc" } else { "asc" }
        )
    }
}

/// Orders the questions as the view asks. Questions without the figure go last either way.
pub fn sort_questions(questions: &mut [QuestionFigures], view: &View) {
    use std::cmp::Ordering;
    let desc = view.descending;
    let directed = |o: Ordering| if desc { o.reverse() } else { o };
    let by_id =
        |a: &QuestionFigures, b: &QuestionFigures| a.question.ext_id.cmp(&b.question.ext_id);
    match view.sort {
        Column::Id => questions.sort_by(|a, b| directed(by_id(a, b))),
        // "Descending" puts the questions with most flags first and, among equals, the least
        // discriminating (per part) first.
        Column::Flags => questions.sort_by(|a, b| {
            let key = |q: &QuestionFigures| {
                let s = q.stats.as_ref();
                (
                    s.map_or(0, |s| s.flags.iter().filter(|f| f.needs_look()).count()),
                    s.and_then(|s| s.part_discrimination)
                        .unwrap_or(f64::INFINITY),
                )
            };
            let (ka, kb) = (key(a), key(b));
            directed(ka.0.cmp(&kb.0).then_with(|| kb.1.total_cmp(&ka.1))).then_with(|| by_id(a, b))
        }),
        c => questions.sort_by(|a, b| match (c.value(a), c.value(b)) {
            (Some(x), Some(y)) => directed(x.total_cmp(&y)).then_with(|| by_id(a, b)),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => by_id(a, b),
        }),
    }
}

/// A figure as the table shows it: one decimal, or a dash when it is not defined.
pub fn fig(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |x| format!("{x:.1}"))
}

pub fn duration(seconds: Option<f64>) -> String {
    match seconds {
        None => "—".into(),
        Some(s) if s < 60.0 => format!("{s:.0} s"),
        Some(s) => format!(
            "{}:{:02} min",
            (s / 60.0).floor() as u64,
            (s % 60.0).round() as u64 % 60
        ),
    }
}

/// One row of the question table.
pub struct Row {
    pub ext_id: String,
    pub kind: String,
    pub objective: String,
    pub retired: bool,
    pub n: usize,
    pub figures: Vec<String>,
    pub flags: Vec<String>,
}

fn rows(questions: &[QuestionFigures]) -> Vec<Row> {
    questions
        .iter()
        .map(|q| {
            let s = q.stats.as_ref();
            let figures = Column::ALL[2..11]
                .iter()
                .map(|c| match c {
                    Column::Time => duration(s.and_then(|s| s.median_seconds)),
                    c => fig(c.value(q)),
                })
                .collect();
            Row {
                ext_id: q.question.ext_id.clone(),
                kind: ItemKind::from_bank_name(&q.question.kind)
                    .map_or_else(|| q.question.kind.clone(), |k| k.label().to_string()),
                objective: q.question.objective_code.clone(),
                retired: q.question.retired,
                n: s.map_or(0, |s| s.n),
                figures,
                flags: q.flag_texts(),
            }
        })
        .collect()
}

/// A bar of the score histogram, in SVG coordinates.
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub height: f64,
    pub count: usize,
    pub label: String,
}

pub const CHART_TOP: f64 = 20.0;
pub const CHART_BOTTOM: f64 = 170.0;

fn histogram(test: &TestStats) -> Vec<Bar> {
    let most = test.histogram.iter().copied().max().unwrap_or(0).max(1) as f64;
    test.histogram
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            let height = (CHART_BOTTOM - CHART_TOP) * count as f64 / most;
            Bar {
                x: 40.0 + i as f64 * 28.0,
                y: CHART_BOTTOM - height,
                height,
                count,
                label: if i == 9 {
                    "90–100".into()
                } else {
                    format!("{}–{}", i * 10, i * 10 + 9)
                },
            }
        })
        .collect()
}

/// The test-level figures in words, as (term, value, explanation).
fn test_figures(t: &TestStats) -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("Attempts analysed", t.attempts.to_string(), ""),
        ("Mean score", pct(t.mean), ""),
        ("Median score", pct(t.median), ""),
        ("Standard deviation", pct(t.sd), ""),
        (
            "Skewness",
            two(t.skewness),
            "below 0: scores bunch at the top",
        ),
        ("Kurtosis", two(t.kurtosis), "excess over a normal curve"),
        (
            "Coefficient of internal consistency (Cronbach's α)",
            pct(t.alpha),
            "above 75 % is satisfactory, below 64 % is not",
        ),
        (
            "Error ratio",
            pct(t.error_ratio),
            "share of the spread that is noise",
        ),
        (
            "Standard error",
            pct(t.standard_error),
            "of one candidate's score",
        ),
    ]
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |x| format!("{x:.1} %"))
}

fn two(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |x| format!("{x:.2}"))
}

#[derive(Template)]
#[template(path = "author/analysis.html")]
struct AnalysisPage {
    ctx: PageCtx,
    exam: ExamRow,
    view: View,
    columns: [Column; 12],
    submitted: i64,
    candidates: i64,
    test: Vec<(&'static str, String, &'static str)>,
    bars: Vec<Bar>,
    positions: usize,
    rows: Vec<Row>,
    flagged: usize,
}

impl AnalysisPage {
    fn new(exam: ExamRow, view: View, mut a: ExamAnalysis) -> AnalysisPage {
        sort_questions(&mut a.questions, &view);
        let rows = rows(&a.questions);
        AnalysisPage {
            ctx: PageCtx::default(),
            exam,
            columns: Column::ALL,
            submitted: a.submitted,
            candidates: a.candidates,
            test: test_figures(&a.test),
            bars: histogram(&a.test),
            positions: a.test.positions,
            flagged: a
                .questions
                .iter()
                .filter(|q| {
                    q.stats
                        .as_ref()
                        .is_some_and(|s| s.flags.iter().any(|f| f.needs_look()))
                })
                .count(),
            rows,
            view,
        }
    }
}

async fn analysis_page(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    Query(q): Query<AnalysisQuery>,
) -> Result<Response> {
    let exam = readable(&state, &user, &code).await?.exam;
    let view = View::from_query(&q);
    let analysis = analyse(&state.db, exam.id, view.scope).await?;
    let mut page = AnalysisPage::new(exam, view, analysis);
    page.ctx = PageCtx::new(Some(&user));
    render(&page)
}

/// The CSV's columns; the first six are the ones tooling relies on.
pub const CSV_HEADER: [&str; 13] = [
    "question_id",
    "n",
    "facility",
    "sd",
    "discrimination",
    "efficiency",
    "part_discrimination",
    "random_guess",
    "intended_weight",
    "effective_weight",
    "median_seconds",
    "kind",
    "flags",
];

/// The per-question figures as CSV (RFC 4180, CRLF), full precision, empty where undefined.
pub fn csv(questions: &[QuestionFigures]) -> String {
    let num = |x: Option<f64>| x.map_or_else(String::new, |x| x.to_string());
    let mut out = CSV_HEADER.join(",");
    out.push_str("\r\n");
    for q in questions {
        let s = q.stats.as_ref();
        let fields = [
            q.question.ext_id.clone(),
            s.map_or(0, |s| s.n).to_string(),
            num(s.map(|s| s.facility)),
            num(s.and_then(|s| s.sd)),
            num(s.and_then(|s| s.discrimination)),
            num(s.and_then(|s| s.efficiency)),
            num(s.and_then(|s| s.part_discrimination)),
            num(s.and_then(|s| s.random_guess)),
            num(s.map(|s| s.intended_weight)),
            num(s.and_then(|s| s.effective_weight)),
            num(s.and_then(|s| s.median_seconds)),
            q.question.kind.clone(),
            q.flag_texts().join("; "),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

async fn analysis_csv(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    Query(q): Query<AnalysisQuery>,
) -> Result<Response> {
    let exam = readable(&state, &user, &code).await?.exam;
    let view = View::from_query(&q);
    let analysis = analyse(&state.db, exam.id, view.scope).await?;
    let name = format!("{}-item-analysis-{}.csv", exam.slug, view.attempts_param());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        csv(&analysis.questions),
    )
        .into_response())
}

/// One option of the preview's option table.
pub struct OptionRow {
    pub id: String,
    pub html: String,
    pub key: bool,
    pub chosen: usize,
    pub percent: String,
    pub strong: usize,
    pub strong_percent: String,
}

/// The preview's table of how often each option of the current version was chosen.
pub struct OptionTable {
    pub version: i32,
    pub n: usize,
    pub strong_n: usize,
    pub parts: Vec<(String, Vec<OptionRow>)>,
    pub flags: Vec<String>,
}

impl OptionTable {
    pub fn new(q: &QuestionFigures) -> Option<OptionTable> {
        let s = q.stats.as_ref()?;
        let d = s.distractors.as_ref()?;
        let share = |k: usize, n: usize| {
            if n == 0 {
                "—".to_string()
            } else {
                format!("{:.0} %", 100.0 * k as f64 / n as f64)
            }
        };
        let parts = q
            .choices
            .parts
            .iter()
            .zip(&d.counts)
            .map(|(part, counts)| {
                let options = part
                    .options
                    .iter()
                    .zip(counts)
                    .map(|((id, text, key), c)| OptionRow {
                        id: id.clone(),
                        html: markdown::inline_html(text),
                        key: *key,
                        chosen: c.chosen,
                        percent: share(c.chosen, d.n),
                        strong: c.strong,
                        strong_percent: share(c.strong, d.strong_n),
                    })
                    .collect();
                (part.label.clone(), options)
            })
            .collect();
        Some(OptionTable {
            version: q.question.current_version,
            n: d.n,
            strong_n: d.strong_n,
            parts,
            flags: q.flag_texts(),
        })
    }
}

/// The option table of one question for its preview, over first attempts.
pub async fn option_table(
    state: &AppState,
    exam: &ExamRow,
    ext_id: &str,
) -> Result<Option<OptionTable>> {
    let a = analyse(&state.db, exam.id, AttemptScope::First).await?;
    Ok(a.questions
        .iter()
        .find(|q| q.question.ext_id == ext_id)
        .and_then(OptionTable::new))
}
