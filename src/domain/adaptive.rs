//! The adaptive readiness check: which question to show next, and when to stop.
//!
//! - **Estimate**: expected a posteriori θ and its posterior sd over a quadrature grid, from a
//!   normal prior and the GPCM likelihood of the answers so far.
//! - **Content balancing**: the next question comes from the skill areas furthest behind their
//!   blueprint share (target share × questions so far − questions given; any area within
//!   `content_slack` questions of the furthest), so a short check keeps the blueprint's weights.
//! - **Selection**: among those areas' eligible questions, Fisher information at the current
//!   estimate. `random_items` > 0 blends in randomness that fades over the first questions (the
//!   progressive method of Revuelta and Ponsoda); the default is 0 because the eligibility rule
//!   below already spreads the questions, and in simulation the randomness cost precision
//!   (docs/readiness.md).
//! - **Exposure control**: a question already shown in more than `max_exposure` of recent checks
//!   is not eligible (the item-eligibility form of Sympson–Hetter control).
//! - **Stopping**: when the posterior sd reaches the standard error a full 50-question mock
//!   would give at that ability, or at `max_items`.
// Numeric code indexes several parallel arrays and matrices by the same counter.
#![allow(clippy::needless_range_loop)]

use super::forecast::BankItem;
use super::irt::normal_grid;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub min_items: usize,
    pub max_items: usize,
    /// Largest share of checks a question may appear in.
    pub max_exposure: f64,
    /// Checks seen before exposure rates are trusted.
    pub exposure_warmup: u32,
    pub prior_sd: f64,
    /// Questions over which the random part of the choice fades out.
    pub random_items: usize,
    /// Areas within this many questions of the one furthest behind its share may supply the
    /// next question.
    pub content_slack: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            min_items: 8,
            max_items: 20,
            max_exposure: 0.2,
            exposure_warmup: 30,
            prior_sd: 1.0,
            random_items: 0,
            content_slack: 1.0,
        }
    }
}

/// θ and its posterior sd after `answers` (question index into `bank`, points).
pub fn estimate(
    bank: &[BankItem],
    answers: &[(usize, u32)],
    prior_mean: f64,
    prior_sd: f64,
) -> (f64, f64) {
    let (nodes, _) = normal_grid(81, 6.0);
    let sd = prior_sd.max(0.05);
    let mut logp: Vec<f64> = nodes.iter().map(|z| -0.5 * (z - 0.0).powi(2)).collect();
    let thetas: Vec<f64> = nodes.iter().map(|z| prior_mean + sd * z).collect();
    for &(i, k) in answers {
        if let Some(item) = bank.get(i) {
            for (q, t) in thetas.iter().enumerate() {
                logp[q] += item.params.log_prob(*t, k as usize);
            }
        }
    }
    let top = logp.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = logp.iter().map(|l| (l - top).exp()).collect();
    let total: f64 = w.iter().sum();
    let mean = thetas.iter().zip(&w).map(|(t, w)| t * w).sum::<f64>() / total;
    let var = thetas
        .iter()
        .zip(&w)
        .map(|(t, w)| (t - mean).powi(2) * w)
        .sum::<f64>()
        / total;
    (mean, var.sqrt())
}

/// The standard error of θ a full form with `counts` questions per area would give at θ: one
/// over the square root of its expected information (questions drawn at random from the bank).
pub fn full_form_se(bank: &[BankItem], counts: &[u32], theta: f64) -> f64 {
    let mut info = 0.0;
    for (area, &n) in counts.iter().enumerate() {
        let items: Vec<&BankItem> = bank.iter().filter(|b| b.domain == area).collect();
        if items.is_empty() {
            continue;
        }
        let mean = items
            .iter()
            .map(|b| b.params.information(theta))
            .sum::<f64>()
            / items.len() as f64;
        info += n as f64 * mean;
    }
    // A full form's estimate also starts from the same prior.
    1.0 / (info + 1.0).sqrt()
}

/// How far each area is behind its share (negative: ahead), `None` for areas without eligible
/// questions.
fn deficits(targets: &[f64], given: &[usize], has_items: &[bool]) -> Vec<Option<f64>> {
    let total: usize = given.iter().sum::<usize>() + 1;
    let share_sum: f64 = targets.iter().sum::<f64>().max(1e-9);
    (0..targets.len())
        .map(|a| has_items[a].then(|| targets[a] / share_sum * total as f64 - given[a] as f64))
        .collect()
}

