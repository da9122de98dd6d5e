//! Assignments: the instructor's form and results page, and the member's side (their
//! assignments on the home page, and "Start", which creates and links the attempt).

use super::super::{
    field, form_fields, messages, render, render_with_status, CurrentUser, PageCtx,
};
use super::{date, parse_id, taught};
use crate::db;
use crate::db::cohorts::{CohortRow, ResultRow};
use crate::db::exams::ExamRow;
use crate::db::users::User;
use crate::domain::cohort::AssignmentStatus;
use crate::engine;
use crate::engine::cohorts::{status_of, AssignmentInput, AssignmentStart};
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::types::{AssignmentId, AssignmentKind};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, RawQuery, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// The assignment form as posted (objectives repeat their field, so it is read by hand).
pub struct AssignmentForm(pub AssignmentInput);

fn input_from(body: &[u8]) -> AssignmentInput {
    let f = form_fields(body);
    AssignmentInput {
        kind: field(&f, "kind").to_string(),
        title: field(&f, "title").to_string(),
        objectives: f.get("objective").cloned().unwrap_or_default(),
        size: field(&f, "size").to_string(),
        timed: field(&f, "timed") == "on",
        due: field(&f, "due").to_string(),
    }
}

impl<S: Send + Sync> FromRequest<S> for AssignmentForm {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(e.body_text()))?;
        Ok(AssignmentForm(input_from(&body)))
    }
}

pub struct ObjectiveChoice {
    pub code: String,
    pub title: String,
    pub checked: bool,
}

pub struct AreaChoice {
    pub title: String,
    pub open: bool,
    pub objectives: Vec<ObjectiveChoice>,
}

#[derive(Template)]
#[template(path = "cohorts/assignment_new.html")]
struct NewPage {
    ctx: PageCtx,
    id: String,
    name: String,
    exam_code: String,
    input: AssignmentInput,
    areas: Vec<AreaChoice>,
    problems: Vec<String>,
}

fn new_page(
    user: &User,
    c: &CohortRow,
    exam: &ExamRow,
    input: AssignmentInput,
    problems: Vec<String>,
) -> Result<Response> {
    let areas = exam
        .blueprint
        .domains
        .iter()
        .map(|d| AreaChoice {
            title: d.title.clone(),
            open: d
                .objectives
                .iter()
                .any(|o| input.objectives.contains(&o.code)),
            objectives: d
                .objectives
                .iter()
                .map(|o| ObjectiveChoice {
                    code: o.code.clone(),
                    title: o.title.clone(),
                    checked: input.objectives.contains(&o.code),
                })
                .collect(),
        })
        .collect();
    let status = match problems.is_empty() {
        true => StatusCode::OK,
        false => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = NewPage {
        ctx: PageCtx::new(Some(user)),
        id: c.id.to_string(),
        name: c.name.clone(),
        exam_code: exam.code.clone(),
        input,
        areas,
        problems,
    };
    render_with_status(&page, status)
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response> {
    let (c, exam) = taught(&state, &user, &id).await?;
    let mut input = input_from(query.unwrap_or_default().as_bytes());
    if input.kind.is_empty() {
        input.kind = "practice".into();
    }
    if input.size.is_empty() {
        input.size = "10".into();
    }
    let in_a_week = time::OffsetDateTime::now_utc().date() + time::Duration::days(7);
    input.due = in_a_week.to_string();
    new_page(&user, &c, &exam, input, vec![])
}

pub(super) async fn create(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<String>,
    AssignmentForm(input): AssignmentForm,
) -> Result<Response> {
    let (c, exam) = taught(&state, &user, &id).await?;
    let today = time::OffsetDateTime::now_utc().date();
    match engine::cohorts::check_assignment(&exam.blueprint, &input, today) {
        Ok(spec) => {
            let aid = engine::cohorts::create_assignment(&state.db, c.id, user.id, &spec).await?;
            Ok(Redirect::to(&format!("/cohorts/{}/assignments/{aid}", c.id)).into_response())
        }
        Err(problems) => new_page(&user, &c, &exam, input, problems),
    }
}

/// One member's line on an assignment's results.
pub struct ResultLine {
    pub name: String,
    pub href: String,
    pub status: AssignmentStatus,
    pub submitted: String,
    pub result: String,
}

/// An attempt's result in words: the scaled score of a mock, the share of points of a set.
pub fn result_text(r: &ResultRow, kind: AssignmentKind) -> String {
    match (kind, r.scaled_score, r.passed, r.points, r.max_points) {
        (AssignmentKind::Mock, Some(s), Some(p), _, _) => {
            format!("{s} of 1000, {}", if p { "pass" } else { "below 700" })
        }
        (AssignmentKind::Practice, _, _, Some(p), Some(m)) if m > 0 => {
            format!("{p} of {m} points ({:.0}%)", p as f64 * 100.0 / m as f64)
        }
        _ => String::new(),
    }
}

#[derive(Template)]
#[template(path = "cohorts/assignment.html")]
struct ResultsPage {
    ctx: PageCtx,
    id: String,
    cohort_name: String,
    a: db::cohorts::AssignmentRow,
    kind: &'static str,
    scope: String,
    due: String,
    lines: Vec<ResultLine>,
    counts: Vec<(AssignmentStatus, usize)>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, aid)): Path<(String, String)>,
) -> Result<Response> {
    let (c, exam) = taught(&state, &user, &id).await?;
    let aid: AssignmentId = parse_id(&aid)?;
    let a = db::cohorts::assignment(&state.db, c.id, aid)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = db::cohorts::results(&state.db, c.id, Some(aid)).await?;
    let lines: Vec<ResultLine> = rows
        .iter()
        .map(|r| ResultLine {
            name: r.display_name.clone(),
            href: format!("/cohorts/{}/members/{}", c.id, r.user_id),
            status: status_of(r.status, a.past_due),
            submitted: r
                .submitted_at
                .map(super::super::format::time)
                .unwrap_or_default(),
            result: result_text(r, a.kind),
        })
        .collect();
    let counts = [
        AssignmentStatus::Done,
        AssignmentStatus::InProgress,
        AssignmentStatus::NotStarted,
        AssignmentStatus::Overdue,
    ]
    .into_iter()
    .map(|s| (s, lines.iter().filter(|l| l.status == s).count()))
    .collect();
    render(&ResultsPage {
        ctx: PageCtx::new(Some(&user)),
        id: c.id.to_string(),
        cohort_name: c.name.clone(),
        kind: kind_label(a.kind),
        scope: scope(&exam, &a.objectives, a.size, a.timed, a.kind),
        due: date(a.due_at.date()),
        a,
        lines,
        counts,
    })
}

