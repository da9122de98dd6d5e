//! Marginal maximum likelihood for GPCM (2PL) and Rasch (1PL, one shared discrimination)
//! parameters, by the EM algorithm of Bock and Aitkin over an even quadrature grid.
//!
//! - Every response pattern ("person", in practice one sitting) has an ability drawn from a
//!   standard normal: that fixes the scale, so no person parameters are estimated and sparse
//!   data (each sitting sees 50 of 300 questions) needs no special handling.
//! - E-step: each pattern's posterior over the grid; the expected number of patterns at each node
//!   scoring each category of each question.
//! - M-step: for each question, Fisher-scoring steps on (a, δ_1..δ_m) for the expected counts,
//!   with weak priors (log a ~ N(0, 0.5²), each δ ~ N(0, 3²)) that only matter for questions
//!   whose responses cannot pin a parameter down (everyone right, an empty category).
//! - Standard errors: the inverse of each question's expected information at the estimate
//!   (priors included), ignoring the uncertainty of the other questions' parameters.
// Numeric code indexes several parallel arrays and matrices by the same counter.
#![allow(clippy::needless_range_loop)]

use super::linalg::{cholesky, cholesky_solve, spd_inverse};
use super::{normal_grid, ItemParams};

/// One scored response: `score` points on `item` in response pattern `person`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Response {
    pub person: u32,
    pub item: u32,
    pub score: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// One discrimination shared by every question (the one-parameter logistic model; for
    /// one-point questions the Rasch model on a rescaled θ).
    Rasch,
    /// A discrimination per question: the 2PL, and the GPCM for multi-point questions.
    TwoPl,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub nodes: usize,
    pub half_width: f64,
    pub max_iterations: usize,
    /// Stop when no parameter moves more than this in one iteration.
    pub tolerance: f64,
    /// Standard deviation of the normal prior on ln a.
    pub log_a_prior_sd: f64,
    /// Standard deviation of the normal prior on each step, centred on 0.
    pub step_prior_sd: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            nodes: 41,
            half_width: 5.0,
            max_iterations: 300,
            tolerance: 1e-4,
            log_a_prior_sd: 0.5,
            step_prior_sd: 3.0,
        }
    }
}

/// One question's estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Fitted {
    pub params: ItemParams,
    pub se_a: f64,
    /// Standard error of the mean step `b`.
    pub se_b: f64,
    /// Responses it was estimated from.
    pub n: usize,
}

#[derive(Debug, Clone)]
pub struct Calibration {
    pub items: Vec<Fitted>,
    pub iterations: usize,
    pub converged: bool,
    /// Marginal log-likelihood at the estimate.
    pub log_likelihood: f64,
}

/// Expected counts of one question: `r[q * (m + 1) + k]` patterns at node q scoring k.
struct Counts {
    r: Vec<f64>,
}

