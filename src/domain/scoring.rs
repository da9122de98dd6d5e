//! Points for one response and the score report of a whole attempt.
//!
//! The rules follow Microsoft's published ones, which a realistic mock has to reproduce: one
//! point for each correctly answered component, no penalty for a wrong answer, and a points
//! fraction mapped onto the 1–1000 scale by the blueprint. A build-list item is one component
//! (right only when the whole list is) unless the bank marks it as scored per position.
//!
//! Scoring never fails: a stored response can outlive the version of the question it answered
//! (a response of another kind, or with a different number of parts), and such a response is
//! worth nothing rather than an error in the middle of a score report.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use super::blueprint::*;
use super::item::*;

/// Points earned on one item out of the points it is worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemScore {
    pub points: u32,
    pub max: u32,
}

/// How many points an item is worth: its number of scoreable components.
pub fn max_points(body: &ItemBody) -> u32 {
    let len = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    match body {
        ItemBody::Single { .. } | ItemBody::YesNo { .. } => 1,
        ItemBody::Multiple { choose, .. } => *choose,
        ItemBody::Order {
            scoring: OrderScoring::AllOrNothing,
            ..
        } => 1,
        ItemBody::Order {
            key,
            scoring: OrderScoring::PerPosition,
            ..
        } => len(key.len()),
        ItemBody::Dropdown { key, .. } | ItemBody::Match { key, .. } => len(key.len()),
        ItemBody::Grid { key, .. } => len(key.len()),
    }
}

/// Points for a response: the number of components it got right.
pub fn score(body: &ItemBody, response: &Response) -> ItemScore {
    let points = components(body, response).iter().filter(|c| **c).count();
    ItemScore {
        points: u32::try_from(points).unwrap_or(u32::MAX),
        max: max_points(body),
    }
}

/// Per scoreable component: was it answered correctly? (len == max_points except all-or-nothing
/// order, which is 1)
///
/// For a multiple-answer item the components are the key's options in key order: component `i`
/// is right when the candidate selected `key[i]`. Item analysis uses this to tell which correct
/// option candidates miss.
pub fn components(body: &ItemBody, response: &Response) -> Vec<bool> {
    let max = max_points(body) as usize;
    let wrong = || vec![false; max];
    match (body, response) {
        (ItemBody::Single { key, .. }, Response::Single { choice }) => {
            vec![choice.as_ref() == Some(key)]
        }
        (ItemBody::Multiple { key, .. }, Response::Multiple { choices }) => {
            multiple_components(key, choices, max)
        }
        (ItemBody::Order { key, scoring, .. }, Response::Order { positions }) => {
            if positions.len() != key.len() {
                return wrong();
            }
            let per_position = same_ids(key, positions);
            match scoring {
                OrderScoring::PerPosition => per_position,
                OrderScoring::AllOrNothing => vec![per_position.iter().all(|p| *p)],
            }
        }
        (ItemBody::Dropdown { key, .. }, Response::Dropdown { slots: given })
        | (ItemBody::Match { key, .. }, Response::Match { picks: given }) => {
            if given.len() != key.len() {
                return wrong();
            }
            same_ids(key, given)
        }
        (ItemBody::Grid { key, .. }, Response::Grid { answers }) => {
            if answers.len() != key.len() {
                return wrong();
            }
            key.iter()
                .zip(answers)
                .map(|(k, a)| *a == Some(*k))
                .collect()
        }
        (ItemBody::YesNo { key }, Response::YesNo { answer }) => vec![*answer == Some(*key)],
        _ => wrong(),
    }
}

fn same_ids(key: &[String], given: &[Option<String>]) -> Vec<bool> {
    key.iter()
        .zip(given)
        .map(|(k, g)| g.as_ref() == Some(k))
        .collect()
}

