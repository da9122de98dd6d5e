//! Building one exam form from the question bank.
//!
//! A mock is only useful if it looks like the real exam: each skill area holds the share of
//! questions the blueprint gives it, a case study and a problem–solution series appear as the
//! real exam presents them (whole, in their written order, as sections of their own after the
//! standalone questions), and a candidate who sits several mocks sees new questions before old
//! ones. Assembly is deterministic in its seed so that the seed stored with an attempt rebuilds
//! the same form, and the answer-list order of each question likewise.
//!
//! A bank that cannot make a form is reported by naming the domain that is short, since that is
//! what an author has to fix; a short form is never handed out.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::blueprint::Blueprint;
use super::item::ScenarioKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    Standalone,
    Series,
    Case,
}

impl SectionKind {
    /// The name stored with an attempt item.
    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::Standalone => "standalone",
            SectionKind::Series => "series",
            SectionKind::Case => "case",
        }
    }
}

/// One question available for a form. `group` = (scenario id, kind) for case-study and series
/// questions; members of a group are listed in their bank order.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub index: usize,
    /// Code of the blueprint domain the question counts towards.
    pub domain: String,
    pub group: Option<(String, ScenarioKind)>,
    /// The candidate has met this question in an earlier attempt.
    pub seen: bool,
}

/// One position on a form, in form order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormSlot {
    /// `Candidate::index` of the question.
    pub index: usize,
    /// Sections are numbered from 0 in form order; every question of a section is contiguous.
    pub section: u32,
    pub section_kind: SectionKind,
}

/// Why no form could be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssemblyError {
    /// The blueprint itself cannot be met (see [`Blueprint::problems`]).
    #[error(
        "The blueprint's domain ranges allow {min}–{max} questions, which cannot make a form of {needed}."
    )]
    Ranges { min: u32, max: u32, needed: u32 },
    /// Even taking every question of the domain a form can hold, the domain cannot reach the
    /// fewest questions a form needs from it: its lower bound, or more (up to its upper bound)
    /// when the other domains cannot make up the rest even at their fullest. `in_bank` counts
    /// every question of the domain; `available` only those one form can hold (standalone
    /// questions, plus the most that any one case study and any one series bring). When several
    /// domains are short, the one furthest short is named.
    #[error("{}", domain_short(.code, .title, *.in_bank, *.available, *.needed))]
    DomainShort {
        code: String,
        title: String,
        in_bank: u32,
        available: u32,
        needed: u32,
    },
    /// The domain's standalone questions fall short, and no case study or series can be added to
    /// make up the difference without pushing some domain outside its range.
    #[error(
        "The bank has {standalone} questions in domain “{title}” ({code}) outside case studies and series but a form needs at least {needed}, and no case study or series fits the blueprint's ranges to make up the difference."
    )]
    GroupsDoNotFit {
        code: String,
        title: String,
        standalone: u32,
        needed: u32,
    },
}

fn domain_short(code: &str, title: &str, in_bank: u32, available: u32, needed: u32) -> String {
    if in_bank == available {
        format!(
            "The bank has {available} questions in domain “{title}” ({code}) but a form needs at least {needed}."
        )
    } else {
        format!(
            "The bank has {in_bank} questions in domain “{title}” ({code}), but only {available} of them can go on one form (it holds at most one case study and one series), and a form needs at least {needed}."
        )
    }
}

/// Picks `bp.question_count` questions from `pool` and lays them out in sections.
///
/// - Each domain gets a count inside `bp.domain_count_range`, as close as the bank allows to
///   the midpoint of its weight range.
/// - At most one case study and one series, whole and in bank order, each as its own section
///   after the standalone section (series first). One of each is included whenever some choice
///   of them leaves every domain inside its range; among the choices that include as many, the
///   one with fewer groups the candidate has met (any question of it seen) wins, then the one
///   with fewer seen questions, and the seed decides between equals.
/// - Within a domain, standalone questions the candidate has not seen are used before seen ones.
///   Questions of an included case study or series may be seen even while unseen standalone
///   questions of their domain are left out: including the group comes first.
/// - Candidates of a domain the blueprint does not know are never used (nor is a group holding
///   one), and an index listed twice is used at most once.
pub fn assemble(
    bp: &Blueprint,
    pool: &[Candidate],
    seed: u64,
) -> Result<Vec<FormSlot>, AssemblyError> {
    let n = bp.question_count;
    let ranges: Vec<(u32, u32)> = bp
        .domains
        .iter()
        .map(|d| bp.domain_count_range(d))
        .collect();
    let (min, max) = ranges
        .iter()
        .fold((0, 0), |(a, b), (lo, hi)| (a + lo, b + hi));
    if min > n || max < n {
        return Err(AssemblyError::Ranges {
            min,
            max,
            needed: n,
        });
    }
    if n == 0 {
        return Ok(Vec::new());
    }

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let bank = Bank::sort(bp, pool);
    let quotas = quotas(bp);
    let targets = largest_remainder(&quotas, n);
    let standalone: Vec<u32> = bank.standalone.iter().map(|s| len_u32(s.len())).collect();

    let mut choices: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    for case in std::iter::once(None).chain((0..bank.cases.len()).map(Some)) {
        for series in std::iter::once(None).chain((0..bank.series.len()).map(Some)) {
            choices.push((case, series));
        }
    }
    choices.shuffle(&mut rng);
    choices.sort_by_cached_key(|&(case, series)| {
        let groups: Vec<&Group> = [
            case.map(|c| &bank.cases[c]),
            series.map(|s| &bank.series[s]),
        ]
        .into_iter()
        .flatten()
        .collect();
        (
            Reverse(groups.len()),
            groups.iter().filter(|g| g.seen_members > 0).count(),
            groups.iter().map(|g| g.seen_members).sum::<usize>(),
        )
    });

    for (case, series) in choices {
        let case = case.map(|c| &bank.cases[c]);
        let series = series.map(|s| &bank.series[s]);
        let mut fixed = vec![0u32; bp.domains.len()];
        for g in case.iter().chain(series.iter()) {
            for (f, c) in fixed.iter_mut().zip(&g.per_domain) {
                *f += c;
            }
        }
        let Some(counts) = distribute(&ranges, &quotas, &targets, &fixed, &standalone, n) else {
            continue;
        };
        let mut loose: Vec<&Candidate> = Vec::new();
        for ((d, count), f) in bank.standalone.iter().zip(&counts).zip(&fixed) {
            let (mut unseen, mut seen): (Vec<&Candidate>, Vec<&Candidate>) =
                d.iter().partition(|c| !c.seen);
            unseen.shuffle(&mut rng);
            seen.shuffle(&mut rng);
            loose.extend(unseen.into_iter().chain(seen).take((count - f) as usize));
        }
        loose.shuffle(&mut rng);

        let mut form = Vec::with_capacity(n as usize);
        let sections = [
            (SectionKind::Standalone, loose),
            (
                SectionKind::Series,
                series.map(|g| g.members.clone()).unwrap_or_default(),
            ),
            (
                SectionKind::Case,
                case.map(|g| g.members.clone()).unwrap_or_default(),
            ),
        ];
        let mut section = 0;
        for (section_kind, members) in sections {
            if members.is_empty() {
                continue;
            }
            form.extend(members.iter().map(|c| FormSlot {
                index: c.index,
                section,
                section_kind,
            }));
            section += 1;
        }
        return Ok(form);
    }
    Err(shortage(bp, &ranges, &bank, n))
}