/// Calibrates questions worth `max_points[i]` points from `responses` (a score above a
/// question's maximum counts as the maximum). Deterministic.
pub fn calibrate(
    max_points: &[usize],
    responses: &[Response],
    model: Model,
    opts: &Options,
) -> Calibration {
    let (nodes, weights) = normal_grid(opts.nodes, opts.half_width);
    let log_w: Vec<f64> = weights.iter().map(|w| w.max(1e-300).ln()).collect();
    let nq = nodes.len();
    let n_items = max_points.len();
    let maxes: Vec<usize> = max_points.iter().map(|&m| m.clamp(1, 15)).collect();

    // Patterns in order, so each is one contiguous run.
    let mut order: Vec<usize> = (0..responses.len())
        .filter(|&i| (responses[i].item as usize) < n_items)
        .collect();
    order.sort_by_key(|&i| (responses[i].person, responses[i].item));
    let data: Vec<(usize, usize)> = order
        .iter()
        .map(|&i| {
            let r = responses[i];
            (
                r.item as usize,
                (r.score as usize).min(maxes[r.item as usize]),
            )
        })
        .collect();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for k in 1..=order.len() {
        if k == order.len() || responses[order[k]].person != responses[order[start]].person {
            if k > start {
                runs.push((start, k));
            }
            start = k;
        }
    }

    // Start from each question's mean score, as independent parts with a = 1.
    let mut n_per_item = vec![0usize; n_items];
    let mut sum_per_item = vec![0.0; n_items];
    for &(i, k) in &data {
        n_per_item[i] += 1;
        sum_per_item[i] += k as f64;
    }
    let mut params: Vec<ItemParams> = (0..n_items)
        .map(|i| {
            let m = maxes[i] as f64;
            let p = ((sum_per_item[i] + 0.5) / (n_per_item[i] as f64 * m + 1.0)).clamp(0.02, 0.98);
            ItemParams::binomial(maxes[i], 1.0, -1.3 * (p / (1.0 - p)).ln())
        })
        .collect();

    let mut iterations = 0;
    let mut converged = false;
    let mut log_likelihood = f64::NEG_INFINITY;
    let mut counts: Vec<Counts> = maxes
        .iter()
        .map(|&m| Counts {
            r: vec![0.0; nq * (m + 1)],
        })
        .collect();
    let mut logp: Vec<Vec<f64>> = maxes.iter().map(|&m| vec![0.0; nq * (m + 1)]).collect();
    let mut probs = [0.0; 16];
    let mut post = vec![0.0; nq];
    while iterations < opts.max_iterations {
        iterations += 1;
        // ln P(k | node) for every question.
        for (i, p) in params.iter().enumerate() {
            let m = maxes[i];
            for (q, &theta) in nodes.iter().enumerate() {
                p.probs(theta, &mut probs[..=m]);
                for k in 0..=m {
                    logp[i][q * (m + 1) + k] = probs[k].max(1e-300).ln();
                }
            }
        }
        // E-step.
        for c in counts.iter_mut() {
            c.r.iter_mut().for_each(|v| *v = 0.0);
        }
        let mut ll = 0.0;
        for &(s, e) in &runs {
            post.copy_from_slice(&log_w);
            for &(i, k) in &data[s..e] {
                let m1 = maxes[i] + 1;
                let lp = &logp[i];
                for (q, v) in post.iter_mut().enumerate() {
                    *v += lp[q * m1 + k];
                }
            }
            let top = post.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let mut total = 0.0;
            for v in post.iter_mut() {
                *v = (*v - top).exp();
                total += *v;
            }
            ll += top + total.ln();
            for v in post.iter_mut() {
                *v /= total;
            }
            for &(i, k) in &data[s..e] {
                let m1 = maxes[i] + 1;
                let r = &mut counts[i].r;
                for (q, v) in post.iter().enumerate() {
                    r[q * m1 + k] += v;
                }
            }
        }
        log_likelihood = ll;
        // M-step.
        let mut change = 0.0f64;
        match model {
            Model::TwoPl => {
                for i in 0..n_items {
                    if n_per_item[i] == 0 {
                        continue;
                    }
                    for _ in 0..2 {
                        let (g, info) = score_and_information(&params[i], &counts[i], &nodes, true);
                        let (g, info) = add_priors(&params[i], g, info, true, opts);
                        let step = newton_step(&g, &info);
                        change = change.max(apply(&mut params[i], &step, true));
                    }
                }
            }
            Model::Rasch => {
                for i in 0..n_items {
                    if n_per_item[i] == 0 {
                        continue;
                    }
                    for _ in 0..2 {
                        let (g, info) =
                            score_and_information(&params[i], &counts[i], &nodes, false);
                        let (g, info) = add_priors(&params[i], g, info, false, opts);
                        let step = newton_step(&g, &info);
                        change = change.max(apply(&mut params[i], &step, false));
                    }
                }
                // The shared discrimination: one scoring step over every question.
                let (mut ga, mut ia) = (0.0, 0.0);
                for i in 0..n_items {
                    if n_per_item[i] == 0 {
                        continue;
                    }
                    let (g, info) = score_and_information(&params[i], &counts[i], &nodes, true);
                    ga += g[0];
                    ia += info[0];
                }
                if ia > 0.0 {
                    let a = params.first().map_or(1.0, |p| p.a);
                    let next = (a + (ga / ia).clamp(-0.5, 0.5)).clamp(0.05, 10.0);
                    change = change.max((next - a).abs());
                    for p in params.iter_mut() {
                        p.a = next;
                    }
                }
            }
        }
        if change < opts.tolerance {
            converged = true;
            break;
        }
    }

    // Standard errors from each question's information at the estimate.
    let mut shared_a_info = 0.0;
    if model == Model::Rasch {
        for i in 0..n_items {
            if n_per_item[i] > 0 {
                shared_a_info += score_and_information(&params[i], &counts[i], &nodes, true).1[0];
            }
        }
    }
    let items = (0..n_items)
        .map(|i| {
            let p = &params[i];
            let m = p.max();
            let with_a = model == Model::TwoPl;
            let (g, info) = score_and_information(p, &counts[i], &nodes, with_a);
            let (_, info) = add_priors(p, g, info, with_a, opts);
            let dim = if with_a { m + 1 } else { m };
            let off = usize::from(with_a);
            let (se_a, se_b) = match spd_inverse(&info, dim) {
                Some(cov) => {
                    let mut vb = 0.0;
                    for x in 0..m {
                        for y in 0..m {
                            vb += cov[(x + off) * dim + y + off];
                        }
                    }
                    let se_a = if with_a {
                        cov[0].max(0.0).sqrt()
                    } else if shared_a_info > 0.0 {
                        (1.0 / shared_a_info).sqrt()
                    } else {
                        f64::NAN
                    };
                    (se_a, (vb.max(0.0)).sqrt() / m as f64)
                }
                None => (f64::NAN, f64::NAN),
            };
            Fitted {
                params: p.clone(),
                se_a,
                se_b,
                n: n_per_item[i],
            }
        })
        .collect();
    Calibration {
        items,
        iterations,
        converged,
        log_likelihood,
    }
}

