//! Cohorts through the real router: creating one, joining by code and by link, expiry, leaving,
//! co-instructors, the assignment lifecycle, the CSV exports, and who may open what.

use crate::helpers as common;
use common::{candidate, signed_in_as, TestApp, TestResponse};
use sqlx::PgPool;
use uuid::Uuid;

/// An instructor's app with a new cohort for the example exam; returns the cohort id.
async fn instructor_with_cohort(pool: &PgPool, email: &str, name: &str) -> (TestApp, Uuid) {
    let mut app = TestApp::new(pool.clone());
    signed_in_as(&mut app, email, "instructor").await;
    let r = app
        .post(
            "/cohorts",
            &[
                ("name", name),
                ("exam", "ex-100"),
                ("target_date", "2099-06-30"),
                ("code_days", "14"),
            ],
        )
        .await;
    r.assert_status(303);
    let id = r
        .location()
        .trim_start_matches("/cohorts/")
        .trim_end_matches("/manage");
    (app, Uuid::parse_str(id).expect("a cohort id"))
}

async fn code_of(pool: &PgPool, cohort: Uuid) -> String {
    sqlx::query_scalar("SELECT join_code FROM cohorts WHERE id = $1")
        .bind(cohort)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn members_of(pool: &PgPool, cohort: Uuid) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT u.email FROM cohort_members m JOIN users u ON u.id = m.user_id
         WHERE m.cohort_id = $1 ORDER BY u.email",
    )
    .bind(cohort)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn user_id(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Joins through the consent page, as a person would.
async fn join(app: &mut TestApp, code: &str) -> TestResponse {
    app.get(&format!("/join/{code}"))
        .await
        .assert_status(200)
        .assert_contains("What the instructors will see");
    app.post(&format!("/join/{code}"), &[]).await
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn candidates_join_by_link_or_by_typing_the_code(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let (mut lead, cohort) =
        instructor_with_cohort(&pool, "lead@example.com", "Spring intake").await;
    let code = code_of(&pool, cohort).await;
    assert_eq!(code.len(), 8);
    assert!(!code.contains(['0', 'O', '1', 'I']), "{code}");
    let shown = format!("{}-{}", &code[..4], &code[4..]);
    lead.get(&format!("/cohorts/{cohort}/manage"))
        .await
        .assert_status(200)
        .assert_contains(&shown)
        .assert_selector(&format!("a[href='/join/{code}']"));

    // By the link: the consent line names the instructor and what they see.
    let mut ann = candidate(&pool, "ann@example.com").await;
    let consent = ann.get(&format!("/join/{code}")).await;
    consent
        .assert_status(200)
        .assert_contains("Join “Spring intake”?")
        .assert_contains(
            "The cohort's instructors (Test User) will see your name and email address",
        )
        .assert_contains("They will not see your answers to individual questions");
    assert!(
        members_of(&pool, cohort).await.is_empty(),
        "looking is not joining"
    );
    ann.post(&format!("/join/{code}"), &[])
        .await
        .assert_status(303);
    assert_eq!(members_of(&pool, cohort).await, vec!["ann@example.com"]);
    ann.get("/cohorts")
        .await
        .assert_contains("Spring intake")
        .assert_selector(&format!("form[action='/cohorts/{cohort}/leave']"));

    // By typing it: case, spaces and the dash do not matter.
    let mut bob = candidate(&pool, "bob@example.com").await;
    let typed = format!(" {} ", shown.to_lowercase());
    let r = bob.post("/join", &[("code", typed.as_str())]).await;
    r.assert_status(303);
    assert_eq!(r.location(), format!("/join/{code}"));
    join(&mut bob, &code).await.assert_status(303);
    // Joining twice changes nothing.
    bob.post(&format!("/join/{code}"), &[])
        .await
        .assert_status(303);
    assert_eq!(
        members_of(&pool, cohort).await,
        vec!["ann@example.com", "bob@example.com"]
    );

    // A wrong code is explained, in the form, and nobody joins anything.
    let wrong = bob.post("/join", &[("code", "ZZZZ-ZZZ2")]).await;
    wrong
        .assert_status(422)
        .assert_contains("No cohort has this join code")
        .assert_selector("input#code[value='ZZZZ-ZZZ2']");
    bob.get("/join/not-a-code").await.assert_status(404);

    // The instructor cannot join their own cohort as a member.
    lead.post(&format!("/join/{code}"), &[])
        .await
        .assert_status(303);
    assert_eq!(members_of(&pool, cohort).await.len(), 2);

    // The dashboard lists both members.
    let dash = lead.get(&format!("/cohorts/{cohort}")).await;
    dash.assert_status(200)
        .assert_contains("2 member(s) preparing for")
        .assert_contains("Predicted pass rate")
        .assert_selector("div.heatmap-scroll[role=region][tabindex='0']");
    assert_eq!(dash.select("table.heatmap tbody tr").len(), 2);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn codes_expire_and_new_codes_replace_old_ones(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let (mut lead, cohort) = instructor_with_cohort(&pool, "lead@example.com", "Expiring").await;
    let old = code_of(&pool, cohort).await;
    sqlx::query("UPDATE cohorts SET join_expires_at = now() - interval '1 minute' WHERE id = $1")
        .bind(cohort)
        .execute(&pool)
        .await
        .unwrap();
    let mut cat = candidate(&pool, "cat@example.com").await;
    cat.get(&format!("/join/{old}"))
        .await
        .assert_status(410)
        .assert_contains("This join code expired on");
    cat.post(&format!("/join/{old}"), &[])
        .await
        .assert_status(410);
    cat.post("/join", &[("code", old.as_str())])
        .await
        .assert_status(422)
        .assert_contains("expired");
    assert!(members_of(&pool, cohort).await.is_empty());
    lead.get(&format!("/cohorts/{cohort}/manage"))
        .await
        .assert_contains("expired on");

    // A bad lifetime is refused and keeps the old code.
    lead.post(&format!("/cohorts/{cohort}/code"), &[("days", "365")])
        .await
        .assert_status(422)
        .assert_contains("between 1 and 90");
    assert_eq!(code_of(&pool, cohort).await, old);

    lead.post(&format!("/cohorts/{cohort}/code"), &[("days", "3")])
        .await
        .assert_status(303);
    let new = code_of(&pool, cohort).await;
    assert_ne!(new, old);
    let days: f64 = sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM join_expires_at - now())::float8 / 86400 FROM cohorts WHERE id = $1",
    )
    .bind(cohort)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!((2.99..=3.0).contains(&days), "{days}");
    cat.get(&format!("/join/{old}")).await.assert_status(404);
    join(&mut cat, &new).await.assert_status(303);
    assert_eq!(members_of(&pool, cohort).await, vec!["cat@example.com"]);

    // Stopping invitations ends the code; members stay.
    lead.post(&format!("/cohorts/{cohort}/code/stop"), &[])
        .await
        .assert_status(303);
    let mut dan = candidate(&pool, "dan@example.com").await;
    dan.get(&format!("/join/{new}")).await.assert_status(404);
    assert_eq!(members_of(&pool, cohort).await, vec!["cat@example.com"]);
    lead.get(&format!("/cohorts/{cohort}/manage"))
        .await
        .assert_contains("Invitations are stopped");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn members_leave_and_the_cohort_stops_seeing_them(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let (mut lead, cohort) = instructor_with_cohort(&pool, "lead@example.com", "Leavers").await;
    let code = code_of(&pool, cohort).await;
    let mut eve = candidate(&pool, "eve@example.com").await;
    join(&mut eve, &code).await.assert_status(303);
    let eve_id = user_id(&pool, "eve@example.com").await;
    lead.get(&format!("/cohorts/{cohort}/members/{eve_id}"))
        .await
        .assert_status(200)
        .assert_contains("How ready is Candidate for EX-100?");
    let r = eve.post(&format!("/cohorts/{cohort}/leave"), &[]).await;
    r.assert_status(303);
    assert!(members_of(&pool, cohort).await.is_empty());
    eve.get("/cohorts")
        .await
        .assert_contains("You are not in a cohort.");
    // Leaving twice: there is nothing to leave.
    eve.post(&format!("/cohorts/{cohort}/leave"), &[])
        .await
        .assert_status(404);
    // The instructor no longer sees her anywhere.
    lead.get(&format!("/cohorts/{cohort}/members/{eve_id}"))
        .await
        .assert_status(404);
    let dash = lead.get(&format!("/cohorts/{cohort}")).await;
    assert!(!dash.text().contains("eve@example.com"));
    assert!(dash.select("table.heatmap").is_empty());
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn co_instructors_are_added_and_removed(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let (mut lead, cohort) = instructor_with_cohort(&pool, "lead@example.com", "Shared").await;
    let _student = candidate(&pool, "student@example.com").await;
    let mut co = TestApp::new(pool.clone());
    signed_in_as(&mut co, "co@example.com", "instructor").await;
    co.get(&format!("/cohorts/{cohort}"))
        .await
        .assert_status(404);

    let path = format!("/cohorts/{cohort}/instructors");
    lead.post(&path, &[("email", "nobody@example.com")])
        .await
        .assert_status(422)
        .assert_contains("No account uses the address “nobody@example.com”");
    lead.post(&path, &[("email", "student@example.com")])
        .await
        .assert_status(422)
        .assert_contains("candidate account");
    lead.post(&path, &[("email", " CO@example.com ")])
        .await
        .assert_status(200)
        .assert_contains("now teaches this cohort");
    co.get(&format!("/cohorts/{cohort}"))
        .await
        .assert_status(200)
        .assert_contains("Shared");
    co.get("/cohorts").await.assert_contains("Shared");

    // The lead leaves; the co-instructor cannot then remove the last instructor.
    let lead_id = user_id(&pool, "lead@example.com").await;
    let co_id = user_id(&pool, "co@example.com").await;
    lead.post(
        &format!("/cohorts/{cohort}/instructors/{lead_id}/remove"),
        &[],
    )
    .await
    .assert_status(303);
    lead.get(&format!("/cohorts/{cohort}"))
        .await
        .assert_status(404);
    co.post(
        &format!("/cohorts/{cohort}/instructors/{co_id}/remove"),
        &[],
    )
    .await
    .assert_status(422)
    .assert_contains("at least one instructor");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM cohort_instructors WHERE cohort_id = $1")
        .bind(cohort)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn creating_a_cohort_checks_the_form(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut lead = TestApp::new(pool.clone());
    signed_in_as(&mut lead, "lead@example.com", "instructor").await;
    let r = lead
        .post(
            "/cohorts",
            &[
                ("name", "  "),
                ("exam", "nope"),
                ("target_date", "2001-01-01"),
                ("code_days", "0"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("Give the cohort a name")
        .assert_contains("Choose the exam")
        .assert_contains("has already passed")
        .assert_contains("between 1 and 90");
    let r = lead
        .post(
            "/cohorts",
            &[("name", "Ok"), ("exam", "ex-100"), ("target_date", "soon")],
        )
        .await;
    r.assert_status(422)
        .assert_contains("“soon” is not a date")
        .assert_selector("input#name[value='Ok']");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM cohorts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing stored");
    let mut cand = candidate(&pool, "c@example.com").await;
    cand.post("/cohorts", &[("name", "Mine"), ("exam", "ex-100")])
        .await
        .assert_status(403);
}

async fn assignment_id(pool: &PgPool, cohort: Uuid, title: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM cohort_assignments WHERE cohort_id = $1 AND title = $2")
        .bind(cohort)
        .bind(title)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn assignments_go_from_not_started_to_done_and_overdue(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let (mut lead, cohort) = instructor_with_cohort(&pool, "lead@example.com", "Workers").await;
    let code = code_of(&pool, cohort).await;
    let mut fay = candidate(&pool, "fay@example.com").await;
    join(&mut fay, &code).await.assert_status(303);
    let mut gus = candidate(&pool, "gus@example.com").await;
    join(&mut gus, &code).await.assert_status(303);

    // "Assign a practice set on this" opens the form with the objective chosen.
    let form = lead
        .get(&format!(
            "/cohorts/{cohort}/assignments/new?kind=practice&objective=data.storage"
        ))
        .await;
    form.assert_status(200)
        .assert_selector("input[name=objective][value='data.storage'][checked]")
        .assert_selector("input[name=kind][value=practice][checked]");
    // Bad input: every problem named, nothing stored.
    let bad = lead
        .post(
            &format!("/cohorts/{cohort}/assignments"),
            &[
                ("kind", "practice"),
                ("objective", "no.such"),
                ("size", "500"),
                ("due", ""),
            ],
        )
        .await;
    bad.assert_status(422)
        .assert_contains("“no.such” is not an objective of EX-100")
        .assert_contains("Choose a size from 5 to 60")
        .assert_contains("Choose a due date");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM cohort_assignments")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);

    let due = (time::OffsetDateTime::now_utc().date() + time::Duration::days(5)).to_string();
    lead.post(
        &format!("/cohorts/{cohort}/assignments"),
        &[
            ("kind", "practice"),
            ("title", "Storage drill"),
            ("objective", "data.storage"),
            ("size", "5"),
            ("due", due.as_str()),
        ],
    )
    .await
    .assert_status(303);
    let practice = assignment_id(&pool, cohort, "Storage drill").await;
    lead.post(
        &format!("/cohorts/{cohort}/assignments"),
        &[
            ("kind", "mock"),
            ("title", "Mock before Friday"),
            ("due", due.as_str()),
        ],
    )
    .await
    .assert_status(303);
    let mock = assignment_id(&pool, cohort, "Mock before Friday").await;

    let home = fay.get("/").await;
    home.assert_contains("Storage drill Not started")
        .assert_contains("Mock before Friday Not started")
        .assert_selector(&format!("form[action='/assignments/{practice}/start']"));

    // Starting creates the practice set through the engine and links it.
    let r = fay
        .post(&format!("/assignments/{practice}/start"), &[])
        .await;
    r.assert_status(303);
    let attempt = common::attempt_id(r.location());
    let (mode, items, objectives): (String, i64, Vec<String>) = sqlx::query_as(
        "SELECT a.mode, (SELECT count(*) FROM attempt_items WHERE attempt_id = a.id),
                ARRAY(SELECT DISTINCT q.objective_code FROM attempt_items ai
                      JOIN question_versions qv ON qv.id = ai.question_version_id
                      JOIN questions q ON q.id = qv.question_id WHERE ai.attempt_id = a.id)
         FROM attempts a JOIN assignment_attempts aa ON aa.attempt_id = a.id
         WHERE aa.assignment_id = $1 AND a.id = $2",
    )
    .bind(practice)
    .bind(attempt)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(mode, "practice");
    assert!(items > 0 && items <= 5, "{items}");
    assert_eq!(objectives, vec!["data.storage".to_string()]);
    fay.get("/")
        .await
        .assert_contains("Storage drill In progress");
    // Starting again resumes the same attempt.
    let again = fay
        .post(&format!("/assignments/{practice}/start"), &[])
        .await;
    assert_eq!(common::attempt_id(again.location()), attempt);
    // Someone else's assignment does not exist for an outsider.
    let mut out = candidate(&pool, "out@example.com").await;
    out.post(&format!("/assignments/{practice}/start"), &[])
        .await
        .assert_status(404);

    fay.post(&format!("/attempts/{attempt}/submit"), &[])
        .await
        .assert_status(303);
    fay.get("/").await.assert_contains("Storage drill Done");

    // The mock assignment starts a full mock under exam rules.
    let r = gus.post(&format!("/assignments/{mock}/start"), &[]).await;
    r.assert_status(303);
    let mode: String = sqlx::query_scalar("SELECT mode FROM attempts WHERE id = $1")
        .bind(common::attempt_id(r.location()))
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mode, "exam");

    // Results per member on the instructor's side.
    let page = lead
        .get(&format!("/cohorts/{cohort}/assignments/{practice}"))
        .await;
    page.assert_status(200)
        .assert_contains("Done 1")
        .assert_contains("Not started 1");
    let rows: Vec<String> = page
        .select("table.data tbody tr")
        .iter()
        .map(|r| r.text().collect::<Vec<_>>().join(" "))
        .collect();
    assert!(
        rows.iter()
            .any(|r| r.contains("Done") && r.contains("points")),
        "{rows:?}"
    );
    lead.get(&format!("/cohorts/{cohort}"))
        .await
        .assert_contains("Storage drill")
        .assert_contains("1 of 2");

    // Past the due date, what is not done is overdue; what is done stays done.
    sqlx::query(
        "UPDATE cohort_assignments SET due_at = now() - interval '1 hour' WHERE cohort_id = $1",
    )
    .bind(cohort)
    .execute(&pool)
    .await
    .unwrap();
    gus.get("/")
        .await
        .assert_contains("Storage drill Overdue")
        .assert_contains("Mock before Friday Overdue");
    fay.get("/").await.assert_contains("Storage drill Done");
    lead.get(&format!("/cohorts/{cohort}/assignments/{practice}"))
        .await
        .assert_contains("Overdue 1")
        .assert_contains("past due");

    // Deleting an assignment leaves the members' attempts alone.
    lead.post(
        &format!("/cohorts/{cohort}/assignments/{practice}/delete"),
        &[],
    )
    .await
    .assert_status(303);
    let still: i64 = sqlx::query_scalar("SELECT count(*) FROM attempts WHERE id = $1")
        .bind(attempt)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(still, 1);
    assert!(!fay.get("/").await.text().contains("Storage drill"));
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn csv_exports_hold_members_by_skill_area_and_results(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let (mut lead, cohort) =
        instructor_with_cohort(&pool, "lead@example.com", "Export, test").await;
    let code = code_of(&pool, cohort).await;
    let mut hal = TestApp::new(pool.clone());
    hal.register("hal@example.com", "=cmd|' /C calc'!A0")
        .await
        .assert_status(303);
    hal.login("hal@example.com", common::PASSWORD)
        .await
        .assert_status(303);
    join(&mut hal, &code).await.assert_status(303);
    let exam = mockexam::db::exams::by_slug(&pool, "ex-100")
        .await
        .unwrap()
        .unwrap();
    let hal_id = user_id(&pool, "hal@example.com").await;
    mockexam::demo::simulate_history(&pool, hal_id.into(), &exam, 4, 0.7, 0.9, 9)
        .await
        .unwrap();

    let csv = lead.get(&format!("/cohorts/{cohort}/members.csv")).await;
    csv.assert_status(200);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(csv.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains("export-test-members.csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", csv.body);
    assert!(lines[0].starts_with(
        "Member,Email,Chance of passing (%),Likely low (%),Likely high (%),Band,Scored answers,"
    ));
    for d in &exam.blueprint.domains {
        assert!(
            lines[0].contains(&format!("{} (%)", d.title)),
            "{}",
            lines[0]
        );
    }
    // The name a candidate typed cannot run as a formula; the figures are there.
    assert!(
        lines[1].starts_with("'=cmd|' /C calc'!A0,hal@example.com,"),
        "{}",
        lines[1]
    );
    let fields: Vec<&str> = lines[1].split(',').collect();
    let chance: u32 = fields[2].parse().expect("a pass chance after four mocks");
    assert!(chance <= 100);
    assert_eq!(fields.len(), lines[0].split(',').count());

    let due = (time::OffsetDateTime::now_utc().date() + time::Duration::days(2)).to_string();
    lead.post(
        &format!("/cohorts/{cohort}/assignments"),
        &[
            ("kind", "mock"),
            ("title", "Final mock"),
            ("due", due.as_str()),
        ],
    )
    .await
    .assert_status(303);
    let csv = lead
        .get(&format!("/cohorts/{cohort}/assignments.csv"))
        .await;
    csv.assert_status(200);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "Assignment,Kind,Due (UTC),Member,Email,Status,Submitted (UTC),Result"
    );
    assert_eq!(
        lines[1],
        format!("Final mock,mock,{due},'=cmd|' /C calc'!A0,hal@example.com,Not started,,")
    );
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_dashboard_shows_readiness_bands_and_weak_objectives(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let (mut lead, cohort) = instructor_with_cohort(&pool, "lead@example.com", "Ready team").await;
    let code = code_of(&pool, cohort).await;
    let exam = mockexam::db::exams::by_slug(&pool, "ex-100")
        .await
        .unwrap()
        .unwrap();
    for (i, (email, from, to)) in [
        ("strong@example.com", 0.85, 0.95),
        ("weak@example.com", 0.3, 0.4),
        ("new@example.com", 0.0, 0.0),
    ]
    .into_iter()
    .enumerate()
    {
        let mut app = candidate(&pool, email).await;
        join(&mut app, &code).await.assert_status(303);
        if from > 0.0 {
            let id = user_id(&pool, email).await;
            mockexam::demo::simulate_history(&pool, id.into(), &exam, 5, from, to, i as u64)
                .await
                .unwrap();
        }
    }
    let dash = lead.get(&format!("/cohorts/{cohort}")).await;
    dash.assert_status(200)
        .assert_contains("likely between")
        .assert_contains(
            "1 member(s) have too few answers for an estimate and count as a coin toss",
        )
        .assert_contains("What the cohort should study next")
        .assert_contains("Assign a practice set on this");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM member_snapshots")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 3, "one snapshot per member");
    // Sorting by chance of passing puts the weakest first, the member without an estimate last.
    let sorted = lead
        .get(&format!("/cohorts/{cohort}?sort=pass&dir=asc"))
        .await;
    let order: Vec<String> = sorted
        .select("table.heatmap tbody th a")
        .iter()
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    let weak = user_id(&pool, "weak@example.com").await;
    let fresh = user_id(&pool, "new@example.com").await;
    assert!(order[0].ends_with(&weak.to_string()), "{order:?}");
    assert!(order[2].ends_with(&fresh.to_string()), "{order:?}");
    sorted.assert_selector("th[aria-sort=ascending] a[href*='sort=pass&dir=desc']");
    // Every heat-map cell says in words what its colour means.
    let cells = sorted.select("table.heatmap td.heat");
    assert!(!cells.is_empty());
    for c in cells {
        let text = c.text().collect::<String>();
        assert!(text.contains("the cut"), "{text}");
    }
    // New evidence makes the member's snapshot stale; the next view recomputes it.
    let before: String = sqlx::query_scalar("SELECT mark FROM member_snapshots WHERE user_id = $1")
        .bind(weak)
        .fetch_one(&pool)
        .await
        .unwrap();
    mockexam::demo::simulate_history(&pool, weak.into(), &exam, 1, 0.9, 0.9, 77)
        .await
        .unwrap();
    // Within a minute of the last view the stored figures are shown as they are...
    lead.get(&format!("/cohorts/{cohort}"))
        .await
        .assert_status(200);
    let unchanged: String =
        sqlx::query_scalar("SELECT mark FROM member_snapshots WHERE user_id = $1")
            .bind(weak)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(before, unchanged);
    // ...after it, every member's mark is read again and the changed ones are recomputed.
    sqlx::query("UPDATE member_snapshots SET computed_at = computed_at - interval '2 minutes'")
        .execute(&pool)
        .await
        .unwrap();
    lead.get(&format!("/cohorts/{cohort}"))
        .await
        .assert_status(200);
    let after: String = sqlx::query_scalar("SELECT mark FROM member_snapshots WHERE user_id = $1")
        .bind(weak)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_ne!(before, after);
}

/// A route, the form it posts, and what each actor should get (in the matrix's actor order).
type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, [Want; 6]);

/// What an actor should get from a route.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// Sent to sign in.
    SignIn,
    Status(u16),
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn authorization_matrix_over_every_cohort_route(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let (mut lead, cohort) = instructor_with_cohort(&pool, "lead@example.com", "Secret team").await;
    let (_, other_cohort) =
        instructor_with_cohort(&pool, "other-lead@example.com", "Elsewhere").await;
    let code = code_of(&pool, cohort).await;
    let other_code = code_of(&pool, other_cohort).await;
    let mut member = candidate(&pool, "member@example.com").await;
    join(&mut member, &code).await.assert_status(303);
    let member_id = user_id(&pool, "member@example.com").await;
    let lead_id = user_id(&pool, "lead@example.com").await;
    let due = (time::OffsetDateTime::now_utc().date() + time::Duration::days(3)).to_string();
    for title in ["Keep", "Throwaway"] {
        lead.post(
            &format!("/cohorts/{cohort}/assignments"),
            &[
                ("kind", "practice"),
                ("title", title),
                ("size", "5"),
                ("due", due.as_str()),
            ],
        )
        .await
        .assert_status(303);
    }
    let keep = assignment_id(&pool, cohort, "Keep").await;
    let throwaway = assignment_id(&pool, cohort, "Throwaway").await;

    let mut anon = TestApp::new(pool.clone());
    let mut other = candidate(&pool, "other@example.com").await;
    let mut other_lead = TestApp::new(pool.clone());
    other_lead
        .login("other-lead@example.com", common::PASSWORD)
        .await
        .assert_status(303);
    let mut admin = TestApp::new(pool.clone());
    signed_in_as(&mut admin, "admin@example.com", "admin").await;

    use Want::*;
    let c = format!("/cohorts/{cohort}");
    // (method, path, form, [anonymous, member, other candidate, other instructor, admin,
    // cohort instructor]); the cohort's instructor goes last so that a permitted change
    // happens after every refusal was checked.
    let routes: Vec<Case> = vec![
        (
            "GET",
            "/cohorts".into(),
            vec![],
            [
                SignIn,
                Status(200),
                Status(200),
                Status(200),
                Status(200),
                Status(200),
            ],
        ),
        (
            "POST",
            "/cohorts".into(),
            vec![("name", "")],
            [
                SignIn,
                Status(403),
                Status(403),
                Status(422),
                Status(422),
                Status(422),
            ],
        ),
        (
            "GET",
            c.clone(),
            vec![],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(200),
            ],
        ),
        (
            "GET",
            format!("{c}?sort=area-1&dir=desc&page=2"),
            vec![],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(200),
            ],
        ),
        (
            "GET",
            format!("{c}/members.csv"),
            vec![],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(200),
            ],
        ),
        (
            "GET",
            format!("{c}/assignments.csv"),
            vec![],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(200),
            ],
        ),
        (
            "GET",
            format!("{c}/manage"),
            vec![],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(200),
            ],
        ),
        (
            "GET",
            format!("{c}/members/{member_id}"),
            vec![],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(200),
            ],
        ),
        (
            "GET",
            format!("{c}/members/{lead_id}"),
            vec![],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(404),
            ],
        ),
        (
            "GET",
            format!("{c}/assignments/new"),
            vec![],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(200),
            ],
        ),
        (
            "GET",
            format!("{c}/assignments/{keep}"),
            vec![],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(200),
            ],
        ),
        (
            "POST",
            format!("{c}/assignments"),
            vec![("kind", "")],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(422),
            ],
        ),
        (
            "POST",
            format!("{c}/code"),
            vec![("days", "0")],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(422),
            ],
        ),
        (
            "POST",
            format!("{c}/instructors"),
            vec![("email", "nobody@example.com")],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(422),
            ],
        ),
        (
            "POST",
            format!("{c}/instructors/{lead_id}/remove"),
            vec![],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(422),
            ],
        ),
        (
            "POST",
            format!("{c}/assignments/{throwaway}/delete"),
            vec![],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(303),
            ],
        ),
        (
            "GET",
            "/join".into(),
            vec![],
            [
                SignIn,
                Status(200),
                Status(200),
                Status(200),
                Status(200),
                Status(200),
            ],
        ),
        (
            "POST",
            "/join".into(),
            vec![("code", "ZZZZ-ZZZ2")],
            [
                SignIn,
                Status(422),
                Status(422),
                Status(422),
                Status(422),
                Status(422),
            ],
        ),
        (
            "GET",
            format!("/join/{code}"),
            vec![],
            [
                SignIn,
                Status(200),
                Status(200),
                Status(200),
                Status(200),
                Status(200),
            ],
        ),
        (
            "POST",
            format!("/join/{other_code}"),
            vec![],
            [
                SignIn,
                Status(303),
                Status(303),
                Status(303),
                Status(303),
                Status(303),
            ],
        ),
        (
            "POST",
            format!("/assignments/{keep}/start"),
            vec![],
            [
                SignIn,
                Status(303),
                Status(404),
                Status(404),
                Status(404),
                Status(404),
            ],
        ),
        (
            "POST",
            format!("{c}/code/stop"),
            vec![],
            [
                SignIn,
                Status(404),
                Status(404),
                Status(404),
                Status(404),
                Status(303),
            ],
        ),
        (
            "POST",
            format!("{c}/leave"),
            vec![],
            [
                SignIn,
                Status(303),
                Status(404),
                Status(404),
                Status(404),
                Status(404),
            ],
        ),
    ];
    let names = [
        "anonymous",
        "member",
        "other candidate",
        "other instructor",
        "admin",
        "cohort instructor",
    ];
    let mut checked = 0;
    for (method, path, form, wants) in &routes {
        let actors: [&mut TestApp; 6] = [
            &mut anon,
            &mut member,
            &mut other,
            &mut other_lead,
            &mut admin,
            &mut lead,
        ];
        for ((actor, want), name) in actors.into_iter().zip(wants).zip(names) {
            let r = match *method {
                "GET" => actor.get(path).await,
                _ => actor.post(path, form).await,
            };
            match want {
                SignIn => {
                    assert_eq!(r.status.as_u16(), 303, "{name} {method} {path}");
                    assert!(
                        r.location().starts_with("/login"),
                        "{name} {method} {path}: {}",
                        r.location()
                    );
                }
                Status(s) => {
                    assert_eq!(
                        r.status.as_u16(),
                        *s,
                        "{name} {method} {path}: {}",
                        &r.text()[..r.text().len().min(300)]
                    );
                    if *s == 404 {
                        // A refusal says nothing about the cohort.
                        assert!(
                            !r.text().contains("Secret team"),
                            "{name} {method} {path} leaks the name"
                        );
                        assert!(
                            !r.text().contains("member@example.com"),
                            "{name} {method} {path} leaks a member"
                        );
                    }
                }
            }
            checked += 1;
        }
    }
    assert_eq!(checked, routes.len() * 6);
    // The permitted changes happened, and only they.
    assert!(
        members_of(&pool, cohort).await.is_empty(),
        "the member left"
    );
    let gone: i64 = sqlx::query_scalar("SELECT count(*) FROM cohort_assignments WHERE id = $1")
        .bind(throwaway)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(gone, 0);
    assert!(
        sqlx::query_scalar::<_, Option<String>>("SELECT join_code FROM cohorts WHERE id = $1")
            .bind(cohort)
            .fetch_one(&pool)
            .await
            .unwrap()
            .is_none()
    );
}
