//! Bulk set-up for load tests and benchmarks: many candidates with live sessions in one
//! statement, a history of submitted mocks grown with `generate_series` (about 1,000,000 answer
//! rows in seconds), the database's own counters, and the planner's statistics wiped so that a
//! measurement can show what happens when nothing was analysed.

use crate::types::{ExamId, UserId};
use anyhow::Context;
use sqlx::{FromRow, PgPool};

/// Creates `count` verified candidates named `{prefix}{n}@loadgen.mockexam` (n from 1) sharing
/// one password hash, each with one live session whose token hash is given; returns their ids in
/// the order of `token_hashes`.
pub async fn create_candidates_with_sessions(
    pool: &PgPool,
    prefix: &str,
    password_hash: &str,
    token_hashes: &[Vec<u8>],
) -> anyhow::Result<Vec<UserId>> {
    let mut tx = pool.begin().await.context("creating load candidates")?;
    let ids: Vec<UserId> = sqlx::query_scalar(
        "INSERT INTO users (email, display_name, password_hash, email_verified_at)
         SELECT $1 || g || '@loadgen.mockexam', 'Load candidate ' || g, $2, now()
         FROM generate_series(1, $3::int) g
         ORDER BY g
         RETURNING id",
    )
    .bind(prefix)
    .bind(password_hash)
    .bind(token_hashes.len() as i32)
    .fetch_all(&mut *tx)
    .await
    .context("creating load candidates")?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, expires_at, user_agent, ip)
         SELECT t, u, now() + interval '2 days', 'mockexam loadgen', '127.0.0.1'
         FROM UNNEST($1::bytea[], $2::uuid[]) AS s(t, u)",
    )
    .bind(token_hashes)
    .bind(&ids)
    .execute(&mut *tx)
    .await
    .context("creating sessions of load candidates")?;
    tx.commit().await.context("committing load candidates")?;
    Ok(ids)
}

/// Grows a history of `candidates` × `mocks` submitted full mocks of `items` answered questions
/// each (drawn from the exam's question versions, answered "a"), owned by new candidates named
/// `{prefix}{n}@history.mockexam`. Deliberately NOT analysed afterwards: callers decide.
/// Returns the number of answer rows written.
pub async fn seed_history(
    pool: &PgPool,
    exam_id: ExamId,
    prefix: &str,
    candidates: i32,
    mocks: i32,
    items: i32,
) -> anyhow::Result<u64> {
    let mut tx = pool.begin().await.context("seeding a history of mocks")?;
    sqlx::query(
        "INSERT INTO users (email, display_name, password_hash, email_verified_at)
         SELECT $1 || g || '@history.mockexam', 'History candidate ' || g, 'no password', now()
         FROM generate_series(1, $2::int) g",
    )
    .bind(prefix)
    .bind(candidates)
    .execute(&mut *tx)
    .await
    .context("creating history candidates")?;
    sqlx::query(
        "INSERT INTO attempts (user_id, exam_id, mode, seed, status, started_at, deadline_at,
                               submitted_at, submit_reason, points, max_points, scaled_score,
                               passed, title)
         SELECT u.id, $1, 'exam', g, 'submitted', now() - g * interval '3 days',
                now() - g * interval '3 days' + interval '100 minutes',
                now() - g * interval '3 days' + interval '90 minutes', 'candidate',
                30 + g % 20, 60, 500 + 40 * (g % 8), g % 8 >= 5, 'Full mock'
         FROM users u, generate_series(1, $3::int) g
         WHERE u.email LIKE $2 || '%@history.mockexam'",
    )
    .bind(exam_id)
    .bind(prefix)
    .bind(mocks)
    .execute(&mut *tx)
    .await
    .context("creating the history's submitted mocks")?;
    // The answers join the candidates just created: without statistics of them the planner takes
    // the new tables for empty and nests loops over them (minutes instead of seconds).
    sqlx::query("ANALYZE users, attempts")
        .execute(&mut *tx)
        .await
        .context("analysing the history's candidates and mocks")?;
    let rows = sqlx::query(
        "INSERT INTO attempt_items (attempt_id, position, question_version_id, section, section_kind,
                                    permutation, response, revision, first_viewed_at, answered_at,
                                    points, max_points)
         SELECT a.id, p, v.ids[1 + (abs(hashtext(a.id::text)) + p) % array_length(v.ids, 1)], p,
                'standalone', '{}'::jsonb, '{\"kind\": \"single\", \"choice\": \"a\"}'::jsonb, 1,
                a.started_at, a.started_at + p * interval '1 minute', p % 2, 1
         FROM attempts a
         JOIN users u ON u.id = a.user_id,
              generate_series(1, $3::int) p,
              (SELECT array_agg(qv.id) AS ids FROM question_versions qv
               JOIN questions q ON q.id = qv.question_id WHERE q.exam_id = $1) v
         WHERE u.email LIKE $2 || '%@history.mockexam'",
    )
    .bind(exam_id)
    .bind(prefix)
    .bind(items)
    .execute(&mut *tx)
    .await
    .context("writing the history's answers")?;
    // Each mock keeps the versions it showed (as every start writes them), computed as above.
    sqlx::query(
        "UPDATE attempts a
         SET question_versions = ARRAY(
                 SELECT v.ids[1 + (abs(hashtext(a.id::text)) + p) % array_length(v.ids, 1)]
                 FROM generate_series(1, $3::int) p ORDER BY p)
         FROM users u,
              (SELECT array_agg(qv.id) AS ids FROM question_versions qv
               JOIN questions q ON q.id = qv.question_id WHERE q.exam_id = $1) v
         WHERE u.id = a.user_id AND u.email LIKE $2 || '%@history.mockexam'",
    )
    .bind(exam_id)
    .bind(prefix)
    .bind(items)
    .execute(&mut *tx)
    .await
    .context("recording the versions each history mock showed")?;
    tx.commit().await.context("committing the history")?;
    Ok(rows.rows_affected())
}

