//! The readiness report: mastery per skill area and objective, the chance of passing a fresh
//! form, the trend of mock scores, pacing, the weakest objectives and a target date.

use super::{format, render, CurrentUser, PageCtx};
use crate::db;
use crate::db::exams::ExamRow;
use crate::domain::blueprint::Blueprint;
use crate::domain::forecast::PassChance;
use crate::domain::readiness;
use crate::engine;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::types::Mode;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use time::Date;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/readiness/{code}", get(report))
        .route("/readiness/{code}/target", post(set_target))
}

#[derive(Clone)]
pub struct MasteryRow {
    pub code: String,
    pub title: String,
    pub group: String,
    pub mean: f64,
    pub low: f64,
    pub high: f64,
    pub answers: u32,
    pub weak: bool,
    /// False for an untested skill area: its mastery is unknown.
    pub known: bool,
}

pub struct TrendPoint {
    pub x: f64,
    pub y: f64,
    pub label_y: f64,
    pub scaled: i32,
    pub passed: bool,
    pub date: String,
    pub n: usize,
}

#[derive(Template)]
#[template(path = "readiness/report.html")]
struct Report {
    ctx: PageCtx,
    exam_code: String,
    exam_slug: String,
    exam_title: String,
    answers: u32,
    pass: Option<PassChance>,
    target_pass: Option<PassChance>,
    reasons: Vec<String>,
    too_little_data: Option<String>,
    domains: Vec<MasteryRow>,
    cut_percent: f64,
    objectives: Vec<MasteryRow>,
    weakest: Vec<MasteryRow>,
    trend: Vec<TrendPoint>,
    trend_path: String,
    pace_seconds: i64,
    your_seconds: Option<i64>,
    pacing_note: String,
    target_date: String,
    on_track: Option<String>,
    due_reviews: usize,
    viewing: Option<Viewing>,
    /// Minutes a quick check takes at most, at the exam's pace.
    check_minutes: i64,
    /// Questions a quick check asks at most.
    check_items: usize,
}

fn pct(x: f64) -> f64 {
    (x * 100.0).clamp(0.0, 100.0)
}

fn on_track_statement(p: Option<&PassChance>, days_left: i64) -> String {
    if days_left < 0 {
        return "Your target date has passed. Set a new one to see whether you are on track."
            .into();
    }
    let when = match days_left {
        0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        d => format!("in {d} days"),
    };
    match p {
        None => format!(
            "Your exam is {when}. Take a full mock and a few practice sets so that the report can estimate whether you are on track."
        ),
        Some(p) if p.probability >= 0.8 => format!(
            "On track: your exam is {when} and your estimated chance of passing is {:.0}%. Keep practising your weakest objectives to stay there.",
            p.probability * 100.0
        ),
        Some(p) if p.probability >= 0.5 => format!(
            "Within reach: your exam is {when} and your estimated chance of passing is {:.0}%. Spend most of your remaining study on the weakest objectives below{}.",
            p.probability * 100.0,
            if days_left < 7 { " and take one more full mock" } else { "" }
        ),
        Some(p) => format!(
            "Not on track yet: your exam is {when} and your estimated chance of passing is {:.0}%.{}",
            p.probability * 100.0,
            if days_left < 14 {
                " Consider moving the date, or focus every session on the weakest objectives."
            } else {
                " There is time: practise the weakest objectives and take another full mock in a week."
            }
        ),
    }
}

async fn report(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
) -> Result<Response> {
    let exam = crate::web::exam_or_404(&state, &code).await?;
    report_page(&state, &user, user.id, &exam, None).await
}

/// Whose report is shown when it is not the viewer's own (a cohort instructor's drill-down).
pub struct Viewing {
    pub name: String,
    pub back_href: String,
    pub back_label: String,
}

/// The readiness report of `subject` for `viewer`: their own, or (with `viewing`) a member's
/// as their cohort's instructor sees it, without the forms that act for the candidate.
pub async fn report_page(
    state: &AppState,
    viewer: &db::users::User,
    subject: crate::types::UserId,
    exam: &db::exams::ExamRow,
    viewing: Option<Viewing>,
) -> Result<Response> {
    let (target, due) = tokio::try_join!(
        db::readiness::target(&state.db, subject, exam.id),
        db::review::due(&state.db, subject, exam.id),
    )?;
    let report = engine::readiness::report(&state.db, subject, exam, target).await?;
    let mut page = Report::new(exam, &report, target);
    page.ctx = PageCtx::new(Some(viewer));
    page.due_reviews = due.len();
    page.viewing = viewing;
    render(&page)
}

