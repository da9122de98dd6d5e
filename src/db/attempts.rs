//! Attempts and their items. Every read that takes a user id only finds that user's rows, so
//! another candidate's attempt simply does not exist (404).

use crate::domain::assembly::SectionKind;
use crate::domain::item::{Item, Response, Scenario};
use crate::types::{AttemptId, AttemptStatus, ExamId, Mode, QuestionId, SubmitReason, UserId};
use anyhow::Context;
use sqlx::types::Json;
use sqlx::{FromRow, PgExecutor, PgPool, Postgres, Transaction};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow)]
pub struct AttemptRow {
    pub id: AttemptId,
    pub user_id: UserId,
    pub exam_id: ExamId,
    pub mode: Mode,
    pub seed: i64,
    pub status: AttemptStatus,
    pub started_at: OffsetDateTime,
    pub deadline_at: Option<OffsetDateTime>,
    pub submitted_at: Option<OffsetDateTime>,
    pub submit_reason: Option<SubmitReason>,
    pub open_section: Option<i32>,
    pub title: String,
    pub settings: Json<serde_json::Value>,
    pub points: Option<i32>,
    pub max_points: Option<i32>,
    pub scaled_score: Option<i32>,
    pub passed: Option<bool>,
    pub domain_scores: Option<Json<Vec<crate::domain::scoring::DomainScore>>>,
    /// Seconds until the deadline as the database sees it (negative once passed).
    pub remaining_seconds: Option<f64>,
    pub exam_code: String,
    pub exam_slug: String,
    pub item_count: i64,
    pub answered_count: i64,
    pub breaks_taken: i32,
    /// The real exam is open book (its blueprint's `learn_access`).
    pub learn_access: bool,
    /// The real exam offers breaks (its blueprint's `breaks`).
    pub breaks_offered: bool,
}

impl AttemptRow {
    pub fn in_progress(&self) -> bool {
        self.status == AttemptStatus::InProgress
    }
    pub fn is_practice(&self) -> bool {
        self.mode == Mode::Practice
    }
    /// Whole seconds left, never negative; `None` when untimed.
    pub fn remaining(&self) -> Option<i64> {
        whole_seconds(self.remaining_seconds)
    }
    pub fn expired(&self) -> bool {
        self.remaining_seconds.is_some_and(|s| s <= 0.0)
    }
    /// The deadline and the grace after it have both passed: nothing more can be saved.
    pub fn past_grace(&self, grace_seconds: i64) -> bool {
        self.remaining_seconds
            .is_some_and(|s| s < -(grace_seconds as f64))
    }
}

/// Whole seconds left of `remaining_seconds`, never negative; `None` when untimed.
pub fn whole_seconds(remaining_seconds: Option<f64>) -> Option<i64> {
    remaining_seconds.map(|s| s.max(0.0).floor() as i64)
}

const ATTEMPT_COLUMNS: &str =
    "a.id, a.user_id, a.exam_id, a.mode, a.seed, a.status, a.started_at, a.deadline_at,
    a.submitted_at, a.submit_reason, a.open_section, a.title, a.settings, a.points, a.max_points,
    a.scaled_score, a.passed, a.domain_scores, a.breaks_taken,
    EXTRACT(EPOCH FROM a.deadline_at - now())::float8 AS remaining_seconds,
    e.code AS exam_code, e.slug AS exam_slug,
    COALESCE((e.blueprint->>'learn_access')::boolean, false) AS learn_access,
    COALESCE((e.blueprint->>'breaks')::boolean, false) AS breaks_offered,
    p.item_count, p.answered_count";

/// The attempt with its exam and its progress, counted in one pass over its items.
const ATTEMPT_FROM: &str = "attempts a JOIN exams e ON e.id = a.exam_id
    CROSS JOIN LATERAL (SELECT count(*) AS item_count, count(i.answered_at) AS answered_count
                        FROM attempt_items i WHERE i.attempt_id = a.id) p";

/// The attempt, only when it belongs to `user_id`.
pub async fn get_for_user(
    pool: &PgPool,
    id: AttemptId,
    user_id: UserId,
) -> anyhow::Result<Option<AttemptRow>> {
    sqlx::query_as(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM {ATTEMPT_FROM} WHERE a.id = $1 AND a.user_id = $2"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(pool)
    .await
    .context("loading the candidate's attempt")
}

pub async fn list_for_user(
    pool: &PgPool,
    user_id: UserId,
    limit: i64,
) -> anyhow::Result<Vec<AttemptRow>> {
    sqlx::query_as(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM {ATTEMPT_FROM}
         WHERE a.user_id = $1 ORDER BY a.started_at DESC LIMIT $2"
    ))
    .bind(user_id)
    .bind(limit)
    .fetch_all(pool)
    .await
    .context("listing the candidate's attempts")
}

pub async fn list_for_user_exam(
    pool: &PgPool,
    user_id: UserId,
    exam_id: ExamId,
) -> anyhow::Result<Vec<AttemptRow>> {
    sqlx::query_as(&format!(
        "SELECT {ATTEMPT_COLUMNS} FROM {ATTEMPT_FROM}
         WHERE a.user_id = $1 AND a.exam_id = $2 ORDER BY a.started_at DESC"
    ))
    .bind(user_id)
    .bind(exam_id)
    .fetch_all(pool)
    .await
    .context("listing the candidate's attempts of an exam")
}

/// The candidate's full mock in progress (served by the `attempts_one_open_mock` index).
pub const OPEN_MOCK_SQL: &str =
    "SELECT id FROM attempts WHERE user_id = $1 AND exam_id = $2 AND mode = 'exam' AND status = 'in_progress'";

pub async fn open_mock(
    pool: &PgPool,
    user_id: UserId,
    exam_id: ExamId,
) -> anyhow::Result<Option<AttemptId>> {
    sqlx::query_scalar(OPEN_MOCK_SQL)
        .bind(user_id)
        .bind(exam_id)
        .fetch_optional(pool)
        .await
        .context("looking for a full mock in progress")
}

pub async fn open_check(
    pool: &PgPool,
    user_id: UserId,
    exam_id: ExamId,
) -> anyhow::Result<Option<AttemptId>> {
    sqlx::query_scalar(
        "SELECT id FROM attempts WHERE user_id = $1 AND exam_id = $2 AND mode = 'check' AND status = 'in_progress'",
    )
    .bind(user_id)
    .bind(exam_id)
    .fetch_optional(pool)
    .await
    .context("looking for an adaptive check in progress")
}

