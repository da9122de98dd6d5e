//! Turning a stored item, its display permutation and a response into what a template shows.
//! Form values are the bank's choice ids (which say nothing about correctness); the letters a
//! candidate sees follow the shuffled display order.

use crate::domain::item::{Choice, ItemBody, Response};
use crate::markdown::{inline_html, to_html};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct OptView {
    pub value: String,
    pub label: String,
    pub html: String,
    /// Plain text, for `<option>` elements.
    pub text: String,
    pub selected: bool,
    /// Struck through by the candidate ("rule out").
    pub ruled_out: bool,
}

#[derive(Debug, Clone)]
pub struct PosView {
    pub n: usize,
    pub options: Vec<OptView>,
}

#[derive(Debug, Clone)]
pub struct StmtView {
    pub n: usize,
    pub html: String,
    pub yes: bool,
    pub no: bool,
}

#[derive(Debug, Clone)]
pub struct PromptView {
    pub n: usize,
    pub html: String,
    pub options: Vec<OptView>,
}

/// An item as a page shows it: what every kind shares, and the controls of its kind.
#[derive(Debug, Clone)]
pub struct ItemView {
    /// The bank's name of the kind (`single`, `order`, …), for the page's `data-kind`.
    pub kind: &'static str,
    pub kind_label: &'static str,
    /// The stem; for drop-down items it holds the drop-downs in place of the blanks.
    pub stem_html: String,
    pub instruction: String,
    pub controls: Controls,
}

/// The answer controls, one variant per item kind.
#[derive(Debug, Clone)]
pub enum Controls {
    /// Single and multiple choice: radio buttons or check boxes.
    Choices {
        input_type: &'static str,
        options: Vec<OptView>,
    },
    /// A build list: the actions, and one select per step.
    Order {
        actions: Vec<OptView>,
        positions: Vec<PosView>,
    },
    /// The drop-downs sit inside the stem.
    Dropdown,
    Grid {
        statements: Vec<StmtView>,
    },
    Match {
        prompts: Vec<PromptView>,
    },
    YesNo {
        yes: bool,
        no: bool,
    },
}

impl ItemView {
    /// Marks the options the candidate struck through.
    pub fn with_ruled_out(mut self, ids: &[String]) -> ItemView {
        if let Controls::Choices { options, .. } = &mut self.controls {
            for o in options {
                o.ruled_out = ids.contains(&o.value);
            }
        }
        self
    }

    /// A problem–solution item: its stem is the proposed solution.
    pub fn is_solution(&self) -> bool {
        matches!(self.controls, Controls::YesNo { .. })
    }
}

fn letter(i: usize) -> String {
    ((b'A' + (i % 26) as u8) as char).to_string()
}

/// Choices in display order (the stored permutation, falling back to bank order).
fn ordered<'a>(list: &'a [Choice], perm: Option<&Vec<String>>) -> Vec<&'a Choice> {
    match perm {
        Some(p) if p.len() == list.len() => {
            let out: Vec<&Choice> = p
                .iter()
                .filter_map(|id| list.iter().find(|c| &c.id == id))
                .collect();
            if out.len() == list.len() {
                out
            } else {
                list.iter().collect()
            }
        }
        _ => list.iter().collect(),
    }
}

fn opts(
    list: &[Choice],
    perm: Option<&Vec<String>>,
    selected: impl Fn(&str) -> bool,
) -> Vec<OptView> {
    ordered(list, perm)
        .into_iter()
        .enumerate()
        .map(|(i, c)| OptView {
            value: c.id.clone(),
            label: letter(i),
            html: inline_html(&c.text),
            text: plain(&c.text),
            selected: selected(&c.id),
            ruled_out: false,
        })
        .collect()
}

