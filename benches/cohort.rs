//! Cohort dashboard benchmark: a cohort of 2,000 members with 100,000 submitted attempts (per
//! member 10 full mocks of 50 questions and 40 practice sets of 10, over the past 100 days:
//! 1.8 million scored answers), seeded in bulk with INSERT … SELECT generate_series, then
//! ANALYZE. Prints the latency of the dashboard: the first view, which computes every member's
//! snapshot; 50 views in several sort orders and pages; 20 views that each read all members'
//! marks (snapshots over a minute old); a view after 100 members submitted new work; and of
//! the two CSV exports.
//!
//!   DATABASE_URL=postgres://… cargo bench --bench cohort

#[path = "common.rs"]
mod common;

use mockexam::db;
use mockexam::domain::item::Item;
use mockexam::engine::cohorts::NewCohort;
use mockexam::types::{ExamId, Role};
use sqlx::types::Json;
use sqlx::PgPool;
use std::time::{Duration, Instant};
use uuid::Uuid;

const MEMBERS: i32 = 2000;
const ATTEMPTS_PER_MEMBER: i32 = 50;

async fn exec(pool: &PgPool, what: &str, sql: &str, binds: &[Uuid]) {
    let started = Instant::now();
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(b);
    }
    let r = q
        .execute(pool)
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    println!(
        "  {what}: {} rows in {:.1} s",
        r.rows_affected(),
        started.elapsed().as_secs_f64()
    );
}

/// The bank's current questions with their points, as a table the seeding joins by position.
async fn question_table(pool: &PgPool, exam: ExamId) -> i64 {
    let rows: Vec<(Uuid, Json<Item>)> = sqlx::query_as(
        "SELECT qv.id, qv.body FROM questions q JOIN question_versions qv ON qv.id = q.current_version_id
         WHERE q.exam_id = $1 AND NOT q.retired ORDER BY q.bank_position",
    )
    .bind(exam)
    .fetch_all(pool)
    .await
    .unwrap();
    let ids: Vec<Uuid> = rows.iter().map(|r| r.0).collect();
    let points: Vec<i32> = rows
        .iter()
        .map(|r| mockexam::domain::scoring::max_points(&r.1 .0.body) as i32)
        .collect();
    sqlx::query(
        "CREATE TABLE bench_questions AS
         SELECT (ord - 1)::int AS idx, v, m FROM UNNEST($1::uuid[], $2::int[]) WITH ORDINALITY AS t(v, m, ord)",
    )
    .bind(&ids)
    .bind(&points)
    .execute(pool)
    .await
    .unwrap();
    ids.len() as i64
}