/// Adds the next item of an adaptive check at `position`; false when that position is already
/// taken (a parallel request added it first).
pub async fn append_item(
    pool: &PgPool,
    attempt_id: AttemptId,
    position: i32,
    item: &NewItem,
) -> anyhow::Result<bool> {
    let r = sqlx::query(
        "WITH i AS (
             INSERT INTO attempt_items (attempt_id, position, question_version_id, section, section_kind, permutation)
             SELECT $1, $2, $3, $4, $5, $6 FROM attempts
             WHERE id = $1 AND status = 'in_progress' AND mode = 'check'
             ON CONFLICT (attempt_id, position) DO NOTHING
             RETURNING question_version_id
         )
         UPDATE attempts SET question_versions = question_versions || i.question_version_id
         FROM i WHERE attempts.id = $1",
    )
    .bind(attempt_id)
    .bind(position)
    .bind(item.version_id)
    .bind(item.section)
    .bind(item.section_kind)
    .bind(serde_json::to_value(&item.permutation).unwrap_or_default())
    .execute(pool)
    .await
    .context("adding the next item of a check")?;
    Ok(r.rows_affected() == 1)
}

/// Closes every item of an attempt up to `position`: an adaptive check does not go back.
pub async fn lock_through(
    pool: &PgPool,
    attempt_id: AttemptId,
    position: i32,
) -> anyhow::Result<()> {
    sqlx::query("UPDATE attempt_items SET locked = true WHERE attempt_id = $1 AND position <= $2 AND NOT locked")
        .bind(attempt_id)
        .bind(position)
        .execute(pool)
        .await
        .context("closing answered check items")?;
    Ok(())
}

/// A finished check's result: the expected scaled score of a fresh form at the measured ability,
/// and the measurement itself in `settings`.
pub async fn store_check_estimate(
    pool: &PgPool,
    attempt_id: AttemptId,
    scaled: i32,
    passed: bool,
    measurement: serde_json::Value,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE attempts SET scaled_score = $2, passed = $3, settings = settings || $4
         WHERE id = $1 AND mode = 'check'",
    )
    .bind(attempt_id)
    .bind(scaled)
    .bind(passed)
    .bind(measurement)
    .execute(pool)
    .await
    .context("storing a check's result")?;
    Ok(())
}

/// What a start needs of the candidate: their mock in progress, if any, and the questions they
/// were shown in any earlier attempt of the exam.
#[derive(Debug, Clone, Default)]
pub struct StartFacts {
    pub open_mock: Option<AttemptId>,
    pub seen: std::collections::HashSet<QuestionId>,
}

/// The statement of [`start_facts`] (`$1` user, `$2` exam; its plan is tested against misleading
/// statistics). The open mock comes from the `attempts_one_open_mock` index; the history is read
/// once per start (not once per question) from the candidate's own attempt rows, each of which
/// keeps the versions it showed (`attempts.question_versions`): a few rows, however many answer
/// rows the candidate has and however far apart a large attempt_items table holds them.
pub const START_FACTS_SQL: &str = "SELECT
        (SELECT id FROM attempts WHERE user_id = $1 AND exam_id = $2 AND mode = 'exam'
                                   AND status = 'in_progress') AS open_mock,
        ARRAY(SELECT DISTINCT v FROM attempts a, unnest(a.question_versions) v
              WHERE a.user_id = $1 AND a.exam_id = $2) AS seen";

/// The candidate's open mock and the versions they were shown, in one statement (the bank itself
/// comes from `db::live_bank`, each version's question from `db::versions`).
pub async fn start_facts(
    pool: &PgPool,
    user_id: UserId,
    exam_id: ExamId,
) -> anyhow::Result<StartFacts> {
    let (open_mock, seen): (Option<AttemptId>, Vec<Uuid>) = sqlx::query_as(START_FACTS_SQL)
        .bind(user_id)
        .bind(exam_id)
        .fetch_one(pool)
        .await
        .context("reading the candidate's mock in progress and history")?;
    // Versions are immutable: which question each belongs to comes from the process's cache.
    let versions = super::versions::cached_many(pool, &seen).await?;
    Ok(StartFacts {
        open_mock,
        seen: versions.iter().map(|v| v.question_id).collect(),
    })
}

/// Who owns an attempt, which exam it is of and in which mode (for finalising, which has only
/// the id).
#[derive(Debug, Clone, Copy, FromRow)]
pub struct AttemptOwner {
    pub user_id: UserId,
    pub exam_id: ExamId,
    pub mode: Mode,
}

pub async fn owner<'e>(
    db: impl PgExecutor<'e>,
    attempt_id: AttemptId,
) -> anyhow::Result<AttemptOwner> {
    sqlx::query_as("SELECT user_id, exam_id, mode FROM attempts WHERE id = $1")
        .bind(attempt_id)
        .fetch_one(db)
        .await
        .context("loading who owns the attempt")
}

/// Every answered item of the attempt is now in the review schedule.
pub async fn mark_scheduled(
    tx: &mut Transaction<'_, Postgres>,
    attempt_id: AttemptId,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE attempt_items SET reviewed_into_schedule = true
         WHERE attempt_id = $1 AND answered_at IS NOT NULL",
    )
    .bind(attempt_id)
    .execute(&mut **tx)
    .await
    .context("marking the attempt's answers as scheduled for review")?;
    Ok(())
}

/// Stores a checked practice item's points and claims it for the review schedule; false when
/// another check claimed it first (two simultaneous checks record the answer once).
pub async fn claim_checked(
    tx: &mut Transaction<'_, Postgres>,
    attempt_id: AttemptId,
    position: i32,
    points: i32,
    max: i32,
) -> anyhow::Result<bool> {
    let r = sqlx::query(
        "UPDATE attempt_items SET points = $3, max_points = $4, reviewed_into_schedule = true
         WHERE attempt_id = $1 AND position = $2 AND NOT reviewed_into_schedule",
    )
    .bind(attempt_id)
    .bind(position)
    .bind(points)
    .bind(max)
    .execute(&mut **tx)
    .await
    .context("storing a checked practice answer")?;
    Ok(r.rows_affected() == 1)
}

pub struct NewItem {
    pub version_id: Uuid,
    pub section: i32,
    pub section_kind: SectionKind,
    pub permutation: BTreeMap<String, Vec<String>>,
}

pub struct NewAttempt {
    pub user_id: UserId,
    pub exam_id: ExamId,
    pub mode: Mode,
    pub seed: i64,
    pub duration_seconds: Option<i64>,
    pub title: String,
    pub settings: serde_json::Value,
}

pub enum CreateOutcome {
    Created(AttemptId),
    /// A full mock of this exam is already in progress.
    AlreadyOpen(AttemptId),
}