/// A case study or series of the bank.
struct Group<'a> {
    members: Vec<&'a Candidate>,
    per_domain: Vec<u32>,
    seen_members: usize,
    /// False when a member's domain is not in the blueprint: the group cannot be counted.
    usable: bool,
}

/// The pool sorted by what assembly needs to know.
struct Bank<'a> {
    /// Per blueprint domain.
    standalone: Vec<Vec<&'a Candidate>>,
    cases: Vec<Group<'a>>,
    series: Vec<Group<'a>>,
    /// Per blueprint domain: every candidate of it, grouped or not.
    in_bank: Vec<u32>,
}

impl<'a> Bank<'a> {
    fn sort(bp: &Blueprint, pool: &'a [Candidate]) -> Bank<'a> {
        let domain_index: HashMap<&str, usize> = bp
            .domains
            .iter()
            .enumerate()
            .map(|(i, d)| (d.code.as_str(), i))
            .collect();
        let mut standalone = vec![Vec::new(); bp.domains.len()];
        let mut in_bank = vec![0u32; bp.domains.len()];
        let mut groups: Vec<((&str, ScenarioKind), Group)> = Vec::new();
        let mut used = HashSet::new();
        for c in pool {
            if !used.insert(c.index) {
                continue;
            }
            let domain = domain_index.get(c.domain.as_str()).copied();
            if let Some(d) = domain {
                in_bank[d] += 1;
            }
            match &c.group {
                None => {
                    if let Some(d) = domain {
                        standalone[d].push(c);
                    }
                }
                Some((id, kind)) => {
                    let key = (id.as_str(), *kind);
                    let at = match groups.iter().position(|(k, _)| *k == key) {
                        Some(at) => at,
                        None => {
                            groups.push((
                                key,
                                Group {
                                    members: Vec::new(),
                                    per_domain: vec![0; bp.domains.len()],
                                    seen_members: 0,
                                    usable: true,
                                },
                            ));
                            groups.len() - 1
                        }
                    };
                    let g = &mut groups[at].1;
                    g.members.push(c);
                    g.seen_members += usize::from(c.seen);
                    match domain {
                        Some(d) => g.per_domain[d] += 1,
                        None => g.usable = false,
                    }
                }
            }
        }
        let (mut cases, mut series) = (Vec::new(), Vec::new());
        for ((_, kind), g) in groups {
            if !g.usable {
                continue;
            }
            match kind {
                ScenarioKind::Case => cases.push(g),
                ScenarioKind::Series => series.push(g),
            }
        }
        Bank {
            standalone,
            cases,
            series,
            in_bank,
        }
    }
}

fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Each domain's ideal share of a form of `question_count`: the midpoints of the weight ranges,
/// scaled so that they add up to the whole form (published ranges rarely add up exactly).
fn quotas(bp: &Blueprint) -> Vec<f64> {
    let n = bp.question_count as f64;
    let mids: Vec<f64> = bp
        .domains
        .iter()
        .map(|d| (d.weight_min as f64 + d.weight_max as f64) / 2.0)
        .collect();
    let total: f64 = mids.iter().sum();
    if total <= 0.0 {
        let each = n / bp.domains.len().max(1) as f64;
        return vec![each; bp.domains.len()];
    }
    mids.iter().map(|m| n * m / total).collect()
}

/// Whole counts adding up to `n`, rounding each quota down and giving the remaining questions
/// to the largest remainders (earlier domains first on ties).
fn largest_remainder(quotas: &[f64], n: u32) -> Vec<u32> {
    let mut counts: Vec<u32> = quotas.iter().map(|q| q.floor() as u32).collect();
    let mut order: Vec<usize> = (0..quotas.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = quotas[a] - quotas[a].floor();
        let rb = quotas[b] - quotas[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    let mut missing = n.saturating_sub(counts.iter().sum());
    for &d in order.iter().cycle().take(quotas.len() * n as usize) {
        if missing == 0 {
            break;
        }
        counts[d] += 1;
        missing -= 1;
    }
    counts
}

/// Per-domain counts for a form whose groups bring `fixed` questions per domain, with at most
/// `standalone` more per domain: inside every range, adding up to `n`, and as close to the
/// targets as that allows. `None` when no such counts exist.
fn distribute(
    ranges: &[(u32, u32)],
    quotas: &[f64],
    targets: &[u32],
    fixed: &[u32],
    standalone: &[u32],
    n: u32,
) -> Option<Vec<u32>> {
    let bounds: Vec<(u32, u32)> = ranges
        .iter()
        .zip(fixed.iter().zip(standalone))
        .map(|(&(lo, hi), (&f, &s))| (lo.max(f), hi.min(f.saturating_add(s))))
        .collect();
    if bounds.iter().any(|(lo, hi)| lo > hi) {
        return None;
    }
    let (min, max) = bounds.iter().fold((0u32, 0u32), |(a, b), (lo, hi)| {
        (a + lo, b.saturating_add(*hi))
    });
    if min > n || max < n {
        return None;
    }
    let mut counts: Vec<u32> = targets
        .iter()
        .zip(&bounds)
        .map(|(t, &(lo, hi))| (*t).clamp(lo, hi))
        .collect();
    let over = |counts: &[u32], d: usize| counts[d] as f64 - quotas[d];
    loop {
        let total: u32 = counts.iter().sum();
        if total == n {
            return Some(counts);
        }
        // Move the domain furthest from its ideal share, in the direction that helps.
        let pick = if total < n {
            (0..counts.len())
                .filter(|&d| counts[d] < bounds[d].1)
                .min_by(|&a, &b| {
                    over(&counts, a)
                        .total_cmp(&over(&counts, b))
                        .then(a.cmp(&b))
                })
        } else {
            (0..counts.len())
                .filter(|&d| counts[d] > bounds[d].0)
                .max_by(|&a, &b| {
                    over(&counts, a)
                        .total_cmp(&over(&counts, b))
                        .then(b.cmp(&a))
                })
        };
        let d = pick?;
        if total < n {
            counts[d] += 1;
        } else {
            counts[d] -= 1;
        }
    }
}

/// The error for a bank that cannot make a form: the domain with the largest shortfall.
fn shortage(bp: &Blueprint, ranges: &[(u32, u32)], bank: &Bank, n: u32) -> AssemblyError {
    let most_from =
        |groups: &[Group], d: usize| groups.iter().map(|g| g.per_domain[d]).max().unwrap_or(0);
    let available: Vec<u32> = (0..bp.domains.len())
        .map(|d| {
            len_u32(bank.standalone[d].len())
                + most_from(&bank.cases, d)
                + most_from(&bank.series, d)
        })
        .collect();
    if let Some((d, needed)) = worst_shortfall(ranges, &available, n) {
        let domain = &bp.domains[d];
        return AssemblyError::DomainShort {
            code: domain.code.clone(),
            title: domain.title.clone(),
            in_bank: bank.in_bank[d],
            available: available[d],
            needed,
        };
    }
    // Every domain could be filled if any combination of groups were allowed; the standalone
    // questions alone must then fall short somewhere, or a form without groups would exist.
    let standalone: Vec<u32> = bank.standalone.iter().map(|s| len_u32(s.len())).collect();
    let (d, needed) = worst_shortfall(ranges, &standalone, n)
        .expect("a form of standalone questions only exists when no domain is short of them");
    let domain = &bp.domains[d];
    AssemblyError::GroupsDoNotFit {
        code: domain.code.clone(),
        title: domain.title.clone(),
        standalone: standalone[d],
        needed,
    }
}

/// For each domain the fewest questions any form must take from it (its lower bound, or what
/// the other domains cannot supply even at their fullest); returns the domain whose `available`
/// falls furthest below that, with the number needed.
fn worst_shortfall(ranges: &[(u32, u32)], available: &[u32], n: u32) -> Option<(usize, u32)> {
    let capacity: Vec<u32> = ranges
        .iter()
        .zip(available)
        .map(|(r, a)| r.1.min(*a))
        .collect();
    let total: u32 = capacity.iter().sum();
    let mut worst: Option<(usize, u32, u32)> = None;
    for (d, &(lo, _)) in ranges.iter().enumerate() {
        // Capped at the range's top: beyond it the other domains are short too, and the count
        // an author can act on is the one this domain can reach.
        let needed = lo.max(n.saturating_sub(total - capacity[d]).min(ranges[d].1));
        if available[d] < needed {
            let gap = needed - available[d];
            if worst.is_none_or(|(_, _, g)| gap > g) {
                worst = Some((d, needed, gap));
            }
        }
    }
    worst.map(|(d, needed, _)| (d, needed))
}

/// A permutation of each named list, for displaying a question's options in a per-attempt
/// order. Each list draws from its own stream of the seed, so its order depends only on the
/// seed and its name, not on which other lists the question has.
pub fn shuffle_lists(lists: &[(String, Vec<String>)], seed: u64) -> BTreeMap<String, Vec<String>> {
    lists
        .iter()
        .map(|(name, ids)| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(fnv1a(name));
            let mut ids = ids.clone();
            ids.shuffle(&mut rng);
            (name.clone(), ids)
        })
        .collect()
}

/// A hash that stays the same across Rust releases, unlike `DefaultHasher`: stored seeds must
/// keep rebuilding the same orders.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::blueprint::Domain;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn dp100() -> Blueprint {
        toml::from_str(
            r#"
code = "DP-100"
title = "Designing and Implementing a Data Science Solution on Azure"
duration_minutes = 100
question_count = 50
cut_percent = 70.0
[[domains]]
code = "design"
title = "Design and prepare a machine learning solution"
weight_min = 20
weight_max = 25
[[domains]]
code = "explore"
title = "Explore data, and run experiments"
weight_min = 20
weight_max = 25
[[domains]]
code = "train-deploy"
title = "Train and deploy models"
weight_min = 25
weight_max = 30
[[domains]]
code = "language-models"
title = "Optimize language models for AI applications"
weight_min = 25
weight_max = 30
"#,
        )
        .unwrap()
    }

