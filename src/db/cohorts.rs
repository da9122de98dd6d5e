//! Cohorts, their instructors, members, join codes and assignments, and the member snapshots
//! the dashboard reads. Every read of a cohort's data goes through a cohort the caller has
//! already been found to teach (`for_instructor`) or belong to (`is_member`), so another
//! instructor's cohort simply does not exist (404).

use crate::types::{
    AssignmentId, AssignmentKind, AttemptId, AttemptStatus, CohortId, ExamId, UserId,
};
use anyhow::Context;
use sqlx::{FromRow, PgPool, Postgres, Transaction};
use time::{Date, OffsetDateTime};

/// A read-only transaction without PostgreSQL's JIT compiler. The dashboard's queries visit many
/// rows cheaply through indexes; their estimated cost is high enough to trigger JIT, which then
/// spends longer compiling them (over half a second) than running them.
async fn without_jit(pool: &PgPool) -> anyhow::Result<Transaction<'static, Postgres>> {
    let mut tx = pool.begin().await.context("starting a dashboard read")?;
    sqlx::query("SET LOCAL jit = off")
        .execute(&mut *tx)
        .await
        .context("switching off JIT for a dashboard read")?;
    Ok(tx)
}

/// Runs a query built by `q` inside [`without_jit`].
macro_rules! fetch_all_without_jit {
    ($pool:expr, $q:expr, $what:literal) => {{
        let mut tx = without_jit($pool).await?;
        let rows = $q.fetch_all(&mut *tx).await.context($what)?;
        tx.commit().await.context($what)?;
        Ok(rows)
    }};
}

#[derive(Debug, Clone, FromRow)]
pub struct CohortRow {
    pub id: CohortId,
    pub name: String,
    pub exam_id: ExamId,
    pub exam_code: String,
    pub exam_slug: String,
    pub target_date: Option<Date>,
    pub join_code: Option<String>,
    pub join_expires_at: Option<OffsetDateTime>,
    /// The code can still be used (set and not expired, by the database's clock).
    pub code_live: bool,
    pub created_at: OffsetDateTime,
}

const COHORT_COLUMNS: &str = "c.id, c.name, c.exam_id, e.code AS exam_code, e.slug AS exam_slug,
    c.target_date, c.join_code, c.join_expires_at,
    COALESCE(c.join_expires_at > now(), false) AS code_live, c.created_at";

/// The cohort, only when `user_id` is one of its instructors.
pub async fn for_instructor(
    pool: &PgPool,
    id: CohortId,
    user_id: UserId,
) -> anyhow::Result<Option<CohortRow>> {
    sqlx::query_as(&format!(
        "SELECT {COHORT_COLUMNS} FROM cohorts c JOIN exams e ON e.id = c.exam_id
         JOIN cohort_instructors ci ON ci.cohort_id = c.id AND ci.user_id = $2
         WHERE c.id = $1"
    ))
    .bind(id)
    .bind(user_id)
    .fetch_optional(pool)
    .await
    .context("loading a cohort of the instructor")
}

#[derive(Debug, Clone, FromRow)]
pub struct CohortListRow {
    pub id: CohortId,
    pub name: String,
    pub exam_code: String,
    pub target_date: Option<Date>,
    pub members: i64,
}

