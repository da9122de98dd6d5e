//! Item-analysis benchmark.
//!
//! 1. The computation alone (`domain::stats::analyse`): 500 questions × 200,000 scored answers
//!    (4,000 attempts of 50 questions drawn from the 500), with option picks and times.
//! 2. The flag-bias simulation of docs/item-analysis.md (`domain::stats_sim::part_bias`).
//! 3. The whole analysis of an exam through the database (`engine::analysis::analyse`): the
//!    DP-100 bank with 200,000 answer rows of 4,000 candidates' first mocks and about 1,200 repeat
//!    mocks, timed before and after ANALYZE, with the query and the computation apart.
//!
//!   DATABASE_URL=postgres://… cargo bench --bench analysis

#[path = "common.rs"]
mod common;

use mockexam::db::analysis::AttemptScope;
use mockexam::domain::stats::{self, Answer, ChoicePart, ChoiceTable, QuestionInfo};
use mockexam::domain::stats_sim;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn synthetic(
    questions: usize,
    attempts: usize,
    per_attempt: usize,
) -> (Vec<QuestionInfo>, Vec<Answer>) {
    let mut rng = ChaCha8Rng::seed_from_u64(500);
    let info: Vec<QuestionInfo> = (0..questions)
        .map(|q| QuestionInfo {
            random_guess: Some(0.25),
            choices: (q % 2 == 0).then(|| ChoiceTable {
                parts: vec![ChoicePart {
                    label: "Options".into(),
                    options: (0..4)
                        .map(|o| (format!("{o}"), String::new(), o == 1))
                        .collect(),
                }],
                distractors: true,
            }),
        })
        .collect();
    let difficulty: Vec<f64> = (0..questions).map(|_| rng.gen_range(-2.0..2.0)).collect();
    let parts: Vec<u32> = (0..questions)
        .map(|q| 1 + (q % 7 == 0) as u32 * 2)
        .collect();
    let mut answers = Vec::with_capacity(attempts * per_attempt);
    for a in 0..attempts {
        let theta: f64 = rng.gen_range(-2.5..2.5);
        let start = rng.gen_range(0..questions);
        for p in 0..per_attempt {
            let q = (start + p * 7) % questions;
            let chance = 1.0 / (1.0 + (-(theta - difficulty[q])).exp());
            let points = (0..parts[q]).filter(|_| rng.gen::<f64>() < chance).count() as f64;
            let picks = info[q].choices.as_ref().map(|_| {
                vec![(
                    0u16,
                    if points > 0.0 {
                        1
                    } else {
                        rng.gen_range(0..4u16)
                    },
                )]
            });
            answers.push(Answer {
                attempt: a as u32,
                question: q as u32,
                position: p as u32 + 1,
                points,
                max: parts[q] as f64,
                seconds: Some(rng.gen_range(10.0..300.0)),
                picks,
            });
        }
    }
    (info, answers)
}