    /// Two domains, a form of ten: `a` may hold `a_range` percent, `b` the rest of its range.
    fn two_domains(a: (u32, u32), b: (u32, u32)) -> Blueprint {
        let domain = |code: &str, title: &str, (weight_min, weight_max): (u32, u32)| Domain {
            code: code.into(),
            title: title.into(),
            weight_min,
            weight_max,
            objectives: vec![],
        };
        Blueprint {
            code: "EX-2".into(),
            title: "Example".into(),
            duration_minutes: 60,
            question_count: 10,
            pass_scaled: 700,
            cut_percent: 70.0,
            min_questions_per_objective: 0,
            min_questions_per_domain: 0,
            retired_on: None,
            successor: None,
            learn_access: false,
            unlisted: false,
            breaks: false,
            domains: vec![domain("a", "Alpha", a), domain("b", "Beta", b)],
        }
    }

    /// Builds a pool in the order questions are added; indexes count up from 0.
    #[derive(Default)]
    struct PoolBuilder(Vec<Candidate>);

    impl PoolBuilder {
        fn standalone(mut self, domain: &str, count: usize, seen: bool) -> Self {
            for _ in 0..count {
                let index = self.0.len();
                self.0.push(Candidate {
                    index,
                    domain: domain.into(),
                    group: None,
                    seen,
                });
            }
            self
        }