/// Stores the attempt and its items in one statement (one round trip, atomic by itself).
pub async fn create(
    pool: &PgPool,
    a: NewAttempt,
    items: &[NewItem],
) -> anyhow::Result<CreateOutcome> {
    let positions: Vec<i32> = (1..=items.len() as i32).collect();
    let versions: Vec<Uuid> = items.iter().map(|i| i.version_id).collect();
    let sections: Vec<i32> = items.iter().map(|i| i.section).collect();
    let kinds: Vec<SectionKind> = items.iter().map(|i| i.section_kind).collect();
    let perms: Vec<serde_json::Value> = items
        .iter()
        .map(|i| serde_json::to_value(&i.permutation).unwrap_or_default())
        .collect();
    let inserted: Result<AttemptId, sqlx::Error> = sqlx::query_scalar(
        "WITH a AS (
             INSERT INTO attempts (user_id, exam_id, mode, seed, deadline_at, title, settings,
                                   question_versions)
             VALUES ($1, $2, $3, $4, CASE WHEN $5::bigint IS NULL THEN NULL ELSE now() + make_interval(secs => $5::bigint) END, $6, $7, $9)
             RETURNING id
         ), i AS (
             INSERT INTO attempt_items (attempt_id, position, question_version_id, section, section_kind, permutation)
             SELECT a.id, u.* FROM a, UNNEST($8::int[], $9::uuid[], $10::int[], $11::text[], $12::jsonb[]) AS u
         )
         SELECT id FROM a",
    )
    .bind(a.user_id)
    .bind(a.exam_id)
    .bind(a.mode)
    .bind(a.seed)
    .bind(a.duration_seconds)
    .bind(&a.title)
    .bind(&a.settings)
    .bind(&positions)
    .bind(&versions)
    .bind(&sections)
    .bind(&kinds)
    .bind(&perms)
    .fetch_one(pool)
    .await;
    match inserted {
        Ok(id) => Ok(CreateOutcome::Created(id)),
        Err(sqlx::Error::Database(d))
            if matches!(
                d.constraint(),
                Some("attempts_one_open_mock" | "attempts_one_open_check")
            ) =>
        {
            let open = match a.mode {
                Mode::Check => open_check(pool, a.user_id, a.exam_id).await?,
                _ => open_mock(pool, a.user_id, a.exam_id).await?,
            };
            match open {
                Some(id) => Ok(CreateOutcome::AlreadyOpen(id)),
                None => Err(anyhow::Error::from(sqlx::Error::Database(d))
                    .context("storing a new full mock")),
            }
        }
        Err(e) => Err(anyhow::Error::from(e).context("storing a new attempt")),
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct ItemRow {
    pub position: i32,
    pub question_id: QuestionId,
    pub version_id: Uuid,
    pub section: i32,
    pub section_kind: SectionKind,
    pub permutation: Json<BTreeMap<String, Vec<String>>>,
    pub response: Option<Json<Response>>,
    pub flagged: bool,
    pub revision: i32,
    pub answered_at: Option<OffsetDateTime>,
    /// Options the candidate struck through ("rule out").
    pub ruled_out: Json<Vec<String>>,
    pub locked: bool,
    pub checked: bool,
    pub reviewed_into_schedule: bool,
    pub points: Option<i32>,
    pub max_points: Option<i32>,
    pub body: Json<Item>,
    pub scenario: Option<Json<Scenario>>,
    pub domain_code: String,
}

impl ItemRow {
    pub fn answered(&self) -> bool {
        self.response.as_ref().is_some_and(|r| !r.0.is_empty())
    }
}

const ITEM_QUERY: &str =
    "SELECT ai.position, qv.question_id, qv.id AS version_id, ai.section, ai.section_kind,
        ai.permutation, ai.response, ai.flagged, ai.revision, ai.answered_at, ai.ruled_out, ai.locked, ai.checked,
        ai.reviewed_into_schedule, ai.points, ai.max_points, qv.body, sv.content AS scenario,
        COALESCE(o.domain_code, '') AS domain_code
    FROM attempt_items ai
    JOIN attempts a ON a.id = ai.attempt_id
    JOIN question_versions qv ON qv.id = ai.question_version_id
    JOIN questions q ON q.id = qv.question_id
    LEFT JOIN objectives o ON o.exam_id = q.exam_id AND o.code = qv.body->>'objective'
    LEFT JOIN scenario_versions sv ON sv.id = qv.scenario_version_id
    WHERE ai.attempt_id = $1";

pub async fn items<'e>(
    db: impl PgExecutor<'e>,
    attempt_id: AttemptId,
) -> anyhow::Result<Vec<ItemRow>> {
    sqlx::query_as(&format!("{ITEM_QUERY} ORDER BY ai.position"))
        .bind(attempt_id)
        .fetch_all(db)
        .await
        .context("loading the items of an attempt")
}

/// The candidate's state of one item, without the question (which comes from the cache). Read
/// as a row, or as a JSON object (`ITEM_STATE_JSON`) where one statement returns every item.
#[derive(Debug, Clone, FromRow, serde::Deserialize)]
struct ItemState {
    position: i32,
    version_id: Uuid,
    section: i32,
    section_kind: SectionKind,
    permutation: Json<BTreeMap<String, Vec<String>>>,
    response: Option<Json<Response>>,
    flagged: bool,
    revision: i32,
    #[serde(with = "time::serde::rfc3339::option")]
    answered_at: Option<OffsetDateTime>,
    ruled_out: Json<Vec<String>>,
    locked: bool,
    checked: bool,
    reviewed_into_schedule: bool,
    points: Option<i32>,
    max_points: Option<i32>,
}

/// One item's [`ItemState`] as a JSON object, over `i` (attempt_items) and `c` (the same item's
/// `position` and `locked` as a data-modifying CTE of the statement left them, or NULL).
const ITEM_STATE_JSON: &str = "json_build_object(
    'position', i.position, 'version_id', i.question_version_id, 'section', i.section,
    'section_kind', i.section_kind, 'permutation', i.permutation, 'response', i.response,
    'flagged', i.flagged, 'revision', i.revision, 'answered_at', i.answered_at,
    'ruled_out', i.ruled_out, 'locked', COALESCE(c.locked, i.locked), 'checked', i.checked,
    'reviewed_into_schedule', i.reviewed_into_schedule, 'points', i.points,
    'max_points', i.max_points)";

/// One item of an attempt: its row (one primary-key probe) and its question version from the
/// process's cache of immutable versions (read from the database only on a miss).
pub async fn item(
    pool: &PgPool,
    attempt_id: AttemptId,
    position: i32,
) -> anyhow::Result<Option<ItemRow>> {
    let state: Option<ItemState> = sqlx::query_as(
        "SELECT position, question_version_id AS version_id, section, section_kind, permutation,
                response, flagged, revision, answered_at, ruled_out, locked, checked,
                reviewed_into_schedule, points, max_points
         FROM attempt_items WHERE attempt_id = $1 AND position = $2",
    )
    .bind(attempt_id)
    .bind(position)
    .fetch_optional(pool)
    .await
    .context("loading one item of an attempt")?;
    let Some(s) = state else {
        return Ok(None);
    };
    let v = super::versions::cached(pool, s.version_id).await?;
    Ok(Some(s.with_version(&v)))
}