async fn seed(pool: &PgPool, exam: ExamId, cohort: Uuid, assignment: Uuid) {
    let started = Instant::now();
    let nq = question_table(pool, exam).await;
    exec(
        pool,
        "members",
        &format!(
            "INSERT INTO users (email, display_name, password_hash, role)
             SELECT 'member' || g || '@bench.mockexam', 'Member ' || lpad(g::text, 4, '0'), 'x', 'candidate'
             FROM generate_series(1, {MEMBERS}) g"
        ),
        &[],
    )
    .await;
    exec(
        pool,
        "memberships",
        "INSERT INTO cohort_members (cohort_id, user_id)
         SELECT $1, id FROM users WHERE email LIKE 'member%@bench.mockexam'",
        &[cohort],
    )
    .await;
    // Every fifth attempt is a full mock; the rest practice sets. Ability differs by member
    // and grows over the 100 days.
    exec(
        pool,
        "attempt plan",
        &format!(
            "CREATE TABLE bench_attempts AS
             SELECT gen_random_uuid() AS id, u.id AS user_id, u.n, k,
                    CASE WHEN k % 5 = 0 THEN 'exam' ELSE 'practice' END AS mode,
                    0.45 + 0.5 * (u.n % 100) / 100.0 + 0.1 * k / {ATTEMPTS_PER_MEMBER}.0 AS ability,
                    now() - make_interval(days => ({ATTEMPTS_PER_MEMBER} - k) * 2 + (u.n % 3)::int,
                                          mins => ((u.n * 13 + k * 7) % 600)::int) AS started
             FROM (SELECT id, row_number() OVER (ORDER BY email) AS n FROM users
                   WHERE email LIKE 'member%@bench.mockexam') u,
                  generate_series(1, {ATTEMPTS_PER_MEMBER}) k"
        ),
        &[],
    )
    .await;
    exec(
        pool,
        "attempts",
        &format!(
            "INSERT INTO attempts (id, user_id, exam_id, mode, seed, status, started_at, deadline_at,
                                   submitted_at, submit_reason, title)
             SELECT id, user_id, '{}', mode, k, 'submitted', started,
                    CASE WHEN mode = 'exam' THEN started + interval '100 minutes' END,
                    started + CASE WHEN mode = 'exam' THEN interval '85 minutes' ELSE interval '14 minutes' END,
                    'candidate', CASE WHEN mode = 'exam' THEN 'DP-100 full mock' ELSE 'DP-100 practice' END
             FROM bench_attempts",
            exam.0
        ),
        &[],
    )
    .await;
    exec(
        pool,
        "scored answers",
        &format!(
            "INSERT INTO attempt_items (attempt_id, position, question_version_id, section, section_kind,
                                        permutation, revision, first_viewed_at, answered_at, checked,
                                        points, max_points)
             SELECT a.id, p, q.v, 0, 'standalone', '{{}}'::jsonb, 1,
                    a.started + make_interval(mins => p), a.started + make_interval(mins => p),
                    a.mode = 'practice',
                    LEAST(q.m, floor(q.m * LEAST(a.ability, 0.97) + random()))::int, q.m
             FROM bench_attempts a
             CROSS JOIN LATERAL generate_series(1, CASE WHEN a.mode = 'exam' THEN 50 ELSE 10 END) p
             JOIN bench_questions q ON q.idx = ((a.n * 31 + a.k * 17 + p * 7) % {nq})::int"
        ),
        &[],
    )
    .await;
    exec(
        pool,
        "mock results",
        "UPDATE attempts a SET points = s.p, max_points = s.m,
             scaled_score = CASE WHEN s.p::float8 / s.m < 0.7 THEN 1 + round(699 * (s.p::float8 / s.m) / 0.7)
                                 ELSE 700 + round(300 * (s.p::float8 / s.m - 0.7) / 0.3) END,
             passed = s.p::float8 / s.m >= 0.7
         FROM (SELECT attempt_id, sum(points) AS p, sum(max_points) AS m FROM attempt_items GROUP BY 1) s
         WHERE s.attempt_id = a.id",
        &[],
    )
    .await;
    exec(
        pool,
        "assignment links (latest mock of every member)",
        &format!(
            "INSERT INTO assignment_attempts (assignment_id, user_id, attempt_id, started_at)
             SELECT $1, user_id, id, started FROM bench_attempts WHERE k = {ATTEMPTS_PER_MEMBER}"
        ),
        &[assignment],
    )
    .await;
    sqlx::query("DROP TABLE bench_attempts, bench_questions")
        .execute(pool)
        .await
        .unwrap();
    db::analyze(pool).await.unwrap();
    db::cohorts::analyze(pool).await.unwrap();
    println!("seeded in {:.1} s", started.elapsed().as_secs_f64());
}

/// Makes every snapshot a few minutes old, so the next view reads every member's mark.
async fn age_snapshots(pool: &PgPool) {
    sqlx::query("UPDATE member_snapshots SET computed_at = computed_at - interval '2 minutes'")
        .execute(pool)
        .await
        .unwrap();
}

async fn timed_gets(
    client: &common::HttpClient,
    urls: &[String],
    token: &str,
    n: usize,
    expect: &str,
) -> (Vec<Duration>, Duration) {
    let started = Instant::now();
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let url = &urls[i % urls.len()];
        let (s, body, d) = common::request(client, "GET", url, token, None, false).await;
        assert_eq!(s, 200, "{url}");
        assert!(body.contains(expect), "{url} lacks {expect:?}");
        samples.push(d);
    }
    (samples, started.elapsed())
}

