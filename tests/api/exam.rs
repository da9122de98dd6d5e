//! The candidate's whole loop through the real router and the real database.

use crate::helpers as common;
use common::{attempt_id, candidate, first_position, TestApp, TestResponse};
use mockexam::domain::item::{Item, ItemBody};
use sqlx::PgPool;
use uuid::Uuid;

async fn start(app: &mut TestApp, exam: &str) -> Uuid {
    let r = app.post(&format!("/exams/{exam}/attempts"), &[]).await;
    r.assert_status(303);
    let id = r.location().trim_start_matches("/attempts/").to_string();
    Uuid::parse_str(&id).unwrap_or_else(|_| panic!("bad location {}", r.location()))
}

async fn item_at(pool: &PgPool, attempt: Uuid, position: i32) -> (Item, i32, String) {
    let (body, revision, section_kind): (sqlx::types::Json<Item>, i32, String) = sqlx::query_as(
        "SELECT qv.body, ai.revision, ai.section_kind FROM attempt_items ai
         JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND ai.position = $2",
    )
    .bind(attempt)
    .bind(position)
    .fetch_one(pool)
    .await
    .unwrap();
    (body.0, revision, section_kind)
}

async fn permutation(
    pool: &PgPool,
    attempt: Uuid,
    position: i32,
) -> std::collections::BTreeMap<String, Vec<String>> {
    let p: sqlx::types::Json<std::collections::BTreeMap<String, Vec<String>>> = sqlx::query_scalar(
        "SELECT permutation FROM attempt_items WHERE attempt_id = $1 AND position = $2",
    )
    .bind(attempt)
    .bind(position)
    .fetch_one(pool)
    .await
    .unwrap();
    p.0
}

fn correct_fields(body: &ItemBody) -> Vec<(String, String)> {
    let yn = |b: &bool| {
        if *b {
            "yes".to_string()
        } else {
            "no".to_string()
        }
    };
    match body {
        ItemBody::Single { key, .. } => vec![("choice".into(), key.clone())],
        ItemBody::Multiple { key, .. } => {
            key.iter().map(|k| ("choice".into(), k.clone())).collect()
        }
        ItemBody::Order { key, .. } => key
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("pos{}", i + 1), k.clone()))
            .collect(),
        ItemBody::Dropdown { key, .. } => key
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("slot{}", i + 1), k.clone()))
            .collect(),
        ItemBody::Grid { key, .. } => key
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("s{}", i + 1), yn(k)))
            .collect(),
        ItemBody::Match { key, .. } => key
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("p{}", i + 1), k.clone()))
            .collect(),
        ItemBody::YesNo { key } => vec![("answer".into(), yn(key))],
    }
}