/// The tables every per-candidate request reads.
const CANDIDATE_TABLES: &[&str] = &[
    "users",
    "sessions",
    "attempts",
    "attempt_items",
    "questions",
    "question_versions",
    "review_schedule",
    "item_calibrations",
];

/// Makes the planner forget what it knew of the per-candidate tables, as if they had never been
/// analysed (needs a superuser; for benchmarks only).
pub async fn forget_statistics(pool: &PgPool) -> anyhow::Result<()> {
    let tables: Vec<String> = CANDIDATE_TABLES.iter().map(|t| t.to_string()).collect();
    sqlx::query(
        "DELETE FROM pg_statistic WHERE starelid IN
             (SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = current_schema() AND c.relname = ANY($1))",
    )
    .bind(&tables)
    .execute(pool)
    .await
    .context("clearing the planner's statistics")?;
    sqlx::query(
        "UPDATE pg_class SET reltuples = -1, relpages = 0
         WHERE relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
           AND relname = ANY($1)",
    )
    .bind(&tables)
    .execute(pool)
    .await
    .context("clearing the planner's table sizes")?;
    Ok(())
}

/// The database's cumulative counters (pg_stat_database), for per-request deltas.
#[derive(Debug, Clone, Copy, Default, FromRow)]
pub struct DbCounters {
    pub xact_commit: i64,
    pub xact_rollback: i64,
    pub tup_returned: i64,
    pub tup_fetched: i64,
    pub tup_inserted: i64,
    pub tup_updated: i64,
    pub blks_hit: i64,
    pub blks_read: i64,
}

pub async fn counters(pool: &PgPool) -> anyhow::Result<DbCounters> {
    sqlx::query_as(
        "SELECT xact_commit, xact_rollback, tup_returned, tup_fetched, tup_inserted, tup_updated,
                blks_hit, blks_read
         FROM pg_stat_database WHERE datname = current_database()",
    )
    .fetch_one(pool)
    .await
    .context("reading pg_stat_database")
}

/// Answer rows in the database (for reports).
pub async fn answer_rows(pool: &PgPool) -> anyhow::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM attempt_items")
        .fetch_one(pool)
        .await
        .context("counting answer rows")
}
