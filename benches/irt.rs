//! Measures the readiness model, the item calibration and the adaptive check on the independent
//! simulator (`domain::sim`), and prints the figures docs/readiness.md quotes.
//!
//!   cargo bench --bench irt                      # everything
//!   cargo bench --bench irt -- recovery          # IRT recovery, 300 items × 2,000 candidates
//!   cargo bench --bench irt -- recovery DIR      # …and write the data and estimates to DIR
//!   cargo bench --bench irt -- readiness [N]     # calibration of pass chances, N candidates
//!   cargo bench --bench irt -- adaptive [N [MAX]] # the adaptive check against full mocks
//!                                                 (MAX: explore another question cap)
//!
//! Exploring the check's settings (the product uses `adaptive::Config::default()`):
//! CAT_SLACK (content-balancing slack, questions), CAT_RANDOM (questions of progressive
//! randomness), CAT_EXPOSURE (largest share of checks per question).
//!
//! IRT_BANK=question-bank/ai-300 runs any of them on that bank folder's shape instead of
//! DP-100's (`tests/fixtures/dp100-items.json`). Exploring banks that do not exist yet:
//! IRT_REPEAT=K grows the bank to K times its size with questions of the same shape (each with
//! its own hidden parameters), IRT_EXTRA=N:P adds N standalone questions of P points.
//!
//! SIM="retest_bonus=1.0,part_jitter=0,rate_range=0.01:0.05" measures in a world with other
//! settings than `sim::Settings::default()` (any field; ranges as lo:hi).
//!
//! MODEL="rate_sd=0.025,…" runs the readiness measurement with other ability-model settings
//! (rate_mean, rate_sd, drift_var, rate_var, retest_offset, repeat_weight).
//!
//! No database is needed. `scripts/irt-crosscheck` compares the recovery estimates with the
//! Python package girth.
#![allow(clippy::needless_range_loop)]

use mockexam::domain::ability::{Answer, Sitting, SittingKind};
use mockexam::domain::adaptive::{self, Config};
use mockexam::domain::blueprint::Blueprint;
use mockexam::domain::forecast::{self, BankItem, FormModel, Params, Result1};
use mockexam::domain::irt::calibrate::{calibrate, Model, Options, Response};
use mockexam::domain::irt::{correlation, ItemParams};
use mockexam::domain::readiness;
use mockexam::domain::sim::{Dice, Kind, Person, Settings, World};
use std::io::Write;
use std::time::Instant;

struct Bank {
    bp: Blueprint,
    shape: Vec<(usize, u32)>,
    standalone: Vec<bool>,
}

fn bank() -> Bank {
    let mut b = bank_base();
    if let Ok(extra) = std::env::var("IRT_EXTRA") {
        let (n, p) = extra.split_once(':').unwrap();
        let (n, p): (usize, u32) = (n.parse().unwrap(), p.parse().unwrap());
        let areas = b.bp.domains.len();
        for i in 0..n {
            b.shape.push((i % areas, p));
            b.standalone.push(true);
        }
    }
    if let Some(k) = std::env::var("IRT_REPEAT")
        .ok()
        .and_then(|v| v.parse::<f64>().ok())
    {
        let n = b.shape.len();
        let extra = ((k - 1.0) * n as f64).round() as usize;
        for i in 0..extra {
            b.shape.push(b.shape[i % n]);
            b.standalone.push(b.standalone[i % n]);
        }
    }
    let mut hist = std::collections::BTreeMap::new();
    // What the check chooses from: standalone questions by points.
    for (i, &(_, p)) in b.shape.iter().enumerate() {
        if b.standalone[i] {
            *hist.entry(p).or_insert(0) += 1;
        }
    }
    println!("standalone questions by points: {hist:?}");
    b
}

