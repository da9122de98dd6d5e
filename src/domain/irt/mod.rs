//! Item response theory: how the chance of each score on a question depends on a candidate's
//! ability θ (logits), and how the questions' parameters are estimated from responses.
//!
//! Every question is a generalised partial credit model (GPCM) over its points: a question worth
//! `m` points has categories 0..=m and
//!
//! ```text
//! P(X = k | θ) ∝ exp( Σ_{j ≤ k} a (θ − δ_j) )
//! ```
//!
//! with discrimination `a` and step difficulties `δ_1..δ_m`. A one-point question is exactly the
//! two-parameter logistic model (2PL) with difficulty `δ_1`. A multi-part question is not
//! treated as `m` independent answers: its steps are free, so the model learns how much its
//! parts go together (a shared "testlet" effect pushes scores to the ends, which the GPCM shows
//! as steps that are close together or reversed). `b`, the mean of the steps, is the question's
//! overall difficulty; the Rasch model is the same with one `a` shared by every question.
//!
//! `calibrate` estimates the parameters by marginal maximum likelihood (EM over a quadrature
//! grid); `docs/readiness.md` describes the method and its measured accuracy.
// Numeric code indexes several parallel arrays and matrices by the same counter.
#![allow(clippy::needless_range_loop)]

pub mod bank;
pub mod calibrate;
pub mod linalg;
pub mod retest;

use serde::{Deserialize, Serialize};

/// One question's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemParams {
    /// Discrimination, > 0.
    pub a: f64,
    /// Step difficulties δ_1..δ_m, one per point.
    pub steps: Vec<f64>,
}

impl ItemParams {
    /// A question of `max` points whose parts are independent, each a 2PL with `a` and `b`: the
    /// GPCM steps of a binomial are `b + ln(k / (m − k + 1)) / a`.
    pub fn binomial(max: usize, a: f64, b: f64) -> ItemParams {
        let m = max.max(1) as f64;
        ItemParams {
            a,
            steps: (1..=max.max(1))
                .map(|k| b + (k as f64 / (m - k as f64 + 1.0)).ln() / a)
                .collect(),
        }
    }

    /// Points the question is worth.
    pub fn max(&self) -> usize {
        self.steps.len()
    }

    /// Overall difficulty: the mean step.
    pub fn b(&self) -> f64 {
        if self.steps.is_empty() {
            0.0
        } else {
            self.steps.iter().sum::<f64>() / self.steps.len() as f64
        }
    }

    /// P(X = k | θ) for k = 0..=m into `out` (length m + 1).
    pub fn probs(&self, theta: f64, out: &mut [f64]) {
        let mut z = 0.0;
        let mut zmax = 0.0f64;
        out[0] = 0.0;
        for (k, d) in self.steps.iter().enumerate() {
            z += self.a * (theta - d);
            out[k + 1] = z;
            zmax = zmax.max(z);
        }
        let mut sum = 0.0;
        for v in out.iter_mut().take(self.steps.len() + 1) {
            *v = (*v - zmax).exp();
            sum += *v;
        }
        for v in out.iter_mut().take(self.steps.len() + 1) {
            *v /= sum;
        }
    }

    /// ln P(X = k | θ).
    pub fn log_prob(&self, theta: f64, k: usize) -> f64 {
        let mut buf = [0.0; 16];
        let m = self.max().min(15);
        self.probs(theta, &mut buf[..=m]);
        buf[k.min(m)].max(1e-300).ln()
    }

    /// Mean and variance of the score at θ.
    pub fn moments(&self, theta: f64) -> (f64, f64) {
        let mut buf = [0.0; 16];
        let m = self.max().min(15);
        self.probs(theta, &mut buf[..=m]);
        let mean: f64 = (0..=m).map(|k| k as f64 * buf[k]).sum();
        let var: f64 = (0..=m).map(|k| (k as f64 - mean).powi(2) * buf[k]).sum();
        (mean, var)
    }

    /// Fisher information about θ: a² Var(X | θ).
    pub fn information(&self, theta: f64) -> f64 {
        self.a * self.a * self.moments(theta).1
    }
}

/// Nodes and weights of a standard normal on an even grid: the quadrature of the EM and of
/// expected-a-posteriori estimates.
pub fn normal_grid(n: usize, half_width: f64) -> (Vec<f64>, Vec<f64>) {
    let n = n.max(3);
    let nodes: Vec<f64> = (0..n)
        .map(|i| -half_width + 2.0 * half_width * i as f64 / (n - 1) as f64)
        .collect();
    let raw: Vec<f64> = nodes.iter().map(|x| (-0.5 * x * x).exp()).collect();
    let total: f64 = raw.iter().sum();
    (nodes, raw.iter().map(|w| w / total).collect())
}

/// Standard normal distribution function (absolute error below 1e-7).
pub fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    if x >= 0.0 {
        1.0 - 0.5 * erfc
    } else {
        0.5 * erfc
    }
}

pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Pearson correlation; 0 when either side does not vary.
pub fn correlation(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len().min(y.len()) as f64;
    if n < 2.0 {
        return 0.0;
    }
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx).powi(2);
        syy += (b - my).powi(2);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_one_point_question_is_the_2pl() {
        let p = ItemParams {
            a: 1.7,
            steps: vec![0.3],
        };
        let mut out = [0.0; 2];
        p.probs(1.0, &mut out);
        assert!((out[1] - logistic(1.7 * 0.7)).abs() < 1e-12);
        assert!((p.b() - 0.3).abs() < 1e-12);
    }

    #[test]
    fn binomial_steps_give_binomial_probabilities() {
        let (a, b, m) = (1.3, -0.4, 4usize);
        let p = ItemParams::binomial(m, a, b);
        let q = logistic(a * (0.5 - b));
        let mut out = [0.0; 5];
        p.probs(0.5, &mut out);
        for (k, got) in out.iter().enumerate() {
            let choose = (1..=k).fold(1.0, |c, j| c * (m - j + 1) as f64 / j as f64);
            let want = choose * q.powi(k as i32) * (1.0 - q).powi((m - k) as i32);
            assert!((got - want).abs() < 1e-12, "k={k}: {got} vs {want}");
        }
        // Information of m independent parts is m times that of one.
        let one = ItemParams::binomial(1, a, b).information(0.5);
        assert!((p.information(0.5) - 4.0 * one).abs() < 1e-9);
    }

    #[test]
    fn special_functions() {
        assert!((normal_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 2e-7);
        assert!((normal_cdf(-1.0) - 0.158_655_253_931_457).abs() < 2e-7);
        let (nodes, w) = normal_grid(41, 5.0);
        let mean: f64 = nodes.iter().zip(&w).map(|(x, w)| x * w).sum();
        let var: f64 = nodes.iter().zip(&w).map(|(x, w)| x * x * w).sum();
        assert!(mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-3, "{var}");
        assert!((correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]) - 0.9986).abs() < 1e-3);
    }

    proptest! {
        #[test]
        fn probabilities_sum_to_one_and_the_mean_rises_with_ability(
            a in 0.2f64..3.0,
            steps in prop::collection::vec(-3.0f64..3.0, 1..6),
            theta in -4.0f64..4.0,
        ) {
            let p = ItemParams { a, steps };
            let mut out = vec![0.0; p.max() + 1];
            p.probs(theta, &mut out);
            prop_assert!((out.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            prop_assert!(out.iter().all(|v| *v >= 0.0));
            prop_assert!(p.moments(theta + 0.1).0 > p.moments(theta).0);
            prop_assert!(p.information(theta) > 0.0);
        }
    }
}
