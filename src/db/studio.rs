//! The studio's tables: who may edit which exam, questions written in the browser with their
//! versions and review states, the trail of every transition, and candidates' reports.

use crate::db::exams::ExamRow;
use crate::domain::blueprint::Blueprint;
use crate::domain::item::{Item, Scenario};
use crate::types::{ExamId, QuestionAction, QuestionId, QuestionStatus, UserId};
use anyhow::Context;
use sqlx::types::Json;
use sqlx::{FromRow, PgExecutor, PgPool, Postgres, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

/// How an exam may be changed, and by whom.
#[derive(Debug, Clone, FromRow)]
pub struct ExamMeta {
    /// `files` (read-only in the browser) or `studio`.
    pub source: String,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    pub second_approval: bool,
    /// The viewer owns the exam or is one of its co-owners.
    pub is_editor: bool,
}

const EXAM_COLUMNS: &str =
    "e.id, e.code, e.slug, e.title, e.duration_minutes, e.question_count, e.blueprint,
    e.bank_revision";

/// The exam at `/author/exams/{slug}` with what the viewer may do with it.
pub async fn exam_for(
    pool: &PgPool,
    slug: &str,
    viewer: UserId,
) -> anyhow::Result<Option<(ExamRow, ExamMeta)>> {
    #[derive(FromRow)]
    struct Joined {
        #[sqlx(flatten)]
        exam: ExamRow,
        #[sqlx(flatten)]
        meta: ExamMeta,
    }
    let row: Option<Joined> = sqlx::query_as(&format!(
        "SELECT {EXAM_COLUMNS}, e.source, e.owner_id, u.display_name AS owner_name,
                e.second_approval,
                (e.owner_id IS NOT DISTINCT FROM $2
                 OR EXISTS (SELECT 1 FROM exam_editors x
                            WHERE x.exam_id = e.id AND x.user_id = $2)) AS is_editor
         FROM exams e LEFT JOIN users u ON u.id = e.owner_id WHERE e.slug = $1"
    ))
    .bind(slug.to_lowercase())
    .bind(viewer)
    .fetch_optional(pool)
    .await
    .context("finding the exam and the viewer's rights on it")?;
    Ok(row.map(|j| (j.exam, j.meta)))
}

/// An exam in the studio's list.
#[derive(Debug, Clone, FromRow)]
pub struct StudioExam {
    pub code: String,
    pub slug: String,
    pub title: String,
    pub source: String,
    pub owned: bool,
    pub questions: i64,
    pub published: i64,
    pub open_feedback: i64,
}

/// Exams an instructor may open: every exam from files, and studio exams they own or co-own.
pub async fn exams_for(pool: &PgPool, viewer: UserId) -> anyhow::Result<Vec<StudioExam>> {
    sqlx::query_as(
        "SELECT e.code, e.slug, e.title, e.source, (e.owner_id IS NOT DISTINCT FROM $1) AS owned,
                (SELECT count(*) FROM questions q WHERE q.exam_id = e.id AND q.status <> 'retired') AS questions,
                (SELECT count(*) FROM questions q WHERE q.exam_id = e.id AND q.status = 'published') AS published,
                (SELECT count(*) FROM item_feedback f
                   JOIN question_versions v ON v.id = f.question_version_id
                   JOIN questions q ON q.id = v.question_id
                  WHERE q.exam_id = e.id AND f.resolved_at IS NULL) AS open_feedback
         FROM exams e
         WHERE e.source = 'files' OR e.owner_id = $1
            OR EXISTS (SELECT 1 FROM exam_editors x WHERE x.exam_id = e.id AND x.user_id = $1)
         ORDER BY e.source DESC, e.blueprint ? 'retired_on', e.code",
    )
    .bind(viewer)
    .fetch_all(pool)
    .await
    .context("listing the exams an instructor may open")
}

/// Writes an exam's blueprint: the exam row and its domains and objectives.
async fn write_blueprint(
    tx: &mut Transaction<'_, Postgres>,
    exam_id: Uuid,
    bp: &Blueprint,
) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM domains WHERE exam_id = $1")
        .bind(exam_id)
        .execute(&mut **tx)
        .await
        .context("clearing the exam's domains")?;
    let mut position = 0;
    for (dpos, d) in bp.domains.iter().enumerate() {
        sqlx::query(
            "INSERT INTO domains (exam_id, code, title, weight_min, weight_max, position)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(exam_id)
        .bind(&d.code)
        .bind(&d.title)
        .bind(d.weight_min as i32)
        .bind(d.weight_max as i32)
        .bind(dpos as i32)
        .execute(&mut **tx)
        .await
        .context("writing a domain")?;
        for o in &d.objectives {
            position += 1;
            sqlx::query(
                "INSERT INTO objectives (exam_id, code, domain_code, group_title, title, position)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(exam_id)
            .bind(&o.code)
            .bind(&d.code)
            .bind(&o.group)
            .bind(&o.title)
            .bind(position)
            .execute(&mut **tx)
            .await
            .context("writing an objective")?;
        }
    }
    Ok(())
}

/// Creates an exam owned by `owner`; `None` when the code or its URL name is taken.
pub async fn create_exam(
    pool: &PgPool,
    bp: &Blueprint,
    owner: UserId,
    second_approval: bool,
) -> anyhow::Result<Option<String>> {
    let mut tx = pool.begin().await.context("starting to create an exam")?;
    let id: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO exams (code, slug, title, duration_minutes, question_count, blueprint,
                            owner_id, source, second_approval)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'studio', $8)
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(&bp.code)
    .bind(bp.slug())
    .bind(&bp.title)
    .bind(bp.duration_minutes as i32)
    .bind(bp.question_count as i32)
    .bind(Json(bp))
    .bind(owner)
    .bind(second_approval)
    .fetch_optional(&mut *tx)
    .await
    .context("creating an exam")?;
    let Some(id) = id else {
        return Ok(None);
    };
    write_blueprint(&mut tx, id, bp).await?;
    tx.commit().await.context("committing a new exam")?;
    Ok(Some(bp.slug()))
}

/// Replaces a studio exam's blueprint (its code stays).
pub async fn update_exam(
    pool: &PgPool,
    exam_id: ExamId,
    bp: &Blueprint,
    second_approval: bool,
) -> anyhow::Result<()> {
    let mut tx = pool.begin().await.context("starting to update an exam")?;
    sqlx::query(
        "UPDATE exams SET title = $2, duration_minutes = $3, question_count = $4, blueprint = $5,
                second_approval = $6, updated_at = now()
         WHERE id = $1 AND source = 'studio'",
    )
    .bind(exam_id)
    .bind(&bp.title)
    .bind(bp.duration_minutes as i32)
    .bind(bp.question_count as i32)
    .bind(Json(bp))
    .bind(second_approval)
    .execute(&mut *tx)
    .await
    .context("updating an exam's blueprint")?;
    write_blueprint(&mut tx, exam_id.0, bp).await?;
    tx.commit()
        .await
        .context("committing an exam's blueprint")?;
    Ok(())
}

/// Objectives that questions of the exam (any state) use.
pub async fn objectives_in_use(pool: &PgPool, exam_id: ExamId) -> anyhow::Result<Vec<String>> {
    sqlx::query_scalar("SELECT DISTINCT objective_code FROM questions WHERE exam_id = $1")
        .bind(exam_id)
        .fetch_all(pool)
        .await
        .context("listing the objectives questions use")
}

/// Co-owners of an exam: (id, name, email).
pub async fn co_owners(
    pool: &PgPool,
    exam_id: ExamId,
) -> anyhow::Result<Vec<(UserId, String, String)>> {
    sqlx::query_as(
        "SELECT u.id, u.display_name, u.email FROM exam_editors x JOIN users u ON u.id = x.user_id
         WHERE x.exam_id = $1 ORDER BY u.display_name, u.email",
    )
    .bind(exam_id)
    .fetch_all(pool)
    .await
    .context("listing an exam's co-owners")
}

pub async fn add_co_owner(pool: &PgPool, exam_id: ExamId, user: UserId) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO exam_editors (exam_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(exam_id)
    .bind(user)
    .execute(pool)
    .await
    .context("adding a co-owner")?;
    Ok(())
}

pub async fn remove_co_owner(pool: &PgPool, exam_id: ExamId, user: UserId) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM exam_editors WHERE exam_id = $1 AND user_id = $2")
        .bind(exam_id)
        .bind(user)
        .execute(pool)
        .await
        .context("removing a co-owner")?;
    Ok(())
}