/// Plain text of inline Markdown, for `<option>` elements (which cannot hold markup).
pub fn plain(text: &str) -> String {
    text.replace('`', "").replace("**", "").replace('\n', " ")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn number_words(n: u32) -> String {
    match n {
        2 => "two".into(),
        3 => "three".into(),
        4 => "four".into(),
        5 => "five".into(),
        n => n.to_string(),
    }
}

pub fn build(
    body: &ItemBody,
    stem: &str,
    perm: &BTreeMap<String, Vec<String>>,
    response: Option<&Response>,
    disabled: bool,
) -> ItemView {
    let stem = match body {
        ItemBody::YesNo { .. } => solution_text(stem),
        _ => stem,
    };
    let mut stem_html = to_html(stem);
    let (instruction, controls) = match body {
        ItemBody::Single { options, .. } => {
            let chosen = match response {
                Some(Response::Single { choice }) => choice.clone(),
                _ => None,
            };
            let options = opts(options, perm.get("options"), |id| {
                chosen.as_deref() == Some(id)
            });
            (
                "Choose one answer.".to_string(),
                Controls::Choices {
                    input_type: "radio",
                    options,
                },
            )
        }
        ItemBody::Multiple {
            options, choose, ..
        } => {
            let chosen: Vec<String> = match response {
                Some(Response::Multiple { choices }) => choices.clone(),
                _ => vec![],
            };
            let options = opts(options, perm.get("options"), |id| {
                chosen.iter().any(|c| c == id)
            });
            (
                format!(
                    "Choose {}. Each correct selection is worth one point.",
                    number_words(*choose)
                ),
                Controls::Choices {
                    input_type: "checkbox",
                    options,
                },
            )
        }
        ItemBody::Order { actions, key, .. } => {
            let placed: Vec<Option<String>> = match response {
                Some(Response::Order { positions }) => positions.clone(),
                _ => vec![None; key.len()],
            };
            let instruction = if key.len() == actions.len() {
                "Put all the actions in the order you would perform them.".to_string()
            } else {
                format!(
                    "Put {} of the actions in the order you would perform them. Not every action is needed.",
                    number_words(key.len() as u32)
                )
            };
            let positions = (0..key.len())
                .map(|i| PosView {
                    n: i + 1,
                    options: opts(actions, perm.get("actions"), |id| {
                        placed.get(i).and_then(|p| p.as_deref()) == Some(id)
                    }),
                })
                .collect();
            (
                instruction,
                Controls::Order {
                    actions: opts(actions, perm.get("actions"), |_| false),
                    positions,
                },
            )
        }
        ItemBody::Dropdown { slots, .. } => {
            let chosen: Vec<Option<String>> = match response {
                Some(Response::Dropdown { slots }) => slots.clone(),
                _ => vec![None; slots.len()],
            };
            for (i, slot) in slots.iter().enumerate() {
                let current = chosen.get(i).and_then(|c| c.as_deref());
                let mut select = format!(
                    "<select class=\"slot\" name=\"slot{n}\" id=\"slot{n}\" aria-label=\"Blank {n}\"{dis}><option value=\"\">[{n}] choose…</option>",
                    n = slot.number,
                    dis = if disabled { " disabled" } else { "" }
                );
                for c in ordered(&slot.choices, perm.get(&format!("slot{}", slot.number))) {
                    select.push_str(&format!(
                        "<option value=\"{}\"{}>{}</option>",
                        escape(&c.id),
                        if current == Some(c.id.as_str()) {
                            " selected"
                        } else {
                            ""
                        },
                        escape(&plain(&c.text))
                    ));
                }
                select.push_str("</select>");
                stem_html = stem_html.replacen(&format!("[[{}]]", slot.number), &select, 1);
            }
            (
                "Select the right option for each blank.".to_string(),
                Controls::Dropdown,
            )
        }
        ItemBody::Grid { statements, .. } => {
            let answers: Vec<Option<bool>> = match response {
                Some(Response::Grid { answers }) => answers.clone(),
                _ => vec![None; statements.len()],
            };
            let statements = statements
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let a = answers.get(i).copied().flatten();
                    StmtView {
                        n: i + 1,
                        html: inline_html(&s.text),
                        yes: a == Some(true),
                        no: a == Some(false),
                    }
                })
                .collect();
            (
                "For each statement, select Yes if it is true. Otherwise, select No.".to_string(),
                Controls::Grid { statements },
            )
        }
        ItemBody::Match {
            prompts, choices, ..
        } => {
            let picks: Vec<Option<String>> = match response {
                Some(Response::Match { picks }) => picks.clone(),
                _ => vec![None; prompts.len()],
            };
            let prompts = prompts
                .iter()
                .enumerate()
                .map(|(i, p)| PromptView {
                    n: i + 1,
                    html: inline_html(&p.text),
                    options: opts(choices, perm.get("choices"), |id| {
                        picks.get(i).and_then(|x| x.as_deref()) == Some(id)
                    }),
                })
                .collect();
            (
                "Select the matching choice for each item. A choice may be used once, more than once, or not at all.".to_string(),
                Controls::Match { prompts },
            )
        }
        ItemBody::YesNo { .. } => {
            let a = match response {
                Some(Response::YesNo { answer }) => *answer,
                _ => None,
            };
            (
                "Does the solution meet the goal?".to_string(),
                Controls::YesNo {
                    yes: a == Some(true),
                    no: a == Some(false),
                },
            )
        }
    };
    ItemView {
        kind: body.kind().bank_name(),
        kind_label: body.kind().label(),
        stem_html,
        instruction,
        controls,
    }
}

