//! How ready a candidate is: mastery per skill area and objective, and the chance of passing a
//! fresh form of the exam.
//!
//! The report runs on every page view, so it must be fast, and candidates act on it, so it must
//! be honest about what it does not know. Every figure is a Bayesian posterior with an interval:
//!
//! - Each answered item contributes its scored components (right or wrong), weighted by age with
//!   a half-life, because knowledge changes while a candidate studies, and discounted when the
//!   item has several parts, because parts of one question tend to be right or wrong together.
//! - A skill area's mastery is a Beta posterior whose prior is centred on the candidate's results
//!   in the other areas (people who do well in one area tend to do well in the others), with a
//!   modest strength so that the area's own answers soon dominate.
//! - An objective's mastery is a Beta posterior shrunk towards its skill area, because a handful
//!   of answers to one objective says little on its own.
//! - The pass estimate simulates fresh forms built from the blueprint as assembly builds them,
//!   drawing mastery from the posteriors and points from it, and maps each result through the
//!   blueprint's scaled score. Its interval is the spread of the pass chance over plausible
//!   masteries, so a candidate with little evidence sees a wide one.
//!
//! A pass estimate is withheld until there are enough answers in every skill area: below that,
//! any figure would mostly restate the prior.
//!
//! `docs/readiness.md` describes the model, its parameters and its measured calibration.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::HashMap;

use super::assembly::{assemble, Candidate};
use super::blueprint::Blueprint;

/// One scored item a candidate answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    /// Code of the item's blueprint domain; used when the objective is not in the blueprint.
    pub domain: String,
    /// Code of the item's blueprint objective.
    pub objective: String,
    /// Components answered correctly (see `scoring::components`).
    pub correct: u32,
    /// Components the item has.
    pub total: u32,
    /// How long ago it was answered.
    pub age_days: f64,
}

/// Estimated mastery of one skill area or objective: the share of its scored components the
/// candidate would get right now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mastery {
    pub code: String,
    /// Posterior mean, 0..=1.
    pub mean: f64,
    /// Equal-tailed credible interval at `Params::interval`.
    pub low: f64,
    pub high: f64,
    /// Items answered (at any age).
    pub answers: u32,
    /// How much evidence still counts, in independent components: an item answered one
    /// half-life ago counts half, and the parts of one question count less than as many
    /// separate questions (see `Params::item_correlation`).
    pub weight: f64,
}

/// The chance of passing a fresh form taken now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PassEstimate {
    /// 0..=1.
    pub probability: f64,
    /// Credible interval of the pass chance at `Params::interval`: how much it could change
    /// once the candidate's mastery is known better. Always contains `probability`.
    pub low: f64,
    pub high: f64,
    /// Mean scaled score (1–1000) of the simulated forms.
    pub expected_scaled: u32,
    /// Interval of the simulated scaled scores at `Params::interval`: where the score of one
    /// sitting would fall, form-to-form luck included.
    pub scaled_low: u32,
    pub scaled_high: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    /// Every blueprint domain, in blueprint order.
    pub domains: Vec<Mastery>,
    /// Every blueprint objective, in blueprint order.
    pub objectives: Vec<Mastery>,
    /// Items counted: those whose objective or domain is in the blueprint.
    pub answers: u32,
    /// `None` when there is too little evidence (see `too_little_data`).
    pub pass: Option<PassEstimate>,
    /// When `pass` is `None`: one plain sentence saying what is missing.
    pub too_little_data: Option<String>,
    /// Up to five objective codes to study first, weakest first: objectives with answers, or
    /// whose interval lies wholly below the cut, and never one whose interval lies wholly above.
    pub weakest: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Age at which an answer counts half. Zero, negative or not finite: no decay.
    pub half_life_days: f64,
    /// Items needed before a pass estimate is given.
    pub min_answers: u32,
    /// Items needed in every skill area a form includes before a pass estimate is given.
    pub min_per_domain: u32,
    /// Monte Carlo draws of mastery for the pass estimate.
    pub draws: u32,
    /// Probability mass of every interval, strictly between 0 and 1.
    pub interval: f64,
    /// Prior strength, in components, pulling a skill area towards the candidate's other areas.
    pub domain_prior_strength: f64,
    /// Prior strength, in components, pulling an objective towards its skill area.
    pub objective_prior_strength: f64,
    /// Assumed correlation between the components of one question, 0..1: a candidate who
    /// knows the topic of a four-part question tends to get several parts right together.
    pub item_correlation: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            half_life_days: 30.0,
            min_answers: 30,
            min_per_domain: 5,
            draws: 2000,
            interval: 0.9,
            domain_prior_strength: 4.0,
            objective_prior_strength: 6.0,
            item_correlation: 0.2,
        }
    }
}

/// The candidate's mean over everything before any answer: uniform, so the report does not
/// presume anyone is ready.
const GLOBAL_PRIOR: (f64, f64) = (1.0, 1.0);
/// No prior parameter goes below this. Below it a Beta piles its mass at 0 or 1 and its
/// equal-tailed interval can miss its own mean.
const MIN_PRIOR_PARAM: f64 = 0.5;
/// Components per question assumed before any answer shows the bank's mix of item kinds.
const COMPONENTS_PER_QUESTION: f64 = 1.3;
/// How many items that assumption is worth.
const COMPONENTS_PRIOR_ITEMS: f64 = 5.0;

#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    right: f64,
    wrong: f64,
    answers: u32,
    /// Unweighted: the mix of item kinds does not age.
    components: u64,
    /// Sum of squared components per item, for the spread of points on a form.
    components_sq: u64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.right += other.right;
        self.wrong += other.wrong;
        self.answers += other.answers;
        self.components += other.components;
        self.components_sq += other.components_sq;
    }
}

/// A Beta distribution over a mastery.
#[derive(Debug, Clone, Copy)]
struct Beta {
    a: f64,
    b: f64,
}

impl Beta {
    /// Prior with the given mean and strength, each parameter at least [`MIN_PRIOR_PARAM`].
    fn prior(mean: f64, strength: f64) -> Beta {
        Beta {
            a: (strength * mean).max(MIN_PRIOR_PARAM),
            b: (strength * (1.0 - mean)).max(MIN_PRIOR_PARAM),
        }
    }

    fn update(self, right: f64, wrong: f64) -> Beta {
        Beta {
            a: self.a + right.max(0.0),
            b: self.b + wrong.max(0.0),
        }
    }

    fn mean(&self) -> f64 {
        self.a / (self.a + self.b)
    }

    fn mastery(&self, code: &str, tally: &Tally, interval: f64) -> Mastery {
        let tail = (1.0 - interval) / 2.0;
        let mean = self.mean();
        Mastery {
            code: code.to_string(),
            mean,
            // The clamps only guard against the last bits of rounding in the inversion.
            low: beta_quantile(tail, self.a, self.b).min(mean),
            high: beta_quantile(1.0 - tail, self.a, self.b).max(mean),
            answers: tally.answers,
            weight: tally.right + tally.wrong,
        }
    }
}

