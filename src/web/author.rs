//! The instructor's pages: the bank of each exam with its item analysis, and a question's
//! preview as candidates see it, with its key, explanation, versions and figures.

use super::item_view::{self, Controls};
use super::studio::{readable, Author};
use super::{format, render, PageCtx};
use crate::db;
use crate::db::exams::{BankCount, ExamRow, QuestionDetail};
use crate::domain::blueprint::Blueprint;
use crate::domain::item::{ItemKind, Response as Answer};
use crate::error::{AppError, Result};
use crate::markdown;
use crate::state::AppState;
use crate::types::AttemptId;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/author", get(author_home))
        .route("/author/exams/{code}", get(author_exam))
        .route("/author/exams/{code}/questions/{id}", get(author_question))
        .merge(super::analysis::router())
}

#[derive(Template)]
#[template(path = "author/index.html")]
struct AuthorHome {
    ctx: PageCtx,
    exams: Vec<db::studio::StudioExam>,
}

async fn author_home(State(state): State<AppState>, Author(user): Author) -> Result<Response> {
    let exams = db::studio::exams_for(&state.db, user.id).await?;
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
    questions: Vec<QuestionRow>,
    attempts_analysed: usize,
}

pub struct QuestionRow {
    pub ext_id: String,
    pub objective_code: String,
    pub kind: String,
    pub versions: i64,
    pub retired: bool,
    pub answers: usize,
    pub facility: Option<f64>,
    pub discrimination: Option<f64>,
    pub flag: Option<&'static str>,
}

async fn author_exam(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
) -> Result<Response> {
    let exam = readable(&state, &user, &code).await?.exam;
    let (counts, summaries, marks) = tokio::try_join!(
        db::exams::bank_counts(&state.db, exam.id),
        db::exams::question_summaries(&state.db, exam.id),
        db::exams::submitted_marks(&state.db, exam.id),
    )?;
    let kinds: Vec<&'static str> = ItemKind::ALL.iter().map(|k| k.bank_name()).collect();
    let domains = bank_table(&exam.blueprint, &kinds, &counts);
    let (questions, attempts_analysed) = analyse(summaries, &marks);
    render(&AuthorExam {
        ctx: PageCtx::new(Some(&user)),
        exam,
        kinds,
        domains,
        questions,
        attempts_analysed,
    })
}

