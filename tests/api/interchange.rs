//! Question interchange in the browser: upload, dry-run report, confirm; exports per format.

use crate::helpers as common;
use common::{signed_in_as, TestApp};
use sqlx::PgPool;

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/interchange")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

async fn question_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM question_versions")
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn instructor(pool: &PgPool) -> TestApp {
    common::import_bank(pool, "question-bank/example").await;
    let mut app = TestApp::new(pool.clone());
    signed_in_as(&mut app, "teach@example.com", "instructor").await;
    app
}

async fn upload(
    app: &mut TestApp,
    format: &str,
    name: &str,
    objective: &str,
) -> common::TestResponse {
    let bytes = fixture(name);
    app.post_multipart(
        "/author/exams/ex-100/import",
        &[("format", format), ("objective", objective)],
        Some(("file", name, &bytes)),
    )
    .await
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn candidates_get_404_on_every_interchange_page(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut c = common::candidate(&pool, "cand@example.com").await;
    for path in [
        "/author/exams/ex-100/import",
        "/author/exams/ex-100/export",
        "/author/exams/ex-100/export/gift",
        "/author/exams/ex-100/import/00000000-0000-0000-0000-000000000000",
    ] {
        c.get(path).await.assert_status(404);
    }
    let bytes = fixture("moodle-style.gift");
    c.post_multipart(
        "/author/exams/ex-100/import",
        &[("format", "gift")],
        Some(("file", "q.gift", &bytes)),
    )
    .await
    .assert_status(404);
    let none: i64 = sqlx::query_scalar("SELECT count(*) FROM import_uploads")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(none, 0);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_gift_file_is_checked_first_and_imported_only_when_confirmed(pool: PgPool) {
    let mut app = instructor(&pool).await;
    app.get("/author/exams/ex-100/import")
        .await
        .assert_status(200)
        .assert_contains("Import questions")
        .assert_selector("form[enctype='multipart/form-data'] input[type=file]");
    let before = question_count(&pool).await;
    let resp = upload(&mut app, "gift", "moodle-style.gift", "").await;
    resp.assert_status(303);
    let report_url = resp.location().to_string();
    let report = app.get(&report_url).await;
    report
        .assert_status(200)
        .assert_contains("5 new, 0 changed, 0 unchanged; 0 problem(s)")
        .assert_contains("gift-blob-tiers")
        .assert_contains("gift-escapes-yaml")
        .assert_selector("button[type=submit]");
    assert_eq!(
        question_count(&pool).await,
        before,
        "a dry run changes nothing"
    );

    app.post(&report_url, &[]).await.assert_status(303);
    assert_eq!(question_count(&pool).await, before + 5);
    app.get(&report_url)
        .await
        .assert_contains("Imported")
        .assert_contains("5 new question(s)");
    let stem: serde_json::Value = sqlx::query_scalar(
        "SELECT v.body FROM questions q JOIN question_versions v ON v.id = q.current_version_id
         WHERE q.ext_id = 'gift-escapes-yaml'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        stem["stem"].as_str().unwrap().contains("${{inputs.data}}"),
        "{stem}"
    );
    assert_eq!(stem["objective"], "models.deploy");

    // Confirming twice imports once; the same file again changes nothing.
    app.post(&report_url, &[]).await.assert_status(303);
    assert_eq!(question_count(&pool).await, before + 5);
    let again = upload(&mut app, "gift", "moodle-style.gift", "").await;
    let again = app.get(again.location()).await;
    again
        .assert_contains("0 new, 0 changed, 5 unchanged")
        .assert_contains("there is nothing to import");
    assert!(again
        .select("form button[type=submit]")
        .iter()
        .all(|b| !b.text().collect::<String>().contains("Confirm")));
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn moodle_xml_and_qti_samples_import_cleanly(pool: PgPool) {
    let mut app = instructor(&pool).await;
    let before = question_count(&pool).await;
    let resp = upload(&mut app, "moodle-xml", "moodle-style.xml", "").await;
    let url = resp.location().to_string();
    app.get(&url)
        .await
        .assert_contains("5 new, 0 changed, 0 unchanged; 0 problem(s)")
        .assert_contains("xml-sweep-gaps");
    app.post(&url, &[]).await.assert_status(303);
    // A bare QTI item has no place for references (they travel in the package's manifest).
    let resp = upload(&mut app, "qti", "qti-choice-item.xml", "models.train").await;
    app.get(resp.location())
        .await
        .assert_contains("qti-choice-item.xml:3")
        .assert_contains("has no `reference:` line");
    let package = mockexam::bank::formats::qti::zip_files(&[
        (
            "imsmanifest.xml".into(),
            String::from_utf8(fixture("qti-imsmanifest.xml")).unwrap(),
        ),
        (
            "items/qti-choice-item.xml".into(),
            String::from_utf8(fixture("qti-choice-item.xml")).unwrap(),
        ),
    ])
    .unwrap();
    let resp = app
        .post_multipart(
            "/author/exams/ex-100/import",
            &[("format", "qti")],
            Some(("file", "sample.zip", &package)),
        )
        .await;
    let url = resp.location().to_string();
    app.get(&url)
        .await
        .assert_contains("1 new, 0 changed, 0 unchanged; 0 problem(s)")
        .assert_contains("qti-compute-cluster");
    app.post(&url, &[]).await.assert_status(303);
    assert_eq!(question_count(&pool).await, before + 6);
    app.get("/author/exams/ex-100/questions/xml-sweep-gaps")
        .await
        .assert_status(200)
        .assert_contains("median_stopping");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn malformed_files_show_problems_with_lines_and_change_nothing(pool: PgPool) {
    let mut app = instructor(&pool).await;
    let before = question_count(&pool).await;
    let resp = upload(&mut app, "gift", "broken.gift", "").await;
    let url = resp.location().to_string();
    let report = app.get(&url).await;
    report
        .assert_contains("broken.gift:2")
        .assert_contains("names no objective")
        .assert_contains("broken.gift:4")
        .assert_contains("essay")
        .assert_contains("broken.gift:6")
        .assert_contains("never closed");
    assert!(!report.body.contains("Confirm the import"));
    // Posting the confirmation anyway re-checks the file and refuses.
    app.post(&url, &[])
        .await
        .assert_status(422)
        .assert_contains("Nothing was imported");
    let resp = upload(&mut app, "moodle-xml", "broken.xml", "").await;
    app.get(resp.location())
        .await
        .assert_contains("broken.xml:");
    assert_eq!(question_count(&pool).await, before);

    // A bad form is answered in the page, never with a 500.
    app.post_multipart("/author/exams/ex-100/import", &[("format", "gift")], None)
        .await
        .assert_status(422)
        .assert_contains("Choose a file to import.");
    app.post_multipart(
        "/author/exams/ex-100/import",
        &[("format", "gift")],
        Some(("file", "empty.gift", b"")),
    )
    .await
    .assert_status(422)
    .assert_contains("is empty");
    app.post_multipart(
        "/author/exams/ex-100/import",
        &[("format", "pdf")],
        Some(("file", "x.pdf", b"%PDF")),
    )
    .await
    .assert_status(422)
    .assert_contains("Choose the file's format.");
    let resp = app
        .post_multipart(
            "/author/exams/ex-100/import",
            &[("format", "qti")],
            Some(("file", "x.zip", b"PK\x03\x04 not really a zip")),
        )
        .await;
    app.get(resp.location())
        .await
        .assert_contains("not a readable zip package");
    assert_eq!(question_count(&pool).await, before);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn uploads_belong_to_their_instructor(pool: PgPool) {
    let mut app = instructor(&pool).await;
    let resp = upload(&mut app, "gift", "moodle-style.gift", "").await;
    let url = resp.location().to_string();
    let mut other = app.other_browser();
    signed_in_as(&mut other, "other@example.com", "instructor").await;
    other.get(&url).await.assert_status(404);
    let before = question_count(&pool).await;
    other.post(&url, &[]).await.assert_status(404);
    assert_eq!(question_count(&pool).await, before);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn exports_download_every_format_and_name_what_they_leave_out(pool: PgPool) {
    let mut app = instructor(&pool).await;
    app.get("/author/exams/ex-100/export")
        .await
        .assert_status(200)
        .assert_contains("cannot be written in GIFT")
        .assert_contains("IMS QTI 2.2 content package");
    let gift = app.get("/author/exams/ex-100/export/gift").await;
    gift.assert_status(200);
    assert!(gift.body.contains("$CATEGORY:"));
    assert!(gift.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("ex-100.gift.txt"));
    let xml = app.get("/author/exams/ex-100/export/moodle-xml").await;
    assert!(xml.body.contains("<quiz>"));
    let qti = app.get("/author/exams/ex-100/export/qti").await;
    assert_eq!(qti.headers["content-type"], "application/zip");
    let native = app.get("/author/exams/ex-100/export/native").await;
    native.assert_status(200);
    app.get("/author/exams/ex-100/export/pdf")
        .await
        .assert_status(404);

    // What was exported imports back unchanged.
    let resp = app
        .post_multipart(
            "/author/exams/ex-100/import",
            &[("format", "moodle-xml")],
            Some(("file", "ex-100.xml", xml.body.as_bytes())),
        )
        .await;
    app.get(resp.location())
        .await
        .assert_contains("0 new, 0 changed")
        .assert_contains("0 problem(s)");
}
