//! A candidate's readiness for an exam, from every scored answer they gave.

use crate::db;
use crate::db::exams::ExamRow;
use crate::domain::readiness::{self, Evidence, Params, Readiness};
use crate::types::UserId;
use sqlx::PgPool;

#[tracing::instrument(skip_all, fields(user = %user, exam = %exam.code), err)]
pub async fn assess(db: &PgPool, user: UserId, exam: &ExamRow) -> anyhow::Result<Readiness> {
    let rows = db::readiness::evidence(db, user, exam.id).await?;
    let evidence: Vec<Evidence> = rows
        .iter()
        .map(|r| Evidence {
            domain: r.domain_code.clone(),
            objective: r.objective_code.clone(),
            correct: r.points.max(0) as u32,
            total: r.max_points.max(0) as u32,
            age_days: r.age_days,
        })
        .collect();
    // Seeded by the candidate so the figures do not jitter between page views.
    let seed = user.0.as_u128() as u64 ^ evidence.len() as u64;
    Ok(readiness::assess(
        &exam.blueprint,
        &evidence,
        &Params::default(),
        seed,
    ))
}