pub async fn list_for_instructor(
    pool: &PgPool,
    user_id: UserId,
) -> anyhow::Result<Vec<CohortListRow>> {
    sqlx::query_as(
        "SELECT c.id, c.name, e.code AS exam_code, c.target_date,
                (SELECT count(*) FROM cohort_members m WHERE m.cohort_id = c.id) AS members
         FROM cohort_instructors ci JOIN cohorts c ON c.id = ci.cohort_id JOIN exams e ON e.id = c.exam_id
         WHERE ci.user_id = $1 ORDER BY c.created_at DESC",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
    .context("listing the instructor's cohorts")
}

/// A cohort as one of its members sees it: its name and exam, nothing about the others.
#[derive(Debug, Clone, FromRow)]
pub struct MembershipRow {
    pub cohort_id: CohortId,
    pub name: String,
    pub exam_code: String,
    pub exam_slug: String,
    pub target_date: Option<Date>,
    pub joined_at: OffsetDateTime,
}

pub async fn memberships(pool: &PgPool, user_id: UserId) -> anyhow::Result<Vec<MembershipRow>> {
    sqlx::query_as(
        "SELECT c.id AS cohort_id, c.name, e.code AS exam_code, e.slug AS exam_slug, c.target_date, m.joined_at
         FROM cohort_members m JOIN cohorts c ON c.id = m.cohort_id JOIN exams e ON e.id = c.exam_id
         WHERE m.user_id = $1 ORDER BY m.joined_at DESC",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await
    .context("listing the candidate's cohorts")
}

/// Creates a cohort with its creator as first instructor and a first join code. `false` when
/// the code is taken (the caller draws another).
#[allow(clippy::too_many_arguments)]
pub async fn create(
    pool: &PgPool,
    id: CohortId,
    name: &str,
    exam_id: ExamId,
    target_date: Option<Date>,
    code: &str,
    code_days: i32,
    created_by: UserId,
) -> anyhow::Result<bool> {
    let mut tx = pool.begin().await.context("starting to create a cohort")?;
    let inserted = sqlx::query(
        "INSERT INTO cohorts (id, name, exam_id, target_date, join_code, join_expires_at, created_by)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(days => $6), $7)",
    )
    .bind(id)
    .bind(name)
    .bind(exam_id)
    .bind(target_date)
    .bind(code)
    .bind(code_days)
    .bind(created_by)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(sqlx::Error::Database(d)) if d.constraint() == Some("cohorts_join_code_key") => {
            return Ok(false)
        }
        other => other.context("storing the cohort")?,
    };
    sqlx::query("INSERT INTO cohort_instructors (cohort_id, user_id) VALUES ($1, $2)")
        .bind(id)
        .bind(created_by)
        .execute(&mut *tx)
        .await
        .context("making the creator the cohort's instructor")?;
    tx.commit().await.context("committing the new cohort")?;
    Ok(true)
}

/// Replaces the cohort's join code. `false` when the code is taken.
pub async fn set_join_code(
    pool: &PgPool,
    id: CohortId,
    code: &str,
    days: i32,
) -> anyhow::Result<bool> {
    let r = sqlx::query(
        "UPDATE cohorts SET join_code = $2, join_expires_at = now() + make_interval(days => $3) WHERE id = $1",
    )
    .bind(id)
    .bind(code)
    .bind(days)
    .execute(pool)
    .await;
    match r {
        Err(sqlx::Error::Database(d)) if d.constraint() == Some("cohorts_join_code_key") => {
            Ok(false)
        }
        other => {
            other.context("storing the cohort's join code")?;
            Ok(true)
        }
    }
}

pub async fn clear_join_code(pool: &PgPool, id: CohortId) -> anyhow::Result<()> {
    sqlx::query("UPDATE cohorts SET join_code = NULL, join_expires_at = NULL WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .context("stopping the cohort's invitations")?;
    Ok(())
}

/// What a join code opens: the cohort's name and exam and whether the code is still valid.
#[derive(Debug, Clone, FromRow)]
pub struct InviteRow {
    pub cohort_id: CohortId,
    pub code: String,
    pub name: String,
    pub exam_code: String,
    pub exam_title: String,
    pub expires_at: OffsetDateTime,
    pub live: bool,
}

pub async fn by_code(pool: &PgPool, code: &str) -> anyhow::Result<Option<InviteRow>> {
    sqlx::query_as(
        "SELECT c.id AS cohort_id, c.join_code AS code, c.name, e.code AS exam_code, e.title AS exam_title,
                c.join_expires_at AS expires_at, c.join_expires_at > now() AS live
         FROM cohorts c JOIN exams e ON e.id = c.exam_id WHERE c.join_code = $1",
    )
    .bind(code)
    .fetch_optional(pool)
    .await
    .context("finding the cohort of a join code")
}

#[derive(Debug, Clone, FromRow)]
pub struct PersonRow {
    pub user_id: UserId,
    pub display_name: String,
    pub email: String,
}

pub async fn instructors(pool: &PgPool, cohort: CohortId) -> anyhow::Result<Vec<PersonRow>> {
    sqlx::query_as(
        "SELECT u.id AS user_id, u.display_name, u.email FROM cohort_instructors ci
         JOIN users u ON u.id = ci.user_id WHERE ci.cohort_id = $1 ORDER BY ci.added_at, u.display_name",
    )
    .bind(cohort)
    .fetch_all(pool)
    .await
    .context("listing the cohort's instructors")
}

pub async fn is_instructor(pool: &PgPool, cohort: CohortId, user: UserId) -> anyhow::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM cohort_instructors WHERE cohort_id = $1 AND user_id = $2)",
    )
    .bind(cohort)
    .bind(user)
    .fetch_one(pool)
    .await
    .context("checking whether the account teaches the cohort")
}

