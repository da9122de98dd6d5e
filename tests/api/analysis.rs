//! Item analysis: a fixture of submitted mocks written here (randomised forms, repeat attempts,
//! shuffled options, recorded times), every figure recomputed here independently — plain
//! formulas over the fixture, nothing from `domain::stats` — and compared with what the product
//! computes to 1e-9; the page, the CSV, the option table of the preview and the time on item
//! recorded as candidates move through a mock.

use crate::helpers as common;
use common::{candidate, signed_in_as, TestApp};
use mockexam::db::analysis::AttemptScope;
use sqlx::PgPool;
use std::collections::HashMap;
use uuid::Uuid;

/// The four fixture questions of the example bank: (id, points, random-guess share).
const QUESTIONS: [(&str, f64, f64); 4] = [
    ("ex-single-compute", 1.0, 0.25),
    // Choose 2 of 4 with a key of 2: 2 × 2 / 4 right picks of 2 on average.
    ("ex-multiple-data", 2.0, 0.5),
    // Two blanks of three choices each.
    ("ex-dropdown-job", 2.0, 1.0 / 3.0),
    ("ex-grid-storage", 3.0, 0.5),
];

/// One scored question of one fixture attempt.
#[derive(Debug, Clone)]
struct Item {
    question: usize,
    position: i32,
    points: f64,
    /// What was chosen, as written: option ids for the single and multiple question.
    chosen: Vec<String>,
    response: serde_json::Value,
    seconds: Option<f64>,
}

#[derive(Debug, Clone)]
struct Attempt {
    candidate: usize,
    /// Minutes before now it started: a candidate's first attempt started earliest.
    started_minutes_ago: i64,
    items: Vec<Item>,
}

/// A small deterministic generator, so the fixture is the same on every run.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// 30 candidates; every third one sat a second mock later. Each form shows three or four of the
/// four questions in a shuffled order; ability rises with the candidate's number. Option D of the
/// single question is never chosen, and the strongest candidates prefer C to the key B.
fn fixture() -> Vec<Attempt> {
    let mut rng = Lcg(20261130);
    let mut out = vec![];
    for c in 0..30usize {
        let sittings = if c % 3 == 0 { 2 } else { 1 };
        for s in 0..sittings {
            let ability = (c as f64 + 0.5) / 30.0 + 0.15 * s as f64;
            let mut shown: Vec<usize> = (0..4).collect();
            if rng.next() < 0.4 {
                shown.remove((rng.next() * 4.0) as usize % 4);
            }
            for i in (1..shown.len()).rev() {
                let j = (rng.next() * (i + 1) as f64) as usize % (i + 1);
                shown.swap(i, j);
            }
            let items = shown
                .iter()
                .enumerate()
                .map(|(p, &q)| {
                    let right = |rng: &mut Lcg| rng.next() < ability;
                    let (points, chosen, response) = match q {
                        0 => {
                            let pick = if c >= 24 && s == 0 {
                                "C"
                            } else if right(&mut rng) {
                                "B"
                            } else {
                                "A"
                            };
                            (
                                (pick == "B") as u8 as f64,
                                vec![pick.to_string()],
                                serde_json::json!({"kind": "single", "choice": pick}),
                            )
                        }
                        1 => {
                            let first = if right(&mut rng) { "A" } else { "B" };
                            let second = if right(&mut rng) { "C" } else { "D" };
                            let points = (first == "A") as u8 + (second == "C") as u8;
                            (
                                points as f64,
                                vec![second.to_string(), first.to_string()],
                                serde_json::json!({"kind": "multiple", "choices": [second, first]}),
                            )
                        }
                        2 => {
                            let a = if right(&mut rng) { "A" } else { "B" };
                            let b = if right(&mut rng) { "A" } else { "C" };
                            (
                                ((a == "A") as u8 + (b == "A") as u8) as f64,
                                vec![],
                                serde_json::json!({"kind": "dropdown", "slots": [a, b]}),
                            )
                        }
                        _ => {
                            let key = [true, true, false];
                            let given: Vec<bool> = key
                                .iter()
                                .map(|k| if right(&mut rng) { *k } else { !*k })
                                .collect();
                            let points = given.iter().zip(key).filter(|(g, k)| **g == *k).count();
                            (
                                points as f64,
                                vec![],
                                serde_json::json!({"kind": "grid", "answers": given}),
                            )
                        }
                    };
                    Item {
                        question: q,
                        position: p as i32 + 1,
                        points,
                        chosen,
                        response,
                        // Some items have no recorded time (taken before it was recorded).
                        seconds: (rng.next() < 0.85).then(|| (20.0 + rng.next() * 200.0).round()),
                    }
                })
                .collect();
            out.push(Attempt {
                candidate: c,
                started_minutes_ago: 10_000 - 1_000 * s as i64 - c as i64,
                items,
            });
        }
    }
    out
}

