//! Question versions are immutable (an edit makes a new version, scenarios likewise), so each
//! is read from the database once per process and then served from a bounded cache: an item page
//! or a save reads only the candidate's own item row.

use crate::cache::Bounded;
use crate::domain::item::{Item, Scenario};
use crate::types::QuestionId;
use anyhow::Context;
use sqlx::types::Json;
use sqlx::{FromRow, PgPool};
use std::sync::{Arc, OnceLock};
use uuid::Uuid;

/// A question version with what an item page needs besides the candidate's state.
#[derive(Debug, Clone)]
pub struct Version {
    pub question_id: QuestionId,
    pub body: Item,
    pub scenario: Option<Scenario>,
    pub domain_code: String,
}

#[derive(FromRow)]
struct VersionRow {
    id: Uuid,
    question_id: QuestionId,
    body: Json<Item>,
    scenario: Option<Json<Scenario>>,
    domain_code: String,
}

fn cache() -> &'static Bounded<Uuid, Version> {
    static VERSIONS: OnceLock<Bounded<Uuid, Version>> = OnceLock::new();
    VERSIONS.get_or_init(|| Bounded::new(20_000))
}

/// The version, from the cache or (once) from the database.
pub async fn cached(pool: &PgPool, id: Uuid) -> anyhow::Result<Arc<Version>> {
    match cached_many(pool, &[id]).await?.pop() {
        Some(v) => Ok(v),
        None => anyhow::bail!("question version {id} does not exist"),
    }
}

/// The versions in the order asked, reading all those not cached in one query.
pub async fn cached_many(pool: &PgPool, ids: &[Uuid]) -> anyhow::Result<Vec<Arc<Version>>> {
    let missing: Vec<Uuid> = ids
        .iter()
        .filter(|id| cache().get(*id).is_none())
        .copied()
        .collect();
    if !missing.is_empty() {
        let rows: Vec<VersionRow> = sqlx::query_as(
            "SELECT qv.id, qv.question_id, qv.body, sv.content AS scenario,
                    COALESCE(o.domain_code, '') AS domain_code
             FROM question_versions qv
             JOIN questions q ON q.id = qv.question_id
             LEFT JOIN objectives o ON o.exam_id = q.exam_id AND o.code = qv.body->>'objective'
             LEFT JOIN scenario_versions sv ON sv.id = qv.scenario_version_id
             WHERE qv.id = ANY($1)",
        )
        .bind(&missing)
        .fetch_all(pool)
        .await
        .context("loading question versions")?;
        for row in rows {
            cache().insert(
                row.id,
                Version {
                    question_id: row.question_id,
                    body: row.body.0,
                    scenario: row.scenario.map(|s| s.0),
                    domain_code: row.domain_code,
                },
            );
        }
    }
    // A version evicted between the two steps is read again on its own.
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        match cache().get(id) {
            Some(v) => out.push(v),
            None => out.push(Box::pin(cached(pool, *id)).await?),
        }
    }
    Ok(out)
}