/// Score vector and expected information of one question's expected complete-data
/// log-likelihood, for parameters (a, δ_1..δ_m) (or only the δ when `with_a` is false).
fn score_and_information(
    p: &ItemParams,
    counts: &Counts,
    nodes: &[f64],
    with_a: bool,
) -> (Vec<f64>, Vec<f64>) {
    let m = p.max();
    let off = usize::from(with_a);
    let dim = m + off;
    let mut g = vec![0.0; dim];
    let mut info = vec![0.0; dim * dim];
    let mut probs = vec![0.0; m + 1];
    let mut c = vec![0.0; m + 1];
    let mut tail = vec![0.0; m + 2];
    let mut tail_c = vec![0.0; m + 2];
    for (q, &theta) in nodes.iter().enumerate() {
        let r = &counts.r[q * (m + 1)..(q + 1) * (m + 1)];
        let n: f64 = r.iter().sum();
        if n <= 1e-12 {
            continue;
        }
        p.probs(theta, &mut probs);
        // c_k = ∂z_k/∂a = Σ_{j≤k} (θ − δ_j).
        c[0] = 0.0;
        for k in 1..=m {
            c[k] = c[k - 1] + theta - p.steps[k - 1];
        }
        // Tails: S_j = P(X ≥ j), T_j = Σ_{k≥j} P_k c_k.
        tail[m + 1] = 0.0;
        tail_c[m + 1] = 0.0;
        for k in (0..=m).rev() {
            tail[k] = tail[k + 1] + probs[k];
            tail_c[k] = tail_c[k + 1] + probs[k] * c[k];
        }
        let ec = tail_c[0];
        // Observed parts of the score: Σ_k r_k ∂z_k.
        let mut obs_a = 0.0;
        let mut obs_tail = vec![0.0; m + 2];
        for k in (0..=m).rev() {
            obs_tail[k] = obs_tail[k + 1] + r[k];
            obs_a += r[k] * c[k];
        }
        if with_a {
            g[0] += obs_a - n * ec;
            let ecc: f64 = (0..=m).map(|k| probs[k] * c[k] * c[k]).sum();
            info[0] += n * (ecc - ec * ec);
            for j in 1..=m {
                let cov = -p.a * (tail_c[j] - tail[j] * ec);
                info[j] += n * cov;
                info[j * dim] += n * cov;
            }
        }
        for j in 1..=m {
            // ∂z_k/∂δ_j = −a [j ≤ k].
            g[j - 1 + off] += -p.a * obs_tail[j] + n * p.a * tail[j];
            for i in 1..=m {
                let cov = p.a * p.a * (tail[i.max(j)] - tail[i] * tail[j]);
                info[(i - 1 + off) * dim + j - 1 + off] += n * cov;
            }
        }
    }
    (g, info)
}

