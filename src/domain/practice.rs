//! Choosing the questions of a practice set: filtered by skill area, objective and history, then
//! spread evenly over the chosen objectives so a set of ten does not come from one corner.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

pub const MIN_SIZE: u32 = 5;
pub const MAX_SIZE: u32 = 60;

#[derive(Debug, Clone)]
pub struct PracticeCandidate {
    pub index: usize,
    pub domain: String,
    pub objective: String,
    pub seen: bool,
    pub wrong_before: bool,
    pub marked: bool,
    pub due: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Any,
    Unseen,
    WrongBefore,
    Marked,
    Due,
}

impl Which {
    pub fn parse(s: &str) -> Option<Which> {
        Some(match s {
            "any" | "" => Which::Any,
            "unseen" => Which::Unseen,
            "wrong" => Which::WrongBefore,
            "marked" => Which::Marked,
            "due" => Which::Due,
            _ => return None,
        })
    }

    pub fn describe(self) -> &'static str {
        match self {
            Which::Any => "any questions",
            Which::Unseen => "questions you have not seen",
            Which::WrongBefore => "questions you answered wrong before",
            Which::Marked => "questions you marked for review",
            Which::Due => "questions due for review",
        }
    }
}

#[derive(Debug, Clone)]
pub struct PracticeRequest {
    /// Empty with empty `objectives` means every skill area.
    pub domains: Vec<String>,
    pub objectives: Vec<String>,
    pub size: u32,
    pub which: Which,
}

/// The skill areas and objectives a set covers, in words ("all skill areas" when none is chosen).
pub fn scope(bp: &super::blueprint::Blueprint, req: &PracticeRequest) -> String {
    if req.domains.is_empty() && req.objectives.is_empty() {
        return "all skill areas".to_string();
    }
    let mut names: Vec<String> = bp
        .domains
        .iter()
        .filter(|d| req.domains.contains(&d.code))
        .map(|d| d.title.clone())
        .collect();
    names.extend(
        req.objectives
            .iter()
            .filter_map(|o| bp.objective(o).map(|x| x.title.clone())),
    );
    names.join(", ")
}

impl PracticeRequest {
    fn matches(&self, c: &PracticeCandidate) -> bool {
        let scope = (self.domains.is_empty() && self.objectives.is_empty())
            || self.domains.contains(&c.domain)
            || self.objectives.contains(&c.objective);
        let history = match self.which {
            Which::Any => true,
            Which::Unseen => !c.seen,
            Which::WrongBefore => c.wrong_before,
            Which::Marked => c.marked,
            Which::Due => c.due,
        };
        scope && history
    }
}

/// Indexes of the chosen questions, in the order to ask them. Never more than `size`, never a
/// question twice; unseen questions first within each objective; objectives take turns.
pub fn select(pool: &[PracticeCandidate], req: &PracticeRequest, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut by_objective: BTreeMap<&str, Vec<&PracticeCandidate>> = BTreeMap::new();
    let mut taken = std::collections::HashSet::new();
    for c in pool.iter().filter(|c| req.matches(c)) {
        if taken.insert(c.index) {
            by_objective
                .entry(c.objective.as_str())
                .or_default()
                .push(c);
        }
    }
    let mut queues: Vec<Vec<&PracticeCandidate>> = by_objective
        .into_values()
        .map(|mut v| {
            v.shuffle(&mut rng);
            // Stable sort keeps the shuffle among equals: unseen first.
            v.sort_by_key(|c| c.seen);
            v.reverse(); // pop() takes from the end
            v
        })
        .collect();
    queues.shuffle(&mut rng);
    let mut out = Vec::new();
    while out.len() < req.size as usize && queues.iter().any(|q| !q.is_empty()) {
        for q in queues.iter_mut() {
            if out.len() == req.size as usize {
                break;
            }
            if let Some(c) = q.pop() {
                out.push(c.index);
            }
        }
    }
    out.shuffle(&mut rng);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cand(index: usize, obj: usize, seen: bool, wrong: bool) -> PracticeCandidate {
        PracticeCandidate {
            index,
            domain: format!("d{}", obj % 2),
            objective: format!("o{obj}"),
            seen,
            wrong_before: wrong,
            marked: index % 5 == 0,
            due: wrong && index % 2 == 0,
        }
    }

    #[test]
    fn objectives_take_turns() {
        let pool: Vec<_> = (0..40).map(|i| cand(i, i % 4, false, false)).collect();
        let req = PracticeRequest {
            domains: vec![],
            objectives: vec![],
            size: 8,
            which: Which::Any,
        };
        let picked = select(&pool, &req, 7);
        let mut per: BTreeMap<String, usize> = BTreeMap::new();
        for i in &picked {
            *per.entry(pool[*i].objective.clone()).or_default() += 1;
        }
        assert_eq!(per.values().copied().collect::<Vec<_>>(), vec![2, 2, 2, 2]);
    }

    #[test]
    fn unseen_come_before_seen_within_an_objective() {
        let pool: Vec<_> = (0..10).map(|i| cand(i, 0, i >= 3, false)).collect();
        let req = PracticeRequest {
            domains: vec![],
            objectives: vec!["o0".into()],
            size: 3,
            which: Which::Any,
        };
        let mut picked = select(&pool, &req, 1);
        picked.sort();
        assert_eq!(picked, vec![0, 1, 2]);
    }

    #[test]
    fn history_filters_apply() {
        let pool: Vec<_> = (0..20)
            .map(|i| cand(i, i % 3, i % 2 == 0, i % 3 == 0))
            .collect();
        for (which, ok) in [
            (
                Which::Unseen,
                Box::new(|c: &PracticeCandidate| !c.seen)
                    as Box<dyn Fn(&PracticeCandidate) -> bool>,
            ),
            (
                Which::WrongBefore,
                Box::new(|c: &PracticeCandidate| c.wrong_before),
            ),
            (Which::Marked, Box::new(|c: &PracticeCandidate| c.marked)),
            (Which::Due, Box::new(|c: &PracticeCandidate| c.due)),
        ] {
            let req = PracticeRequest {
                domains: vec![],
                objectives: vec![],
                size: 60,
                which,
            };
            let picked = select(&pool, &req, 3);
            assert!(!picked.is_empty());
            assert!(picked.iter().all(|i| ok(&pool[*i])), "{which:?}");
            assert_eq!(picked.len(), pool.iter().filter(|c| ok(c)).count());
        }
    }

    proptest! {
        #[test]
        fn selection_is_bounded_unique_in_scope_and_deterministic(
            n in 0usize..80, objs in 1usize..8, size in 1u32..60, seed in any::<u64>(),
            pick_domain in any::<bool>(), which in 0u8..5,
        ) {
            let pool: Vec<_> = (0..n).map(|i| cand(i, i % objs, i % 3 == 0, i % 4 == 0)).collect();
            let which = [Which::Any, Which::Unseen, Which::WrongBefore, Which::Marked, Which::Due][which as usize];
            let req = PracticeRequest {
                domains: if pick_domain { vec!["d1".into()] } else { vec![] },
                objectives: vec![],
                size,
                which,
            };
            let picked = select(&pool, &req, seed);
            let eligible = pool.iter().filter(|c| req.matches(c)).count();
            prop_assert_eq!(picked.len(), eligible.min(size as usize));
            let mut u = picked.clone();
            u.sort();
            u.dedup();
            prop_assert_eq!(u.len(), picked.len());
            prop_assert!(picked.iter().all(|i| req.matches(&pool[*i])));
            prop_assert_eq!(picked, select(&pool, &req, seed));
        }
    }
}