        fn group(mut self, id: &str, kind: ScenarioKind, members: &[(&str, bool)]) -> Self {
            for (domain, seen) in members {
                let index = self.0.len();
                self.0.push(Candidate {
                    index,
                    domain: (*domain).into(),
                    group: Some((id.into(), kind)),
                    seen: *seen,
                });
            }
            self
        }

        /// More unseen standalone questions in every domain than a form can take.
        fn ample(self, bp: &Blueprint) -> Self {
            bp.domains.iter().fold(self, |p, d| {
                let most = bp.domain_count_range(d).1 as usize;
                p.standalone(&d.code, most + 10, false)
            })
        }

        fn build(self) -> Vec<Candidate> {
            self.0
        }
    }

    fn counts(bp: &Blueprint, pool: &[Candidate], form: &[FormSlot]) -> Vec<u32> {
        bp.domains
            .iter()
            .map(|d| {
                form.iter()
                    .filter(|s| pool[s.index].domain == d.code)
                    .count() as u32
            })
            .collect()
    }

    fn groups_on(pool: &[Candidate], form: &[FormSlot]) -> Vec<String> {
        let mut ids: Vec<String> = form
            .iter()
            .filter_map(|s| pool[s.index].group.as_ref().map(|g| g.0.clone()))
            .collect();
        ids.dedup();
        ids
    }

    #[test]
    fn ample_bank_gets_the_midpoint_targets() {
        let bp = dp100();
        let pool = PoolBuilder::default().ample(&bp).build();
        let form = assemble(&bp, &pool, 7).unwrap();
        assert_eq!(form.len(), 50);
        // Midpoints 22.5/22.5/27.5/27.5 % of 50 = 11.25, 11.25, 13.75, 13.75.
        assert_eq!(counts(&bp, &pool, &form), vec![11, 11, 14, 14]);
        let unique: HashSet<usize> = form.iter().map(|s| s.index).collect();
        assert_eq!(unique.len(), 50);
        assert!(form
            .iter()
            .all(|s| s.section == 0 && s.section_kind == SectionKind::Standalone));
    }

    #[test]
    fn standalone_questions_are_mixed_across_domains() {
        let bp = dp100();
        let pool = PoolBuilder::default().ample(&bp).build();
        let form = assemble(&bp, &pool, 11).unwrap();
        let changes = form
            .windows(2)
            .filter(|w| pool[w[0].index].domain != pool[w[1].index].domain)
            .count();
        assert!(changes > 10, "domains come in blocks: {changes} changes");
    }

    #[test]
    fn largest_remainder_adds_up() {
        assert_eq!(
            largest_remainder(&[11.25, 11.25, 13.75, 13.75], 50),
            vec![11, 11, 14, 14]
        );
        assert_eq!(largest_remainder(&[1.0 / 3.0; 3], 1), vec![1, 0, 0]);
        assert_eq!(largest_remainder(&[2.5, 2.5], 5), vec![3, 2]);
    }

    #[test]
    fn a_thin_domain_takes_fewer_within_its_range() {
        let bp = dp100();
        let pool = PoolBuilder::default()
            .standalone("design", 30, false)
            .standalone("explore", 30, false)
            .standalone("train-deploy", 13, false)
            .standalone("language-models", 30, false)
            .build();
        let form = assemble(&bp, &pool, 1).unwrap();
        // train-deploy drops to its minimum, and the question goes to the domain furthest
        // below its share.
        assert_eq!(counts(&bp, &pool, &form), vec![12, 11, 13, 14]);
    }

    #[test]
    fn a_short_domain_is_named() {
        let bp = dp100();
        let pool = PoolBuilder::default()
            .standalone("design", 30, false)
            .standalone("explore", 30, false)
            .standalone("train-deploy", 7, false)
            .standalone("language-models", 30, false)
            .build();
        let err = assemble(&bp, &pool, 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The bank has 7 questions in domain “Train and deploy models” (train-deploy) but a form needs at least 13."
        );
    }

    #[test]
    fn a_short_total_is_blamed_on_a_domain_that_could_take_more() {
        let bp = dp100();
        // Every domain at its minimum: 46 questions for a form of 50.
        let pool = PoolBuilder::default()
            .standalone("design", 10, false)
            .standalone("explore", 10, false)
            .standalone("train-deploy", 13, false)
            .standalone("language-models", 13, false)
            .build();
        let err = assemble(&bp, &pool, 1).unwrap_err();
        assert_eq!(
            err,
            AssemblyError::DomainShort {
                code: "design".into(),
                title: "Design and prepare a machine learning solution".into(),
                in_bank: 10,
                available: 10,
                needed: 12,
            }
        );
        assert!(assemble(&bp, &[], 1).is_err());
    }

    #[test]
    fn questions_a_form_cannot_hold_are_told_apart() {
        // b needs at least 5; it has 2 standalone questions and two series of 2, but a form
        // holds one series.
        let bp = two_domains((40, 50), (50, 60));
        let pool = PoolBuilder::default()
            .standalone("a", 10, false)
            .standalone("b", 2, false)
            .group("s1", ScenarioKind::Series, &[("b", false), ("b", false)])
            .group("s2", ScenarioKind::Series, &[("b", false), ("b", false)])
            .build();
        let err = assemble(&bp, &pool, 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The bank has 6 questions in domain “Beta” (b), but only 4 of them can go on one form (it holds at most one case study and one series), and a form needs at least 5."
        );
    }

    #[test]
    fn groups_that_break_the_ranges_are_reported() {
        let bp = two_domains((40, 60), (40, 60));
        let seven_a = [("a", false); 7];
        let mut members = seven_a.to_vec();
        members.extend([("b", false), ("b", false)]);
        let pool = PoolBuilder::default()
            .standalone("a", 6, false)
            .standalone("b", 2, false)
            .group("big", ScenarioKind::Case, &members)
            .build();
        let err = assemble(&bp, &pool, 1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The bank has 2 questions in domain “Beta” (b) outside case studies and series but a form needs at least 4, and no case study or series fits the blueprint's ranges to make up the difference."
        );
    }

    #[test]
    fn impossible_ranges_are_reported() {
        let bp = two_domains((10, 20), (10, 20));
        let pool = PoolBuilder::default().ample(&bp).build();
        assert_eq!(
            assemble(&bp, &pool, 1).unwrap_err().to_string(),
            "The blueprint's domain ranges allow 2–4 questions, which cannot make a form of 10."
        );
    }