/// How much an answer `age_days` old still counts.
pub fn recency_weight(age_days: f64, half_life_days: f64) -> f64 {
    if !(half_life_days.is_finite() && half_life_days > 0.0) {
        return 1.0;
    }
    // A future date (clock skew) counts as now; an unknown age as now too, rather than never.
    let age = if age_days.is_nan() {
        0.0
    } else {
        age_days.max(0.0)
    };
    0.5f64.powf(age / half_life_days)
}

/// The readiness report of one candidate. Deterministic in `seed`.
pub fn assess(bp: &Blueprint, evidence: &[Evidence], params: &Params, seed: u64) -> Readiness {
    let interval = if params.interval > 0.0 && params.interval < 1.0 {
        params.interval
    } else {
        Params::default().interval
    };

    let rho = if params.item_correlation.is_finite() {
        params.item_correlation.clamp(0.0, 1.0)
    } else {
        0.0
    };

    // Where each objective and domain sits in the blueprint.
    let mut objective_at: HashMap<&str, (usize, usize)> = HashMap::new();
    let mut domain_at: HashMap<&str, usize> = HashMap::new();
    let mut objective_count = 0;
    for (d, domain) in bp.domains.iter().enumerate() {
        domain_at.entry(domain.code.as_str()).or_insert(d);
        for o in &domain.objectives {
            objective_at
                .entry(o.code.as_str())
                .or_insert((d, objective_count));
            objective_count += 1;
        }
    }

    // Tallies per objective, and per domain for answers whose objective has left the blueprint.
    let mut objectives = vec![Tally::default(); objective_count];
    let mut domain_only = vec![Tally::default(); bp.domains.len()];
    for e in evidence {
        if e.total == 0 {
            continue;
        }
        let slot = match objective_at.get(e.objective.as_str()) {
            Some(&(_, o)) => &mut objectives[o],
            None => match domain_at.get(e.domain.as_str()) {
                Some(&d) => &mut domain_only[d],
                None => continue,
            },
        };
        // An item's components are not independent answers: discount them by the design
        // effect 1 + (m − 1)ρ so that a five-part question is not worth five questions.
        let w =
            recency_weight(e.age_days, params.half_life_days) / (1.0 + (e.total - 1) as f64 * rho);
        let right = e.correct.min(e.total);
        slot.right += w * right as f64;
        slot.wrong += w * (e.total - right) as f64;
        slot.answers += 1;
        slot.components += u64::from(e.total);
        slot.components_sq += u64::from(e.total) * u64::from(e.total);
    }
    let mut domains = domain_only.clone();
    let mut domain_of_objective = Vec::with_capacity(objective_count);
    for (d, domain) in bp.domains.iter().enumerate() {
        for _ in &domain.objectives {
            let o = domain_of_objective.len();
            domain_of_objective.push(d);
            domains[d].add(&objectives[o]);
        }
    }
    let mut all = Tally::default();
    for t in &domains {
        all.add(t);
    }

    // A domain's prior is centred on the candidate's other domains (leaving its own answers out
    // so they are not counted twice). The strength is fixed rather than grown with the other
    // domains' evidence: that keeps every mean monotone in right answers anywhere.
    let domain_priors: Vec<Beta> = domains
        .iter()
        .map(|t| {
            let right = GLOBAL_PRIOR.0 + (all.right - t.right).max(0.0);
            let wrong = GLOBAL_PRIOR.1 + (all.wrong - t.wrong).max(0.0);
            Beta::prior(right / (right + wrong), params.domain_prior_strength)
        })
        .collect();
    let domain_posteriors: Vec<Beta> = domain_priors
        .iter()
        .zip(&domains)
        .map(|(p, t)| p.update(t.right, t.wrong))
        .collect();
    let objective_posteriors: Vec<Beta> = objectives
        .iter()
        .zip(&domain_of_objective)
        .map(|(t, &d)| {
            let rest =
                domain_priors[d].update(domains[d].right - t.right, domains[d].wrong - t.wrong);
            Beta::prior(rest.mean(), params.objective_prior_strength).update(t.right, t.wrong)
        })
        .collect();

    let domain_mastery: Vec<Mastery> = bp
        .domains
        .iter()
        .zip(&domain_posteriors)
        .zip(&domains)
        .map(|((d, post), t)| post.mastery(&d.code, t, interval))
        .collect();
    let objective_mastery: Vec<Mastery> = bp
        .domains
        .iter()
        .flat_map(|d| d.objectives.iter())
        .zip(&objective_posteriors)
        .zip(&objectives)
        .map(|((o, post), t)| post.mastery(&o.code, t, interval))
        .collect();

    let cut = bp.cut_percent / 100.0;
    let mut weak: Vec<(usize, &Mastery)> = objective_mastery
        .iter()
        .enumerate()
        .filter(|(_, m)| (m.answers > 0 || m.high < cut) && m.low < cut)
        .collect();
    weak.sort_by(|(i, a), (j, b)| a.mean.total_cmp(&b.mean).then(i.cmp(j)));
    let weakest = weak.iter().take(5).map(|(_, m)| m.code.clone()).collect();

    let per_domain: Vec<u32> = domains.iter().map(|t| t.answers).collect();
    let (pass, too_little_data) = match gate(bp, &per_domain, all.answers, params) {
        Err(why) => (None, Some(why)),
        Ok(counts) => {
            let points = form_points(&counts, &domains, &all);
            let spread = points_spread(&domains, &all, rho);
            let estimate = simulate(
                bp,
                &domain_posteriors,
                &points,
                &spread,
                params.draws,
                interval,
                seed,
            );
            (Some(estimate), None)
        }
    };

    Readiness {
        domains: domain_mastery,
        objectives: objective_mastery,
        answers: all.answers,
        pass,
        too_little_data,
        weakest,
    }
}

