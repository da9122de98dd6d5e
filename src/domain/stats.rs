//! Item analysis by classical test theory, following the formulas Moodle's quiz statistics use,
//! adapted to randomised forms: each question is analysed over the submitted attempts that showed
//! it, and an attempt's "rest" score is the share of points it earned on its other questions.
//!
//! - facility: mean share of the item's points earned;
//! - discrimination index: 100 × item–rest correlation;
//! - discriminative efficiency: 100 × Cov(item, rest) / the largest covariance the same marks
//!   could have (both sorted ascending);
//! - flags for items that need a look (negative discrimination usually means a wrong key).

use std::collections::HashMap;

/// One scored item of one submitted attempt.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    pub attempt: usize,
    pub question: usize,
    pub points: f64,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ItemStats {
    pub question: usize,
    pub n: usize,
    /// 0–100.
    pub facility: f64,
    /// Standard deviation of the item's marks as a percentage of its maximum.
    pub sd_percent: f64,
    /// −100–100; `None` when there is no variation to correlate.
    pub discrimination: Option<f64>,
    pub efficiency: Option<f64>,
    pub flag: Option<&'static str>,
}

/// Fewer answers than this and the figures are too noisy to act on.
pub const MIN_ANSWERS: usize = 10;

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Sample covariance (n − 1), as Moodle uses.
fn cov(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (mean(a), mean(b));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - ma) * (y - mb))
        .sum::<f64>()
        / (a.len() as f64 - 1.0)
}

pub fn item_statistics(marks: &[Mark]) -> Vec<ItemStats> {
    let mut totals: HashMap<usize, (f64, f64)> = HashMap::new();
    for m in marks {
        let t = totals.entry(m.attempt).or_default();
        t.0 += m.points;
        t.1 += m.max;
    }
    let mut by_question: HashMap<usize, Vec<(f64, f64)>> = HashMap::new();
    for m in marks.iter().filter(|m| m.max > 0.0) {
        let (t, tmax) = totals[&m.attempt];
        let rest_max = tmax - m.max;
        let rest = if rest_max > 0.0 {
            (t - m.points) / rest_max
        } else {
            0.0
        };
        by_question
            .entry(m.question)
            .or_default()
            .push(((m.points / m.max).clamp(0.0, 1.0), rest));
    }
    let mut out: Vec<ItemStats> = by_question
        .into_iter()
        .map(|(question, pairs)| {
            let n = pairs.len();
            let x: Vec<f64> = pairs.iter().map(|p| p.0).collect();
            let rest: Vec<f64> = pairs.iter().map(|p| p.1).collect();
            let facility = 100.0 * mean(&x);
            if n < 2 {
                return ItemStats {
                    question,
                    n,
                    facility,
                    sd_percent: 0.0,
                    discrimination: None,
                    efficiency: None,
                    flag: Some("Too few answers to judge"),
                };
            }
            let vx = cov(&x, &x);
            let vr = cov(&rest, &rest);
            let c = cov(&x, &rest);
            let discrimination = (vx > 1e-12 && vr > 1e-12).then(|| 100.0 * c / (vx * vr).sqrt());
            let mut xs = x.clone();
            let mut rs = rest.clone();
            xs.sort_by(f64::total_cmp);
            rs.sort_by(f64::total_cmp);
            let cmax = cov(&xs, &rs);
            let efficiency = (cmax > 1e-12).then(|| 100.0 * c / cmax);
            let flag = if n < MIN_ANSWERS {
                Some("Too few answers to judge")
            } else if discrimination.is_some_and(|d| d < 0.0) {
                Some("Negative discrimination: stronger candidates do worse — check the key")
            } else if facility < 20.0 {
                Some("Very hard: check the key and the wording")
            } else if facility > 95.0 {
                Some("Very easy: tells candidates apart little")
            } else if discrimination.is_some_and(|d| d < 15.0) {
                Some("Weak discrimination")
            } else {
                None
            };
            ItemStats {
                question,
                n,
                facility,
                sd_percent: 100.0 * vx.sqrt(),
                discrimination,
                efficiency,
                flag,
            }
        })
        .collect();
    out.sort_by_key(|s| s.question);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// 40 attempts over 20 questions; ability rises with the attempt number.
    fn cohort(flip: Option<usize>) -> Vec<Mark> {
        let mut out = vec![];
        for a in 0usize..40 {
            for q in 0..20 {
                // A deterministic scramble stands in for chance; ability rises with `a`.
                let noise = (a * 7919 + q * 104_729).wrapping_mul(2_654_435_761) % 1000;
                let right = noise < a * 25;
                let right = if Some(q) == flip { !right } else { right };
                out.push(Mark {
                    attempt: a,
                    question: q,
                    points: right as u8 as f64,
                    max: 1.0,
                });
            }
        }
        out
    }

    #[test]
    fn a_good_item_discriminates_and_a_miskeyed_one_is_flagged() {
        let good = item_statistics(&cohort(None));
        assert!(
            good.iter().all(|s| s.discrimination.unwrap() > 20.0),
            "{good:?}"
        );
        let bad = item_statistics(&cohort(Some(2)));
        let s = &bad[2];
        assert!(s.discrimination.unwrap() < 0.0);
        assert!(s.flag.unwrap().starts_with("Negative discrimination"));
    }

    #[test]
    fn facility_is_the_share_of_points() {
        let marks = vec![
            Mark {
                attempt: 0,
                question: 0,
                points: 1.0,
                max: 2.0,
            },
            Mark {
                attempt: 1,
                question: 0,
                points: 2.0,
                max: 2.0,
            },
        ];
        let s = &item_statistics(&marks)[0];
        assert!((s.facility - 75.0).abs() < 1e-9);
        assert_eq!(s.flag, Some("Too few answers to judge"));
    }

    proptest! {
        #[test]
        fn figures_stay_in_range(marks in prop::collection::vec((0usize..30, 0usize..8, 0u8..=3, 1u8..=3), 1..300)) {
            let marks: Vec<Mark> = marks
                .into_iter()
                .map(|(a, q, p, m)| Mark { attempt: a, question: q, points: p.min(m) as f64, max: m as f64 })
                .collect();
            for s in item_statistics(&marks) {
                prop_assert!((0.0..=100.0).contains(&s.facility));
                prop_assert!(s.sd_percent >= 0.0 && s.sd_percent <= 100.0 + 1e-9);
                if let Some(d) = s.discrimination { prop_assert!((-100.0 - 1e-6..=100.0 + 1e-6).contains(&d)); }
                if let Some(e) = s.efficiency { prop_assert!(e <= 100.0 + 1e-6); }
            }
        }
    }
}
