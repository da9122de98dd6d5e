//! Loading a checked bank into the database (one transaction, in `db::bank`).
//!
//! Import is idempotent: a question whose content (and scenario) did not change keeps its
//! version; a changed one gets a new version while earlier versions stay for the attempts that
//! showed them; a question no longer in the files is retired, never deleted. A bulk load changes
//! the tables' shape, so the planner's statistics are refreshed afterwards: the product never
//! depends on autovacuum having run.

use super::Bank;
use crate::db;
use sqlx::PgPool;

pub use crate::db::bank::{load_from_db, ImportReport};

#[tracing::instrument(skip_all, fields(exam = %bank.blueprint.code), err)]
pub async fn import(pool: &PgPool, bank: &Bank) -> anyhow::Result<ImportReport> {
    let report = db::bank::import(pool, bank).await?;
    db::analyze(pool).await?;
    Ok(report)
}
