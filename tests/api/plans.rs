//! Query plans that must not depend on the planner's statistics. Postgres here runs without
//! autovacuum: statistics are whatever the last ANALYZE saw, and prepared statements switch to
//! generic plans. The per-candidate statements must pick an index bounded by the candidate's own
//! rows even when the statistics were taken while no attempt was open and thousands are now.

use crate::helpers as common;
use sqlx::{Connection, PgPool, Row};

/// The generic plan of `sql` (parameter types `types`, values `args` as SQL literals).
async fn generic_plan(pool: &PgPool, sql: &str, types: &str, args: &str) -> String {
    let mut conn = pool.acquire().await.unwrap();
    let conn = conn.as_mut();
    sqlx::query("SET plan_cache_mode = force_generic_plan")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query(&format!("PREPARE p({types}) AS {sql}"))
        .execute(&mut *conn)
        .await
        .unwrap();
    let rows = sqlx::query(&format!("EXPLAIN EXECUTE p({args})"))
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    sqlx::query("DEALLOCATE p")
        .execute(&mut *conn)
        .await
        .unwrap();
    let _ = conn.ping().await;
    rows.iter()
        .map(|r| r.get::<String, _>(0))
        .collect::<Vec<_>>()
        .join("\n")
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn saves_and_open_mock_lookups_stay_on_the_candidates_rows_whatever_the_statistics(
    pool: PgPool,
) {
    common::import_bank(&pool, "question-bank/example").await;
    let exam: mockexam::types::ExamId =
        sqlx::query_scalar("SELECT id FROM exams WHERE code = 'EX-100'")
            .fetch_one(&pool)
            .await
            .unwrap();
    // 2,000 candidates with one submitted mock each, analysed while none is open…
    mockexam::db::load::seed_history(&pool, exam, "plans", 2000, 1, 5)
        .await
        .unwrap();
    sqlx::query("ANALYZE attempts")
        .execute(&pool)
        .await
        .unwrap();
    // …then every one of them open again, as during a class's mock.
    sqlx::query(
        "UPDATE attempts SET status = 'in_progress', submitted_at = NULL, submit_reason = NULL,
                deadline_at = now() + interval '1 hour'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let (attempt, user): (uuid::Uuid, uuid::Uuid) =
        sqlx::query_as("SELECT id, user_id FROM attempts LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();

    let save = generic_plan(
        &pool,
        mockexam::db::attempts::WRITE_ANSWER_SQL,
        "uuid, uuid, int4, int4, jsonb, bool, bool, bool, float8, jsonb",
        &format!("'{attempt}', '{user}', 1, 1, '{{}}'::jsonb, false, true, false, 10, '[]'::jsonb"),
    )
    .await;
    // The attempt is reached by its id or by its candidate (a handful of rows), never through
    // every open attempt.
    assert!(!save.contains("attempts_open_deadline_idx"), "{save}");
    assert!(!save.contains("Seq Scan"), "{save}");
    assert!(
        save.contains("Index Cond: (id = $1)") || save.contains("Index Cond: ((user_id = $2)"),
        "{save}"
    );

    // A start's facts: the mock in progress and the history, both from the candidate's rows.
    let start = generic_plan(
        &pool,
        mockexam::db::attempts::START_FACTS_SQL,
        "uuid, uuid",
        &format!("'{user}', '{exam}'"),
    )
    .await;
    assert!(!start.contains("attempts_open_deadline_idx"), "{start}");
    assert!(!start.contains("Seq Scan"), "{start}");
    assert!(start.contains("Index Cond: ((user_id = $1)"), "{start}");

    let open = generic_plan(
        &pool,
        mockexam::db::attempts::OPEN_MOCK_SQL,
        "uuid, uuid",
        &format!("'{user}', '{exam}'"),
    )
    .await;
    assert!(!open.contains("attempts_open_deadline_idx"), "{open}");
    assert!(!open.contains("Seq Scan"), "{open}");
    assert!(open.contains("Index Cond: ((user_id = $1)"), "{open}");

    // An item page (read and open in one statement), the read before a save, the save and the
    // review screen (read and leave the items in one statement): the
    // attempt by its id, its items by their primary key's prefix — under these misleading statistics and
    // under none at all (as after a bulk load nothing analysed).
    screen_plans(&pool, attempt, user).await;
    mockexam::db::load::forget_statistics(&pool).await.unwrap();
    screen_plans(&pool, attempt, user).await;
}

async fn screen_plans(pool: &PgPool, attempt: uuid::Uuid, user: uuid::Uuid) {
    for (name, sql, types, args) in [
        (
            "item page",
            mockexam::db::attempts::open_screen_sql(),
            "uuid, uuid, int4, float8, float8",
            format!("'{attempt}', '{user}', 1, 1200, 10"),
        ),
        (
            "save's read",
            mockexam::db::attempts::screen_sql(),
            "uuid, uuid, int4",
            format!("'{attempt}', '{user}', 1"),
        ),
        (
            "save",
            mockexam::db::attempts::WRITE_ANSWER_SQL.to_string(),
            "uuid, uuid, int4, int4, jsonb, bool, bool, bool, float8, jsonb",
            format!(
                "'{attempt}', '{user}', 1, 1, '{{}}'::jsonb, false, true, false, 10, '[]'::jsonb"
            ),
        ),
    ] {
        let plan = generic_plan(pool, &sql, types, &args).await;
        assert!(
            !plan.contains("attempts_open_deadline_idx"),
            "{name}: {plan}"
        );
        // The exams table (a handful of rows) may be scanned; the per-candidate tables never,
        // nor may a hash join reach them.
        assert!(!plan.contains("Seq Scan on attempt"), "{name}: {plan}");
        assert!(!plan.contains("Hash"), "{name}: {plan}");
        assert!(
            plan.contains("Index Cond: (id = $1)")
                || plan.contains("Index Cond: (user_id = $2)")
                || plan.contains("Index Cond: ((user_id = $2)"),
            "{name}: {plan}"
        );
        assert!(
            plan.contains("Index Cond: ((attempt_id = $1) AND (\"position\" = $3))"),
            "{name}: {plan}"
        );
    }
    let review = generic_plan(
        pool,
        &mockexam::db::attempts::open_review_sql(),
        "uuid, uuid, float8, float8",
        &format!("'{attempt}', '{user}', 1200, 10"),
    )
    .await;
    assert!(!review.contains("attempts_open_deadline_idx"), "{review}");
    assert!(!review.contains("Seq Scan on attempt"), "{review}");
    assert!(review.contains("Index Cond: (id = $1)"), "{review}");
    // Both the update and the read reach the items through the attempt's primary-key prefix.
    assert!(
        review.matches("Index Cond: (attempt_id = $1)").count() >= 2,
        "{review}"
    );
}
