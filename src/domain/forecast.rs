//! The chance of passing a fresh form, today and on a target date, from the ability model
//! (`ability`) and the calibrated bank (`irt`), with the reasons in words.
//!
//! A fresh form has the blueprint's questions per skill area, drawn from the live bank. Given
//! abilities θ_d, a form's points minus the pass line, `Y = Σ (X_i − c·m_i)` (c the cut share,
//! m_i a question's points), is approximately normal: per question its mean and variance average
//! the GPCM over the area's questions, and the variance adds the spread between questions (the
//! luck of the form). So `P(pass | θ) = Φ(E[Y] / sd[Y])`. The pass chance is the mean of that
//! over draws of θ from the ability model's belief; its interval, the quantiles over the draws.
// Numeric code indexes several parallel arrays and matrices by the same counter.
#![allow(clippy::needless_range_loop)]

use super::ability::{self, Answer, Sitting, SittingKind, State};
use super::blueprint::Blueprint;
use super::irt::{normal_cdf, ItemParams};
use super::readiness;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// A live question a fresh form may draw.
#[derive(Debug, Clone, PartialEq)]
pub struct BankItem {
    pub domain: usize,
    pub params: ItemParams,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassChance {
    pub probability: f64,
    pub low: f64,
    pub high: f64,
    pub expected_scaled: u32,
    pub scaled_low: u32,
    pub scaled_high: u32,
}

/// A skill area: the share of its points the candidate would earn now, or unknown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaEstimate {
    pub answers: u32,
    /// `None` until the area has answers: an untested area is unknown, not 50 %.
    pub share: Option<(f64, f64, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub today: Option<PassChance>,
    /// Days ahead and the chance then (the trend carried forward, uncertainty widening).
    pub target: Option<(i64, PassChance)>,
    pub areas: Vec<AreaEstimate>,
    /// Why the figure is what it is, in plain sentences.
    pub reasons: Vec<String>,
    pub too_little_data: Option<String>,
    /// Estimated learning, in scaled points per week.
    pub points_per_week: Option<f64>,
}

/// What the candidate's mocks and checks scored, for the sentences.
#[derive(Debug, Clone, PartialEq)]
pub struct Result1 {
    pub kind: SittingKind,
    pub age_days: f64,
    pub scaled: u32,
    pub passed: bool,
    pub date: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    pub ability: ability::Params,
    pub gate: readiness::Params,
    pub draws: usize,
    pub interval: f64,
    /// Projections stop growing after this many days.
    pub horizon_days: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            ability: ability::Params::default(),
            gate: readiness::Params::default(),
            draws: 1000,
            interval: 0.9,
            horizon_days: 180.0,
        }
    }
}

const GRID_LO: f64 = -7.0;
const GRID_STEP: f64 = 0.05;
const GRID_N: usize = 281;

/// Per area and θ on a grid: mean and variance of Y per question, mean points earned per question.
pub struct FormModel {
    counts: Vec<u32>,
    max_per_question: Vec<f64>,
    mean_y: Vec<Vec<f64>>,
    var_y: Vec<Vec<f64>>,
    mean_x: Vec<Vec<f64>>,
}

impl FormModel {
    /// `None` when the blueprint cannot make a form or an area a form needs has no questions.
    pub fn new(bp: &Blueprint, bank: &[BankItem]) -> Option<FormModel> {
        let counts = readiness::form_counts(bp)?;
        let cut = bp.cut_percent / 100.0;
        let d = bp.domains.len();
        let mut model = FormModel {
            counts: counts.clone(),
            max_per_question: vec![0.0; d],
            mean_y: vec![vec![0.0; GRID_N]; d],
            var_y: vec![vec![0.0; GRID_N]; d],
            mean_x: vec![vec![0.0; GRID_N]; d],
        };
        for area in 0..d {
            let items: Vec<&BankItem> = bank.iter().filter(|b| b.domain == area).collect();
            if items.is_empty() {
                if counts[area] > 0 {
                    return None;
                }
                continue;
            }
            let n = items.len() as f64;
            model.max_per_question[area] =
                items.iter().map(|b| b.params.max() as f64).sum::<f64>() / n;
            for g in 0..GRID_N {
                let theta = GRID_LO + g as f64 * GRID_STEP;
                let (mut sy, mut syy, mut sv, mut sx) = (0.0, 0.0, 0.0, 0.0);
                for b in &items {
                    let (mean, var) = b.params.moments(theta);
                    let y = mean - cut * b.params.max() as f64;
                    sy += y;
                    syy += y * y;
                    sv += var;
                    sx += mean;
                }
                let my = sy / n;
                model.mean_y[area][g] = my;
                model.var_y[area][g] = sv / n + (syy / n - my * my).max(0.0);
                model.mean_x[area][g] = sx / n;
            }
        }
        Some(model)
    }