    #[test]
    fn one_series_then_one_case_each_whole_in_bank_order() {
        let bp = dp100();
        let pool = PoolBuilder::default()
            .group(
                "contoso",
                ScenarioKind::Case,
                &[
                    ("design", false),
                    ("explore", false),
                    ("design", false),
                    ("explore", false),
                ],
            )
            .ample(&bp)
            .group(
                "drift",
                ScenarioKind::Series,
                &[
                    ("train-deploy", false),
                    ("train-deploy", false),
                    ("train-deploy", false),
                ],
            )
            .build();
        for seed in 0..10 {
            let form = assemble(&bp, &pool, seed).unwrap();
            assert_eq!(form.len(), 50);
            assert_eq!(counts(&bp, &pool, &form), vec![11, 11, 14, 14]);
            let tail: Vec<(usize, u32, SectionKind)> = form[43..]
                .iter()
                .map(|s| (s.index, s.section, s.section_kind))
                .collect();
            let series = pool.len() - 3;
            assert_eq!(
                tail,
                vec![
                    (series, 1, SectionKind::Series),
                    (series + 1, 1, SectionKind::Series),
                    (series + 2, 1, SectionKind::Series),
                    (0, 2, SectionKind::Case),
                    (1, 2, SectionKind::Case),
                    (2, 2, SectionKind::Case),
                    (3, 2, SectionKind::Case),
                ]
            );
            assert!(form[..43]
                .iter()
                .all(|s| s.section == 0 && pool[s.index].group.is_none()));
        }
    }

    #[test]
    fn at_most_one_case_and_one_series() {
        let bp = dp100();
        let mut builder = PoolBuilder::default().ample(&bp);
        for i in 0..3 {
            let members = [
                ("design", false),
                ("train-deploy", false),
                ("explore", false),
            ];
            builder = builder
                .group(&format!("case{i}"), ScenarioKind::Case, &members)
                .group(&format!("series{i}"), ScenarioKind::Series, &members[..2]);
        }
        let pool = builder.build();
        let mut cases_used = BTreeSet::new();
        for seed in 0..20 {
            let form = assemble(&bp, &pool, seed).unwrap();
            let groups = groups_on(&pool, &form);
            assert_eq!(groups.len(), 2, "{groups:?}");
            assert!(groups[0].starts_with("series") && groups[1].starts_with("case"));
            cases_used.insert(groups[1].clone());
        }
        assert!(cases_used.len() > 1, "the case study varies with the seed");
    }

    #[test]
    fn unseen_groups_are_preferred() {
        let bp = dp100();
        let pool = PoolBuilder::default()
            .ample(&bp)
            .group(
                "old1",
                ScenarioKind::Case,
                &[("design", true), ("design", false)],
            )
            .group(
                "new",
                ScenarioKind::Case,
                &[("design", false), ("design", false)],
            )
            .group(
                "old2",
                ScenarioKind::Case,
                &[("design", false), ("design", true)],
            )
            .group(
                "s-old",
                ScenarioKind::Series,
                &[("explore", true), ("explore", true)],
            )
            .build();
        for seed in 0..20 {
            let form = assemble(&bp, &pool, seed).unwrap();
            // A seen series is still better than none.
            assert_eq!(
                groups_on(&pool, &form),
                vec!["s-old".to_string(), "new".to_string()]
            );
        }
    }

    #[test]
    fn fewer_seen_groups_beat_fewer_seen_questions() {
        // Only two pairings fit: x + s (one seen group, three seen questions) and y + t (two
        // seen groups, two seen questions). A candidate recognises a scenario from any one
        // question of it, so the first is the fresher form.
        let bp = two_domains((40, 60), (40, 60));
        let pool = PoolBuilder::default()
            .standalone("a", 3, false)
            .standalone("b", 3, false)
            .group("x", ScenarioKind::Case, &[("a", false), ("a", false)])
            .group("y", ScenarioKind::Case, &[("b", true), ("b", false)])
            .group("s", ScenarioKind::Series, &[("b", true); 3])
            .group(
                "t",
                ScenarioKind::Series,
                &[("a", true), ("a", false), ("a", false)],
            )
            .build();
        for seed in 0..10 {
            let form = assemble(&bp, &pool, seed).unwrap();
            assert_eq!(
                groups_on(&pool, &form),
                vec!["s".to_string(), "x".to_string()]
            );
        }
    }

    #[test]
    fn a_group_that_does_not_fit_is_left_out() {
        let bp = two_domains((40, 60), (40, 60));
        let pool = PoolBuilder::default()
            .standalone("a", 10, false)
            .standalone("b", 10, false)
            .group("too-big", ScenarioKind::Case, &[("a", false); 7])
            .group(
                "fits",
                ScenarioKind::Case,
                &[("a", true), ("b", true), ("a", true)],
            )
            .build();
        for seed in 0..10 {
            let form = assemble(&bp, &pool, seed).unwrap();
            assert_eq!(groups_on(&pool, &form), vec!["fits".to_string()]);
            assert_eq!(counts(&bp, &pool, &form), vec![5, 5]);
            assert_eq!(form[9].section, 1);
        }
    }

    #[test]
    fn ranges_shift_to_make_room_for_a_group() {
        // Targets 5/5, but the only case study brings 6 questions of `a`.
        let bp = two_domains((40, 60), (40, 60));
        let pool = PoolBuilder::default()
            .standalone("a", 10, false)
            .standalone("b", 10, false)
            .group("heavy", ScenarioKind::Case, &[("a", false); 6])
            .build();
        let form = assemble(&bp, &pool, 3).unwrap();
        assert_eq!(groups_on(&pool, &form), vec!["heavy".to_string()]);
        assert_eq!(counts(&bp, &pool, &form), vec![6, 4]);
    }

