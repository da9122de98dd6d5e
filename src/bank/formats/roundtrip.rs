//! Round trips native → GIFT / Moodle XML / QTI → native over generated questions and over the
//! shipped banks: every field a format can hold comes back. What a format holds differently is
//! put in one canonical form first, and only that: matching choices come back in order of first
//! use from GIFT and Moodle XML, build-list actions in key order from Moodle XML, and QTI holds
//! Markdown as XHTML (compared as the HTML both render to).

use super::{read, write, Format};
use crate::domain::item::{Choice, Item, ItemBody};
use proptest::prelude::*;

fn norm_html(md: &str) -> String {
    crate::markdown::to_html(md)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn relabel_match(
    prompts: &[Choice],
    choices: &[Choice],
    key: &[String],
) -> (Vec<Choice>, Vec<String>) {
    let mut order: Vec<&Choice> = Vec::new();
    for k in key {
        if let Some(c) = choices.iter().find(|c| &c.id == k) {
            if !order.iter().any(|o| o.id == c.id) {
                order.push(c);
            }
        }
    }
    for c in choices {
        if !order.iter().any(|o| o.id == c.id) {
            order.push(c);
        }
    }
    let _ = prompts;
    let label = |id: &str| {
        let i = order.iter().position(|c| c.id == id).unwrap_or(0);
        super::letter(i).unwrap_or_default()
    };
    let new_key = key.iter().map(|k| label(k)).collect();
    let new_choices = order
        .iter()
        .map(|c| Choice {
            id: label(&c.id),
            text: c.text.clone(),
        })
        .collect();
    (new_choices, new_key)
}

/// The form in which `format` gives `item` back.
fn canonical(item: &Item, format: Format) -> Item {
    let mut it = item.clone();
    match (&mut it.body, format) {
        (
            ItemBody::Match {
                prompts,
                choices,
                key,
            },
            Format::Gift | Format::MoodleXml,
        ) => {
            let (c, k) = relabel_match(prompts, choices, key);
            *choices = c;
            *key = k;
        }
        (ItemBody::Order { actions, key, .. }, Format::MoodleXml) => {
            let ordered: Vec<Choice> = key
                .iter()
                .enumerate()
                .map(|(i, k)| Choice {
                    id: super::letter(i).unwrap_or_default(),
                    text: actions
                        .iter()
                        .find(|a| &a.id == k)
                        .map(|a| a.text.clone())
                        .unwrap_or_default(),
                })
                .collect();
            *key = ordered.iter().map(|c| c.id.clone()).collect();
            *actions = ordered;
        }
        _ => {}
    }
    if format == Format::Qti {
        it.stem = norm_html(&it.stem);
        it.explanation = norm_html(&it.explanation);
        let texts = |cs: &mut Vec<Choice>| {
            for c in cs.iter_mut() {
                c.text = norm_html(&c.text);
            }
        };
        match &mut it.body {
            ItemBody::Single { options, .. } | ItemBody::Multiple { options, .. } => texts(options),
            ItemBody::Order { actions, .. } => texts(actions),
            ItemBody::Grid { statements, .. } => texts(statements),
            ItemBody::Match {
                prompts, choices, ..
            } => {
                texts(prompts);
                texts(choices);
            }
            ItemBody::Dropdown { .. } | ItemBody::YesNo { .. } => {}
        }
    }
    it
}

/// Writes the items in `format` and reads them back; returns (expected, got) for each item the
/// format wrote, and checks that every item it did not write is named in the notes.
fn round_trip(items: &[Item], format: Format) -> Vec<(Item, Item)> {
    let written = write(format, "EX-100", items, &[]);
    if written.written == 0 {
        // Nothing the format can hold: every question must be named in the notes.
        assert_eq!(
            written.notes.len(),
            items.len(),
            "{format}: {:?}",
            written.notes
        );
        return vec![];
    }
    let back = read(format, &written.bytes);
    assert!(
        back.problems.is_empty(),
        "{format}: reading our own export: {:?}\n{}",
        back.problems,
        String::from_utf8_lossy(&written.bytes)
            .chars()
            .take(3000)
            .collect::<String>()
    );
    let mut pairs = Vec::new();
    for item in items {
        match back.items.iter().find(|b| b.item.id == item.id) {
            Some(b) => pairs.push((canonical(item, format), canonical(&b.item, format))),
            None => assert!(
                written
                    .notes
                    .iter()
                    .any(|n| n.starts_with(&format!("{}:", item.id))),
                "{format}: {} was neither written nor named in the notes {:?}",
                item.id,
                written.notes
            ),
        }
    }
    pairs
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,8}",
        Just("`az ml job`".to_string()),
        Just("**bold**".to_string()),
        Just("*em*".to_string()),
        Just("snake_case".to_string()),
        Just("x = y".to_string()),
        Just("{braces}".to_string()),
        Just("a~b".to_string()),
        Just("#hash".to_string()),
        Just("key: value".to_string()),
        Just("back\\slash".to_string()),
        Just("50%".to_string()),
        Just("R&D".to_string()),
        Just("[link](https://example.com/a)".to_string()),
        Just("Ünïcödé".to_string()),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 1..max).prop_map(|w| w.join(" "))
}

