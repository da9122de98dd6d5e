//! A candidate's ability over time: a state-space model that expects learning, updated sitting
//! by sitting with calibrated questions.
//!
//! The state is `x = [g, v, u_1..u_D]`: the general ability `g` (logits, on the calibration's
//! scale), the learning rate `v` (logits per day) and one offset `u_d` per skill area, so the
//! ability in area `d` is `g + u_d`. Between two sittings `Δ` days apart
//!
//! ```text
//! g ← g + v Δ + w_g,   v ← v + w_v,   u_d ← u_d + w_u,     w ~ N(0, q Δ)
//! ```
//!
//! — a local linear trend, the standard model of something that drifts with a slope. A sitting's
//! answers update the state by their GPCM likelihood. That likelihood is not Gaussian, so the
//! update is a Laplace step (an iterated extended Kalman filter): Newton's method finds the mode
//! of prior × likelihood and the inverse Hessian there is the new covariance.
//!
//! - Practice answers count with weight < 1 (the likelihood is tempered): candidates often answer
//!   them quickly and check at once, so they say less than answers under exam conditions.
//! - A question seen before is easier the second time: its θ carries a retest offset, so a
//!   repeated question neither inflates the estimate nor is wasted.
// Numeric code indexes several parallel arrays and matrices by the same counter.
#![allow(clippy::needless_range_loop)]

use super::irt::linalg::spd_inverse;
use super::irt::ItemParams;

/// What kind of sitting produced answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SittingKind {
    Mock,
    /// The adaptive readiness check.
    Check,
    Practice,
}

/// One scored answer to a calibrated question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Answer {
    /// Index of the sitting (see `Sitting`).
    pub sitting: usize,
    /// Skill area, in blueprint order.
    pub domain: usize,
    /// Index of the question's parameters in the caller's table.
    pub item: usize,
    pub score: u32,
    /// The candidate had seen the question in an earlier sitting.
    pub seen_before: bool,
    /// Practice answer whose key the candidate revealed on the spot.
    pub checked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sitting {
    pub kind: SittingKind,
    /// Days before now.
    pub age_days: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Prior of `g` before any answer: the calibration population.
    pub prior_mean: f64,
    pub prior_sd: f64,
    /// Prior of the learning rate, logits per day: people who practise tend to improve.
    pub rate_mean: f64,
    pub rate_sd: f64,
    /// Prior standard deviation of a skill area's offset from the general ability.
    pub domain_sd: f64,
    /// Process noise per day (variances) of `g`, `v` and each `u_d`.
    pub drift_var: f64,
    pub rate_var: f64,
    pub domain_var: f64,
    /// Logits added to θ for a question seen before: the exam's own estimate once its
    /// calibration has enough repeated answers (`irt::retest`), this default before.
    pub retest_offset: f64,
    /// Likelihood weight of a practice answer, and of one checked on the spot.
    pub practice_weight: f64,
    pub checked_weight: f64,
    /// Likelihood weight of a repeated question (on top of the above).
    pub repeat_weight: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            prior_mean: 0.0,
            prior_sd: 1.0,
            rate_mean: 0.006,
            rate_sd: 0.03,
            domain_sd: 0.35,
            drift_var: 0.002,
            rate_var: 1e-7,
            domain_var: 0.0005,
            retest_offset: 0.4,
            practice_weight: 0.8,
            checked_weight: 0.5,
            repeat_weight: 0.7,
        }
    }
}

/// A Gaussian belief about the state `[g, v, u_1..u_D]`.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub mean: Vec<f64>,
    /// Row-major covariance, `n × n` with `n = D + 2`.
    pub cov: Vec<f64>,
    /// Days before now that the belief refers to.
    pub age_days: f64,
}

impl State {
    pub fn prior(domains: usize, p: &Params, age_days: f64) -> State {
        let n = domains + 2;
        let mut mean = vec![0.0; n];
        mean[0] = p.prior_mean;
        mean[1] = p.rate_mean;
        let mut cov = vec![0.0; n * n];
        cov[0] = p.prior_sd.powi(2);
        cov[n + 1] = p.rate_sd.powi(2);
        for d in 0..domains {
            cov[(d + 2) * n + d + 2] = p.domain_sd.powi(2);
        }
        State {
            mean,
            cov,
            age_days,
        }
    }

    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    pub fn domains(&self) -> usize {
        self.dim() - 2
    }