/// `false` when already an instructor.
pub async fn add_instructor(pool: &PgPool, cohort: CohortId, user: UserId) -> anyhow::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO cohort_instructors (cohort_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(cohort)
    .bind(user)
    .execute(pool)
    .await
    .context("adding a co-instructor")?;
    Ok(r.rows_affected() == 1)
}

/// Removes an instructor unless they are the last one. `false` when nothing was removed.
pub async fn remove_instructor(
    pool: &PgPool,
    cohort: CohortId,
    user: UserId,
) -> anyhow::Result<bool> {
    let r = sqlx::query(
        "DELETE FROM cohort_instructors WHERE cohort_id = $1 AND user_id = $2
           AND (SELECT count(*) FROM cohort_instructors WHERE cohort_id = $1) > 1",
    )
    .bind(cohort)
    .bind(user)
    .execute(pool)
    .await
    .context("removing a co-instructor")?;
    Ok(r.rows_affected() == 1)
}

/// `false` when already a member.
pub async fn add_member(pool: &PgPool, cohort: CohortId, user: UserId) -> anyhow::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO cohort_members (cohort_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(cohort)
    .bind(user)
    .execute(pool)
    .await
    .context("adding a member to the cohort")?;
    Ok(r.rows_affected() == 1)
}

/// `false` when not a member.
pub async fn remove_member(pool: &PgPool, cohort: CohortId, user: UserId) -> anyhow::Result<bool> {
    let r = sqlx::query("DELETE FROM cohort_members WHERE cohort_id = $1 AND user_id = $2")
        .bind(cohort)
        .bind(user)
        .execute(pool)
        .await
        .context("removing a member from the cohort")?;
    Ok(r.rows_affected() == 1)
}

pub async fn is_member(pool: &PgPool, cohort: CohortId, user: UserId) -> anyhow::Result<bool> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM cohort_members WHERE cohort_id = $1 AND user_id = $2)",
    )
    .bind(cohort)
    .bind(user)
    .fetch_one(pool)
    .await
    .context("checking cohort membership")
}

/// A member with their snapshot, if any.
#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    pub user_id: UserId,
    pub display_name: String,
    pub email: String,
    pub joined_at: OffsetDateTime,
    /// The snapshot's JSON (parsed straight into its type).
    pub snapshot: Option<String>,
    pub snapshot_mark: Option<String>,
    pub snapshot_age_seconds: Option<f64>,
}

/// Every member of the cohort with their snapshot for the exam, in one query.
pub async fn members(
    pool: &PgPool,
    cohort: CohortId,
    exam: ExamId,
) -> anyhow::Result<Vec<MemberRow>> {
    sqlx::query_as(
        "SELECT m.user_id, u.display_name, u.email, m.joined_at, s.snapshot, s.mark AS snapshot_mark,
                EXTRACT(EPOCH FROM now() - s.computed_at)::float8 AS snapshot_age_seconds
         FROM cohort_members m
         JOIN users u ON u.id = m.user_id
         LEFT JOIN member_snapshots s ON s.user_id = m.user_id AND s.exam_id = $2
         WHERE m.cohort_id = $1",
    )
    .bind(cohort)
    .bind(exam)
    .fetch_all(pool)
    .await
    .context("loading the cohort's members")
}