/// A choice with the letter it has in the bank (for drop-down choices, which the exam shows
/// without letters, so explanations can only name them as written).
fn lettered(c: &Choice) -> String {
    format!(
        "<strong>{}.</strong> {}",
        escape(&c.id),
        inline_html(&c.text)
    )
}

/// The kind's lettered list (options, actions or matching choices) and its permutation key.
fn lettered_list(body: &ItemBody) -> Option<(&[Choice], &'static str)> {
    match body {
        ItemBody::Single { options, .. } | ItemBody::Multiple { options, .. } => {
            Some((options, "options"))
        }
        ItemBody::Order { actions, .. } => Some((actions, "actions")),
        ItemBody::Match { choices, .. } => Some((choices, "choices")),
        _ => None,
    }
}

/// Written letter → the letter this candidate saw (the display order of their attempt).
pub fn letters_seen(
    body: &ItemBody,
    perm: &BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, String> {
    let Some((list, key)) = lettered_list(body) else {
        return BTreeMap::new();
    };
    ordered(list, perm.get(key))
        .into_iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), letter(i)))
        .collect()
}

/// An explanation (Markdown) with the letters it names (`**B**`, "option B", "2 → B") turned into the
/// letters the candidate saw. Every letter is replaced in one pass, so B→A and A→B do not chain.
pub fn relabel(markdown: &str, seen: &BTreeMap<String, String>) -> String {
    if seen.iter().all(|(k, v)| k == v) {
        return markdown.to_string();
    }
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while !rest.is_empty() {
        let bold = rest
            .strip_prefix("**")
            .and_then(|r| r.split_once("**"))
            .filter(|(inner, _)| seen.contains_key(*inner));
        if let Some((inner, after)) = bold {
            out.push_str("**");
            out.push_str(&seen[inner]);
            out.push_str("**");
            rest = after;
            continue;
        }
        let word = ["option ", "Option ", "options ", "Options ", "→ "]
            .iter()
            .find_map(|w| rest.strip_prefix(w).map(|r| (*w, r)));
        if let Some((w, r)) = word {
            let id: String = r.chars().take_while(|c| c.is_ascii_uppercase()).collect();
            let next = r[id.len()..].chars().next();
            if seen.contains_key(&id) && !next.is_some_and(|c| c.is_alphanumeric()) {
                out.push_str(w);
                out.push_str(&seen[&id]);
                rest = &r[id.len()..];
                continue;
            }
        }
        let ch = rest.chars().next().unwrap_or_default();
        out.push(ch);
        rest = &rest[ch.len_utf8()..];
    }
    out
}

/// One option as the candidate saw it, with whether it was right and what they did with it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownOption {
    pub letter: String,
    pub html: String,
    pub correct: bool,
    pub chosen: bool,
    /// "Correct answer", "Step 2 of the answer", "Answer for 1 and 3", …
    pub key_note: String,
    /// "Your answer", "You placed it at step 1", …
    pub your_note: String,
}

fn right_or_not(right: bool) -> String {
    if right {
        "Correct answer"
    } else {
        "Not correct"
    }
    .to_string()
}

fn positions_of(ids: &[Option<String>], id: &str) -> Vec<usize> {
    ids.iter()
        .enumerate()
        .filter(|(_, x)| x.as_deref() == Some(id))
        .map(|(i, _)| i + 1)
        .collect()
}

fn join_numbers(ns: &[usize]) -> String {
    let s: Vec<String> = ns.iter().map(|n| n.to_string()).collect();
    match s.len() {
        0 => String::new(),
        1 => s[0].clone(),
        _ => format!("{} and {}", s[..s.len() - 1].join(", "), s[s.len() - 1]),
    }
}