/// Every item of an attempt in position order: the candidate's rows (one pass over the
/// attempt's primary-key prefix) and the question versions from the process's cache. Outside a
/// transaction; `items` reads the same within one.
pub async fn items_cached(pool: &PgPool, attempt_id: AttemptId) -> anyhow::Result<Vec<ItemRow>> {
    let states: Vec<ItemState> = sqlx::query_as(
        "SELECT position, question_version_id AS version_id, section, section_kind, permutation,
                response, flagged, revision, answered_at, ruled_out, locked, checked,
                reviewed_into_schedule, points, max_points
         FROM attempt_items WHERE attempt_id = $1 ORDER BY position",
    )
    .bind(attempt_id)
    .fetch_all(pool)
    .await
    .context("loading the items of an attempt")?;
    with_versions(pool, states).await
}

/// Items' states with their question versions from the process's cache.
async fn with_versions(pool: &PgPool, states: Vec<ItemState>) -> anyhow::Result<Vec<ItemRow>> {
    let ids: Vec<Uuid> = states.iter().map(|s| s.version_id).collect();
    let versions = super::versions::cached_many(pool, &ids).await?;
    Ok(states
        .into_iter()
        .zip(versions)
        .map(|(s, v)| s.with_version(&v))
        .collect())
}

impl ItemState {
    fn with_version(self, v: &super::versions::Version) -> ItemRow {
        let s = self;
        ItemRow {
            position: s.position,
            question_id: v.question_id,
            version_id: s.version_id,
            section: s.section,
            section_kind: s.section_kind,
            permutation: s.permutation,
            response: s.response,
            flagged: s.flagged,
            revision: s.revision,
            answered_at: s.answered_at,
            ruled_out: s.ruled_out,
            locked: s.locked,
            checked: s.checked,
            reviewed_into_schedule: s.reviewed_into_schedule,
            points: s.points,
            max_points: s.max_points,
            body: Json(v.body.clone()),
            scenario: v.scenario.clone().map(Json),
            domain_code: v.domain_code.clone(),
        }
    }
}

/// One screen of an attempt as read in one statement: the attempt (with its exam and progress),
/// where every item sits, and item `n` whole (`None` when the attempt has no such position).
#[derive(Debug, Clone)]
pub struct Screen {
    pub attempt: AttemptRow,
    pub nav: Vec<NavRow>,
    pub item: Option<ItemRow>,
}

#[derive(FromRow)]
struct ScreenRow {
    #[sqlx(flatten)]
    attempt: AttemptRow,
    nav: Json<Vec<NavRow>>,
    item_position: Option<i32>,
    item_version: Option<Uuid>,
    item_section: Option<i32>,
    item_section_kind: Option<SectionKind>,
    item_permutation: Option<Json<BTreeMap<String, Vec<String>>>>,
    item_response: Option<Json<Response>>,
    item_flagged: Option<bool>,
    item_revision: Option<i32>,
    item_answered_at: Option<OffsetDateTime>,
    item_ruled_out: Option<Json<Vec<String>>>,
    item_locked: Option<bool>,
    item_checked: Option<bool>,
    item_reviewed: Option<bool>,
    item_points: Option<i32>,
    item_max_points: Option<i32>,
}

/// The screen's read over `lk` (the attempt row, found by primary key and owner): the exam by
/// primary key, the attempt's items through its primary-key prefix once (progress and navigation
/// together) and item `$3` by primary key. Bounded by the attempt's own items whatever the
/// planner knows of the tables: every access to attempt_items names the attempt as the
/// parameter `$1`, never as a join column (without statistics the planner hash-joins a join
/// column over a sequential scan of the whole table).
fn screen_select() -> String {
    format!(
        "SELECT {ATTEMPT_COLUMNS}, p.nav,
            t.position AS item_position, t.question_version_id AS item_version,
            t.section AS item_section, t.section_kind AS item_section_kind,
            t.permutation AS item_permutation, t.response AS item_response,
            t.flagged AS item_flagged, t.revision AS item_revision,
            t.answered_at AS item_answered_at, t.ruled_out AS item_ruled_out,
            t.locked AS item_locked, t.checked AS item_checked,
            t.reviewed_into_schedule AS item_reviewed, t.points AS item_points,
            t.max_points AS item_max_points
         FROM lk a JOIN exams e ON e.id = a.exam_id
         CROSS JOIN LATERAL (
             SELECT count(*) AS item_count, count(i.answered_at) AS answered_count,
                    COALESCE(json_agg(json_build_object(
                        'position', i.position, 'section', i.section,
                        'section_kind', i.section_kind, 'locked', i.locked,
                        'answered', i.answered_at IS NOT NULL, 'flagged', i.flagged)
                        ORDER BY i.position), '[]') AS nav
             FROM attempt_items i WHERE i.attempt_id = $1) p
         LEFT JOIN attempt_items t ON t.attempt_id = $1 AND t.position = $3"
    )
}

/// The statement of [`screen`]: `$1` attempt, `$2` owner, `$3` position.
pub fn screen_sql() -> String {
    format!(
        "WITH lk AS MATERIALIZED (SELECT * FROM attempts WHERE id = $1 AND user_id = $2)
         {}",
        screen_select()
    )
}

/// The statement of [`open_screen`]: `$1` attempt, `$2` owner, `$3` position, `$4` the longest
/// stint credited, `$5` the grace after the deadline in seconds. Under the attempt's row lock
/// (as finalising takes it), and only when the attempt is open, within its deadline and grace,
/// and item `$3` exists and is not closed: every problem–solution question seen or answered
/// before closes, item `$3` is marked as viewed, the item open until now gets the time since it
/// was opened, and the clock starts for `$3`. What is returned is the screen as it was before
/// (the rules of opening are decided on it).
pub fn open_screen_sql() -> String {
    let stint = super::timing::stint("$4");
    format!(
        "WITH lk AS MATERIALIZED (
             SELECT * FROM attempts WHERE id = $1 AND user_id = $2 FOR UPDATE
         ), prev AS MATERIALIZED (
             SELECT lk.id, lk.viewing_position, lk.viewing_since, lk.deadline_at FROM lk
             JOIN attempt_items c ON c.attempt_id = lk.id AND c.position = $3
             WHERE lk.status = 'in_progress' AND NOT c.locked
               AND (lk.deadline_at IS NULL OR now() <= lk.deadline_at + make_interval(secs => $5))
         ), moved AS (
             UPDATE attempts SET viewing_position = $3, viewing_since = now()
             FROM prev WHERE attempts.id = $1 AND prev.id = $1
         ), opened AS (
             UPDATE attempt_items ai SET
                 locked = ai.locked OR (ai.position <> $3 AND ai.section_kind = 'series'
                     AND (ai.first_viewed_at IS NOT NULL OR ai.answered_at IS NOT NULL)),
                 first_viewed_at = CASE WHEN ai.position = $3
                                        THEN COALESCE(ai.first_viewed_at, now())
                                        ELSE ai.first_viewed_at END,
                 seconds_on_item = CASE WHEN ai.position = prev.viewing_position
                                             AND prev.viewing_since IS NOT NULL
                                        THEN COALESCE(ai.seconds_on_item, 0) + {stint}
                                        ELSE ai.seconds_on_item END
             FROM prev
             WHERE ai.attempt_id = $1 AND prev.id = $1
               AND (ai.position = $3 OR ai.position = prev.viewing_position
                    OR (ai.section_kind = 'series' AND NOT ai.locked
                        AND (ai.first_viewed_at IS NOT NULL OR ai.answered_at IS NOT NULL)))
         )
         {}",
        screen_select()
    )
}

