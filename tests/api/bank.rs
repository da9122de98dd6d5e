//! The bank format: every class of `bank check` problem with its file:line, and import
//! behaviour against the real database.

use crate::helpers as common;
use mockexam::bank;
use sqlx::PgPool;
use std::path::{Path, PathBuf};

const BLUEPRINT: &str = r#"
code = "T-1"
title = "Test exam"
duration_minutes = 10
question_count = 2
cut_percent = 70.0
[[domains]]
code = "d"
title = "Domain"
weight_min = 0
weight_max = 100
[[domains.objectives]]
code = "d.one"
group = "G"
title = "One"
"#;

const GOOD: &str = "# Question t-1
objective: d.one
kind: single
reference: https://learn.microsoft.com/en-us/azure/machine-learning/overview-what-is-azure-machine-learning

## Stem
Pick B.

## Options
- A) a
- B) b
- C) c

## Key
B

## Explanation
B is right; A and C are not.
";

fn temp_bank(files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mockexam-bank-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("exam.toml"), BLUEPRINT).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

fn problems(dir: &Path) -> Vec<String> {
    match bank::load(dir) {
        Ok(_) => vec![],
        Err(p) => p
            .iter()
            .map(|p| {
                format!(
                    "{}:{}: {}",
                    p.file.file_name().unwrap().to_string_lossy(),
                    p.line,
                    p.message
                )
            })
            .collect(),
    }
}

#[track_caller]
fn assert_problem(found: &[String], expected_prefix: &str, expected_text: &str) {
    assert!(
        found
            .iter()
            .any(|p| p.starts_with(expected_prefix) && p.contains(expected_text)),
        "expected `{expected_prefix} … {expected_text}` among:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_clean_bank_has_no_problems() {
    let dir = temp_bank(&[("q.md", GOOD)]);
    assert!(problems(&dir).is_empty(), "{:?}", problems(&dir));
}

#[test]
fn the_example_and_dp100_banks_are_clean() {
    for b in ["question-bank/example", "question-bank/dp-100"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(b);
        let found = problems(&dir);
        assert!(found.is_empty(), "{b}:\n{}", found.join("\n"));
    }
}

/// Every drop-down question of the shipped banks renders one `<select>` per blank, also where
/// the blank sits inside highlighted code, and every fenced code block in a known language
/// comes out highlighted.
#[test]
fn every_dropdown_blank_survives_highlighting() {
    use mockexam::domain::item::ItemBody;
    for b in ["question-bank/example", "question-bank/dp-100"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(b);
        let bank = bank::load(&dir).unwrap_or_else(|p| panic!("{b}: {p:?}"));
        let mut highlighted = 0;
        for item in &bank.items {
            let item = &item.value;
            let html = mockexam::markdown::to_html(&item.stem);
            if html.contains("class=\"hl-") {
                highlighted += 1;
            }
            if let ItemBody::Dropdown { slots, .. } = &item.body {
                let view = mockexam::web::item_view::build(
                    &item.body,
                    &item.stem,
                    &Default::default(),
                    None,
                    false,
                );
                for s in slots {
                    let select = format!("<select class=\"slot\" name=\"slot{}\"", s.number);
                    assert_eq!(
                        view.stem_html.matches(&select).count(),
                        1,
                        "{}: blank {} in {}",
                        item.id,
                        s.number,
                        view.stem_html
                    );
                }
                for n in 1..=9 {
                    assert!(
                        !view.stem_html.contains(&format!("[[{n}]]")),
                        "{}: {}",
                        item.id,
                        view.stem_html
                    );
                }
            }
        }
        assert!(highlighted > 0, "{b}: no highlighted code at all");
    }
}

#[test]
fn unknown_objective_is_reported_at_its_line() {
    let dir = temp_bank(&[(
        "q.md",
        &GOOD.replace("objective: d.one", "objective: d.onee"),
    )]);
    assert_problem(&problems(&dir), "q.md:2:", "unknown objective `d.onee`");
}

#[test]
fn key_naming_no_option_is_reported() {
    let dir = temp_bank(&[("q.md", &GOOD.replace("## Key\nB", "## Key\nE"))]);
    assert_problem(
        &problems(&dir),
        "q.md:15:",
        "key names option `E`, but the options are A–C",
    );
}

#[test]
fn duplicate_id_names_the_first_definition() {
    let dir = temp_bank(&[("a.md", GOOD), ("b.md", GOOD)]);
    assert_problem(
        &problems(&dir),
        "b.md:1:",
        "duplicate id `t-1` (first defined at",
    );
}

#[test]
fn missing_explanation_is_reported() {
    let text = GOOD.split("## Explanation").next().unwrap().to_string();
    let dir = temp_bank(&[("q.md", &text)]);
    assert_problem(&problems(&dir), "q.md:1:", "has no `## Explanation`");
}

#[test]
fn malformed_markup_is_reported_at_its_line() {
    let bad_list = GOOD.replace("- B) b", "- b is missing its label");
    assert_problem(
        &problems(&temp_bank(&[("q.md", &bad_list)])),
        "q.md:11:",
        "list items here look like `- A) text`",
    );
    let bad_meta = GOOD.replace("kind: single", "kind single");
    assert_problem(
        &problems(&temp_bank(&[("q.md", &bad_meta)])),
        "q.md:3:",
        "expected a `key: value` metadata line",
    );
    let bad_heading = format!("{GOOD}\n# Questoin t-2\n");
    assert_problem(
        &problems(&temp_bank(&[("q.md", &bad_heading)])),
        "q.md:20:",
        "unknown heading",
    );
    let unclosed = GOOD.replace("Pick B.", "Pick B.\n```python\nx = 1");
    assert_problem(
        &problems(&temp_bank(&[("q.md", &unclosed)])),
        "q.md:8:",
        "code block opened here is never closed",
    );
    let unknown_key = GOOD.replace("kind: single", "kind: single\ndifficulty: 3");
    assert_problem(
        &problems(&temp_bank(&[("q.md", &unknown_key)])),
        "q.md:4:",
        "unknown metadata key `difficulty`",
    );
}

#[test]
fn series_and_case_study_with_too_few_items_are_reported() {
    let series = "# Series s-1
title: A series

## Scenario
Goal.

# Question s-1-a
objective: d.one
kind: yesno
series: s-1
reference: https://learn.microsoft.com/en-us/azure/machine-learning/overview-what-is-azure-machine-learning

## Stem
A solution.

## Key
yes

## Explanation
Because.
";
    let case = "# Case study c-1
title: A case

## Tab: Overview
Text.

## Tab: Requirements
Text.
";
    let found = problems(&temp_bank(&[("s.md", series), ("c.md", case)]));
    assert_problem(
        &found,
        "s.md:1:",
        "series `s-1` has 1 question(s); a series needs at least 2",
    );
    assert_problem(
        &found,
        "c.md:1:",
        "case study `c-1` has 0 question(s); a case study needs at least 2",
    );
}

#[test]
fn dropdown_placeholders_must_match_slots() {
    let q = "# Question t-dd
objective: d.one
kind: dropdown
reference: https://learn.microsoft.com/en-us/azure/machine-learning/overview-what-is-azure-machine-learning

## Stem
```python
x = [[1]]
```

## Slot 1
- A) `1`
- B) `2`