fn add_priors(
    p: &ItemParams,
    mut g: Vec<f64>,
    mut info: Vec<f64>,
    with_a: bool,
    opts: &Options,
) -> (Vec<f64>, Vec<f64>) {
    let m = p.max();
    let off = usize::from(with_a);
    let dim = m + off;
    if with_a {
        let s2 = opts.log_a_prior_sd.powi(2);
        g[0] += -(p.a.ln()) / (s2 * p.a) - 1.0 / p.a;
        info[0] += 1.0 / (s2 * p.a * p.a);
    }
    let s2 = opts.step_prior_sd.powi(2);
    for j in 0..m {
        g[j + off] += -p.steps[j] / s2;
        info[(j + off) * dim + j + off] += 1.0 / s2;
    }
    (g, info)
}

fn newton_step(g: &[f64], info: &[f64]) -> Vec<f64> {
    let n = g.len();
    match cholesky(info, n) {
        Some(l) => cholesky_solve(&l, n, g),
        // Not positive definite (should not happen with the priors): a small gradient step.
        None => g.iter().map(|v| 0.01 * v).collect(),
    }
}

/// Applies a bounded step; returns the largest change.
fn apply(p: &mut ItemParams, step: &[f64], with_a: bool) -> f64 {
    let off = usize::from(with_a);
    let biggest = step.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let scale = if biggest > 1.0 { 1.0 / biggest } else { 1.0 };
    let mut change = 0.0f64;
    if with_a {
        let next = (p.a + scale * step[0]).clamp(0.05, 10.0);
        change = change.max((next - p.a).abs());
        p.a = next;
    }
    for (j, d) in p.steps.iter_mut().enumerate() {
        let next = (*d + scale * step[j + off]).clamp(-12.0, 12.0);
        change = change.max((next - *d).abs());
        *d = next;
    }
    change
}

