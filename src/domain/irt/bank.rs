//! Calibrating a whole question bank: every question version with enough responses gets its
//! fitted GPCM (2PL) and Rasch parameters; one with too few gets the prior of its kind and
//! objective, pooled from the fitted questions.
// Numeric code indexes several parallel arrays and matrices by the same counter.
#![allow(clippy::needless_range_loop)]

use super::calibrate::{calibrate, Model, Options, Response};
use super::ItemParams;

/// A question version to calibrate.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    pub kind: String,
    pub objective: String,
    pub domain: String,
    pub max_points: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Fitted,
    /// Too few responses: the kind's discrimination and the objective's difficulty.
    Prior,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Fitted => "fitted",
            Source::Prior => "prior",
        }
    }
    pub fn parse(s: &str) -> Source {
        if s == "fitted" {
            Source::Fitted
        } else {
            Source::Prior
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Calibrated {
    pub params: ItemParams,
    pub se_a: Option<f64>,
    pub se_b: Option<f64>,
    pub rasch_b: Option<f64>,
    pub rasch_se_b: Option<f64>,
    pub responses: usize,
    pub source: Source,
}

/// Fewer first-exposure responses than this and a question keeps its prior.
pub const MIN_RESPONSES: usize = 30;
/// Before anything is fitted: questions a little easier than the population's average
/// candidate, as mock banks are written.
const DEFAULT_A: f64 = 1.0;
const DEFAULT_B: f64 = -0.5;

pub struct Summary {
    pub items: Vec<Calibrated>,
    pub iterations: usize,
    pub converged: bool,
}

/// Calibrates `versions` from `responses` (person = one sitting, item = index into
/// `versions`; only first exposures should be given).
pub fn calibrate_bank(versions: &[Version], responses: &[Response]) -> Summary {
    let maxes: Vec<usize> = versions.iter().map(|v| v.max_points.max(1)).collect();
    let opts = Options::default();
    let two = calibrate(&maxes, responses, Model::TwoPl, &opts);
    let one = calibrate(&maxes, responses, Model::Rasch, &opts);
    let mut items: Vec<Option<Calibrated>> = two
        .items
        .iter()
        .zip(&one.items)
        .map(|(f, r)| {
            (f.n >= MIN_RESPONSES).then(|| Calibrated {
                params: f.params.clone(),
                se_a: f.se_a.is_finite().then_some(f.se_a),
                se_b: f.se_b.is_finite().then_some(f.se_b),
                rasch_b: Some(r.params.b()),
                rasch_se_b: r.se_b.is_finite().then_some(r.se_b),
                responses: f.n,
                source: Source::Fitted,
            })
        })
        .collect();
    let fitted: Vec<(usize, ItemParams)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.as_ref().map(|c| (i, c.params.clone())))
        .collect();
    for (i, slot) in items.iter_mut().enumerate() {
        if slot.is_none() {
            let mut c = prior(versions, &fitted, i);
            c.responses = two.items[i].n;
            *slot = Some(c);
        }
    }
    Summary {
        items: items.into_iter().flatten().collect(),
        iterations: two.iterations,
        converged: two.converged,
    }
}

fn mean_sd(xs: &[f64]) -> Option<(f64, f64)> {
    if xs.is_empty() {
        return None;
    }
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    Some((m, v.sqrt()))
}

/// The prior of version `i`: the geometric mean discrimination of fitted questions of its kind
/// (else of all), and the mean difficulty of fitted questions of its objective (else its skill
/// area, else all), with independent parts between.
pub fn prior(versions: &[Version], fitted: &[(usize, ItemParams)], i: usize) -> Calibrated {
    let v = &versions[i];
    let log_a = |f: &dyn Fn(&Version) -> bool| -> Vec<f64> {
        fitted
            .iter()
            .filter(|(j, _)| f(&versions[*j]))
            .map(|(_, p)| p.a.ln())
            .collect()
    };
    let bs = |f: &dyn Fn(&Version) -> bool| -> Vec<f64> {
        fitted
            .iter()
            .filter(|(j, _)| f(&versions[*j]))
            .map(|(_, p)| p.b())
            .collect()
    };
    let a = mean_sd(&log_a(&|w| w.kind == v.kind))
        .or_else(|| mean_sd(&log_a(&|_| true)))
        .map(|(m, _)| m.exp())
        .unwrap_or(DEFAULT_A);
    let b = mean_sd(&bs(&|w| w.objective == v.objective))
        .or_else(|| mean_sd(&bs(&|w| w.domain == v.domain)))
        .or_else(|| mean_sd(&bs(&|_| true)));
    let (b, se_b) = match b {
        Some((m, sd)) => (m, Some(sd)),
        None => (DEFAULT_B, None),
    };
    Calibrated {
        params: ItemParams::binomial(v.max_points.max(1), a, b),
        se_a: None,
        se_b,
        rasch_b: None,
        rasch_se_b: None,
        responses: 0,
        source: Source::Prior,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_with_few_responses_take_their_groups_prior() {
        let versions: Vec<Version> = (0..6)
            .map(|i| Version {
                kind: if i < 3 {
                    "single".into()
                } else {
                    "grid".into()
                },
                objective: if i % 2 == 0 {
                    "o.even".into()
                } else {
                    "o.odd".into()
                },
                domain: "d".into(),
                max_points: if i < 3 { 1 } else { 3 },
            })
            .collect();
        // Questions 0–4 answered by 200 patterns; question 5 by 10.
        let mut responses = Vec::new();
        for p in 0..200u32 {
            for i in 0..6u32 {
                if i == 5 && p >= 10 {
                    continue;
                }
                let max = versions[i as usize].max_points as u32;
                responses.push(Response {
                    person: p,
                    item: i,
                    score: (((p * 7 + i * 3) % 10) * (max + 1) / 10) as u8,
                });
            }
        }
        let s = calibrate_bank(&versions, &responses);
        assert_eq!(s.items.len(), 6);
        assert!(s.items[..5].iter().all(|c| c.source == Source::Fitted));
        let last = &s.items[5];
        assert_eq!(last.source, Source::Prior);
        assert_eq!(last.responses, 10);
        assert_eq!(last.params.max(), 3);
        // Its difficulty is the mean of the fitted odd-objective questions (1 and 3).
        let want = (s.items[1].params.b() + s.items[3].params.b()) / 2.0;
        assert!((last.params.b() - want).abs() < 1e-9);
        // Its discrimination is the geometric mean of the fitted grid questions (3 and 4).
        let want_a = (s.items[3].params.a.ln() / 2.0 + s.items[4].params.a.ln() / 2.0).exp();
        assert!((last.params.a - want_a).abs() < 1e-9);
    }

    #[test]
    fn with_no_responses_everything_has_the_default_prior() {
        let versions = vec![Version {
            kind: "single".into(),
            objective: "o".into(),
            domain: "d".into(),
            max_points: 2,
        }];
        let s = calibrate_bank(&versions, &[]);
        assert_eq!(s.items[0].source, Source::Prior);
        assert!((s.items[0].params.b() - DEFAULT_B).abs() < 1e-9);
    }
}