fn bank_base() -> Bank {
    if let Ok(dir) = std::env::var("IRT_BANK") {
        return bank_from_folder(std::path::Path::new(&dir));
    }
    let v: serde_json::Value =
        serde_json::from_str(include_str!("../tests/fixtures/dp100-items.json")).unwrap();
    let bp: Blueprint = serde_json::from_value(v["blueprint"].clone()).unwrap();
    let items = v["items"].as_array().unwrap();
    let shape = items
        .iter()
        .map(|it| {
            let d = bp
                .domains
                .iter()
                .position(|d| d.code == it["domain"].as_str().unwrap())
                .unwrap();
            (d, it["points"].as_u64().unwrap() as u32)
        })
        .collect();
    let standalone = items.iter().map(|it| it["group"].is_null()).collect();
    Bank {
        bp,
        shape,
        standalone,
    }
}

/// The shape of a bank folder as shipped (`IRT_BANK=question-bank/ai-300`): each question's
/// area and points, and whether it stands alone.
fn bank_from_folder(dir: &std::path::Path) -> Bank {
    let loaded = mockexam::bank::load(dir)
        .unwrap_or_else(|p| panic!("{}: {} problem(s) in the bank", dir.display(), p.len()));
    let bp = loaded.blueprint;
    let items: Vec<_> = loaded.items.into_iter().map(|l| l.value).collect();
    let shape = items
        .iter()
        .map(|it| {
            let area = bp
                .domain_of_objective(&it.objective)
                .expect("every objective belongs to an area");
            let d = bp.domains.iter().position(|d| d.code == area.code).unwrap();
            (d, mockexam::domain::scoring::max_points(&it.body))
        })
        .collect();
    let standalone = items
        .iter()
        .map(|it| it.case.is_none() && it.series.is_none())
        .collect();
    println!(
        "bank {}: {} questions ({} standalone)",
        dir.display(),
        items.len(),
        items
            .iter()
            .filter(|it| it.case.is_none() && it.series.is_none())
            .count()
    );
    Bank {
        bp,
        shape,
        standalone,
    }
}

fn world(b: &Bank, seed: u64) -> World {
    let counts = readiness::form_counts(&b.bp).unwrap();
    World::new(
        b.bp.clone(),
        &b.shape,
        counts,
        settings(),
        &mut Dice::new(seed),
    )
}

/// The simulator's settings, with SIM="name=value,…" overriding any of them (a robustness
/// check: the same model measured in worlds it was not tuned on).
fn settings() -> Settings {
    let mut s = Settings::default();
    let overrides = pairs("SIM");
    if overrides.is_empty() {
        return s;
    }
    for (k, v) in &overrides {
        let (k, v) = (k.as_str(), v.as_str());
        let num = |v: &str| v.parse::<f64>().expect("a number");
        let range = |v: &str| {
            let (lo, hi) = v.split_once(':').expect("a range lo:hi");
            (num(lo), num(hi))
        };
        match k {
            "ability_mean" => s.ability_mean = num(v),
            "ability_sd" => s.ability_sd = num(v),
            "area_sd" => s.area_sd = num(v),
            "improving_share" => s.improving_share = num(v),
            "rate_range" => s.rate_range = range(v),
            "retest_bonus" => s.retest_bonus = num(v),
            "blank_rate" => s.blank_rate = num(v),
            "span_days" => s.span_days = range(v),
            "checked_share" => s.checked_share = num(v),
            "log_a" => s.log_a = range(v),
            "difficulty" => s.difficulty = range(v),
            "part_jitter" => s.part_jitter = num(v),
            "testlet_sd" => s.testlet_sd = range(v),
            "mocks" => {
                let (lo, hi) = range(v);
                s.mocks = (lo as usize, hi as usize);
            }
            "practice_sets" => {
                let (lo, hi) = range(v);
                s.practice_sets = (lo as usize, hi as usize);
            }
            other => panic!("SIM: no setting named {other}"),
        }
    }
    println!("simulator settings: {s:?}");
    s
}