    /// The belief `days` later (the trend carried forward, the uncertainty grown).
    pub fn predict(&self, days: f64, p: &Params) -> State {
        let dt = days.max(0.0);
        let n = self.dim();
        let mut mean = self.mean.clone();
        mean[0] += mean[1] * dt;
        // F P Fᵀ with F = I + dt e₀e₁ᵀ: row 0 gains dt × row 1, then column 0 gains dt × column 1.
        let mut cov = self.cov.clone();
        for j in 0..n {
            cov[j] += dt * self.cov[n + j];
        }
        for i in 0..n {
            let c1 = cov[i * n + 1];
            cov[i * n] += dt * c1;
        }
        cov[0] += p.drift_var * dt;
        cov[n + 1] += p.rate_var * dt;
        for d in 0..self.domains() {
            cov[(d + 2) * n + d + 2] += p.domain_var * dt;
        }
        State {
            mean,
            cov,
            age_days: self.age_days - dt,
        }
    }

    /// Mean and variance of the ability in area `d` (g + u_d).
    pub fn area(&self, d: usize) -> (f64, f64) {
        let n = self.dim();
        let j = d + 2;
        (
            self.mean[0] + self.mean[j],
            self.cov[0] + self.cov[j * n + j] + 2.0 * self.cov[j],
        )
    }

    pub fn rate(&self) -> (f64, f64) {
        let n = self.dim();
        (self.mean[1], self.cov[n + 1])
    }
}

/// One observation for the update: the question, its score, the area and its weight and
/// offset.
struct Obs<'a> {
    params: &'a ItemParams,
    score: usize,
    column: usize,
    weight: f64,
    offset: f64,
}