/// A question as the bank browser reads it.
#[derive(Debug, Clone, FromRow)]
pub struct BrowseRow {
    pub ext_id: String,
    pub objective_code: String,
    pub domain_code: String,
    pub kind: String,
    pub status: QuestionStatus,
    pub versions: i64,
    pub stem: String,
}

/// Every question of an exam in bank order, with its stem for searching.
pub async fn browse_rows(pool: &PgPool, exam_id: ExamId) -> anyhow::Result<Vec<BrowseRow>> {
    sqlx::query_as(
        "SELECT q.ext_id, q.objective_code, COALESCE(o.domain_code, '') AS domain_code, q.kind,
                q.status, COALESCE(vc.n, 0) AS versions, COALESCE(v.body->>'stem', '') AS stem
         FROM questions q
         LEFT JOIN question_versions v ON v.id = q.current_version_id
         LEFT JOIN objectives o ON o.exam_id = q.exam_id AND o.code = q.objective_code
         LEFT JOIN (SELECT question_id, count(*) AS n FROM question_versions GROUP BY question_id) vc
                ON vc.question_id = q.id
         WHERE q.exam_id = $1
         ORDER BY q.bank_position, q.ext_id",
    )
    .bind(exam_id)
    .fetch_all(pool)
    .await
    .context("listing the bank for the browser")
}