impl ScreenRow {
    async fn into_screen(self, pool: &PgPool) -> anyhow::Result<Screen> {
        let item = match (self.item_position, self.item_version) {
            (Some(position), Some(version_id)) => {
                let v = super::versions::cached(pool, version_id).await?;
                let state = ItemState {
                    position,
                    version_id,
                    section: self.item_section.unwrap_or_default(),
                    section_kind: self.item_section_kind.unwrap_or(SectionKind::Standalone),
                    permutation: self.item_permutation.unwrap_or_default(),
                    response: self.item_response,
                    flagged: self.item_flagged.unwrap_or_default(),
                    revision: self.item_revision.unwrap_or_default(),
                    answered_at: self.item_answered_at,
                    ruled_out: self.item_ruled_out.unwrap_or_default(),
                    locked: self.item_locked.unwrap_or_default(),
                    checked: self.item_checked.unwrap_or_default(),
                    reviewed_into_schedule: self.item_reviewed.unwrap_or_default(),
                    points: self.item_points,
                    max_points: self.item_max_points,
                };
                Some(state.with_version(&v))
            }
            _ => None,
        };
        Ok(Screen {
            attempt: self.attempt,
            nav: self.nav.0,
            item,
        })
    }
}

/// The candidate's attempt, its navigation and item `n`, in one statement; `None` when the
/// attempt is not theirs.
pub async fn screen(
    pool: &PgPool,
    attempt_id: AttemptId,
    user_id: UserId,
    n: i32,
) -> anyhow::Result<Option<Screen>> {
    let row: Option<ScreenRow> = sqlx::query_as(&screen_sql())
        .bind(attempt_id)
        .bind(user_id)
        .bind(n)
        .fetch_optional(pool)
        .await
        .context("loading the attempt with one of its items")?;
    match row {
        Some(r) => Ok(Some(r.into_screen(pool).await?)),
        None => Ok(None),
    }
}

/// As [`screen`], and item `n` is opened in the same statement when the rules allow it (see
/// [`open_screen_sql`]): an item page is one statement.
pub async fn open_screen(
    pool: &PgPool,
    attempt_id: AttemptId,
    user_id: UserId,
    n: i32,
    grace_seconds: i64,
) -> anyhow::Result<Option<Screen>> {
    let row: Option<ScreenRow> = sqlx::query_as(&open_screen_sql())
        .bind(attempt_id)
        .bind(user_id)
        .bind(n)
        .bind(super::timing::MAX_STINT_SECONDS)
        .bind(grace_seconds as f64)
        .fetch_optional(pool)
        .await
        .context("opening an item of the attempt")?;
    match row {
        Some(r) => Ok(Some(r.into_screen(pool).await?)),
        None => Ok(None),
    }
}

/// The statement of [`open_review`]: `$1` attempt, `$2` owner, `$3` the longest stint credited,
/// `$4` the grace after the deadline in seconds. Under the attempt's row lock, and only when the
/// attempt is open and within its deadline and grace, the candidate leaves the items for the
/// review screen, which is outside every section: the case study open until now closes (every
/// item of its section), so does every problem–solution question seen or answered, the item on
/// screen gets the time since it was opened and the clock stops. Returns the attempt as it was
/// (with its exam and progress) and every item as the statement left it, in position order.
/// As in [`open_screen_sql`], the items are read in the statement's snapshot, taken before the
/// row lock was granted: a save of the same attempt still running when the review was asked for
/// may be missing from this one page (it is in the database; the page's own Review button posts
/// and commits its save before it follows the redirect here).
pub fn open_review_sql() -> String {
    let stint = super::timing::stint("$3");
    format!(
        "WITH lk AS MATERIALIZED (
             SELECT * FROM attempts WHERE id = $1 AND user_id = $2 FOR UPDATE
         ), prev AS MATERIALIZED (
             SELECT lk.id, lk.open_section, lk.viewing_position, lk.viewing_since, lk.deadline_at
             FROM lk
             WHERE lk.status = 'in_progress'
               AND (lk.deadline_at IS NULL OR now() <= lk.deadline_at + make_interval(secs => $4))
         ), left_items AS (
             UPDATE attempts SET open_section = NULL, viewing_position = NULL, viewing_since = NULL
             FROM prev WHERE attempts.id = $1 AND prev.id = $1
               AND (prev.open_section IS NOT NULL OR prev.viewing_position IS NOT NULL)
         ), closed AS (
             UPDATE attempt_items ai SET
                 locked = ai.locked OR COALESCE(ai.section = prev.open_section, false)
                     OR (ai.section_kind = 'series'
                         AND (ai.first_viewed_at IS NOT NULL OR ai.answered_at IS NOT NULL)),
                 seconds_on_item = CASE WHEN ai.position = prev.viewing_position
                                             AND prev.viewing_since IS NOT NULL
                                        THEN COALESCE(ai.seconds_on_item, 0) + {stint}
                                        ELSE ai.seconds_on_item END
             FROM prev
             WHERE ai.attempt_id = $1 AND prev.id = $1
               AND (ai.position = prev.viewing_position
                    OR (NOT ai.locked AND (ai.section = prev.open_section
                        OR (ai.section_kind = 'series'
                            AND (ai.first_viewed_at IS NOT NULL OR ai.answered_at IS NOT NULL)))))
             RETURNING ai.position, ai.locked
         )
         SELECT {ATTEMPT_COLUMNS}, p.items
         FROM lk a JOIN exams e ON e.id = a.exam_id
         CROSS JOIN LATERAL (
             SELECT count(*) AS item_count, count(i.answered_at) AS answered_count,
                    COALESCE(json_agg({ITEM_STATE_JSON} ORDER BY i.position), '[]') AS items
             FROM attempt_items i LEFT JOIN closed c ON c.position = i.position
             WHERE i.attempt_id = $1) p"
    )
}

#[derive(FromRow)]
struct ReviewRow {
    #[sqlx(flatten)]
    attempt: AttemptRow,
    items: Json<Vec<ItemState>>,
}