/// Updates a belief with one sitting's answers (Laplace step).
fn update(prior: &State, obs: &[Obs<'_>]) -> State {
    let n = prior.dim();
    let Some(prec) = spd_inverse(&prior.cov, n) else {
        return prior.clone();
    };
    let mut x = prior.mean.clone();
    let mut cov = prior.cov.clone();
    for _ in 0..12 {
        let mut grad = vec![0.0; n];
        let mut hess = prec.clone();
        for i in 0..n {
            for j in 0..n {
                grad[i] -= prec[i * n + j] * (x[j] - prior.mean[j]);
            }
        }
        for o in obs {
            let theta = x[0] + x[o.column] + o.offset;
            let (mean, var) = o.params.moments(theta);
            let g = o.weight * o.params.a * (o.score as f64 - mean);
            let h = o.weight * o.params.a * o.params.a * var;
            let c = o.column;
            grad[0] += g;
            grad[c] += g;
            hess[0] += h;
            hess[c * n + c] += h;
            hess[c] += h;
            hess[c * n] += h;
        }
        let Some(inv) = spd_inverse(&hess, n) else {
            break;
        };
        let mut step = vec![0.0; n];
        for i in 0..n {
            for j in 0..n {
                step[i] += inv[i * n + j] * grad[j];
            }
        }
        // Damped: the likelihood can be flat, and a wild step helps nobody.
        let biggest = step.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let scale = if biggest > 1.0 { 1.0 / biggest } else { 1.0 };
        for i in 0..n {
            x[i] += scale * step[i];
        }
        cov = inv;
        if biggest < 1e-6 {
            break;
        }
    }
    State {
        mean: x,
        cov,
        age_days: prior.age_days,
    }
}

/// The belief after every sitting in `sittings` (oldest first by age), as of each sitting, and
/// the index of that sitting. Answers to unknown items or areas are ignored.
pub fn track(
    domains: usize,
    sittings: &[Sitting],
    answers: &[Answer],
    items: &[ItemParams],
    p: &Params,
) -> Vec<(usize, State)> {
    let mut order: Vec<usize> = (0..sittings.len()).collect();
    order.sort_by(|&a, &b| sittings[b].age_days.total_cmp(&sittings[a].age_days));
    let mut by_sitting: Vec<Vec<&Answer>> = vec![Vec::new(); sittings.len()];
    for a in answers {
        if a.sitting < sittings.len() && a.domain < domains && a.item < items.len() {
            by_sitting[a.sitting].push(a);
        }
    }
    let mut out = Vec::new();
    let mut state: Option<State> = None;
    for s in order {
        if by_sitting[s].is_empty() {
            continue;
        }
        let age = sittings[s].age_days.max(0.0);
        let prior = match &state {
            None => State::prior(domains, p, age),
            Some(st) => st.predict(st.age_days - age, p),
        };
        let base = match sittings[s].kind {
            SittingKind::Mock | SittingKind::Check => 1.0,
            SittingKind::Practice => p.practice_weight,
        };
        let obs: Vec<Obs<'_>> = by_sitting[s]
            .iter()
            .map(|a| {
                let params = &items[a.item];
                let mut weight = base;
                if a.checked {
                    weight = weight.min(p.checked_weight);
                }
                if a.seen_before {
                    weight *= p.repeat_weight;
                }
                Obs {
                    params,
                    score: (a.score as usize).min(params.max()),
                    column: a.domain + 2,
                    weight,
                    offset: if a.seen_before { p.retest_offset } else { 0.0 },
                }
            })
            .collect();
        let next = update(&prior, &obs);
        state = Some(next.clone());
        out.push((s, next));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(b: f64) -> ItemParams {
        ItemParams {
            a: 1.2,
            steps: vec![b],
        }
    }

    /// Sittings of 40 one-point answers in two areas at the given ages, with `right` of them
    /// right.
    fn history(sittings: &[(f64, usize)], items: &[ItemParams]) -> (Vec<Sitting>, Vec<Answer>) {
        let mut answers = Vec::new();
        let s: Vec<Sitting> = sittings
            .iter()
            .enumerate()
            .map(|(i, &(age, right))| {
                for k in 0..40 {
                    answers.push(Answer {
                        sitting: i,
                        domain: k % 2,
                        item: k % items.len(),
                        score: u32::from(k < right),
                        seen_before: false,
                        checked: false,
                    });
                }
                Sitting {
                    kind: SittingKind::Mock,
                    age_days: age,
                }
            })
            .collect();
        (s, answers)
    }

    #[test]
    fn a_rising_history_is_read_as_learning() {
        let items: Vec<ItemParams> = (0..40).map(|i| item(-1.0 + i as f64 * 0.05)).collect();
        let p = Params::default();
        let (s, a) = history(&[(40.0, 16), (30.0, 20), (20.0, 24), (10.0, 28)], &items);
        let tracked = track(2, &s, &a, &items, &p);
        assert_eq!(tracked.len(), 4);
        let last = &tracked[3].1;
        let (rate, _) = last.rate();
        assert!(rate > 0.012, "rate {rate}");
        // Today's ability is ahead of the last sitting's.
        let now = last.predict(last.age_days, &p);
        assert!(now.mean[0] > last.mean[0]);
        let (flat_s, flat_a) = history(&[(40.0, 22), (30.0, 22), (20.0, 22), (10.0, 22)], &items);
        let flat = track(2, &flat_s, &flat_a, &items, &p);
        assert!(flat[3].1.rate().0 < rate - 0.005, "{:?}", flat[3].1.rate());
    }

    #[test]
    fn uncertainty_shrinks_with_answers_and_grows_with_time() {
        let items: Vec<ItemParams> = (0..40).map(|i| item(-1.0 + i as f64 * 0.05)).collect();
        let p = Params::default();
        let (s, a) = history(&[(10.0, 25)], &items);
        let one = track(2, &s, &a, &items, &p)[0].1.clone();
        assert!(one.cov[0] < 0.25 * p.prior_sd.powi(2));
        let later = one.predict(60.0, &p);
        assert!(later.cov[0] > one.cov[0] + 60.0 * p.drift_var * 0.99);
        let (s2, a2) = history(&[(12.0, 25), (10.0, 25)], &items);
        let two = track(2, &s2, &a2, &items, &p)[1].1.clone();
        assert!(two.cov[0] < one.cov[0]);
    }

    #[test]
    fn repeated_questions_count_less_and_are_expected_to_be_easier() {
        let items = vec![item(0.0)];
        let p = Params::default();
        let s = vec![Sitting {
            kind: SittingKind::Mock,
            age_days: 1.0,
        }];
        let answers = |seen| -> Vec<Answer> {
            (0..30)
                .map(|k| Answer {
                    sitting: 0,
                    domain: 0,
                    item: 0,
                    score: u32::from(k % 3 != 0),
                    seen_before: seen,
                    checked: false,
                })
                .collect()
        };
        let fresh = &track(1, &s, &answers(false), &items, &p)[0].1;
        let seen = &track(1, &s, &answers(true), &items, &p)[0].1;
        assert!(seen.mean[0] < fresh.mean[0] - 0.2, "{seen:?} {fresh:?}");
        assert!(seen.cov[0] > fresh.cov[0]);
    }

    #[test]
    fn checked_practice_answers_weigh_less_than_mock_answers() {
        let items = vec![item(0.0)];
        let p = Params::default();
        let mk = |kind, checked| {
            let s = vec![Sitting {
                kind,
                age_days: 1.0,
            }];
            let a: Vec<Answer> = (0..20)
                .map(|k| Answer {
                    sitting: 0,
                    domain: 0,
                    item: 0,
                    score: u32::from(k % 4 != 0),
                    seen_before: false,
                    checked,
                })
                .collect();
            track(1, &s, &a, &items, &p)[0].1.clone()
        };
        let mock = mk(SittingKind::Mock, false);
        let practice = mk(SittingKind::Practice, true);
        assert!(practice.cov[0] > mock.cov[0]);
        assert!(practice.mean[0] < mock.mean[0]);
    }
}