/// Selecting an option twice counts once, and no selection pattern earns more than `choose`
/// points even if the response somehow holds more than `choose` options.
fn multiple_components(key: &[String], choices: &[String], max: usize) -> Vec<bool> {
    let selected: BTreeSet<&String> = choices.iter().collect();
    let mut hits: Vec<bool> = key.iter().map(|k| selected.contains(k)).collect();
    if hits.len() <= max {
        hits.resize(max, false);
        return hits;
    }
    // A key longer than `choose` is refused by the bank parser; should one reach us anyway,
    // keep the count of right picks but cap it at `choose`.
    let right = hits.iter().filter(|h| **h).count().min(max);
    hits.clear();
    hits.extend((0..max).map(|i| i < right));
    hits
}

/// One bar of the score report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainScore {
    pub code: String,
    pub title: String,
    pub points: u32,
    pub max: u32,
    /// Items of this domain on the form.
    pub items: u32,
    /// `100 * points / max`, 0 when the domain had no points on the form.
    pub percent: f64,
}

/// The score report of an attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamScore {
    pub points: u32,
    pub max: u32,
    /// `points / max`, 0 for an empty form.
    pub fraction: f64,
    /// 1–1000, via [`Blueprint::scaled_score`].
    pub scaled: u32,
    pub passed: bool,
    /// Every blueprint domain, in blueprint order.
    pub domains: Vec<DomainScore>,
}

/// `items` = (domain code of the item, its score). Domains in blueprint order, every blueprint
/// domain present (0/0 -> percent 0).
///
/// An item whose domain is no longer in the blueprint still counts towards the total (the
/// candidate answered it on this form) but has no bar of its own.
pub fn exam_score(bp: &Blueprint, items: &[(String, ItemScore)]) -> ExamScore {
    let mut domains: Vec<DomainScore> = bp
        .domains
        .iter()
        .map(|d| DomainScore {
            code: d.code.clone(),
            title: d.title.clone(),
            points: 0,
            max: 0,
            items: 0,
            percent: 0.0,
        })
        .collect();
    let (mut points, mut max) = (0u32, 0u32);
    for (code, s) in items {
        // A response can never be worth more than its item.
        let earned = s.points.min(s.max);
        points = points.saturating_add(earned);
        max = max.saturating_add(s.max);
        if let Some(d) = domains.iter_mut().find(|d| &d.code == code) {
            d.points = d.points.saturating_add(earned);
            d.max = d.max.saturating_add(s.max);
            d.items += 1;
        }
    }
    for d in &mut domains {
        d.percent = percent(d.points, d.max);
    }
    let fraction = if max == 0 {
        0.0
    } else {
        points as f64 / max as f64
    };
    let scaled = bp.scaled_score(fraction);
    ExamScore {
        points,
        max,
        fraction,
        scaled,
        passed: bp.passes(scaled),
        domains,
    }
}