    fn at(curve: &[f64], theta: f64) -> f64 {
        let x = ((theta - GRID_LO) / GRID_STEP).clamp(0.0, (GRID_N - 1) as f64);
        let i = (x.floor() as usize).min(GRID_N - 2);
        let t = x - i as f64;
        curve[i] * (1.0 - t) + curve[i + 1] * t
    }

    /// Chance of passing a fresh form, and the mean and sd of its points and its maximum.
    pub fn pass_given(&self, thetas: &[f64]) -> (f64, f64, f64, f64) {
        let (mut my, mut vy, mut mx, mut max) = (0.0, 0.0, 0.0, 0.0);
        for (area, &n) in self.counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let n = n as f64;
            let t = thetas[area];
            my += n * Self::at(&self.mean_y[area], t);
            vy += n * Self::at(&self.var_y[area], t);
            mx += n * Self::at(&self.mean_x[area], t);
            max += n * self.max_per_question[area];
        }
        let sd = vy.max(1e-12).sqrt();
        (normal_cdf(my / sd), mx, sd, max)
    }

    /// Expected share of an area's points at θ.
    pub fn share(&self, area: usize, theta: f64) -> f64 {
        if self.max_per_question[area] <= 0.0 {
            return 0.0;
        }
        Self::at(&self.mean_x[area], theta) / self.max_per_question[area]
    }

    /// The general ability at which a candidate with no area differences has an even chance.
    pub fn cut_theta(&self) -> f64 {
        let d = self.counts.len();
        let (mut lo, mut hi) = (GRID_LO, GRID_LO + GRID_STEP * (GRID_N - 1) as f64);
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if self.pass_given(&vec![mid; d]).0 < 0.5 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }

    /// Expected scaled score of a fresh form at these abilities.
    pub fn expected_scaled(&self, bp: &Blueprint, thetas: &[f64]) -> u32 {
        let (_, mx, _, max) = self.pass_given(thetas);
        bp.scaled_score(if max > 0.0 { mx / max } else { 0.0 })
    }

    /// What a measurement of one ability (θ̂ with posterior sd `se`, the same in every area)
    /// says about a fresh form: its expected scaled score at θ̂, the scores at the ends of the
    /// belief's central 90 %, and the chance of passing with both the form's luck and the
    /// measurement's uncertainty counted.
    pub fn measured(&self, bp: &Blueprint, theta: f64, se: f64) -> Measured {
        /// The standard normal's 95th percentile.
        const Z90: f64 = 1.644_853_626_951_472;
        let d = self.counts.len();
        let (z, se) = (Z90, se.max(0.0));
        let at = |t: f64| vec![t; d];
        // The belief on a grid of ±5 sd, weighted by the normal density.
        const NODES: usize = 41;
        let (mut chance, mut total) = (0.0, 0.0);
        for k in 0..NODES {
            let x = -5.0 + 10.0 * k as f64 / (NODES - 1) as f64;
            let w = (-0.5 * x * x).exp();
            chance += w * self.pass_given(&at(theta + se * x)).0;
            total += w;
        }
        Measured {
            scaled: self.expected_scaled(bp, &at(theta)),
            low: self.expected_scaled(bp, &at(theta - z * se)),
            high: self.expected_scaled(bp, &at(theta + z * se)),
            chance: chance / total,
        }
    }
}