/// Writes the fixture as submitted full mocks of EX-100; returns the exam's id.
async fn seed(pool: &PgPool, attempts: &[Attempt]) -> mockexam::types::ExamId {
    common::import_bank(pool, "question-bank/example").await;
    let exam = mockexam::db::exams::by_slug(pool, "ex-100")
        .await
        .unwrap()
        .unwrap();
    let mut versions = vec![];
    for (ext_id, _, _) in QUESTIONS {
        let v: Uuid = sqlx::query_scalar(
            "SELECT current_version_id FROM questions WHERE exam_id = $1 AND ext_id = $2",
        )
        .bind(exam.id)
        .bind(ext_id)
        .fetch_one(pool)
        .await
        .unwrap();
        versions.push(v);
    }
    let mut users: HashMap<usize, Uuid> = HashMap::new();
    for a in attempts {
        let user = match users.get(&a.candidate) {
            Some(u) => *u,
            None => {
                let u: Uuid = sqlx::query_scalar(
                    "INSERT INTO users (email, display_name, password_hash)
                     VALUES ($1, 'Fixture', 'x') RETURNING id",
                )
                .bind(format!("fixture{}@example.com", a.candidate))
                .fetch_one(pool)
                .await
                .unwrap();
                users.insert(a.candidate, u);
                u
            }
        };
        let points: f64 = a.items.iter().map(|i| i.points).sum();
        let max: f64 = a.items.iter().map(|i| QUESTIONS[i.question].1).sum();
        let id: Uuid = sqlx::query_scalar(
            "INSERT INTO attempts (user_id, exam_id, mode, seed, status, started_at, deadline_at,
                                   submitted_at, submit_reason, points, max_points)
             VALUES ($1, $2, 'exam', 1, 'submitted', now() - make_interval(mins => $3),
                     now() - make_interval(mins => $3 - 20), now() - make_interval(mins => $3 - 15),
                     'candidate', $4, $5)
             RETURNING id",
        )
        .bind(user)
        .bind(exam.id)
        .bind(a.started_minutes_ago as i32)
        .bind(points as i32)
        .bind(max as i32)
        .fetch_one(pool)
        .await
        .unwrap();
        for it in &a.items {
            // The options were shown shuffled; counts must follow the written ids anyway.
            let permutation = serde_json::json!({"options": ["D", "C", "A", "B"]});
            sqlx::query(
                "INSERT INTO attempt_items (attempt_id, position, question_version_id, section,
                     section_kind, permutation, response, points, max_points, seconds_on_item,
                     answered_at, first_viewed_at)
                 VALUES ($1, $2, $3, 1, 'standalone', $4, $5, $6, $7, $8, now(), now())",
            )
            .bind(id)
            .bind(it.position)
            .bind(versions[it.question])
            .bind(&permutation)
            .bind(&it.response)
            .bind(it.points as i32)
            .bind(QUESTIONS[it.question].1 as i32)
            .bind(it.seconds)
            .execute(pool)
            .await
            .unwrap();
        }
    }
    exam.id
}

