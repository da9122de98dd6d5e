//! Importing question files into an exam in the browser, and exporting its bank.
//!
//! - **Dry run first.** An upload is kept (`db::interchange`) and its report computed from it
//!   (`bank::formats::plan`): every problem with file:line, and each question new, changed or
//!   unchanged. Nothing in the bank changes.
//! - **Only into exams made in the browser.** An exam from question-bank files takes its
//!   questions from its files (`mockexam bank import`); the web layer refuses uploads to it.
//! - **Confirm re-validates.** Confirming reads the kept file again and plans it against the bank
//!   as it is at that moment; only a plan without problems is applied, through the studio's
//!   workflow (every new or changed question a new draft version), in one transaction, followed
//!   by ANALYZE. An upload is applied at most once.
//! - **Exports name what they leave out** (`bank::formats::Written::notes`).

use super::studio::Studio;
use crate::bank::formats::plan::{self, Plan, Upload};
use crate::bank::formats::{Format, Written};
use crate::bank::import::ImportReport;
use crate::db;
use crate::db::exams::ExamRow;
use crate::db::interchange::StagedUpload;
use crate::db::users::User;
use crate::types::UserId;
use anyhow::Context;
use sqlx::PgPool;
use uuid::Uuid;

/// Largest file accepted in the browser (the command line has no limit).
pub const MAX_UPLOAD_BYTES: usize = 200 * 1024;

/// Keeps an upload for its dry run.
#[tracing::instrument(skip(pool, upload), fields(exam = %exam.code, file = %upload.file_name), err)]
pub async fn stage(
    pool: &PgPool,
    exam: &ExamRow,
    user: UserId,
    upload: &Upload,
) -> anyhow::Result<Uuid> {
    db::interchange::stage(
        pool,
        exam.id,
        user,
        upload.format.as_str(),
        &upload.file_name,
        &upload.bytes,
        upload.default_objective.as_deref(),
    )
    .await
}

fn upload_of(staged: &StagedUpload) -> anyhow::Result<Upload> {
    Ok(Upload {
        format: Format::parse(&staged.format).context("an upload of an unknown format")?,
        file_name: staged.file_name.clone(),
        bytes: staged.content.clone(),
        default_objective: staged.default_objective.clone(),
    })
}

/// The dry run of an upload against the bank as it is now. Reading and checking run on the
/// blocking pool: a large file must not hold up other requests.
pub async fn plan_now(pool: &PgPool, exam: &ExamRow, upload: Upload) -> anyhow::Result<Plan> {
    let (bp, items, scenarios) = db::bank::load_from_db(pool, &exam.code)
        .await?
        .context("the exam disappeared")?;
    tokio::task::spawn_blocking(move || plan::plan(&bp, &items, &scenarios, &upload))
        .await
        .context("planning an import")
}

/// An upload of this instructor for this exam, with its dry run.
#[tracing::instrument(skip(pool, exam), fields(exam = %exam.code), err)]
pub async fn review(
    pool: &PgPool,
    exam: &ExamRow,
    user: UserId,
    id: Uuid,
) -> anyhow::Result<Option<(StagedUpload, Plan)>> {
    let Some(staged) = db::interchange::find(pool, exam.id, user, id).await? else {
        return Ok(None);
    };
    let plan = plan_now(pool, exam, upload_of(&staged)?).await?;
    Ok(Some((staged, plan)))
}

pub enum Confirmed {
    Applied(ImportReport),
    /// The file (or the bank since the dry run) has problems: nothing changed.
    Refused(Box<Plan>),
    AlreadyApplied,
    NotFound,
}

/// Confirms an upload into an exam made in the browser: plans it again against the bank as it
/// is now and, when it has no problem, writes it through the studio's workflow
/// (`engine::studio::import_plan`: new draft versions, one transaction).
#[tracing::instrument(skip(pool, studio, user), fields(exam = %studio.exam.code), err)]
pub async fn confirm(
    pool: &PgPool,
    studio: &Studio,
    user: &User,
    id: Uuid,
) -> anyhow::Result<Confirmed> {
    let exam = &studio.exam;
    let Some(staged) = db::interchange::find(pool, exam.id, user.id, id).await? else {
        return Ok(Confirmed::NotFound);
    };
    if staged.applied_at.is_some() {
        return Ok(Confirmed::AlreadyApplied);
    }
    let mut plan = plan_now(pool, exam, upload_of(&staged)?).await?;
    if !plan.can_apply() {
        return Ok(Confirmed::Refused(Box::new(plan)));
    }
    if !db::interchange::claim(pool, id).await? {
        return Ok(Confirmed::AlreadyApplied);
    }
    match super::studio::import_plan(pool, studio, user, &plan).await {
        Ok(Ok(report)) => {
            db::interchange::finish(pool, id, Some(&report.to_string())).await?;
            Ok(Confirmed::Applied(report))
        }
        Ok(Err(why)) => {
            db::interchange::finish(pool, id, None).await?;
            let file = std::path::PathBuf::from(&plan.file_name);
            plan.problems.push(crate::bank::Problem::at(&file, 0, why));
            Ok(Confirmed::Refused(Box::new(plan)))
        }
        Err(e) => {
            db::interchange::finish(pool, id, None).await?;
            Err(e)
        }
    }
}

/// A download: file name, content type and the file with its notes.
pub struct Download {
    pub file_name: String,
    pub content_type: &'static str,
    pub written: Written,
}

/// The exam's current bank in a format.
#[tracing::instrument(skip(pool, exam), fields(exam = %exam.code), err)]
pub async fn export(pool: &PgPool, exam: &ExamRow, format: Format) -> anyhow::Result<Download> {
    let (bp, items, scenarios) = db::bank::load_from_db(pool, &exam.code)
        .await?
        .context("the exam disappeared")?;
    let written = tokio::task::spawn_blocking(move || match format {
        Format::Native => crate::bank::formats::cli::native_zip(&bp, &items, &scenarios),
        other => crate::bank::formats::write(other, &bp.code, &items, &scenarios),
    })
    .await
    .context("writing an export")?;
    Ok(Download {
        file_name: format!("{}.{}", exam.slug, format.extension()),
        content_type: format.content_type(),
        written,
    })
}