fn block_text() -> impl Strategy<Value = String> {
    prop_oneof![
        text(10),
        (text(8), text(8)).prop_map(|(a, b)| format!("{a}\n\n{b}")),
        (text(6), text(4))
            .prop_map(|(a, b)| format!("{a}\n\n```python\nx = {{'a': 1}}  # {b}\n```")),
        (text(6), text(4), text(4)).prop_map(|(a, b, c)| format!("{a}\n\n- {b}\n- {c}")),
    ]
}

fn choices(n: std::ops::Range<usize>, numeric: bool) -> impl Strategy<Value = Vec<Choice>> {
    prop::collection::vec(text(5), n).prop_map(move |texts| {
        let mut seen = std::collections::HashSet::new();
        texts
            .into_iter()
            .enumerate()
            .map(|(i, t)| Choice {
                id: if numeric {
                    (i + 1).to_string()
                } else {
                    super::letter(i).unwrap_or_default()
                },
                // Distinct texts: matching choices are identified by their text in GIFT.
                text: if seen.insert(t.clone()) {
                    t
                } else {
                    format!("{t} {i}")
                },
            })
            .collect()
    })
}

fn body() -> impl Strategy<Value = (ItemBody, String)> {
    let single = (choices(3..6, false), any::<prop::sample::Index>()).prop_map(|(options, k)| {
        let key = options[k.index(options.len())].id.clone();
        (ItemBody::Single { options, key }, String::new())
    });
    let multiple = (
        choices(4..7, false),
        prop::collection::vec(any::<bool>(), 7),
    )
        .prop_map(|(options, picks)| {
            let mut key: Vec<String> = options
                .iter()
                .zip(&picks)
                .filter(|(_, p)| **p)
                .map(|(o, _)| o.id.clone())
                .collect();
            if key.len() < 2 {
                key = vec![options[0].id.clone(), options[1].id.clone()];
            }
            let choose = key.len() as u32;
            (
                ItemBody::Multiple {
                    options,
                    choose,
                    key,
                },
                String::new(),
            )
        });
    let order = (choices(3..6, false), any::<bool>(), any::<bool>()).prop_map(
        |(actions, distractor, per)| {
            let mut key: Vec<String> = actions.iter().rev().map(|a| a.id.clone()).collect();
            if distractor {
                key.pop();
            }
            let scoring = if per {
                crate::domain::item::OrderScoring::PerPosition
            } else {
                crate::domain::item::OrderScoring::AllOrNothing
            };
            (
                ItemBody::Order {
                    actions,
                    key,
                    scoring,
                },
                String::new(),
            )
        },
    );
    let dropdown = prop::collection::vec(choices(2..4, false), 1..3).prop_map(|slots| {
        let key = slots.iter().map(|s| s[s.len() - 1].id.clone()).collect();
        let marks: Vec<String> = (1..=slots.len()).map(|n| format!("[[{n}]]")).collect();
        let slots = slots
            .into_iter()
            .enumerate()
            .map(|(i, choices)| crate::domain::item::Slot {
                number: i as u32 + 1,
                choices,
            })
            .collect();
        (ItemBody::Dropdown { slots, key }, marks.join(" then "))
    });
    let grid = (choices(2..5, true), prop::collection::vec(any::<bool>(), 5)).prop_map(
        |(statements, k)| {
            let key = k[..statements.len()].to_vec();
            (ItemBody::Grid { statements, key }, String::new())
        },
    );
    let matching = (
        choices(2..4, true),
        choices(2..5, false),
        prop::collection::vec(any::<prop::sample::Index>(), 4),
    )
        .prop_map(|(prompts, choices, picks)| {
            let key = prompts
                .iter()
                .zip(&picks)
                .map(|(_, p)| choices[p.index(choices.len())].id.clone())
                .collect();
            (
                ItemBody::Match {
                    prompts,
                    choices,
                    key,
                },
                String::new(),
            )
        });
    let yesno = any::<bool>().prop_map(|key| (ItemBody::YesNo { key }, String::new()));
    prop_oneof![single, multiple, order, dropdown, grid, matching, yesno]
}

