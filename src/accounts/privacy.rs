//! A candidate's own data: the export of everything stored about them, and deleting the account.

use crate::db;
use crate::db::users::User;
use crate::state::AppState;
use anyhow::Context;

/// Everything stored about the user, as one JSON document: the profile and every section of
/// `db::privacy::EXPORT_SECTIONS`.
#[tracing::instrument(skip_all, fields(user = %user.id), err)]
pub async fn export(state: &AppState, user: &User) -> anyhow::Result<serde_json::Value> {
    let mut doc = serde_json::Map::new();
    let now = time::OffsetDateTime::now_utc();
    doc.insert(
        "exported_at".into(),
        serde_json::Value::String(
            now.format(&time::format_description::well_known::Rfc3339)
                .context("formatting the export time")?,
        ),
    );
    doc.insert(
        "profile".into(),
        db::privacy::profile(&state.db, user.id).await?,
    );
    for (name, sql) in db::privacy::EXPORT_SECTIONS {
        doc.insert(
            (*name).into(),
            db::privacy::section(&state.db, sql, user.id).await?,
        );
    }
    Ok(serde_json::Value::Object(doc))
}

/// Deletes the user's own account (see `db::privacy::delete_account` for what stays).
#[tracing::instrument(skip_all, fields(user = %user.id), err)]
pub async fn delete_own_account(state: &AppState, user: &User) -> anyhow::Result<()> {
    let mut tx = state.db.begin().await.context("starting a transaction")?;
    db::privacy::delete_account(&mut tx, user.id).await?;
    tx.commit().await.context("committing the deletion")
}