pub(super) async fn delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, aid)): Path<(String, String)>,
) -> Result<Response> {
    let (c, _) = taught(&state, &user, &id).await?;
    let aid: AssignmentId = parse_id(&aid)?;
    if !db::cohorts::delete_assignment(&state.db, c.id, aid).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/cohorts/{}#assign-title", c.id)).into_response())
}

fn kind_label(k: AssignmentKind) -> &'static str {
    match k {
        AssignmentKind::Mock => "Full mock",
        AssignmentKind::Practice => "Practice set",
    }
}

/// What an assignment asks, in words.
fn scope(
    exam: &ExamRow,
    objectives: &[String],
    size: Option<i32>,
    timed: bool,
    kind: AssignmentKind,
) -> String {
    let bp = &exam.blueprint;
    match kind {
        AssignmentKind::Mock => format!(
            "A full {} mock: {} questions in {} minutes.",
            bp.code, bp.question_count, bp.duration_minutes
        ),
        AssignmentKind::Practice => {
            let titles: Vec<String> = objectives
                .iter()
                .filter_map(|o| bp.objective(o).map(|x| x.title.clone()))
                .collect();
            format!(
                "{} questions on {}, {}.",
                size.unwrap_or(10),
                if titles.is_empty() {
                    "every skill area".to_string()
                } else {
                    titles.join("; ")
                },
                if timed {
                    "timed at the exam's pace"
                } else {
                    "untimed"
                }
            )
        }
    }
}

/// An assignment on a member's home page.
pub struct HomeAssignment {
    pub id: AssignmentId,
    pub title: String,
    pub cohort: String,
    pub exam_code: String,
    pub kind: &'static str,
    pub scope: String,
    pub due: String,
    pub status: AssignmentStatus,
    pub result: String,
    pub attempt: Option<crate::types::AttemptId>,
}

/// The member's assignments, open ones first.
pub async fn home_assignments(state: &AppState, user: &User) -> Result<Vec<HomeAssignment>> {
    let rows = db::cohorts::member_assignments(&state.db, user.id).await?;
    let exams = db::exams::list(&state.db).await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let exam = exams.iter().find(|e| e.id == r.exam_id)?;
            let result = match (r.kind, r.scaled_score, r.points, r.max_points) {
                (AssignmentKind::Mock, Some(s), _, _) => format!("{s} of 1000"),
                (AssignmentKind::Practice, _, Some(p), Some(m)) if m > 0 => {
                    format!("{p} of {m} points")
                }
                _ => String::new(),
            };
            Some(HomeAssignment {
                id: r.id,
                scope: scope(exam, &r.objectives, r.size, r.timed, r.kind),
                title: r.title,
                cohort: r.cohort_name,
                exam_code: r.exam_code,
                kind: kind_label(r.kind),
                due: date(r.due_at.date()),
                status: status_of(r.attempt_status, r.past_due),
                result,
                attempt: r.attempt_id,
            })
        })
        .collect())
}

pub(super) async fn start(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(aid): Path<String>,
) -> Result<Response> {
    let aid: AssignmentId = parse_id(&aid)?;
    match engine::cohorts::start_assignment(&state.db, user.id, aid).await? {
        None => Err(AppError::NotFound),
        Some(AssignmentStart::Open(attempt)) => {
            Ok(Redirect::to(&format!("/attempts/{attempt}")).into_response())
        }
        Some(AssignmentStart::Refused(why)) => {
            Err(AppError::Conflict(messages::start_refusal(&why, "this exam")))
        }
        Some(AssignmentStart::MockBusy(_)) => Err(AppError::Conflict(
            "Your full mock in progress counts for another assignment. Submit it first, then start this one.".into(),
        )),
    }
}