fn item() -> impl Strategy<Value = Item> {
    (
        "[a-z]{2,6}-[0-9]{1,3}",
        block_text(),
        block_text(),
        prop::collection::vec("https://example\\.com/[a-z]{1,6}", 1..3),
        prop::option::of("[a-z]{3,5} review: [a-z ]{1,20}"),
        body(),
        any::<bool>(),
    )
        .prop_map(
            |(id, stem, explanation, references, reviewed, (body, marks), grouped)| {
                let stem = if marks.is_empty() {
                    stem
                } else {
                    format!("{stem}\n\n```python\nx = {marks}\n```\n\nAnd in text {marks}.")
                };
                let series = (grouped && matches!(body, ItemBody::YesNo { .. }))
                    .then(|| "ex-series-cost".to_string());
                let case = (grouped && series.is_none()).then(|| "ex-case-fabrikam".to_string());
                Item {
                    id,
                    objective: "models.train".into(),
                    stem,
                    explanation,
                    references,
                    case,
                    series,
                    reviewed: reviewed.map(|r| r.trim().to_string()),
                    body,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn generated_questions_survive_every_format(items in prop::collection::vec(item(), 1..6)) {
        let mut items = items;
        for (i, it) in items.iter_mut().enumerate() {
            it.id = format!("{}-{i}", it.id);
        }
        for format in [Format::Gift, Format::MoodleXml, Format::Qti] {
            for (expected, got) in round_trip(&items, format) {
                prop_assert_eq!(expected, got, "format {}", format);
            }
        }
    }
}

#[test]
fn the_shipped_banks_survive_every_format() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("question-bank");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let bank = crate::bank::load(&dir).unwrap_or_else(|p| panic!("{}: {p:?}", dir.display()));
        let items: Vec<Item> = bank.items.iter().map(|l| l.value.clone()).collect();
        let scenarios: Vec<_> = bank.scenarios.iter().map(|l| l.value.clone()).collect();
        for format in [Format::Gift, Format::MoodleXml, Format::Qti] {
            let pairs = round_trip(&items, format);
            for (expected, got) in &pairs {
                assert_eq!(expected, got, "{} in {format}", expected.id);
            }
            let written = write(format, &bank.blueprint.code, &items, &scenarios);
            assert_eq!(
                written.written
                    + written
                        .notes
                        .iter()
                        .filter(|n| n.contains("left out"))
                        .count(),
                items.len(),
                "{format}: {:?}",
                written.notes
            );
            if !bank.scenarios.is_empty() {
                assert!(
                    written
                        .notes
                        .iter()
                        .any(|n| n.contains("text cannot be written")),
                    "{format}: scenarios are named"
                );
            }
        }
    }
}