/// A fresh form's score and pass chance as one measurement of ability implies them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    pub scaled: u32,
    pub low: u32,
    pub high: u32,
    pub chance: f64,
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = 1.0 - rng.gen::<f64>();
    let v: f64 = rng.gen();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn quantile(sorted: &[f64], p: f64) -> f64 {
    let at = p.clamp(0.0, 1.0) * (sorted.len() - 1) as f64;
    let lo = at.floor() as usize;
    let hi = at.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo as f64)
}

/// Draws of the area abilities from a belief: `[draw][area]`.
fn draws(state: &State, n: usize, seed: u64) -> Vec<Vec<f64>> {
    let d = state.domains();
    let dim = state.dim();
    // Covariance of (g, u_1..u_D), the learning rate left out (it is already in the mean).
    let idx: Vec<usize> = std::iter::once(0).chain(2..dim).collect();
    let k = idx.len();
    let mut cov = vec![0.0; k * k];
    for (i, &a) in idx.iter().enumerate() {
        for (j, &b) in idx.iter().enumerate() {
            cov[i * k + j] = state.cov[a * dim + b];
        }
    }
    let l = super::irt::linalg::cholesky(&cov, k).unwrap_or_else(|| {
        let mut diag = vec![0.0; k * k];
        for i in 0..k {
            diag[i * k + i] = cov[i * k + i].max(1e-9).sqrt();
        }
        diag
    });
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let z: Vec<f64> = (0..k).map(|_| normal(&mut rng)).collect();
            let x: Vec<f64> = (0..k)
                .map(|i| state.mean[idx[i]] + (0..=i).map(|j| l[i * k + j] * z[j]).sum::<f64>())
                .collect();
            (0..d).map(|a| x[0] + x[a + 1]).collect()
        })
        .collect()
}

/// The pass chance of a fresh form under a belief.
pub fn pass_chance(
    bp: &Blueprint,
    model: &FormModel,
    state: &State,
    p: &Params,
    seed: u64,
) -> PassChance {
    let samples = draws(state, p.draws.max(10), seed);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let mut chances = Vec::with_capacity(samples.len());
    let mut scaled = Vec::with_capacity(samples.len());
    for th in &samples {
        let (pp, mx, sd, max) = model.pass_given(th);
        chances.push(pp);
        // One simulated sitting: the points' spread around their mean at these abilities.
        let pts = (mx + sd * normal(&mut rng)).clamp(0.0, max);
        scaled.push(bp.scaled_score(if max > 0.0 { pts / max } else { 0.0 }) as f64);
    }
    let probability = chances.iter().sum::<f64>() / chances.len() as f64;
    let expected = scaled.iter().sum::<f64>() / scaled.len() as f64;
    chances.sort_unstable_by(f64::total_cmp);
    scaled.sort_unstable_by(f64::total_cmp);
    let tail = (1.0 - p.interval) / 2.0;
    PassChance {
        probability,
        low: quantile(&chances, tail).min(probability),
        high: quantile(&chances, 1.0 - tail).max(probability),
        expected_scaled: expected.round() as u32,
        scaled_low: quantile(&scaled, tail).round().min(expected.round()) as u32,
        scaled_high: quantile(&scaled, 1.0 - tail).round().max(expected.round()) as u32,
    }
}

fn pct(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

fn kind_name(k: SittingKind) -> &'static str {
    match k {
        SittingKind::Mock => "mock",
        SittingKind::Check => "quick check",
        SittingKind::Practice => "practice set",
    }
}