    #[test]
    fn unseen_questions_come_first() {
        let bp = dp100();
        let pool = PoolBuilder::default()
            .standalone("design", 20, true)
            .standalone("design", 8, false)
            .standalone("explore", 20, true)
            .standalone("explore", 20, false)
            .standalone("train-deploy", 30, false)
            .standalone("language-models", 30, true)
            .build();
        for seed in 0..10 {
            let form = assemble(&bp, &pool, seed).unwrap();
            let picked = |domain: &str, seen: bool| {
                form.iter()
                    .filter(|s| pool[s.index].domain == domain && pool[s.index].seen == seen)
                    .count()
            };
            assert_eq!((picked("design", false), picked("design", true)), (8, 3));
            assert_eq!((picked("explore", false), picked("explore", true)), (11, 0));
            assert_eq!(picked("language-models", true), 14);
        }
    }

    #[test]
    fn the_seed_rebuilds_the_form() {
        let bp = dp100();
        let pool = PoolBuilder::default()
            .ample(&bp)
            .group(
                "c",
                ScenarioKind::Case,
                &[("design", false), ("explore", false)],
            )
            .build();
        let forms: Vec<Vec<FormSlot>> = (0..5)
            .map(|seed| assemble(&bp, &pool, seed).unwrap())
            .collect();
        for (seed, form) in forms.iter().enumerate() {
            assert_eq!(&assemble(&bp, &pool, seed as u64).unwrap(), form);
        }
        let distinct: HashSet<Vec<usize>> = forms
            .iter()
            .map(|f| f.iter().map(|s| s.index).collect())
            .collect();
        assert_eq!(distinct.len(), forms.len());
    }

    #[test]
    fn unknown_domains_and_repeated_indexes_are_never_used() {
        let bp = two_domains((40, 60), (40, 60));
        let mut pool = PoolBuilder::default()
            .standalone("a", 6, false)
            .standalone("b", 6, false)
            .standalone("retired", 5, false)
            .group(
                "mixed",
                ScenarioKind::Case,
                &[("a", false), ("retired", false)],
            )
            .build();
        let again = pool.clone();
        pool.extend(again);
        for seed in 0..10 {
            let form = assemble(&bp, &pool, seed).unwrap();
            assert_eq!(form.len(), 10);
            let unique: HashSet<usize> = form.iter().map(|s| s.index).collect();
            assert_eq!(unique.len(), 10);
            assert!(form
                .iter()
                .all(|s| ["a", "b"].contains(&pool[s.index].domain.as_str())));
            assert!(form.iter().all(|s| pool[s.index].group.is_none()));
        }
    }