/// The mark of each candidate's attempts of the exam now: their latest start or submission
/// (one index probe) and the answers and checks of their open attempts. Any new work changes
/// it.
pub async fn marks(
    pool: &PgPool,
    users: &[UserId],
    exam: ExamId,
) -> anyhow::Result<Vec<(UserId, String)>> {
    let q = sqlx::query_as(
        "SELECT u.id,
                COALESCE(EXTRACT(EPOCH FROM (
                    SELECT max(GREATEST(a.started_at, a.submitted_at)) FROM attempts a
                    WHERE a.user_id = u.id AND a.exam_id = $2))::text, '-')
                || ':' || (
                    SELECT count(ai.answered_at) || '/' || count(ai.points) || '/'
                           || COALESCE(EXTRACT(EPOCH FROM max(ai.answered_at))::text, '-')
                    FROM attempts a JOIN attempt_items ai ON ai.attempt_id = a.id
                    WHERE a.user_id = u.id AND a.exam_id = $2 AND a.status = 'in_progress')
         FROM UNNEST($1::uuid[]) AS u(id)",
    )
    .bind(users.iter().map(|u| u.0).collect::<Vec<_>>())
    .bind(exam);
    fetch_all_without_jit!(pool, q, "reading the marks of the members' attempts")
}

/// One scored answer of one of many candidates.
#[derive(Debug, Clone, FromRow)]
pub struct MemberEvidence {
    pub user_id: UserId,
    #[sqlx(flatten)]
    pub row: crate::db::readiness::EvidenceRow,
}

/// The scored answers of many candidates at once: the same answers, with the same columns, as
/// `db::readiness::evidence` reads for one.
pub async fn evidence(
    pool: &PgPool,
    users: &[UserId],
    exam: ExamId,
) -> anyhow::Result<Vec<MemberEvidence>> {
    let q = sqlx::query_as(
        "SELECT a.user_id, ai.points, ai.max_points,
                GREATEST(0, EXTRACT(EPOCH FROM now() - COALESCE(ai.answered_at, a.submitted_at, a.started_at)) / 86400.0)::float8 AS age_days,
                a.id AS attempt_id, a.mode, EXTRACT(EPOCH FROM a.started_at)::float8 AS started,
                ai.question_version_id AS version_id, ai.checked
         FROM attempts a
         JOIN attempt_items ai ON ai.attempt_id = a.id
         WHERE a.user_id = ANY($1) AND a.exam_id = $2 AND ai.points IS NOT NULL AND ai.max_points > 0
           AND ((a.mode IN ('exam', 'check') AND a.status = 'submitted') OR (a.mode = 'practice' AND ai.answered_at IS NOT NULL))",
    )
    .bind(users.iter().map(|u| u.0).collect::<Vec<_>>())
    .bind(exam);
    fetch_all_without_jit!(
        pool,
        q,
        "loading the scored answers of the cohort's members"
    )
}

/// One scored mock or check of one of many candidates.
#[derive(Debug, Clone, FromRow)]
pub struct MemberResult {
    pub user_id: UserId,
    #[sqlx(flatten)]
    pub result: crate::db::readiness::MockResult,
}