/// The review screen of an attempt: the attempt as it was when the candidate asked, and every
/// item after leaving them.
#[derive(Debug, Clone)]
pub struct Review {
    pub attempt: AttemptRow,
    pub items: Vec<ItemRow>,
}

/// Opens the review screen in one statement (see [`open_review_sql`]); `None` when the attempt
/// is not the candidate's.
pub async fn open_review(
    pool: &PgPool,
    attempt_id: AttemptId,
    user_id: UserId,
    grace_seconds: i64,
) -> anyhow::Result<Option<Review>> {
    let row: Option<ReviewRow> = sqlx::query_as(&open_review_sql())
        .bind(attempt_id)
        .bind(user_id)
        .bind(super::timing::MAX_STINT_SECONDS)
        .bind(grace_seconds as f64)
        .fetch_optional(pool)
        .await
        .context("opening the review screen of the attempt")?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(Review {
        attempt: row.attempt,
        items: with_versions(pool, row.items.0).await?,
    }))
}

/// Records which case-study section the candidate is in; leaving one locks all its items.
/// Returns the section that was locked, if any.
pub async fn enter_section(
    pool: &PgPool,
    attempt_id: AttemptId,
    section: Option<i32>,
) -> anyhow::Result<Option<i32>> {
    let mut tx = pool
        .begin()
        .await
        .context("entering or leaving a case-study section")?;
    let open: Option<i32> =
        sqlx::query_scalar("SELECT open_section FROM attempts WHERE id = $1 FOR UPDATE")
            .bind(attempt_id)
            .fetch_one(&mut *tx)
            .await
            .context("entering or leaving a case-study section")?;
    let mut locked = None;
    if open.is_some() && open != section {
        sqlx::query(
            "UPDATE attempt_items SET locked = true WHERE attempt_id = $1 AND section = $2",
        )
        .bind(attempt_id)
        .bind(open)
        .execute(&mut *tx)
        .await
        .context("entering or leaving a case-study section")?;
        locked = open;
    }
    if open != section {
        sqlx::query("UPDATE attempts SET open_section = $2 WHERE id = $1")
            .bind(attempt_id)
            .bind(section)
            .execute(&mut *tx)
            .await
            .context("entering or leaving a case-study section")?;
    }
    tx.commit()
        .await
        .context("entering or leaving a case-study section")?;
    Ok(locked)
}

/// One answer to store: the item, the revision the candidate's page showed, and what to write.
pub struct AnswerWrite<'a> {
    pub attempt_id: AttemptId,
    pub user_id: UserId,
    pub position: i32,
    pub base_revision: i32,
    pub response: &'a Response,
    pub flagged: bool,
    pub ruled_out: &'a [String],
    pub grace_seconds: i64,
    /// Lock the item in the same statement (the candidate is moving on from it).
    pub lock: bool,
}

/// What the database holds for an item whose save was refused; the engine explains the refusal.
#[derive(Debug, Clone, FromRow)]
pub struct RefusalFacts {
    pub revision: i32,
    pub locked: bool,
    pub checked: bool,
    pub response: Option<Json<Response>>,
    pub flagged: bool,
    pub status: AttemptStatus,
    pub too_late: bool,
}

/// A write that landed: the item's new revision and the attempt as the write saw it.
#[derive(Debug, Clone, Copy, FromRow)]
pub struct Written {
    pub revision: i32,
    pub open_section: Option<i32>,
    /// Seconds until the deadline (negative once passed); `None` when untimed.
    pub remaining_seconds: Option<f64>,
}

pub enum StoredAnswer {
    /// The answer landed.
    Written(Written),
    /// Nothing was written; what the row holds instead.
    Refused(RefusalFacts),
    /// No such item in the candidate's attempts.
    Missing,
}

/// The save's statement (its plan is tested against misleading statistics). The share lock on
/// the attempt waits for a finaliser holding it and then sees the attempt submitted, so no save
/// lands between scoring and closing. The attempt is found by its primary key: no index of open
/// attempts can serve `status = 'in_progress'` alone (migration 20261130000400).
pub const WRITE_ANSWER_SQL: &str = "WITH a AS (
             SELECT id, deadline_at, open_section FROM attempts
             WHERE id = $1 AND user_id = $2 AND status = 'in_progress' FOR SHARE
         )
         UPDATE attempt_items ai SET response = $5, flagged = $6, ruled_out = $10, revision = ai.revision + 1,
                answered_at = CASE WHEN $7 THEN now() ELSE NULL END,
                locked = ai.locked OR $8
         FROM a
         WHERE ai.attempt_id = $1 AND ai.position = $3
           AND ai.revision = $4 AND NOT ai.locked AND NOT ai.checked
           AND (a.deadline_at IS NULL OR now() <= a.deadline_at + make_interval(secs => $9))
         RETURNING ai.revision, a.open_section,
                   EXTRACT(EPOCH FROM a.deadline_at - now())::float8 AS remaining_seconds";

/// Writes an answer if the attempt is open, the deadline (plus grace) has not passed, the item is
/// neither locked nor checked and nobody saved since `base_revision`; otherwise reads the facts
/// that explain why not.
pub async fn write_answer(pool: &PgPool, w: &AnswerWrite<'_>) -> anyhow::Result<StoredAnswer> {
    if let Some(written) = try_write_answer(pool, w).await? {
        return Ok(StoredAnswer::Written(written));
    }
    let facts: Option<RefusalFacts> = sqlx::query_as(
        "SELECT ai.revision, ai.locked, ai.checked, ai.response, ai.flagged, a.status,
                (a.deadline_at IS NOT NULL AND now() > a.deadline_at + make_interval(secs => $4)) AS too_late
         FROM attempt_items ai JOIN attempts a ON a.id = ai.attempt_id
         WHERE ai.attempt_id = $1 AND a.user_id = $2 AND ai.position = $3",
    )
    .bind(w.attempt_id)
    .bind(w.user_id)
    .bind(w.position)
    .bind(w.grace_seconds as f64)
    .fetch_optional(pool)
    .await
    .context("reading why an answer was not written")?;
    Ok(match facts {
        Some(f) => StoredAnswer::Refused(f),
        None => StoredAnswer::Missing,
    })
}

/// The write of [`write_answer`] alone: `None` when it did not land (nothing read to say why).
pub async fn try_write_answer(
    pool: &PgPool,
    w: &AnswerWrite<'_>,
) -> anyhow::Result<Option<Written>> {
    let answered = !w.response.is_empty();
    sqlx::query_as(WRITE_ANSWER_SQL)
        .bind(w.attempt_id)
        .bind(w.user_id)
        .bind(w.position)
        .bind(w.base_revision)
        .bind(Json(w.response))
        .bind(w.flagged)
        .bind(answered)
        .bind(w.lock)
        .bind(w.grace_seconds as f64)
        .bind(Json(w.ruled_out))
        .fetch_optional(pool)
        .await
        .context("writing an answer")
}

