//! Item calibration, the readiness forecast and the adaptive quick check, through the real router.

use crate::helpers as common;
use common::{candidate, signed_in_as, TestApp};
use mockexam::types::UserId;
use sqlx::PgPool;
use uuid::Uuid;

async fn user_id(pool: &PgPool, email: &str) -> UserId {
    let id: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap();
    id.into()
}

async fn dp100(pool: &PgPool) -> mockexam::db::exams::ExamRow {
    mockexam::db::exams::by_slug(pool, "dp-100")
        .await
        .unwrap()
        .unwrap()
}

/// Posts item `n` of a check the way its page's form does: the revision and the pressed button.
async fn press(app: &mut TestApp, attempt: Uuid, n: i32, button: &str) -> common::TestResponse {
    let page = app.get(&format!("/attempts/{attempt}/items/{n}")).await;
    let revision = page
        .select("input[name=revision]")
        .first()
        .and_then(|e| e.value().attr("value").map(str::to_string))
        .expect("the form carries its revision");
    app.post(
        &format!("/attempts/{attempt}/items/{n}"),
        &[("revision", revision.as_str()), ("nav", button)],
    )
    .await
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_quick_check_chooses_questions_one_at_a_time_and_feeds_readiness(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    let mut app = candidate(&pool, "cat@example.com").await;
    app.get("/readiness/dp-100")
        .await
        .assert_status(200)
        .assert_contains("Quick check (≈ 40 min)")
        .assert_selector("form[action='/exams/dp-100/checks']");
    let started = app.post("/exams/dp-100/checks", &[]).await;
    started.assert_status(303);
    let id = common::attempt_id(started.location());
    let (mode, items): (String, i64) = sqlx::query_as(
        "SELECT a.mode, (SELECT count(*) FROM attempt_items i WHERE i.attempt_id = a.id) FROM attempts a WHERE a.id = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((mode.as_str(), items), ("check", 1));
    // Starting again resumes the same check.
    let again = app.post("/exams/dp-100/checks", &[]).await;
    assert_eq!(again.location(), started.location());
    // Someone else cannot see it.
    let mut other = candidate(&pool, "other@example.com").await;
    other
        .get(&format!("/attempts/{id}/items/1"))
        .await
        .assert_status(404);
    // The question page is the ordinary one, without a way back.
    let page = app.get(&format!("/attempts/{id}/items/1")).await;
    page.assert_status(200);
    assert!(page.select("button[value='prev']").is_empty());
    // Each answer adds the next question until the check has measured enough.
    let mut n = 1;
    let last = loop {
        let r = press(&mut app, id, n, "next").await;
        r.assert_status(303);
        if r.location().ends_with("/result") {
            break n;
        }
        assert_eq!(r.location(), format!("/attempts/{id}/items/{}", n + 1));
        n += 1;
        assert!(n <= 20, "a check stops by 20 questions");
    };
    assert!(last >= 8, "stopped after {last}");
    let (status, scaled, passed, theta): (String, Option<i32>, Option<bool>, Option<f64>) =
        sqlx::query_as(
            "SELECT status, scaled_score, passed, (settings->>'theta')::float8 FROM attempts WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(status, "submitted");
    // All blank: a low measured ability, a failing expected score.
    assert!(theta.unwrap() < -0.5, "theta {theta:?} after {last}");
    assert!(scaled.unwrap() < 700 && passed == Some(false));
    // The report words the measurement, not the share of points an adaptive test gives.
    let (se, target, low, high, chance): (f64, f64, i32, i32, f64) = sqlx::query_as(
        "SELECT (settings->>'se')::float8, (settings->>'target_se')::float8,
                (settings->>'low')::int, (settings->>'high')::int, (settings->>'chance')::float8
         FROM attempts WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(low <= scaled.unwrap() && scaled.unwrap() <= high && low < high);
    assert!((0.0..0.5).contains(&chance));
    let report = app.get(&format!("/attempts/{id}/result")).await;
    report
        .assert_status(200)
        .assert_contains("Quick check: not yet at the pass level")
        .assert_contains(&format!("between {low} and {high} (90 % range)"))
        .assert_contains(&format!(
            "chance of passing it: {} %",
            (chance * 100.0).round()
        ))
        .assert_contains(&format!(
            "{last} questions, each chosen from your answers so far"
        ))
        .assert_contains(
            if se <= target * 1.001 {
                "stopped once it had measured you as precisely as a full mock".to_string()
            } else {
                format!(
                    "stopped at its 20-question limit, having measured you about {} % as precisely",
                    ((target / se).powi(2) * 100.0).round()
                )
            }
            .as_str(),
        );
    assert!(!report.text().contains("of the points maps to 700"));
    // Earlier questions are closed; the check's answers count for readiness.
    let locked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM attempt_items WHERE attempt_id = $1 AND locked")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(locked, last as i64);
    app.get("/readiness/dp-100")
        .await
        .assert_contains(&format!("Based on {last} scored answer(s)"));
    // A check stays the candidate's own.
    other
        .post("/exams/nope/checks", &[])
        .await
        .assert_status(404);
    // A practice set and a full mock after it: every attempt keeps the versions it showed, in
    // position order (the check's appended one at a time), and the mock, which reads the
    // candidate's history from them, shows none of the check's questions again.
    app.post(
        "/practice/dp-100",
        &[("domain", "train-deploy"), ("size", "12"), ("which", "any")],
    )
    .await
    .assert_status(303);
    let mock = common::attempt_id(app.post("/exams/dp-100/attempts", &[]).await.location());
    let out_of_step: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM attempts a
         WHERE a.question_versions IS DISTINCT FROM ARRAY(
             SELECT i.question_version_id FROM attempt_items i
             WHERE i.attempt_id = a.id ORDER BY i.position)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(out_of_step, 0);
    let (attempts, check_again): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM attempts),
                (SELECT count(*) FROM attempt_items m JOIN attempt_items c
                     ON c.question_version_id = m.question_version_id
                 WHERE m.attempt_id = $1 AND c.attempt_id = $2)",
    )
    .bind(mock)
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(attempts, 3);
    assert_eq!(
        check_again, 0,
        "the mock repeats none of the check's questions"
    );
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_check_page_offers_next_and_end_and_ending_early_is_reported_as_such(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    let mut app = candidate(&pool, "eve@example.com").await;
    let id = common::attempt_id(app.post("/exams/dp-100/checks", &[]).await.location());
    let page = app.get(&format!("/attempts/{id}/items/1")).await;
    page.assert_status(200)
        .assert_contains("quick check")
        .assert_contains("The check asks at most 20")
        .assert_selector("button[name=nav][value=next]")
        .assert_selector("button[name=nav][value=submit]");
    // No way back, no review screen, no marks or breaks: a check moves one way.
    for absent in [
        "button[value=prev]",
        "button[value=review]",
        "button[value=break]",
        "input[name=flagged]",
        "nav.question-nav",
    ] {
        assert!(
            page.select(absent).is_empty(),
            "a check page has no {absent}"
        );
    }
    assert!(!page.text().contains("Question 1 of 1"));
    // The first button is "Next question": pressing Enter in the form moves on.
    let first = page.select("form#item-form button[type=submit]");
    assert_eq!(
        first.first().and_then(|b| b.value().attr("value")),
        Some("next")
    );
    // A button of a mock's page (another tab, an old page) keeps the candidate where they are.
    for other in ["review", "break", "prev"] {
        let r = press(&mut app, id, 1, other).await;
        r.assert_status(303);
        assert_eq!(r.location(), format!("/attempts/{id}/items/1"));
    }
    let shown: i64 = sqlx::query_scalar("SELECT count(*) FROM attempt_items WHERE attempt_id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(shown, 1, "no question was added");
    // "Next question" adds one; "End the check now" scores the check there.
    let r = press(&mut app, id, 1, "next").await;
    assert_eq!(r.location(), format!("/attempts/{id}/items/2"));
    press(&mut app, id, 2, "next").await.assert_status(303);
    let r = press(&mut app, id, 3, "submit").await;
    assert_eq!(r.location(), format!("/attempts/{id}/result"));
    let (status, ended): (String, String) =
        sqlx::query_as("SELECT status, settings->>'ended' FROM attempts WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), ended.as_str()),
        ("submitted", "candidate")
    );
    app.get(&format!("/attempts/{id}/result"))
        .await
        .assert_status(200)
        .assert_contains("3 questions, each chosen from your answers so far")
        .assert_contains("You ended the check there");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_check_closed_by_its_deadline_is_scored_on_what_it_measured(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    let mut app = candidate(&pool, "tim@example.com").await;
    let id = common::attempt_id(app.post("/exams/dp-100/checks", &[]).await.location());
    for n in 1..=3 {
        press(&mut app, id, n, "next").await.assert_status(303);
    }
    // The candidate walks away; the deadline and its grace pass and the sweeper closes it.
    common::abandon(&pool, id).await;
    assert_eq!(mockexam::engine::sweep(&pool, 10).await.unwrap(), 1);
    let (reason, ended, items, scaled, low, high): (String, String, i64, i32, i32, i32) =
        sqlx::query_as(
            "SELECT submit_reason, settings->>'ended', (settings->>'items')::int8, scaled_score,
                    (settings->>'low')::int, (settings->>'high')::int
             FROM attempts WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        (reason.as_str(), ended.as_str(), items),
        ("swept", "time", 4)
    );
    // Blank answers measure a low ability, and the score is that measurement's, not 0 points'
    // share (which would be the scale's floor).
    assert!(
        low <= scaled && scaled <= high && scaled > 1,
        "{low} {scaled} {high}"
    );
    app.get(&format!("/attempts/{id}/result"))
        .await
        .assert_status(200)
        .assert_contains("Quick check: not yet at the pass level")
        .assert_contains("4 questions, each chosen from your answers so far")
        .assert_contains("Time ran out there")
        .assert_contains(&format!("between {low} and {high} (90 % range)"));
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn readiness_shows_today_the_target_date_reasons_and_unknown_areas(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    let mut app = candidate(&pool, "rise@example.com").await;
    let user = user_id(&pool, "rise@example.com").await;
    let exam = dp100(&pool).await;
    // Before any answer: nothing assumed.
    let empty = app.get("/readiness/dp-100").await;
    empty
        .assert_contains("Unknown")
        .assert_contains("not tested yet")
        .assert_contains("you have not answered any yet");
    assert!(!empty.text().contains("likely between 0% and 0%"));
    // Mocks improving over the weeks.
    mockexam::demo::simulate_history(&pool, user, &exam, 4, 0.55, 0.85, 3)
        .await
        .unwrap();
    let date = (time::OffsetDateTime::now_utc().date() + time::Duration::days(30)).to_string();
    app.post(
        "/readiness/dp-100/target",
        &[("target_date", date.as_str())],
    )
    .await
    .assert_status(303);
    let r = app.get("/readiness/dp-100").await;
    r.assert_status(200)
        .assert_contains("Chance of passing a fresh DP-100 form today")
        .assert_contains(&format!("On your exam date ({date})"))
        .assert_contains("Why")
        .assert_contains("Your last three scored sittings rose by")
        .assert_selector("ul.reasons li");
    assert!(!r.text().contains("not tested yet"));
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn calibration_is_stored_per_version_refreshed_once_and_shown_to_instructors(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    let exam = dp100(&pool).await;
    let mut app = TestApp::new(pool.clone());
    signed_in_as(&mut app, "author@example.com", "instructor").await;
    let ext: String = sqlx::query_scalar(
        "SELECT q.ext_id FROM questions q WHERE q.exam_id = $1 AND q.scenario_id IS NULL ORDER BY bank_position LIMIT 1",
    )
    .bind(exam.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let page = format!("/author/exams/dp-100/questions/{ext}");
    app.get(&page)
        .await
        .assert_contains("Item calibration (IRT)")
        .assert_contains("Not calibrated yet");
    let user = user_id(&pool, "author@example.com").await;
    mockexam::demo::simulate_history(&pool, user, &exam, 2, 0.6, 0.7, 5)
        .await
        .unwrap();
    // Another process holding the exam's lock: this one skips.
    let mut holder = pool.begin().await.unwrap();
    assert!(mockexam::db::calibration::try_lock(&mut holder, exam.id)
        .await
        .unwrap());
    assert!(
        !mockexam::engine::calibration::refresh(&pool, exam.id, true)
            .await
            .unwrap()
    );
    holder.rollback().await.unwrap();
    assert!(
        mockexam::engine::calibration::refresh(&pool, exam.id, false)
            .await
            .unwrap()
    );
    let (rows, versions, priors): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM item_calibrations WHERE exam_id = $1),
                (SELECT count(*) FROM question_versions v JOIN questions q ON q.id = v.question_id WHERE q.exam_id = $1),
                (SELECT count(*) FROM item_calibrations WHERE exam_id = $1 AND source = 'prior')",
    )
    .bind(exam.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(rows, versions);
    // Two mocks are far too few to fit anything: every question keeps its prior.
    assert_eq!(priors, rows);
    // Nothing new since: the next background pass does not refit.
    assert_eq!(
        mockexam::engine::calibration::refresh_all(&pool)
            .await
            .unwrap(),
        0
    );
    app.get(&page)
        .await
        .assert_contains("prior (kind and objective)")
        .assert_selector("section[aria-labelledby='irt-title'] table");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_retest_effect_is_estimated_with_the_calibration_and_used_by_readiness(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    let exam = dp100(&pool).await;
    let mut app = TestApp::new(pool.clone());
    // Two mocks: too few repeated questions to say anything, so none is stored.
    signed_in_as(&mut app, "first@example.com", "candidate").await;
    let first = user_id(&pool, "first@example.com").await;
    mockexam::demo::simulate_history(&pool, first, &exam, 2, 0.6, 0.7, 11)
        .await
        .unwrap();
    assert!(mockexam::engine::calibration::refresh(&pool, exam.id, true)
        .await
        .unwrap());
    let stored: (Option<f64>, Option<f64>) =
        sqlx::query_as("SELECT retest_offset, retest_se FROM calibration_runs WHERE exam_id = $1")
            .bind(exam.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, (None, None));

    // Three candidates with eight mocks each repeat hundreds of questions.
    for (n, email) in ["a@example.com", "b@example.com", "c@example.com"]
        .iter()
        .enumerate()
    {
        signed_in_as(&mut app, email, "candidate").await;
        let u = user_id(&pool, email).await;
        mockexam::demo::simulate_history(&pool, u, &exam, 8, 0.5, 0.8, 20 + n as u64)
            .await
            .unwrap();
    }
    assert!(mockexam::engine::calibration::refresh(&pool, exam.id, true)
        .await
        .unwrap());
    let (offset, se): (Option<f64>, Option<f64>) =
        sqlx::query_as("SELECT retest_offset, retest_se FROM calibration_runs WHERE exam_id = $1")
            .bind(exam.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    let offset = offset.expect("an offset estimated from the repeats");
    assert!((-1.0..=3.0).contains(&offset), "{offset}");
    assert!(se.is_some_and(|se| se > 0.0 && se < 1.0), "{se:?}");
    // The readiness model uses the exam's own estimate.
    let exam = dp100(&pool).await;
    let bank = mockexam::engine::calibration::load_bank(&pool, &exam)
        .await
        .unwrap();
    assert_eq!(bank.retest_offset, Some(offset));
    app.get("/readiness/dp-100")
        .await
        .assert_status(200)
        .assert_contains("Chance of passing a fresh DP-100 form");
    // Instructors see it beside the questions' parameters.
    signed_in_as(&mut app, "author@example.com", "instructor").await;
    let ext: String = sqlx::query_scalar(
        "SELECT ext_id FROM questions WHERE exam_id = $1 ORDER BY bank_position LIMIT 1",
    )
    .bind(exam.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    app.get(&format!("/author/exams/dp-100/questions/{ext}"))
        .await
        .assert_status(200)
        .assert_contains(&format!(
            "answered as if they were {offset:.2} ± {:.2} logit abler",
            se.unwrap()
        ));
}