/// Scored full mocks and adaptive checks of many candidates, oldest first, as
/// `db::readiness::mock_results` reads them for one, without the per-attempt item counts
/// (the pass estimate does not use them).
pub async fn results_of(
    pool: &PgPool,
    users: &[UserId],
    exam: ExamId,
) -> anyhow::Result<Vec<MemberResult>> {
    let q = sqlx::query_as(
        "SELECT a.user_id, a.id, a.mode, a.started_at, a.scaled_score, a.passed,
                EXTRACT(EPOCH FROM a.submitted_at - a.started_at)::float8 AS seconds_used,
                0::int8 AS answered, 0::int8 AS items
         FROM attempts a
         WHERE a.user_id = ANY($1) AND a.exam_id = $2 AND a.mode IN ('exam', 'check')
           AND a.status = 'submitted' AND a.scaled_score IS NOT NULL
         ORDER BY a.started_at",
    )
    .bind(users.iter().map(|u| u.0).collect::<Vec<_>>())
    .bind(exam);
    fetch_all_without_jit!(pool, q, "loading the members' mock results")
}

/// Stores members' snapshots in one statement.
pub async fn store_snapshots(
    pool: &PgPool,
    exam: ExamId,
    users: &[UserId],
    marks: &[String],
    snapshots: &[String],
) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO member_snapshots (user_id, exam_id, mark, snapshot, computed_at)
         SELECT u, $2, m, s, now() FROM UNNEST($1::uuid[], $3::text[], $4::text[]) AS x(u, m, s)
         ON CONFLICT (user_id, exam_id) DO UPDATE
             SET mark = EXCLUDED.mark, snapshot = EXCLUDED.snapshot, computed_at = now()",
    )
    .bind(users.iter().map(|u| u.0).collect::<Vec<_>>())
    .bind(exam)
    .bind(marks)
    .bind(snapshots)
    .execute(pool)
    .await
    .context("storing the members' snapshots")?;
    Ok(())
}

/// A member's activity on one day (UTC): full mocks submitted, practice questions answered, and
/// minutes in attempts started that day.
#[derive(Debug, Clone, FromRow)]
pub struct DayRow {
    pub user_id: UserId,
    pub day: Date,
    pub mocks: i64,
    pub practice: i64,
    pub minutes: f64,
}

/// Activity per member and day (UTC) since the start of `since`, for the members given. Minutes run
/// from an attempt's start to its submission (or last answer while open), at most a mock's time
/// limit or twice the exam's pace per answered practice question, so a set left open
/// overnight does not count as a night of study.
pub async fn activity_days(
    pool: &PgPool,
    users: &[UserId],
    exam: ExamId,
    pace_seconds: f64,
    since: Date,
) -> anyhow::Result<Vec<DayRow>> {
    let q = sqlx::query_as(
        "WITH r AS (
             SELECT a.id, a.user_id, a.mode, a.status, a.started_at, a.submitted_at, a.deadline_at
             FROM attempts a
             WHERE a.user_id = ANY($1) AND a.exam_id = $2
               AND (GREATEST(a.started_at, a.submitted_at) >= $4 OR a.status = 'in_progress')),
         answers AS (
             SELECT ai.attempt_id, (ai.answered_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n,
                    max(ai.answered_at) AS last
             FROM r JOIN attempt_items ai ON ai.attempt_id = r.id
             WHERE r.mode = 'practice' AND ai.answered_at >= $4
             GROUP BY 1, 2),
         per_attempt AS (
             SELECT attempt_id, sum(n) AS answered, max(last) AS last_answer FROM answers GROUP BY 1)
         SELECT user_id, day, sum(mocks)::int8 AS mocks, sum(practice)::int8 AS practice,
                sum(minutes)::float8 AS minutes
         FROM (
             SELECT r.user_id, (r.submitted_at AT TIME ZONE 'UTC')::date AS day, 1 AS mocks, 0 AS practice,
                    0.0::float8 AS minutes
             FROM r WHERE r.mode = 'exam' AND r.status = 'submitted' AND r.submitted_at >= $4
             UNION ALL
             SELECT r.user_id, x.day, 0, x.n, 0.0 FROM r JOIN answers x ON x.attempt_id = r.id
             UNION ALL
             SELECT r.user_id, (r.started_at AT TIME ZONE 'UTC')::date, 0, 0,
                    LEAST(EXTRACT(EPOCH FROM COALESCE(r.submitted_at,
                                                      CASE WHEN r.mode = 'exam' THEN LEAST(now(), r.deadline_at) END,
                                                      p.last_answer, r.started_at) - r.started_at),
                          CASE WHEN r.mode = 'exam' THEN EXTRACT(EPOCH FROM r.deadline_at - r.started_at)
                               ELSE COALESCE(p.answered, 0) * $3 * 2 END)::float8 / 60.0
             FROM r LEFT JOIN per_attempt p ON p.attempt_id = r.id WHERE r.started_at >= $4
         ) d
         GROUP BY user_id, day",
    )
    .bind(users.iter().map(|u| u.0).collect::<Vec<_>>())
    .bind(exam)
    .bind(pace_seconds)
    .bind(since.midnight().assume_utc());
    fetch_all_without_jit!(pool, q, "loading the members' activity")
}

