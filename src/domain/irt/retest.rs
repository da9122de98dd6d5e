//! The retest effect: how much easier a question is the second time a candidate meets it, in
//! logits of ability, estimated from the exam's own answers.
//!
//! Within one sitting a candidate has one ability, so a sitting that holds both new questions and
//! questions the candidate met before says how much the repeats gain: with the calibrated
//! parameters, the offset `r` maximises the marginal likelihood
//!
//! ```text
//! Π_sittings ∫ Π_new P(x | θ) · Π_repeats P(x | θ + r) · N(θ; 0, 1) dθ
//! ```
//!
//! over a quadrature grid (learning between sittings does not enter: θ is the sitting's own).
//! The ability model then uses the exam's offset instead of an assumed one.

use super::calibrate::Response;
use super::{normal_grid, ItemParams};
use std::collections::HashMap;

/// Sittings need this many new answers to say where their θ lies.
const MIN_NEW: usize = 5;
/// Repeated answers (in such sittings) needed before the offset is estimated at all.
pub const MIN_REPEATS: usize = 200;
/// The offset is looked for in this range of logits.
const RANGE: (f64, f64) = (-1.0, 3.0);

/// The estimated offset and its standard error, or `None` with too few repeated answers.
pub fn estimate(
    params: &[ItemParams],
    first: &[Response],
    repeats: &[Response],
) -> Option<(f64, f64)> {
    let (nodes, weights) = normal_grid(41, 5.0);
    let mut new_by_person: HashMap<u32, Vec<&Response>> = HashMap::new();
    for r in first {
        new_by_person.entry(r.person).or_default().push(r);
    }
    let mut rep_by_person: HashMap<u32, Vec<&Response>> = HashMap::new();
    for r in repeats {
        if new_by_person
            .get(&r.person)
            .is_some_and(|v| v.len() >= MIN_NEW)
        {
            rep_by_person.entry(r.person).or_default().push(r);
        }
    }
    let used: usize = rep_by_person.values().map(Vec::len).sum();
    if used < MIN_REPEATS {
        return None;
    }
    // Per sitting, the log prior plus the new answers' log likelihood at every node.
    let mut buf = [0.0; 16];
    let log_p = |p: &ItemParams, theta: f64, score: u8, buf: &mut [f64; 16]| {
        let m = p.max().min(15);
        p.probs(theta, &mut buf[..=m]);
        buf[(score as usize).min(m)].max(1e-300).ln()
    };
    let sittings: Vec<(Vec<f64>, &Vec<&Response>)> = rep_by_person
        .iter()
        .map(|(person, reps)| {
            let base: Vec<f64> = nodes
                .iter()
                .zip(&weights)
                .map(|(&t, &w)| {
                    w.ln()
                        + new_by_person[person]
                            .iter()
                            .map(|r| log_p(&params[r.item as usize], t, r.score, &mut buf))
                            .sum::<f64>()
                })
                .collect();
            (base, reps)
        })
        .collect();
    let log_lik = |offset: f64| -> f64 {
        let mut buf = [0.0; 16];
        sittings
            .iter()
            .map(|(base, reps)| {
                let terms: Vec<f64> = nodes
                    .iter()
                    .zip(base)
                    .map(|(&t, &b)| {
                        b + reps
                            .iter()
                            .map(|r| log_p(&params[r.item as usize], t + offset, r.score, &mut buf))
                            .sum::<f64>()
                    })
                    .collect();
                let top = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                top + terms.iter().map(|x| (x - top).exp()).sum::<f64>().ln()
            })
            .sum()
    };
    // Golden-section search: the log likelihood is smooth and single-peaked in the offset.
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut lo, mut hi) = RANGE;
    let (mut x1, mut x2) = (hi - g * (hi - lo), lo + g * (hi - lo));
    let (mut f1, mut f2) = (log_lik(x1), log_lik(x2));
    while hi - lo > 1e-3 {
        if f1 < f2 {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + g * (hi - lo);
            f2 = log_lik(x2);
        } else {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - g * (hi - lo);
            f1 = log_lik(x1);
        }
    }
    let r = 0.5 * (lo + hi);
    // Standard error from the curvature of the log likelihood at the estimate.
    let h = 0.02;
    let curvature = (log_lik(r + h) - 2.0 * log_lik(r) + log_lik(r - h)) / (h * h);
    let se = if curvature < 0.0 {
        (-1.0 / curvature).sqrt()
    } else {
        f64::INFINITY
    };
    Some((r, se))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Sittings of 30 new and 15 repeated one-point questions from a known bank.
    fn world(
        offset: f64,
        sittings: u32,
        seed: u64,
    ) -> (Vec<ItemParams>, Vec<Response>, Vec<Response>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let params: Vec<ItemParams> = (0..200)
            .map(|_| ItemParams {
                a: rng.gen_range(0.7..1.8),
                steps: vec![rng.gen_range(-2.0..1.5)],
            })
            .collect();
        let (mut first, mut repeats) = (Vec::new(), Vec::new());
        for person in 0..sittings {
            let theta: f64 = {
                let (u1, u2): (f64, f64) = (rng.gen_range(1e-9..1.0), rng.gen_range(0.0..1.0));
                (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
            };
            for k in 0..45 {
                let item = rng.gen_range(0..params.len());
                let t = if k < 30 { theta } else { theta + offset };
                let p = 1.0 / (1.0 + (-params[item].a * (t - params[item].steps[0])).exp());
                let r = Response {
                    person,
                    item: item as u32,
                    score: u8::from(rng.gen_bool(p)),
                };
                if k < 30 {
                    first.push(r);
                } else {
                    repeats.push(r);
                }
            }
        }
        (params, first, repeats)
    }

    #[test]
    fn the_offset_is_recovered_from_sittings_with_repeats() {
        for (truth, seed) in [(0.0, 1), (0.6, 2), (1.2, 3)] {
            let (params, first, repeats) = world(truth, 600, seed);
            let (r, se) = estimate(&params, &first, &repeats).unwrap();
            assert!((r - truth).abs() < 0.15, "truth {truth}, estimate {r}");
            assert!(se > 0.01 && se < 0.1, "se {se}");
        }
    }

    #[test]
    fn too_few_repeats_give_no_estimate() {
        let (params, first, repeats) = world(0.6, 10, 4);
        assert!(repeats.len() < MIN_REPEATS);
        assert!(estimate(&params, &first, &repeats).is_none());
    }
}