impl Report {
    fn new(exam: &ExamRow, report: &engine::readiness::Report, target: Option<Date>) -> Report {
        let r = &report.readiness;
        let f = &report.forecast;
        let bp = &exam.blueprint.0;
        let check_items = crate::domain::adaptive::Config::default().max_items;
        let (mut domains, objectives, weakest) = mastery_rows(bp, r);
        for (row, area) in domains.iter_mut().zip(&f.areas) {
            row.known = area.share.is_some();
            if let Some((mean, low, high)) = area.share {
                (row.mean, row.low, row.high) = (pct(mean), pct(low), pct(high));
            }
        }
        let mocks: Vec<db::readiness::MockResult> = report
            .results
            .iter()
            .filter(|m| m.mode == Mode::Exam)
            .cloned()
            .collect();
        let (trend, trend_path) = trend(&mocks);
        let (pace_seconds, your_seconds, pacing_note) = pacing(bp, &mocks);
        let today = time::OffsetDateTime::now_utc().date();
        let on_track = target.map(|d| {
            let chance = f.target.as_ref().map(|t| &t.1).or(f.today.as_ref());
            on_track_statement(chance, (d - today).whole_days())
        });
        Report {
            ctx: PageCtx::default(),
            exam_code: exam.code.clone(),
            exam_slug: exam.slug.clone(),
            exam_title: exam.title.clone(),
            answers: r.answers,
            pass: f.today.clone(),
            target_pass: f.target.as_ref().map(|t| t.1.clone()),
            reasons: f.reasons.clone(),
            too_little_data: r.too_little_data.clone(),
            cut_percent: bp.cut_percent,
            domains,
            objectives,
            weakest,
            trend,
            trend_path,
            pace_seconds,
            your_seconds,
            pacing_note,
            target_date: target.map(|d| d.to_string()).unwrap_or_default(),
            on_track,
            due_reviews: 0,
            check_minutes: bp.duration_minutes as i64 * check_items as i64
                / bp.question_count.max(1) as i64,
            check_items,
            viewing: None,
        }
    }
}

/// Mastery per skill area and objective, and the weakest objectives.
fn mastery_rows(
    bp: &Blueprint,
    r: &readiness::Readiness,
) -> (Vec<MasteryRow>, Vec<MasteryRow>, Vec<MasteryRow>) {
    let domains: Vec<MasteryRow> = r
        .domains
        .iter()
        .map(|m| {
            let d = bp.domains.iter().find(|d| d.code == m.code);
            MasteryRow {
                code: m.code.clone(),
                title: d.map(|d| d.title.clone()).unwrap_or_else(|| m.code.clone()),
                group: String::new(),
                mean: pct(m.mean),
                low: pct(m.low),
                high: pct(m.high),
                answers: m.answers,
                weak: false,
                known: m.answers > 0,
            }
        })
        .collect();
    let objectives: Vec<MasteryRow> = r
        .objectives
        .iter()
        .map(|m| {
            let o = bp.objective(&m.code);
            MasteryRow {
                code: m.code.clone(),
                title: o.map(|o| o.title.clone()).unwrap_or_else(|| m.code.clone()),
                group: o.map(|o| o.group.clone()).unwrap_or_default(),
                mean: pct(m.mean),
                low: pct(m.low),
                high: pct(m.high),
                answers: m.answers,
                weak: r.weakest.contains(&m.code),
                known: m.answers > 0,
            }
        })
        .collect();
    let weakest = r
        .weakest
        .iter()
        .filter_map(|c| objectives.iter().find(|o| &o.code == c).cloned())
        .collect();
    (domains, objectives, weakest)
}

/// The trend chart's points: x evenly spaced over 560 px, y from 1000 (top, 20) to 0 (bottom,
/// 220); and the polyline through them.
fn trend(mocks: &[db::readiness::MockResult]) -> (Vec<TrendPoint>, String) {
    let n = mocks.len();
    let points: Vec<TrendPoint> = mocks
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let x = if n <= 1 {
                330.0
            } else {
                60.0 + 540.0 * i as f64 / (n - 1) as f64
            };
            let y = 220.0 - 200.0 * m.scaled_score as f64 / 1000.0;
            TrendPoint {
                x,
                y,
                label_y: if y < 40.0 { y + 22.0 } else { y - 10.0 },
                scaled: m.scaled_score,
                passed: m.passed,
                date: format::time(m.started_at),
                n: i + 1,
            }
        })
        .collect();
    let path = points
        .iter()
        .map(|p| format!("{:.1},{:.1}", p.x, p.y))
        .collect::<Vec<_>>()
        .join(" ");
    (points, path)
}

/// The exam's pace per question, the candidate's, and what to make of the difference.
fn pacing(bp: &Blueprint, mocks: &[db::readiness::MockResult]) -> (i64, Option<i64>, String) {
    let pace_seconds = (bp.duration_minutes as i64 * 60) / bp.question_count.max(1) as i64;
    let answered: i64 = mocks.iter().map(|m| m.answered).sum();
    let used: f64 = mocks.iter().map(|m| m.seconds_used).sum();
    let your_seconds = (answered > 0).then(|| (used / answered as f64).round() as i64);
    let note = match your_seconds {
        None => "Take a full mock to measure your pace.".to_string(),
        Some(s) if s as f64 > pace_seconds as f64 * 1.1 => format!(
            "You spend about {s} s per question, slower than the {pace_seconds} s the exam allows on average. Practise timed sets, and skip and mark hard questions to come back to."
        ),
        Some(s) if (s as f64) < pace_seconds as f64 * 0.5 => format!(
            "You spend about {s} s per question, well under the {pace_seconds} s available. You have time to read scenarios more carefully."
        ),
        Some(s) => format!("You spend about {s} s per question; the exam allows {pace_seconds} s on average. Your pace fits."),
    };
    (pace_seconds, your_seconds, note)
}

/// The field must be present: a body without it (another format, a broken client) is refused
/// rather than read as "clear the date".
#[derive(serde::Deserialize)]
struct TargetForm {
    target_date: String,
}

async fn set_target(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<TargetForm>,
) -> Result<Response> {
    let exam = crate::web::exam_or_404(&state, &code).await?;
    let today = time::OffsetDateTime::now_utc().date();
    let date = crate::domain::dates::planned("Exam date", &form.target_date, today)
        .map_err(AppError::BadRequest)?;
    db::readiness::set_target(&state.db, user.id, exam.id, date).await?;
    Ok(Redirect::to(&format!("/readiness/{}#target", exam.slug)).into_response())
}