/// A question's state and current version, for the editor and the workflow.
#[derive(Debug, Clone, FromRow)]
pub struct Head {
    pub id: QuestionId,
    pub ext_id: String,
    pub status: QuestionStatus,
    pub version: i32,
    pub version_id: Uuid,
    pub author_id: Option<UserId>,
    pub body: Json<Item>,
    pub scenario: Option<Json<Scenario>>,
}

pub async fn head<'e>(
    db: impl PgExecutor<'e>,
    exam_id: ExamId,
    ext_id: &str,
) -> anyhow::Result<Option<Head>> {
    sqlx::query_as(
        "SELECT q.id, q.ext_id, q.status, v.version, v.id AS version_id, v.author_id, v.body,
                sv.content AS scenario
         FROM questions q JOIN question_versions v ON v.id = q.current_version_id
         LEFT JOIN scenario_versions sv ON sv.id = v.scenario_version_id
         WHERE q.exam_id = $1 AND q.ext_id = $2",
    )
    .bind(exam_id)
    .bind(ext_id)
    .fetch_optional(db)
    .await
    .context("loading a question's current version")
}

/// Whether an id is taken in the exam by a question, case study or series.
pub async fn id_taken(pool: &PgPool, exam_id: ExamId, ext_id: &str) -> anyhow::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM questions WHERE exam_id = $1 AND ext_id = $2)
             OR EXISTS (SELECT 1 FROM scenarios WHERE exam_id = $1 AND ext_id = $2)",
    )
    .bind(exam_id)
    .bind(ext_id)
    .fetch_one(pool)
    .await
    .context("checking whether an id is taken")
}

