//! Instructors see how each question performs.

use crate::helpers as common;
use common::{signed_in_as, TestApp};
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn instructors_see_item_analysis_of_submitted_mocks(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let exam = mockexam::db::exams::by_slug(&pool, "ex-100")
        .await
        .unwrap()
        .unwrap();
    for i in 0..12 {
        let email = format!("c{i}@example.com");
        mockexam::demo::upsert_user(
            &pool,
            &email,
            "C",
            mockexam::types::Role::Candidate,
            common::PASSWORD,
        )
        .await
        .unwrap();
        let id: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(&email)
            .fetch_one(&pool)
            .await
            .unwrap();
        mockexam::demo::simulate_history(
            &pool,
            id.into(),
            &exam,
            1,
            0.3 + 0.05 * i as f64,
            0.3 + 0.05 * i as f64,
            i,
        )
        .await
        .unwrap();
    }
    let mut instructor = TestApp::new(pool.clone());
    signed_in_as(&mut instructor, "teach@example.com", "instructor").await;
    let page = instructor.get("/author/exams/ex-100").await;
    page.assert_status(200)
        .assert_contains("How each question performs")
        .assert_contains("first submitted full mock (12 mock(s))")
        .assert_contains("ex-order-deploy");
    // Every question was answered in (nearly) every mock, so each row shows a facility figure.
    let rows = page.body.matches("<td class=\"num\">12</td>").count()
        + page.body.matches("<td class=\"num\">11</td>").count();
    assert!(rows >= 8, "answer counts per question: {rows}");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn instructors_preview_a_question_with_its_key_and_versions(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut instructor = TestApp::new(pool.clone());
    signed_in_as(&mut instructor, "author@example.com", "instructor").await;
    instructor
        .get("/author/exams/ex-100")
        .await
        .assert_selector("a[href='/author/exams/ex-100/questions/ex-dropdown-job']");
    let page = instructor
        .get("/author/exams/ex-100/questions/ex-dropdown-job")
        .await;
    page.assert_status(200)
        .assert_contains("As candidates see it")
        .assert_contains("Key and explanation")
        .assert_contains("Blank 1: A. command")
        .assert_contains("ml_client.jobs.create_or_update(job)")
        .assert_contains("Versions");
    instructor
        .get("/author/exams/ex-100/questions/no-such-id")
        .await
        .assert_status(404);
    let mut candidate = TestApp::new(pool.clone());
    signed_in_as(&mut candidate, "pupil@example.com", "candidate").await;
    candidate
        .get("/author/exams/ex-100/questions/ex-dropdown-job")
        .await
        .assert_status(404);
}