/// The attempts in a scope: each candidate's earliest, or all.
fn in_scope(attempts: &[Attempt], all: bool) -> Vec<&Attempt> {
    let mut first: HashMap<usize, &Attempt> = HashMap::new();
    for a in attempts {
        let e = first.entry(a.candidate).or_insert(a);
        if a.started_minutes_ago > e.started_minutes_ago {
            *e = a;
        }
    }
    attempts
        .iter()
        .filter(|a| all || std::ptr::eq(first[&a.candidate], *a))
        .collect()
}

fn avg(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Σ (a − ā)(b − b̄).
fn co_sum(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (avg(a), avg(b));
    a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum()
}

fn middle(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Figures of one question, recomputed from the fixture.
#[derive(Debug, Default)]
struct Expected {
    n: usize,
    facility: f64,
    sd: f64,
    guess: f64,
    intended: f64,
    effective: f64,
    discrimination: f64,
    efficiency: f64,
    part: f64,
    median_seconds: f64,
    /// Single question only: chosen and chosen by the strongest third, per option A–D.
    chosen: Vec<usize>,
    strong: Vec<usize>,
}

struct ExpectedTest {
    s: usize,
    mean: f64,
    median: f64,
    sd: f64,
    skewness: f64,
    kurtosis: f64,
    alpha: f64,
    error_ratio: f64,
    standard_error: f64,
    histogram: [usize; 10],
}

fn max_of(a: &Attempt) -> f64 {
    a.items.iter().map(|i| QUESTIONS[i.question].1).sum()
}

fn total_of(a: &Attempt) -> f64 {
    a.items.iter().map(|i| i.points).sum()
}

fn expected_questions(attempts: &[&Attempt]) -> Vec<Expected> {
    // Effective weights: √ of the covariance of each question's share of the percentage score
    // with that score, over the attempts that showed it; then each question's share of the sum
    // over the questions of an attempt, averaged over its attempts.
    let mut root_cov = [0.0; 4];
    for (q, slot) in root_cov.iter_mut().enumerate() {
        let rows: Vec<(&Attempt, &Item)> = attempts
            .iter()
            .filter_map(|a| a.items.iter().find(|i| i.question == q).map(|i| (*a, i)))
            .collect();
        let c: Vec<f64> = rows
            .iter()
            .map(|(a, i)| 100.0 * i.points / max_of(a))
            .collect();
        let t: Vec<f64> = rows
            .iter()
            .map(|(a, _)| 100.0 * total_of(a) / max_of(a))
            .collect();
        let covariance = co_sum(&c, &t) / (rows.len() as f64 - 1.0);
        *slot = if covariance > 0.0 {
            covariance.sqrt()
        } else {
            0.0
        };
    }
    (0..4)
        .map(|q| {
            let rows: Vec<(&Attempt, &Item)> = attempts
                .iter()
                .filter_map(|a| a.items.iter().find(|i| i.question == q).map(|i| (*a, i)))
                .collect();
            let n = rows.len();
            let max = QUESTIONS[q].1;
            let x: Vec<f64> = rows.iter().map(|(_, i)| i.points / max).collect();
            let rest: Vec<f64> = rows
                .iter()
                .map(|(a, i)| (total_of(a) - i.points) / (max_of(a) - max))
                .collect();
            let (sxx, srr, sxr) = (co_sum(&x, &x), co_sum(&rest, &rest), co_sum(&x, &rest));
            let mut xs = x.clone();
            let mut rs = rest.clone();
            xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
            rs.sort_by(|a, b| a.partial_cmp(b).unwrap());
            let p = avg(&x);
            let nf = n as f64;
            let seconds: Vec<f64> = rows.iter().filter_map(|(_, i)| i.seconds).collect();
            let mut e = Expected {
                n,
                facility: 100.0 * p,
                sd: 100.0 * (sxx / (nf - 1.0)).sqrt(),
                guess: 100.0 * QUESTIONS[q].2,
                intended: 100.0
                    * avg(&rows
                        .iter()
                        .map(|(a, _)| max / max_of(a))
                        .collect::<Vec<_>>()),
                effective: 100.0 * root_cov[q]
                    / avg(&rows
                        .iter()
                        .map(|(a, _)| a.items.iter().map(|i| root_cov[i.question]).sum::<f64>())
                        .collect::<Vec<_>>()),
                discrimination: 100.0 * sxr / (sxx * srr).sqrt(),
                efficiency: 100.0 * sxr / co_sum(&xs, &rs),
                // Covariance per part over the variance of a one-part question of this facility.
                part: 100.0 * (sxr / (nf - 1.0))
                    / (p * (1.0 - p) * nf / (nf - 1.0) * srr / (nf - 1.0)).sqrt(),
                median_seconds: middle(&seconds),
                ..Default::default()
            };
            if q == 0 {
                let mut sorted = rest.clone();
                sorted.sort_by(|a, b| b.partial_cmp(a).unwrap());
                let cut = sorted[n.div_ceil(3) - 1];
                for option in ["A", "B", "C", "D"] {
                    let picked: Vec<usize> = (0..n)
                        .filter(|k| rows[*k].1.chosen.iter().any(|c| c == option))
                        .collect();
                    e.chosen.push(picked.len());
                    e.strong
                        .push(picked.iter().filter(|k| rest[**k] >= cut).count());
                }
            }
            e
        })
        .collect()
}

fn expected_test(attempts: &[&Attempt]) -> ExpectedTest {
    let scores: Vec<f64> = attempts
        .iter()
        .map(|a| 100.0 * total_of(a) / max_of(a))
        .collect();
    let s = scores.len() as f64;
    let mean = avg(&scores);
    let m = |k: i32| scores.iter().map(|x| (x - mean).powi(k)).sum::<f64>() / s;
    let (m2, m3, m4) = (m(2), m(3), m(4));
    // Adjusted Fisher–Pearson skewness and the sample excess kurtosis (as spreadsheets compute
    // them): algebraically the k-statistic ratios Moodle uses, written differently.
    let g1 = m3 / m2.powf(1.5);
    let g2 = m4 / (m2 * m2) - 3.0;
    let skewness = (s * (s - 1.0)).sqrt() / (s - 2.0) * g1;
    let kurtosis = (s - 1.0) / ((s - 2.0) * (s - 3.0)) * ((s + 1.0) * g2 + 6.0);
    let variance = co_sum(&scores, &scores) / (s - 1.0);
    // α over positions: each position's share of the percentage score.
    let positions: Vec<i32> = {
        let mut p: Vec<i32> = attempts
            .iter()
            .flat_map(|a| a.items.iter().map(|i| i.position))
            .collect();
        p.sort();
        p.dedup();
        p
    };
    let sum_var: f64 = positions
        .iter()
        .map(|p| {
            let v: Vec<f64> = attempts
                .iter()
                .filter_map(|a| {
                    a.items
                        .iter()
                        .find(|i| i.position == *p)
                        .map(|i| 100.0 * i.points / max_of(a))
                })
                .collect();
            co_sum(&v, &v) / (v.len() as f64 - 1.0)
        })
        .sum();
    let k = positions.len() as f64;
    let alpha = 100.0 * k / (k - 1.0) * (1.0 - sum_var / variance);
    let error_ratio = 100.0 * (1.0 - alpha / 100.0).sqrt();
    let mut histogram = [0; 10];
    for x in &scores {
        histogram[if *x >= 100.0 { 9 } else { (*x / 10.0) as usize }] += 1;
    }
    ExpectedTest {
        s: scores.len(),
        mean,
        median: middle(&scores),
        sd: variance.sqrt(),
        skewness,
        kurtosis,
        alpha,
        error_ratio,
        standard_error: error_ratio / 100.0 * variance.sqrt(),
        histogram,
    }
}

#[track_caller]
fn close(what: &str, got: Option<f64>, want: f64) {
    let got = got.unwrap_or_else(|| panic!("{what}: no figure, expected {want}"));
    assert!(
        (got - want).abs() < 1e-9,
        "{what}: computed {got}, independent {want}"
    );
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn every_figure_equals_an_independent_recomputation(pool: PgPool) {
    let fixture = fixture();
    let exam = seed(&pool, &fixture).await;
    for (scope, all) in [(AttemptScope::First, false), (AttemptScope::All, true)] {
        let chosen = in_scope(&fixture, all);
        let got = mockexam::engine::analysis::analyse(&pool, exam, scope)
            .await
            .unwrap();
        let want_test = expected_test(&chosen);
        let t = &got.test;
        assert_eq!(t.attempts, want_test.s, "{scope:?}");
        close("mean", t.mean, want_test.mean);
        close("median", t.median, want_test.median);
        close("sd", t.sd, want_test.sd);
        close("skewness", t.skewness, want_test.skewness);
        close("kurtosis", t.kurtosis, want_test.kurtosis);
        close("alpha", t.alpha, want_test.alpha);
        close("error ratio", t.error_ratio, want_test.error_ratio);
        close("standard error", t.standard_error, want_test.standard_error);
        assert_eq!(t.histogram, want_test.histogram);
        let want = expected_questions(&chosen);
        for (q, e) in want.iter().enumerate() {
            let figures = got
                .questions
                .iter()
                .find(|f| f.question.ext_id == QUESTIONS[q].0)
                .unwrap();
            let s = figures.stats.as_ref().unwrap();
            let name = |f: &str| format!("{scope:?} {} {f}", QUESTIONS[q].0);
            assert_eq!(s.n, e.n, "{}", name("n"));
            close(&name("facility"), Some(s.facility), e.facility);
            close(&name("sd"), s.sd, e.sd);
            close(&name("random guess"), s.random_guess, e.guess);
            close(
                &name("intended weight"),
                Some(s.intended_weight),
                e.intended,
            );
            close(&name("effective weight"), s.effective_weight, e.effective);
            close(&name("discrimination"), s.discrimination, e.discrimination);
            close(&name("efficiency"), s.efficiency, e.efficiency);
            close(
                &name("per-part discrimination"),
                s.part_discrimination,
                e.part,
            );
            close(&name("median time"), s.median_seconds, e.median_seconds);
            if q == 0 {
                let d = s.distractors.as_ref().unwrap();
                let chosen: Vec<usize> = d.counts[0].iter().map(|c| c.chosen).collect();
                let strong: Vec<usize> = d.counts[0].iter().map(|c| c.strong).collect();
                assert_eq!(chosen, e.chosen, "{}", name("chosen"));
                assert_eq!(strong, e.strong, "{}", name("strongest third"));
            }
        }
        // The single question: D never chosen; C preferred by the strongest third.
        let single = got
            .questions
            .iter()
            .find(|f| f.question.ext_id == "ex-single-compute")
            .unwrap();
        let flags = single.flag_texts();
        assert!(
            flags.contains(&"Nobody chose option D".to_string()),
            "{flags:?}"
        );
        if !all {
            assert!(
                flags.contains(
                    &"Strong candidates chose option C more often than the key".to_string()
                ),
                "{flags:?}"
            );
        }
    }
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_page_shows_every_figure_sorts_and_toggles_attempts(pool: PgPool) {
    let fixture = fixture();
    seed(&pool, &fixture).await;
    let mut instructor = TestApp::new(pool.clone());
    signed_in_as(&mut instructor, "teach@example.com", "instructor").await;
    let page = instructor.get("/author/exams/ex-100/analysis").await;
    page.assert_status(200)
        .assert_contains("Item analysis")
        .assert_contains("Each candidate's first submitted full mock")
        .assert_contains("Cronbach's α")
        .assert_contains("Error ratio")
        .assert_contains("Per-part discrimination")
        .assert_contains("Nobody chose option D")
        .assert_selector("svg.histogram")
        .assert_selector("a[href='/author/exams/ex-100/questions/ex-grid-storage']")
        .assert_selector("a[href='/author/exams/ex-100/analysis.csv?attempts=first']");
    assert_eq!(page.select("svg.histogram rect.bar-fill").len(), 10);
    let first = expected_test(&in_scope(&fixture, false));
    page.assert_contains(&format!("{:.1} %", first.mean));
    // Every question of the bank has a row; the four answered ones show their answer counts.
    let rows = page.select("table.analysis-table tbody tr");
    let bank: i64 = sqlx::query_scalar("SELECT count(*) FROM questions")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows.len() as i64, bank);

    // Sorted by facility, lowest first: the first row is the hardest question.
    let want = expected_questions(&in_scope(&fixture, false));
    let hardest = (0..4)
        .min_by(|a, b| want[*a].facility.partial_cmp(&want[*b].facility).unwrap())
        .unwrap();
    let sorted = instructor
        .get("/author/exams/ex-100/analysis?attempts=first&sort=facility&dir=asc")
        .await;
    let first_row = sorted.select("table.analysis-table tbody tr th code")[0]
        .text()
        .collect::<String>();
    assert_eq!(first_row, QUESTIONS[hardest].0);
    sorted.assert_selector(
        "th[aria-sort='ascending'] a[href='?attempts=first&sort=facility&dir=desc']",
    );

    // All attempts: the other count and the way back.
    let all = instructor
        .get("/author/exams/ex-100/analysis?attempts=all")
        .await;
    let every = expected_test(&in_scope(&fixture, true));
    all.assert_status(200)
        .assert_contains("Every submitted full mock (40 from 30 candidate(s))")
        .assert_contains(&format!("{:.1} %", every.mean))
        .assert_contains("Analyse first attempts only");

    // Nonsense in the address: the page explains and shows the default view.
    instructor
        .get("/author/exams/ex-100/analysis?sort=%3Cscript%3E&attempts=some&dir=up")
        .await
        .assert_status(200)
        .assert_contains("“<script>” is not a column to sort by; sorted by flags.")
        .assert_contains("“some” is not a choice of attempts")
        .assert_contains("“up” is not a sort direction");
    instructor
        .get("/author/exams/no-such-exam/analysis")
        .await
        .assert_status(404);

    // Candidates get 404, as on every /author page.
    let mut pupil = candidate(&pool, "pupil@example.com").await;
    pupil
        .get("/author/exams/ex-100/analysis")
        .await
        .assert_status(404);
    pupil
        .get("/author/exams/ex-100/analysis.csv")
        .await
        .assert_status(404);
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_csv_holds_the_figures_for_tooling(pool: PgPool) {
    let fixture = fixture();
    seed(&pool, &fixture).await;
    let mut instructor = TestApp::new(pool.clone());
    signed_in_as(&mut instructor, "teach@example.com", "instructor").await;
    let r = instructor.get("/author/exams/ex-100/analysis.csv").await;
    r.assert_status(200);
    assert_eq!(
        r.headers.get("content-type").unwrap(),
        "text/csv; charset=utf-8"
    );
    assert_eq!(
        r.headers.get("content-disposition").unwrap(),
        "attachment; filename=\"ex-100-item-analysis-first.csv\""
    );
    let mut lines = r.body.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "question_id,n,facility,sd,discrimination,efficiency,part_discrimination,random_guess,intended_weight,effective_weight,median_seconds,kind,flags"
    );
    let want = expected_questions(&in_scope(&fixture, false));
    let rows: HashMap<String, Vec<String>> = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let fields = split_csv(l);
            (fields[0].clone(), fields)
        })
        .collect();
    for (q, e) in want.iter().enumerate() {
        let f = &rows[QUESTIONS[q].0];
        let num = |i: usize| Some(f[i].parse::<f64>().unwrap());
        assert_eq!(f[1], e.n.to_string());
        close("csv facility", num(2), e.facility);
        close("csv sd", num(3), e.sd);
        close("csv discrimination", num(4), e.discrimination);
        close("csv efficiency", num(5), e.efficiency);
        close("csv per-part", num(6), e.part);
        close("csv guess", num(7), e.guess);
        close("csv intended", num(8), e.intended);
        close("csv effective", num(9), e.effective);
        close("csv time", num(10), e.median_seconds);
    }
    // A flag list with a comma-free but quoted-worthy text stays one field.
    assert!(rows["ex-single-compute"][12].contains("Nobody chose option D"));
    // Unanswered questions have their row with n = 0 and empty figures.
    let order = &rows["ex-order-deploy"];
    assert_eq!((order[1].as_str(), order[2].as_str()), ("0", ""));
}

/// RFC 4180 fields of one line.
fn split_csv(line: &str) -> Vec<String> {
    let mut out = vec![];
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    out.push(field);
    out
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_preview_counts_each_option_as_written(pool: PgPool) {
    let fixture = fixture();
    seed(&pool, &fixture).await;
    let mut instructor = TestApp::new(pool.clone());
    signed_in_as(&mut instructor, "teach@example.com", "instructor").await;
    let page = instructor
        .get("/author/exams/ex-100/questions/ex-single-compute")
        .await;
    page.assert_status(200)
        .assert_contains("How candidates answered")
        .assert_contains("by option as written")
        .assert_contains("Nobody chose option D");
    let want = &expected_questions(&in_scope(&fixture, false))[0];
    let counts: Vec<String> = page
        .select("section[aria-labelledby='options-title'] tbody tr td:nth-child(3)")
        .iter()
        .map(|td| td.text().collect::<String>())
        .collect();
    let expected: Vec<String> = want.chosen.iter().map(|c| c.to_string()).collect();
    assert_eq!(counts, expected);
    // A question nobody answered says so.
    instructor
        .get("/author/exams/ex-100/questions/ex-order-deploy")
        .await
        .assert_status(200)
        .assert_contains("No first attempt has answered the current version");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn time_on_item_is_credited_as_the_candidate_moves_on(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = candidate(&pool, "timed@example.com").await;
    let r = app.post("/exams/ex-100/attempts", &[]).await;
    r.assert_status(303);
    let id = common::attempt_id(r.location());
    let seconds = |p: i32| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, Option<f64>>(
                "SELECT seconds_on_item FROM attempt_items WHERE attempt_id = $1 AND position = $2",
            )
            .bind(id)
            .bind(p)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let back = |secs: i32| {
        let pool = pool.clone();
        async move {
            sqlx::query(
                "UPDATE attempts SET viewing_since = viewing_since - make_interval(secs => $2)
                 WHERE id = $1",
            )
            .bind(id)
            .bind(secs as f64)
            .execute(&pool)
            .await
            .unwrap();
        }
    };
    app.get(&format!("/attempts/{id}/items/1"))
        .await
        .assert_status(200);
    assert_eq!(seconds(1).await, Some(0.0));
    // 42 s on the first question, then the second opens.
    back(42).await;
    app.get(&format!("/attempts/{id}/items/2"))
        .await
        .assert_status(200);
    let first = seconds(1).await.unwrap();
    assert!((42.0..44.0).contains(&first), "{first}");
    // Back to the first question for 10 s more: it adds up.
    app.get(&format!("/attempts/{id}/items/1"))
        .await
        .assert_status(200);
    back(10).await;
    // A tab left open for two hours counts 20 minutes at most; the review screen stops it.
    app.get(&format!("/attempts/{id}/review"))
        .await
        .assert_status(200);
    let first = seconds(1).await.unwrap();
    assert!((52.0..56.0).contains(&first), "{first}");
    app.get(&format!("/attempts/{id}/items/3"))
        .await
        .assert_status(200);
    back(7200).await;
    app.post(&format!("/attempts/{id}/submit"), &[])
        .await
        .assert_status(303);
    let third = seconds(3).await.unwrap();
    assert!((1199.0..=1200.0).contains(&third), "{third}");
    let open: Option<i32> =
        sqlx::query_scalar("SELECT viewing_position FROM attempts WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(open, None);
}
