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

/// A choice with the letter it has in the bank, which is the letter explanations use.
fn lettered(c: &Choice) -> String {
    format!(
        "<strong>{}.</strong> {}",
        escape(&c.id),
        inline_html(&c.text)
    )
}

/// Every choice of an item with its written letter, for reports: the exam showed them shuffled,
/// the explanation names them as written.
pub fn written_options(body: &ItemBody) -> Vec<String> {
    let all = |list: &[Choice]| list.iter().map(lettered).collect::<Vec<_>>();
    match body {
        ItemBody::Single { options, .. } | ItemBody::Multiple { options, .. } => all(options),
        ItemBody::Order { actions, .. } => all(actions),
        ItemBody::Match { choices, .. } => all(choices),
        ItemBody::Dropdown { slots, .. } => slots
            .iter()
            .map(|s| {
                let choices: Vec<String> = s.choices.iter().map(lettered).collect();
                format!("Blank {}: {}", s.number, choices.join(" · "))
            })
            .collect(),
        ItemBody::Grid { .. } | ItemBody::YesNo { .. } => vec![],
    }
}

/// Text lines describing a response (the candidate's or the correct one) for the score report.
pub fn describe(body: &ItemBody, response: Option<&Response>) -> Vec<String> {
    let text = |list: &[Choice], id: &str| -> String {
        list.iter()
            .find(|c| c.id == id)
            .map(lettered)
            .unwrap_or_else(|| escape(id))
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
            choices.iter().map(|c| text(options, c)).collect()
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

/// The stem as shown in the report: drop-down blanks become visible markers.
pub fn report_stem(stem: &str) -> String {
    let mut html = to_html(stem);
    for n in crate::bank::parse::placeholders_in(stem) {
        html = html.replacen(&format!("[[{n}]]"), &format!("[{n}]"), 1);
    }
    html
}