/// The whole forecast for one candidate. `items` are the parameters the answers refer to,
/// `model` the fresh form of the live bank ([`FormModel::new`]; `None` when the bank cannot make
/// one), `results` the scored mocks and checks (oldest first), `target_days` how far ahead the
/// target date is.
#[allow(clippy::too_many_arguments)]
pub fn forecast(
    bp: &Blueprint,
    items: &[ItemParams],
    model: Option<&FormModel>,
    sittings: &[Sitting],
    answers: &[Answer],
    results: &[Result1],
    target_days: Option<i64>,
    p: &Params,
    seed: u64,
) -> Forecast {
    let d = bp.domains.len();
    let mut per_area = vec![0u32; d];
    for a in answers {
        if a.domain < d {
            per_area[a.domain] += 1;
        }
    }
    let total: u32 = per_area.iter().sum();
    let track = ability::track(d, sittings, answers, items, &p.ability);
    let now = track.last().map(|(_, s)| s.predict(s.age_days, &p.ability));
    let areas = (0..d)
        .map(|area| AreaEstimate {
            answers: per_area[area],
            share: match (&model, &now) {
                (Some(m), Some(s)) if per_area[area] > 0 => {
                    let (mean, var) = s.area(area);
                    let sd = var.max(0.0).sqrt();
                    Some((
                        m.share(area, mean),
                        m.share(area, mean - 1.645 * sd),
                        m.share(area, mean + 1.645 * sd),
                    ))
                }
                _ => None,
            },
        })
        .collect();
    let mut out = Forecast {
        today: None,
        target: None,
        areas,
        reasons: Vec::new(),
        too_little_data: None,
        points_per_week: None,
    };
    let (Some(model), Some(now)) = (model, now) else {
        out.too_little_data = Some(match readiness::gate(bp, &per_area, total, &p.gate) {
            Err(why) => why,
            Ok(_) => "The question bank has no calibrated questions for a skill area a form needs, so no pass estimate can be given yet.".into(),
        });
        return out;
    };
    if let Err(why) = readiness::gate(bp, &per_area, total, &p.gate) {
        out.too_little_data = Some(why);
        return out;
    }
    let today = pass_chance(bp, model, &now, p, seed);
    // Learning in scaled points per week, at today's ability.
    let thetas: Vec<f64> = (0..d).map(|a| now.area(a).0).collect();
    let up: Vec<f64> = thetas.iter().map(|t| t + 0.05).collect();
    let down: Vec<f64> = thetas.iter().map(|t| t - 0.05).collect();
    let slope =
        (model.expected_scaled(bp, &up) as f64 - model.expected_scaled(bp, &down) as f64) / 0.1;
    let per_week = slope * now.rate().0 * 7.0;
    out.points_per_week = Some(per_week);
    if let Some(days) = target_days.filter(|&t| t > 0) {
        let ahead = now.predict((days as f64).min(p.horizon_days), &p.ability);
        out.target = Some((days, pass_chance(bp, model, &ahead, p, seed ^ 1)));
    }
    out.reasons = reasons(bp, model, &track, &today, per_week, results, p, seed);
    out.today = Some(today);
    out
}