/// Flags or unflags an item without touching its response.
pub async fn set_flag(
    pool: &PgPool,
    attempt_id: AttemptId,
    user_id: UserId,
    position: i32,
    flagged: bool,
) -> anyhow::Result<bool> {
    let r = sqlx::query(
        "UPDATE attempt_items ai SET flagged = $4 FROM attempts a
         WHERE a.id = ai.attempt_id AND ai.attempt_id = $1 AND a.user_id = $2 AND ai.position = $3
           AND a.status = 'in_progress'",
    )
    .bind(attempt_id)
    .bind(user_id)
    .bind(position)
    .bind(flagged)
    .execute(pool)
    .await
    .context("setting an item's review mark")?;
    Ok(r.rows_affected() == 1)
}

/// Practice: reveal the answer of one item; its response becomes final.
pub async fn mark_checked(
    pool: &PgPool,
    attempt_id: AttemptId,
    user_id: UserId,
    position: i32,
) -> anyhow::Result<bool> {
    let r = sqlx::query(
        "UPDATE attempt_items ai SET checked = true FROM attempts a
         WHERE a.id = ai.attempt_id AND ai.attempt_id = $1 AND a.user_id = $2 AND ai.position = $3
           AND a.mode = 'practice' AND a.status = 'in_progress' AND ai.answered_at IS NOT NULL",
    )
    .bind(attempt_id)
    .bind(user_id)
    .bind(position)
    .execute(pool)
    .await
    .context("marking a practice item as checked")?;
    Ok(r.rows_affected() == 1)
}

/// Locks the attempt row for finalising; `None` when it is already submitted.
pub async fn lock_open(
    tx: &mut Transaction<'_, Postgres>,
    attempt_id: AttemptId,
) -> anyhow::Result<Option<ExamId>> {
    // Waits for a save or another finaliser holding the row; then sees the newest status.
    sqlx::query_scalar(
        "SELECT exam_id FROM attempts WHERE id = $1 AND status = 'in_progress' FOR UPDATE",
    )
    .bind(attempt_id)
    .fetch_optional(&mut **tx)
    .await
    .context("locking the attempt row for finalising")
}

/// Open attempts whose deadline and grace have passed, locked for this transaction; rows another
/// process is finalising are skipped, so every process may sweep at once.
pub async fn lock_expired(
    tx: &mut Transaction<'_, Postgres>,
    grace_seconds: i64,
    limit: i64,
    skip: &[AttemptId],
) -> anyhow::Result<Vec<AttemptId>> {
    sqlx::query_scalar(
        "SELECT id FROM attempts
         WHERE status = 'in_progress' AND deadline_at IS NOT NULL
           AND deadline_at + make_interval(secs => $1) < now() AND id <> ALL($3)
         ORDER BY deadline_at LIMIT $2 FOR UPDATE SKIP LOCKED",
    )
    .bind(grace_seconds as f64)
    .bind(limit)
    .bind(skip)
    .fetch_all(&mut **tx)
    .await
    .context("finding expired attempts to sweep")
}

pub async fn store_item_points(
    tx: &mut Transaction<'_, Postgres>,
    attempt_id: AttemptId,
    positions: &[i32],
    points: &[i32],
    max: &[i32],
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE attempt_items ai SET points = p.points, max_points = p.max
         FROM UNNEST($2::int[], $3::int[], $4::int[]) AS p(position, points, max)
         WHERE ai.attempt_id = $1 AND ai.position = p.position",
    )
    .bind(attempt_id)
    .bind(positions)
    .bind(points)
    .bind(max)
    .execute(&mut **tx)
    .await
    .context("storing item points")?;
    Ok(())
}

pub async fn store_result(
    tx: &mut Transaction<'_, Postgres>,
    attempt_id: AttemptId,
    reason: SubmitReason,
    score: &crate::domain::scoring::ExamScore,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE attempts SET status = 'submitted', submitted_at = LEAST(now(), COALESCE(deadline_at, now())),
             submit_reason = $2, points = $3, max_points = $4, scaled_score = $5, passed = $6,
             domain_scores = $7, open_section = NULL
         WHERE id = $1",
    )
    .bind(attempt_id)
    .bind(reason)
    .bind(score.points as i32)
    .bind(score.max as i32)
    .bind(score.scaled as i32)
    .bind(score.passed)
    .bind(Json(&score.domains))
    .execute(&mut **tx)
    .await
        .context("storing the attempt's result")?;
    Ok(())
}

/// A live question offered to a practice set, with the candidate's history of it.
#[derive(Debug, Clone)]
pub struct PracticeRow {
    pub question_id: QuestionId,
    pub version_id: Uuid,
    pub objective_code: String,
    pub domain_code: String,
    pub seen: bool,
    pub wrong_before: bool,
    pub marked: bool,
    pub due: bool,
}

/// The candidate's own practice history, as question ids.
#[derive(FromRow)]
struct PracticeFacts {
    seen: Vec<Uuid>,
    wrong: Vec<Uuid>,
    marked: Vec<Uuid>,
    in_open_mock: Vec<Uuid>,
    scheduled: Vec<Uuid>,
    due: Vec<Uuid>,
}

