//! Practice sets, spaced review and the readiness report, through the real router.

use crate::helpers as common;
use common::{attempt_id, candidate, question_at};
use sqlx::PgPool;
use uuid::Uuid;

async fn single_item(pool: &PgPool, attempt: Uuid) -> (i32, String, String, Uuid) {
    // A single-answer item: its key and one wrong option.
    let (pos, body, qid): (i32, sqlx::types::Json<mockexam::domain::item::Item>, Uuid) =
        sqlx::query_as(
            "SELECT ai.position, qv.body, qv.question_id FROM attempt_items ai
         JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND qv.body->>'kind' = 'single' ORDER BY ai.position LIMIT 1",
        )
        .bind(attempt)
        .fetch_one(pool)
        .await
        .unwrap();
    match &body.0.body {
        mockexam::domain::item::ItemBody::Single { options, key } => {
            let wrong = options.iter().find(|o| &o.id != key).unwrap().id.clone();
            (pos, key.clone(), wrong, qid)
        }
        _ => unreachable!(),
    }
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn practice_feedback_appears_only_after_answering(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    let mut app = candidate(&pool, "fb@example.com").await;
    app.get("/practice/dp-100")
        .await
        .assert_status(200)
        .assert_contains("Number of questions");
    let r = app
        .post(
            "/practice/dp-100",
            &[("domain", "train-deploy"), ("size", "12"), ("which", "any")],
        )
        .await;
    r.assert_status(303);
    let id = attempt_id(r.location());
    let (mode, deadline): (String, Option<time::OffsetDateTime>) =
        sqlx::query_as("SELECT mode, deadline_at FROM attempts WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(mode, "practice");
    assert!(deadline.is_none(), "untimed unless asked");
    let domains: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT o.domain_code FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
         JOIN questions q ON q.id = qv.question_id JOIN objectives o ON o.exam_id = q.exam_id AND o.code = q.objective_code
         WHERE ai.attempt_id = $1",
    )
    .bind(id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(domains, vec!["train-deploy".to_string()]);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM attempt_items WHERE attempt_id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 12);

    // Checking before answering is refused with a message; nothing is revealed.
    let item: (sqlx::types::Json<mockexam::domain::item::Item>,) = sqlx::query_as(
        "SELECT qv.body FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id WHERE ai.attempt_id = $1 AND ai.position = 1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let explanation = common::words_of(&item.0 .0.explanation, 8);
    let page = app.get(&format!("/attempts/{id}/items/1")).await;
    page.assert_status(200).assert_contains("Check answer");
    assert!(!common::page_text(&page.body).contains(&explanation));
    let early = app
        .post(&format!("/attempts/{id}/items/1/check"), &[])
        .await;
    early
        .assert_status(422)
        .assert_contains("Answer the question first");
    assert!(!common::page_text(&early.body).contains(&explanation));

    // Answer (wrongly, to be sure feedback says so) and check: answer, key and explanation appear.
    let (pos, key, wrong, _) = single_item(&pool, id).await;
    let _ = key;
    let r = app
        .post(
            &format!("/attempts/{id}/items/{pos}"),
            &[
                ("choice", wrong.as_str()),
                ("revision", "0"),
                ("nav", "check"),
            ],
        )
        .await;
    r.assert_status(303);
    let shown = app.get(&format!("/attempts/{id}/items/{pos}")).await;
    shown
        .assert_status(200)
        .assert_contains("Not quite")
        .assert_contains("Correct answer")
        .assert_contains("Learn more");
    // Once checked, the answer is final.
    app.post_json(
        &format!("/attempts/{id}/items/{pos}"),
        &[("choice", key.as_str()), ("revision", "1")],
    )
    .await
    .assert_status(409);
    // The set is listed apart from full mocks.
    let list = app.get("/attempts").await;
    let practice_section = list.body.split("Practice sets").nth(1).unwrap();
    assert!(practice_section.contains("DP-100 practice"));
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_full_mock_never_reveals_answers_early(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "nomock@example.com").await;
    let id = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    let (pos, key, _, _) = single_item(&pool, id).await;
    let r = app
        .post(
            &format!("/attempts/{id}/items/{pos}"),
            &[
                ("choice", key.as_str()),
                ("revision", "0"),
                ("nav", "check"),
            ],
        )
        .await;
    r.assert_status(303);
    let page = app.get(&format!("/attempts/{id}/items/{pos}")).await;
    assert!(!page.text().contains("Correct answer") && !page.text().contains("Learn more"));
    assert!(!page.text().contains("Check answer"));
    app.post(&format!("/attempts/{id}/items/{pos}/check"), &[])
        .await
        .assert_status(400);
    let checked: bool = sqlx::query_scalar(
        "SELECT checked FROM attempt_items WHERE attempt_id = $1 AND position = $2",
    )
    .bind(id)
    .bind(pos)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(!checked);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn wrong_answers_are_scheduled_for_spaced_review(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "leitner@example.com").await;
    let id = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    let (pos, key, wrong, qid) = single_item(&pool, id).await;
    app.post(
        &format!("/attempts/{id}/items/{pos}"),
        &[
            ("choice", wrong.as_str()),
            ("revision", "0"),
            ("nav", "stay"),
        ],
    )
    .await
    .assert_status(303);
    app.post(&format!("/attempts/{id}/submit"), &[]).await;
    let (box_no, due_in): (i16, f64) = sqlx::query_as(
        "SELECT box, EXTRACT(EPOCH FROM due_at - now())::float8 FROM review_schedule WHERE question_id = $1",
    )
    .bind(qid)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(box_no, 0);
    assert!(
        (86_000.0..=86_400.0).contains(&due_in),
        "due in a day: {due_in}"
    );
    // Only answered items are scheduled; unanswered ones are not evidence of a wrong answer.
    let scheduled: i64 = sqlx::query_scalar("SELECT count(*) FROM review_schedule")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(scheduled, 1);

    // Nothing is due yet; a day later it is, and "Review due (1)" starts a set of it.
    app.get("/practice/ex-100").await.assert_status(200);
    assert!(!app
        .get("/practice/ex-100")
        .await
        .body
        .contains("Review due ("));
    sqlx::query("UPDATE review_schedule SET due_at = now() - interval '1 minute'")
        .execute(&pool)
        .await
        .unwrap();
    app.get("/practice/ex-100")
        .await
        .assert_contains("Due for review (1)");
    let r = app.post("/practice/ex-100/due", &[]).await;
    r.assert_status(303);
    let set = attempt_id(r.location());
    let items: Vec<Uuid> = sqlx::query_scalar(
        "SELECT qv.question_id FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id WHERE ai.attempt_id = $1",
    )
    .bind(set)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(items, vec![qid]);
    // Right this time, checked: it moves up to box 1, due in 3 days.
    app.post(
        &format!("/attempts/{set}/items/1"),
        &[
            ("choice", key.as_str()),
            ("revision", "0"),
            ("nav", "check"),
        ],
    )
    .await
    .assert_status(303);
    let (box_no, due_in): (i16, f64) = sqlx::query_as(
        "SELECT box, EXTRACT(EPOCH FROM due_at - now())::float8 FROM review_schedule WHERE question_id = $1",
    )
    .bind(qid)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(box_no, 1);
    assert!(
        (3.0 * 86_400.0 - 60.0..=3.0 * 86_400.0).contains(&due_in),
        "{due_in}"
    );
    // Submitting the set does not count the same answer twice.
    app.post(&format!("/attempts/{set}/submit"), &[]).await;
    let box_after: i16 =
        sqlx::query_scalar("SELECT box FROM review_schedule WHERE question_id = $1")
            .bind(qid)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(box_after, 1);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn practice_input_is_validated(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    let mut app = candidate(&pool, "valid@example.com").await;
    app.post("/practice/dp-100", &[("size", "3")])
        .await
        .assert_status(422)
        .assert_contains("Choose a size from 5 to 60");
    app.post("/practice/dp-100", &[("size", "abc")])
        .await
        .assert_status(422);
    app.post(
        "/practice/dp-100",
        &[("size", "10"), ("objective", "no.such")],
    )
    .await
    .assert_status(422)
    .assert_contains("is not an objective");
    app.post("/practice/dp-100", &[("size", "10"), ("which", "marked")])
        .await
        .assert_status(422)
        .assert_contains("No question matches");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM attempts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
    // A timed set gets the exam's pace: 100 min / 50 questions = 120 s a question.
    let r = app
        .post(
            "/practice/dp-100",
            &[("size", "10"), ("timed", "on"), ("objective", "rag.data")],
        )
        .await;
    r.assert_status(303);
    let secs: f64 = sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM deadline_at - started_at)::float8 FROM attempts",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let items: i64 = sqlx::query_scalar("SELECT count(*) FROM attempt_items")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(secs as i64, 120 * items);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn readiness_with_no_data_explains_what_is_needed(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    let mut app = candidate(&pool, "empty@example.com").await;
    let r = app.get("/readiness/dp-100").await;
    r.assert_status(200)
        .assert_contains("How ready are you for DP-100?")
        .assert_contains("Take a full mock")
        .assert_contains("No full mock yet")
        .assert_contains("Take a full mock to measure your pace.");
    assert!(!r
        .body
        .contains("Chance of passing a fresh DP-100 form today</h2>\n  <p class=\"big-figure\">"));
    app.get("/").await.assert_contains("to get a pass estimate");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn readiness_reports_pass_chance_trend_weak_objectives_and_target(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    let mut app = candidate(&pool, "ready@example.com").await;
    let user: mockexam::types::UserId = sqlx::query_scalar("SELECT id FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    let exam = mockexam::db::exams::by_slug(&pool, "dp-100")
        .await
        .unwrap()
        .unwrap();
    mockexam::demo::simulate_history(&pool, user, &exam, 3, 0.6, 0.8, 7)
        .await
        .unwrap();
    let r = app.get("/readiness/dp-100").await;
    r.assert_status(200)
        .assert_contains("Chance of passing a fresh DP-100 form")
        .assert_contains("likely between")
        .assert_contains("Practise this")
        .assert_contains("#3")
        .assert_contains("per question (exam pace 120 s)");
    let tomorrow = (time::OffsetDateTime::now_utc().date() + time::Duration::days(20)).to_string();
    app.post(
        "/readiness/dp-100/target",
        &[("target_date", tomorrow.as_str())],
    )
    .await
    .assert_status(303);
    app.get("/readiness/dp-100")
        .await
        .assert_contains("your exam is in 20 days");
    app.post(
        "/readiness/dp-100/target",
        &[("target_date", "next tuesday")],
    )
    .await
    .assert_status(400)
    .assert_contains("is not a date");
    // "Practise this" starts a set on that objective.
    let weak = r
        .body
        .split("name=\"objective\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let p = app
        .post(
            "/practice/dp-100",
            &[
                ("objective", weak.as_str()),
                ("size", "10"),
                ("which", "any"),
            ],
        )
        .await;
    p.assert_status(303);
    let objectives: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT qv.body->>'objective' FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1",
    )
    .bind(attempt_id(p.location()))
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(objectives, vec![weak]);
}

// ---- guards found by review

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn practice_never_offers_or_reveals_a_question_of_an_open_mock(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "leak@example.com").await;
    // A practice set made first holds every question of the small exam.
    let p = app
        .post("/practice/ex-100", &[("size", "10"), ("which", "any")])
        .await;
    let set = attempt_id(p.location());
    // Then a mock starts with the same questions; one of them is marked.
    let mock = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    app.post(
        &format!("/attempts/{mock}/items/1"),
        &[("flagged", "on"), ("revision", "0"), ("nav", "stay")],
    )
    .await
    .assert_status(303);
    // No new practice set can contain the mock's questions…
    app.post("/practice/ex-100", &[("size", "10"), ("which", "marked")])
        .await
        .assert_status(422)
        .assert_contains("No question matches");
    app.post("/practice/ex-100", &[("size", "10"), ("which", "any")])
        .await
        .assert_status(422);
    // …and the older set cannot reveal them while the mock is open.
    let q = question_at(&pool, mock, 1).await;
    let pos: i32 = sqlx::query_scalar(
        "SELECT ai.position FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND qv.question_id = $2",
    )
    .bind(set)
    .bind(q)
    .fetch_one(&pool)
    .await
    .unwrap();
    let item: sqlx::types::Json<mockexam::domain::item::Item> = sqlx::query_scalar(
        "SELECT qv.body FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND ai.position = $2",
    )
    .bind(set)
    .bind(pos)
    .fetch_one(&pool)
    .await
    .unwrap();
    let fields: Vec<(String, String)> = match &item.0.body {
        mockexam::domain::item::ItemBody::YesNo { .. } => vec![("answer".into(), "yes".into())],
        mockexam::domain::item::ItemBody::Grid { .. } => vec![("s1".into(), "yes".into())],
        mockexam::domain::item::ItemBody::Order { actions, .. } => {
            vec![("pos1".into(), actions[0].id.clone())]
        }
        mockexam::domain::item::ItemBody::Dropdown { slots, .. } => {
            vec![("slot1".into(), slots[0].choices[0].id.clone())]
        }
        mockexam::domain::item::ItemBody::Match { choices, .. } => {
            vec![("p1".into(), choices[0].id.clone())]
        }
        mockexam::domain::item::ItemBody::Single { options, .. }
        | mockexam::domain::item::ItemBody::Multiple { options, .. } => {
            vec![("choice".into(), options[0].id.clone())]
        }
    };
    let mut pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.push(("revision", "0"));
    pairs.push(("nav", "check"));
    let r = app
        .post(&format!("/attempts/{set}/items/{pos}"), &pairs)
        .await;
    r.assert_status(409)
        .assert_contains("also in your full mock in progress");
    assert!(!r.text().contains("Correct answer"));
    app.post(&format!("/attempts/{set}/items/{pos}/check"), &[])
        .await
        .assert_status(409);
    // After the mock is submitted the practice answer can be checked.
    app.post(&format!("/attempts/{mock}/submit"), &[]).await;
    app.post(&format!("/attempts/{set}/items/{pos}/check"), &[])
        .await
        .assert_status(303);
    app.get(&format!("/attempts/{set}/items/{pos}"))
        .await
        .assert_contains("Correct answer");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_flag_alone_is_not_an_answer_to_check(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "flag@example.com").await;
    let set = attempt_id(
        app.post("/practice/ex-100", &[("size", "5"), ("which", "any")])
            .await
            .location(),
    );
    app.post(
        &format!("/attempts/{set}/items/1"),
        &[("flagged", "on"), ("revision", "0"), ("nav", "stay")],
    )
    .await
    .assert_status(303);
    app.post(&format!("/attempts/{set}/items/1/check"), &[])
        .await
        .assert_status(422)
        .assert_contains("Answer the question first");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn answers_checked_before_a_mock_stay_hidden_while_it_runs(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "before@example.com").await;
    let set = attempt_id(
        app.post("/practice/ex-100", &[("size", "10"), ("which", "any")])
            .await
            .location(),
    );
    // Answer and check a single-answer item of the practice set.
    type Perm = std::collections::BTreeMap<String, Vec<String>>;
    let (pos, body, perm): (
        i32,
        sqlx::types::Json<mockexam::domain::item::Item>,
        sqlx::types::Json<Perm>,
    ) = sqlx::query_as(
        "SELECT ai.position, qv.body, ai.permutation FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND qv.body->>'kind' = 'single' ORDER BY ai.position LIMIT 1",
    )
    .bind(set)
    .fetch_one(&pool)
    .await
    .unwrap();
    // The explanation as this candidate reads it: with the letters they saw.
    let seen = mockexam::web::item_view::letters_seen(&body.0.body, &perm.0);
    let explanation = common::words_of(
        &mockexam::web::item_view::relabel(&body.0.explanation, &seen),
        8,
    );
    let choice = match &body.0.body {
        mockexam::domain::item::ItemBody::Single { options, .. } => options[0].id.clone(),
        _ => unreachable!(),
    };
    app.post(
        &format!("/attempts/{set}/items/{pos}"),
        &[
            ("choice", choice.as_str()),
            ("revision", "0"),
            ("nav", "check"),
        ],
    )
    .await
    .assert_status(303);
    app.get(&format!("/attempts/{set}/items/{pos}"))
        .await
        .assert_contains("Correct answer");
    // The mock (all ten questions of the small exam) starts: the key disappears everywhere.
    let mock = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    let page = app.get(&format!("/attempts/{set}/items/{pos}")).await;
    page.assert_status(200)
        .assert_contains("also in your full mock in progress");
    assert!(
        !page.text().contains("Correct answer")
            && !common::page_text(&page.body).contains(&explanation)
    );
    app.post(&format!("/attempts/{set}/submit"), &[]).await;
    let report = app.get(&format!("/attempts/{set}/result")).await;
    report
        .assert_status(200)
        .assert_contains("Answer shown after your mock in progress");
    assert!(
        !common::page_text(&report.body).contains(&explanation),
        "the practice report withholds the explanation"
    );
    assert!(
        report.select("a[href*='learn.microsoft.com']").is_empty(),
        "and the references"
    );
    // Once the mock is submitted, both show everything again.
    app.post(&format!("/attempts/{mock}/submit"), &[]).await;
    let after = app.get(&format!("/attempts/{set}/result")).await;
    assert!(
        common::page_text(&after.body).contains(&explanation),
        "{explanation}"
    );
}

// ---- the candidate's first hour

/// Starts a practice set of every DP-100 skill area and returns its id.
async fn practice_set(app: &mut common::TestApp, size: &str) -> Uuid {
    let r = app
        .post("/practice/dp-100", &[("size", size), ("which", "any")])
        .await;
    r.assert_status(303);
    attempt_id(r.location())
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn after_checking_an_answer_next_previous_and_review_move_on(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    let mut app = candidate(&pool, "moveon@example.com").await;
    let id = practice_set(&mut app, "12").await;
    let (pos, key, _, _) = single_item(&pool, id).await;
    let url = format!("/attempts/{id}/items/{pos}");
    app.post(
        &url,
        &[
            ("choice", key.as_str()),
            ("revision", "0"),
            ("nav", "check"),
        ],
    )
    .await
    .assert_status(303);
    let checked = app.get(&url).await;
    checked.assert_status(200).assert_contains("Correct");
    assert!(
        !checked.select("fieldset.item[disabled]").is_empty(),
        "a checked answer is final: its controls are disabled"
    );
    // Disabled controls post nothing: the form carries only its revision, mark and button.
    for (nav, to) in [
        ("next", format!("/attempts/{id}/items/{}", pos + 1)),
        ("review", format!("/attempts/{id}/review")),
    ] {
        let r = app.post(&url, &[("revision", "1"), ("nav", nav)]).await;
        r.assert_status(303);
        assert_eq!(r.location(), to, "{nav} moves on");
    }
    // Marking the checked question for review still works, and its answer stays.
    app.post(
        &url,
        &[("revision", "1"), ("flagged", "on"), ("nav", "next")],
    )
    .await
    .assert_status(303);
    let (flagged, response, checked_flag): (bool, serde_json::Value, bool) = sqlx::query_as(
        "SELECT flagged, response, checked FROM attempt_items WHERE attempt_id = $1 AND position = $2",
    )
    .bind(id)
    .bind(pos)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(flagged && checked_flag);
    assert_eq!(response["choice"], serde_json::json!(key));
    // The background save of a mark (JSON, no answer fields) is accepted too.
    app.post_json(&url, &[("revision", "1")])
        .await
        .assert_status(200);
    // …but a different answer to a checked question is still refused.
    let other = if key == "A" { "B" } else { "A" };
    app.post_json(&url, &[("choice", other), ("revision", "1")])
        .await
        .assert_status(409);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn feedback_uses_the_letters_the_candidate_saw(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    let mut app = candidate(&pool, "letters@example.com").await;
    // Several sets, so that some shuffle puts an option under a letter other than its own.
    for attempt in 0..6 {
        let id = practice_set(&mut app, "12").await;
        let (pos, _, wrong, _) = single_item(&pool, id).await;
        let url = format!("/attempts/{id}/items/{pos}");
        let page = app.get(&url).await;
        // The letter the page shows beside the option the candidate clicks.
        let label = page
            .select(&format!(
                "label.choice:has(input[value='{wrong}']) .choice-letter"
            ))
            .first()
            .map(|e| e.text().collect::<String>())
            .expect("the option has a letter");
        let text = page
            .select(&format!(
                "label.choice:has(input[value='{wrong}']) .choice-text"
            ))
            .first()
            .map(|e| e.text().collect::<String>())
            .unwrap();
        app.post(
            &url,
            &[
                ("choice", wrong.as_str()),
                ("revision", "0"),
                ("nav", "check"),
            ],
        )
        .await
        .assert_status(303);
        let feedback = app.get(&url).await;
        let yours = feedback
            .select(".answers > div:first-child li")
            .first()
            .map(|e| e.text().collect::<String>())
            .unwrap();
        assert_eq!(
            yours,
            format!("{label}. {}", text.trim()),
            "set {attempt}: your answer is named by the letter you clicked"
        );
        let marked = feedback
            .select(".option-marks li.is-chosen strong")
            .first()
            .map(|e| e.text().collect::<String>())
            .unwrap();
        assert_eq!(marked, format!("{label}."));
        if label != wrong {
            return; // seen a shuffled letter and checked it
        }
    }
    panic!("no shuffle moved an option in six sets");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_practice_total_leaves_out_questions_of_a_mock_in_progress(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "totals@example.com").await;
    // A practice set of the whole (small) bank, answered and submitted.
    let r = app
        .post("/practice/ex-100", &[("size", "10"), ("which", "any")])
        .await;
    let set = attempt_id(r.location());
    let (pos, key, _, _) = single_item(&pool, set).await;
    app.post(
        &format!("/attempts/{set}/items/{pos}"),
        &[("choice", key.as_str()), ("revision", "0"), ("nav", "stay")],
    )
    .await
    .assert_status(303);
    app.post(&format!("/attempts/{set}/submit"), &[]).await;
    let before = app.get(&format!("/attempts/{set}/result")).await;
    before.assert_status(200);
    assert!(!before.text().contains("count in none of these figures"));
    // Now a mock of the same bank is in progress: it holds every question of the set.
    let mock = attempt_id(app.post("/exams/ex-100/attempts", &[]).await.location());
    let q = question_at(&pool, set, pos).await;
    let in_mock: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND qv.question_id = $2)",
    )
    .bind(mock)
    .bind(q)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(in_mock);
    let during = app.get(&format!("/attempts/{set}/result")).await;
    during
        .assert_status(200)
        .assert_contains("count in none of these figures")
        .assert_contains("0 of 0 points");
    assert!(
        during.select(".bars li").is_empty(),
        "no skill-area bar gives a withheld answer away"
    );
    // Once the mock is submitted, the set's figures are whole again.
    app.post(&format!("/attempts/{mock}/submit"), &[]).await;
    let after = app.get(&format!("/attempts/{set}/result")).await;
    assert!(!after.text().contains("count in none of these figures"));
    assert!(!after.select(".bars li").is_empty());
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_new_candidate_is_welcomed_and_told_what_readiness_needs(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    common::import_bank(&pool, "question-bank/ai-300").await;
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "newbie@example.com").await;
    let home = app.get("/").await;
    home.assert_status(200)
        .assert_contains("Welcome, Candidate");
    assert!(!home.text().contains("Welcome back"));
    home.assert_selector("form[action='/exams/ai-300/attempts'] button")
        .assert_contains("Start an AI-300 mock")
        .assert_selector("a[href='/practice/ai-300']");
    assert!(
        !home.text().contains("EX-100") && !app.get("/exams").await.text().contains("EX-100"),
        "the example exam is unlisted for candidates"
    );
    assert!(!home.text().contains("0% (likely 0–0%)"));
    let report = app.get("/readiness/ai-300").await;
    report.assert_status(200);
    let text = report.text();
    assert!(!text.contains("0% likely"), "{text}");
    assert!(
        !text.contains("50%"),
        "no assumed 50% for areas never tested: {text}"
    );
    report.assert_contains("not tested yet");
}