/// When each member (of those given) last started, submitted or answered anything of the exam.
pub async fn last_active(
    pool: &PgPool,
    users: &[UserId],
    exam: ExamId,
) -> anyhow::Result<Vec<(UserId, Option<OffsetDateTime>)>> {
    let q = sqlx::query_as(
        "SELECT a.user_id, max(GREATEST(a.started_at, a.submitted_at, (
                    SELECT max(ai.answered_at) FROM attempt_items ai
                    WHERE ai.attempt_id = a.id AND a.status = 'in_progress')))
         FROM attempts a WHERE a.user_id = ANY($1) AND a.exam_id = $2 GROUP BY a.user_id",
    )
    .bind(users.iter().map(|u| u.0).collect::<Vec<_>>())
    .bind(exam);
    fetch_all_without_jit!(pool, q, "loading when the members were last active")
}

/// Submitted full mocks per candidate (of those given).
pub async fn mock_counts(
    pool: &PgPool,
    users: &[UserId],
    exam: ExamId,
) -> anyhow::Result<Vec<(UserId, i64)>> {
    sqlx::query_as(
        "SELECT user_id, count(*) FROM attempts
         WHERE user_id = ANY($1) AND exam_id = $2 AND status = 'submitted' AND mode = 'exam'
         GROUP BY user_id",
    )
    .bind(users.iter().map(|u| u.0).collect::<Vec<_>>())
    .bind(exam)
    .fetch_all(pool)
    .await
    .context("counting the members' submitted mocks")
}

// --- assignments ------------------------------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct AssignmentRow {
    pub id: AssignmentId,
    pub cohort_id: CohortId,
    pub kind: AssignmentKind,
    pub title: String,
    pub objectives: Vec<String>,
    pub size: Option<i32>,
    pub timed: bool,
    pub due_at: OffsetDateTime,
    pub past_due: bool,
    /// Members who started it, and who submitted it.
    pub started: i64,
    pub done: i64,
}

const ASSIGNMENT_COLUMNS: &str = "ca.id, ca.cohort_id, ca.kind, ca.title, ca.objectives, ca.size, ca.timed, ca.due_at,
    ca.due_at < now() AS past_due,
    (SELECT count(*) FROM assignment_attempts aa JOIN cohort_members m ON m.cohort_id = ca.cohort_id AND m.user_id = aa.user_id
     WHERE aa.assignment_id = ca.id) AS started,
    (SELECT count(*) FROM assignment_attempts aa JOIN cohort_members m ON m.cohort_id = ca.cohort_id AND m.user_id = aa.user_id
     JOIN attempts a ON a.id = aa.attempt_id WHERE aa.assignment_id = ca.id AND a.status = 'submitted') AS done";

pub struct NewAssignment<'a> {
    pub cohort: CohortId,
    pub kind: AssignmentKind,
    pub title: &'a str,
    pub objectives: &'a [String],
    pub size: Option<i32>,
    pub timed: bool,
    pub due_at: OffsetDateTime,
    pub created_by: UserId,
}

