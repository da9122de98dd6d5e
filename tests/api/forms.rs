//! Four full mocks in a row for one candidate do not repeat each other, and every form honours
//! the blueprint: DP-100 and AI-300.

use crate::helpers as common;
use mockexam::db;
use mockexam::engine::start::StartOutcome;
use sqlx::PgPool;
use std::collections::HashSet;
use uuid::Uuid;

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn four_dp100_forms_in_a_row_share_no_question(pool: PgPool) {
    four_forms(pool, "dp-100").await;
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn four_ai300_forms_in_a_row_share_no_question(pool: PgPool) {
    four_forms(pool, "ai-300").await;
}

/// Starts and submits four mocks of one exam for one candidate; each must follow the blueprint
/// and share no question with any earlier one.
async fn four_forms(pool: PgPool, slug: &str) {
    common::import_bank(&pool, &format!("question-bank/{slug}")).await;
    let user = mockexam::demo::upsert_user(
        &pool,
        "forms@example.com",
        "Forms",
        mockexam::types::Role::Candidate,
        common::PASSWORD,
    )
    .await
    .unwrap();
    let _ = user;
    let user_id: mockexam::types::UserId = sqlx::query_scalar("SELECT id FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    let exam = db::exams::by_slug(&pool, slug).await.unwrap().unwrap();
    let mut forms: Vec<HashSet<Uuid>> = Vec::new();
    for n in 0..4 {
        let id = match mockexam::engine::start::mock(&pool, user_id, &exam, None)
            .await
            .unwrap()
        {
            StartOutcome::Created(id) => id,
            other => panic!("form {n}: no new mock: {other:?}"),
        };
        let questions: Vec<(Uuid, String, String)> = sqlx::query_as(
            "SELECT qv.question_id, o.domain_code, ai.section_kind FROM attempt_items ai
             JOIN question_versions qv ON qv.id = ai.question_version_id
             JOIN objectives o ON o.exam_id = $2 AND o.code = qv.body->>'objective'
             WHERE ai.attempt_id = $1",
        )
        .bind(id)
        .bind(exam.id)
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(
            questions.len(),
            50,
            "form {n} has the blueprint's question count"
        );
        for d in &exam.blueprint.domains {
            let count = questions.iter().filter(|q| q.1 == d.code).count() as u32;
            let (lo, hi) = exam.blueprint.domain_count_range(d);
            assert!(
                (lo..=hi).contains(&count),
                "form {n}: {} has {count}, range {lo}–{hi}",
                d.code
            );
        }
        assert!(
            questions.iter().any(|q| q.2 == "case"),
            "form {n} has a case study"
        );
        assert!(
            questions.iter().any(|q| q.2 == "series"),
            "form {n} has a problem–solution set"
        );
        let set: HashSet<Uuid> = questions.iter().map(|q| q.0).collect();
        assert_eq!(set.len(), 50, "no question twice on a form");
        for (m, earlier) in forms.iter().enumerate() {
            let common = set.intersection(earlier).count();
            println!(
                "form {} vs form {}: {common} of 50 questions in common",
                n + 1,
                m + 1
            );
            assert_eq!(
                common, 0,
                "form {n} shares {common} questions with form {m}"
            );
        }
        forms.push(set);
        mockexam::engine::finalize(&pool, id, mockexam::types::SubmitReason::Candidate)
            .await
            .unwrap();
    }
}
