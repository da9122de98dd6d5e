//! Question interchange pages for instructors: `/author/exams/{code}/import` (upload a file, read
//! its dry-run report, confirm) and `/author/exams/{code}/export` (downloads per format, with
//! what each format leaves out). Rules live in `engine::interchange`; candidates, and instructors
//! who may not open the exam, get 404 through the studio's `Author` and `readable`.

use super::studio::{editable, read_only_message, readable, Author};
use super::{render, render_with_status, PageCtx};
use crate::bank::formats::plan::{ChangeKind, Plan, Upload};
use crate::bank::formats::Format;
use crate::db::exams::ExamRow;
use crate::engine::interchange::{self, Confirmed, MAX_UPLOAD_BYTES};
use crate::error::{AppError, Result};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/author/exams/{code}/import", get(import_form).post(upload))
        .route(
            "/author/exams/{code}/import/{upload}",
            get(report).post(confirm),
        )
        .route("/author/exams/{code}/export", get(export_page))
        .route("/author/exams/{code}/export/{format}", get(download))
}

pub struct ObjectiveOption {
    pub code: String,
    pub label: String,
}

fn objectives(exam: &ExamRow) -> Vec<ObjectiveOption> {
    exam.blueprint
        .domains
        .iter()
        .flat_map(|d| d.objectives.iter())
        .map(|o| ObjectiveOption {
            code: o.code.clone(),
            label: format!("{}: {}", o.code, o.title),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "author/interchange/import.html")]
struct ImportPage {
    ctx: PageCtx,
    exam: ExamRow,
    formats: Vec<Format>,
    objectives: Vec<ObjectiveOption>,
    problems: Vec<String>,
    max_kib: usize,
    /// Why this exam takes no uploads (it comes from question-bank files).
    read_only: Option<String>,
}

fn import_page(user: &crate::db::users::User, exam: ExamRow, problems: Vec<String>) -> ImportPage {
    ImportPage {
        ctx: PageCtx::new(Some(user)),
        objectives: objectives(&exam),
        exam,
        formats: Format::ALL.to_vec(),
        problems,
        max_kib: MAX_UPLOAD_BYTES / 1024,
        read_only: None,
    }
}

async fn import_form(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
) -> Result<Response> {
    let studio = readable(&state, &user, &code).await?;
    // An exam from question-bank files takes its questions from those files only.
    let read_only = (!studio.can_edit()).then(|| read_only_message(&studio));
    render(&ImportPage {
        read_only,
        ..import_page(&user, studio.exam, vec![])
    })
}

/// The multipart form's fields: a format, an optional objective and one file.
async fn read_form(mut form: Multipart) -> std::result::Result<Upload, String> {
    let (mut format, mut objective, mut file) = (None, None, None);
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| "The upload could not be read; try again with a smaller file.".to_string())?
    {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|_| {
            format!("The file is too large: the browser import takes files up to {} KiB (use `mockexam bank import` for larger ones).", MAX_UPLOAD_BYTES / 1024)
        })?;
        match name.as_str() {
            "format" => format = Format::parse(String::from_utf8_lossy(&bytes).trim()),
            "objective" => objective = Some(String::from_utf8_lossy(&bytes).trim().to_string()),
            "file" => file = Some((file_name.unwrap_or_default(), bytes.to_vec())),
            _ => {}
        }
    }
    let format = format.ok_or("Choose the file's format.")?;
    let (file_name, bytes) = file
        .filter(|(n, b)| !n.is_empty() || !b.is_empty())
        .ok_or("Choose a file to import.")?;
    if bytes.is_empty() {
        return Err(format!("The file {file_name} is empty."));
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(format!("The file is too large: the browser import takes files up to {} KiB (use `mockexam bank import` for larger ones).", MAX_UPLOAD_BYTES / 1024));
    }
    let file_name: String = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect();
    Ok(Upload {
        format,
        file_name: if file_name.is_empty() {
            "upload".into()
        } else {
            file_name
        },
        bytes,
        default_objective: objective.filter(|o| !o.is_empty()),
    })
}