/// The live questions a practice set may use, with what the candidate's history says of each:
/// the bank from `db::live_bank`, the history in one statement over the candidate's own rows.
/// Never a question of a mock in progress (practice would reveal its answer).
pub async fn practice_pool(
    pool: &PgPool,
    exam: &crate::db::exams::ExamRow,
    user_id: UserId,
) -> anyhow::Result<Vec<PracticeRow>> {
    let facts = sqlx::query_as::<_, PracticeFacts>(
        // The candidate's own answers, read once through one index probe per attempt (LATERAL
        // … OFFSET 0 is never flattened into a join over all of attempt_items, whatever the
        // planner knows), then used for both the history and the mocks in progress.
        "WITH mine AS MATERIALIZED (
             SELECT qv.question_id, a.exam_id, a.status, a.mode,
                    ai.points, ai.max_points, ai.answered_at, ai.flagged
             FROM attempts a
             CROSS JOIN LATERAL (SELECT i.question_version_id, i.points, i.max_points,
                                        i.answered_at, i.flagged
                                 FROM attempt_items i WHERE i.attempt_id = a.id OFFSET 0) ai
             JOIN question_versions qv ON qv.id = ai.question_version_id
             WHERE a.user_id = $2
         ), history AS MATERIALIZED (
             SELECT question_id,
                    bool_or(points IS NOT NULL AND points < max_points AND answered_at IS NOT NULL) AS wrong,
                    bool_or(flagged) AS marked
             FROM mine WHERE exam_id = $1
             GROUP BY question_id
         )
         SELECT ARRAY(SELECT question_id FROM history) AS seen,
                ARRAY(SELECT question_id FROM history WHERE wrong) AS wrong,
                ARRAY(SELECT question_id FROM history WHERE marked) AS marked,
                ARRAY(SELECT DISTINCT question_id FROM mine
                      WHERE status = 'in_progress' AND mode IN ('exam', 'check')) AS in_open_mock,
                ARRAY(SELECT question_id FROM review_schedule WHERE user_id = $2) AS scheduled,
                ARRAY(SELECT question_id FROM review_schedule
                      WHERE user_id = $2 AND due_at <= now()) AS due",
    )
    .bind(exam.id)
    .bind(user_id)
    .fetch_one(pool)
    .await
    .context("loading the candidate's practice history")?;
    let bank = crate::db::live_bank::live(pool, exam).await?;
    let set = |ids: Vec<Uuid>| -> std::collections::HashSet<QuestionId> {
        ids.into_iter().map(QuestionId).collect()
    };
    let (seen, wrong, marked) = (set(facts.seen), set(facts.wrong), set(facts.marked));
    let (open, scheduled, due) = (
        set(facts.in_open_mock),
        set(facts.scheduled),
        set(facts.due),
    );
    Ok(bank
        .questions
        .iter()
        .filter(|q| !open.contains(&q.question_id))
        .map(|q| PracticeRow {
            question_id: q.question_id,
            version_id: q.version_id,
            objective_code: q.objective_code.clone(),
            domain_code: q.domain_code.clone(),
            seen: seen.contains(&q.question_id),
            wrong_before: wrong.contains(&q.question_id) || scheduled.contains(&q.question_id),
            marked: marked.contains(&q.question_id),
            due: due.contains(&q.question_id),
        })
        .collect())
}

/// Where each item of an attempt sits: enough to build navigation without loading bodies.
#[derive(Debug, Clone, FromRow, serde::Deserialize)]
pub struct NavRow {
    pub position: i32,
    pub section: i32,
    pub section_kind: SectionKind,
    pub locked: bool,
    pub answered: bool,
    pub flagged: bool,
}

pub async fn nav_rows(pool: &PgPool, attempt_id: AttemptId) -> anyhow::Result<Vec<NavRow>> {
    sqlx::query_as(
        "SELECT position, section, section_kind, locked, answered_at IS NOT NULL AS answered, flagged
         FROM attempt_items WHERE attempt_id = $1 ORDER BY position",
    )
    .bind(attempt_id)
    .fetch_all(pool)
    .await
        .context("loading the attempt's navigation facts")
}

/// True when the question is also part of one of the candidate's mocks in progress.
pub async fn in_open_mock(
    pool: &PgPool,
    user_id: UserId,
    question_id: QuestionId,
) -> anyhow::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM attempts a
             CROSS JOIN LATERAL (SELECT i.question_version_id FROM attempt_items i
                                 WHERE i.attempt_id = a.id OFFSET 0) ai
             JOIN question_versions qv ON qv.id = ai.question_version_id
             WHERE a.user_id = $1 AND a.status = 'in_progress' AND a.mode IN ('exam', 'check') AND qv.question_id = $2)",
    )
    .bind(user_id)
    .bind(question_id)
    .fetch_one(pool)
    .await
        .context("checking whether a question is in a mock in progress")
}

/// Questions in the candidate's full mocks in progress: their answers stay hidden everywhere.
pub async fn open_mock_questions(
    pool: &PgPool,
    user_id: UserId,
) -> anyhow::Result<Vec<QuestionId>> {
    sqlx::query_scalar(
        "SELECT DISTINCT qv.question_id FROM attempts a
         CROSS JOIN LATERAL (SELECT i.question_version_id FROM attempt_items i
                             WHERE i.attempt_id = a.id OFFSET 0) ai
         JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE a.user_id = $1 AND a.status = 'in_progress' AND a.mode IN ('exam', 'check')",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
    .context("listing the questions of mocks in progress")
}

/// Deletes a full mock in progress with everything it holds, as if it had never started.
/// False when there is no such open mock of this candidate.
pub async fn delete_open_mock(
    pool: &PgPool,
    attempt_id: AttemptId,
    user_id: UserId,
) -> anyhow::Result<bool> {
    let r = sqlx::query(
        "DELETE FROM attempts WHERE id = $1 AND user_id = $2 AND mode = 'exam' AND status = 'in_progress'",
    )
    .bind(attempt_id)
    .bind(user_id)
    .execute(pool)
    .await
    .context("discarding a mock")?;
    Ok(r.rows_affected() == 1)
}

/// A break: every question seen so far closes, the open case study with them, and the count of
/// breaks goes up. Returns how many questions closed.
pub async fn take_break(pool: &PgPool, attempt_id: AttemptId) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await.context("starting a break")?;
    let closed = sqlx::query(
        "UPDATE attempt_items SET locked = true
         WHERE attempt_id = $1 AND NOT locked AND first_viewed_at IS NOT NULL",
    )
    .bind(attempt_id)
    .execute(&mut *tx)
    .await
    .context("closing the questions seen before a break")?;
    sqlx::query(
        "UPDATE attempts SET breaks_taken = breaks_taken + 1, open_section = NULL WHERE id = $1",
    )
    .bind(attempt_id)
    .execute(&mut *tx)
    .await
    .context("recording a break")?;
    tx.commit().await.context("committing a break")?;
    Ok(closed.rows_affected())
}

/// Stores (or replaces) the candidate's feedback on one question of their attempt.
pub async fn store_feedback(
    pool: &PgPool,
    attempt_id: AttemptId,
    user_id: UserId,
    position: i32,
    body: &str,
) -> anyhow::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO item_feedback (attempt_id, position, question_version_id, user_id, body)
         SELECT ai.attempt_id, ai.position, ai.question_version_id, a.user_id, $4
         FROM attempt_items ai JOIN attempts a ON a.id = ai.attempt_id
         WHERE ai.attempt_id = $1 AND a.user_id = $2 AND ai.position = $3
         ON CONFLICT (attempt_id, position) DO UPDATE SET body = EXCLUDED.body, updated_at = now()",
    )
    .bind(attempt_id)
    .bind(user_id)
    .bind(position)
    .bind(body)
    .execute(pool)
    .await
    .context("storing feedback on a question")?;
    Ok(r.rows_affected() == 1)
}

/// The candidate's feedback on the questions of one attempt, by position.
pub async fn feedback_of(
    pool: &PgPool,
    attempt_id: AttemptId,
) -> anyhow::Result<Vec<(i32, String)>> {
    sqlx::query_as(
        "SELECT position, body FROM item_feedback WHERE attempt_id = $1 ORDER BY position",
    )
    .bind(attempt_id)
    .fetch_all(pool)
    .await
    .context("loading feedback of an attempt")
}