/// The `name=value` pairs of a comma-separated environment variable (none when it is unset).
fn pairs(var: &str) -> Vec<(String, String)> {
    std::env::var(var)
        .unwrap_or_default()
        .split(',')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p
                .split_once('=')
                .unwrap_or_else(|| panic!("{var} takes name=value pairs"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// Calibrates the world's questions from a cohort's histories (each sitting one response
/// pattern; only first exposures), as the product does from its attempts.
fn calibrate_world(w: &World, cohort: usize, seed: u64) -> Vec<ItemParams> {
    calibrate_world_and_retest(w, cohort, seed).0
}

/// The calibration, and the retest offset estimated from the same cohort's repeated answers
/// (as `engine::calibration::refresh` does).
fn calibrate_world_and_retest(
    w: &World,
    cohort: usize,
    seed: u64,
) -> (Vec<ItemParams>, Option<(f64, f64)>) {
    let started = Instant::now();
    let mut dice = Dice::new(seed);
    let (mut responses, mut repeats) = (Vec::new(), Vec::new());
    let mut person = 0u32;
    for _ in 0..cohort {
        let who = w.person(&mut dice);
        let h = w.history(&who, &mut dice);
        for s in &h.sittings {
            for g in &s.answers {
                let r = Response {
                    person,
                    item: g.question as u32,
                    score: g.points as u8,
                };
                if g.seen_before {
                    repeats.push(r);
                } else {
                    responses.push(r);
                }
            }
            person += 1;
        }
    }
    let maxes: Vec<usize> = w.questions.iter().map(|q| q.points() as usize).collect();
    let fit = calibrate(&maxes, &responses, Model::TwoPl, &Options::default());
    let truth_b: Vec<f64> = w
        .questions
        .iter()
        .map(|q| q.parts.iter().map(|p| p.1).sum::<f64>() / q.parts.len() as f64)
        .collect();
    let est_b: Vec<f64> = fit.items.iter().map(|f| f.params.b()).collect();
    println!(
        "calibration cohort: {cohort} candidates, {person} sittings, {} first-exposure responses; GPCM fit in {} EM iterations ({:.1?}); r(b, mean true part difficulty) = {:.3}",
        responses.len(),
        fit.iterations,
        started.elapsed(),
        correlation(&est_b, &truth_b)
    );
    let params: Vec<ItemParams> = fit.items.into_iter().map(|f| f.params).collect();
    let retest = mockexam::domain::irt::retest::estimate(&params, &responses, &repeats);
    if let Some((r, se)) = retest {
        println!(
            "retest offset from {} repeated answers: {r:.3} logit (SE {se:.3}; the simulator's hidden bonus is {})",
            repeats.len(),
            w.settings.retest_bonus
        );
    }
    (params, retest)
}

#[derive(Default)]
struct Group {
    predicted: Vec<f64>,
    outcome: Vec<f64>,
    naive: Vec<f64>,
    truth: Vec<f64>,
    covered: usize,
    /// Candidates whose true chance is between 5% and 95%, and how many of their intervals hold it.
    mid: usize,
    mid_covered: usize,
}

impl Group {
    fn ece(p: &[f64], y: &[f64]) -> f64 {
        let mut bins = vec![(0usize, 0.0, 0.0); 10];
        for (p, y) in p.iter().zip(y) {
            let b = ((p * 10.0) as usize).min(9);
            bins[b].0 += 1;
            bins[b].1 += p;
            bins[b].2 += y;
        }
        let n = p.len() as f64;
        bins.iter()
            .filter(|b| b.0 > 0)
            .map(|&(k, s, t)| k as f64 / n * (s / k as f64 - t / k as f64).abs())
            .sum()
    }
    fn brier(p: &[f64], y: &[f64]) -> f64 {
        p.iter().zip(y).map(|(p, y)| (p - y).powi(2)).sum::<f64>() / p.len() as f64
    }
    fn print(&self, name: &str) -> (f64, f64, f64, f64) {
        let n = self.predicted.len();
        let ece = Self::ece(&self.predicted, &self.outcome);
        let ece_truth = Self::ece(&self.predicted, &self.truth);
        let brier = Self::brier(&self.predicted, &self.outcome);
        let naive = Self::brier(&self.naive, &self.outcome);
        let bias = self
            .predicted
            .iter()
            .zip(&self.truth)
            .map(|(p, t)| p - t)
            .sum::<f64>()
            / n as f64;
        let coverage = self.covered as f64 / n as f64;
        let mid_coverage = self.mid_covered as f64 / self.mid.max(1) as f64;
        let passed = self.outcome.iter().sum::<f64>() / n as f64;
        println!(
            "  {name:<10} n={n:<5} passed {:>5.1}%  ECE {ece:.3} (vs true chance {ece_truth:.3})  Brier {brier:.3} vs last-mock≥700 {naive:.3}  bias {bias:+.3}  90% interval covers true chance {:.1}% ({:.1}% of the {} with a true chance of 5–95%)",
            100.0 * passed,
            100.0 * coverage,
            100.0 * self.mid_covered as f64 / self.mid.max(1) as f64,
            self.mid
        );
        (ece, brier, naive, mid_coverage)
    }
}

fn readiness_bench(n: usize) -> bool {
    let b = bank();
    let w = world(&b, 11);
    let (fitted, retest) = calibrate_world_and_retest(&w, 2000, 12);
    let bank_items: Vec<BankItem> = fitted
        .iter()
        .zip(&w.questions)
        .map(|(p, q)| BankItem {
            domain: q.domain,
            params: p.clone(),
        })
        .collect();
    let form = FormModel::new(&w.bp, &bank_items);
    let mut params = Params::default();
    if let Some((r, _)) = retest {
        params.ability.retest_offset = r;
    }
    // MODEL="rate_mean=…,rate_sd=…": another setting of the ability model, to explore.
    let model = pairs("MODEL");
    if !model.is_empty() {
        let a = &mut params.ability;
        for (k, v) in &model {
            let v: f64 = v.parse().expect("a number");
            match k.as_str() {
                "rate_mean" => a.rate_mean = v,
                "rate_sd" => a.rate_sd = v,
                "drift_var" => a.drift_var = v,
                "rate_var" => a.rate_var = v,
                "retest_offset" => a.retest_offset = v,
                "repeat_weight" => a.repeat_weight = v,
                other => panic!("MODEL: no setting named {other}"),
            }
        }
        println!("ability model: {a:?}");
    }
    let mut dice = Dice::new(13);
    let (mut all, mut stable, mut improving) =
        (Group::default(), Group::default(), Group::default());
    let started = Instant::now();
    let mut reliability = vec![(0usize, 0.0, 0.0); 10];
    for c in 0..n {
        let who = w.person(&mut dice);
        let h = w.history(&who, &mut dice);
        let (sittings, answers, results) = evidence(&h, &w);
        let f = forecast::forecast(
            &w.bp,
            &fitted,
            form.as_ref(),
            &sittings,
            &answers,
            &results,
            None,
            &params,
            c as u64,
        );
        let Some(today) = f.today else { continue };
        let passed = w.exam(&who, &vec![false; w.questions.len()], h.today, &mut dice);
        let truth = w.true_chance(&who, h.today, 400, &mut dice);
        let naive = h
            .sittings
            .iter()
            .rev()
            .find(|s| s.kind == Kind::Mock)
            .is_some_and(|s| s.passed);
        let y = if passed { 1.0 } else { 0.0 };
        let bin = ((today.probability * 10.0) as usize).min(9);
        reliability[bin].0 += 1;
        reliability[bin].1 += today.probability;
        reliability[bin].2 += y;
        for g in [
            &mut all,
            if who.improving {
                &mut improving
            } else {
                &mut stable
            },
        ] {
            g.predicted.push(today.probability);
            g.outcome.push(y);
            g.naive.push(if naive { 1.0 } else { 0.0 });
            g.truth.push(truth);
            // The true chance is itself a Monte Carlo estimate over 400 fresh forms: the interval
            // covers it when it meets the truth's own 95% Monte Carlo range.
            let half = 1.96 * (truth * (1.0 - truth) / 400.0).sqrt() + 0.5 / 400.0;
            if today.low <= truth + half && truth - half <= today.high {
                g.covered += 1;
            }
            if (0.05..=0.95).contains(&truth) {
                g.mid += 1;
                if today.low <= truth && truth <= today.high {
                    g.mid_covered += 1;
                }
            }
        }
    }
    println!(
        "readiness: {} simulated candidates with estimates ({:.1?}); outcome = a fresh 50-question form today",
        all.predicted.len(),
        started.elapsed()
    );
    println!("  bin        n  predicted  passed");
    for (i, (k, p, y)) in reliability.iter().enumerate() {
        println!(
            "  {:.1}–{:.1} {k:>5}  {:>9.3}  {:>6.3}",
            i as f64 / 10.0,
            (i + 1) as f64 / 10.0,
            p / (*k).max(1) as f64,
            y / (*k).max(1) as f64
        );
    }
    let mut ok = true;
    for (name, g) in [
        ("all", &all),
        ("stable", &stable),
        ("improving", &improving),
    ] {
        let (ece, brier, naive, coverage) = g.print(name);
        ok &= ece <= 0.05 && brier < naive && (0.85..=0.95).contains(&coverage);
    }
    println!(
        "  targets (ECE ≤ 0.05, Brier below the rule, coverage 85–95% where the true chance is 5–95%): {}",
        if ok { "met" } else { "NOT met" }
    );
    ok
}

/// The product's view of a simulated history: sittings by age, answers, mock results.
fn evidence(
    h: &mockexam::domain::sim::History,
    w: &World,
) -> (Vec<Sitting>, Vec<Answer>, Vec<Result1>) {
    let mut sittings = Vec::new();
    let mut answers = Vec::new();
    let mut results = Vec::new();
    for (i, s) in h.sittings.iter().enumerate() {
        let age = h.today - s.day;
        let kind = match s.kind {
            Kind::Mock => SittingKind::Mock,
            Kind::Practice => SittingKind::Practice,
        };
        sittings.push(Sitting {
            kind,
            age_days: age,
        });
        for g in &s.answers {
            answers.push(Answer {
                sitting: i,
                domain: w.questions[g.question].domain,
                item: g.question,
                score: g.points,
                seen_before: g.seen_before,
                checked: g.checked,
            });
        }
        if s.kind == Kind::Mock {
            results.push(Result1 {
                kind,
                age_days: age,
                scaled: s.scaled,
                passed: s.passed,
                date: format!("day {:.0}", s.day),
            });
        }
    }
    (sittings, answers, results)
}

fn recovery_bench(export: Option<&str>) -> bool {
    let b = bank();
    let settings = Settings::default();
    let mut dice = Dice::new(21);
    // 300 one-part questions from the world's distributions, 2,000 candidates, complete data.
    let truth: Vec<(f64, f64)> = (0..300)
        .map(|_| {
            (
                (settings.log_a.0 + settings.log_a.1 * dice.normal()).exp(),
                settings.difficulty.0 + settings.difficulty.1 * dice.normal(),
            )
        })
        .collect();
    let _ = &b;
    let people = 2000;
    let mut responses = Vec::with_capacity(300 * people);
    let mut matrix = vec![vec![0u8; people]; 300];
    for p in 0..people {
        let theta = dice.normal();
        for (i, &(a, d)) in truth.iter().enumerate() {
            let y = dice.chance(1.0 / (1.0 + (-a * (theta - d)).exp()));
            matrix[i][p] = y as u8;
            responses.push(Response {
                person: p as u32,
                item: i as u32,
                score: y as u8,
            });
        }
    }
    let started = Instant::now();
    let two = calibrate(&[1; 300], &responses, Model::TwoPl, &Options::default());
    let t2 = started.elapsed();
    let started = Instant::now();
    let one = calibrate(&[1; 300], &responses, Model::Rasch, &Options::default());
    let t1 = started.elapsed();
    let ta: Vec<f64> = truth.iter().map(|t| t.0).collect();
    let tb: Vec<f64> = truth.iter().map(|t| t.1).collect();
    let ea: Vec<f64> = two.items.iter().map(|f| f.params.a).collect();
    let eb: Vec<f64> = two.items.iter().map(|f| f.params.b()).collect();
    let rb: Vec<f64> = one.items.iter().map(|f| f.params.b()).collect();
    let r_b = correlation(&eb, &tb);
    let r_a = correlation(&ea, &ta);
    let covered = two
        .items
        .iter()
        .zip(&truth)
        .filter(|(f, t)| (f.params.b() - t.1).abs() <= 1.96 * f.se_b)
        .count();
    println!("recovery: 300 one-point questions × {people} candidates (complete data)");
    println!(
        "  2PL:   {} EM iterations, {t2:.1?}; r(difficulty) = {r_b:.4}, r(discrimination) = {r_a:.4}; 95% SE intervals hold the true difficulty for {:.1}%",
        two.iterations,
        100.0 * covered as f64 / 300.0
    );
    println!(
        "  Rasch: {} EM iterations, {t1:.1?}; shared a = {:.3}; r(difficulty) = {:.4}",
        one.iterations,
        one.items[0].params.a,
        correlation(&rb, &tb)
    );
    if let Some(dir) = export {
        std::fs::create_dir_all(dir).unwrap();
        let mut f = std::fs::File::create(format!("{dir}/responses.csv")).unwrap();
        for row in &matrix {
            let line: Vec<String> = row.iter().map(|v| v.to_string()).collect();
            writeln!(f, "{}", line.join(",")).unwrap();
        }
        let mut f = std::fs::File::create(format!("{dir}/estimates.csv")).unwrap();
        writeln!(f, "true_a,true_b,a_2pl,b_2pl,b_rasch,a_rasch").unwrap();
        for i in 0..300 {
            writeln!(
                f,
                "{},{},{},{},{},{}",
                ta[i], tb[i], ea[i], eb[i], rb[i], one.items[i].params.a
            )
            .unwrap();
        }
        println!("  wrote {dir}/responses.csv (questions × candidates) and {dir}/estimates.csv");
    }
    let ok = r_b >= 0.95 && r_a >= 0.85;
    println!(
        "  targets (r ≥ 0.95 difficulties, ≥ 0.85 discriminations): {}",
        if ok { "met" } else { "NOT met" }
    );
    ok
}

fn adaptive_bench(n: usize, max_items: Option<usize>) -> bool {
    let b = bank();
    let w = world(&b, 31);
    let fitted = calibrate_world(&w, 2000, 32);
    let all: Vec<BankItem> = fitted
        .iter()
        .zip(&w.questions)
        .map(|(p, q)| BankItem {
            domain: q.domain,
            params: p.clone(),
        })
        .collect();
    // The check uses standalone questions only (case studies and series need their context).
    let pool: Vec<usize> = (0..all.len()).filter(|&i| b.standalone[i]).collect();
    let cat_bank: Vec<BankItem> = pool.iter().map(|&i| all[i].clone()).collect();
    let form = FormModel::new(&w.bp, &all).unwrap();
    let counts = w.counts.clone();
    let targets: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
    let mut cfg = Config::default();
    if let Some(m) = max_items {
        // An exploratory run with a different cap (the product uses the default).
        cfg.max_items = m;
    }
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<f64>().ok());
    if let Some(v) = env("CAT_SLACK") {
        cfg.content_slack = v;
    }
    if let Some(v) = env("CAT_RANDOM") {
        cfg.random_items = v as usize;
    }
    if let Some(v) = env("CAT_EXPOSURE") {
        cfg.max_exposure = v;
    }
    // What this bank allows at all: a full form's expected information against the best 20
    // standalone questions with no exposure limit, and against 20 questions whose average is that
    // of the 100 most informative (a 20 % cap spreads 20 questions per check over at least 100).
    println!("information available (test information; a full mock's posterior sd needs about the full form's):");
    for t in [-1.0, -0.5, 0.0, 0.5, 1.0] {
        let mut infos: Vec<f64> = cat_bank.iter().map(|b| b.params.information(t)).collect();
        infos.sort_by(|a, b| b.total_cmp(a));
        let top20: f64 = infos.iter().take(20).sum();
        let capped = 20.0 * infos.iter().take(100).sum::<f64>() / 100.0;
        let full = 1.0 / adaptive::full_form_se(&all, &counts, t).powi(2) - 1.0;
        println!(
            "  theta {t:+.1}: full form {full:.1}; best 20 standalone questions {top20:.1}; 20 under a 20% cap at most about {capped:.1}"
        );
    }
    let mut dice = Dice::new(33);
    let mut exposure = vec![0u32; cat_bank.len()];
    let (mut items_used, mut cat_se, mut full_se, mut reached) = (0usize, 0.0, 0.0, 0usize);
    let (mut cat_right, mut full_right) = (0usize, 0usize);
    for c in 0..n {
        let who: Person = w.person(&mut dice);
        let day = dice.uniform(0.0, 60.0);
        let truth = w.true_chance(&who, day, 200, &mut dice) >= 0.5;
        // The check.
        let mut given: Vec<usize> = Vec::new();
        let mut answers: Vec<(usize, u32)> = Vec::new();
        let mut excluded = vec![false; cat_bank.len()];
        let (theta, se, target) = loop {
            let (theta, se) = adaptive::estimate(&cat_bank, &answers, 0.0, cfg.prior_sd);
            let target = adaptive::full_form_se(&all, &counts, theta);
            if adaptive::should_stop(given.len(), se, target, &cfg) {
                break (theta, se, target);
            }
            let Some(i) = adaptive::next_item(
                &cat_bank,
                &targets,
                &given,
                theta,
                &excluded,
                &exposure,
                c as u32,
                &cfg,
                dice.seed(),
            ) else {
                break (theta, se, target);
            };
            excluded[i] = true;
            given.push(i);
            let points = w.answer(&who, pool[i], day, false, &mut dice);
            answers.push((i, points));
        };
        for &i in &given {
            exposure[i] += 1;
        }
        items_used += given.len();
        cat_se += se;
        if se <= target {
            reached += 1;
        }
        let cat_pass = form.pass_given(&vec![theta; counts.len()]).0 >= 0.5;
        // A full mock of the same candidate on the same day.
        let mut seen = vec![false; w.questions.len()];
        let f = w.form(&seen, &mut dice);
        let (full_answers, _, full_pass) = w.sit(&who, &f, day, &mut seen, &mut dice);
        let fa: Vec<(usize, u32)> = full_answers
            .iter()
            .map(|g| (g.question, g.points))
            .collect();
        full_se += adaptive::estimate(&all, &fa, 0.0, cfg.prior_sd).1;
        cat_right += usize::from(cat_pass == truth);
        full_right += usize::from(full_pass == truth);
    }
    let nf = n as f64;
    let max_exposure = exposure.iter().copied().max().unwrap_or(0) as f64 / nf;
    let mean_items = items_used as f64 / nf;
    println!(
        "adaptive check: {n} simulated candidates, a full mock each on the same day for comparison"
    );
    println!(
        "  items: mean {mean_items:.1} of 50 ({:.0}%), stopped by precision {:.1}%; posterior sd {:.3} vs full mock {:.3}",
        100.0 * mean_items / 50.0,
        100.0 * reached as f64 / nf,
        cat_se / nf,
        full_se / nf
    );
    println!(
        "  pass/fail classification (truth: true chance ≥ 50%): check {:.1}%, full mock {:.1}%",
        100.0 * cat_right as f64 / nf,
        100.0 * full_right as f64 / nf
    );
    println!(
        "  most-shown question: {:.1}% of checks",
        100.0 * max_exposure
    );
    let ok = mean_items <= 20.0
        && cat_se / nf <= full_se / nf + 0.005
        && cat_right >= full_right
        && max_exposure <= 0.2;
    println!(
        "  targets (≤ 40% of items at a full mock's SE, accuracy ≥ full mock, exposure ≤ 20%): {}",
        if ok { "met" } else { "NOT met" }
    );
    ok
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let what = args.first().map(String::as_str).unwrap_or("all");
    let n = |default: usize| args.get(1).and_then(|s| s.parse().ok()).unwrap_or(default);
    let ok = match what {
        "recovery" => recovery_bench(args.get(1).map(String::as_str)),
        "readiness" => readiness_bench(n(2500)),
        "adaptive" => adaptive_bench(n(2000), args.get(2).and_then(|s| s.parse().ok())),
        _ => {
            let a = recovery_bench(None);
            let b = readiness_bench(2500);
            let c = adaptive_bench(2000, None);
            a && b && c
        }
    };
    if !ok {
        std::process::exit(1);
    }
}