/// The per-domain question counts of a fresh form, or why no pass estimate can be given, from
/// the items answered per domain (`domains`, in blueprint order) and in all.
pub fn gate(
    bp: &Blueprint,
    domains: &[u32],
    answers: u32,
    params: &Params,
) -> Result<Vec<u32>, String> {
    let counts = form_counts(bp).ok_or_else(|| {
        "This exam's blueprint cannot make a full form, so no pass estimate can be given."
            .to_string()
    })?;
    let short: Vec<(&str, u32)> = bp
        .domains
        .iter()
        .zip(domains)
        .zip(&counts)
        .filter(|((_, &t), &n)| n > 0 && t < params.min_per_domain)
        .map(|((d, &t), _)| (d.title.as_str(), t))
        .collect();
    if answers >= params.min_answers && short.is_empty() {
        return Ok(counts);
    }
    let questions = |n: u32| {
        if n == 1 {
            "1 question".to_string()
        } else {
            format!("{n} questions")
        }
    };
    let each = if params.min_per_domain > 0 {
        format!(
            ", including at least {} in each skill area,",
            params.min_per_domain
        )
    } else {
        String::new()
    };
    let areas = join_and(
        &short
            .iter()
            .map(|(title, n)| format!("“{title}” ({n})"))
            .collect::<Vec<_>>(),
    );
    Err(if answers == 0 {
        format!(
            "Answer at least {}{each} to get a pass estimate; you have not answered any yet.",
            questions(params.min_answers.max(1))
        )
    } else if answers < params.min_answers && short.is_empty() {
        format!(
            "Answer at least {} to get a pass estimate; you have answered {answers}.",
            questions(params.min_answers)
        )
    } else if answers < params.min_answers {
        format!(
            "Answer at least {}{each} to get a pass estimate; you have answered {answers}, with too few in {areas}.",
            questions(params.min_answers)
        )
    } else {
        format!(
            "Answer at least {} in each skill area to get a pass estimate; so far you have too few in {areas}.",
            questions(params.min_per_domain)
        )
    })
}

pub fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Questions per domain on a form, as assembly would choose them from a bank with plenty of
/// standalone questions: the midpoint targets of the weight ranges. A real form may move a
/// question or two between domains to fit a case study; that changes the pass chance far less
/// than the uncertainty about mastery does.
pub fn form_counts(bp: &Blueprint) -> Option<Vec<u32>> {
    if bp.domains.is_empty() || bp.question_count == 0 {
        return None;
    }
    let mut pool = Vec::new();
    let mut owner = Vec::new();
    for (d, domain) in bp.domains.iter().enumerate() {
        let (_, hi) = bp.domain_count_range(domain);
        for _ in 0..hi.min(bp.question_count) {
            pool.push(Candidate {
                index: pool.len(),
                domain: domain.code.clone(),
                group: None,
                seen: false,
            });
            owner.push(d);
        }
    }
    let form = assemble(bp, &pool, 0).ok()?;
    let mut counts = vec![0u32; bp.domains.len()];
    for slot in form {
        counts[owner[slot.index]] += 1;
    }
    Some(counts)
}

/// Points per domain on a fresh form: its questions times the components per question the
/// candidate has met in that domain, shrunk towards their overall mix, which in turn is shrunk
/// towards [`COMPONENTS_PER_QUESTION`].
fn form_points(counts: &[u32], domains: &[Tally], all: &Tally) -> Vec<u32> {
    let overall = (all.components as f64 + COMPONENTS_PER_QUESTION * COMPONENTS_PRIOR_ITEMS)
        / (all.answers as f64 + COMPONENTS_PRIOR_ITEMS);
    counts
        .iter()
        .zip(domains)
        .map(|(&n, t)| {
            let per_question = (t.components as f64 + overall * COMPONENTS_PRIOR_ITEMS)
                / (t.answers as f64 + COMPONENTS_PRIOR_ITEMS);
            ((n as f64 * per_question).round() as u32).max(n)
        })
        .collect()
}

/// Per domain, how much more points on a form vary than independent components would: the
/// design effect 1 + (m̄ − 1)ρ, where m̄ = Σm²/Σm is the size of the question a component
/// typically belongs to, from the candidate's items (shrunk like `form_points`).
fn points_spread(domains: &[Tally], all: &Tally, rho: f64) -> Vec<f64> {
    let prior_sum = COMPONENTS_PER_QUESTION * COMPONENTS_PRIOR_ITEMS;
    let prior_sq = COMPONENTS_PER_QUESTION * prior_sum;
    let overall = (all.components_sq as f64 + prior_sq) / (all.components as f64 + prior_sum);
    domains
        .iter()
        .map(|t| {
            let size =
                (t.components_sq as f64 + overall * prior_sum) / (t.components as f64 + prior_sum);
            1.0 + (size - 1.0).max(0.0) * rho
        })
        .collect()
}

/// Monte Carlo over mastery. For each draw of per-domain mastery, the chance of passing is
/// computed in closed form: a form's points are approximately normal, with the binomial
/// variance of each domain's components times its design effect, and a continuity correction.
/// Averaging that chance rather than counting simulated passes gives the same answer with less
/// noise. One simulated sitting per draw gives the scaled-score spread.
fn simulate(
    bp: &Blueprint,
    posteriors: &[Beta],
    points: &[u32],
    spread: &[f64],
    draws: u32,
    interval: f64,
    seed: u64,
) -> PassEstimate {
    let max: u32 = points.iter().sum();
    let needed = (0..=max)
        .find(|&p| bp.passes(bp.scaled_score(p as f64 / max as f64)))
        .unwrap_or(max + 1);
    let draws = draws.max(1) as usize;
    let mut rng = Sampler::new(seed);
    let mut chances = Vec::with_capacity(draws);
    let mut scaled = Vec::with_capacity(draws);
    for _ in 0..draws {
        let (mut mean, mut var) = (0.0, 0.0);
        for ((post, &m), &deff) in posteriors.iter().zip(points).zip(spread) {
            let theta = rng.beta(post.a, post.b);
            mean += m as f64 * theta;
            var += m as f64 * theta * (1.0 - theta) * deff;
        }
        let sd = var.sqrt();
        let chance = if sd > 1e-9 {
            normal_cdf((mean - needed as f64 + 0.5) / sd)
        } else if mean + 0.5 >= needed as f64 {
            1.0
        } else {
            0.0
        };
        chances.push(chance);
        let earned = (mean + sd * rng.normal()).round().clamp(0.0, max as f64);
        scaled.push(bp.scaled_score(earned / max as f64) as f64);
    }
    let probability = chances.iter().sum::<f64>() / draws as f64;
    let expected = scaled.iter().sum::<f64>() / draws as f64;
    let tail = (1.0 - interval) / 2.0;
    chances.sort_unstable_by(f64::total_cmp);
    scaled.sort_unstable_by(f64::total_cmp);
    // With most draws at one extreme an equal-tailed interval can miss the mean; a range shown
    // beside a figure must contain it.
    PassEstimate {
        probability,
        low: quantile(&chances, tail).min(probability),
        high: quantile(&chances, 1.0 - tail).max(probability),
        expected_scaled: expected.round() as u32,
        scaled_low: quantile(&scaled, tail).round().min(expected.round()) as u32,
        scaled_high: quantile(&scaled, 1.0 - tail).round().max(expected.round()) as u32,
    }
}