#[tokio::main]
async fn main() {
    let (pool, url) = common::fresh_database("mockexam_bench_cohort").await;
    let exam = db::exams::by_slug(&pool, "dp-100").await.unwrap().unwrap();
    let hash = mockexam::password::hash_blocking("benchmark password 1").unwrap();
    let Ok(lead) = db::users::create(
        &pool,
        "lead@bench.mockexam",
        "Lead",
        &hash,
        Role::Instructor,
        true,
    )
    .await
    else {
        panic!("instructor")
    };
    let today = time::OffsetDateTime::now_utc().date();
    let cohort = mockexam::engine::cohorts::create(
        &pool,
        lead.id,
        &NewCohort {
            name: "Benchmark cohort".into(),
            exam: exam.clone(),
            target_date: Some(today + time::Duration::days(30)),
            code_days: 14,
        },
    )
    .await
    .unwrap();
    let assignment: Uuid = sqlx::query_scalar(
        "INSERT INTO cohort_assignments (cohort_id, kind, title, due_at, created_by, timed)
         VALUES ($1, 'mock', 'Full mock this week', now() + interval '3 days', $2, true) RETURNING id",
    )
    .bind(cohort)
    .bind(lead.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    println!("seeding {MEMBERS} members with {ATTEMPTS_PER_MEMBER} submitted attempts each");
    seed(&pool, exam.id, cohort.0, assignment).await;
    let counts: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM attempts WHERE status = 'submitted'), (SELECT count(*) FROM attempt_items)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    println!(
        "database: {} submitted attempts, {} scored answers",
        counts.0, counts.1
    );

    let life = db::sessions::Lifetime {
        idle_hours: 24,
        absolute_hours: 24,
    };
    let client = db::sessions::Client {
        user_agent: "cohort bench",
        ip: "127.0.0.1",
    };
    let token = db::sessions::create(&pool, lead.id, life, &client)
        .await
        .unwrap();
    let addr = common::serve(pool.clone()).await;
    let client = common::client();
    let base = format!("http://{addr}/cohorts/{cohort}");

    let (s, body, cold) = common::request(&client, "GET", &base, &token, None, false).await;
    assert_eq!(s, 200);
    assert!(body.contains("Predicted pass rate"));
    println!(
        "first view (every member's readiness computed and stored): {:.0} ms",
        cold.as_secs_f64() * 1000.0
    );

    let views: Vec<String> = [
        "",
        "?sort=pass&dir=asc",
        "?sort=area-0&dir=asc&page=3",
        "?sort=active&dir=desc&page=40",
        "?sort=name&dir=desc&page=12",
    ]
    .iter()
    .map(|q| format!("{base}{q}"))
    .collect();
    let (samples, wall) = timed_gets(&client, &views, &token, 50, "Mastery by member").await;
    common::summary("GET /cohorts/{id} (warm)", samples, wall);

    // Snapshots a minute old: every view reads all 2,000 members' marks (none changed).
    let mut samples = Vec::new();
    let started = Instant::now();
    for i in 0..20 {
        age_snapshots(&pool).await;
        let url = &views[i % views.len()];
        let (s, _, d) = common::request(&client, "GET", url, &token, None, false).await;
        assert_eq!(s, 200);
        samples.push(d);
    }
    common::summary("GET /cohorts/{id} (marks read)", samples, started.elapsed());

    // New work by 100 members: their snapshots are computed again on the next view.
    sqlx::query(
        "UPDATE attempts SET submitted_at = submitted_at + interval '1 second'
         WHERE id IN (SELECT DISTINCT ON (user_id) id FROM attempts a
                      WHERE user_id IN (SELECT user_id FROM cohort_members WHERE cohort_id = $1 ORDER BY user_id LIMIT 100)
                      ORDER BY user_id, started_at DESC)",
    )
    .bind(cohort)
    .execute(&pool)
    .await
    .unwrap();
    age_snapshots(&pool).await;
    let (s, _, after) = common::request(&client, "GET", &base, &token, None, false).await;
    assert_eq!(s, 200);
    println!(
        "view after 100 members submitted new work: {:.0} ms",
        after.as_secs_f64() * 1000.0
    );

    let csv = vec![format!("{base}/members.csv")];
    let (samples, wall) = timed_gets(&client, &csv, &token, 50, "Chance of passing").await;
    common::summary("GET members.csv", samples, wall);
    let csv = vec![format!("{base}/assignments.csv")];
    let (samples, wall) = timed_gets(&client, &csv, &token, 50, "Full mock this week").await;
    common::summary("GET assignments.csv", samples, wall);

    if std::env::var_os("MOCKEXAM_BENCH_KEEP_DB").is_some() {
        println!("kept the database {url}");
    } else {
        common::drop_database(pool, &url).await;
    }
}
