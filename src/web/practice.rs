//! Practice sets: chosen skill areas or objectives, a size, timed or not, and which questions;
//! the candidate may check each answer as soon as it is given.

use super::{form_fields, render, CurrentUser, PageCtx};
use crate::app::AppState;
use crate::db;
use crate::db::attempts::{CreateOutcome, NewAttempt, NewItem};
use crate::domain::assembly;
use crate::domain::practice::{self, PracticeCandidate, PracticeRequest, Which};
use crate::engine;
use crate::error::{AppError, Result};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/practice/{code}", get(practice_page).post(start_practice))
        .route("/practice/{code}/due", post(start_due))
}

pub struct ObjectiveOption {
    pub code: String,
    pub title: String,
    pub checked: bool,
}

pub struct DomainOption {
    pub code: String,
    pub title: String,
    pub checked: bool,
    pub objectives: Vec<ObjectiveOption>,
}

#[derive(Template)]
#[template(path = "practice/new.html")]
struct PracticePage {
    ctx: PageCtx,
    exam_code: String,
    exam_slug: String,
    domains: Vec<DomainOption>,
    size: u32,
    timed: bool,
    which: String,
    due: usize,
    unseen: usize,
    wrong: usize,
    marked: usize,
    error: Option<String>,
    open_sets: Vec<super::exam::AttemptSummary>,
}

struct Choices {
    domains: Vec<String>,
    objectives: Vec<String>,
    size: u32,
    timed: bool,
    which: String,
}

async fn page(
    state: &AppState,
    user: &db::users::User,
    code: &str,
    choices: Choices,
    error: Option<String>,
) -> Result<Response> {
    let exam = db::exams::by_slug(&state.db, code)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = db::attempts::practice_pool(&state.db, exam.id, user.id).await?;
    let domains = exam
        .blueprint
        .domains
        .iter()
        .map(|d| DomainOption {
            code: d.code.clone(),
            title: d.title.clone(),
            checked: choices.domains.contains(&d.code),
            objectives: d
                .objectives
                .iter()
                .map(|o| ObjectiveOption {
                    code: o.code.clone(),
                    title: o.title.clone(),
                    checked: choices.objectives.contains(&o.code),
                })
                .collect(),
        })
        .collect();
    let open_sets = db::attempts::list_for_user_exam(&state.db, user.id, exam.id)
        .await?
        .iter()
        .filter(|a| a.is_practice() && a.in_progress())
        .map(super::exam::summarise)
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let mut r = render(&PracticePage {
        ctx: PageCtx::new(Some(user)),
        exam_code: exam.code.clone(),
        exam_slug: exam.slug.clone(),
        domains,
        size: choices.size,
        timed: choices.timed,
        which: choices.which,
        due: rows.iter().filter(|r| r.due).count(),
        unseen: rows.iter().filter(|r| !r.seen).count(),
        wrong: rows.iter().filter(|r| r.wrong_before).count(),
        marked: rows.iter().filter(|r| r.marked).count(),
        error,
        open_sets,
    })?;
    *r.status_mut() = status;
    Ok(r)
}

async fn practice_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
) -> Result<Response> {
    let choices = Choices {
        domains: vec![],
        objectives: vec![],
        size: 10,
        timed: false,
        which: "any".into(),
    };
    page(&state, &user, &code, choices, None).await
}