    #[test]
    fn section_kinds_have_stored_names() {
        for (k, name) in [
            (SectionKind::Standalone, "standalone"),
            (SectionKind::Series, "series"),
            (SectionKind::Case, "case"),
        ] {
            assert_eq!(k.as_str(), name);
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{name}\""));
        }
    }

    #[test]
    fn shuffled_lists_are_permutations_fixed_by_seed_and_name() {
        let ids = |n: usize| (0..n).map(|i| format!("{i}")).collect::<Vec<_>>();
        let lists = vec![
            ("options".to_string(), ids(6)),
            ("slot1".to_string(), ids(4)),
        ];
        let a = shuffle_lists(&lists, 42);
        assert_eq!(a.len(), 2);
        for (name, list) in &lists {
            let mut got = a[name].clone();
            got.sort();
            let mut want = list.clone();
            want.sort();
            assert_eq!(got, want);
        }
        assert_eq!(shuffle_lists(&lists, 42), a);
        // A list's order does not depend on the other lists.
        assert_eq!(shuffle_lists(&lists[..1], 42)["options"], a["options"]);
        let orders: HashSet<Vec<String>> = (0..20)
            .map(|seed| shuffle_lists(&lists, seed)["options"].clone())
            .collect();
        assert!(orders.len() > 10);
        assert!(shuffle_lists(&[], 1).is_empty());
    }

    // --- properties -------------------------------------------------------------------------

    fn admits(bp: &Blueprint) -> bool {
        let (lo, hi) = bp.domains.iter().fold((0, 0), |(a, b), d| {
            let (lo, hi) = bp.domain_count_range(d);
            (a + lo, b + hi)
        });
        lo <= bp.question_count && bp.question_count <= hi
    }

    /// 2–5 domains whose weight ranges admit a form of 5–60 questions.
    fn arb_blueprint() -> impl Strategy<Value = Blueprint> {
        (
            5u32..=60,
            prop::collection::vec((1u32..=10, 0u32..=8, 0u32..=8), 2..=5),
        )
            .prop_map(|(n, specs)| {
                let total: u32 = specs.iter().map(|s| s.0).sum();
                let domains = specs
                    .iter()
                    .enumerate()
                    .map(|(i, &(share, below, above))| {
                        let p = 100 * share / total;
                        Domain {
                            code: format!("d{i}"),
                            title: format!("Domain {i}"),
                            weight_min: p.saturating_sub(below),
                            weight_max: (p + above).min(100),
                            objectives: vec![],
                        }
                    })
                    .collect();
                let mut bp = Blueprint {
                    code: "PT-1".into(),
                    title: "Property".into(),
                    duration_minutes: 60,
                    question_count: n,
                    pass_scaled: 700,
                    cut_percent: 70.0,
                    min_questions_per_objective: 0,
                    min_questions_per_domain: 0,
                    retired_on: None,
                    successor: None,
                    learn_access: false,
                    unlisted: false,
                    breaks: false,
                    domains,
                };
                while !admits(&bp) {
                    for d in &mut bp.domains {
                        d.weight_min = d.weight_min.saturating_sub(5);
                        d.weight_max = (d.weight_max + 5).min(100);
                    }
                }
                bp
            })
    }

    /// A blueprint and a pool for it: per domain between none and a few more standalone
    /// questions than its range can use (at least that many when `ample`), up to six case
    /// studies and series of 2–6 questions, seen flags at a random rate, in a random order.
    fn arb_case() -> impl Strategy<Value = (Blueprint, Vec<Candidate>, u64)> {
        arb_blueprint().prop_flat_map(|bp| {
            let domains = bp.domains.len();
            let per_domain: Vec<_> = bp
                .domains
                .iter()
                .map(|d| 0..=bp.domain_count_range(d).1 + 6)
                .collect();
            let groups = prop::collection::vec(
                (
                    any::<bool>(),
                    prop::collection::vec((0..domains, 0u8..10), 2..=6),
                ),
                0..=6,
            );
            (
                Just(bp),
                any::<bool>(),
                per_domain,
                groups,
                0u8..=10,
                prop::collection::vec(0u8..10, 400),
                prop::collection::vec(any::<u32>(), 400),
                any::<u64>(),
            )
                .prop_map(
                    |(bp, ample, per_domain, groups, seen_rate, rolls, order, seed)| {
                        let mut pool = Vec::new();
                        let mut push =
                            |domain: usize, group: Option<(String, ScenarioKind)>, roll: u8| {
                                let index = pool.len();
                                pool.push(Candidate {
                                    index,
                                    domain: format!("d{domain}"),
                                    group,
                                    seen: roll < seen_rate,
                                });
                            };
                        let mut roll = rolls.iter().copied().cycle();
                        for (d, count) in per_domain.into_iter().enumerate() {
                            let count = if ample {
                                count.max(bp.domain_count_range(&bp.domains[d]).1)
                            } else {
                                count
                            };
                            for _ in 0..count {
                                push(d, None, roll.next().unwrap());
                            }
                        }
                        for (g, (is_case, members)) in groups.into_iter().enumerate() {
                            let kind = if is_case {
                                ScenarioKind::Case
                            } else {
                                ScenarioKind::Series
                            };
                            for (d, r) in members {
                                push(d, Some((format!("g{g}"), kind)), r);
                            }
                        }
                        let mut keyed: Vec<(u32, Candidate)> =
                            order.iter().copied().cycle().zip(pool).collect();
                        keyed.sort_by_key(|(k, _)| *k);
                        (bp, keyed.into_iter().map(|(_, c)| c).collect(), seed)
                    },
                )
        })
    }

    type Key = (String, ScenarioKind);

    /// The pool's groups in bank order, written out plainly.
    fn naive_groups(pool: &[Candidate]) -> Vec<(Key, Vec<&Candidate>)> {
        let mut out: Vec<(Key, Vec<&Candidate>)> = Vec::new();
        for c in pool {
            if let Some(key) = &c.group {
                match out.iter_mut().find(|(k, _)| k == key) {
                    Some((_, members)) => members.push(c),
                    None => out.push((key.clone(), vec![c])),
                }
            }
        }
        out
    }

    /// Can a form be made with exactly these groups? Every domain must fit its range with the
    /// groups' questions plus some of its standalone ones, and the ranges must meet the count.
    fn naive_fits(bp: &Blueprint, pool: &[Candidate], groups: &[&[&Candidate]]) -> bool {
        let (mut min, mut max) = (0, 0);
        for d in &bp.domains {
            let (lo, hi) = bp.domain_count_range(d);
            let fixed = groups
                .iter()
                .flat_map(|g| g.iter())
                .filter(|c| c.domain == d.code)
                .count() as u32;
            let loose = pool
                .iter()
                .filter(|c| c.group.is_none() && c.domain == d.code)
                .count() as u32;
            let (l, h) = (lo.max(fixed), hi.min(fixed + loose));
            if l > h {
                return false;
            }
            min += l;
            max += h;
        }
        min <= bp.question_count && bp.question_count <= max
    }

    /// Every allowed choice of at most one case study and one series that fits.
    fn naive_choices<'a>(
        bp: &Blueprint,
        pool: &[Candidate],
        groups: &'a [(Key, Vec<&'a Candidate>)],
    ) -> Vec<Vec<&'a (Key, Vec<&'a Candidate>)>> {
        let of = |kind: ScenarioKind| {
            std::iter::once(None)
                .chain(groups.iter().filter(move |g| g.0 .1 == kind).map(Some))
                .collect::<Vec<_>>()
        };
        let mut out = Vec::new();
        for case in of(ScenarioKind::Case) {
            for series in of(ScenarioKind::Series) {
                let chosen: Vec<&(Key, Vec<&Candidate>)> = case.into_iter().chain(series).collect();
                let members: Vec<&[&Candidate]> = chosen.iter().map(|g| g.1.as_slice()).collect();
                if naive_fits(bp, pool, &members) {
                    out.push(chosen);
                }
            }
        }
        out
    }

    fn seen_rank(groups: &[&[&Candidate]]) -> (usize, usize) {
        (
            groups.iter().filter(|g| g.iter().any(|c| c.seen)).count(),
            groups
                .iter()
                .map(|g| g.iter().filter(|c| c.seen).count())
                .sum(),
        )
    }

    fn check_form(
        bp: &Blueprint,
        pool: &[Candidate],
        form: &[FormSlot],
        choices: &[Vec<&(Key, Vec<&Candidate>)>],
    ) -> Result<(), TestCaseError> {
        let by_index: HashMap<usize, &Candidate> = pool.iter().map(|c| (c.index, c)).collect();
        prop_assert_eq!(form.len(), bp.question_count as usize);
        let unique: HashSet<usize> = form.iter().map(|s| s.index).collect();
        prop_assert_eq!(unique.len(), form.len(), "an index repeats");
        prop_assert!(form.iter().all(|s| by_index.contains_key(&s.index)));

        for d in &bp.domains {
            let (lo, hi) = bp.domain_count_range(d);
            let n = form
                .iter()
                .filter(|s| by_index[&s.index].domain == d.code)
                .count() as u32;
            prop_assert!(
                lo <= n && n <= hi,
                "{} holds {} outside {}–{}",
                d.code,
                n,
                lo,
                hi
            );
        }

        // Sections: numbered 0, 1, … in form order; standalone, then series, then case.
        prop_assert_eq!(form[0].section, 0);
        for w in form.windows(2) {
            let step = w[1].section - w[0].section;
            prop_assert!(step <= 1);
            if step == 0 {
                prop_assert_eq!(w[0].section_kind, w[1].section_kind);
            } else {
                prop_assert!(w[0].section_kind as u8 <= w[1].section_kind as u8);
                prop_assert!(w[0].section_kind != w[1].section_kind);
            }
        }

        // Groups: whole, in bank order, alone in their section, of their own kind.
        let groups = naive_groups(pool);
        let mut on_form: Vec<&[&Candidate]> = Vec::new();
        for (key, members) in &groups {
            let at: Vec<usize> = form
                .iter()
                .enumerate()
                .filter(|(_, s)| by_index[&s.index].group.as_ref() == Some(key))
                .map(|(i, _)| i)
                .collect();
            if at.is_empty() {
                continue;
            }
            on_form.push(members);
            let placed: Vec<usize> = at.iter().map(|&i| form[i].index).collect();
            let listed: Vec<usize> = members.iter().map(|c| c.index).collect();
            prop_assert_eq!(
                placed,
                listed,
                "group {:?} not whole and in bank order",
                key
            );
            prop_assert!(
                at.windows(2).all(|w| w[1] == w[0] + 1),
                "group {:?} split",
                key
            );
            let section = form[at[0]].section;
            let kind = match key.1 {
                ScenarioKind::Case => SectionKind::Case,
                ScenarioKind::Series => SectionKind::Series,
            };
            prop_assert_eq!(
                form.iter().filter(|s| s.section == section).count(),
                members.len()
            );
            prop_assert!(at.iter().all(|&i| form[i].section_kind == kind));
        }
        prop_assert!(form
            .iter()
            .all(|s| (by_index[&s.index].group.is_none())
                == (s.section_kind == SectionKind::Standalone)));
        let cases = on_form
            .iter()
            .filter(|g| g[0].group.as_ref().unwrap().1 == ScenarioKind::Case)
            .count();
        prop_assert!(cases <= 1 && on_form.len() - cases <= 1);

        // As many groups as any fitting choice holds, and no more seen ones than needed.
        let most = choices.iter().map(|c| c.len()).max().unwrap_or(0);
        prop_assert_eq!(
            on_form.len(),
            most,
            "a case study or series that fits was left out"
        );
        let best = choices
            .iter()
            .filter(|c| c.len() == most)
            .map(|c| seen_rank(&c.iter().map(|g| g.1.as_slice()).collect::<Vec<_>>()))
            .min()
            .unwrap_or((0, 0));
        prop_assert_eq!(seen_rank(&on_form), best, "a more-seen group was preferred");

        // Unseen first, for standalone questions: within a domain, a seen standalone question is
        // on the form only if every unseen standalone question of that domain is too.
        for d in &bp.domains {
            let loose = |seen: bool| {
                pool.iter()
                    .filter(move |c| c.group.is_none() && c.domain == d.code && c.seen == seen)
            };
            let seen_used = loose(true).any(|c| unique.contains(&c.index));
            let unseen_left = loose(false).any(|c| !unique.contains(&c.index));
            prop_assert!(
                !(seen_used && unseen_left),
                "{} used a seen question first",
                d.code
            );
        }
        Ok(())
    }

    fn check_error(
        bp: &Blueprint,
        pool: &[Candidate],
        err: &AssemblyError,
    ) -> Result<(), TestCaseError> {
        let groups = naive_groups(pool);
        let in_domain = |code: &str, loose_only: bool| {
            pool.iter()
                .filter(|c| c.domain == code && (!loose_only || c.group.is_none()))
                .count() as u32
        };
        let most_from = |code: &str, kind: ScenarioKind| {
            groups
                .iter()
                .filter(|g| g.0 .1 == kind)
                .map(|g| g.1.iter().filter(|c| c.domain == code).count() as u32)
                .max()
                .unwrap_or(0)
        };
        // The fewest questions a form needs from `code` when every other domain gives all it can.
        let needed_from = |code: &str, can_give: &dyn Fn(&str) -> u32| {
            let (lo, hi) =
                bp.domain_count_range(bp.domains.iter().find(|d| d.code == code).unwrap());
            let others: u32 = bp
                .domains
                .iter()
                .filter(|d| d.code != code)
                .map(|d| bp.domain_count_range(d).1.min(can_give(&d.code)))
                .sum();
            lo.max(bp.question_count.saturating_sub(others).min(hi))
        };
        match err {
            AssemblyError::Ranges { .. } => prop_assert!(!admits(bp)),
            AssemblyError::DomainShort {
                code,
                in_bank,
                available,
                needed,
                ..
            } => {
                let can_give = |c: &str| {
                    in_domain(c, true)
                        + most_from(c, ScenarioKind::Case)
                        + most_from(c, ScenarioKind::Series)
                };
                prop_assert_eq!(*in_bank, in_domain(code, false));
                prop_assert_eq!(*available, can_give(code));
                prop_assert_eq!(*needed, needed_from(code, &can_give));
                prop_assert!(available < needed);
            }
            AssemblyError::GroupsDoNotFit {
                code,
                standalone,
                needed,
                ..
            } => {
                let can_give = |c: &str| in_domain(c, true);
                prop_assert_eq!(*standalone, can_give(code));
                prop_assert_eq!(*needed, needed_from(code, &can_give));
                prop_assert!(standalone < needed);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn forms_follow_the_rules_or_the_bank_really_is_short((bp, pool, seed) in arb_case()) {
            let groups = naive_groups(&pool);
            let choices = naive_choices(&bp, &pool, &groups);
            let result = assemble(&bp, &pool, seed);
            prop_assert_eq!(result.is_ok(), !choices.is_empty(), "{:?}", result);
            match &result {
                Ok(form) => check_form(&bp, &pool, form, &choices)?,
                Err(err) => check_error(&bp, &pool, err)?,
            }
            prop_assert_eq!(assemble(&bp, &pool, seed), result);
        }

        #[test]
        fn ample_banks_always_make_a_form(bp in arb_blueprint(), seed in any::<u64>()) {
            let pool = PoolBuilder::default()
                .ample(&bp)
                .group("c", ScenarioKind::Case, &[("d0", true), ("d1", false)])
                .build();
            let form = assemble(&bp, &pool, seed);
            prop_assert!(form.is_ok(), "{:?}", form);
        }

        #[test]
        fn shuffled_lists_are_permutations(
            lists in prop::collection::vec(("[a-z]{1,6}", prop::collection::vec("[A-Z0-9]{1,3}", 0..8)), 0..5),
            seed in any::<u64>(),
        ) {
            let out = shuffle_lists(&lists, seed);
            prop_assert_eq!(out.len(), lists.iter().map(|(n, _)| n).collect::<BTreeSet<_>>().len());
            for (name, _) in &lists {
                // With a name listed twice the later list wins, as in any map.
                let last = &lists.iter().rev().find(|(n, _)| n == name).unwrap().1;
                let mut got = out[name].clone();
                got.sort();
                let mut want = last.clone();
                want.sort();
                prop_assert_eq!(got, want);
            }
            prop_assert_eq!(shuffle_lists(&lists, seed), out);
        }
    }
}
