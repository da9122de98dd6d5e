//! The instructor's studio through the router: exams of one's own, the editor for every kind,
//! the review workflow with a second approver, history and revert, the feedback queue, the bank
//! browser, and who may see what.

use crate::helpers as common;
use common::{attempt_id, candidate, signed_in_as, TestApp};
use sqlx::PgPool;

const EXAM: &str = "/author/exams/team-101";

/// Owner and co-owner of TEAM-101, an exam made in the browser with two skill areas.
async fn team_exam(pool: &PgPool) -> (TestApp, TestApp) {
    let mut owner = TestApp::new(pool.clone());
    signed_in_as(&mut owner, "owner@example.com", "instructor").await;
    let r = owner
        .post(
            "/author/exams/new",
            &[
                ("code", "TEAM-101"),
                ("title", "Team mock"),
                ("duration_minutes", "30"),
                ("question_count", "2"),
                ("cut_percent", "70"),
                ("second_approval", "on"),
                ("d1_code", "data"),
                ("d1_title", "Prepare data"),
                ("d1_weight_min", "40"),
                ("d1_weight_max", "60"),
                (
                    "d1_objectives",
                    "data.clean | Clean data\ndata.split | Split data",
                ),
                ("d2_code", "models"),
                ("d2_title", "Train models"),
                ("d2_weight_min", "40"),
                ("d2_weight_max", "60"),
                ("d2_objectives", "models.train | Train a model"),
            ],
        )
        .await;
    r.assert_status(303);
    assert_eq!(r.location(), "/author/exams/team-101/questions");
    let mut co = TestApp::new(pool.clone());
    signed_in_as(&mut co, "co@example.com", "instructor").await;
    owner
        .post(&format!("{EXAM}/co-owners"), &[("email", "co@example.com")])
        .await
        .assert_status(303);
    (owner, co)
}

fn dropdown_fields(id: &str, key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("kind", "dropdown".into()),
        ("id", id.into()),
        ("objective", "models.train".into()),
        (
            "stem",
            "Complete the code.\n\n```python\njob = [[1]](code=\"./src\")\n```".into(),
        ),
        ("slot1_1", "`command`".into()),
        ("slot1_2", "`sweep`".into()),
        ("slot1_3", "`pipeline`".into()),
        ("keypart1", key.into()),
        ("explanation", "A **command** job runs a script.".into()),
        (
            "references",
            "https://learn.microsoft.com/azure/machine-learning/".into(),
        ),
        ("do", "save".into()),
    ]
}

async fn post_fields(
    app: &mut TestApp,
    path: &str,
    fields: &[(&str, String)],
) -> common::TestResponse {
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post(path, &borrowed).await
}