fn percent(points: u32, max: u32) -> f64 {
    if max == 0 {
        0.0
    } else {
        100.0 * points as f64 / max as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ch(id: &str) -> Choice {
        Choice {
            id: id.into(),
            text: format!("text {id}"),
        }
    }

    fn chs(ids: &[&str]) -> Vec<Choice> {
        ids.iter().map(|i| ch(i)).collect()
    }

    fn s(v: &str) -> String {
        v.to_string()
    }

    fn some(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    fn single() -> ItemBody {
        ItemBody::Single {
            options: chs(&["A", "B", "C", "D"]),
            key: s("C"),
        }
    }

    fn multiple() -> ItemBody {
        ItemBody::Multiple {
            options: chs(&["A", "B", "C", "D", "E"]),
            choose: 3,
            key: vec![s("A"), s("C"), s("E")],
        }
    }

    fn order(scoring: OrderScoring) -> ItemBody {
        ItemBody::Order {
            actions: chs(&["A", "B", "C", "D", "E"]),
            key: vec![s("B"), s("D"), s("A")],
            scoring,
        }
    }

    fn dropdown() -> ItemBody {
        ItemBody::Dropdown {
            slots: vec![
                Slot {
                    number: 1,
                    choices: chs(&["A", "B"]),
                },
                Slot {
                    number: 2,
                    choices: chs(&["C", "D"]),
                },
            ],
            key: vec![s("B"), s("C")],
        }
    }

    fn grid() -> ItemBody {
        ItemBody::Grid {
            statements: chs(&["1", "2", "3"]),
            key: vec![true, false, true],
        }
    }

    fn matching() -> ItemBody {
        ItemBody::Match {
            prompts: chs(&["1", "2", "3"]),
            choices: chs(&["A", "B", "C", "D"]),
            key: vec![s("D"), s("A"), s("A")],
        }
    }

    fn yes_no() -> ItemBody {
        ItemBody::YesNo { key: false }
    }

    fn all_bodies() -> Vec<ItemBody> {
        vec![
            single(),
            multiple(),
            order(OrderScoring::AllOrNothing),
            order(OrderScoring::PerPosition),
            dropdown(),
            grid(),
            matching(),
            yes_no(),
        ]
    }

    fn pts(body: &ItemBody, r: Response) -> u32 {
        let sc = score(body, &r);
        assert_eq!(sc.max, max_points(body));
        sc.points
    }

    #[test]
    fn max_points_per_kind() {
        let maxes: Vec<u32> = all_bodies().iter().map(max_points).collect();
        assert_eq!(maxes, vec![1, 3, 1, 3, 2, 3, 3, 1]);
    }

    #[test]
    fn single_scores_only_the_key() {
        let b = single();
        assert_eq!(pts(&b, Response::Single { choice: some("C") }), 1);
        assert_eq!(pts(&b, Response::Single { choice: some("A") }), 0);
        assert_eq!(pts(&b, Response::Single { choice: None }), 0);
    }

    #[test]
    fn multiple_gives_a_point_per_right_pick_without_penalty() {
        let b = multiple();
        let r = |ids: &[&str]| Response::Multiple {
            choices: ids.iter().map(|i| s(i)).collect(),
        };
        assert_eq!(pts(&b, r(&["A", "C", "E"])), 3);
        assert_eq!(pts(&b, r(&["E", "A"])), 2);
        assert_eq!(
            pts(&b, r(&["A", "B", "D"])),
            1,
            "wrong picks do not subtract"
        );
        assert_eq!(pts(&b, r(&["B", "D"])), 0);
        assert_eq!(pts(&b, r(&[])), 0);
        assert_eq!(
            pts(&b, r(&["A", "A", "A"])),
            1,
            "a repeated pick counts once"
        );
        assert_eq!(
            components(&b, &r(&["C", "B"])),
            vec![false, true, false],
            "components follow the key's order"
        );
    }

    #[test]
    fn multiple_never_scores_above_choose() {
        let b = ItemBody::Multiple {
            options: chs(&["A", "B", "C", "D"]),
            choose: 2,
            key: vec![s("A"), s("B")],
        };
        let everything = Response::Multiple {
            choices: vec![s("A"), s("B"), s("C"), s("D")],
        };
        assert_eq!(pts(&b, everything), 2);
        // A malformed key longer than `choose` still caps at `choose`.
        let long_key = ItemBody::Multiple {
            options: chs(&["A", "B", "C", "D"]),
            choose: 2,
            key: vec![s("A"), s("B"), s("C")],
        };
        let r = Response::Multiple {
            choices: vec![s("A"), s("B"), s("C")],
        };
        assert_eq!(score(&long_key, &r), ItemScore { points: 2, max: 2 });
        assert_eq!(components(&long_key, &r).len(), 2);
    }

    #[test]
    fn order_all_or_nothing_needs_the_exact_list() {
        let b = order(OrderScoring::AllOrNothing);
        let r = |p: &[Option<&str>]| Response::Order {
            positions: p.iter().map(|x| x.map(s)).collect(),
        };
        assert_eq!(pts(&b, r(&[Some("B"), Some("D"), Some("A")])), 1);
        assert_eq!(pts(&b, r(&[Some("B"), Some("D"), Some("C")])), 0);
        assert_eq!(pts(&b, r(&[Some("B"), Some("D"), None])), 0);
        assert_eq!(pts(&b, r(&[Some("D"), Some("B"), Some("A")])), 0);
        assert_eq!(components(&b, &r(&[Some("B"), None, None])), vec![false]);
    }

    #[test]
    fn order_per_position_counts_each_position() {
        let b = order(OrderScoring::PerPosition);
        let r = |p: &[Option<&str>]| Response::Order {
            positions: p.iter().map(|x| x.map(s)).collect(),
        };
        assert_eq!(pts(&b, r(&[Some("B"), Some("D"), Some("A")])), 3);
        assert_eq!(pts(&b, r(&[Some("B"), Some("A"), Some("D")])), 1);
        assert_eq!(pts(&b, r(&[None, Some("D"), Some("A")])), 2);
        assert_eq!(
            components(&b, &r(&[Some("E"), Some("D"), None])),
            vec![false, true, false]
        );
    }

    #[test]
    fn dropdown_grid_and_match_score_per_part() {
        let d = dropdown();
        assert_eq!(
            pts(
                &d,
                Response::Dropdown {
                    slots: vec![some("B"), some("D")]
                }
            ),
            1
        );
        let g = grid();
        assert_eq!(
            pts(
                &g,
                Response::Grid {
                    answers: vec![Some(true), None, Some(false)]
                }
            ),
            1,
            "an unanswered statement is wrong"
        );
        assert_eq!(
            components(
                &g,
                &Response::Grid {
                    answers: vec![Some(true), Some(false), Some(false)]
                }
            ),
            vec![true, true, false]
        );
        let m = matching();
        assert_eq!(
            pts(
                &m,
                Response::Match {
                    picks: vec![some("D"), some("A"), some("B")]
                }
            ),
            2
        );
    }

    #[test]
    fn yes_no_scores_the_answer() {
        let b = yes_no();
        assert_eq!(
            pts(
                &b,
                Response::YesNo {
                    answer: Some(false)
                }
            ),
            1
        );
        assert_eq!(pts(&b, Response::YesNo { answer: Some(true) }), 0);
        assert_eq!(pts(&b, Response::YesNo { answer: None }), 0);
    }

    #[test]
    fn wrong_kind_or_length_scores_zero() {
        for body in all_bodies() {
            for other in all_bodies() {
                if other.kind() == body.kind() {
                    continue;
                }
                let r = Response::correct_for(&other);
                assert_eq!(pts(&body, r.clone()), 0, "{body:?} answered with {r:?}");
                assert_eq!(components(&body, &r).len(), expected_len(&body));
            }
        }
        let wrong_length = [
            (
                dropdown(),
                Response::Dropdown {
                    slots: vec![some("B")],
                },
            ),
            (
                grid(),
                Response::Grid {
                    answers: vec![Some(true), Some(false)],
                },
            ),
            (
                matching(),
                Response::Match {
                    picks: vec![some("D"), some("A"), some("A"), some("A")],
                },
            ),
            (
                order(OrderScoring::PerPosition),
                Response::Order {
                    positions: vec![some("B"), some("D")],
                },
            ),
            (
                order(OrderScoring::AllOrNothing),
                Response::Order {
                    positions: vec![some("B"), some("D"), some("A"), some("C")],
                },
            ),
        ];
        for (body, r) in wrong_length {
            assert_eq!(pts(&body, r.clone()), 0, "{body:?} answered with {r:?}");
            assert_eq!(components(&body, &r).len(), expected_len(&body));
        }
    }

    fn expected_len(body: &ItemBody) -> usize {
        max_points(body) as usize
    }

    fn bp(cut: f64) -> Blueprint {
        toml::from_str(&format!(
            r#"
code = "EX-1"
title = "Example"
duration_minutes = 100
question_count = 4
cut_percent = {cut}
[[domains]]
code = "a"
title = "Alpha"
weight_min = 40
weight_max = 60
[[domains]]
code = "b"
title = "Beta"
weight_min = 40
weight_max = 60
[[domains]]
code = "c"
title = "Gamma"
weight_min = 0
weight_max = 10
"#
        ))
        .unwrap()
    }

    #[test]
    fn exam_score_sums_items_into_blueprint_domains() {
        let bp = bp(70.0);
        let items = vec![
            (s("b"), ItemScore { points: 2, max: 3 }),
            (s("a"), ItemScore { points: 1, max: 1 }),
            (s("a"), ItemScore { points: 0, max: 1 }),
            (s("b"), ItemScore { points: 3, max: 3 }),
        ];
        let e = exam_score(&bp, &items);
        assert_eq!((e.points, e.max), (6, 8));
        assert!((e.fraction - 0.75).abs() < 1e-12);
        assert_eq!(e.scaled, bp.scaled_score(0.75));
        assert!(e.passed);
        let codes: Vec<&str> = e.domains.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["a", "b", "c"]);
        assert_eq!(
            e.domains[0],
            DomainScore {
                code: s("a"),
                title: s("Alpha"),
                points: 1,
                max: 2,
                items: 2,
                percent: 50.0
            }
        );
        assert_eq!((e.domains[1].points, e.domains[1].max), (5, 6));
        assert_eq!(e.domains[1].items, 2);
        assert_eq!(
            (e.domains[2].max, e.domains[2].items, e.domains[2].percent),
            (0, 0, 0.0)
        );
    }

    #[test]
    fn exam_score_passes_exactly_at_the_cut() {
        let bp = bp(75.0);
        let at_cut = [(s("a"), ItemScore { points: 3, max: 4 })];
        let e = exam_score(&bp, &at_cut);
        assert_eq!((e.scaled, e.passed), (700, true));
        let below = [(
            s("a"),
            ItemScore {
                points: 74,
                max: 100,
            },
        )];
        let e = exam_score(&bp, &below);
        assert!(e.scaled < 700 && !e.passed);
    }

    #[test]
    fn empty_attempt_and_unknown_domains() {
        let bp = bp(70.0);
        let e = exam_score(&bp, &[]);
        assert_eq!((e.points, e.max, e.fraction, e.scaled), (0, 0, 0.0, 1));
        assert!(!e.passed);
        assert_eq!(e.domains.len(), 3);
        let retired = [(s("gone"), ItemScore { points: 1, max: 1 })];
        let e = exam_score(&bp, &retired);
        assert_eq!((e.points, e.max), (1, 1));
        assert!(e.domains.iter().all(|d| d.max == 0));
    }

    #[test]
    fn exam_score_serialises() {
        let e = exam_score(&bp(70.0), &[(s("a"), ItemScore { points: 1, max: 2 })]);
        let json = serde_json::to_string(&e).unwrap();
        let back: ExamScore = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
    }

    // --- properties -------------------------------------------------------------------------

    fn ids(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| char::from(b'A' + i as u8).to_string())
            .collect()
    }

    fn arb_body() -> impl Strategy<Value = ItemBody> {
        let single = (2usize..6)
            .prop_flat_map(|n| (Just(n), 0..n))
            .prop_map(|(n, k)| {
                let o = ids(n);
                ItemBody::Single {
                    key: o[k].clone(),
                    options: o.iter().map(|i| ch(i)).collect(),
                }
            });
        let multiple = (3usize..7)
            .prop_flat_map(|n| (Just(n), 2..n))
            .prop_flat_map(|(n, c)| (Just(n), Just(ids(n)).prop_shuffle(), Just(c)))
            .prop_map(|(n, shuffled, c)| ItemBody::Multiple {
                options: ids(n).iter().map(|i| ch(i)).collect(),
                choose: c as u32,
                key: shuffled[..c].to_vec(),
            });
        let order = (2usize..6, any::<bool>())
            .prop_flat_map(|(n, per)| (Just(ids(n + 1)).prop_shuffle(), Just(n), Just(per)))
            .prop_map(|(shuffled, n, per)| ItemBody::Order {
                actions: ids(shuffled.len()).iter().map(|i| ch(i)).collect(),
                key: shuffled[..n].to_vec(),
                scoring: if per {
                    OrderScoring::PerPosition
                } else {
                    OrderScoring::AllOrNothing
                },
            });
        let dropdown = prop::collection::vec(0usize..3, 1..5).prop_map(|keys| ItemBody::Dropdown {
            slots: (0..keys.len())
                .map(|i| Slot {
                    number: i as u32 + 1,
                    choices: ids(3).iter().map(|c| ch(c)).collect(),
                })
                .collect(),
            key: keys.iter().map(|k| ids(3)[*k].clone()).collect(),
        });
        let grid = prop::collection::vec(any::<bool>(), 1..6).prop_map(|key| ItemBody::Grid {
            statements: (1..=key.len()).map(|i| ch(&i.to_string())).collect(),
            key,
        });
        let matching = prop::collection::vec(0usize..4, 1..5).prop_map(|keys| ItemBody::Match {
            prompts: (1..=keys.len()).map(|i| ch(&i.to_string())).collect(),
            choices: ids(4).iter().map(|c| ch(c)).collect(),
            key: keys.iter().map(|k| ids(4)[*k].clone()).collect(),
        });
        let yes_no = any::<bool>().prop_map(|key| ItemBody::YesNo { key });
        prop_oneof![single, multiple, order, dropdown, grid, matching, yes_no]
    }

    /// Any response at all, including ones of the wrong kind or length and unknown ids.
    fn arb_response() -> impl Strategy<Value = Response> {
        let id = prop::option::of(prop::sample::select(vec!["A", "B", "C", "D", "E", "Z"]))
            .prop_map(|o| o.map(s));
        let ids_vec = prop::collection::vec(id.clone(), 0..7);
        let yn = prop::collection::vec(prop::option::of(any::<bool>()), 0..7);
        prop_oneof![
            id.clone().prop_map(|choice| Response::Single { choice }),
            prop::collection::vec(prop::sample::select(vec!["A", "B", "C", "D", "E"]), 0..8)
                .prop_map(|c| Response::Multiple {
                    choices: c.into_iter().map(s).collect()
                }),
            ids_vec
                .clone()
                .prop_map(|positions| Response::Order { positions }),
            ids_vec
                .clone()
                .prop_map(|slots| Response::Dropdown { slots }),
            yn.prop_map(|answers| Response::Grid { answers }),
            ids_vec.prop_map(|picks| Response::Match { picks }),
            prop::option::of(any::<bool>()).prop_map(|answer| Response::YesNo { answer }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn any_response_scores_within_bounds(body in arb_body(), r in arb_response()) {
            let sc = score(&body, &r);
            prop_assert_eq!(sc.max, max_points(&body));
            prop_assert!(sc.points <= sc.max);
            let comps = components(&body, &r);
            prop_assert_eq!(comps.len(), expected_len(&body));
            prop_assert_eq!(comps.iter().filter(|c| **c).count() as u32, sc.points);
        }

        #[test]
        fn correct_response_scores_max_and_empty_scores_zero(body in arb_body()) {
            let max = max_points(&body);
            prop_assert!(max >= 1);
            prop_assert_eq!(score(&body, &Response::correct_for(&body)), ItemScore { points: max, max });
            prop_assert_eq!(score(&body, &Response::empty_for(&body)), ItemScore { points: 0, max });
        }

        #[test]
        fn scaled_is_monotonic_in_points(
            max in 1u32..200,
            a in 0u32..=200,
            b in 0u32..=200,
            cut in 5u32..95,
        ) {
            let bp = bp(cut as f64);
            let (lo, hi) = (a.min(b).min(max), a.max(b).min(max));
            let at = |p: u32| exam_score(&bp, &[(s("a"), ItemScore { points: p, max })]);
            let (low, high) = (at(lo), at(hi));
            prop_assert!(low.scaled <= high.scaled);
            prop_assert!(!low.passed || high.passed);
            prop_assert!((1..=1000).contains(&low.scaled));
            prop_assert_eq!(at(max).scaled, 1000);
        }
    }
}