async fn start_practice(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response> {
    let f = form_fields(&body);
    let list = |k: &str| f.get(k).cloned().unwrap_or_default();
    let size_text = super::field(&f, "size").trim().to_string();
    let which_text = super::field(&f, "which").to_string();
    let choices = Choices {
        domains: list("domain"),
        objectives: list("objective"),
        size: size_text.parse().unwrap_or(10),
        timed: super::field(&f, "timed") == "on",
        which: if which_text.is_empty() {
            "any".into()
        } else {
            which_text.clone()
        },
    };
    let size = match size_text.parse::<u32>() {
        Ok(n) if (practice::MIN_SIZE..=practice::MAX_SIZE).contains(&n) => n,
        _ => {
            return page(
                &state,
                &user,
                &code,
                choices,
                Some(format!(
                    "Choose a size from {} to {} questions (you entered “{size_text}”).",
                    practice::MIN_SIZE,
                    practice::MAX_SIZE
                )),
            )
            .await
        }
    };
    let Some(which) = Which::parse(&which_text) else {
        return page(
            &state,
            &user,
            &code,
            choices,
            Some("Choose which questions to practise.".into()),
        )
        .await;
    };
    let req = PracticeRequest {
        domains: choices.domains.clone(),
        objectives: choices.objectives.clone(),
        size,
        which,
    };
    let timed = choices.timed;
    match create_set(&state, &user, &code, &req, timed).await? {
        Ok(id) => Ok(Redirect::to(&format!("/attempts/{id}")).into_response()),
        Err(msg) => page(&state, &user, &code, choices, Some(msg)).await,
    }
}

/// "Review due (N)": a practice set of the questions due for review.
async fn start_due(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(code): Path<String>,
) -> Result<Response> {
    let req = PracticeRequest {
        domains: vec![],
        objectives: vec![],
        size: practice::MAX_SIZE,
        which: Which::Due,
    };
    match create_set(&state, &user, &code, &req, false).await? {
        Ok(id) => Ok(Redirect::to(&format!("/attempts/{id}")).into_response()),
        Err(msg) => {
            let choices = Choices {
                domains: vec![],
                objectives: vec![],
                size: 10,
                timed: false,
                which: "due".into(),
            };
            page(&state, &user, &code, choices, Some(msg)).await
        }
    }
}

/// Builds and stores a practice set; the inner error is a message for the candidate.
async fn create_set(
    state: &AppState,
    user: &db::users::User,
    code: &str,
    req: &PracticeRequest,
    timed: bool,
) -> Result<std::result::Result<uuid::Uuid, String>> {
    let exam = db::exams::by_slug(&state.db, code)
        .await?
        .ok_or(AppError::NotFound)?;
    let bp = &exam.blueprint;
    for d in &req.domains {
        if !bp.domains.iter().any(|x| &x.code == d) {
            return Ok(Err(format!("“{d}” is not a skill area of {}.", bp.code)));
        }
    }
    for o in &req.objectives {
        if bp.objective(o).is_none() {
            return Ok(Err(format!("“{o}” is not an objective of {}.", bp.code)));
        }
    }
    let rows = db::attempts::practice_pool(&state.db, exam.id, user.id).await?;
    let candidates: Vec<PracticeCandidate> = rows
        .iter()
        .enumerate()
        .map(|(index, r)| PracticeCandidate {
            index,
            domain: r.domain_code.clone(),
            objective: r.objective_code.clone(),
            seen: r.seen,
            wrong_before: r.wrong_before,
            marked: r.marked,
            due: r.due,
        })
        .collect();
    let seed = engine::new_seed();
    let picked = practice::select(&candidates, req, seed as u64);
    if picked.is_empty() {
        return Ok(Err(format!(
            "No question matches: there are no {} in the areas you chose.",
            req.which.describe()
        )));
    }
    let items: Vec<NewItem> = picked
        .iter()
        .enumerate()
        .map(|(i, idx)| NewItem {
            version_id: rows[*idx].version_id,
            section: 0,
            section_kind: "standalone",
            permutation: assembly::shuffle_lists(
                &rows[*idx].body.0.body.shufflable_lists(),
                (seed as u64).wrapping_add(i as u64),
            ),
        })
        .collect();
    let pace = bp.duration_minutes as i64 * 60 / bp.question_count.max(1) as i64;
    let scope = if req.domains.is_empty() && req.objectives.is_empty() {
        "all skill areas".to_string()
    } else {
        let mut names: Vec<String> = bp
            .domains
            .iter()
            .filter(|d| req.domains.contains(&d.code))
            .map(|d| d.title.clone())
            .collect();
        names.extend(
            req.objectives
                .iter()
                .filter_map(|o| bp.objective(o).map(|x| x.title.clone())),
        );
        names.join(", ")
    };
    let title = format!("{} practice: {} — {}", bp.code, scope, req.which.describe());
    let outcome = db::attempts::create(
        &state.db,
        NewAttempt {
            user_id: user.id,
            exam_id: exam.id,
            mode: "practice",
            seed,
            duration_seconds: timed.then_some(pace * items.len() as i64),
            title: title.chars().take(200).collect(),
            settings: serde_json::json!({
                "domains": req.domains, "objectives": req.objectives, "size": req.size,
                "which": format!("{:?}", req.which), "timed": timed,
            }),
        },
        &items,
    )
    .await?;
    metrics::counter!("mockexam_attempts_started_total", "mode" => "practice").increment(1);
    Ok(match outcome {
        CreateOutcome::Created(id) | CreateOutcome::AlreadyOpen(id) => Ok(id),
    })
}