/// Linear interpolation between order statistics of sorted, non-empty `xs`.
fn quantile(xs: &[f64], p: f64) -> f64 {
    let at = p.clamp(0.0, 1.0) * (xs.len() - 1) as f64;
    let lo = at.floor() as usize;
    let hi = at.ceil() as usize;
    xs[lo] + (xs[hi] - xs[lo]) * (at - lo as f64)
}

// --- sampling ---------------------------------------------------------------------------------

/// The random draws the simulation needs, from one seeded stream.
struct Sampler {
    rng: ChaCha8Rng,
    /// Box–Muller makes normals in pairs; the second waits here.
    spare: Option<f64>,
}

impl Sampler {
    fn new(seed: u64) -> Sampler {
        Sampler {
            rng: ChaCha8Rng::seed_from_u64(seed),
            spare: None,
        }
    }

    /// Uniform on [0, 1).
    fn uniform(&mut self) -> f64 {
        self.rng.gen::<f64>()
    }

    /// Uniform on (0, 1]: safe to take the logarithm of.
    fn open_uniform(&mut self) -> f64 {
        1.0 - self.rng.gen::<f64>()
    }

    fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let r = (-2.0 * self.open_uniform().ln()).sqrt();
        let (sin, cos) = (std::f64::consts::TAU * self.uniform()).sin_cos();
        self.spare = Some(r * sin);
        r * cos
    }

    /// Gamma(shape, 1) by Marsaglia and Tsang's method; shapes below one are boosted and
    /// scaled back down.
    fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            let boost = self.open_uniform().powf(1.0 / shape);
            return self.gamma(shape + 1.0) * boost;
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            let u = self.open_uniform();
            // The cheap squeeze accepts most draws without a logarithm.
            if u < 1.0 - 0.0331 * x * x * x * x || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
                return d * v;
            }
        }
    }

    fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        let y = self.gamma(b);
        if x + y > 0.0 {
            x / (x + y)
        } else {
            a / (a + b)
        }
    }
}

// --- special functions ------------------------------------------------------------------------

