//! Privacy: the export of everything stored about a candidate, account deletion (submitted mocks
//! stay as anonymous rows for item statistics), and the privacy page.

use super::count;
use crate::helpers::{candidate, import_bank, PASSWORD};
use sqlx::PgPool;

async fn history(pool: &PgPool, email: &str) -> crate::helpers::TestApp {
    import_bank(pool, "question-bank/example").await;
    let mut app = candidate(pool, email).await;
    let r = app.post("/exams/ex-100/attempts", &[]).await;
    r.assert_status(303);
    let id = r.location().trim_start_matches("/attempts/").to_string();
    app.post(&format!("/attempts/{id}/submit"), &[])
        .await
        .assert_status(303);
    app.post("/practice/ex-100", &[("size", "5"), ("which", "any")])
        .await
        .assert_status(303);
    app
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_export_holds_every_kind_of_data_of_the_candidate_only(pool: PgPool) {
    let mut app = history(&pool, "me@example.com").await;
    let _other = history(&pool, "other@example.com").await;
    let r = app.get("/account/export").await;
    r.assert_status(200);
    assert!(r
        .headers
        .get("content-disposition")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("attachment; filename=\"mockexam-data-"));
    let doc = r.json();
    assert_eq!(doc["profile"]["email"], "me@example.com");
    for section in [
        "sessions",
        "trusted_browsers",
        "mocks",
        "practice_sets",
        "review_schedule",
        "readiness_history",
        "exam_targets",
        "account_events",
    ] {
        assert!(doc[section].is_array(), "{section} missing: {doc}");
    }
    assert_eq!(doc["mocks"].as_array().unwrap().len(), 1);
    assert_eq!(doc["mocks"][0]["exam"], "EX-100");
    assert_eq!(doc["mocks"][0]["answers"].as_array().unwrap().len(), 10);
    assert_eq!(doc["practice_sets"].as_array().unwrap().len(), 1);
    assert_eq!(doc["readiness_history"].as_array().unwrap().len(), 1);
    assert_eq!(doc["sessions"].as_array().unwrap().len(), 1);
    assert!(!r.body.contains("other@example.com"), "nobody else's data");
    assert!(!r.body.contains("password_hash") && !r.body.contains("token_hash"));
    // Anonymous visitors are sent to sign in.
    let mut anon = app.other_browser();
    anon.get("/account/export").await.assert_status(303);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn deleting_the_account_keeps_submitted_mocks_only_as_anonymous_rows(pool: PgPool) {
    let mut app = history(&pool, "leaving@example.com").await;
    let marks_before = count(
        &pool,
        "SELECT count(*) FROM attempts WHERE mode = 'exam' AND status = 'submitted'",
    )
    .await;
    app.get("/account/delete")
        .await
        .assert_status(200)
        .assert_contains("Delete your account");
    app.post("/account/delete", &[("current_password", PASSWORD)])
        .await
        .assert_status(422)
        .assert_contains("Tick the box");
    app.post(
        "/account/delete",
        &[("current_password", "wrong password!!"), ("confirm", "yes")],
    )
    .await
    .assert_status(422)
    .assert_contains("Your current password is not right.");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM users").await,
        1,
        "nothing deleted yet"
    );
    let r = app
        .post(
            "/account/delete",
            &[("current_password", PASSWORD), ("confirm", "yes")],
        )
        .await;
    r.assert_status(303);
    assert_eq!(r.location(), "/login?done=deleted");
    app.get(r.location())
        .await
        .assert_contains("Your account and its data were deleted.");
    assert_eq!(count(&pool, "SELECT count(*) FROM users").await, 0);
    assert_eq!(count(&pool, "SELECT count(*) FROM sessions").await, 0);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM review_schedule").await,
        0
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM attempts WHERE mode = 'practice'"
        )
        .await,
        0
    );
    // The submitted mock stays for item statistics, with no owner and no per-item times.
    assert_eq!(
        count(&pool, "SELECT count(*) FROM attempts WHERE mode = 'exam' AND status = 'submitted' AND user_id IS NULL").await,
        marks_before
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM attempt_items WHERE answered_at IS NOT NULL OR first_viewed_at IS NOT NULL").await,
        0
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM attempts WHERE started_at <> date_trunc('month', started_at)"
        )
        .await,
        0
    );
    app.login("leaving@example.com", PASSWORD)
        .await
        .assert_status(401);
    // Item analysis still counts the anonymous mock.
    let exam: uuid::Uuid = sqlx::query_scalar("SELECT id FROM exams WHERE slug = 'ex-100'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let marks = mockexam::db::exams::submitted_marks(&pool, mockexam::types::ExamId(exam))
        .await
        .unwrap();
    assert!(!marks.is_empty());
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_privacy_page_says_what_is_stored_and_for_how_long(pool: PgPool) {
    let mut app = crate::helpers::TestApp::new(pool);
    app.get("/privacy")
        .await
        .assert_status(200)
        .assert_contains("What we store")
        .assert_contains("deleted, with a reminder a week before")
        .assert_contains("anonymous rows")
        .assert_selector("a[href='/account/export']");
    app.get("/")
        .await
        .assert_selector("footer a[href='/privacy']");
}