/// The options of a lettered kind in the order and with the letters the candidate saw, each
/// marked right or wrong; empty for kinds without lettered options.
pub fn shown_options(
    body: &ItemBody,
    perm: &BTreeMap<String, Vec<String>>,
    response: Option<&Response>,
) -> Vec<ShownOption> {
    let Some((list, key)) = lettered_list(body) else {
        return vec![];
    };
    let none: Vec<Option<String>> = vec![];
    ordered(list, perm.get(key))
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let id = c.id.as_str();
            let (correct, chosen, key_note, your_note) = match (body, response) {
                (ItemBody::Single { key, .. }, r) => {
                    let chosen = matches!(r, Some(Response::Single { choice: Some(x) }) if x == id);
                    let right = key == id;
                    (right, chosen, right_or_not(right), "Your answer".to_string())
                }
                (ItemBody::Multiple { key, .. }, r) => {
                    let chosen = matches!(r, Some(Response::Multiple { choices }) if choices.iter().any(|x| x == id));
                    let right = key.iter().any(|k| k == id);
                    (right, chosen, right_or_not(right), "Your answer".to_string())
                }
                (ItemBody::Order { key, .. }, r) => {
                    let placed = match r {
                        Some(Response::Order { positions }) => positions,
                        _ => &none,
                    };
                    let step = key.iter().position(|k| k == id);
                    let yours = positions_of(placed, id);
                    (
                        step.is_some(),
                        !yours.is_empty(),
                        step.map_or("Not needed".to_string(), |s| format!("Step {} of the answer", s + 1)),
                        format!("You placed it at step {}", join_numbers(&yours)),
                    )
                }
                (ItemBody::Match { key, .. }, r) => {
                    let picks = match r {
                        Some(Response::Match { picks }) => picks,
                        _ => &none,
                    };
                    let keyed: Vec<Option<String>> = key.iter().cloned().map(Some).collect();
                    let answers = positions_of(&keyed, id);
                    let yours = positions_of(picks, id);
                    (
                        !answers.is_empty(),
                        !yours.is_empty(),
                        if answers.is_empty() {
                            "Not used in the answer".to_string()
                        } else {
                            format!("Answer for {}", join_numbers(&answers))
                        },
                        format!("You chose it for {}", join_numbers(&yours)),
                    )
                }
                _ => (false, false, String::new(), String::new()),
            };
            ShownOption {
                letter: letter(i),
                html: inline_html(&c.text),
                correct,
                chosen,
                key_note,
                your_note,
            }
        })
        .collect()
}

/// Drop-down choices per blank with their written letters, which explanations use (the exam
/// shows drop-down choices without letters); empty for other kinds.
pub fn written_choices(body: &ItemBody) -> Vec<String> {
    match body {
        ItemBody::Dropdown { slots, .. } => slots
            .iter()
            .map(|s| {
                let choices: Vec<String> = s.choices.iter().map(lettered).collect();
                format!("Blank {}: {}", s.number, choices.join(" · "))
            })
            .collect(),
        _ => vec![],
    }
}

/// Text lines describing a response (the candidate's or the correct one), with the letters the
/// candidate saw.
pub fn describe(
    body: &ItemBody,
    perm: &BTreeMap<String, Vec<String>>,
    response: Option<&Response>,
) -> Vec<String> {
    let seen = letters_seen(body, perm);
    let text = |list: &[Choice], id: &str| -> String {
        match (list.iter().find(|c| c.id == id), seen.get(id)) {
            (Some(c), Some(l)) => {
                format!("<strong>{}.</strong> {}", escape(l), inline_html(&c.text))
            }
            (Some(c), None) => lettered(c),
            (None, _) => escape(id),
        }
    };
    let none = "<em>no answer</em>".to_string();
    let Some(r) = response.filter(|r| !r.is_empty()) else {
        return vec![none];
    };
    match (body, r) {
        (ItemBody::Single { options, .. }, Response::Single { choice: Some(c) }) => {
            vec![text(options, c)]
        }
        (ItemBody::Multiple { options, .. }, Response::Multiple { choices }) => {
            let mut lines: Vec<String> = choices.iter().map(|c| text(options, c)).collect();
            lines.sort();
            lines
        }
        (ItemBody::Order { actions, .. }, Response::Order { positions }) => positions
            .iter()
            .enumerate()
            .map(|(i, p)| match p {
                Some(id) => format!("{}. {}", i + 1, text(actions, id)),
                None => format!("{}. {none}", i + 1),
            })
            .collect(),
        (ItemBody::Dropdown { slots, .. }, Response::Dropdown { slots: picks }) => slots
            .iter()
            .zip(picks)
            .map(|(s, p)| match p {
                Some(id) => format!("Blank {}: {}", s.number, text(&s.choices, id)),
                None => format!("Blank {}: {none}", s.number),
            })
            .collect(),
        (ItemBody::Grid { statements, .. }, Response::Grid { answers }) => statements
            .iter()
            .zip(answers)
            .enumerate()
            .map(|(i, (_, a))| {
                format!(
                    "Statement {}: {}",
                    i + 1,
                    match a {
                        Some(true) => "Yes".to_string(),
                        Some(false) => "No".to_string(),
                        None => none.clone(),
                    }
                )
            })
            .collect(),
        (
            ItemBody::Match {
                prompts, choices, ..
            },
            Response::Match { picks },
        ) => prompts
            .iter()
            .zip(picks)
            .map(|(p, pick)| match pick {
                Some(id) => format!("{} → {}", inline_html(&p.text), text(choices, id)),
                None => format!("{} → {none}", inline_html(&p.text)),
            })
            .collect(),
        (ItemBody::YesNo { .. }, Response::YesNo { answer: Some(a) }) => {
            vec![if *a { "Yes" } else { "No" }.to_string()]
        }
        _ => vec![none],
    }
}