/// Questions per skill area and kind.
fn bank_table(bp: &Blueprint, kinds: &[&'static str], counts: &[BankCount]) -> Vec<DomainRow> {
    bp.domains
        .iter()
        .map(|d| {
            let counts: Vec<i64> = kinds
                .iter()
                .map(|k| {
                    counts
                        .iter()
                        .find(|c| c.domain_code == d.code && c.kind == *k)
                        .map_or(0, |c| c.n)
                })
                .collect();
            DomainRow {
                code: d.code.clone(),
                title: d.title.clone(),
                total: counts.iter().sum(),
                counts,
            }
        })
        .collect()
}

/// Item analysis over submitted mocks, flagged questions first.
pub(crate) fn analyse(
    summaries: Vec<db::exams::QuestionSummary>,
    marks: &[(AttemptId, String, i32, i32)],
) -> (Vec<QuestionRow>, usize) {
    use crate::domain::stats::{item_statistics, Mark};
    use std::collections::HashMap;
    let mut attempts: HashMap<AttemptId, usize> = HashMap::new();
    let index: HashMap<&str, usize> = summaries
        .iter()
        .enumerate()
        .map(|(i, q)| (q.ext_id.as_str(), i))
        .collect();
    let input: Vec<Mark> = marks
        .iter()
        .filter_map(|(a, q, p, m)| {
            let n = attempts.len();
            let attempt = *attempts.entry(*a).or_insert(n);
            index.get(q.as_str()).map(|&question| Mark {
                attempt,
                question,
                points: *p as f64,
                max: *m as f64,
            })
        })
        .collect();
    let stats = item_statistics(&input);
    let mut rows: Vec<QuestionRow> = summaries
        .into_iter()
        .enumerate()
        .map(|(i, q)| {
            let s = stats.iter().find(|s| s.question == i);
            QuestionRow {
                ext_id: q.ext_id,
                objective_code: q.objective_code,
                kind: q.kind,
                versions: q.versions,
                retired: q.retired,
                answers: s.map(|s| s.n).unwrap_or(0),
                facility: s.map(|s| s.facility),
                discrimination: s.and_then(|s| s.discrimination),
                flag: s.and_then(|s| s.flag),
            }
        })
        .collect();
    let needs_look = |r: &QuestionRow| r.flag.is_some_and(|f| !f.starts_with("Too few"));
    rows.sort_by_key(|r| (!needs_look(r), r.retired));
    (rows, attempts.len())
}

#[derive(Template)]
#[template(path = "author/question.html")]
struct QuestionPreview {
    ctx: PageCtx,
    exam_code: String,
    exam_slug: String,
    ext_id: String,
    retired: bool,
    objective: String,
    domain: String,
    view: item_view::ItemView,
    scenario_title: Option<String>,
    tabs: Vec<(String, String)>,
    key: Vec<String>,
    explanation_html: String,
    references: Vec<String>,
    reviewed: Option<String>,
    versions: Vec<(i32, String, i64)>,
    /// Candidates' comments: (text, when, version).
    feedback: Vec<(String, String, i32)>,
    stats: Option<QuestionRow>,
    calibration: Vec<CalibrationView>,
    /// The exam's retest offset, in words, once a calibration estimated it.
    retest: Option<String>,
    options: Option<super::analysis::OptionTable>,
}

/// One version's IRT parameters as the preview shows them.
pub struct CalibrationView {
    pub version: i32,
    pub fitted: bool,
    pub responses: i32,
    pub a: String,
    pub b: String,
    pub rasch_b: String,
    pub steps: String,
    pub fitted_at: String,
}

fn with_se(x: f64, se: Option<f64>) -> String {
    match se {
        Some(se) => format!("{x:.2} ± {se:.2}"),
        None => format!("{x:.2}"),
    }
}

impl CalibrationView {
    fn new((version, c): &(i32, db::calibration::CalibrationRow)) -> CalibrationView {
        CalibrationView {
            version: *version,
            fitted: c.source == "fitted",
            responses: c.responses,
            a: with_se(c.a, c.se_a),
            b: with_se(c.b, c.se_b),
            rasch_b: c.rasch_b.map_or("—".into(), |b| with_se(b, c.rasch_se_b)),
            steps: c
                .steps
                .iter()
                .map(|s| format!("{s:.2}"))
                .collect::<Vec<_>>()
                .join(", "),
            fitted_at: format::time(c.fitted_at),
        }
    }
}

/// A question as candidates see it, with its key, explanation, versions and performance.
async fn author_question(
    State(state): State<AppState>,
    Author(user): Author,
    Path((code, id)): Path<(String, String)>,
) -> Result<Response> {
    let exam = readable(&state, &user, &code).await?.exam;
    let q = db::exams::question_detail(&state.db, exam.id, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (versions, summaries, marks, feedback, calibration, retest) = tokio::try_join!(
        db::exams::question_versions(&state.db, exam.id, &id),
        db::exams::question_summaries(&state.db, exam.id),
        db::exams::submitted_marks(&state.db, exam.id),
        db::exams::question_feedback(&state.db, exam.id, &id),
        db::calibration::for_question(&state.db, exam.id, &id),
        db::calibration::retest(&state.db, exam.id),
    )?;
    let stats = analyse(summaries, &marks)
        .0
        .into_iter()
        .find(|r| r.ext_id == id);
    let mut page = QuestionPreview::new(&exam, &q, stats);
    page.ctx = PageCtx::new(Some(&user));
    page.versions = versions
        .into_iter()
        .map(|v| (v.version, format::time(v.created_at), v.shown))
        .collect();
    page.feedback = feedback
        .into_iter()
        .map(|(body, at, version)| (body, format::time(at), version))
        .collect();
    page.calibration = calibration.iter().map(CalibrationView::new).collect();
    page.retest = retest.map(|(offset, se)| with_se(offset, se));
    page.options = super::analysis::option_table(&state, &exam, &id).await?;
    render(&page)
}

impl QuestionPreview {
    fn new(exam: &ExamRow, q: &QuestionDetail, stats: Option<QuestionRow>) -> QuestionPreview {
        let item = &q.body.0;
        let bp = &exam.blueprint;
        QuestionPreview {
            ctx: PageCtx::default(),
            exam_code: exam.code.clone(),
            exam_slug: exam.slug.clone(),
            ext_id: q.ext_id.clone(),
            retired: q.retired,
            objective: bp
                .objective(&item.objective)
                .map(|o| format!("{} ({})", o.title, o.code))
                .unwrap_or_else(|| item.objective.clone()),
            domain: bp
                .domain_of_objective(&item.objective)
                .map(|d| d.title.clone())
                .unwrap_or_default(),
            view: item_view::build(&item.body, &item.stem, &Default::default(), None, true),
            scenario_title: q.scenario.as_ref().map(|s| s.0.title.clone()),
            tabs: q.scenario.as_ref().map_or_else(Vec::new, |s| {
                s.0.tabs
                    .iter()
                    .map(|(t, md)| (t.clone(), markdown::to_html(md)))
                    .collect()
            }),
            key: item_view::describe(
                &item.body,
                &Default::default(),
                Some(&Answer::correct_for(&item.body)),
            ),
            explanation_html: markdown::to_html(&item.explanation),
            references: item.references.clone(),
            reviewed: item.reviewed.clone(),
            versions: vec![],
            feedback: vec![],
            stats,
            calibration: vec![],
            retest: None,
            options: None,
        }
    }
}
