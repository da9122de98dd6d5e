//! What never changes in an attempt once it exists: its owner, and which question
//! version sits at each position in which section. Kept per process (bounded), so a background
//! save needs no read before its write. An adaptive check grows by appended items: a position
//! past the copy reads the attempt again.

use crate::cache::Bounded;
use crate::domain::assembly::SectionKind;
use crate::types::{AttemptId, UserId};
use anyhow::Context;
use sqlx::{FromRow, PgPool};
use std::sync::OnceLock;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, FromRow)]
pub struct Placed {
    pub position: i32,
    pub version_id: Uuid,
    pub section: i32,
    pub section_kind: SectionKind,
}

#[derive(Debug)]
pub struct Layout {
    pub user_id: UserId,
    /// In position order.
    pub items: Vec<Placed>,
}

impl Layout {
    pub fn at(&self, position: i32) -> Option<Placed> {
        self.items.iter().find(|p| p.position == position).copied()
    }
}

#[derive(FromRow)]
struct Row {
    user_id: UserId,
    #[sqlx(flatten)]
    placed: Placed,
}

fn cache() -> &'static Bounded<AttemptId, Layout> {
    static LAYOUTS: OnceLock<Bounded<AttemptId, Layout>> = OnceLock::new();
    LAYOUTS.get_or_init(|| Bounded::new(16_384))
}

/// Where item `position` of the attempt sits, when the attempt is `user`'s and has that
/// position; from this process's copy of the attempt's layout, or read once.
pub async fn placed(
    pool: &PgPool,
    attempt_id: AttemptId,
    user: UserId,
    position: i32,
) -> anyhow::Result<Option<Placed>> {
    let copy = cache().get(&attempt_id);
    let layout = match copy {
        Some(l) if l.at(position).is_some() => l,
        _ => match read(pool, attempt_id).await? {
            Some(l) => cache().insert(attempt_id, l),
            None => return Ok(None),
        },
    };
    if layout.user_id != user {
        return Ok(None);
    }
    Ok(layout.at(position))
}

async fn read(pool: &PgPool, attempt_id: AttemptId) -> anyhow::Result<Option<Layout>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT a.user_id, i.position, i.question_version_id AS version_id, i.section,
                i.section_kind
         FROM attempts a
         CROSS JOIN LATERAL (SELECT position, question_version_id, section, section_kind
                             FROM attempt_items WHERE attempt_id = a.id OFFSET 0) i
         WHERE a.id = $1
         ORDER BY i.position",
    )
    .bind(attempt_id)
    .fetch_all(pool)
    .await
    .context("reading where the attempt's items sit")?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    Ok(Some(Layout {
        user_id: first.user_id,
        items: rows.iter().map(|r| r.placed).collect(),
    }))
}