/// The latest version of every case study and series of an exam, with its version id.
pub async fn scenarios(pool: &PgPool, exam_id: ExamId) -> anyhow::Result<Vec<(Uuid, Scenario)>> {
    let rows: Vec<(Uuid, Json<Scenario>)> = sqlx::query_as(
        "SELECT DISTINCT ON (s.id) sv.id, sv.content FROM scenarios s
         JOIN scenario_versions sv ON sv.scenario_id = s.id
         WHERE s.exam_id = $1 ORDER BY s.id, sv.version DESC",
    )
    .bind(exam_id)
    .fetch_all(pool)
    .await
    .context("loading the exam's case studies and series")?;
    let mut out: Vec<(Uuid, Scenario)> = rows.into_iter().map(|(id, s)| (id, s.0)).collect();
    out.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    Ok(out)
}

/// What a save writes: the item, the scenario version it shows with, who and why.
pub struct NewVersion<'a> {
    pub exam_id: ExamId,
    pub item: &'a Item,
    pub scenario_version: Option<Uuid>,
    pub author: UserId,
    pub author_name: &'a str,
    pub action: QuestionAction,
    pub note: &'a str,
}

fn hash_item(body: &serde_json::Value, scenario: Option<Uuid>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(body.to_string().as_bytes());
    if let Some(s) = scenario {
        h.update(s.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Saves a new immutable version and makes it current, in a draft state, with its event. A new
/// question is created at the end of the bank. Returns the version number.
pub async fn save_version(
    pool: &PgPool,
    v: NewVersion<'_>,
    expected: Option<(QuestionId, QuestionStatus)>,
) -> anyhow::Result<Option<i32>> {
    let mut tx = pool.begin().await.context("starting to save a question")?;
    let saved = save_version_in(&mut tx, v, expected).await?;
    if saved.is_some() {
        tx.commit().await.context("committing a question version")?;
    }
    Ok(saved)
}

/// [`save_version`] inside the caller's transaction (an import writes many in one).
pub async fn save_version_in(
    tx: &mut Transaction<'_, Postgres>,
    v: NewVersion<'_>,
    expected: Option<(QuestionId, QuestionStatus)>,
) -> anyhow::Result<Option<i32>> {
    let (question_id, from) = match expected {
        Some((id, status)) => {
            // The row lock makes two concurrent saves number their versions one after the other,
            // and a save that raced a workflow change is refused rather than undoing it.
            let still: Option<QuestionStatus> = sqlx::query_scalar(
                "SELECT status FROM questions WHERE id = $1 AND exam_id = $2 FOR UPDATE",
            )
            .bind(id)
            .bind(v.exam_id)
            .fetch_optional(&mut **tx)
            .await
            .context("locking the question")?;
            if still != Some(status) {
                return Ok(None);
            }
            (id, Some(status))
        }
        None => {
            let id: Option<QuestionId> = sqlx::query_scalar(
                "INSERT INTO questions (exam_id, ext_id, objective_code, kind, bank_position, status)
                 SELECT $1, $2, $3, $4, COALESCE(max(bank_position) + 1, 0), 'draft'
                 FROM questions WHERE exam_id = $1
                 ON CONFLICT (exam_id, ext_id) DO NOTHING RETURNING id",
            )
            .bind(v.exam_id)
            .bind(&v.item.id)
            .bind(&v.item.objective)
            .bind(v.item.body.kind().bank_name())
            .fetch_optional(&mut **tx)
            .await
            .context("creating a question")?;
            match id {
                Some(id) => (id, None),
                None => return Ok(None),
            }
        }
    };
    let body = serde_json::to_value(v.item)?;
    let hash = hash_item(&body, v.scenario_version);
    let (version_id, version): (Uuid, i32) = sqlx::query_as(
        "INSERT INTO question_versions (question_id, version, body, content_hash, scenario_version_id,
                                        author_id, note)
         SELECT $1, COALESCE(max(version), 0) + 1, $2, $3, $4, $5, $6
         FROM question_versions WHERE question_id = $1
         RETURNING id, version",
    )
    .bind(question_id)
    .bind(&body)
    .bind(&hash)
    .bind(v.scenario_version)
    .bind(v.author)
    .bind(v.note)
    .fetch_one(&mut **tx)
    .await
    .context("writing a question version")?;
    let scenario_id: Option<Uuid> = match v.scenario_version {
        Some(sv) => sqlx::query_scalar("SELECT scenario_id FROM scenario_versions WHERE id = $1")
            .bind(sv)
            .fetch_optional(&mut **tx)
            .await
            .context("finding the scenario of a version")?,
        None => None,
    };
    sqlx::query(
        "UPDATE questions SET current_version_id = $2, objective_code = $3, kind = $4,
                scenario_id = $5, status = 'draft', retired = false
         WHERE id = $1",
    )
    .bind(question_id)
    .bind(version_id)
    .bind(&v.item.objective)
    .bind(v.item.body.kind().bank_name())
    .bind(scenario_id)
    .execute(&mut **tx)
    .await
    .context("making the new version current")?;
    record_event(
        tx,
        v.exam_id,
        question_id,
        (v.author, v.author_name),
        v.action,
        from,
        QuestionStatus::Draft,
        version,
        v.note,
    )
    .await?;
    Ok(Some(version))
}

#[allow(clippy::too_many_arguments)]
async fn record_event(
    tx: &mut Transaction<'_, Postgres>,
    exam_id: ExamId,
    question_id: QuestionId,
    (actor, actor_name): (UserId, &str),
    action: QuestionAction,
    from: Option<QuestionStatus>,
    to: QuestionStatus,
    version: i32,
    note: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO question_events (exam_id, question_id, actor_id, actor_name, action,
                                      from_status, to_status, version, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(exam_id)
    .bind(question_id)
    .bind(actor)
    .bind(actor_name)
    .bind(action)
    .bind(from)
    .bind(to)
    .bind(version)
    .bind(note)
    .execute(&mut **tx)
    .await
    .context("recording a question event")?;
    Ok(())
}

/// Moves a question from `from` to `to` (only if it is still in `from`) and records it. False
/// when someone else changed it first.
#[allow(clippy::too_many_arguments)]
pub async fn transition(
    pool: &PgPool,
    exam_id: ExamId,
    head: &Head,
    actor: (UserId, &str),
    action: QuestionAction,
    to: QuestionStatus,
    note: &str,
) -> anyhow::Result<bool> {
    let mut tx = pool.begin().await.context("starting a workflow step")?;
    let done = sqlx::query(
        "UPDATE questions SET status = $3, retired = ($3 = 'retired')
         WHERE id = $1 AND status = $2 AND current_version_id = $4",
    )
    .bind(head.id)
    .bind(head.status)
    .bind(to)
    .bind(head.version_id)
    .execute(&mut *tx)
    .await
    .context("changing a question's state")?
    .rows_affected()
        == 1;
    if done {
        record_event(
            &mut tx,
            exam_id,
            head.id,
            actor,
            action,
            Some(head.status),
            to,
            head.version,
            note,
        )
        .await?;
    }
    tx.commit().await.context("committing a workflow step")?;
    Ok(done)
}

/// One entry of an exam's audit trail.
#[derive(Debug, Clone, FromRow)]
pub struct Event {
    pub at: OffsetDateTime,
    pub ext_id: String,
    pub actor_name: String,
    pub action: QuestionAction,
    pub from_status: Option<QuestionStatus>,
    pub to_status: QuestionStatus,
    pub version: i32,
    pub note: String,
}

/// A page of the exam's trail, newest first (optionally one question's), and the total.
pub async fn events(
    pool: &PgPool,
    exam_id: ExamId,
    question: Option<&str>,
    limit: i64,
    offset: i64,
) -> anyhow::Result<(Vec<Event>, i64)> {
    let rows = sqlx::query_as(
        "SELECT e.at, q.ext_id, e.actor_name, e.action, e.from_status, e.to_status, e.version, e.note
         FROM question_events e JOIN questions q ON q.id = e.question_id
         WHERE e.exam_id = $1 AND ($2::text IS NULL OR q.ext_id = $2)
         ORDER BY e.at DESC, e.id DESC LIMIT $3 OFFSET $4",
    )
    .bind(exam_id)
    .bind(question)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
    .context("reading the exam's audit trail")?;
    let total = sqlx::query_scalar(
        "SELECT count(*) FROM question_events e JOIN questions q ON q.id = e.question_id
         WHERE e.exam_id = $1 AND ($2::text IS NULL OR q.ext_id = $2)",
    )
    .bind(exam_id)
    .bind(question)
    .fetch_one(pool)
    .await
    .context("counting the exam's audit trail")?;
    Ok((rows, total))
}

/// One version of a question with its content, for the history page.
#[derive(Debug, Clone, FromRow)]
pub struct VersionFull {
    pub version: i32,
    pub created_at: OffsetDateTime,
    pub author_name: Option<String>,
    pub note: String,
    pub body: Json<Item>,
    pub scenario_version_id: Option<Uuid>,
    pub shown: i64,
}

pub async fn versions(pool: &PgPool, question_id: QuestionId) -> anyhow::Result<Vec<VersionFull>> {
    sqlx::query_as(
        "SELECT v.version, v.created_at, u.display_name AS author_name, v.note, v.body,
                v.scenario_version_id,
                (SELECT count(*) FROM attempt_items ai WHERE ai.question_version_id = v.id) AS shown
         FROM question_versions v LEFT JOIN users u ON u.id = v.author_id
         WHERE v.question_id = $1 ORDER BY v.version DESC",
    )
    .bind(question_id)
    .fetch_all(pool)
    .await
    .context("reading a question's versions")
}

/// Saves a new version of a case study or series (creating it if new); returns its version id.
pub async fn save_scenario(pool: &PgPool, exam_id: ExamId, s: &Scenario) -> anyhow::Result<Uuid> {
    let mut tx = pool.begin().await.context("starting to save a scenario")?;
    let id = save_scenario_in(&mut tx, exam_id, s).await?;
    tx.commit().await.context("committing a scenario")?;
    Ok(id)
}

/// [`save_scenario`] inside the caller's transaction.
pub async fn save_scenario_in(
    tx: &mut Transaction<'_, Postgres>,
    exam_id: ExamId,
    s: &Scenario,
) -> anyhow::Result<Uuid> {
    let content = serde_json::to_value(s)?;
    let hash = hash_item(&content, None);
    let scenario_id: Uuid = sqlx::query_scalar(
        "INSERT INTO scenarios (exam_id, ext_id, kind) VALUES ($1, $2, $3)
         ON CONFLICT (exam_id, ext_id) DO UPDATE SET kind = scenarios.kind RETURNING id",
    )
    .bind(exam_id)
    .bind(&s.id)
    .bind(s.kind.as_str())
    .fetch_one(&mut **tx)
    .await
    .context("creating a scenario")?;
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO scenario_versions (scenario_id, version, content, content_hash)
         SELECT $1, COALESCE(max(version), 0) + 1, $2, $3 FROM scenario_versions WHERE scenario_id = $1
         RETURNING id",
    )
    .bind(scenario_id)
    .bind(&content)
    .bind(&hash)
    .fetch_one(&mut **tx)
    .await
    .context("writing a scenario version")?;
    Ok(id)
}

/// Questions (current state) that belong to a case study or series.
pub async fn members_of(
    pool: &PgPool,
    exam_id: ExamId,
    scenario_ext_id: &str,
) -> anyhow::Result<Vec<String>> {
    sqlx::query_scalar(
        "SELECT q.ext_id FROM questions q JOIN scenarios s ON s.id = q.scenario_id
         WHERE q.exam_id = $1 AND s.ext_id = $2 ORDER BY q.bank_position",
    )
    .bind(exam_id)
    .bind(scenario_ext_id)
    .fetch_all(pool)
    .await
    .context("listing a scenario's questions")
}

/// A candidate's report on an item, with what they answered.
#[derive(Debug, Clone, FromRow)]
pub struct Report {
    pub attempt_id: Uuid,
    pub position: i32,
    pub ext_id: String,
    pub version: i32,
    pub body: String,
    pub created_at: OffsetDateTime,
    pub item: Json<Item>,
    pub response: Option<Json<crate::domain::item::Response>>,
    pub permutation: Json<std::collections::BTreeMap<String, Vec<String>>>,
    pub resolved_at: Option<OffsetDateTime>,
    pub resolver: Option<String>,
    pub resolution: String,
    pub resolved_version: Option<i32>,
}

/// Reports on the exam's items, open ones first (oldest first), then resolved (newest first).
pub async fn reports(
    pool: &PgPool,
    exam_id: ExamId,
    include_resolved: bool,
) -> anyhow::Result<Vec<Report>> {
    sqlx::query_as(
        "SELECT f.attempt_id, f.position, q.ext_id, v.version, f.body, f.created_at, v.body AS item,
                ai.response, ai.permutation, f.resolved_at, u.display_name AS resolver,
                f.resolution, rv.version AS resolved_version
         FROM item_feedback f
         JOIN question_versions v ON v.id = f.question_version_id
         JOIN questions q ON q.id = v.question_id
         JOIN attempt_items ai ON ai.attempt_id = f.attempt_id AND ai.position = f.position
         LEFT JOIN users u ON u.id = f.resolved_by
         LEFT JOIN question_versions rv ON rv.id = f.resolved_version_id
         WHERE q.exam_id = $1 AND ($2 OR f.resolved_at IS NULL)
         ORDER BY f.resolved_at IS NOT NULL, f.resolved_at DESC, f.created_at
         LIMIT 500",
    )
    .bind(exam_id)
    .bind(include_resolved)
    .fetch_all(pool)
    .await
    .context("reading the feedback queue")
}

/// Marks a report resolved, linked to a version of its question; false when it is not a report
/// on this exam or is already resolved.
pub async fn resolve_report(
    pool: &PgPool,
    exam_id: ExamId,
    (attempt_id, position): (Uuid, i32),
    by: UserId,
    resolution: &str,
    version: Option<i32>,
) -> anyhow::Result<Result<(), &'static str>> {
    let mut tx = pool.begin().await.context("starting to resolve a report")?;
    let question: Option<Uuid> = sqlx::query_scalar(
        "SELECT q.id FROM item_feedback f
         JOIN question_versions v ON v.id = f.question_version_id
         JOIN questions q ON q.id = v.question_id
         WHERE f.attempt_id = $1 AND f.position = $2 AND q.exam_id = $3 AND f.resolved_at IS NULL
         FOR UPDATE OF f",
    )
    .bind(attempt_id)
    .bind(position)
    .bind(exam_id)
    .fetch_optional(&mut *tx)
    .await
    .context("finding the report")?;
    let Some(question) = question else {
        return Ok(Err("not-found"));
    };
    let version_id: Option<Uuid> = match version {
        Some(n) => {
            let id: Option<Uuid> = sqlx::query_scalar(
                "SELECT id FROM question_versions WHERE question_id = $1 AND version = $2",
            )
            .bind(question)
            .bind(n)
            .fetch_optional(&mut *tx)
            .await
            .context("finding the fixing version")?;
            match id {
                Some(id) => Some(id),
                None => return Ok(Err("no-version")),
            }
        }
        None => None,
    };
    sqlx::query(
        "UPDATE item_feedback SET resolved_at = now(), resolved_by = $3, resolution = $4,
                resolved_version_id = $5
         WHERE attempt_id = $1 AND position = $2",
    )
    .bind(attempt_id)
    .bind(position)
    .bind(by)
    .bind(resolution)
    .bind(version_id)
    .execute(&mut *tx)
    .await
    .context("resolving the report")?;
    tx.commit().await.context("committing a resolution")?;
    Ok(Ok(()))
}
