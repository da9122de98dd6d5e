//! The exam engine: building attempts from the bank and finalising them. It joins `db/` (what is
//! stored) and `domain/` (what it means); handlers and the sweeper call it.

use crate::db;
use crate::db::attempts::{CreateOutcome, NewAttempt, NewItem, PoolRow};
use crate::domain::assembly::{self, Candidate};
use crate::domain::blueprint::Blueprint;
use crate::domain::item::ScenarioKind;
use crate::domain::scoring;
use sqlx::PgPool;
use uuid::Uuid;

fn candidates(pool_rows: &[PoolRow]) -> Vec<Candidate> {
    pool_rows
        .iter()
        .enumerate()
        .map(|(index, r)| Candidate {
            index,
            domain: r.domain_code.clone(),
            group: match (&r.scenario_ext_id, r.scenario_kind.as_deref()) {
                (Some(id), Some("case")) => Some((id.clone(), ScenarioKind::Case)),
                (Some(id), Some("series")) => Some((id.clone(), ScenarioKind::Series)),
                _ => None,
            },
            seen: r.seen,
        })
        .collect()
}

pub fn new_seed() -> i64 {
    use rand::Rng;
    // Positive so it reads well in URLs and logs.
    rand::thread_rng().gen_range(1..i64::MAX)
}

#[derive(Debug)]
pub enum StartError {
    /// The bank cannot fill a form; the message names the short domain.
    Assembly(String),
    Db(sqlx::Error),
}

impl From<sqlx::Error> for StartError {
    fn from(e: sqlx::Error) -> Self {
        StartError::Db(e)
    }
}

/// Builds and stores a full mock for the candidate.
pub async fn start_mock(
    pool: &PgPool,
    user_id: Uuid,
    exam: &db::exams::ExamRow,
    duration_override: Option<i64>,
) -> Result<CreateOutcome, StartError> {
    if let Some(open) = db::attempts::open_mock(pool, user_id, exam.id).await? {
        return Ok(CreateOutcome::AlreadyOpen(open));
    }
    let bp: &Blueprint = &exam.blueprint;
    let rows = db::attempts::pool_for(pool, exam.id, user_id).await?;
    let seed = new_seed();
    let slots = assembly::assemble(bp, &candidates(&rows), seed as u64)
        .map_err(|e| StartError::Assembly(e.to_string()))?;
    let items: Vec<NewItem> = slots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let row = &rows[s.index];
            NewItem {
                version_id: row.version_id,
                section: s.section as i32,
                section_kind: s.section_kind.as_str(),
                permutation: assembly::shuffle_lists(
                    &row.body.0.body.shufflable_lists(),
                    (seed as u64).wrapping_add(i as u64),
                ),
            }
        })
        .collect();
    let duration = duration_override.unwrap_or(bp.duration_minutes as i64 * 60);
    Ok(db::attempts::create(
        pool,
        NewAttempt {
            user_id,
            exam_id: exam.id,
            mode: "exam",
            seed,
            duration_seconds: Some(duration),
            title: format!("{} full mock", bp.code),
            settings: serde_json::json!({}),
        },
        &items,
    )
    .await?)
}

/// Scores and closes an attempt with whatever was saved. Safe to call from several processes at
/// once: only the one holding the row lock finalises, the others see it submitted.
pub async fn finalize(pool: &PgPool, attempt_id: Uuid, reason: &str) -> anyhow::Result<bool> {
    let mut tx = pool.begin().await?;
    let Some(exam_id) = db::attempts::lock_open(&mut tx, attempt_id).await? else {
        return Ok(false);
    };
    finalize_locked(&mut tx, attempt_id, exam_id, reason).await?;
    tx.commit().await?;
    Ok(true)
}