## Slot 2
- A) `3`
- B) `4`

## Key
1: A
2: B

## Explanation
Because.
";
    assert_problem(
        &problems(&temp_bank(&[("q.md", q)])),
        "q.md:6:",
        "placeholders are [1] but the slots are [1, 2]",
    );
}

#[test]
fn coverage_rules_fail_the_check_at_the_blueprint_line() {
    let dir = temp_bank(&[("q.md", GOOD)]);
    let strict = BLUEPRINT.replace(
        "cut_percent = 70.0",
        "cut_percent = 70.0\nmin_questions_per_objective = 2",
    );
    std::fs::write(dir.join("exam.toml"), strict).unwrap();
    assert_problem(
        &problems(&dir),
        "exam.toml:",
        "objective `d.one` has 1 question(s); the blueprint asks for at least 2",
    );
}

async fn question_count(pool: &PgPool) -> (i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM questions), (SELECT count(*) FROM question_versions)",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn import_is_idempotent_and_versions_edits(pool: PgPool) {
    let first = common::import_bank(&pool, "question-bank/example").await;
    assert_eq!(
        (first.new_questions, first.new_versions, first.unchanged),
        (10, 0, 0)
    );
    let again = common::import_bank(&pool, "question-bank/example").await;
    assert_eq!(
        (again.new_questions, again.new_versions, again.unchanged),
        (0, 0, 10)
    );
    assert_eq!(question_count(&pool).await, (10, 10));

    // Edit one question in a copy of the bank: it becomes version 2, version 1 stays.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("question-bank/example");
    let dir = std::env::temp_dir().join(format!("mockexam-edit-{}", uuid::Uuid::new_v4()));
    copy_dir(&src, &dir);
    let f = dir.join("questions/standalone.md");
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(
        &f,
        text.replace(
            "Which compute should the job use?",
            "Which compute target should the job use?",
        ),
    )
    .unwrap();
    let edited = bank::import::import(&pool, &bank::load(&dir).unwrap())
        .await
        .unwrap();
    assert_eq!(
        (edited.new_questions, edited.new_versions, edited.unchanged),
        (0, 1, 9)
    );
    let versions: Vec<(i32, String)> = sqlx::query_as(
        "SELECT v.version, v.body->>'stem' FROM question_versions v JOIN questions q ON q.id = v.question_id
         WHERE q.ext_id = 'ex-single-compute' ORDER BY v.version",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(versions.len(), 2);
    assert!(versions[0].1.contains("Which compute should"));
    assert!(versions[1].1.contains("Which compute target should"));
    let current: i32 = sqlx::query_scalar(
        "SELECT v.version FROM questions q JOIN question_versions v ON v.id = q.current_version_id WHERE q.ext_id = 'ex-single-compute'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(current, 2);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_bank_with_one_bad_question_changes_nothing(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let before = question_count(&pool).await;
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("question-bank/example");
    let dir = std::env::temp_dir().join(format!("mockexam-bad-{}", uuid::Uuid::new_v4()));
    copy_dir(&src, &dir);
    let f = dir.join("questions/standalone.md");
    let text = std::fs::read_to_string(&f).unwrap();
    // One edit that is fine and one question whose key names no option.
    let text = text
        .replace(
            "Which compute should the job use?",
            "Edited stem that must not land",
        )
        .replace("## Key\nA, C", "## Key\nA, F");
    std::fs::write(&f, text).unwrap();
    let err = mockexam::bank::import_dir(&pool, &dir).await.unwrap_err();
    assert!(
        format!("{err:#}").contains("nothing was imported"),
        "{err:#}"
    );
    assert_eq!(question_count(&pool).await, before);
    let stems: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM question_versions WHERE body->>'stem' LIKE '%must not land%'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stems, 0);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn export_then_import_round_trips(pool: PgPool) {
    for b in ["question-bank/example", "question-bank/dp-100"] {
        common::import_bank(&pool, b).await;
    }
    for code in ["EX-100", "DP-100"] {
        let (bp, items, scenarios) = bank::import::load_from_db(&pool, code)
            .await
            .unwrap()
            .unwrap();
        let dir = std::env::temp_dir().join(format!("mockexam-export-{}", uuid::Uuid::new_v4()));
        bank::export::write_bank(&dir, &bp, &items, &scenarios).unwrap();
        let reloaded =
            bank::load(&dir).unwrap_or_else(|p| panic!("exported {code} does not check: {p:?}"));
        assert_eq!(reloaded.blueprint, bp);
        let mut a: Vec<_> = reloaded.items.iter().map(|i| i.value.clone()).collect();
        let mut b = items.clone();
        a.sort_by(|x, y| x.id.cmp(&y.id));
        b.sort_by(|x, y| x.id.cmp(&y.id));
        assert_eq!(a, b, "{code}: items survive export and import unchanged");
        let report = bank::import::import(&pool, &reloaded).await.unwrap();
        assert_eq!(
            report.new_versions + report.new_questions,
            0,
            "{code}: {report}"
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The exam row a start reads (`by_slug`).
async fn exam_row(pool: &PgPool) -> mockexam::db::exams::ExamRow {
    mockexam::db::exams::by_slug(pool, "ex-100")
        .await
        .unwrap()
        .expect("the example exam")
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_live_bank_a_process_keeps_follows_every_change_to_the_bank(pool: PgPool) {
    use mockexam::db::live_bank;
    common::import_bank(&pool, "question-bank/example").await;
    let exam = exam_row(&pool).await;
    let bank = live_bank::live(&pool, &exam).await.unwrap();
    assert_eq!(bank.questions.len(), 10);
    assert!(bank.revision >= exam.bank_revision);
    // Asked again with the same exam row: the same copy, nothing read.
    assert!(std::sync::Arc::ptr_eq(
        &bank,
        &live_bank::live(&pool, &exam).await.unwrap()
    ));
    let same = exam;

    // A question retired outside any import moves the revision in the same transaction…
    sqlx::query(
        "UPDATE questions SET status = 'retired', retired = true WHERE ext_id = 'ex-single-compute'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let after = exam_row(&pool).await;
    assert!(after.bank_revision > same.bank_revision);
    // …so the next start sees the bank without it.
    let fewer = live_bank::live(&pool, &after).await.unwrap();
    assert_eq!(fewer.questions.len(), 9);
    assert_eq!(fewer.revision, after.bank_revision);

    // A changed objective (its domain) counts as a change of the bank too.
    sqlx::query("UPDATE objectives SET domain_code = domain_code WHERE code = (SELECT min(code) FROM objectives)")
        .execute(&pool)
        .await
        .unwrap();
    assert!(exam_row(&pool).await.bank_revision > after.bank_revision);

    // A request holding an older exam row gets the newer copy rather than going back.
    let again = live_bank::live(&pool, &same).await.unwrap();
    assert!(again.revision >= fewer.revision);
    assert_eq!(again.questions.len(), 9);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_calibrated_bank_readiness_keeps_follows_versions_fits_and_blueprints(pool: PgPool) {
    use mockexam::engine::calibration::load_bank;
    common::import_bank(&pool, "question-bank/example").await;
    let exam = exam_row(&pool).await;
    let first = load_bank(&pool, &exam).await.unwrap();
    let n = first.versions.len();
    // Asked again with the same exam row: the same copy, nothing read or built.
    assert!(std::sync::Arc::ptr_eq(
        &first,
        &load_bank(&pool, &exam).await.unwrap()
    ));

    // A version inserted without touching its question (a draft) moves the revision…
    sqlx::query(
        "INSERT INTO question_versions (question_id, version, body, content_hash)
         SELECT question_id, version + 1, body, content_hash || '-draft' FROM question_versions
         WHERE question_id = (SELECT id FROM questions WHERE ext_id = 'ex-single-compute')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let after = exam_row(&pool).await;
    assert!(after.bank_revision > exam.bank_revision);
    // …so the next readiness page reads the versions again.
    let more = load_bank(&pool, &after).await.unwrap();
    assert_eq!(more.versions.len(), n + 1);

    // A calibration run moves it too: the next page uses the new parameters.
    let version: uuid::Uuid = sqlx::query_scalar(
        "SELECT current_version_id FROM questions WHERE ext_id = 'ex-single-compute'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let mut tx = pool.begin().await.unwrap();
    mockexam::db::calibration::store(
        &mut tx,
        after.id,
        &[mockexam::db::calibration::NewCalibration {
            version_id: version,
            a: 2.5,
            steps: vec![0.75],
            se_a: Some(0.1),
            se_b: Some(0.1),
            rasch_b: Some(0.7),
            rasch_se_b: Some(0.1),
            responses: 400,
            source: "fitted",
        }],
        mockexam::db::calibration::NewRun {
            responses: 400,
            patterns: 40,
            iterations: 12,
            converged: true,
            retest: Some((0.9, 0.05)),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let fitted = exam_row(&pool).await;
    assert!(fitted.bank_revision > after.bank_revision);
    let bank = load_bank(&pool, &fitted).await.unwrap();
    assert_eq!(bank.params[bank.index[&version]].a, 2.5);
    assert_eq!(bank.retest_offset, Some(0.9));
    assert_eq!(more.retest_offset, None);
    assert_ne!(more.params[more.index[&version]].a, 2.5);

    // And so does a new pass mark: the fresh form's model is built again under it.
    let cut_before = bank.form.as_ref().unwrap().cut_theta();
    sqlx::query(
        "UPDATE exams SET blueprint = jsonb_set(blueprint::jsonb, '{cut_percent}', '85')
         WHERE id = $1",
    )
    .bind(fitted.id)
    .execute(&pool)
    .await
    .unwrap();
    let stricter = exam_row(&pool).await;
    assert!(stricter.bank_revision > fitted.bank_revision);
    let cut_after = load_bank(&pool, &stricter)
        .await
        .unwrap()
        .form
        .as_ref()
        .unwrap()
        .cut_theta();
    assert!(cut_after > cut_before + 0.1, "{cut_before} → {cut_after}");

    // A request that read the exam row before the new pass mark gets the newer copy of the
    // versions and parameters, but under the blueprint of the row it holds, as the rest of its
    // page is.
    let older = load_bank(&pool, &fitted).await.unwrap();
    assert_eq!(older.blueprint, fitted.blueprint.0);
    assert!((older.form.as_ref().unwrap().cut_theta() - cut_before).abs() < 1e-9);
    assert_eq!(older.versions.len(), n + 1);
}
