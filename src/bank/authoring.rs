//! Questions and scenarios written in the browser. A form is turned into the bank format and read
//! back with the same parser and checks as `bank check` (`parse`, `check_item_links`), so the
//! editor reports exactly the messages an author of files reads, and a saved question exports
//! to the files it would have been written as.

use super::parse::{self, Located};
use super::Problem;
use crate::domain::blueprint::Blueprint;
use crate::domain::item::{Item, ItemBody, ItemKind, OrderScoring, Scenario, ScenarioKind};
use std::fmt::Write;
use std::path::Path;

/// How many rows the editor offers for each list (blank rows at the end are ignored).
pub const OPTION_ROWS: usize = 8;
pub const PART_ROWS: usize = 8;
pub const SLOT_ROWS: usize = 4;
pub const SLOT_CHOICE_ROWS: usize = 6;
pub const TAB_ROWS: usize = 6;

/// A question as its editor form holds it: every field as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemForm {
    pub id: String,
    pub kind: Option<ItemKind>,
    pub objective: String,
    pub stem: String,
    pub explanation: String,
    /// One https URL per line.
    pub references: String,
    pub reviewed: String,
    pub case: String,
    pub series: String,
    pub choose: String,
    pub scoring: String,
    /// Lettered rows: options, actions, or a matching question's choices.
    pub options: Vec<String>,
    /// Numbered rows: statements or prompts.
    pub parts: Vec<String>,
    /// Drop-down slots, each with its lettered choices.
    pub slots: Vec<Vec<String>>,
    /// Key of lettered kinds: the letter(s) of a single or multiple answer, or the actions of a
    /// build list step by step.
    pub key_letters: Vec<String>,
    /// Key per numbered part or slot (`A`, `yes`, …).
    pub key_parts: Vec<String>,
    /// Key of a problem–solution item.
    pub key_yes_no: String,
}

pub fn letter(i: usize) -> String {
    ((b'A' + (i % 26) as u8) as char).to_string()
}

/// Rows up to the last one with text: a blank row in the middle stays (and the parser says its
/// labels do not run in order), blank rows at the end are unused rows of the form.
fn used(rows: &[String]) -> &[String] {
    let end = rows
        .iter()
        .rposition(|r| !r.trim().is_empty())
        .map_or(0, |i| i + 1);
    &rows[..end]
}

fn list(out: &mut String, rows: &[String], numeric: bool) {
    for (i, r) in used(rows).iter().enumerate() {
        let label = if numeric {
            (i + 1).to_string()
        } else {
            letter(i)
        };
        let text = r.trim().replace('\n', " ");
        if text.is_empty() {
            continue;
        }
        let _ = writeln!(out, "- {label}) {text}");
    }
    out.push('\n');
}