/// Standard normal distribution function, absolute error below 1e-7.
fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Complementary error function by a Chebyshev fit (fractional error below 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7), relative error near 1e-15.
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection keeps the series in its accurate range.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let sum = C[1..]
        .iter()
        .enumerate()
        .fold(C[0], |acc, (i, c)| acc + c / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// Regularised incomplete beta function I_x(a, b) for a, b > 0.
fn beta_cdf(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front =
        (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    // The continued fraction converges fast on this side of the mean; use symmetry otherwise.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(x, a, b) / a
    } else {
        1.0 - front * beta_fraction(1.0 - x, b, a) / b
    }
}

/// Continued fraction for the incomplete beta function (modified Lentz).
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-15;
    let clamp = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / clamp(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..10_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / clamp(1.0 + aa * d);
        c = clamp(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / clamp(1.0 + aa * d);
        c = clamp(1.0 + aa / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() <= EPS {
            break;
        }
    }
    h
}

/// The `p` quantile of Beta(a, b): a starting guess from a normal or power approximation,
/// refined by Halley steps, with bisection bounds kept so that a bad step cannot escape.
fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let mut x = if a >= 1.0 && b >= 1.0 {
        let pp = if p < 0.5 { p } else { 1.0 - p };
        let t = (-2.0 * pp.ln()).sqrt();
        let mut z = (2.307_53 + t * 0.270_61) / (1.0 + t * (0.992_29 + t * 0.044_81)) - t;
        if p < 0.5 {
            z = -z;
        }
        let al = (z * z - 3.0) / 6.0;
        let h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0));
        let w = z * (al + h).sqrt() / h
            - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) * (al + 5.0 / 6.0 - 2.0 / (3.0 * h));
        a / (a + b * (2.0 * w).exp())
    } else {
        let lna = (a / (a + b)).ln();
        let lnb = (b / (a + b)).ln();
        let t = (a * lna).exp() / a;
        let u = (b * lnb).exp() / b;
        let w = t + u;
        if p < t / w {
            (a * w * p).powf(1.0 / a)
        } else {
            1.0 - (b * w * (1.0 - p)).powf(1.0 / b)
        }
    };
    if !(x > 0.0 && x < 1.0) {
        x = a / (a + b);
    }
    let log_norm = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b);
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..100 {
        let err = beta_cdf(x, a, b) - p;
        if err == 0.0 {
            return x;
        }
        if err < 0.0 {
            lo = lo.max(x);
        } else {
            hi = hi.min(x);
        }
        let density = ((a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() + log_norm).exp();
        let step = if density > 0.0 && density.is_finite() {
            let u = err / density;
            let halley = u * (a - 1.0) / x - u * (b - 1.0) / (1.0 - x);
            u / (1.0 - 0.5 * halley.min(1.0))
        } else {
            f64::NAN
        };
        if step.abs() <= 1e-12 * x {
            return (x - step).clamp(lo, hi);
        }
        let mut next = x - step;
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if hi - lo <= 1e-15 {
            return next;
        }
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::item::ScenarioKind;
    use proptest::prelude::*;
    use rand::Rng;
    use serde::Deserialize;
    use std::time::Instant;

    /// The DP-100 blueprint and, per bank question in bank order, the facts a simulation needs.
    /// Regenerate it when the bank changes much (see docs/readiness.md).
    #[derive(Deserialize)]
    struct Fixture {
        blueprint: Blueprint,
        items: Vec<BankItem>,
    }

    #[derive(Deserialize)]
    struct BankItem {
        domain: String,
        objective: String,
        points: u32,
        group: Option<BankGroup>,
    }

    #[derive(Deserialize)]
    struct BankGroup {
        id: String,
        kind: ScenarioKind,
    }

    fn fixture() -> Fixture {
        serde_json::from_str(include_str!("../../tests/fixtures/dp100-items.json"))
            .expect("fixture parses")
    }

    fn dp100() -> Blueprint {
        fixture().blueprint
    }

    fn ev(bp: &Blueprint, objective: &str, correct: u32, total: u32, age_days: f64) -> Evidence {
        Evidence {
            domain: bp
                .domain_of_objective(objective)
                .map(|d| d.code.clone())
                .unwrap_or_default(),
            objective: objective.to_string(),
            correct,
            total,
            age_days,
        }
    }

    /// `n` five-component items spread round-robin over every objective, with `rate` of the
    /// components right (as near as whole components allow).
    fn spread(bp: &Blueprint, n: usize, rate: f64, age_days: f64) -> Vec<Evidence> {
        let objectives: Vec<&str> = bp
            .domains
            .iter()
            .flat_map(|d| d.objectives.iter().map(|o| o.code.as_str()))
            .collect();
        let mut owed = 0.0;
        (0..n)
            .map(|i| {
                owed += rate * 5.0;
                let right = ((owed + 1e-9).floor() as u32).min(5);
                owed -= right as f64;
                ev(bp, objectives[i % objectives.len()], right, 5, age_days)
            })
            .collect()
    }

    fn no_estimate() -> Params {
        Params {
            min_answers: u32::MAX,
            ..Params::default()
        }
    }

    fn mastery<'a>(r: &'a Readiness, code: &str) -> &'a Mastery {
        r.domains
            .iter()
            .chain(&r.objectives)
            .find(|m| m.code == code)
            .expect("listed")
    }

    #[test]
    fn no_evidence_lists_everything_and_says_what_is_missing() {
        let bp = dp100();
        let r = assess(&bp, &[], &Params::default(), 1);
        assert!(r.pass.is_none());
        assert_eq!(
            r.too_little_data.as_deref(),
            Some(
                "Answer at least 30 questions, including at least 5 in each skill area, to get a \
                 pass estimate; you have not answered any yet."
            )
        );
        let listed: Vec<&str> = r.objectives.iter().map(|m| m.code.as_str()).collect();
        let blueprint: Vec<&str> = bp
            .domains
            .iter()
            .flat_map(|d| d.objectives.iter().map(|o| o.code.as_str()))
            .collect();
        assert_eq!(listed, blueprint);
        assert_eq!(r.domains.len(), 4);
        assert_eq!(r.answers, 0);
        assert!(r.weakest.is_empty(), "{:?}", r.weakest);
        for m in r.domains.iter().chain(&r.objectives) {
            assert!((m.mean - 0.5).abs() < 1e-12);
            assert!(m.low < 0.2 && m.high > 0.8, "{m:?}");
            assert_eq!((m.answers, m.weight), (0, 0.0));
        }
    }

    #[test]
    fn the_sentence_names_the_short_skill_areas() {
        let bp = dp100();
        let design: Vec<Evidence> = (0..12)
            .map(|_| ev(&bp, "design.datasets", 1, 1, 0.0))
            .collect();
        let r = assess(&bp, &design, &Params::default(), 1);
        assert_eq!(
            r.too_little_data.as_deref(),
            Some(
                "Answer at least 30 questions, including at least 5 in each skill area, to get a \
                 pass estimate; you have answered 12, with too few in “Explore data, and run \
                 experiments” (0), “Train and deploy models” (0) and “Optimize language models \
                 for AI applications” (0)."
            )
        );
        let mut more = design.clone();
        more.extend((0..30).map(|_| ev(&bp, "train.pipeline", 1, 1, 0.0)));
        more.extend((0..5).map(|_| ev(&bp, "llm.catalog", 1, 1, 0.0)));
        more.extend((0..3).map(|_| ev(&bp, "explore.spark", 1, 1, 0.0)));
        let r = assess(&bp, &more, &Params::default(), 1);
        assert_eq!(
            r.too_little_data.as_deref(),
            Some(
                "Answer at least 5 questions in each skill area to get a pass estimate; so far \
                 you have too few in “Explore data, and run experiments” (3)."
            )
        );
        assert!(r.pass.is_none());
        more.extend((0..2).map(|_| ev(&bp, "explore.spark", 0, 1, 0.0)));
        let r = assess(&bp, &more, &Params::default(), 1);
        assert!(r.pass.is_some() && r.too_little_data.is_none());
    }

    #[test]
    fn answers_outside_the_blueprint_are_placed_or_left_out() {
        let bp = dp100();
        let retired = Evidence {
            domain: "design".into(),
            objective: "design.retired".into(),
            correct: 0,
            total: 3,
            age_days: 0.0,
        };
        let unknown = Evidence {
            domain: "gone".into(),
            objective: "gone.x".into(),
            correct: 1,
            total: 1,
            age_days: 0.0,
        };
        let empty = ev(&bp, "design.git", 0, 0, 0.0);
        let r = assess(&bp, &[retired, unknown, empty], &no_estimate(), 1);
        assert_eq!(r.answers, 1);
        let design = mastery(&r, "design");
        // Three parts of one question count as 3 / (1 + 2 × 0.2) independent components.
        assert_eq!(design.answers, 1);
        assert!((design.weight - 3.0 / 1.4).abs() < 1e-12, "{design:?}");
        assert!(design.mean < 0.5);
        assert!(r.objectives.iter().all(|m| m.answers == 0));
    }

    #[test]
    fn recent_answers_outweigh_old_ones() {
        let bp = dp100();
        let mut recent_right: Vec<Evidence> = (0..10)
            .map(|_| ev(&bp, "explore.sampling", 1, 1, 1.0))
            .collect();
        recent_right.extend((0..10).map(|_| ev(&bp, "explore.sampling", 0, 1, 90.0)));
        let mut recent_wrong: Vec<Evidence> = (0..10)
            .map(|_| ev(&bp, "explore.sampling", 1, 1, 90.0))
            .collect();
        recent_wrong.extend((0..10).map(|_| ev(&bp, "explore.sampling", 0, 1, 1.0)));
        let up = assess(&bp, &recent_right, &no_estimate(), 1);
        let down = assess(&bp, &recent_wrong, &no_estimate(), 1);
        for code in ["explore", "explore.sampling"] {
            assert!(mastery(&up, code).mean > 0.7, "{:?}", mastery(&up, code));
            assert!(
                mastery(&down, code).mean < 0.3,
                "{:?}",
                mastery(&down, code)
            );
        }
        // One half-life halves an answer's weight.
        let w = mastery(&up, "explore").weight;
        let expected = 10.0 * 0.5f64.powf(1.0 / 30.0) + 10.0 * 0.125;
        assert!((w - expected).abs() < 1e-9, "{w} vs {expected}");
        assert_eq!(recency_weight(30.0, 30.0), 0.5);
        assert_eq!(recency_weight(-5.0, 30.0), 1.0);
        assert_eq!(recency_weight(f64::INFINITY, 30.0), 0.0);
        assert_eq!(recency_weight(90.0, 0.0), 1.0);
    }

    #[test]
    fn intervals_narrow_with_more_evidence() {
        let bp = dp100();
        let few = spread(&bp, 63, 0.7, 0.0);
        let many = spread(&bp, 630, 0.7, 0.0);
        let a = assess(&bp, &few, &Params::default(), 3);
        let b = assess(&bp, &many, &Params::default(), 3);
        for (x, y) in a.domains.iter().zip(&b.domains) {
            assert!(x.low <= x.mean && x.mean <= x.high);
            assert!(y.high - y.low < 0.6 * (x.high - x.low), "{x:?} {y:?}");
            assert!((y.mean - 0.7).abs() < 0.02, "{y:?}");
        }
        for (x, y) in a.objectives.iter().zip(&b.objectives) {
            assert!(y.high - y.low < x.high - x.low, "{x:?} {y:?}");
        }
        let (pa, pb) = (a.pass.unwrap(), b.pass.unwrap());
        assert!(pb.high - pb.low < pa.high - pa.low, "{pa:?} {pb:?}");
        assert!(pb.scaled_high - pb.scaled_low < pa.scaled_high - pa.scaled_low);
    }

    #[test]
    fn strong_and_weak_candidates_are_told_so() {
        let bp = dp100();
        let strong = assess(&bp, &spread(&bp, 200, 0.9, 3.0), &Params::default(), 5);
        let weak = assess(&bp, &spread(&bp, 200, 0.5, 3.0), &Params::default(), 5);
        let borderline = assess(&bp, &spread(&bp, 200, 0.7, 3.0), &Params::default(), 5);
        let (s, w, m) = (
            strong.pass.unwrap(),
            weak.pass.unwrap(),
            borderline.pass.unwrap(),
        );
        assert!(s.probability > 0.95 && s.expected_scaled > 850, "{s:?}");
        assert!(w.probability < 0.05 && w.expected_scaled < 550, "{w:?}");
        assert!(m.probability > 0.3 && m.probability < 0.7, "{m:?}");
        assert!(m.low < 0.3 && m.high > 0.7, "{m:?}");
        for p in [&s, &w, &m] {
            assert!(p.low <= p.probability && p.probability <= p.high);
            assert!(p.scaled_low <= p.expected_scaled && p.expected_scaled <= p.scaled_high);
            assert!((1..=1000).contains(&p.scaled_low) && p.scaled_high <= 1000);
        }
        assert_eq!(weak.weakest.len(), 5);
    }

    #[test]
    fn weakest_lists_the_objectives_to_study_first() {
        let bp = dp100();
        let mut evidence = spread(&bp, 126, 0.8, 2.0);
        evidence.extend((0..6).map(|_| ev(&bp, "rag.vector-store", 0, 2, 1.0)));
        evidence.extend((0..3).map(|_| ev(&bp, "train.signature", 0, 1, 1.0)));
        evidence.extend((0..2).map(|_| ev(&bp, "design.git", 1, 2, 1.0)));
        let r = assess(&bp, &evidence, &Params::default(), 9);
        assert_eq!(
            r.weakest[..3],
            ["rag.vector-store", "train.signature", "design.git"]
        );
        assert_eq!(r.weakest.len(), 5);
        let means: Vec<f64> = r.weakest.iter().map(|c| mastery(&r, c).mean).collect();
        assert!(means.windows(2).all(|w| w[0] <= w[1]), "{means:?}");
        // An objective without answers is not listed unless its area makes it clearly weak.
        let one_area: Vec<Evidence> = (0..40).map(|_| ev(&bp, "ft.job", 0, 2, 0.0)).collect();
        let r = assess(&bp, &one_area, &no_estimate(), 1);
        assert_eq!(r.weakest[0], "ft.job");
        assert!(r
            .weakest
            .iter()
            .all(|c| c.starts_with("llm.") || c.starts_with("rag.") || c.starts_with("ft.")));
    }

    #[test]
    fn the_same_seed_gives_the_same_report() {
        let bp = dp100();
        let evidence = spread(&bp, 80, 0.66, 10.0);
        let a = assess(&bp, &evidence, &Params::default(), 42);
        assert_eq!(a, assess(&bp, &evidence, &Params::default(), 42));
        let b = assess(&bp, &evidence, &Params::default(), 43);
        let (pa, pb) = (a.pass.unwrap(), b.pass.unwrap());
        assert!(
            (pa.probability - pb.probability).abs() < 0.03,
            "{pa:?} {pb:?}"
        );
    }

    #[test]
    fn form_counts_follow_assembly_targets() {
        let bp = dp100();
        assert_eq!(form_counts(&bp), Some(vec![11, 11, 14, 14]));
        let tally = |answers: u32, components: u64| Tally {
            answers,
            components,
            ..Tally::default()
        };
        let domains = [tally(0, 0), tally(10, 20), tally(10, 10), tally(0, 0)];
        let all = tally(20, 30);
        // Components per question: 1.46 overall (30 over 20 items, plus 1.3 for 5 more), and
        // 1.82 and 1.15 in the two areas with answers once shrunk towards that.
        assert_eq!(
            form_points(&[11, 11, 14, 14], &domains, &all),
            vec![16, 20, 16, 20]
        );
    }

    #[test]
    fn special_functions_match_known_values() {
        let close = |a: f64, b: f64, tol: f64| (a - b).abs() <= tol;
        assert!(close(
            ln_gamma(0.5),
            std::f64::consts::PI.sqrt().ln(),
            1e-13
        ));
        assert!(close(ln_gamma(5.0), 24f64.ln(), 1e-13));
        assert!(close(ln_gamma(171.5), 709.143_163_030_928_2, 1e-9));
        assert!(close(normal_cdf(0.0), 0.5, 1e-7));
        assert!(close(normal_cdf(1.959_963_984_540_054), 0.975, 2e-7));
        assert!(close(normal_cdf(-1.0), 0.158_655_253_931_457_05, 2e-7));
        for x in [0.01, 0.2, 0.5, 0.77, 0.999] {
            // Closed forms: I_x(1, b) = 1 − (1 − x)^b and I_x(a, 1) = x^a.
            assert!(close(
                beta_cdf(x, 1.0, 3.5),
                1.0 - (1.0 - x).powf(3.5),
                1e-13
            ));
            assert!(close(beta_cdf(x, 2.5, 1.0), x.powf(2.5), 1e-13));
            // Whole a, b: I_x(a, b) = P(Binomial(a + b − 1, x) ≥ a).
            let (a, b) = (7u32, 4u32);
            let n = a + b - 1;
            let tail: f64 = (a..=n)
                .map(|k| {
                    let choose = (ln_gamma(n as f64 + 1.0)
                        - ln_gamma(k as f64 + 1.0)
                        - ln_gamma((n - k) as f64 + 1.0))
                    .exp();
                    choose * x.powi(k as i32) * (1.0 - x).powi((n - k) as i32)
                })
                .sum();
            assert!(close(beta_cdf(x, a as f64, b as f64), tail, 1e-12));
        }
        for (a, b) in [
            (0.5, 0.5),
            (0.5, 40.0),
            (1.0, 1.0),
            (2.0, 2.0),
            (3.2, 0.7),
            (15.0, 6.0),
            (400.5, 120.25),
            (9000.0, 3000.0),
            (0.5, 20000.0),
        ] {
            for p in [1e-6, 0.05, 0.3, 0.5, 0.9, 0.95, 1.0 - 1e-6] {
                let x = beta_quantile(p, a, b);
                assert!((0.0..=1.0).contains(&x));
                assert!(
                    close(beta_cdf(x, a, b), p, 1e-9 * p.max(1e-3)),
                    "Beta({a}, {b}) quantile {p} gave {x}, whose cdf is {}",
                    beta_cdf(x, a, b)
                );
            }
        }
        assert!(close(beta_quantile(0.3, 1.0, 1.0), 0.3, 1e-12));
        assert!(close(beta_quantile(0.81, 2.0, 1.0), 0.9, 1e-12));
    }

    #[test]
    fn samplers_have_the_right_moments() {
        let mut rng = Sampler::new(7);
        let n = 40_000;
        for (a, b) in [(0.5, 0.5), (2.0, 5.0), (30.0, 12.0)] {
            let xs: Vec<f64> = (0..n).map(|_| rng.beta(a, b)).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
            let (m, v) = (a / (a + b), a * b / ((a + b).powi(2) * (a + b + 1.0)));
            assert!(
                (mean - m).abs() < 4.0 * (v / n as f64).sqrt(),
                "Beta({a}, {b})"
            );
            assert!(
                (var / v - 1.0).abs() < 0.05,
                "Beta({a}, {b}) variance {var} vs {v}"
            );
        }
        let zs: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let mean = zs.iter().sum::<f64>() / n as f64;
        let var = zs.iter().map(|z| (z - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 4.0 / (n as f64).sqrt() && (var - 1.0).abs() < 0.03);
    }

    fn arb_evidence(bp: &Blueprint) -> impl Strategy<Value = Vec<Evidence>> {
        let objectives: Vec<(String, String)> = bp
            .domains
            .iter()
            .flat_map(|d| {
                d.objectives
                    .iter()
                    .map(move |o| (d.code.clone(), o.code.clone()))
            })
            .collect();
        prop::collection::vec(
            (
                prop::sample::select(objectives),
                1u32..=5,
                0.0f64..1.0,
                0.0f64..200.0,
            )
                .prop_map(|((domain, objective), total, rate, age_days)| Evidence {
                    domain,
                    objective,
                    correct: (rate * (total + 1) as f64).floor().min(total as f64) as u32,
                    total,
                    age_days,
                }),
            0..120,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn a_right_answer_never_lowers_a_mean(
            evidence in arb_evidence(&dp100()),
            pick in any::<prop::sample::Index>(),
            extra_age in 0.0f64..100.0,
        ) {
            let bp = dp100();
            let before = assess(&bp, &evidence, &no_estimate(), 0);
            // Either one more component right on an answered item, or one more item all right.
            let mut after = evidence.clone();
            let flipped = !after.is_empty() && {
                let e = &mut after[pick.index(evidence.len())];
                if e.correct < e.total { e.correct += 1; true } else { false }
            };
            if !flipped {
                let code = &bp.domains[pick.index(4)].objectives[0].code;
                after.push(ev(&bp, code, 2, 2, extra_age));
            }
            let after = assess(&bp, &after, &no_estimate(), 0);
            for (x, y) in before.domains.iter().chain(&before.objectives)
                .zip(after.domains.iter().chain(&after.objectives))
            {
                prop_assert!(y.mean >= x.mean - 1e-12, "{:?} fell to {:?}", x, y);
            }
        }

        #[test]
        fn every_interval_contains_its_estimate(evidence in arb_evidence(&dp100()), seed in any::<u64>()) {
            let bp = dp100();
            let params = Params { draws: 200, min_answers: 0, min_per_domain: 0, ..Params::default() };
            let r = assess(&bp, &evidence, &params, seed);
            for m in r.domains.iter().chain(&r.objectives) {
                prop_assert!(0.0 <= m.low && m.low <= m.mean && m.mean <= m.high && m.high <= 1.0, "{:?}", m);
            }
            let p = r.pass.expect("no minimum");
            prop_assert!(0.0 <= p.low && p.low <= p.probability && p.probability <= p.high && p.high <= 1.0, "{:?}", p);
            prop_assert!(1 <= p.scaled_low && p.scaled_low <= p.expected_scaled);
            prop_assert!(p.expected_scaled <= p.scaled_high && p.scaled_high <= 1000);
            prop_assert!(r.weakest.len() <= 5);
        }
    }

    // --- calibration by simulation ------------------------------------------------------------

    fn logit(p: f64) -> f64 {
        (p / (1.0 - p)).ln()
    }

    fn logistic(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }

    /// A simulated candidate: true mastery per domain and a knack (or gap) per objective.
    struct Simulated {
        ability: Vec<f64>,
        objective_effect: HashMap<String, f64>,
    }

    struct World {
        bp: Blueprint,
        items: Vec<BankItem>,
        domain: Vec<usize>,
        /// Per item, on the logit scale: some questions are harder than others.
        difficulty: Vec<f64>,
    }

    impl World {
        fn pool(&self, seen: &[bool]) -> Vec<Candidate> {
            self.items
                .iter()
                .enumerate()
                .map(|(index, it)| Candidate {
                    index,
                    domain: it.domain.clone(),
                    group: it.group.as_ref().map(|g| (g.id.clone(), g.kind)),
                    seen: seen[index],
                })
                .collect()
        }

        fn mock(&self, seen: &[bool], seed: u64) -> Vec<usize> {
            assemble(&self.bp, &self.pool(seen), seed)
                .expect("the DP-100 bank makes forms")
                .iter()
                .map(|s| s.index)
                .collect()
        }

        /// Ten questions, either from one skill area or from all, unseen ones first.
        fn practice(&self, seen: &[bool], rng: &mut Sampler) -> Vec<usize> {
            let area = rng
                .rng
                .gen_bool(0.5)
                .then(|| rng.rng.gen_range(0..self.bp.domains.len()));
            let mut ids: Vec<(bool, u32, usize)> = (0..self.items.len())
                .filter(|&i| area.is_none_or(|d| self.domain[i] == d))
                .map(|i| (seen[i], rng.rng.gen(), i))
                .collect();
            ids.sort();
            ids.iter().take(10).map(|&(_, _, i)| i).collect()
        }

        /// Components right on one item: every component of one response shares that moment's
        /// form, so multi-part questions come out lumpier than independent components would.
        fn answer(&self, who: &Simulated, i: usize, rng: &mut Sampler) -> u32 {
            let it = &self.items[i];
            let x = logit(who.ability[self.domain[i]])
                + who.objective_effect[&it.objective]
                + self.difficulty[i]
                + 0.5 * rng.normal();
            let p = logistic(x);
            (0..it.points).filter(|_| rng.rng.gen_bool(p)).count() as u32
        }

        fn sit(&self, who: &Simulated, form: &[usize], rng: &mut Sampler) -> (u32, u32) {
            form.iter().fold((0, 0), |(got, max), &i| {
                (got + self.answer(who, i, rng), max + self.items[i].points)
            })
        }
    }

    struct Outcome {
        /// The model's pass probability.
        predicted: f64,
        /// Passed the fresh form.
        passed: bool,
        /// The rule of thumb: the latest mock was a pass.
        last_mock_passed: bool,
    }

    #[derive(Default)]
    struct Outcomes {
        predictions: Vec<Outcome>,
    }

    fn one_if(b: bool) -> f64 {
        if b {
            1.0
        } else {
            0.0
        }
    }

    impl Outcomes {
        fn brier(&self, forecast: impl Fn(&Outcome) -> f64) -> f64 {
            self.predictions
                .iter()
                .map(|o| (forecast(o) - one_if(o.passed)).powi(2))
                .sum::<f64>()
                / self.predictions.len() as f64
        }

        /// Expected calibration error over ten equal-width bins, and the bins.
        fn ece(&self) -> (f64, Vec<(usize, f64, f64)>) {
            let mut bins = vec![(0usize, 0.0, 0.0); 10];
            for o in &self.predictions {
                let b = ((o.predicted * 10.0) as usize).min(9);
                bins[b].0 += 1;
                bins[b].1 += o.predicted;
                bins[b].2 += one_if(o.passed);
            }
            let n = self.predictions.len() as f64;
            let ece = bins
                .iter()
                .filter(|b| b.0 > 0)
                .map(|&(k, p, y)| (k as f64 / n) * (p / k as f64 - y / k as f64).abs())
                .sum();
            let table = bins
                .into_iter()
                .map(|(k, p, y)| (k, p / k.max(1) as f64, y / k.max(1) as f64))
                .collect();
            (ece, table)
        }
    }

    /// Simulated candidates with known mastery answer real DP-100 questions on mocks assembled
    /// from the bank and on practice sets; the pass estimate made from their answers is then
    /// compared with whether they pass a fresh form. The estimate must be calibrated (among
    /// candidates told 30%, about 30% pass) and must beat the rule of thumb "passed the last
    /// mock, so will pass".
    #[test]
    fn pass_estimates_are_calibrated_on_simulated_candidates() {
        const CANDIDATES: usize = 2_000;
        let fx = fixture();
        let mut rng = Sampler::new(0x00DE_C0DE);
        let world = World {
            domain: fx
                .items
                .iter()
                .map(|it| {
                    fx.blueprint
                        .domains
                        .iter()
                        .position(|d| d.code == it.domain)
                        .expect("known domain")
                })
                .collect(),
            difficulty: fx.items.iter().map(|_| 0.5 * rng.normal()).collect(),
            bp: fx.blueprint,
            items: fx.items,
        };
        let bp = &world.bp;
        let params = Params::default();
        let started = Instant::now();
        let mut outcomes = Outcomes::default();
        let mut gated = 0;
        for c in 0..CANDIDATES {
            // Population: overall mastery around 0.68 (sd 0.1), areas scattered around it.
            let person = rng.beta(14.0, 6.5);
            let who = Simulated {
                ability: bp
                    .domains
                    .iter()
                    .map(|_| rng.beta(40.0 * person, 40.0 * (1.0 - person)))
                    .collect(),
                objective_effect: bp
                    .domains
                    .iter()
                    .flat_map(|d| d.objectives.iter())
                    .map(|o| (o.code.clone(), 0.35 * rng.normal()))
                    .collect(),
            };
            let mocks = match rng.uniform() {
                r if r < 0.4 => 1,
                r if r < 0.75 => 2,
                _ => 3,
            };
            let practice_sets = rng.rng.gen_range(0..=3);
            let mut sittings: Vec<(f64, bool)> = (0..mocks + practice_sets)
                .map(|k| (rng.rng.gen_range(0.0..45.0), k < mocks))
                .collect();
            sittings.sort_by(|a, b| b.0.total_cmp(&a.0));
            let mut seen = vec![false; world.items.len()];
            let mut evidence = Vec::new();
            let mut last_mock_passed = false;
            for (age_days, is_mock) in sittings {
                let form = if is_mock {
                    world.mock(&seen, rng.rng.gen())
                } else {
                    world.practice(&seen, &mut rng)
                };
                let (mut got, mut max) = (0, 0);
                for &i in &form {
                    seen[i] = true;
                    let right = world.answer(&who, i, &mut rng);
                    let it = &world.items[i];
                    got += right;
                    max += it.points;
                    evidence.push(Evidence {
                        domain: it.domain.clone(),
                        objective: it.objective.clone(),
                        correct: right,
                        total: it.points,
                        age_days,
                    });
                }
                if is_mock {
                    last_mock_passed = bp.passes(bp.scaled_score(got as f64 / max as f64));
                }
            }
            let Some(estimate) = assess(bp, &evidence, &params, c as u64).pass else {
                gated += 1;
                continue;
            };
            let exam = world.mock(&seen, rng.rng.gen());
            let (got, max) = world.sit(&who, &exam, &mut rng);
            let passed = bp.passes(bp.scaled_score(got as f64 / max as f64));
            outcomes.predictions.push(Outcome {
                predicted: estimate.probability,
                passed,
                last_mock_passed,
            });
        }
        let n = outcomes.predictions.len();
        let pass_rate = outcomes.predictions.iter().filter(|o| o.passed).count() as f64 / n as f64;
        let (ece, table) = outcomes.ece();
        let brier = outcomes.brier(|o| o.predicted);
        let naive = outcomes.brier(|o| one_if(o.last_mock_passed));
        println!(
            "calibration: {n} simulated candidates ({gated} without an estimate), {:.1}% passed, {:.1?}",
            100.0 * pass_rate,
            started.elapsed()
        );
        println!("  bin        n  predicted  passed");
        for (b, (k, p, y)) in table.iter().enumerate() {
            println!(
                "  {:.1}–{:.1} {k:>5}  {p:>9.3}  {y:>6.3}",
                b as f64 / 10.0,
                (b + 1) as f64 / 10.0
            );
        }
        println!("  ECE {ece:.4}; Brier {brier:.4} (model) vs {naive:.4} (last mock passed)");
        assert!(n >= 2_000, "only {n} candidates got an estimate");
        assert!((0.3..=0.6).contains(&pass_rate), "pass rate {pass_rate}");
        assert!(ece <= 0.05, "expected calibration error {ece}");
        assert!(
            brier < naive,
            "Brier {brier} is not below the naive {naive}"
        );
    }

    #[test]
    fn a_thousand_answers_are_assessed_quickly() {
        let bp = dp100();
        let evidence: Vec<Evidence> = spread(&bp, 1_000, 0.72, 0.0)
            .into_iter()
            .enumerate()
            .map(|(i, e)| Evidence {
                age_days: (i % 90) as f64,
                ..e
            })
            .collect();
        let started = Instant::now();
        let runs = 5;
        for seed in 0..runs {
            let r = assess(&bp, &evidence, &Params::default(), seed);
            assert!(r.pass.is_some());
        }
        println!(
            "assess: 1,000 answers in {:.2?} per report",
            started.elapsed() / runs as u32
        );
    }
}
