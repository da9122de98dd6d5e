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

/// Where uploads go: EX-200, an exam of the instructor's own with EX-100's skill areas (the
/// samples name EX-100's objectives). EX-100 itself comes from files and takes no uploads.
const OWN: &str = "/author/exams/ex-200";

async fn instructor(pool: &PgPool) -> TestApp {
    common::import_bank(pool, "question-bank/example").await;
    let mut app = TestApp::new(pool.clone());
    signed_in_as(&mut app, "teach@example.com", "instructor").await;
    app.post(
        "/author/exams/new",
        &[
            ("code", "EX-200"),
            ("title", "Imported questions"),
            ("duration_minutes", "20"),
            ("question_count", "4"),
            ("cut_percent", "70"),
            ("d1_code", "data"),
            ("d1_title", "Prepare data"),
            ("d1_weight_min", "30"),
            ("d1_weight_max", "60"),
            (
                "d1_objectives",
                "data.storage | Choose where training data lives\ndata.assets | Register and version data",
            ),
            ("d2_code", "models"),
            ("d2_title", "Train and deploy models"),
            ("d2_weight_min", "40"),
            ("d2_weight_max", "70"),
            (
                "d2_objectives",
                "models.train | Run training as a job\nmodels.deploy | Choose and configure an endpoint",
            ),
        ],
    )
    .await
    .assert_status(303);
    // EX-100's case study and series, uploaded as a native question file, so that the samples'
    // questions that name them have somewhere to go (other formats name scenarios by id only).
    let native = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("question-bank/example/questions/series-and-case.md"),
    )
    .unwrap();
    let resp = app
        .post_multipart(
            &format!("{OWN}/import"),
            &[("format", "native")],
            Some(("file", "series-and-case.md", &native)),
        )
        .await;
    resp.assert_status(303);
    let url = resp.location().to_string();
    app.get(&url).await.assert_contains("0 problem(s)");
    app.post(&url, &[]).await.assert_status(303);
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
        &format!("{OWN}/import"),
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
    app.get(&format!("{OWN}/import"))
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
    // Imported questions enter the studio's workflow as drafts, with the file named in the trail.
    let (status, action, note): (String, String, String) = sqlx::query_as(
        "SELECT q.status, ev.action, ev.note FROM questions q
         JOIN question_events ev ON ev.question_id = q.id WHERE q.ext_id = 'gift-escapes-yaml'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), action.as_str(), note.as_str()),
        ("draft", "create", "Imported from moodle-style.gift")
    );
    app.get(&format!("{OWN}/log"))
        .await
        .assert_contains("Imported from moodle-style.gift");

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
            &format!("{OWN}/import"),
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
    app.get(&format!("{OWN}/questions/xml-sweep-gaps"))
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
    app.post_multipart(&format!("{OWN}/import"), &[("format", "gift")], None)
        .await
        .assert_status(422)
        .assert_contains("Choose a file to import.");
    app.post_multipart(
        &format!("{OWN}/import"),
        &[("format", "gift")],
        Some(("file", "empty.gift", b"")),
    )
    .await
    .assert_status(422)
    .assert_contains("is empty");
    app.post_multipart(
        &format!("{OWN}/import"),
        &[("format", "pdf")],
        Some(("file", "x.pdf", b"%PDF")),
    )
    .await
    .assert_status(422)
    .assert_contains("Choose the file's format.");
    let resp = app
        .post_multipart(
            &format!("{OWN}/import"),
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

    // What was exported imports into an exam of one's own without a problem, and what that
    // exam exports imports back unchanged.
    let resp = app
        .post_multipart(
            &format!("{OWN}/import"),
            &[("format", "moodle-xml")],
            Some(("file", "ex-100.xml", xml.body.as_bytes())),
        )
        .await;
    let url = resp.location().to_string();
    let report = app.get(&url).await;
    report.assert_contains("0 problem(s)");
    assert!(!report.body.contains(" 0 new,"), "{}", report.body);
    app.post(&url, &[]).await.assert_status(303);
    let own_xml = app.get(&format!("{OWN}/export/moodle-xml")).await;
    own_xml.assert_status(200);
    let resp = app
        .post_multipart(
            &format!("{OWN}/import"),
            &[("format", "moodle-xml")],
            Some(("file", "ex-200.xml", own_xml.body.as_bytes())),
        )
        .await;
    app.get(resp.location())
        .await
        .assert_contains("0 new, 0 changed")
        .assert_contains("0 problem(s)");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn an_exam_from_files_takes_no_uploads_in_the_browser(pool: PgPool) {
    let mut app = instructor(&pool).await;
    let page = app.get("/author/exams/ex-100/import").await;
    page.assert_status(200)
        .assert_contains("comes from question-bank files")
        .assert_contains("mockexam bank import");
    assert!(page.select("input[type=file]").is_empty());
    let bytes = fixture("moodle-style.gift");
    app.post_multipart(
        "/author/exams/ex-100/import",
        &[("format", "gift")],
        Some(("file", "q.gift", &bytes)),
    )
    .await
    .assert_status(409)
    .assert_contains("comes from question-bank files");
    let staged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM import_uploads u JOIN exams e ON e.id = u.exam_id WHERE e.code = 'EX-100'",
    )
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(staged, 0);
    // Exports of a file exam stay open to its readers.
    app.get("/author/exams/ex-100/export/gift")
        .await
        .assert_status(200);
}