#[tokio::main]
async fn main() {
    // 1. The computation.
    let (info, answers) = synthetic(500, 4_000, 50);
    let mut runs = vec![];
    let mut flagged = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let a = stats::analyse(&info, &answers);
        runs.push(t.elapsed());
        flagged = a.questions.iter().filter(|q| !q.flags.is_empty()).count();
    }
    println!(
        "computation: {} questions x {} answers: median {:.1?} of 5 runs (min {:.1?}, max {:.1?}); {} questions flagged",
        info.len(),
        answers.len(),
        median(runs.clone()),
        runs.iter().min().unwrap(),
        runs.iter().max().unwrap(),
        flagged
    );

    // 2. The flag-bias simulation.
    println!(
        "\nflag bias: 20 forms x 1,500 candidates, every part a 2PL item with a = 1.0, b ~ N(0, 1)"
    );
    println!("parts | questions | discrimination index | discriminative efficiency | per-part discrimination | weak (<20) by index | weak by per-part");
    for r in stats_sim::part_bias(2026, 20, 1_500, 1.0) {
        println!(
            "{:>5} | {:>9} | {:>20.1} | {:>25.1} | {:>23.1} | {:>18.1}% | {:>15.1}%",
            r.parts,
            r.questions,
            r.discrimination,
            r.efficiency,
            r.part_discrimination,
            r.weak_by_index,
            r.weak_by_part
        );
    }

    // 3. Through the database.
    let (pool, url) = common::fresh_database("mockexam_bench_analysis").await;
    let exam = mockexam::db::exams::by_slug(&pool, "dp-100")
        .await
        .unwrap()
        .unwrap();
    let started = Instant::now();
    for sql in [
        "INSERT INTO users (email, display_name, password_hash)
         SELECT 'item' || g || '@bench.mockexam', 'Item', 'x' FROM generate_series(1, 4000) g",
        // Every candidate's first mock; those whose number ends in 0, 4 or 8 sat a second one.
        "INSERT INTO attempts (user_id, exam_id, mode, seed, status, started_at, submitted_at,
                               submit_reason, points, max_points, scaled_score, passed)
         SELECT u.id, $1, 'exam', g, 'submitted', now() - (3 - g) * interval '1 day',
                now() - (3 - g) * interval '1 day' + interval '90 minutes', 'candidate', 30, 50, 650, false
         FROM users u, generate_series(1, 2) g
         WHERE u.email LIKE 'item%@bench.mockexam'
           AND (g = 1 OR substring(u.email from 5 for 8)::text ~ '^[0-9]*[048]@')",
        "INSERT INTO attempt_items (attempt_id, position, question_version_id, section, section_kind,
                                    permutation, response, answered_at, points, max_points, seconds_on_item)
         SELECT a.id, p, v.ids[1 + (abs(hashtext(a.id::text)) + p * 7) % array_length(v.ids, 1)], p,
                'standalone', '{}'::jsonb,
                '{\"kind\": \"single\", \"choice\": \"A\"}'::jsonb,
                a.submitted_at, (abs(hashtext(a.id::text || p)) % 3 > 0)::int, 1,
                20 + abs(hashtext(p || a.id::text)) % 200
         FROM attempts a JOIN users u ON u.id = a.user_id,
              generate_series(1, 50) p,
              (SELECT array_agg(qv.id) AS ids FROM question_versions qv
               JOIN questions q ON q.current_version_id = qv.id) v
         WHERE u.email LIKE 'item%@bench.mockexam'",
    ] {
        let q = sqlx::query(sql);
        let q = if sql.contains("$1") { q.bind(exam.id) } else { q };
        q.execute(&pool).await.unwrap();
    }
    let (rows, mocks): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT attempt_id) FROM attempt_items")
            .fetch_one(&pool)
            .await
            .unwrap();
    let questions: i64 = sqlx::query_scalar("SELECT count(*) FROM questions")
        .fetch_one(&pool)
        .await
        .unwrap();
    println!(
        "\ndatabase: {questions} questions, {mocks} submitted mocks, {rows} answer rows (seeded in {:.1?})",
        started.elapsed()
    );
    for label in ["without planner statistics", "after ANALYZE"] {
        if label == "after ANALYZE" {
            mockexam::db::analyze(&pool).await.unwrap();
        }
        for scope in [AttemptScope::First, AttemptScope::All] {
            let (mut whole, mut query, mut compute) = (vec![], vec![], vec![]);
            let mut n = 0;
            for _ in 0..5 {
                let t = Instant::now();
                let a = mockexam::engine::analysis::analyse(&pool, exam.id, scope)
                    .await
                    .unwrap();
                whole.push(t.elapsed());
                n = a.test.attempts;
                let t = Instant::now();
                let (qs, rows) = tokio::try_join!(
                    mockexam::db::analysis::questions(&pool, exam.id),
                    mockexam::db::analysis::answers(&pool, exam.id, scope)
                )
                .unwrap();
                query.push(t.elapsed());
                let t = Instant::now();
                let _ = mockexam::engine::analysis::compute(&qs, &rows);
                compute.push(t.elapsed());
            }
            println!(
                "{label}, {scope:?} attempts ({n} mocks): whole analysis median {:.1?}; queries {:.1?}; computation {:.1?} (median of 5)",
                median(whole),
                median(query),
                median(compute)
            );
        }
    }
    common::drop_database(pool, &url).await;
}