async fn status_of(pool: &PgPool, ext_id: &str) -> (String, i32) {
    sqlx::query_as(
        "SELECT q.status, v.version FROM questions q JOIN question_versions v ON v.id = q.current_version_id
         WHERE q.ext_id = $1",
    )
    .bind(ext_id)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn candidates_get_404_on_every_author_route_and_visitors_sign_in(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut pupil = candidate(&pool, "pupil@example.com").await;
    let gets = [
        "/author",
        "/author/exams/new",
        "/author/exams/ex-100",
        "/author/exams/ex-100/questions",
        "/author/exams/ex-100/questions/ex-dropdown-job",
        "/author/exams/ex-100/questions/ex-dropdown-job/history",
        "/author/exams/ex-100/questions/ex-dropdown-job/edit",
        "/author/exams/ex-100/questions/new?kind=single",
        "/author/exams/ex-100/log",
        "/author/exams/ex-100/feedback",
        "/author/exams/ex-100/settings",
        "/author/exams/ex-100/scenarios/new?kind=case",
    ];
    for path in gets {
        pupil.get(path).await.assert_status(404);
    }
    let posts = [
        "/author/exams/new",
        "/author/exams/ex-100/questions/new",
        "/author/exams/ex-100/questions/ex-dropdown-job/edit",
        "/author/exams/ex-100/questions/ex-dropdown-job/workflow",
        "/author/exams/ex-100/questions/ex-dropdown-job/revert",
        "/author/exams/ex-100/preview",
        "/author/exams/ex-100/feedback/resolve",
        "/author/exams/ex-100/settings",
        "/author/exams/ex-100/co-owners",
    ];
    for path in posts {
        pupil.post(path, &[("x", "y")]).await.assert_status(404);
    }
    let mut visitor = TestApp::new(pool.clone());
    let r = visitor.get("/author/exams/ex-100/questions").await;
    r.assert_status(303);
    assert!(r.location().starts_with("/login?next="));
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn own_exams_are_seen_only_by_their_owners_and_file_exams_are_read_only(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let (mut owner, mut co) = team_exam(&pool).await;
    let mut stranger = TestApp::new(pool.clone());
    signed_in_as(&mut stranger, "other@example.com", "instructor").await;
    for path in [
        EXAM,
        &format!("{EXAM}/questions"),
        &format!("{EXAM}/settings"),
        &format!("{EXAM}/log"),
        &format!("{EXAM}/questions/new?kind=single"),
        &format!("{EXAM}/analysis"),
        &format!("{EXAM}/analysis.csv"),
        &format!("{EXAM}/import"),
        &format!("{EXAM}/export"),
    ] {
        stranger.get(path).await.assert_status(404);
        co.get(path).await.assert_status(200);
    }
    stranger
        .get("/author")
        .await
        .assert_status(200)
        .assert_contains("EX-100");
    assert!(!stranger.get("/author").await.text().contains("TEAM-101"));
    owner
        .get("/author")
        .await
        .assert_contains("TEAM-101")
        .assert_contains("Yours");
    // Every instructor reads a file exam; none changes it in the browser.
    stranger
        .get("/author/exams/ex-100/questions")
        .await
        .assert_status(200)
        .assert_contains("read-only");
    stranger
        .get("/author/exams/ex-100/questions/new?kind=single")
        .await
        .assert_status(409)
        .assert_contains("comes from question-bank files");
    let r = post_fields(
        &mut stranger,
        "/author/exams/ex-100/questions/new",
        &dropdown_fields("ex-new", "A"),
    )
    .await;
    r.assert_status(409);
    // A taken code is a form error, and nothing is created.
    let r = owner
        .post(
            "/author/exams/new",
            &[
                ("code", "EX-100"),
                ("title", "Copy"),
                ("duration_minutes", "30"),
                ("question_count", "1"),
                ("cut_percent", "70"),
                ("d1_code", "a"),
                ("d1_title", "A"),
                ("d1_weight_min", "100"),
                ("d1_weight_max", "100"),
                ("d1_objectives", "a.one | One"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("The code EX-100 is taken by another exam");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM exams")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 2);
    // Removing the co-owner takes the exam away from them.
    let co_id: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'co@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    owner
        .post(
            &format!("{EXAM}/co-owners/remove"),
            &[("user", &co_id.to_string())],
        )
        .await
        .assert_status(303);
    co.get(EXAM).await.assert_status(404);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_blueprint_form_reports_problems_and_keeps_objectives_in_use(pool: PgPool) {
    let (mut owner, _) = team_exam(&pool).await;
    let r = owner
        .post(
            "/author/exams/new",
            &[
                ("code", "BAD 1"),
                ("title", ""),
                ("duration_minutes", "ninety"),
                ("question_count", "10"),
                ("cut_percent", "70"),
            ],
        )
        .await;
    r.assert_status(422)
        .assert_contains("The exam code uses letters, digits")
        .assert_contains("The duration must be a whole number, not “ninety”.");
    post_fields(
        &mut owner,
        &format!("{EXAM}/questions/new"),
        &dropdown_fields("team-drop", "A"),
    )
    .await
    .assert_status(303);
    // models.train is used by a question: the blueprint cannot drop it.
    let r = owner
        .post(
            &format!("{EXAM}/settings"),
            &[
                ("title", "Team mock"),
                ("duration_minutes", "45"),
                ("question_count", "2"),
                ("cut_percent", "65"),
                ("d1_code", "data"),
                ("d1_title", "Prepare data"),
                ("d1_weight_min", "0"),
                ("d1_weight_max", "100"),
                ("d1_objectives", "data.clean | Clean data"),
            ],
        )
        .await;
    r.assert_status(422).assert_contains("models.train");
    let r = owner
        .post(
            &format!("{EXAM}/settings"),
            &[
                ("title", "Team mock, second term"),
                ("duration_minutes", "45"),
                ("question_count", "2"),
                ("cut_percent", "65"),
                ("d1_code", "models"),
                ("d1_title", "Train models"),
                ("d1_weight_min", "0"),
                ("d1_weight_max", "100"),
                ("d1_objectives", "models.train | Train a model"),
            ],
        )
        .await;
    r.assert_status(303);
    owner
        .get(r.location())
        .await
        .assert_contains("Blueprint saved.");
    let (title, minutes): (String, i32) =
        sqlx::query_as("SELECT title, duration_minutes FROM exams WHERE code = 'TEAM-101'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!((title.as_str(), minutes), ("Team mock, second term", 45));
}

/// A valid form per kind (besides the drop-down): each saves as version 1, a draft.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn every_kind_is_written_in_the_editor(pool: PgPool) {
    let (mut owner, _) = team_exam(&pool).await;
    let common_fields = |id: &str, kind: &str| -> Vec<(&'static str, String)> {
        vec![
            ("kind", kind.into()),
            ("id", id.into()),
            ("objective", "data.clean".into()),
            ("stem", "Which step removes duplicates?".into()),
            ("explanation", "Because.".into()),
            ("references", "https://learn.microsoft.com/x".into()),
            ("do", "save".into()),
        ]
    };
    let opts = [
        ("opt1", "One"),
        ("opt2", "Two"),
        ("opt3", "Three"),
        ("opt4", "Four"),
    ];
    let with = |mut base: Vec<(&'static str, String)>, more: &[(&'static str, &str)]| {
        base.extend(more.iter().map(|(k, v)| (*k, v.to_string())));
        base
    };
    let forms = vec![
        with(
            common_fields("k-single", "single"),
            &[opts[0], opts[1], opts[2], ("key", "B")],
        ),
        with(
            common_fields("k-multiple", "multiple"),
            &[
                opts[0],
                opts[1],
                opts[2],
                opts[3],
                ("choose", "2"),
                ("key", "A"),
                ("key", "C"),
            ],
        ),
        with(
            common_fields("k-order", "order"),
            &[
                opts[0],
                opts[1],
                opts[2],
                ("step1", "C"),
                ("step2", "A"),
                ("scoring", "per-position"),
            ],
        ),
        with(
            common_fields("k-grid", "grid"),
            &[
                ("part1", "Yes one"),
                ("part2", "No two"),
                ("keypart1", "yes"),
                ("keypart2", "no"),
            ],
        ),
        with(
            common_fields("k-match", "match"),
            &[
                ("part1", "Prompt one"),
                ("part2", "Prompt two"),
                ("opt1", "Choice A"),
                ("opt2", "Choice B"),
                ("keypart1", "B"),
                ("keypart2", "B"),
            ],
        ),
    ];
    for form in &forms {
        let r = post_fields(&mut owner, &format!("{EXAM}/questions/new"), form).await;
        r.assert_status(303);
        let id = &form[1].1;
        assert_eq!(status_of(&pool, id).await, ("draft".to_string(), 1), "{id}");
    }
    // A series and its yes/no questions.
    owner
        .post(
            &format!("{EXAM}/scenarios/new"),
            &[
                ("kind", "series"),
                ("id", "s-drift"),
                ("title", "Detect drift"),
                ("tab1_text", "You need to detect data drift."),
                ("do", "save"),
            ],
        )
        .await
        .assert_status(303);
    for (id, key) in [("k-yes-1", "yes"), ("k-yes-2", "no")] {
        let form = with(
            common_fields(id, "yesno"),
            &[("series", "s-drift"), ("key_yesno", key)],
        );
        post_fields(&mut owner, &format!("{EXAM}/questions/new"), &form)
            .await
            .assert_status(303);
    }
    let kind: String = sqlx::query_scalar(
        "SELECT q.kind FROM questions q JOIN scenarios s ON s.id = q.scenario_id WHERE q.ext_id = 'k-yes-2'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(kind, "yesno");
    // A case study needs two tabs: the bank's own message.
    owner
        .post(
            &format!("{EXAM}/scenarios/new"),
            &[
                ("kind", "case"),
                ("id", "c-contoso"),
                ("title", "Contoso"),
                ("tab1_title", "Overview"),
                ("tab1_text", "Text"),
                ("do", "save"),
            ],
        )
        .await
        .assert_status(422)
        .assert_contains("case study `c-contoso` needs at least two `## Tab:` sections");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM question_versions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 7);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_editor_reports_bank_check_messages_and_previews_without_saving(pool: PgPool) {
    let (mut owner, _) = team_exam(&pool).await;
    let mut bad = dropdown_fields("team-drop", "D");
    bad.retain(|(k, _)| *k != "references");
    bad.push(("references", "http://not-secure.example".into()));
    let r = post_fields(&mut owner, &format!("{EXAM}/questions/new"), &bad).await;
    r.assert_status(422)
        .assert_contains("Nothing was saved")
        .assert_contains("reference `http://not-secure.example` must be an https:// URL")
        .assert_contains("key names choice `D`, but the choices are A–C");
    // The preview button shows the question through the candidates' partial, nothing saved.
    let mut preview = dropdown_fields("team-drop", "A");
    preview.retain(|(k, _)| *k != "do");
    preview.push(("do", "preview".into()));
    let r = post_fields(&mut owner, &format!("{EXAM}/questions/new"), &preview).await;
    r.assert_status(200)
        .assert_selector("#live-preview select.slot[name='slot1']")
        .assert_selector("#live-preview .stem pre")
        .assert_contains("Blank 1: A. command");
    // The live preview answers with the same fragment.
    let r = post_fields(&mut owner, &format!("{EXAM}/preview"), &preview).await;
    r.assert_status(200)
        .assert_selector("select.slot[name='slot1']");
    assert!(!r.body.contains("<html"), "a fragment, not a page");
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM questions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);
    // An id already in use.
    post_fields(
        &mut owner,
        &format!("{EXAM}/questions/new"),
        &dropdown_fields("team-drop", "A"),
    )
    .await
    .assert_status(303);
    post_fields(
        &mut owner,
        &format!("{EXAM}/questions/new"),
        &dropdown_fields("team-drop", "A"),
    )
    .await
    .assert_status(422)
    .assert_contains("duplicate id `team-drop`");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn publishing_needs_a_second_instructor_and_only_published_questions_reach_candidates(
    pool: PgPool,
) {
    let (mut owner, mut co) = team_exam(&pool).await;
    post_fields(
        &mut owner,
        &format!("{EXAM}/questions/new"),
        &dropdown_fields("team-drop", "A"),
    )
    .await
    .assert_status(303);
    let mut pupil = candidate(&pool, "pupil@example.com").await;
    pupil
        .post("/practice/team-101", &[("size", "5")])
        .await
        .assert_status(422)
        .assert_contains("No question matches");
    let wf = format!("{EXAM}/questions/team-drop/workflow");
    // Approving a draft is not a step the workflow has.
    owner
        .post(&wf, &[("action", "approve"), ("version", "1")])
        .await
        .assert_status(409)
        .assert_contains("“approve” is not possible for a question that is a draft");
    owner
        .post(&wf, &[("action", "submit"), ("version", "1")])
        .await
        .assert_status(303);
    assert_eq!(status_of(&pool, "team-drop").await.0, "in_review");
    owner
        .post(&wf, &[("action", "approve"), ("version", "1")])
        .await
        .assert_status(409)
        .assert_contains("A second instructor must approve this question");
    // A stale page (an older version) is refused.
    co.post(&wf, &[("action", "approve"), ("version", "0")])
        .await
        .assert_status(409);
    co.post(
        &wf,
        &[
            ("action", "approve"),
            ("version", "1"),
            ("note", "Key checked"),
        ],
    )
    .await
    .assert_status(303);
    assert_eq!(status_of(&pool, "team-drop").await.0, "published");
    co.get(&format!("{EXAM}/log"))
        .await
        .assert_status(200)
        .assert_contains("Approved and published")
        .assert_contains("Sent for review")
        .assert_contains("Key checked");

    let r = pupil.post("/practice/team-101", &[("size", "5")]).await;
    r.assert_status(303);
    let set = attempt_id(r.location());
    let page = pupil.get(&format!("/attempts/{set}/items/1")).await;
    page.assert_status(200)
        .assert_selector("select.slot[name='slot1']");

    // An edit makes a draft again: candidates no longer get it, the set keeps its version.
    let mut edit = dropdown_fields("team-drop", "B");
    edit.push(("based_on", "1".into()));
    post_fields(
        &mut owner,
        &format!("{EXAM}/questions/team-drop/edit"),
        &edit,
    )
    .await
    .assert_status(303);
    assert_eq!(status_of(&pool, "team-drop").await, ("draft".into(), 2));
    let mut other = candidate(&pool, "other@example.com").await;
    other
        .post("/practice/team-101", &[("size", "5")])
        .await
        .assert_status(422);
    // Retiring keeps the attempt that used it intact.
    owner
        .post(&wf, &[("action", "retire"), ("version", "2")])
        .await
        .assert_status(303);
    pupil
        .get(&format!("/attempts/{set}/items/1"))
        .await
        .assert_status(200)
        .assert_selector("select.slot[name='slot1']");
    let shown: i32 = sqlx::query_scalar(
        "SELECT v.version FROM attempt_items ai JOIN question_versions v ON v.id = ai.question_version_id
         WHERE ai.attempt_id = $1",
    )
    .bind(set)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(shown, 1);
    owner
        .get(&format!("{EXAM}/questions/team-drop/edit"))
        .await
        .assert_status(200);
    let r = post_fields(&mut owner, &format!("{EXAM}/questions/team-drop/edit"), &{
        let mut e = dropdown_fields("team-drop", "C");
        e.push(("based_on", "2".into()));
        e
    })
    .await;
    r.assert_status(422)
        .assert_contains("A retired question cannot be edited");
    owner
        .post(&wf, &[("action", "reopen"), ("version", "2")])
        .await
        .assert_status(303);
    assert_eq!(status_of(&pool, "team-drop").await.0, "draft");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn history_shows_a_readable_diff_and_revert_makes_a_new_equal_version(pool: PgPool) {
    let (mut owner, mut co) = team_exam(&pool).await;
    post_fields(
        &mut owner,
        &format!("{EXAM}/questions/new"),
        &dropdown_fields("team-drop", "A"),
    )
    .await
    .assert_status(303);
    let mut edit = dropdown_fields("team-drop", "B");
    edit.push(("based_on", "1".into()));
    edit.push(("note", "Key was wrong".into()));
    post_fields(
        &mut owner,
        &format!("{EXAM}/questions/team-drop/edit"),
        &edit,
    )
    .await
    .assert_status(303);
    // A second save from a page opened before the first is refused.
    post_fields(&mut co, &format!("{EXAM}/questions/team-drop/edit"), &edit)
        .await
        .assert_status(409)
        .assert_contains("was saved after you opened the editor");
    let history = owner
        .get(&format!("{EXAM}/questions/team-drop/history"))
        .await;
    history
        .assert_status(200)
        .assert_contains("Key was wrong")
        .assert_contains("Changes from version 1 to version 2");
    let removed: Vec<String> = history
        .select(".diff-line.removed code")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    let added: Vec<String> = history
        .select(".diff-line.added code")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert_eq!(removed, vec!["1: A".to_string()]);
    assert_eq!(added, vec!["1: B".to_string()]);
    owner
        .post(
            &format!("{EXAM}/questions/team-drop/revert"),
            &[("version", "1")],
        )
        .await
        .assert_status(303);
    let bodies: Vec<serde_json::Value> = sqlx::query_scalar(
        "SELECT v.body FROM question_versions v JOIN questions q ON q.id = v.question_id
         WHERE q.ext_id = 'team-drop' ORDER BY v.version",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(bodies.len(), 3);
    assert_eq!(bodies[2], bodies[0]);
    owner
        .get(&format!("{EXAM}/questions/team-drop/history?a=1&b=3"))
        .await
        .assert_contains("Reverted to version 1")
        .assert_contains("Changes from version 1 to version 3");
    assert!(owner
        .get(&format!("{EXAM}/questions/team-drop/history?a=1&b=3"))
        .await
        .select(".diff-line.added")
        .is_empty());
    owner
        .post(
            &format!("{EXAM}/questions/team-drop/revert"),
            &[("version", "9")],
        )
        .await
        .assert_status(400);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn reports_from_candidates_are_queued_with_the_answer_and_resolved_by_a_version(
    pool: PgPool,
) {
    let (mut owner, mut co) = team_exam(&pool).await;
    post_fields(
        &mut owner,
        &format!("{EXAM}/questions/new"),
        &dropdown_fields("team-drop", "A"),
    )
    .await
    .assert_status(303);
    let wf = format!("{EXAM}/questions/team-drop/workflow");
    owner
        .post(&wf, &[("action", "submit"), ("version", "1")])
        .await
        .assert_status(303);
    co.post(&wf, &[("action", "approve"), ("version", "1")])
        .await
        .assert_status(303);
    let mut pupil = candidate(&pool, "pupil@example.com").await;
    let set = attempt_id(
        pupil
            .post("/practice/team-101", &[("size", "5")])
            .await
            .location(),
    );
    pupil
        .post(
            &format!("/attempts/{set}/items/1"),
            &[
                ("revision", "0"),
                ("slot1", "B"),
                ("nav", "stay"),
                ("feedback", "Both command and sweep run this script."),
            ],
        )
        .await
        .assert_status(303);
    let queue = owner.get(&format!("{EXAM}/feedback")).await;
    queue
        .assert_status(200)
        .assert_contains("1 open report(s)")
        .assert_contains("Both command and sweep run this script.")
        .assert_contains("The candidate's answer")
        .assert_contains("sweep")
        .assert_contains("team-drop");
    owner
        .get("/author")
        .await
        .assert_contains("1 open report(s)");
    let key = format!("{set}:1");
    owner
        .post(
            &format!("{EXAM}/feedback/resolve"),
            &[("report", &key), ("version", ""), ("resolution", "")],
        )
        .await
        .assert_status(400);
    let mut edit = dropdown_fields("team-drop", "A");
    edit.retain(|(k, _)| *k != "stem");
    edit.push((
        "stem",
        "Complete the code to run one script.\n\n```python\njob = [[1]](code=\"./src\")\n```"
            .into(),
    ));
    edit.push(("based_on", "1".into()));
    post_fields(
        &mut owner,
        &format!("{EXAM}/questions/team-drop/edit"),
        &edit,
    )
    .await
    .assert_status(303);
    owner
        .post(
            &format!("{EXAM}/feedback/resolve"),
            &[
                ("report", &key),
                ("version", "2"),
                ("resolution", "Stem says one script"),
            ],
        )
        .await
        .assert_status(303);
    owner
        .get(&format!("{EXAM}/feedback"))
        .await
        .assert_contains("0 open report(s)");
    owner
        .get(&format!("{EXAM}/feedback?all=1"))
        .await
        .assert_contains("fixed in version 2")
        .assert_contains("Stem says one script");
    // Twice is not possible.
    owner
        .post(
            &format!("{EXAM}/feedback/resolve"),
            &[("report", &key), ("version", "2")],
        )
        .await
        .assert_status(404);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_bank_browser_searches_filters_sorts_and_pages(pool: PgPool) {
    common::import_bank(&pool, "question-bank/dp-100").await;
    let mut teacher = TestApp::new(pool.clone());
    signed_in_as(&mut teacher, "teach@example.com", "instructor").await;
    let base = "/author/exams/dp-100/questions";
    let all = teacher.get(base).await;
    all.assert_status(200);
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM questions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(total > 50);
    assert_eq!(all.select("table.bank-table tbody tr").len(), 50);
    all.assert_contains(&format!("{total} of {total} question(s) match"));
    // Filters: kind, then search by id.
    let drop = teacher.get(&format!("{base}?kind=dropdown")).await;
    let kinds: Vec<String> = drop
        .select("table.bank-table tbody tr td:nth-child(3)")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert!(!kinds.is_empty());
    assert!(kinds.iter().all(|k| k == "dropdown"), "{kinds:?}");
    let one: String = sqlx::query_scalar("SELECT ext_id FROM questions ORDER BY ext_id LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    teacher
        .get(&format!("{base}?q={one}"))
        .await
        .assert_contains(&one)
        .assert_contains("1 of");
    // Sorting by id, descending, and the pages keep the query.
    let sorted = teacher.get(&format!("{base}?sort=id&dir=desc")).await;
    let ids: Vec<String> = sorted
        .select("table.bank-table tbody tr td:first-child code")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    let mut want = ids.clone();
    want.sort_by(|a, b| b.cmp(a));
    assert_eq!(ids, want);
    sorted.assert_selector("th[aria-sort='descending']");
    sorted.assert_selector("a[rel='next'][href*='sort=id'][href*='dir=desc'][href*='page=2']");
    let page2 = teacher
        .get(&format!("{base}?sort=id&dir=desc&page=2"))
        .await;
    let ids2: Vec<String> = page2
        .select("table.bank-table tbody tr td:first-child code")
        .iter()
        .map(|e| e.text().collect())
        .collect();
    assert!(ids2.first() < ids.last(), "page 2 continues page 1");
    // Status filter and nonsense parameters.
    teacher
        .get(&format!("{base}?status=draft"))
        .await
        .assert_contains("0 of")
        .assert_contains("No question matches");
    teacher
        .get(&format!("{base}?sort=nonsense&page=abc&flag=look"))
        .await
        .assert_status(200);
}