/// Plain sentences: the trend of mocks, the learning the model sees, what the latest sitting
/// changed, and a recent result that seems to disagree with the figure.
#[allow(clippy::too_many_arguments)]
fn reasons(
    bp: &Blueprint,
    model: &FormModel,
    track: &[(usize, State)],
    today: &PassChance,
    per_week: f64,
    results: &[Result1],
    p: &Params,
    seed: u64,
) -> Vec<String> {
    let mut out = Vec::new();
    let recent: Vec<&Result1> = results.iter().rev().take(3).collect();
    if recent.len() >= 2 {
        let (first, last) = (recent[recent.len() - 1], recent[0]);
        let change = last.scaled as i64 - first.scaled as i64;
        let path = recent
            .iter()
            .rev()
            .map(|r| r.scaled.to_string())
            .collect::<Vec<_>>()
            .join(" → ");
        let n = if recent.len() == 3 { "three" } else { "two" };
        let movement = if change.abs() < 15 {
            "held steady".to_string()
        } else if change > 0 {
            format!("rose by {change} points")
        } else {
            format!("fell by {} points", -change)
        };
        out.push(format!(
            "Your last {n} scored sittings {movement} ({path}); recent answers weigh more than old ones."
        ));
    }
    if per_week.abs() >= 3.0 {
        out.push(if per_week > 0.0 {
            format!("Your answers show you improving by about {per_week:.0} points a week; the estimate for today carries that trend forward from your latest answers.")
        } else {
            format!("Your answers show you slipping by about {:.0} points a week.", -per_week)
        });
    }
    if track.len() >= 2 {
        let before = &track[track.len() - 2].1;
        let before = before.predict(before.age_days, &p.ability);
        let was = pass_chance(
            bp,
            model,
            &before,
            &Params {
                draws: 300,
                ..p.clone()
            },
            seed ^ 7,
        );
        let delta = today.probability - was.probability;
        if delta.abs() >= 0.05 {
            let kind = results.last().map_or("sitting", |r| kind_name(r.kind));
            out.push(format!(
                "Your latest {kind} moved the estimate {} from {} to {}.",
                if delta > 0.0 { "up" } else { "down" },
                pct(was.probability),
                pct(today.probability)
            ));
        }
    }
    if let Some(last) = results.last().filter(|r| r.age_days <= 30.0) {
        if last.passed && today.probability < 0.5 {
            out.push(format!(
                "Your latest {} on {} was a pass ({}). One sitting varies from form to form by about ±{} points, and your other answers put your expected score at {}, so a pass on a fresh form is not yet the likely outcome.",
                kind_name(last.kind), last.date, last.scaled,
                (today.scaled_high.saturating_sub(today.scaled_low)) / 2, today.expected_scaled
            ));
        } else if !last.passed && today.probability >= 0.5 {
            out.push(format!(
                "Your latest {} on {} was below 700 ({}), but your answers overall put your expected score at {}: one sitting varies from form to form.",
                kind_name(last.kind), last.date, last.scaled, today.expected_scaled
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bp() -> Blueprint {
        let text = include_str!("../../tests/fixtures/dp100-items.json");
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        serde_json::from_value(v["blueprint"].clone()).unwrap()
    }

    fn bank(b: f64) -> Vec<BankItem> {
        (0..200)
            .map(|i| BankItem {
                domain: i % 4,
                params: ItemParams::binomial(1 + i % 3, 1.0, b + (i % 7) as f64 * 0.1 - 0.3),
            })
            .collect()
    }

    fn mock_history(rates: &[f64], bank: &[BankItem]) -> (Vec<Sitting>, Vec<Answer>, Vec<Result1>) {
        let items_params: Vec<ItemParams> = bank.iter().map(|b| b.params.clone()).collect();
        let _ = items_params;
        let mut sittings = Vec::new();
        let mut answers = Vec::new();
        let mut results = Vec::new();
        for (s, &rate) in rates.iter().enumerate() {
            let age = 10.0 * (rates.len() - s) as f64;
            sittings.push(Sitting {
                kind: SittingKind::Mock,
                age_days: age,
            });
            let mut owed = 0.0;
            for q in 0..50 {
                let item = (s * 50 + q) % bank.len();
                let m = bank[item].params.max() as f64;
                owed += rate * m;
                let score = owed.floor().min(m);
                owed -= score;
                answers.push(Answer {
                    sitting: s,
                    domain: bank[item].domain,
                    item,
                    score: score as u32,
                    seen_before: false,
                    checked: false,
                });
            }
            let scaled = crate::domain::blueprint::scale(rate, 0.7);
            results.push(Result1 {
                kind: SittingKind::Mock,
                age_days: age,
                scaled,
                passed: scaled >= 700,
                date: format!("day {s}"),
            });
        }
        (sittings, answers, results)
    }

    fn run(rates: &[f64], target: Option<i64>) -> Forecast {
        let bp = bp();
        let bank = bank(0.0);
        let items: Vec<ItemParams> = bank.iter().map(|b| b.params.clone()).collect();
        let (s, a, r) = mock_history(rates, &bank);
        forecast(
            &bp,
            &items,
            FormModel::new(&bp, &bank).as_ref(),
            &s,
            &a,
            &r,
            target,
            &Params::default(),
            1,
        )
    }

    #[test]
    fn a_new_candidate_is_told_what_is_missing_and_areas_are_unknown() {
        let f = run(&[], None);
        assert!(f.today.is_none());
        assert!(f
            .too_little_data
            .as_deref()
            .unwrap()
            .contains("you have not answered any yet"));
        assert!(f.areas.iter().all(|a| a.share.is_none() && a.answers == 0));
    }

    #[test]
    fn a_rising_history_that_ends_in_a_pass_is_not_reported_as_unlikely() {
        // Like the demo: 495 → 560 → 611 → 757.
        let rising = run(&[0.5, 0.56, 0.61, 0.79], Some(21));
        let today = rising.today.clone().unwrap();
        assert!(today.probability > 0.35, "{today:?}");
        let (_, target) = rising.target.clone().unwrap();
        assert!(target.probability > today.probability, "{target:?}");
        assert!(
            rising.reasons[0].contains("rose by"),
            "{:?}",
            rising.reasons
        );
        assert!(rising.points_per_week.unwrap() > 3.0);
        // The same scores in the opposite order: the trend points down.
        let falling = run(&[0.79, 0.61, 0.56, 0.5], None);
        assert!(falling.today.unwrap().probability < today.probability);
    }

    #[test]
    fn a_recent_pass_is_never_silently_contradicted() {
        let f = run(&[0.5, 0.52, 0.51, 0.71], None);
        let today = f.today.clone().unwrap();
        if today.probability < 0.5 {
            assert!(
                f.reasons.iter().any(|r| r.contains("was a pass")),
                "{:?}",
                f.reasons
            );
        }
    }

    #[test]
    fn intervals_contain_their_estimates() {
        for rates in [[0.6, 0.65, 0.7], [0.8, 0.85, 0.9], [0.3, 0.35, 0.4]] {
            let f = run(&rates, Some(30));
            for c in [f.today.unwrap(), f.target.unwrap().1] {
                assert!(c.low <= c.probability && c.probability <= c.high, "{c:?}");
                assert!(c.scaled_low <= c.expected_scaled && c.expected_scaled <= c.scaled_high);
            }
        }
    }

    #[test]
    fn the_form_model_has_its_even_chance_at_the_cut() {
        let bp = bp();
        let model = FormModel::new(&bp, &bank(0.0)).unwrap();
        let cut = model.cut_theta();
        assert!((model.pass_given(&[cut; 4]).0 - 0.5).abs() < 1e-6);
        assert!(model.pass_given(&[cut + 1.0; 4]).0 > 0.9);
        assert!(FormModel::new(&bp, &bank(0.0)[..2]).is_none());
    }

    #[test]
    fn a_measurement_gives_a_score_its_range_and_a_chance_that_counts_its_uncertainty() {
        let bp = bp();
        let model = FormModel::new(&bp, &bank(0.0)).unwrap();
        let cut = model.cut_theta();
        // A perfect measurement: no range, the form's own chance.
        let exact = model.measured(&bp, cut + 0.3, 0.0);
        assert_eq!((exact.low, exact.high), (exact.scaled, exact.scaled));
        assert!((exact.chance - model.pass_given(&[cut + 0.3; 4]).0).abs() < 1e-9);
        // Uncertainty widens the range around the same score and pulls the chance towards even.
        let loose = model.measured(&bp, cut + 0.3, 0.4);
        assert_eq!(loose.scaled, exact.scaled);
        assert!(loose.low < loose.scaled && loose.scaled < loose.high);
        assert!(loose.chance < exact.chance && loose.chance > 0.5);
        let below = model.measured(&bp, cut - 0.3, 0.4);
        assert!(below.chance < 0.5 && below.chance > model.pass_given(&[cut - 0.3; 4]).0);
        // At the cut the chance is even whatever the uncertainty.
        assert!((model.measured(&bp, cut, 0.5).chance - 0.5).abs() < 0.02);
    }

    proptest::proptest! {
        #[test]
        fn a_measurement_is_ordered_and_monotone(theta in -3.0f64..3.0, se in 0.0f64..1.5, step in 0.01f64..1.0) {
            let bp = bp();
            let model = FormModel::new(&bp, &bank(0.0)).unwrap();
            let m = model.measured(&bp, theta, se);
            proptest::prop_assert!(m.low <= m.scaled && m.scaled <= m.high);
            proptest::prop_assert!((0.0..=1.0).contains(&m.chance));
            let up = model.measured(&bp, theta + step, se);
            proptest::prop_assert!(up.scaled >= m.scaled && up.chance >= m.chance - 1e-12);
            let wider = model.measured(&bp, theta, se + step);
            proptest::prop_assert!(wider.low <= m.low && wider.high >= m.high);
        }
    }
}