fn clean_letters(v: &[String]) -> Vec<String> {
    v.iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

impl ItemForm {
    /// The form written in the bank format.
    pub fn to_bank_text(&self) -> String {
        let mut out = String::new();
        let kind = self.kind.unwrap_or(ItemKind::Single);
        let _ = writeln!(out, "# Question {}", self.id.trim());
        let _ = writeln!(out, "objective: {}", self.objective.trim());
        let _ = writeln!(out, "kind: {}", kind.bank_name());
        if kind == ItemKind::Multiple {
            let _ = writeln!(out, "choose: {}", self.choose.trim());
        }
        if kind == ItemKind::Order && !self.scoring.trim().is_empty() {
            let _ = writeln!(out, "scoring: {}", self.scoring.trim());
        }
        if !self.case.trim().is_empty() {
            let _ = writeln!(out, "case: {}", self.case.trim());
        }
        if !self.series.trim().is_empty() {
            let _ = writeln!(out, "series: {}", self.series.trim());
        }
        for r in self
            .references
            .lines()
            .map(str::trim)
            .filter(|r| !r.is_empty())
        {
            let _ = writeln!(out, "reference: {r}");
        }
        if !self.reviewed.trim().is_empty() {
            let _ = writeln!(out, "reviewed: {}", self.reviewed.trim().replace('\n', " "));
        }
        let _ = writeln!(out, "\n## Stem\n{}\n", self.stem.trim_end());
        let key = match kind {
            ItemKind::Single | ItemKind::Multiple => {
                out.push_str("## Options\n");
                list(&mut out, &self.options, false);
                clean_letters(&self.key_letters).join(", ")
            }
            ItemKind::Order => {
                out.push_str("## Actions\n");
                list(&mut out, &self.options, false);
                clean_letters(&self.key_letters).join(", ")
            }
            ItemKind::Dropdown => {
                let slots: Vec<&Vec<String>> = self
                    .slots
                    .iter()
                    .take(
                        self.slots
                            .iter()
                            .rposition(|s| s.iter().any(|c| !c.trim().is_empty()))
                            .map_or(0, |i| i + 1),
                    )
                    .collect();
                for (i, s) in slots.iter().enumerate() {
                    let _ = writeln!(out, "## Slot {}", i + 1);
                    list(&mut out, s, false);
                }
                self.numbered_key(slots.len())
            }
            ItemKind::Grid => {
                out.push_str("## Statements\n");
                list(&mut out, &self.parts, true);
                self.numbered_key(used(&self.parts).len())
            }
            ItemKind::Match => {
                out.push_str("## Prompts\n");
                list(&mut out, &self.parts, true);
                out.push_str("## Choices\n");
                list(&mut out, &self.options, false);
                self.numbered_key(used(&self.parts).len())
            }
            ItemKind::YesNo => self.key_yes_no.trim().to_string(),
        };
        let _ = writeln!(out, "## Key\n{key}\n");
        let _ = writeln!(out, "## Explanation\n{}", self.explanation.trim_end());
        out
    }

    /// `1: B` lines for the parts that have an answer.
    fn numbered_key(&self, parts: usize) -> String {
        (0..parts)
            .filter_map(|i| {
                let v = self.key_parts.get(i).map(|s| s.trim()).unwrap_or("");
                (!v.is_empty()).then(|| format!("{}: {v}", i + 1))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The form of a stored question, for editing it.
    pub fn from_item(item: &Item) -> ItemForm {
        let texts = |cs: &[crate::domain::item::Choice]| -> Vec<String> {
            cs.iter().map(|c| c.text.replace('\n', " ")).collect()
        };
        let mut f = ItemForm {
            id: item.id.clone(),
            kind: Some(item.body.kind()),
            objective: item.objective.clone(),
            stem: item.stem.clone(),
            explanation: item.explanation.clone(),
            references: item.references.join("\n"),
            reviewed: item.reviewed.clone().unwrap_or_default(),
            case: item.case.clone().unwrap_or_default(),
            series: item.series.clone().unwrap_or_default(),
            ..ItemForm::default()
        };
        match &item.body {
            ItemBody::Single { options, key } => {
                f.options = texts(options);
                f.key_letters = vec![key.clone()];
            }
            ItemBody::Multiple {
                options,
                choose,
                key,
            } => {
                f.options = texts(options);
                f.choose = choose.to_string();
                f.key_letters = key.clone();
            }
            ItemBody::Order {
                actions,
                key,
                scoring,
            } => {
                f.options = texts(actions);
                f.key_letters = key.clone();
                f.scoring = match scoring {
                    OrderScoring::AllOrNothing => "all-or-nothing",
                    OrderScoring::PerPosition => "per-position",
                }
                .into();
            }
            ItemBody::Dropdown { slots, key } => {
                f.slots = slots.iter().map(|s| texts(&s.choices)).collect();
                f.key_parts = key.clone();
            }
            ItemBody::Grid { statements, key } => {
                f.parts = texts(statements);
                f.key_parts = key
                    .iter()
                    .map(|b| if *b { "yes" } else { "no" }.to_string())
                    .collect();
            }
            ItemBody::Match {
                prompts,
                choices,
                key,
            } => {
                f.parts = texts(prompts);
                f.options = texts(choices);
                f.key_parts = key.clone();
            }
            ItemBody::YesNo { key } => {
                f.key_yes_no = if *key { "yes" } else { "no" }.into();
            }
        }
        f
    }
}

/// Where the editor's problems are said to be: the bank text the form was written as.
const EDITOR_FILE: &str = "editor";

/// Reads a form with `bank check`'s parser and checks: the item, or every problem's message.
pub fn check_item(
    form: &ItemForm,
    bp: &Blueprint,
    scenarios: &[Scenario],
) -> Result<Item, Vec<String>> {
    let file = Path::new(EDITOR_FILE);
    let mut problems: Vec<Problem> = Vec::new();
    if form.kind.is_none() {
        return Err(vec![
            "unknown kind (known: single, multiple, order, dropdown, grid, match, yesno)".into(),
        ]);
    }
    let text = form.to_bank_text();
    let blocks = parse::split_blocks(file, &text, &mut problems);
    let item = match blocks.as_slice() {
        [block] if block.kind == parse::BlockKind::Question => {
            parse::block_to_item(file, block, &mut problems)
        }
        _ => None,
    };
    if let Some(it) = &item {
        let located: Vec<Located<Scenario>> = scenarios
            .iter()
            .map(|s| Located {
                value: s.clone(),
                file: file.to_path_buf(),
                line: 0,
                meta_lines: vec![],
            })
            .collect();
        super::check_item_links(bp, it, &located, &mut problems);
    }
    match item {
        Some(it) if problems.is_empty() => Ok(it.value),
        _ => {
            let mut messages: Vec<String> = problems.into_iter().map(|p| p.message).collect();
            if messages.is_empty() {
                messages.push("the question could not be read".into());
            }
            messages.dedup();
            Err(messages)
        }
    }
}

/// A case study or series as its editor form holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioForm {
    pub id: String,
    pub kind: Option<ScenarioKind>,
    pub title: String,
    /// (tab title, Markdown); a series uses the first row's text only.
    pub tabs: Vec<(String, String)>,
}

impl ScenarioForm {
    pub fn to_bank_text(&self) -> String {
        let mut out = String::new();
        let title = self.title.trim().replace('\n', " ");
        match self.kind.unwrap_or(ScenarioKind::Case) {
            ScenarioKind::Case => {
                let _ = writeln!(out, "# Case study {}\ntitle: {title}\n", self.id.trim());
                for (name, text) in &self.tabs {
                    if name.trim().is_empty() && text.trim().is_empty() {
                        continue;
                    }
                    let _ = writeln!(out, "## Tab: {}\n{}\n", name.trim(), text.trim_end());
                }
            }
            ScenarioKind::Series => {
                let _ = writeln!(out, "# Series {}\ntitle: {title}\n", self.id.trim());
                let text = self.tabs.first().map(|t| t.1.trim_end()).unwrap_or("");
                let _ = writeln!(out, "## Scenario\n{text}\n");
            }
        }
        out
    }

    pub fn from_scenario(s: &Scenario) -> ScenarioForm {
        ScenarioForm {
            id: s.id.clone(),
            kind: Some(s.kind),
            title: s.title.clone(),
            tabs: s.tabs.clone(),
        }
    }
}

/// Reads a scenario form with the bank's parser: the scenario, or every problem's message.
pub fn check_scenario(form: &ScenarioForm) -> Result<Scenario, Vec<String>> {
    let file = Path::new(EDITOR_FILE);
    let mut problems = Vec::new();
    let text = form.to_bank_text();
    let blocks = parse::split_blocks(file, &text, &mut problems);
    let scenario = match blocks.as_slice() {
        [block] if block.kind != parse::BlockKind::Question => {
            parse::block_to_scenario(file, block, &mut problems)
        }
        _ => None,
    };
    match scenario {
        Some(s) if problems.is_empty() => Ok(s.value),
        _ => {
            let mut messages: Vec<String> = problems.into_iter().map(|p| p.message).collect();
            if messages.is_empty() {
                messages.push("the case study or series could not be read".into());
            }
            Err(messages)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blueprint() -> Blueprint {
        toml::from_str(
            r#"
code = "T-1"
title = "T"
duration_minutes = 10
question_count = 2
cut_percent = 70.0
[[domains]]
code = "d"
title = "D"
weight_min = 0
weight_max = 100
[[domains.objectives]]
code = "d.one"
group = "G"
title = "One"
"#,
        )
        .unwrap()
    }

    fn dropdown_form() -> ItemForm {
        ItemForm {
            id: "t-drop".into(),
            kind: Some(ItemKind::Dropdown),
            objective: "d.one".into(),
            stem: "```python\njob = [[1]](code='./src')\n```".into(),
            explanation: "Because.".into(),
            references: "https://learn.microsoft.com/x".into(),
            slots: vec![
                vec!["command".into(), "sweep".into(), String::new()],
                vec![String::new(); 3],
            ],
            key_parts: vec!["A".into()],
            ..ItemForm::default()
        }
    }

    #[test]
    fn a_form_reads_back_as_the_item_it_describes_and_back_again() {
        let item = check_item(&dropdown_form(), &blueprint(), &[]).unwrap();
        let ItemBody::Dropdown { slots, key } = &item.body else {
            panic!("{item:?}")
        };
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].choices.len(), 2);
        assert_eq!(key, &vec!["A".to_string()]);
        let again = check_item(&ItemForm::from_item(&item), &blueprint(), &[]).unwrap();
        assert_eq!(again, item);
    }

    #[test]
    fn problems_carry_the_messages_of_bank_check() {
        let mut f = dropdown_form();
        f.objective = "d.two".into();
        f.key_parts = vec!["C".into()];
        f.references = "http://insecure".into();
        let errs = check_item(&f, &blueprint(), &[]).unwrap_err();
        assert!(
            errs.contains(&"reference `http://insecure` must be an https:// URL".to_string()),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e == "key names choice `C`, but the choices are A–B"),
            "{errs:?}"
        );
        // The objective is checked once the item reads.
        f.key_parts = vec!["A".into()];
        f.references = "https://learn.microsoft.com/x".into();
        let errs = check_item(&f, &blueprint(), &[]).unwrap_err();
        assert_eq!(
            errs,
            vec!["unknown objective `d.two` (known: d.one…)".to_string()]
        );
    }

    #[test]
    fn a_case_study_needs_two_tabs_as_in_files() {
        let f = ScenarioForm {
            id: "t-case".into(),
            kind: Some(ScenarioKind::Case),
            title: "Contoso".into(),
            tabs: vec![("Overview".into(), "Text".into())],
        };
        assert_eq!(
            check_scenario(&f).unwrap_err(),
            vec!["case study `t-case` needs at least two `## Tab:` sections".to_string()]
        );
    }
}