async fn finalize_locked(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    attempt_id: Uuid,
    exam_id: Uuid,
    reason: &str,
) -> anyhow::Result<()> {
    let exam = db::exams::by_id(&mut **tx, exam_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("exam {exam_id} of attempt {attempt_id} is gone"))?;
    let items = db::attempts::items(&mut **tx, attempt_id).await?;
    let mut scored = Vec::with_capacity(items.len());
    let (mut positions, mut points, mut max) = (vec![], vec![], vec![]);
    for it in &items {
        let body = &it.body.0.body;
        let s = match &it.response {
            Some(r) => scoring::score(body, &r.0),
            None => scoring::ItemScore {
                points: 0,
                max: scoring::max_points(body),
            },
        };
        positions.push(it.position);
        points.push(s.points as i32);
        max.push(s.max as i32);
        scored.push((it.domain_code.clone(), s));
    }
    let result = scoring::exam_score(&exam.blueprint, &scored);
    db::attempts::store_item_points(tx, attempt_id, &positions, &points, &max).await?;
    // Answered items not yet in the review schedule (checked practice items already are).
    let answers: Vec<(Uuid, bool)> = items
        .iter()
        .zip(points.iter().zip(&max))
        .filter(|(it, _)| it.answered() && !it.reviewed_into_schedule)
        .map(|(it, (p, m))| (it.question_id, p == m))
        .collect();
    let user_id: Uuid = sqlx::query_scalar("SELECT user_id FROM attempts WHERE id = $1")
        .bind(attempt_id)
        .fetch_one(&mut **tx)
        .await?;
    db::review::record(tx, user_id, &answers).await?;
    sqlx::query("UPDATE attempt_items SET reviewed_into_schedule = true WHERE attempt_id = $1 AND answered_at IS NOT NULL")
        .bind(attempt_id)
        .execute(&mut **tx)
        .await?;
    db::attempts::store_result(tx, attempt_id, reason, &result).await?;
    metrics::counter!("mockexam_attempts_finalised_total", "reason" => reason.to_string())
        .increment(1);
    Ok(())
}

/// Finalises every abandoned attempt whose time (and grace) ran out. Returns how many.
pub async fn sweep(pool: &PgPool, grace_seconds: i64) -> anyhow::Result<usize> {
    let mut total = 0;
    // Attempts that failed to finalise this run: logged and left for the next run, so one bad
    // row never blocks the others.
    let mut failed: Vec<Uuid> = Vec::new();
    loop {
        let mut tx = pool.begin().await?;
        let ids = db::attempts::lock_expired(&mut tx, grace_seconds, 50, &failed).await?;
        if ids.is_empty() {
            return Ok(total);
        }
        for id in &ids {
            let mut one = sqlx::Connection::begin(&mut *tx).await?;
            let exam_id: Uuid = sqlx::query_scalar("SELECT exam_id FROM attempts WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *one)
                .await?;
            match finalize_locked(&mut one, *id, exam_id, "swept").await {
                Ok(()) => {
                    one.commit().await?;
                    total += 1;
                }
                Err(e) => {
                    one.rollback().await?;
                    tracing::error!(attempt = %id, error = %format!("{e:#}"), "cannot finalise expired attempt");
                    failed.push(*id);
                }
            }
        }
        tx.commit().await?;
    }
}

/// Practice: reveals one answered item and records it in the review schedule at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOutcome {
    Revealed,
    NotAnswered,
    /// The same question is in a mock in progress: its answer waits for that mock.
    InOpenMock,
}

pub async fn check_practice_item(
    pool: &PgPool,
    attempt_id: Uuid,
    user_id: Uuid,
    position: i32,
) -> anyhow::Result<CheckOutcome> {
    let Some(item) = db::attempts::item(pool, attempt_id, position).await? else {
        return Ok(CheckOutcome::NotAnswered);
    };
    if db::attempts::in_open_mock(pool, user_id, item.question_id).await? {
        return Ok(CheckOutcome::InOpenMock);
    }
    if !db::attempts::mark_checked(pool, attempt_id, user_id, position).await? {
        return Ok(CheckOutcome::NotAnswered);
    }
    let score = match &item.response {
        Some(r) => scoring::score(&item.body.0.body, &r.0),
        None => return Ok(CheckOutcome::NotAnswered),
    };
    let right = score.points == score.max;
    let mut tx = pool.begin().await?;
    // Checked practice answers count as evidence for readiness at once. Claiming the item in the
    // same statement means two simultaneous checks record the answer once.
    let claimed = sqlx::query(
        "UPDATE attempt_items SET points = $3, max_points = $4, reviewed_into_schedule = true
         WHERE attempt_id = $1 AND position = $2 AND NOT reviewed_into_schedule",
    )
    .bind(attempt_id)
    .bind(position)
    .bind(score.points as i32)
    .bind(score.max as i32)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 1 {
        db::review::record(&mut tx, user_id, &[(item.question_id, right)]).await?;
    }
    tx.commit().await?;
    Ok(CheckOutcome::Revealed)
}