async fn upload(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
    form: Multipart,
) -> Result<Response> {
    let exam = editable(&state, &user, &code).await?.exam;
    match read_form(form).await {
        Ok(upload) => {
            let id = interchange::stage(&state.db, &exam, user.id, &upload).await?;
            let to = format!("/author/exams/{}/import/{id}", exam.slug);
            Ok(Redirect::to(&to).into_response())
        }
        Err(problem) => render_with_status(
            &import_page(&user, exam, vec![problem]),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

#[derive(Template)]
#[template(path = "author/interchange/report.html")]
struct ReportPage {
    ctx: PageCtx,
    exam: ExamRow,
    upload_id: Uuid,
    format: String,
    plan: Plan,
    applied: Option<String>,
    message: Option<String>,
}

impl ReportPage {
    fn count(&self, what: &str) -> usize {
        match what {
            "new" => self.plan.count(ChangeKind::New),
            "changed" => self.plan.count(ChangeKind::Changed),
            _ => self.plan.count(ChangeKind::Unchanged),
        }
    }
}

async fn report(
    State(state): State<AppState>,
    Author(user): Author,
    Path((code, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let exam = readable(&state, &user, &code).await?.exam;
    let (staged, plan) = interchange::review(&state.db, &exam, user.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&ReportPage {
        ctx: PageCtx::new(Some(&user)),
        exam,
        upload_id: id,
        format: Format::parse(&staged.format)
            .map(Format::label)
            .unwrap_or("")
            .into(),
        plan,
        applied: staged
            .applied_at
            .map(|_| staged.applied_summary.unwrap_or_default()),
        message: None,
    })
}

async fn confirm(
    State(state): State<AppState>,
    Author(user): Author,
    Path((code, id)): Path<(String, Uuid)>,
) -> Result<Response> {
    let studio = editable(&state, &user, &code).await?;
    let back = format!("/author/exams/{}/import/{id}", studio.exam.slug);
    let exam = studio.exam.clone();
    match interchange::confirm(&state.db, &studio, &user, id).await? {
        Confirmed::Applied(_) | Confirmed::AlreadyApplied => Ok(Redirect::to(&back).into_response()),
        Confirmed::NotFound => Err(AppError::NotFound),
        Confirmed::Refused(plan) => render_with_status(
            &ReportPage {
                ctx: PageCtx::new(Some(&user)),
                exam,
                upload_id: id,
                format: String::new(),
                plan: *plan,
                applied: None,
                message: Some("Nothing was imported: the file has problems against the bank as it is now, or nothing to change.".into()),
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

pub struct FormatRow {
    pub format: Format,
    pub written: usize,
    pub notes: Vec<String>,
}

#[derive(Template)]
#[template(path = "author/interchange/export.html")]
struct ExportPage {
    ctx: PageCtx,
    exam: ExamRow,
    total: usize,
    rows: Vec<FormatRow>,
}

async fn export_page(
    State(state): State<AppState>,
    Author(user): Author,
    Path(code): Path<String>,
) -> Result<Response> {
    let exam = readable(&state, &user, &code).await?.exam;
    let mut rows = Vec::new();
    for format in Format::ALL {
        let d = interchange::export(&state.db, &exam, format).await?;
        rows.push(FormatRow {
            format,
            written: d.written.written,
            notes: d.written.notes,
        });
    }
    let total = rows.first().map_or(0, |r| r.written);
    render(&ExportPage {
        ctx: PageCtx::new(Some(&user)),
        exam,
        total,
        rows,
    })
}

async fn download(
    State(state): State<AppState>,
    Author(user): Author,
    Path((code, format)): Path<(String, String)>,
) -> Result<Response> {
    let exam = readable(&state, &user, &code).await?.exam;
    let format = Format::parse(&format).ok_or(AppError::NotFound)?;
    let d = interchange::export(&state.db, &exam, format).await?;
    let disposition = format!("attachment; filename=\"{}\"", d.file_name);
    Ok((
        [
            (header::CONTENT_TYPE, d.content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        d.written.bytes,
    )
        .into_response())
}
