//! Writing items and scenarios back in the bank format, so that an exported bank imports to the
//! same content.

use crate::domain::blueprint::Blueprint;
use crate::domain::item::{Choice, Item, ItemBody, OrderScoring, Scenario, ScenarioKind};
use std::fmt::Write;
use std::path::Path;

fn list(out: &mut String, items: &[Choice]) {
    for c in items {
        // Continuation lines of a multi-line item are indented so they stay in the item.
        let text = c.text.replace('\n', "\n  ");
        let _ = writeln!(out, "- {}) {}", c.id, text);
    }
    out.push('\n');
}

pub fn render_item(item: &Item) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Question {}", item.id);
    let _ = writeln!(out, "objective: {}", item.objective);
    let _ = writeln!(out, "kind: {}", item.body.kind().bank_name());
    match &item.body {
        ItemBody::Multiple { choose, .. } => {
            let _ = writeln!(out, "choose: {choose}");
        }
        ItemBody::Order { scoring, .. } => {
            let s = match scoring {
                OrderScoring::AllOrNothing => "all-or-nothing",
                OrderScoring::PerPosition => "per-position",
            };
            let _ = writeln!(out, "scoring: {s}");
        }
        _ => {}
    }
    if let Some(c) = &item.case {
        let _ = writeln!(out, "case: {c}");
    }
    if let Some(s) = &item.series {
        let _ = writeln!(out, "series: {s}");
    }
    for r in &item.references {
        let _ = writeln!(out, "reference: {r}");
    }
    if let Some(r) = &item.reviewed {
        let _ = writeln!(out, "reviewed: {r}");
    }
    let _ = writeln!(out, "\n## Stem\n{}\n", item.stem);
    let key = match &item.body {
        ItemBody::Single { options, key } => {
            out.push_str("## Options\n");
            list(&mut out, options);
            key.clone()
        }
        ItemBody::Multiple { options, key, .. } => {
            out.push_str("## Options\n");
            list(&mut out, options);
            key.join(", ")
        }
        ItemBody::Order { actions, key, .. } => {
            out.push_str("## Actions\n");
            list(&mut out, actions);
            key.join(", ")
        }
        ItemBody::Dropdown { slots, key } => {
            for s in slots {
                let _ = writeln!(out, "## Slot {}", s.number);
                list(&mut out, &s.choices);
            }
            numbered(key.iter().cloned())
        }
        ItemBody::Grid { statements, key } => {
            out.push_str("## Statements\n");
            list(&mut out, statements);
            numbered(key.iter().map(|b| {
                if *b {
                    "yes".to_string()
                } else {
                    "no".to_string()
                }
            }))
        }
        ItemBody::Match {
            prompts,
            choices,
            key,
        } => {
            out.push_str("## Prompts\n");
            list(&mut out, prompts);
            out.push_str("## Choices\n");
            list(&mut out, choices);
            numbered(key.iter().cloned())
        }
        ItemBody::YesNo { key } => if *key { "yes" } else { "no" }.to_string(),
    };
    let _ = writeln!(out, "## Key\n{key}\n");
    let _ = writeln!(out, "## Explanation\n{}\n", item.explanation);
    out
}

fn numbered(values: impl Iterator<Item = String>) -> String {
    values
        .enumerate()
        .map(|(i, v)| format!("{}: {v}", i + 1))
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn render_scenario(s: &Scenario) -> String {
    let mut out = String::new();
    match s.kind {
        ScenarioKind::Case => {
            let _ = writeln!(out, "# Case study {}\ntitle: {}\n", s.id, s.title);
            for (name, text) in &s.tabs {
                let _ = writeln!(out, "## Tab: {name}\n{text}\n");
            }
        }
        ScenarioKind::Series => {
            let _ = writeln!(out, "# Series {}\ntitle: {}\n", s.id, s.title);
            for (_, text) in &s.tabs {
                let _ = writeln!(out, "## Scenario\n{text}\n");
            }
        }
    }
    out
}

/// Writes a whole bank: `exam.toml` plus one question file per domain, each scenario written just
/// before its first question.
pub fn write_bank(
    dir: &Path,
    blueprint: &Blueprint,
    items: &[Item],
    scenarios: &[Scenario],
) -> std::io::Result<usize> {
    std::fs::create_dir_all(dir.join("questions"))?;
    let toml = toml::to_string_pretty(blueprint).map_err(std::io::Error::other)?;
    std::fs::write(dir.join(super::BLUEPRINT_FILE), toml)?;
    let mut written = std::collections::HashSet::new();
    let mut files = 0;
    for d in &blueprint.domains {
        let mut out = String::new();
        for item in items.iter().filter(|i| {
            blueprint.domain_of_objective(&i.objective).map(|x| &x.code) == Some(&d.code)
        }) {
            for group in [&item.case, &item.series].into_iter().flatten() {
                if written.insert(group.clone()) {
                    if let Some(s) = scenarios.iter().find(|s| &s.id == group) {
                        out.push_str(&render_scenario(s));
                    }
                }
            }
            out.push_str(&render_item(item));
        }
        if !out.is_empty() {
            std::fs::write(dir.join("questions").join(format!("{}.md", d.code)), out)?;
            files += 1;
        }
    }
    Ok(files)
}
