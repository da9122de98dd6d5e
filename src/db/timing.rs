//! Time on item, measured from page requests: opening an item page credits the time since the
//! previous item page was opened to that previous item; the review screen, a break and
//! finalising credit it and stop the clock. No client clock is involved, so it works without
//! JavaScript and cannot be forged.

use crate::types::AttemptId;
use anyhow::Context;
use sqlx::PgExecutor;

/// The longest stint credited to one item: a candidate who walks away from an open tab for an
/// hour did not think about the question for an hour. 20 minutes is longer than any question of
/// a 100–120 minute, 40–60 question exam takes, including reading a case study.
pub const MAX_STINT_SECONDS: f64 = 1200.0;

/// The seconds of the stint that ends now, as SQL over `prev` (viewing_since, deadline_at): up to
/// the deadline at the latest, never negative, at most the cap bound as parameter `cap`.
pub(super) fn stint(cap: &str) -> String {
    format!(
        "LEAST({cap}, GREATEST(0, EXTRACT(EPOCH FROM
             LEAST(now(), COALESCE(prev.deadline_at, now())) - prev.viewing_since)))"
    )
}

/// The candidate left the items (review screen, break, submission): the item open until now gets
/// its time and the clock stops.
pub async fn stop_viewing<'e>(
    db: impl PgExecutor<'e>,
    attempt_id: AttemptId,
) -> anyhow::Result<()> {
    let stint = stint("$2");
    let sql = format!(
        "WITH prev AS (
             SELECT viewing_position, viewing_since, deadline_at FROM attempts
             WHERE id = $1 AND viewing_position IS NOT NULL FOR UPDATE
         ), stopped AS (
             UPDATE attempts SET viewing_position = NULL, viewing_since = NULL
             WHERE id = $1 AND viewing_position IS NOT NULL
         )
         UPDATE attempt_items ai
         SET seconds_on_item = COALESCE(ai.seconds_on_item, 0) + {stint}
         FROM prev
         WHERE ai.attempt_id = $1 AND ai.position = prev.viewing_position
           AND prev.viewing_since IS NOT NULL"
    );
    sqlx::query(&sql)
        .bind(attempt_id)
        .bind(MAX_STINT_SECONDS)
        .execute(db)
        .await
        .context("recording the time spent on the item left")?;
    Ok(())
}