/// The next question to show, or `None` when nothing is eligible. `targets` are the areas'
/// questions on a full form; `given` the questions shown so far; `exposure[i]` how many of
/// the last `checks` checks showed question `i`; `excluded` questions that may not be shown
/// (already in this check, or seen recently).
#[allow(clippy::too_many_arguments)]
pub fn next_item(
    bank: &[BankItem],
    targets: &[f64],
    given: &[usize],
    theta: f64,
    excluded: &[bool],
    exposure: &[u32],
    checks: u32,
    cfg: &Config,
    seed: u64,
) -> Option<usize> {
    let eligible = |i: usize| {
        !excluded.get(i).copied().unwrap_or(false)
            && (checks < cfg.exposure_warmup
                || (exposure.get(i).copied().unwrap_or(0) as f64)
                    < cfg.max_exposure * checks as f64)
    };
    let mut counts = vec![0usize; targets.len()];
    for &i in given {
        if let Some(b) = bank.get(i) {
            if b.domain < counts.len() {
                counts[b.domain] += 1;
            }
        }
    }
    let mut has = vec![false; targets.len()];
    for (i, b) in bank.iter().enumerate() {
        if b.domain < has.len() && eligible(i) {
            has[b.domain] = true;
        }
    }
    // Areas within `content_slack` questions of the one furthest behind may all supply the next one,
    // so the most informative of them can be used while the counts stay on the blueprint.
    let behind = deficits(targets, &counts, &has);
    let most = behind
        .iter()
        .flatten()
        .cloned()
        .fold(f64::NEG_INFINITY, f64::max);
    if !most.is_finite() {
        return None;
    }
    let open = |d: usize| {
        behind
            .get(d)
            .copied()
            .flatten()
            .is_some_and(|x| x >= most - cfg.content_slack)
    };
    let pool: Vec<(usize, f64)> = bank
        .iter()
        .enumerate()
        .filter(|(i, b)| open(b.domain) && eligible(*i))
        .map(|(i, b)| (i, b.params.information(theta)))
        .collect();
    let best = pool.iter().map(|p| p.1).fold(0.0f64, f64::max);
    // Progressive method: randomness weighs (1 − s), information s, s growing over the first
    // questions (when every candidate's estimate is still about the same).
    let s = if cfg.random_items == 0 {
        1.0
    } else {
        (given.len() as f64 / cfg.random_items as f64).min(1.0)
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (given.len() as u64).wrapping_mul(0x9E37_79B9));
    pool.iter()
        .map(|&(i, info)| (i, (1.0 - s) * rng.gen::<f64>() * best + s * info))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Whether the check has measured enough.
pub fn should_stop(items: usize, se: f64, target_se: f64, cfg: &Config) -> bool {
    items >= cfg.max_items || (items >= cfg.min_items && se <= target_se)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::irt::ItemParams;

    fn bank() -> Vec<BankItem> {
        (0..120)
            .map(|i| BankItem {
                domain: i % 4,
                params: ItemParams::binomial(
                    1 + i % 3,
                    0.7 + (i % 5) as f64 * 0.2,
                    -2.0 + (i % 9) as f64 * 0.5,
                ),
            })
            .collect()
    }

    #[test]
    fn the_estimate_follows_the_answers() {
        let b = bank();
        let right: Vec<(usize, u32)> = (0..10).map(|i| (i, b[i].params.max() as u32)).collect();
        let wrong: Vec<(usize, u32)> = (0..10).map(|i| (i, 0)).collect();
        let (hi, sd_hi) = estimate(&b, &right, 0.0, 1.0);
        let (lo, _) = estimate(&b, &wrong, 0.0, 1.0);
        assert!(hi > 1.0 && lo < -1.0, "{hi} {lo}");
        assert!(sd_hi < 1.0);
        assert!((estimate(&b, &[], 0.3, 1.0).0 - 0.3).abs() < 1e-9);
    }

    #[test]
    fn content_follows_the_blueprint_and_nothing_repeats() {
        let b = bank();
        let targets = [11.0, 11.0, 14.0, 14.0];
        let mut given = Vec::new();
        let mut excluded = vec![false; b.len()];
        for k in 0..20 {
            let i = next_item(
                &b,
                &targets,
                &given,
                0.0,
                &excluded,
                &[],
                0,
                &Config::default(),
                k,
            )
            .unwrap();
            assert!(!excluded[i]);
            excluded[i] = true;
            given.push(i);
        }
        let mut per = [0usize; 4];
        for &i in &given {
            per[b[i].domain] += 1;
        }
        assert!(per.iter().all(|&n| (4..=6).contains(&n)), "{per:?}");
    }

    #[test]
    fn over_exposed_questions_are_not_eligible_and_late_choices_are_informative() {
        let b = bank();
        let targets = [1.0, 0.0, 0.0, 0.0];
        // Only area 0 may supply questions: a slack under one question keeps the others shut.
        let cfg = Config {
            content_slack: 0.5,
            ..Config::default()
        };
        let mut exposure = vec![0u32; b.len()];
        // Every question of area 0 but one has been shown in half the checks.
        for (i, x) in exposure.iter_mut().enumerate() {
            if b[i].domain == 0 && i != 8 {
                *x = 50;
            }
        }
        let pick = next_item(
            &b,
            &targets,
            &[],
            0.0,
            &vec![false; b.len()],
            &exposure,
            100,
            &cfg,
            3,
        );
        assert_eq!(pick, Some(8));
        // At the end of a check the most informative question wins.
        let given: Vec<usize> = vec![1; 20];
        let pick = next_item(
            &b,
            &targets,
            &given,
            0.0,
            &vec![false; b.len()],
            &[],
            0,
            &cfg,
            3,
        )
        .unwrap();
        let best = (0..b.len())
            .filter(|&i| b[i].domain == 0)
            .max_by(|&x, &y| {
                b[x].params
                    .information(0.0)
                    .total_cmp(&b[y].params.information(0.0))
            })
            .unwrap();
        assert_eq!(pick, best);
    }

    #[test]
    fn stopping_needs_the_minimum_and_the_precision() {
        let cfg = Config::default();
        assert!(!should_stop(3, 0.1, 0.3, &cfg));
        assert!(should_stop(8, 0.29, 0.3, &cfg));
        assert!(!should_stop(8, 0.31, 0.3, &cfg));
        assert!(should_stop(20, 0.9, 0.3, &cfg));
        let se = full_form_se(&bank(), &[11, 11, 14, 14], 0.0);
        assert!(se > 0.1 && se < 0.5, "{se}");
    }
}