/// A problem–solution stem without its own "Solution:" label (the page prints one).
pub fn solution_text(stem: &str) -> &str {
    let t = stem.trim_start();
    ["**Solution:**", "Solution:"]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .map_or(stem, str::trim_start)
}

/// The stem as shown in the report: drop-down blanks become visible markers.
pub fn report_stem(stem: &str) -> String {
    let mut html = to_html(stem);
    for n in crate::bank::parse::placeholders_in(stem) {
        html = html.replacen(&format!("[[{n}]]"), &format!("[{n}]"), 1);
    }
    html
}

#[cfg(test)]
mod letter_tests {
    use super::*;

    fn choice(id: &str, text: &str) -> Choice {
        Choice {
            id: id.into(),
            text: text.into(),
        }
    }

    fn single() -> ItemBody {
        ItemBody::Single {
            options: vec![
                choice("A", "alpha"),
                choice("B", "beta"),
                choice("C", "gamma"),
            ],
            key: "B".into(),
        }
    }

    fn perm(order: &[&str]) -> BTreeMap<String, Vec<String>> {
        [(
            "options".to_string(),
            order.iter().map(|s| s.to_string()).collect(),
        )]
        .into_iter()
        .collect()
    }

    #[test]
    fn explanations_name_the_letters_the_candidate_saw() {
        // Shown as C, A, B: the written B ("beta") appeared third, as C.
        let seen = letters_seen(&single(), &perm(&["C", "A", "B"]));
        assert_eq!(seen["B"], "C");
        assert_eq!(seen["C"], "A");
        let md = "**B** is right. **A** and **C** are wrong; option A is slow (1 → C). A team…";
        assert_eq!(
            relabel(md, &seen),
            "**C** is right. **B** and **A** are wrong; option B is slow (1 → A). A team…"
        );
        // Bank order: nothing changes.
        let same = letters_seen(&single(), &perm(&["A", "B", "C"]));
        assert_eq!(relabel(md, &same), md);
    }

    #[test]
    fn words_and_other_bold_text_are_left_alone() {
        let seen = letters_seen(&single(), &perm(&["B", "C", "A"]));
        let md = "**Data** and **Done**: Optional options AB; **B2.** stays; Option Beta.";
        assert_eq!(relabel(md, &seen), md);
    }

    #[test]
    fn the_shown_options_follow_the_display_order_and_mark_the_key() {
        let response = Response::Single {
            choice: Some("A".into()),
        };
        let shown = shown_options(&single(), &perm(&["C", "A", "B"]), Some(&response));
        let letters: Vec<(&str, bool, bool)> = shown
            .iter()
            .map(|o| (o.letter.as_str(), o.correct, o.chosen))
            .collect();
        assert_eq!(
            letters,
            vec![("A", false, false), ("B", false, true), ("C", true, false)]
        );
        assert!(shown[2].html.contains("beta"));
        let yours = describe(&single(), &perm(&["C", "A", "B"]), Some(&response));
        assert_eq!(yours, vec!["<strong>B.</strong> alpha".to_string()]);
    }

    #[test]
    fn a_solution_label_in_the_stem_is_not_printed_twice() {
        assert_eq!(solution_text("**Solution:** You add X."), "You add X.");
        assert_eq!(solution_text("Solution: You add X."), "You add X.");
        assert_eq!(solution_text("You add X."), "You add X.");
    }
}