#[cfg(test)]
mod tests {
    use super::super::correlation;
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn normal(rng: &mut ChaCha8Rng) -> f64 {
        let u: f64 = 1.0 - rng.gen::<f64>();
        let v: f64 = rng.gen();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Complete 2PL data from known parameters.
    fn simulate(items: usize, people: usize, seed: u64) -> (Vec<ItemParams>, Vec<Response>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let truth: Vec<ItemParams> = (0..items)
            .map(|_| ItemParams {
                a: (0.3 * normal(&mut rng)).exp(),
                steps: vec![normal(&mut rng)],
            })
            .collect();
        let mut responses = Vec::new();
        let mut out = [0.0; 2];
        for person in 0..people {
            let theta = normal(&mut rng);
            for (item, p) in truth.iter().enumerate() {
                p.probs(theta, &mut out);
                responses.push(Response {
                    person: person as u32,
                    item: item as u32,
                    score: u8::from(rng.gen_bool(out[1])),
                });
            }
        }
        (truth, responses)
    }

    #[test]
    fn the_2pl_recovers_known_parameters() {
        let (truth, responses) = simulate(40, 1500, 7);
        let fit = calibrate(&[1; 40], &responses, Model::TwoPl, &Options::default());
        assert!(fit.converged, "{} iterations", fit.iterations);
        let b: Vec<f64> = fit.items.iter().map(|f| f.params.b()).collect();
        let a: Vec<f64> = fit.items.iter().map(|f| f.params.a).collect();
        let tb: Vec<f64> = truth.iter().map(|p| p.b()).collect();
        let ta: Vec<f64> = truth.iter().map(|p| p.a).collect();
        assert!(correlation(&b, &tb) > 0.97, "{}", correlation(&b, &tb));
        assert!(correlation(&a, &ta) > 0.7, "{}", correlation(&a, &ta));
        // Standard errors are about right: most estimates within 2.5 SE of the truth.
        let inside = fit
            .items
            .iter()
            .zip(&truth)
            .filter(|(f, t)| (f.params.b() - t.b()).abs() < 2.5 * f.se_b)
            .count();
        assert!(inside >= 34, "{inside} of 40 within 2.5 SE");
        assert!(fit.items.iter().all(|f| f.n == 1500 && f.se_a > 0.0));
    }

    #[test]
    fn rasch_shares_one_discrimination() {
        let (_, responses) = simulate(20, 800, 9);
        let fit = calibrate(&[1; 20], &responses, Model::Rasch, &Options::default());
        let a0 = fit.items[0].params.a;
        assert!(fit.items.iter().all(|f| f.params.a == a0));
        assert!((0.7..1.4).contains(&a0), "{a0}");
    }

    #[test]
    fn partial_credit_steps_are_recovered_and_sparse_designs_work() {
        // Three-point questions with correlated parts, each pattern seeing half the questions.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let truth: Vec<ItemParams> = (0..20)
            .map(|_| {
                let b = normal(&mut rng);
                ItemParams {
                    a: 1.0 + 0.3 * rng.gen::<f64>(),
                    steps: vec![b - 0.4, b + 0.1, b + 0.3],
                }
            })
            .collect();
        let mut responses = Vec::new();
        let mut out = [0.0; 4];
        for person in 0..2000u32 {
            let theta = normal(&mut rng);
            for (item, p) in truth.iter().enumerate() {
                if (item + person as usize) % 2 == 0 {
                    continue;
                }
                p.probs(theta, &mut out);
                let u: f64 = rng.gen();
                let mut acc = 0.0;
                let k = out
                    .iter()
                    .position(|v| {
                        acc += v;
                        u < acc
                    })
                    .unwrap_or(3);
                responses.push(Response {
                    person,
                    item: item as u32,
                    score: k as u8,
                });
            }
        }
        let fit = calibrate(&[3; 20], &responses, Model::TwoPl, &Options::default());
        let b: Vec<f64> = fit.items.iter().map(|f| f.params.b()).collect();
        let tb: Vec<f64> = truth.iter().map(|p| p.b()).collect();
        assert!(correlation(&b, &tb) > 0.97, "{}", correlation(&b, &tb));
        for (f, t) in fit.items.iter().zip(&truth) {
            assert!((f.params.a - t.a).abs() < 0.35, "{f:?} vs {t:?}");
        }
    }

    #[test]
    fn a_question_everyone_gets_right_stays_finite() {
        let responses: Vec<Response> = (0..50u32)
            .flat_map(|p| {
                [
                    Response {
                        person: p,
                        item: 0,
                        score: 1,
                    },
                    Response {
                        person: p,
                        item: 1,
                        score: (p % 2) as u8,
                    },
                ]
            })
            .collect();
        let fit = calibrate(&[1, 1, 2], &responses, Model::TwoPl, &Options::default());
        assert!(fit.items[0].params.b().is_finite() && fit.items[0].params.b() < -1.0);
        assert_eq!(fit.items[2].n, 0);
    }
}