pub async fn create_assignment(
    pool: &PgPool,
    a: &NewAssignment<'_>,
) -> anyhow::Result<AssignmentId> {
    sqlx::query_scalar(
        "INSERT INTO cohort_assignments (cohort_id, kind, title, objectives, size, timed, due_at, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(a.cohort)
    .bind(a.kind)
    .bind(a.title)
    .bind(a.objectives)
    .bind(a.size)
    .bind(a.timed)
    .bind(a.due_at)
    .bind(a.created_by)
    .fetch_one(pool)
    .await
    .context("storing the assignment")
}

pub async fn assignments(pool: &PgPool, cohort: CohortId) -> anyhow::Result<Vec<AssignmentRow>> {
    sqlx::query_as(&format!(
        "SELECT {ASSIGNMENT_COLUMNS} FROM cohort_assignments ca WHERE ca.cohort_id = $1 ORDER BY ca.due_at, ca.created_at"
    ))
    .bind(cohort)
    .fetch_all(pool)
    .await
    .context("listing the cohort's assignments")
}

/// The assignment, only when it belongs to `cohort`.
pub async fn assignment(
    pool: &PgPool,
    cohort: CohortId,
    id: AssignmentId,
) -> anyhow::Result<Option<AssignmentRow>> {
    sqlx::query_as(&format!(
        "SELECT {ASSIGNMENT_COLUMNS} FROM cohort_assignments ca WHERE ca.id = $1 AND ca.cohort_id = $2"
    ))
    .bind(id)
    .bind(cohort)
    .fetch_optional(pool)
    .await
    .context("loading the assignment")
}

pub async fn delete_assignment(
    pool: &PgPool,
    cohort: CohortId,
    id: AssignmentId,
) -> anyhow::Result<bool> {
    let r = sqlx::query("DELETE FROM cohort_assignments WHERE id = $1 AND cohort_id = $2")
        .bind(id)
        .bind(cohort)
        .execute(pool)
        .await
        .context("deleting the assignment")?;
    Ok(r.rows_affected() == 1)
}

/// One member's result on one assignment.
#[derive(Debug, Clone, FromRow)]
pub struct ResultRow {
    pub assignment_id: AssignmentId,
    pub user_id: UserId,
    pub display_name: String,
    pub email: String,
    pub attempt_id: Option<AttemptId>,
    pub status: Option<AttemptStatus>,
    pub submitted_at: Option<OffsetDateTime>,
    pub points: Option<i32>,
    pub max_points: Option<i32>,
    pub scaled_score: Option<i32>,
    pub passed: Option<bool>,
}

/// Every current member × every assignment of the cohort (or one assignment).
pub async fn results(
    pool: &PgPool,
    cohort: CohortId,
    only: Option<AssignmentId>,
) -> anyhow::Result<Vec<ResultRow>> {
    let q = sqlx::query_as(
        "SELECT ca.id AS assignment_id, u.id AS user_id, u.display_name, u.email, a.id AS attempt_id,
                a.status, a.submitted_at, a.points, a.max_points, a.scaled_score, a.passed
         FROM cohort_assignments ca
         JOIN cohort_members m ON m.cohort_id = ca.cohort_id
         JOIN users u ON u.id = m.user_id
         LEFT JOIN assignment_attempts aa ON aa.assignment_id = ca.id AND aa.user_id = m.user_id
         LEFT JOIN attempts a ON a.id = aa.attempt_id
         WHERE ca.cohort_id = $1 AND ($2::uuid IS NULL OR ca.id = $2)
         ORDER BY ca.due_at, ca.created_at, lower(u.display_name), u.id",
    )
    .bind(cohort)
    .bind(only);
    fetch_all_without_jit!(pool, q, "loading assignment results")
}

/// An assignment as one member sees it on their home page.
#[derive(Debug, Clone, FromRow)]
pub struct MemberAssignmentRow {
    pub id: AssignmentId,
    pub cohort_name: String,
    pub exam_id: ExamId,
    pub exam_code: String,
    pub exam_slug: String,
    pub kind: AssignmentKind,
    pub title: String,
    pub objectives: Vec<String>,
    pub size: Option<i32>,
    pub timed: bool,
    pub due_at: OffsetDateTime,
    pub past_due: bool,
    pub attempt_id: Option<AttemptId>,
    pub attempt_status: Option<AttemptStatus>,
    pub scaled_score: Option<i32>,
    pub points: Option<i32>,
    pub max_points: Option<i32>,
}

const MEMBER_ASSIGNMENT_COLUMNS: &str =
    "ca.id, c.name AS cohort_name, c.exam_id, e.code AS exam_code, e.slug AS exam_slug,
    ca.kind, ca.title, ca.objectives, ca.size, ca.timed, ca.due_at, ca.due_at < now() AS past_due,
    a.id AS attempt_id, a.status AS attempt_status, a.scaled_score, a.points, a.max_points";

/// Assignments of every cohort the candidate belongs to: open ones first by due date, then
/// recently finished ones.
pub async fn member_assignments(
    pool: &PgPool,
    user: UserId,
) -> anyhow::Result<Vec<MemberAssignmentRow>> {
    sqlx::query_as(&format!(
        "SELECT {MEMBER_ASSIGNMENT_COLUMNS}
         FROM cohort_members m
         JOIN cohorts c ON c.id = m.cohort_id JOIN exams e ON e.id = c.exam_id
         JOIN cohort_assignments ca ON ca.cohort_id = c.id
         LEFT JOIN assignment_attempts aa ON aa.assignment_id = ca.id AND aa.user_id = m.user_id
         LEFT JOIN attempts a ON a.id = aa.attempt_id
         WHERE m.user_id = $1 AND (a.status IS DISTINCT FROM 'submitted' OR a.submitted_at > now() - interval '14 days')
         ORDER BY (a.status = 'submitted') NULLS FIRST, ca.due_at
         LIMIT 20"
    ))
    .bind(user)
    .fetch_all(pool)
    .await
    .context("listing the candidate's assignments")
}

/// One assignment, only when `user` is a member of its cohort.
pub async fn member_assignment(
    pool: &PgPool,
    user: UserId,
    id: AssignmentId,
) -> anyhow::Result<Option<MemberAssignmentRow>> {
    sqlx::query_as(&format!(
        "SELECT {MEMBER_ASSIGNMENT_COLUMNS}
         FROM cohort_assignments ca
         JOIN cohort_members m ON m.cohort_id = ca.cohort_id AND m.user_id = $1
         JOIN cohorts c ON c.id = ca.cohort_id JOIN exams e ON e.id = c.exam_id
         LEFT JOIN assignment_attempts aa ON aa.assignment_id = ca.id AND aa.user_id = m.user_id
         LEFT JOIN attempts a ON a.id = aa.attempt_id
         WHERE ca.id = $2"
    ))
    .bind(user)
    .bind(id)
    .fetch_optional(pool)
    .await
    .context("loading the candidate's assignment")
}

/// Links the attempt a member started to the assignment. `false` when the member already has
/// one for it, or the attempt already counts for another assignment.
pub async fn link_attempt(
    pool: &PgPool,
    assignment: AssignmentId,
    user: UserId,
    attempt: AttemptId,
) -> anyhow::Result<bool> {
    let r = sqlx::query(
        "INSERT INTO assignment_attempts (assignment_id, user_id, attempt_id) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(assignment)
    .bind(user)
    .bind(attempt)
    .execute(pool)
    .await
    .context("linking the attempt to the assignment")?;
    Ok(r.rows_affected() == 1)
}

/// Statistics for the planner after a bulk load (the benchmark and the demo).
pub async fn analyze(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::query(
        "ANALYZE cohorts, cohort_instructors, cohort_members, cohort_assignments, assignment_attempts, member_snapshots",
    )
    .execute(pool)
    .await
    .context("refreshing the planner's statistics of the cohort tables")?;
    Ok(())
}