async fn answer(
    app: &mut TestApp,
    attempt: Uuid,
    position: i32,
    nav: &str,
    correct: bool,
) -> TestResponse {
    let (item, revision, _) = item_at(&app.pool, attempt, position).await;
    let mut fields = if correct {
        correct_fields(&item.body)
    } else {
        vec![]
    };
    fields.push(("revision".into(), revision.to_string()));
    fields.push(("nav".into(), nav.into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post(&format!("/attempts/{attempt}/items/{position}"), &pairs)
        .await
}

async fn attempt_status(pool: &PgPool, id: Uuid) -> (String, Option<String>, Option<i32>) {
    sqlx::query_as("SELECT status, submit_reason, scaled_score FROM attempts WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_whole_attempt_from_start_to_score_report(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "whole@example.com").await;
    // The example exam is unlisted: not in the catalogue, but its page answers.
    let catalogue = app.get("/exams").await;
    catalogue.assert_status(200);
    assert!(!catalogue.text().contains("EX-100"));
    app.get("/exams/ex-100")
        .await
        .assert_status(200)
        .assert_contains("Start a full mock");
    let id = start(&mut app, "ex-100").await;
    let first = app.get(&format!("/attempts/{id}")).await;
    first.assert_status(303);
    assert_eq!(first.location(), format!("/attempts/{id}/items/1"));

    for n in 1..=10 {
        let page = app.get(&format!("/attempts/{id}/items/{n}")).await;
        page.assert_status(200)
            .assert_contains(&format!("Question {n} of 10"));
        let r = answer(
            &mut app,
            id,
            n,
            if n < 10 { "next" } else { "review" },
            true,
        )
        .await;
        r.assert_status(303);
    }
    let review = app.get(&format!("/attempts/{id}/review")).await;
    review.assert_status(200).assert_contains("0 unanswered");
    app.get(&format!("/attempts/{id}/submit"))
        .await
        .assert_status(200)
        .assert_contains("Ready to submit?");
    let done = app.post(&format!("/attempts/{id}/submit"), &[]).await;
    assert_eq!(done.location(), format!("/attempts/{id}/result"));
    let report = app.get(&format!("/attempts/{id}/result")).await;
    report
        .assert_status(200)
        .assert_contains("1000")
        .assert_contains("You passed this mock")
        .assert_contains("By skill area")
        .assert_selector("svg")
        .assert_contains("Correct answer")
        .assert_selector(".option-marks li.is-right.is-chosen")
        .assert_contains("An Azure Machine Learning compute cluster with a minimum of 0 nodes Correct answer · Your answer")
        .assert_contains("https://learn.microsoft.com/");
    let (status, reason, scaled) = attempt_status(&pool, id).await;
    assert_eq!(
        (status.as_str(), reason.as_deref(), scaled),
        ("submitted", Some("candidate"), Some(1000))
    );
    app.get("/attempts").await.assert_contains("Report");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn partial_credit_and_blank_answers_are_scored_per_component(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "partial@example.com").await;
    let id = start(&mut app, "ex-100").await;
    // Answer only the multiple-answer item, with one right and one wrong pick.
    let pos: i32 = sqlx::query_scalar(
        "SELECT ai.position FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND qv.body->>'kind' = 'multiple'",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    app.post(
        &format!("/attempts/{id}/items/{pos}"),
        &[
            ("choice", "A"),
            ("choice", "B"),
            ("revision", "0"),
            ("nav", "stay"),
        ],
    )
    .await
    .assert_status(303);
    app.post(&format!("/attempts/{id}/submit"), &[]).await;
    let (points, max): (i32, i32) = sqlx::query_as(
        "SELECT points, max_points FROM attempt_items WHERE attempt_id = $1 AND position = $2",
    )
    .bind(id)
    .bind(pos)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((points, max), (1, 2));
    let total: (i32, i32, bool) =
        sqlx::query_as("SELECT points, max_points, passed FROM attempts WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(total.0, 1);
    assert!(!total.2);
    app.get(&format!("/attempts/{id}/result"))
        .await
        .assert_contains("Partly correct");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn exam_pages_never_contain_the_key_or_explanation(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "integrity@example.com").await;
    let id = start(&mut app, "ex-100").await;
    let mut explanations = Vec::new();
    for n in 1..=10 {
        let (item, _, _) = item_at(&pool, id, n).await;
        let html = app.get(&format!("/attempts/{id}/items/{n}")).await.body;
        // The report names options by the letters this candidate saw.
        let seen =
            mockexam::web::item_view::letters_seen(&item.body, &permutation(&pool, id, n).await);
        let relabelled = mockexam::web::item_view::relabel(&item.explanation, &seen);
        let explanation_start = common::words_of(&relabelled, 8);
        assert!(
            !common::page_text(&html).contains(&explanation_start),
            "item {n} leaks its explanation"
        );
        explanations.push(explanation_start);
        for r in &item.references {
            assert!(
                !html.contains(r.as_str()),
                "item {n} leaks its reference link"
            );
        }
        for marker in ["data-key", "data-correct", "is-correct", "\"key\""] {
            assert!(!html.contains(marker), "item {n} contains {marker}");
        }
        // The correct option carries nothing the others do not: same markup shape for all.
        if let ItemBody::Single { key, options } = &item.body {
            for o in options {
                let needle = format!("name=\"choice\" value=\"{}\"", o.id);
                assert!(html.contains(&needle), "option {} present", o.id);
            }
            let key_input = format!("value=\"{key}\" ");
            assert!(html.contains(&key_input));
        }
        // Saving answers with JSON reveals nothing either.
        let reply = app
            .post_json(&format!("/attempts/{id}/items/{n}"), &[("revision", "0")])
            .await;
        let body = reply.body.to_lowercase();
        assert!(
            !body.contains("correct") && !body.contains("points") && !body.contains("key"),
            "{body}"
        );
    }
    // Not before submission: the result page redirects while the attempt is open.
    let r = app.get(&format!("/attempts/{id}/result")).await;
    r.assert_status(303);
    // After submission every explanation is there: the check above can fail.
    app.post(&format!("/attempts/{id}/submit"), &[]).await;
    let report = common::page_text(&app.get(&format!("/attempts/{id}/result")).await.body);
    for e in &explanations {
        assert!(report.contains(e.as_str()), "the report shows {e:?}");
    }
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn json_save_reports_revision_and_remaining_time(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "json@example.com").await;
    let id = start(&mut app, "ex-100").await;
    let (item, _, _) = item_at(&pool, id, 1).await;
    let mut fields = correct_fields(&item.body);
    fields.push(("revision".into(), "0".into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app
        .post_json(&format!("/attempts/{id}/items/1"), &pairs)
        .await;
    r.assert_status(200);
    let j = r.json();
    assert_eq!(j["saved"], true);
    assert_eq!(j["revision"], 1);
    let remaining = j["remaining_seconds"].as_i64().unwrap();
    assert!((1190..=1200).contains(&remaining), "{remaining}");
    // The page shows the saved answer after a reload.
    let page = app.get(&format!("/attempts/{id}/items/1")).await;
    page.assert_selector("input[name=revision][value='1']");
    assert!(!page.select("input[checked], option[selected]").is_empty());
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_stale_tab_cannot_overwrite_a_newer_answer(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "stale@example.com").await;
    let id = start(&mut app, "ex-100").await;
    let (item, _, _) = item_at(&pool, id, 1).await;
    let correct = correct_fields(&item.body);
    let mut newer: Vec<(&str, &str)> = correct
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    newer.push(("revision", "0"));
    app.post_json(&format!("/attempts/{id}/items/1"), &newer)
        .await
        .assert_status(200);
    // The same save retried (lost reply) is harmless and answers as saved.
    let retry = app
        .post_json(&format!("/attempts/{id}/items/1"), &newer)
        .await;
    retry.assert_status(200);
    assert_eq!(retry.json()["revision"], 1);
    // A second tab still on revision 0 sends a different answer: refused, newer answer kept.
    let stale = app
        .post_json(&format!("/attempts/{id}/items/1"), &[("revision", "0")])
        .await;
    stale.assert_status(409);
    assert!(stale.json()["error"]
        .as_str()
        .unwrap()
        .contains("changed in another tab"));
    let stored: Option<serde_json::Value> = sqlx::query_scalar(
        "SELECT response FROM attempt_items WHERE attempt_id = $1 AND position = 1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        !stored.unwrap().to_string().contains("null,"),
        "newer answer kept"
    );
    let rev: i32 = sqlx::query_scalar(
        "SELECT revision FROM attempt_items WHERE attempt_id = $1 AND position = 1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(rev, 1);
    // Without JavaScript the stale form shows the page again with the message.
    let page = app
        .post(
            &format!("/attempts/{id}/items/1"),
            &[("revision", "0"), ("nav", "next")],
        )
        .await;
    page.assert_status(409)
        .assert_contains("changed in another tab");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_save_after_the_deadline_is_refused_and_the_attempt_scored_with_what_was_saved(
    pool: PgPool,
) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "late@example.com").await;
    let id = start(&mut app, "ex-100").await;
    answer(&mut app, id, 1, "next", true)
        .await
        .assert_status(303);
    // Within the grace period a save still lands (network lag).
    sqlx::query("UPDATE attempts SET deadline_at = now() - interval '3 seconds' WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let (item2, _, _) = item_at(&pool, id, 2).await;
    let mut f2 = correct_fields(&item2.body);
    f2.push(("revision".into(), "0".into()));
    let p2: Vec<(&str, &str)> = f2.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.post_json(&format!("/attempts/{id}/items/2"), &p2)
        .await
        .assert_status(200);
    // After the grace period: refused, and the attempt is finalised with the saved answers.
    sqlx::query("UPDATE attempts SET deadline_at = now() - interval '30 seconds' WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let (item3, _, _) = item_at(&pool, id, 3).await;
    let mut f3 = correct_fields(&item3.body);
    f3.push(("revision".into(), "0".into()));
    let p3: Vec<(&str, &str)> = f3.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let late = app.post_json(&format!("/attempts/{id}/items/3"), &p3).await;
    late.assert_status(409);
    assert!(late.json()["error"]
        .as_str()
        .unwrap()
        .contains("Time is up"));
    assert_eq!(late.json()["redirect"], format!("/attempts/{id}/result"));
    let (status, reason, _) = attempt_status(&pool, id).await;
    assert_eq!(
        (status.as_str(), reason.as_deref()),
        ("submitted", Some("expired"))
    );
    let points: Vec<Option<i32>> = sqlx::query_scalar(
        "SELECT points FROM attempt_items WHERE attempt_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(
        points[0].unwrap() > 0 && points[1].unwrap() > 0,
        "saved answers scored: {points:?}"
    );
    assert_eq!(points[2], Some(0), "the late answer was not stored");
    // A submitted attempt refuses further saves; pages go to the report.
    let again = app
        .post_json(&format!("/attempts/{id}/items/4"), &[("revision", "0")])
        .await;
    again.assert_status(409);
    let page = app.get(&format!("/attempts/{id}/items/4")).await;
    assert_eq!(page.location(), format!("/attempts/{id}/result"));
    app.get(&format!("/attempts/{id}/result"))
        .await
        .assert_contains("Time ran out");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_sweeper_finalises_abandoned_attempts_once(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "abandon@example.com").await;
    let id = start(&mut app, "ex-100").await;
    answer(&mut app, id, 1, "next", true).await;
    let mut other = candidate(&pool, "active@example.com").await;
    let active = start(&mut other, "ex-100").await;
    sqlx::query("UPDATE attempts SET deadline_at = now() - interval '2 minutes' WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    // Two sweepers at once (two app processes): exactly one finalises it.
    let (a, b) = tokio::join!(
        mockexam::engine::sweep(&pool, 10),
        mockexam::engine::sweep(&pool, 10)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1);
    let (status, reason, scaled) = attempt_status(&pool, id).await;
    assert_eq!(
        (status.as_str(), reason.as_deref()),
        ("submitted", Some("swept"))
    );
    assert!(scaled.unwrap() > 1);
    assert_eq!(attempt_status(&pool, active).await.0, "in_progress");
    assert_eq!(mockexam::engine::sweep(&pool, 10).await.unwrap(), 0);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn an_answered_problem_solution_item_cannot_be_revisited(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "series@example.com").await;
    let id = start(&mut app, "ex-100").await;
    let pos = first_position(&pool, id, "series").await;
    let page = app.get(&format!("/attempts/{id}/items/{pos}")).await;
    page.assert_status(200)
        .assert_contains("cannot return to it");
    assert!(
        page.select("button[value=prev]").is_empty(),
        "no Previous button in a series"
    );
    answer(&mut app, id, pos, "next", true)
        .await
        .assert_status(303);
    app.get(&format!("/attempts/{id}/items/{pos}"))
        .await
        .assert_status(409)
        .assert_contains("cannot be reopened");
    let again = app
        .post_json(
            &format!("/attempts/{id}/items/{pos}"),
            &[("answer", "no"), ("revision", "1")],
        )
        .await;
    again.assert_status(409);
    let review = app.get(&format!("/attempts/{id}/review")).await;
    assert!(
        review
            .select(&format!("a[href$='/items/{pos}']"))
            .is_empty(),
        "not listed on the review screen"
    );
    review.assert_contains("problem–solution question(s) closed and not listed");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_problem_solution_answer_is_final_only_once_the_candidate_moves_on(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "series-autosave@example.com").await;
    let id = start(&mut app, "ex-100").await;
    let pos = first_position(&pool, id, "series").await;
    let url = format!("/attempts/{id}/items/{pos}");
    app.get(&url).await.assert_status(200);
    // Autosave (nav=stay) keeps the question open: the candidate may change their mind.
    app.post_json(
        &url,
        &[("answer", "yes"), ("revision", "0"), ("nav", "stay")],
    )
    .await
    .assert_status(200);
    app.post_json(
        &url,
        &[("answer", "no"), ("revision", "1"), ("nav", "stay")],
    )
    .await
    .assert_status(200);
    app.get(&url).await.assert_status(200);
    // Next with the answer already saved moves on and closes it.
    let next = app
        .post(
            &url,
            &[("answer", "no"), ("revision", "2"), ("nav", "next")],
        )
        .await;
    next.assert_status(303);
    assert_eq!(next.location(), format!("/attempts/{id}/items/{}", pos + 1));
    app.get(&url).await.assert_status(409);
    // Pressing Next again on a stale page of the closed question is not an error either.
    let again = app
        .post(
            &url,
            &[("answer", "no"), ("revision", "3"), ("nav", "next")],
        )
        .await;
    assert_eq!(
        again.location(),
        format!("/attempts/{id}/items/{}", pos + 1)
    );
    // An autosaved answer closes when the candidate goes elsewhere by any way.
    let second = format!("/attempts/{id}/items/{}", pos + 1);
    app.post_json(
        &second,
        &[("answer", "yes"), ("revision", "0"), ("nav", "stay")],
    )
    .await
    .assert_status(200);
    app.get(&format!("/attempts/{id}/items/1"))
        .await
        .assert_status(200);
    app.get(&second).await.assert_status(409);
    let (locked, answer): (bool, serde_json::Value) = sqlx::query_as(
        "SELECT locked, response FROM attempt_items WHERE attempt_id = $1 AND position = $2",
    )
    .bind(id)
    .bind(pos)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(locked);
    assert_eq!(answer["answer"], serde_json::json!(false), "{answer}");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_case_study_locks_once_left(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "case@example.com").await;
    let id = start(&mut app, "ex-100").await;
    let pos = first_position(&pool, id, "case").await;
    let page = app.get(&format!("/attempts/{id}/items/{pos}")).await;
    page.assert_status(200)
        .assert_contains("Once you leave this case study you cannot return to it")
        .assert_contains("Fabrikam Retail")
        .assert_contains("Technical details");
    // Moving within the case study is fine.
    app.get(&format!("/attempts/{id}/items/{}", pos + 1))
        .await
        .assert_status(200);
    app.get(&format!("/attempts/{id}/items/{pos}"))
        .await
        .assert_status(200);
    // Leaving it (here: to question 1) closes it.
    app.get(&format!("/attempts/{id}/items/1"))
        .await
        .assert_status(200);
    app.get(&format!("/attempts/{id}/items/{pos}"))
        .await
        .assert_status(409)
        .assert_contains("You left this case study");
    let locked: i64 = sqlx::query_scalar("SELECT count(*) FROM attempt_items WHERE attempt_id = $1 AND section_kind = 'case' AND locked")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(locked, 2);
    app.post_json(
        &format!("/attempts/{id}/items/{pos}"),
        &[("choice", "B"), ("revision", "0")],
    )
    .await
    .assert_status(409);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn another_users_attempt_is_not_found(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut owner = candidate(&pool, "owner@example.com").await;
    let id = start(&mut owner, "ex-100").await;
    let mut intruder = candidate(&pool, "intruder@example.com").await;
    for path in [
        format!("/attempts/{id}"),
        format!("/attempts/{id}/items/1"),
        format!("/attempts/{id}/review"),
        format!("/attempts/{id}/result"),
        format!("/attempts/{id}/status"),
    ] {
        intruder.get(&path).await.assert_status(404);
    }
    intruder
        .post_json(
            &format!("/attempts/{id}/items/1"),
            &[("revision", "0"), ("choice", "A")],
        )
        .await
        .assert_status(404);
    intruder
        .post(&format!("/attempts/{id}/submit"), &[])
        .await
        .assert_status(404);
    assert_eq!(attempt_status(&pool, id).await.0, "in_progress");
    let saved: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM attempt_items WHERE attempt_id = $1 AND response IS NOT NULL",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(saved, 0);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn starting_again_offers_to_resume(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "resume@example.com").await;
    let id = start(&mut app, "ex-100").await;
    let again = app.post("/exams/ex-100/attempts", &[]).await;
    again
        .assert_status(409)
        .assert_contains("Resume it")
        .assert_selector(&format!("a[href='/attempts/{id}']"));
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM attempts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
    app.get("/")
        .await
        .assert_contains("Pick up where you left off");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_bank_too_small_for_the_blueprint_names_the_short_domain(pool: PgPool) {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("question-bank/example");
    let dir = std::env::temp_dir().join(format!("mockexam-small-{}", Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("questions")).unwrap();
    let bp = std::fs::read_to_string(src.join("exam.toml")).unwrap();
    std::fs::write(
        dir.join("exam.toml"),
        bp.replace("question_count = 10", "question_count = 20"),
    )
    .unwrap();
    for f in ["standalone.md", "series-and-case.md"] {
        std::fs::copy(src.join("questions").join(f), dir.join("questions").join(f)).unwrap();
    }
    mockexam::bank::import_dir(&pool, &dir).await.unwrap();
    let mut app = candidate(&pool, "small@example.com").await;
    let r = app.post("/exams/ex-100/attempts", &[]).await;
    r.assert_status(422)
        .assert_contains("A mock cannot be built from this bank yet");
    assert!(
        r.text().contains("Prepare data") || r.text().contains("Train and deploy models"),
        "{}",
        r.body
    );
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM attempts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn invalid_answers_get_a_clear_message_and_change_nothing(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "invalid@example.com").await;
    let id = start(&mut app, "ex-100").await;
    let pos: i32 = sqlx::query_scalar(
        "SELECT ai.position FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND qv.body->>'kind' = 'multiple'",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let r = app
        .post(
            &format!("/attempts/{id}/items/{pos}"),
            &[
                ("choice", "A"),
                ("choice", "B"),
                ("choice", "C"),
                ("revision", "0"),
                ("nav", "next"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("choose exactly 2; you selected 3");
    let r = app
        .post_json(
            &format!("/attempts/{id}/items/{pos}"),
            &[("choice", "Z"), ("revision", "0")],
        )
        .await;
    r.assert_status(422);
    let saved: Option<serde_json::Value> = sqlx::query_scalar(
        "SELECT response FROM attempt_items WHERE attempt_id = $1 AND position = $2",
    )
    .bind(id)
    .bind(pos)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(saved.is_none());
}

// ---- guards found by review

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn looking_at_the_clock_does_not_cancel_the_grace_period(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "grace@example.com").await;
    let id = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    sqlx::query("UPDATE attempts SET deadline_at = now() - interval '2 seconds' WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .unwrap();
    let status = app.get_json(&format!("/attempts/{id}/status")).await.json();
    assert_eq!(status["expired"], true);
    assert_eq!(status["remaining_seconds"], 0);
    app.get(&format!("/attempts/{id}/items/1"))
        .await
        .assert_status(200);
    // An answer still in flight lands…
    app.post_json(
        &format!("/attempts/{id}/items/2"),
        &[("revision", "0"), ("flagged", "true")],
    )
    .await
    .assert_status(200);
    // …and the page's own submit closes the attempt as expired.
    app.post(&format!("/attempts/{id}/submit"), &[])
        .await
        .assert_status(303);
    let reason: String = sqlx::query_scalar("SELECT submit_reason FROM attempts WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(reason, "expired");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn answering_outside_an_open_case_study_closes_it(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "case2@example.com").await;
    let id = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    let case = common::first_position(&pool, id, "case").await;
    app.get(&format!("/attempts/{id}/items/{case}"))
        .await
        .assert_status(200);
    // A save to question 1 from another tab, without opening it.
    app.post_json(
        &format!("/attempts/{id}/items/1"),
        &[("revision", "0"), ("flagged", "true")],
    )
    .await
    .assert_status(200);
    app.get(&format!("/attempts/{id}/items/{case}"))
        .await
        .assert_status(409);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_mistyped_position_locks_nothing(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "typo@example.com").await;
    let id = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    let series = common::first_position(&pool, id, "series").await;
    app.get(&format!("/attempts/{id}/items/{series}"))
        .await
        .assert_status(200);
    app.post_json(
        &format!("/attempts/{id}/items/{series}"),
        &[("answer", "yes"), ("revision", "0")],
    )
    .await
    .assert_status(200);
    app.get(&format!("/attempts/{id}/items/9999"))
        .await
        .assert_status(404);
    // Still the question on screen: its answer may change until the candidate moves on.
    app.get(&format!("/attempts/{id}/items/{series}"))
        .await
        .assert_status(200);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn malformed_addresses_get_a_page_not_plain_text(pool: PgPool) {
    let mut app = candidate(&pool, "badurl@example.com").await;
    for path in [
        "/attempts/not-a-uuid",
        "/attempts/00000000-0000-0000-0000-000000000000/items/abc",
    ] {
        let r = app.get(path).await;
        assert!(r.status.is_client_error(), "{path}: {}", r.status);
        r.assert_selector(".site-header")
            .assert_contains("does not lead to a page");
    }
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn renaming_an_objective_breaks_no_attempt(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "renamed@example.com").await;
    let id = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    // A later blueprint no longer has the objective these question versions name.
    sqlx::query("UPDATE objectives SET code = 'models.renamed' WHERE code = 'models.train'")
        .execute(&pool)
        .await
        .unwrap();
    for n in 1..=10 {
        let r = app.get(&format!("/attempts/{id}/items/{n}")).await;
        assert!(r.status == 200 || r.status == 409, "item {n}: {}", r.status);
    }
    common::abandon(&pool, id).await;
    assert_eq!(mockexam::engine::sweep(&pool, 10).await.unwrap(), 1);
    app.get(&format!("/attempts/{id}/result"))
        .await
        .assert_status(200);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn no_save_lands_while_an_attempt_is_being_closed(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "race@example.com").await;
    let id = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    // A finaliser holds the attempt…
    let mut closing = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM attempts WHERE id = $1 FOR UPDATE")
        .bind(id)
        .execute(&mut *closing)
        .await
        .unwrap();
    // …while an autosave arrives: it waits instead of slipping in between scoring and closing.
    let mut tab = app.other_browser();
    tab.cookie = app.cookie.clone();
    let save = tokio::spawn(async move {
        tab.post_json(
            &format!("/attempts/{id}/items/1"),
            &[("revision", "0"), ("flagged", "true")],
        )
        .await
        .status
        .as_u16()
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!save.is_finished(), "the save waits for the finaliser");
    sqlx::query("UPDATE attempts SET status = 'submitted', submitted_at = now(), submit_reason = 'candidate' WHERE id = $1")
        .bind(id)
        .execute(&mut *closing)
        .await
        .unwrap();
    closing.commit().await.unwrap();
    assert_eq!(
        save.await.unwrap(),
        409,
        "refused once it sees the attempt closed"
    );
    let flagged: bool = sqlx::query_scalar(
        "SELECT flagged FROM attempt_items WHERE attempt_id = $1 AND position = 1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(!flagged);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn submit_waits_for_a_save_in_flight_instead_of_skipping(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "wait@example.com").await;
    let id = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    let mut saving = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM attempts WHERE id = $1 FOR SHARE")
        .bind(id)
        .execute(&mut *saving)
        .await
        .unwrap();
    let mut tab = app.other_browser();
    tab.cookie = app.cookie.clone();
    let submit = tokio::spawn(async move {
        tab.post(&format!("/attempts/{id}/submit"), &[])
            .await
            .status
            .as_u16()
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!submit.is_finished());
    saving.commit().await.unwrap();
    assert_eq!(submit.await.unwrap(), 303);
    let status: String = sqlx::query_scalar("SELECT status FROM attempts WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "submitted");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_catalogue_offers_ai300_first_and_dp100_points_to_it(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    common::import_bank(&pool, "question-bank/ai-300").await;
    let mut app = TestApp::new(pool.clone());
    let catalogue = app.get("/exams").await;
    catalogue.assert_status(200);
    let titles: Vec<String> = catalogue
        .select(".card h2 a")
        .iter()
        .map(|a| a.text().collect::<String>())
        .collect();
    assert_eq!(
        titles,
        vec![
            "Operationalizing Machine Learning and Generative AI Solutions",
            "Designing and Implementing a Data Science Solution on Azure",
        ],
        "the exam candidates can book comes first"
    );
    catalogue.assert_contains("Retired on 2026-06-01; replaced by AI-300");
    let dp100 = app.get("/exams/dp-100").await;
    dp100
        .assert_status(200)
        .assert_contains("Microsoft retired DP-100 on 2026-06-01. Its successor is AI-300")
        .assert_selector("a[href='/exams/ai-300']")
        .assert_contains("Open book");
    let ai300 = app.get("/exams/ai-300").await;
    ai300.assert_status(200);
    assert!(!ai300.text().contains("retired"), "AI-300 is current");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_problem_solution_question_closes_once_seen_and_left_even_unanswered(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "readahead@example.com").await;
    let id = start(&mut app, "ex-100").await;
    let pos = first_position(&pool, id, "series").await;
    let url = format!("/attempts/{id}/items/{pos}");
    app.get(&url)
        .await
        .assert_status(200)
        .assert_contains("answered or not");
    // Read ahead to the next question without answering, then try to come back.
    app.get(&format!("/attempts/{id}/items/{}", pos + 1))
        .await
        .assert_status(200);
    app.get(&url)
        .await
        .assert_status(409)
        .assert_contains("cannot be reopened");
    let review = app.get(&format!("/attempts/{id}/review")).await;
    assert!(review
        .select(&format!("a[href$='/items/{pos}']"))
        .is_empty());
    review.assert_contains("problem–solution question(s) closed and not listed");
    // Only questions the candidate saw close: an unseen one in another attempt stays open.
    let mut other = candidate(&pool, "readahead2@example.com").await;
    let other_id = start(&mut other, "ex-100").await;
    other
        .get(&format!("/attempts/{other_id}/items/{}", pos - 1))
        .await;
    other.get(&format!("/attempts/{other_id}/review")).await;
    let closed: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM attempt_items WHERE attempt_id = $1 AND section_kind = 'series' AND locked",
    )
    .bind(other_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(closed, 0, "series questions never opened stay open");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn an_error_inside_an_attempt_leads_back_to_it(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "deadend@example.com").await;
    let id = start(&mut app, "ex-100").await;
    let case = first_position(&pool, id, "case").await;
    app.get(&format!("/attempts/{id}/items/{case}")).await;
    app.get(&format!("/attempts/{id}/review")).await;
    // The case study was left: its question answers 409, in the layout, with a way back.
    let closed = app.get(&format!("/attempts/{id}/items/{case}")).await;
    closed
        .assert_status(409)
        .assert_contains("Return to your attempt")
        .assert_selector(&format!("a.button[href='/attempts/{id}']"));
    // So does a position that does not exist.
    app.get(&format!("/attempts/{id}/items/999"))
        .await
        .assert_status(404)
        .assert_selector(&format!("a[href='/attempts/{id}']"));
    // Outside attempts the error page offers the home page and the catalogue only.
    let elsewhere = app.get("/exams/no-such-exam").await;
    elsewhere.assert_status(404);
    assert!(elsewhere.select("a[href^='/attempts/']").is_empty());
}

// ---- the real exam's interface

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn instructions_come_before_the_clock_starts(pool: PgPool) {
    common::import_bank(&pool, "question-bank/ai-300").await;
    let mut app = candidate(&pool, "instructions@example.com").await;
    let exam = app.get("/exams/ai-300").await;
    exam.assert_selector("a[href='/exams/ai-300/instructions']");
    let page = app.get("/exams/ai-300/instructions").await;
    page.assert_status(200)
        .assert_contains("Before you start")
        .assert_contains("50")
        .assert_contains("100 minutes")
        .assert_contains("you cannot return to it")
        .assert_contains("Breaks.")
        .assert_contains("Microsoft Learn.")
        .assert_selector("form[action='/exams/ai-300/attempts'] button");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM attempts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0, "reading the instructions starts nothing");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_mock_started_by_mistake_can_be_discarded_and_counts_nowhere(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "discard@example.com").await;
    let id = start(&mut app, "ex-100").await;
    let (item, _, _) = item_at(&pool, id, 1).await;
    answer(&mut app, id, 1, "stay", true).await;
    let _ = item;
    let confirm = app.get(&format!("/attempts/{id}/discard")).await;
    confirm
        .assert_status(200)
        .assert_contains("count nowhere")
        .assert_selector(&format!("form[action='/attempts/{id}/discard'] button"));
    // Someone else cannot discard it.
    let mut other = candidate(&pool, "notmine@example.com").await;
    other
        .post(&format!("/attempts/{id}/discard"), &[])
        .await
        .assert_status(404);
    let r = app.post(&format!("/attempts/{id}/discard"), &[]).await;
    r.assert_status(303);
    assert_eq!(r.location(), "/exams/ex-100?discarded=1");
    app.get(r.location())
        .await
        .assert_contains("Your mock was discarded");
    for table in ["attempts", "attempt_items", "review_schedule"] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(n, 0, "{table} holds nothing of the discarded mock");
    }
    assert!(!app
        .get("/attempts")
        .await
        .text()
        .contains("EX-100 full mock"));
    // A new mock starts at once; a submitted one cannot be discarded.
    let next = start(&mut app, "ex-100").await;
    app.post(&format!("/attempts/{next}/submit"), &[]).await;
    app.post(&format!("/attempts/{next}/discard"), &[])
        .await
        .assert_status(409);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn feedback_is_stored_for_instructors_and_shown_after_submission(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "feedback@example.com").await;
    let id = start(&mut app, "ex-100").await;
    let (item, revision, _) = item_at(&pool, id, 2).await;
    let _ = revision;
    // During the exam, with the answer form (JavaScript off keeps the answer too).
    let mut fields = correct_fields(&item.body);
    fields.push(("revision".into(), "0".into()));
    fields.push(("nav".into(), "next".into()));
    fields.push((
        "feedback".into(),
        "  The stem says 40 GB but the table says 4 GB.  ".into(),
    ));
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    app.post(&format!("/attempts/{id}/items/2"), &borrowed)
        .await
        .assert_status(303);
    let (body, answered): (String, bool) = sqlx::query_as(
        "SELECT f.body, ai.answered_at IS NOT NULL FROM item_feedback f
         JOIN attempt_items ai ON ai.attempt_id = f.attempt_id AND ai.position = f.position
         WHERE f.attempt_id = $1 AND f.position = 2",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(body, "The stem says 40 GB but the table says 4 GB.");
    assert!(answered, "the answer was saved with the feedback");
    app.post(&format!("/attempts/{id}/submit"), &[]).await;
    let report = app.get(&format!("/attempts/{id}/result")).await;
    report
        .assert_contains("Your feedback")
        .assert_contains("The stem says 40 GB but the table says 4 GB.");
    // From the report: "Report a problem", and an empty report changes nothing.
    app.post(
        &format!("/attempts/{id}/items/3/feedback"),
        &[("feedback", " ")],
    )
    .await
    .assert_status(400);
    let r = app
        .post(
            &format!("/attempts/{id}/items/3/feedback"),
            &[("feedback", "Option C is also right.")],
        )
        .await;
    r.assert_status(303);
    app.get(r.location())
        .await
        .assert_contains("your report was saved");
    // Another candidate cannot write on this attempt.
    let mut other = candidate(&pool, "feedback2@example.com").await;
    other
        .post(
            &format!("/attempts/{id}/items/3/feedback"),
            &[("feedback", "x")],
        )
        .await
        .assert_status(404);
    // Instructors read it with the question.
    let q3 = item_at(&pool, id, 3).await.0.id;
    let mut instructor = TestApp::new(pool.clone());
    common::signed_in_as(&mut instructor, "teacher@example.com", "instructor").await;
    instructor
        .get(&format!("/author/exams/ex-100/questions/{q3}"))
        .await
        .assert_contains("Option C is also right.");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_break_closes_every_question_seen_and_the_clock_keeps_running(pool: PgPool) {
    common::import_bank(&pool, "question-bank/ai-300").await;
    let mut app = candidate(&pool, "break@example.com").await;
    let id = start(&mut app, "ai-300").await;
    for n in 1..=3 {
        app.get(&format!("/attempts/{id}/items/{n}"))
            .await
            .assert_status(200);
    }
    let page = app.get(&format!("/attempts/{id}/items/3")).await;
    page.assert_selector("button[name=nav][value=break]")
        .assert_selector("a[href='https://learn.microsoft.com/'][target=_blank]");
    let (before,): (time::OffsetDateTime,) =
        sqlx::query_as("SELECT deadline_at FROM attempts WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    let r = app
        .post(
            &format!("/attempts/{id}/items/3"),
            &[("revision", "0"), ("nav", "break")],
        )
        .await;
    assert_eq!(r.location(), format!("/attempts/{id}/break?from=3"));
    app.get(r.location())
        .await
        .assert_contains("Every question you have seen so far closes");
    app.post(&format!("/attempts/{id}/break"), &[("from", "3")])
        .await
        .assert_status(200)
        .assert_contains("3 question(s) you had seen are now closed");
    for n in 1..=3 {
        app.get(&format!("/attempts/{id}/items/{n}"))
            .await
            .assert_status(409);
    }
    app.get(&format!("/attempts/{id}/items/4"))
        .await
        .assert_status(200);
    let (after, breaks): (time::OffsetDateTime, i32) =
        sqlx::query_as("SELECT deadline_at, breaks_taken FROM attempts WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(before, after, "the clock keeps running");
    assert_eq!(breaks, 1);
    // No break inside a problem–solution set.
    let series = first_position(&pool, id, "series").await;
    app.get(&format!("/attempts/{id}/items/{series}")).await;
    app.post(
        &format!("/attempts/{id}/break"),
        &[("from", &series.to_string())],
    )
    .await
    .assert_contains("no break inside a problem–solution set");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_navigator_and_review_filters_show_answered_unanswered_and_marked(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "navigator@example.com").await;
    let id = start(&mut app, "ex-100").await;
    answer(&mut app, id, 1, "stay", true).await;
    app.post(
        &format!("/attempts/{id}/items/2"),
        &[("revision", "0"), ("flagged", "on"), ("nav", "stay")],
    )
    .await;
    let page = app.get(&format!("/attempts/{id}/items/3")).await;
    page.assert_selector("nav.question-nav [aria-current=step]")
        .assert_selector("nav.question-nav button[name=goto][value='1'].is-answered")
        .assert_selector("nav.question-nav button[name=goto][value='2'].is-flagged");
    // Choosing a question in the navigator saves and goes there.
    let r = app
        .post(
            &format!("/attempts/{id}/items/3"),
            &[("revision", "0"), ("goto", "1")],
        )
        .await;
    assert_eq!(r.location(), format!("/attempts/{id}/items/1"));
    let marked = app.get(&format!("/attempts/{id}/review?show=marked")).await;
    marked.assert_selector(&format!("a[href='/attempts/{id}/items/2']"));
    assert!(marked
        .select(&format!("a[href='/attempts/{id}/items/1']"))
        .is_empty());
    let unanswered = app
        .get(&format!("/attempts/{id}/review?show=unanswered"))
        .await;
    assert!(unanswered
        .select(&format!("a[href='/attempts/{id}/items/1']"))
        .is_empty());
    unanswered.assert_selector(&format!("a[href='/attempts/{id}/items/3']"));
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn question_pages_use_the_focused_exam_layout(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "focus@example.com").await;
    let id = start(&mut app, "ex-100").await;
    for path in [
        format!("/attempts/{id}/items/1"),
        format!("/attempts/{id}/review"),
    ] {
        app.get(&path).await.assert_selector("body.exam-mode");
    }
    app.get("/exams/ex-100").await;
    assert!(app.get("/").await.select("body.exam-mode").is_empty());
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn ruled_out_options_are_saved_with_the_answer(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "ruleout@example.com").await;
    let id = start(&mut app, "ex-100").await;
    let (pos, key) = {
        let mut found = None;
        for n in 1..=10 {
            let (item, _, _) = item_at(&pool, id, n).await;
            if let ItemBody::Single { key, .. } = item.body {
                found = Some((n, key));
                break;
            }
        }
        found.expect("a single-answer question")
    };
    let url = format!("/attempts/{id}/items/{pos}");
    let other = if key == "A" { "B" } else { "A" };
    app.post_json(
        &url,
        &[
            ("revision", "0"),
            ("ruled_out", other),
            ("ruled_out", "not-an-option"),
        ],
    )
    .await
    .assert_status(200);
    let stored: serde_json::Value = sqlx::query_scalar(
        "SELECT ruled_out FROM attempt_items WHERE attempt_id = $1 AND position = $2",
    )
    .bind(id)
    .bind(pos)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        stored,
        serde_json::json!([other]),
        "unknown ids are dropped"
    );
    let page = app.get(&url).await;
    page.assert_selector(&format!("input[name=ruled_out][value='{other}'][checked]"));
    assert!(page
        .select(&format!("input[name=ruled_out][value='{key}'][checked]"))
        .is_empty());
    // Ruling out is not answering.
    let answered: bool = sqlx::query_scalar(
        "SELECT answered_at IS NOT NULL FROM attempt_items WHERE attempt_id = $1 AND position = $2",
    )
    .bind(id)
    .bind(pos)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(!answered);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn pages_go_gzipped_to_browsers_and_small_replies_as_they_are(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "gzip@example.com").await;
    let id = start(&mut app, "ex-100").await;
    // What every current browser asks for: the page comes gzipped (never brotli, whose CPU cost
    // is about five times gzip's fastest level for a kilobyte less).
    let req = app
        .builder("GET", &format!("/attempts/{id}/items/1"))
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .body(axum::body::Body::empty())
        .unwrap();
    let page = app.send(req).await;
    page.assert_status(200);
    assert_eq!(
        page.headers
            .get("content-encoding")
            .map(|v| v.to_str().unwrap()),
        Some("gzip")
    );
    // The body was read as (lossy) text by the helper; fetch the bytes again to inflate them.
    let req = app
        .builder("GET", &format!("/attempts/{id}/items/1"))
        .header("accept-encoding", "gzip")
        .body(axum::body::Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(app.router.clone(), req)
        .await
        .unwrap();
    let bytes = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    let mut html = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut html)
        .unwrap();
    assert!(html.contains("Question 1 of"), "{html}");
    // An autosave's reply is a few bytes of JSON: sent as it is.
    let rev = html
        .split("name=\"revision\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let req = app
        .builder("POST", &format!("/attempts/{id}/items/1"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .header("origin", "http://localhost")
        .header("sec-fetch-site", "same-origin")
        .body(axum::body::Body::from(format!("revision={rev}&flagged=on")))
        .unwrap();
    let saved = app.send(req).await;
    saved.assert_status(200);
    assert!(saved.headers.get("content-encoding").is_none());
    assert_eq!(saved.json()["saved"], true, "{}", saved.body);
}

/// Posts an item's form as the page would (`json`: the autosave's fetch).
async fn post_item(
    app: &mut TestApp,
    id: Uuid,
    n: i32,
    fields: &[(String, String)],
    json: bool,
) -> TestResponse {
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let path = format!("/attempts/{id}/items/{n}");
    if json {
        app.post_json(&path, &refs).await
    } else {
        app.post(&path, &refs).await
    }
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn moving_on_from_an_autosaved_answer_writes_it_no_second_time(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "moveon@example.com").await;
    let id = start(&mut app, "ex-100").await;
    let n = first_position(&pool, id, "standalone").await;
    let (item, _, _) = item_at(&pool, id, n).await;
    let answer = correct_fields(&item.body);
    let form = |revision: &str, nav: Option<&str>, answer: &[(String, String)]| {
        let mut fields = answer.to_vec();
        fields.push(("revision".into(), revision.into()));
        if let Some(nav) = nav {
            fields.push(("nav".into(), nav.into()));
        }
        fields
    };

    // The browser's autosave stores the answer while the candidate works…
    let r = post_item(&mut app, id, n, &form("0", None, &answer), true).await;
    r.assert_status(200);
    assert_eq!(r.json()["revision"], 1);

    // …then the Next button posts the same form: the candidate moves on, nothing is rewritten.
    let r = post_item(&mut app, id, n, &form("1", Some("next"), &answer), false).await;
    r.assert_status(303);
    assert!(
        r.location().starts_with(&format!("/attempts/{id}/items/"))
            && !r.location().ends_with(&format!("/items/{n}")),
        "moved on: {}",
        r.location()
    );
    let (_, revision, _) = item_at(&pool, id, n).await;
    assert_eq!(revision, 1, "the stored answer was not written again");
    let page = app.get(&format!("/attempts/{id}/items/{n}")).await;
    page.assert_selector("input[name=revision][value='1']");
    assert!(
        !page.select("input[checked], option[selected]").is_empty(),
        "the answer is still there"
    );

    // A different answer on the way out is written as always.
    post_item(&mut app, id, n, &form("1", Some("next"), &[]), false)
        .await
        .assert_status(303);
    let (_, revision, _) = item_at(&pool, id, n).await;
    assert_eq!(revision, 2, "a changed answer is saved");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn moving_on_still_writes_where_the_move_means_more_than_the_answer(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "moveon2@example.com").await;

    // A case study open in another tab: Next from a question outside it, with nothing new to
    // save, still leaves (and closes) the case study.
    let id = start(&mut app, "ex-100").await;
    let case = first_position(&pool, id, "case").await;
    app.get(&format!("/attempts/{id}/items/{case}"))
        .await
        .assert_status(200);
    let n = first_position(&pool, id, "standalone").await;
    let form = [
        ("revision".to_string(), "0".to_string()),
        ("nav".into(), "next".into()),
    ];
    post_item(&mut app, id, n, &form, false)
        .await
        .assert_status(303);
    app.get(&format!("/attempts/{id}/items/{case}"))
        .await
        .assert_status(409);

    // An untimed practice set (once the mock, whose questions practice may not show, is
    // discarded): coming back to an answered question and moving on counts as answering it
    // then (activity and readiness read when), so it is written.
    app.post(&format!("/attempts/{id}/discard"), &[])
        .await
        .assert_status(303);
    let set = attempt_id(
        app.post("/practice/ex-100", &[("size", "10"), ("which", "any")])
            .await
            .location(),
    );
    let (item, _, _) = item_at(&pool, set, 1).await;
    let mut fields = correct_fields(&item.body);
    fields.push(("revision".into(), "0".into()));
    post_item(&mut app, set, 1, &fields, true)
        .await
        .assert_status(200);
    fields.retain(|(k, _)| k != "revision");
    fields.push(("revision".into(), "1".into()));
    fields.push(("nav".into(), "next".into()));
    post_item(&mut app, set, 1, &fields, false)
        .await
        .assert_status(303);
    let (_, revision, _) = item_at(&pool, set, 1).await;
    assert_eq!(
        revision, 2,
        "a practice answer is written when the candidate moves on"
    );
}
