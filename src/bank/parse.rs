//! Reading one question file into blocks, and blocks into items and scenarios.
//!
//! The reader never stops at the first problem: it records each one with its line and carries on,
//! so an author sees every mistake in one run.

use super::Problem;
use crate::domain::item::{
    Choice, Item, ItemBody, ItemKind, OrderScoring, Scenario, ScenarioKind, Slot,
};
use std::path::Path;

#[derive(Debug, Clone)]
pub struct Section {
    pub name: String,
    pub line: usize,
    pub lines: Vec<(usize, String)>,
}

impl Section {
    /// The section's text with surrounding blank lines removed.
    pub fn text(&self) -> String {
        let lines: Vec<&str> = self.lines.iter().map(|(_, l)| l.as_str()).collect();
        lines.join("\n").trim_matches('\n').trim_end().to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Question,
    Case,
    Series,
}

#[derive(Debug, Clone)]
pub struct Block {
    pub kind: BlockKind,
    pub id: String,
    pub line: usize,
    pub meta: Vec<(String, String, usize)>,
    pub sections: Vec<Section>,
}

/// A parsed question with where it was written.
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub value: T,
    pub file: std::path::PathBuf,
    pub line: usize,
    /// Line of each metadata key, for messages about it.
    pub meta_lines: Vec<(String, usize)>,
}

impl<T> Located<T> {
    pub fn meta_line(&self, key: &str) -> usize {
        self.meta_lines
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, l)| *l)
            .unwrap_or(self.line)
    }
}

fn is_fence(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("```") || t.starts_with("~~~")
}

pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 80
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !id.starts_with('-')
}

/// Splits a file into blocks.
pub fn split_blocks(file: &Path, text: &str, problems: &mut Vec<Problem>) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut in_fence = false;
    let mut fence_line = 0;
    let mut in_meta = false;
    for (idx, raw) in text.lines().enumerate() {
        let n = idx + 1;
        let line = raw.trim_end_matches('\r');
        if is_fence(line) {
            if !in_fence {
                fence_line = n;
            }
            in_fence = !in_fence;
        }
        let structural = !in_fence && !is_fence(line);
        if structural && line.starts_with("# ") {
            let rest = line[2..].trim();
            let (kind, id) = if let Some(id) = rest.strip_prefix("Question ") {
                (BlockKind::Question, id.trim())
            } else if let Some(id) = rest.strip_prefix("Case study ") {
                (BlockKind::Case, id.trim())
            } else if let Some(id) = rest.strip_prefix("Series ") {
                (BlockKind::Series, id.trim())
            } else {
                problems.push(Problem::at(
                    file,
                    n,
                    format!("unknown heading `{line}`: a block starts with `# Question <id>`, `# Case study <id>` or `# Series <id>`"),
                ));
                continue;
            };
            if !valid_id(id) {
                problems.push(Problem::at(
                    file,
                    n,
                    format!("id `{id}` must use lower-case letters, digits and hyphens"),
                ));
            }
            blocks.push(Block {
                kind,
                id: id.to_string(),
                line: n,
                meta: vec![],
                sections: vec![],
            });
            in_meta = true;
            continue;
        }
        let Some(block) = blocks.last_mut() else {
            if !line.trim().is_empty() {
                problems.push(Problem::at(
                    file,
                    n,
                    "text before the first `# Question`, `# Case study` or `# Series` heading",
                ));
            }
            continue;
        };
        if structural && line.starts_with("## ") {
            in_meta = false;
            block.sections.push(Section {
                name: line[3..].trim().to_string(),
                line: n,
                lines: vec![],
            });
            continue;
        }
        if in_meta {
            if line.trim().is_empty() {
                continue;
            }
            match line.split_once(':') {
                Some((k, v)) if !k.trim().is_empty() && !k.contains(' ') => {
                    block.meta.push((k.trim().to_string(), v.trim().to_string(), n));
                }
                _ => problems.push(Problem::at(
                    file,
                    n,
                    format!("expected a `key: value` metadata line or a `## Section` heading, found `{}`", line.trim()),
                )),
            }
            continue;
        }
        if let Some(section) = block.sections.last_mut() {
            section.lines.push((n, line.to_string()));
        }
    }
    if in_fence {
        problems.push(Problem::at(
            file,
            fence_line,
            "code block opened here is never closed",
        ));
    }
    blocks
}

/// Parses `- A) text` list items (continuation lines indented) of a section.
fn parse_list(
    file: &Path,
    section: &Section,
    numeric: bool,
    problems: &mut Vec<Problem>,
) -> Vec<Choice> {
    let mut out: Vec<Choice> = Vec::new();
    let mut in_fence = false;
    for (n, line) in &section.lines {
        if is_fence(line) {
            in_fence = !in_fence;
        }
        if line.trim().is_empty() {
            continue;
        }
        if !in_fence && line.starts_with("- ") {
            let rest = &line[2..];
            let parsed = rest.split_once(')').and_then(|(label, text)| {
                let label = label.trim();
                let ok = if numeric {
                    !label.is_empty() && label.chars().all(|c| c.is_ascii_digit())
                } else {
                    label.len() == 1 && label.chars().all(|c| c.is_ascii_uppercase())
                };
                ok.then(|| (label.to_string(), text.trim().to_string()))
            });
            match parsed {
                Some((id, text)) if !text.is_empty() => {
                    if out.iter().any(|c| c.id == id) {
                        problems.push(Problem::at(
                            file,
                            *n,
                            format!("label `{id}` is used twice in this list"),
                        ));
                    }
                    out.push(Choice { id, text });
                }
                Some(_) => {
                    problems.push(Problem::at(file, *n, "list item has a label but no text"))
                }
                None => problems.push(Problem::at(
                    file,
                    *n,
                    if numeric {
                        "list items here look like `- 1) text`"
                    } else {
                        "list items here look like `- A) text` (one capital letter)"
                    },
                )),
            }
        } else if let Some(last) = out.last_mut() {
            if line.starts_with(' ') || line.starts_with('\t') || in_fence {
                last.text.push('\n');
                last.text.push_str(line.trim_start());
            } else {
                problems.push(Problem::at(
                    file,
                    *n,
                    "text in a list must be a `- X) …` item or an indented continuation",
                ));
            }
        } else {
            problems.push(Problem::at(
                file,
                *n,
                "expected a list item like `- A) text`",
            ));
        }
    }
    // Expected labels run A, B, C… or 1, 2, 3… in order, so `key: E` mistakes are obvious.
    for (i, c) in out.iter().enumerate() {
        let want = if numeric {
            (i + 1).to_string()
        } else {
            ((b'A' + i as u8) as char).to_string()
        };
        if c.id != want {
            problems.push(Problem::at(
                file,
                section.line,
                format!(
                    "labels in `## {}` must run in order; item {} is `{}`, expected `{want}`",
                    section.name,
                    i + 1,
                    c.id
                ),
            ));
            break;
        }
    }
    out
}

fn label_range(list: &[Choice]) -> String {
    match (list.first(), list.last()) {
        (Some(a), Some(b)) if list.len() > 1 => format!("{}–{}", a.id, b.id),
        (Some(a), _) => a.id.clone(),
        _ => "none".into(),
    }
}

/// Key lines of the form `1: B` (or `1: yes`), in number order.
fn parse_numbered_key(
    file: &Path,
    section: &Section,
    expected: usize,
    problems: &mut Vec<Problem>,
) -> Vec<(usize, String, usize)> {
    let mut out = Vec::new();
    for (n, line) in &section.lines {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let t = t.strip_prefix("- ").unwrap_or(t);
        match t.split_once(':') {
            Some((num, v)) => match num.trim().parse::<usize>() {
                Ok(k) if k >= 1 && k <= expected => out.push((k, v.trim().to_string(), *n)),
                Ok(k) => problems.push(Problem::at(
                    file,
                    *n,
                    format!("key line names {k}, but there are {expected}"),
                )),
                Err(_) => problems.push(Problem::at(
                    file,
                    *n,
                    format!("key lines look like `1: B`, found `{t}`"),
                )),
            },
            None => problems.push(Problem::at(
                file,
                *n,
                format!("key lines look like `1: B`, found `{t}`"),
            )),
        }
    }
    let mut numbers: Vec<usize> = out.iter().map(|(k, _, _)| *k).collect();
    numbers.sort();
    let before = numbers.len();
    numbers.dedup();
    if numbers.len() != before {
        problems.push(Problem::at(
            file,
            section.line,
            "the key gives an answer twice for the same number",
        ));
    }
    if numbers.len() != expected && numbers.len() == before {
        problems.push(Problem::at(
            file,
            section.line,
            format!(
                "the key must give an answer for each of the {expected} parts; it gives {}",
                numbers.len()
            ),
        ));
    }
    out.sort_by_key(|(k, _, _)| *k);
    out
}

fn key_letters(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

const QUESTION_META: &[&str] = &[
    "objective",
    "kind",
    "reference",
    "choose",
    "scoring",
    "case",
    "series",
    "reviewed",
];

/// Turns a question block into an item, recording every problem found.
pub fn block_to_item(
    file: &Path,
    block: &Block,
    problems: &mut Vec<Problem>,
) -> Option<Located<Item>> {
    let before = problems.len();
    let mut meta_one = |key: &str| -> Option<(String, usize)> {
        let found: Vec<_> = block.meta.iter().filter(|(k, _, _)| k == key).collect();
        if found.len() > 1 {
            problems.push(Problem::at(
                file,
                found[1].2,
                format!("`{key}` is given twice"),
            ));
        }
        found.first().map(|(_, v, l)| (v.clone(), *l))
    };
    let objective = meta_one("objective");
    let kind_meta = meta_one("kind");
    let choose = meta_one("choose");
    let scoring = meta_one("scoring");
    let case = meta_one("case");
    let series = meta_one("series");
    let reviewed = meta_one("reviewed");
    for (k, _, l) in &block.meta {
        if !QUESTION_META.contains(&k.as_str()) {
            problems.push(Problem::at(
                file,
                *l,
                format!(
                    "unknown metadata key `{k}` (known: {})",
                    QUESTION_META.join(", ")
                ),
            ));
        }
    }
    let references: Vec<String> = block
        .meta
        .iter()
        .filter(|(k, _, _)| k == "reference")
        .map(|(_, v, l)| {
            if !(v.starts_with("https://") && v.len() > 12 && !v.contains(' ')) {
                problems.push(Problem::at(
                    file,
                    *l,
                    format!("reference `{v}` must be an https:// URL"),
                ));
            }
            v.clone()
        })
        .collect();
    if references.is_empty() {
        problems.push(Problem::at(
            file,
            block.line,
            format!("question `{}` has no `reference:` line", block.id),
        ));
    }
    let Some((objective, _)) = objective else {
        problems.push(Problem::at(
            file,
            block.line,
            format!("question `{}` has no `objective:` line", block.id),
        ));
        return None;
    };
    let kind = match kind_meta {
        None => {
            problems.push(Problem::at(
                file,
                block.line,
                format!("question `{}` has no `kind:` line", block.id),
            ));
            return None;
        }
        Some((k, l)) => match ItemKind::from_bank_name(&k) {
            Some(kind) => kind,
            None => {
                problems.push(Problem::at(
                    file,
                    l,
                    format!("unknown kind `{k}` (known: single, multiple, order, dropdown, grid, match, yesno)"),
                ));
                return None;
            }
        },
    };

    let section = |name: &str| block.sections.iter().find(|s| s.name == name);
    let allowed: Vec<String> = {
        let mut v = vec!["Stem".to_string(), "Key".into(), "Explanation".into()];
        match kind {
            ItemKind::Single | ItemKind::Multiple => v.push("Options".into()),
            ItemKind::Order => v.push("Actions".into()),
            ItemKind::Grid => v.push("Statements".into()),
            ItemKind::Match => {
                v.push("Prompts".into());
                v.push("Choices".into());
            }
            ItemKind::Dropdown | ItemKind::YesNo => {}
        }
        v
    };
    for s in &block.sections {
        let is_slot = kind == ItemKind::Dropdown
            && s.name
                .strip_prefix("Slot ")
                .is_some_and(|n| n.trim().parse::<u32>().is_ok());
        if !allowed.contains(&s.name) && !is_slot {
            problems.push(Problem::at(
                file,
                s.line,
                format!(
                    "unknown section `## {}` for a `{}` question (expected: {})",
                    s.name,
                    kind.bank_name(),
                    allowed.join(", ")
                ),
            ));
        }
        if block.sections.iter().filter(|o| o.name == s.name).count() > 1
            && block.sections.iter().position(|o| o.name == s.name)
                != block.sections.iter().position(|o| std::ptr::eq(o, s))
        {
            problems.push(Problem::at(
                file,
                s.line,
                format!("section `## {}` appears twice", s.name),
            ));
        }
    }
    let text_of = |name: &str, problems: &mut Vec<Problem>| -> String {
        match section(name) {
            Some(s) if !s.text().trim().is_empty() => s.text(),
            Some(s) => {
                problems.push(Problem::at(file, s.line, format!("`## {name}` is empty")));
                String::new()
            }
            None => {
                problems.push(Problem::at(
                    file,
                    block.line,
                    format!("question `{}` has no `## {name}`", block.id),
                ));
                String::new()
            }
        }
    };
    let stem = text_of("Stem", problems);
    let explanation = text_of("Explanation", problems);
    let key_section = section("Key");
    let key_text = text_of("Key", problems);
    // Problems with the key point at the key's first line, not its heading.
    let key_line = key_section
        .map(|s| {
            s.lines
                .iter()
                .find(|(_, l)| !l.trim().is_empty())
                .map(|(n, _)| *n)
                .unwrap_or(s.line)
        })
        .unwrap_or(block.line);

    let list =
        |name: &str, numeric: bool, min: usize, problems: &mut Vec<Problem>| -> Vec<Choice> {
            match section(name) {
                Some(s) => {
                    let l = parse_list(file, s, numeric, problems);
                    if l.len() < min {
                        problems.push(Problem::at(
                            file,
                            s.line,
                            format!("`## {name}` needs at least {min} items, it has {}", l.len()),
                        ));
                    }
                    l
                }
                None => {
                    problems.push(Problem::at(
                        file,
                        block.line,
                        format!("question `{}` has no `## {name}`", block.id),
                    ));
                    vec![]
                }
            }
        };
    let names_option =
        |id: &str, list: &[Choice], what: &str, line: usize, problems: &mut Vec<Problem>| {
            if !list.is_empty() && !list.iter().any(|c| c.id == id) {
                problems.push(Problem::at(
                    file,
                    line,
                    format!(
                        "key names {what} `{id}`, but the {what}s are {}",
                        label_range(list)
                    ),
                ));
            }
        };
    let key_lines = |expected: usize, problems: &mut Vec<Problem>| match key_section {
        Some(s) => parse_numbered_key(file, s, expected, problems),
        None => vec![],
    };
    let yes_no =
        |v: &str, line: usize, problems: &mut Vec<Problem>| match v.to_ascii_lowercase().as_str() {
            "yes" => true,
            "no" => false,
            other => {
                problems.push(Problem::at(
                    file,
                    line,
                    format!("expected `yes` or `no`, found `{other}`"),
                ));
                false
            }
        };

    if kind != ItemKind::Multiple {
        if let Some((_, l)) = &choose {
            problems.push(Problem::at(
                file,
                *l,
                "`choose:` only applies to `multiple` questions",
            ));
        }
    }
    if kind != ItemKind::Order {
        if let Some((_, l)) = &scoring {
            problems.push(Problem::at(
                file,
                *l,
                "`scoring:` only applies to `order` questions",
            ));
        }
    }

    let body = match kind {
        ItemKind::Single => {
            let options = list("Options", false, 3, problems);
            let keys = key_letters(&key_text);
            if keys.len() > 1 {
                problems.push(Problem::at(
                    file,
                    key_line,
                    "a `single` question has exactly one key letter; use `kind: multiple` for more",
                ));
            }
            let key = keys.into_iter().next().unwrap_or_default();
            if !key.is_empty() {
                names_option(&key, &options, "option", key_line, problems);
            }
            ItemBody::Single { options, key }
        }
        ItemKind::Multiple => {
            let options = list("Options", false, 3, problems);
            let mut key = key_letters(&key_text);
            for k in &key {
                names_option(k, &options, "option", key_line, problems);
            }
            key.sort();
            key.dedup();
            let choose_n = match &choose {
                None => {
                    problems.push(Problem::at(
                        file,
                        block.line,
                        "a `multiple` question needs `choose: N`",
                    ));
                    key.len() as u32
                }
                Some((v, l)) => match v.parse::<u32>() {
                    Ok(n) if n >= 2 => n,
                    _ => {
                        problems.push(Problem::at(
                            file,
                            *l,
                            format!("`choose:` must be a whole number of at least 2, found `{v}`"),
                        ));
                        key.len() as u32
                    }
                },
            };
            if key.len() as u32 != choose_n {
                problems.push(Problem::at(
                    file,
                    key_line,
                    format!(
                        "`choose: {choose_n}` but the key names {} option(s)",
                        key.len()
                    ),
                ));
            }
            if !options.is_empty() && choose_n as usize >= options.len() {
                problems.push(Problem::at(
                    file,
                    block.line,
                    format!(
                        "`choose: {choose_n}` must be fewer than the {} options",
                        options.len()
                    ),
                ));
            }
            ItemBody::Multiple {
                options,
                choose: choose_n,
                key,
            }
        }
        ItemKind::Order => {
            let actions = list("Actions", false, 3, problems);
            let key = key_letters(&key_text);
            for k in &key {
                names_option(k, &actions, "action", key_line, problems);
            }
            let mut dedup = key.clone();
            dedup.sort();
            dedup.dedup();
            if dedup.len() != key.len() {
                problems.push(Problem::at(file, key_line, "the key lists an action twice"));
            }
            if key.len() < 2 {
                problems.push(Problem::at(
                    file,
                    key_line,
                    "an `order` key lists at least two actions in order",
                ));
            }
            let scoring = match &scoring {
                None => OrderScoring::AllOrNothing,
                Some((v, l)) => {
                    match v.as_str() {
                        "all-or-nothing" => OrderScoring::AllOrNothing,
                        "per-position" => OrderScoring::PerPosition,
                        other => {
                            problems.push(Problem::at(file, *l, format!("`scoring:` is `all-or-nothing` or `per-position`, not `{other}`")));
                            OrderScoring::AllOrNothing
                        }
                    }
                }
            };
            ItemBody::Order {
                actions,
                key,
                scoring,
            }
        }
        ItemKind::Dropdown => {
            let mut slots: Vec<Slot> = block
                .sections
                .iter()
                .filter_map(|s| {
                    let n = s.name.strip_prefix("Slot ")?.trim().parse::<u32>().ok()?;
                    let choices = parse_list(file, s, false, problems);
                    if choices.len() < 2 {
                        problems.push(Problem::at(
                            file,
                            s.line,
                            format!("`## Slot {n}` needs at least 2 choices"),
                        ));
                    }
                    Some(Slot { number: n, choices })
                })
                .collect();
            slots.sort_by_key(|s| s.number);
            if slots.is_empty() {
                problems.push(Problem::at(
                    file,
                    block.line,
                    "a `dropdown` question needs `## Slot 1`, `## Slot 2`, …",
                ));
            }
            for (i, s) in slots.iter().enumerate() {
                if s.number as usize != i + 1 {
                    problems.push(Problem::at(
                        file,
                        block.line,
                        format!(
                            "slots must be numbered 1, 2, 3… without gaps; found slot {}",
                            s.number
                        ),
                    ));
                    break;
                }
            }
            let placeholders = placeholders_in(&stem);
            let expected: Vec<u32> = (1..=slots.len() as u32).collect();
            if placeholders != expected && !stem.is_empty() {
                let stem_line = section("Stem").map(|s| s.line).unwrap_or(block.line);
                problems.push(Problem::at(
                    file,
                    stem_line,
                    format!(
                        "the stem's placeholders are {:?} but the slots are {:?}; each `## Slot n` needs exactly one `[[n]]` in the stem",
                        placeholders, expected
                    ),
                ));
            }
            let lines = key_lines(slots.len(), problems);
            let mut key = vec![String::new(); slots.len()];
            for (k, v, l) in lines {
                if let Some(slot) = slots.get(k - 1) {
                    names_option(&v, &slot.choices, "choice", l, problems);
                    key[k - 1] = v;
                }
            }
            ItemBody::Dropdown { slots, key }
        }
        ItemKind::Grid => {
            let statements = list("Statements", true, 2, problems);
            let lines = key_lines(statements.len(), problems);
            let mut key = vec![false; statements.len()];
            for (k, v, l) in lines {
                key[k - 1] = yes_no(&v, l, problems);
            }
            ItemBody::Grid { statements, key }
        }
        ItemKind::Match => {
            let prompts = list("Prompts", true, 2, problems);
            let choices = list("Choices", false, 2, problems);
            let lines = key_lines(prompts.len(), problems);
            let mut key = vec![String::new(); prompts.len()];
            for (k, v, l) in lines {
                names_option(&v, &choices, "choice", l, problems);
                key[k - 1] = v;
            }
            ItemBody::Match {
                prompts,
                choices,
                key,
            }
        }
        ItemKind::YesNo => {
            let key = yes_no(key_text.trim(), key_line, problems);
            if series.is_none() {
                problems.push(Problem::at(
                    file,
                    block.line,
                    "a `yesno` question belongs to a series: add `series: <series id>`",
                ));
            }
            ItemBody::YesNo { key }
        }
    };
    if kind != ItemKind::YesNo {
        if let Some((_, l)) = &series {
            problems.push(Problem::at(
                file,
                *l,
                "only `yesno` questions belong to a series",
            ));
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(Located {
        value: Item {
            id: block.id.clone(),
            objective,
            stem,
            explanation,
            references,
            case: case.map(|c| c.0),
            series: series.map(|s| s.0),
            reviewed: reviewed.map(|r| r.0),
            body,
        },
        file: file.to_path_buf(),
        line: block.line,
        meta_lines: block.meta.iter().map(|(k, _, l)| (k.clone(), *l)).collect(),
    })
}

/// Numbers of `[[n]]` placeholders in order of appearance.
pub fn placeholders_in(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("[[") {
        let after = &rest[start + 2..];
        if let Some(end) = after.find("]]") {
            if let Ok(n) = after[..end].trim().parse::<u32>() {
                out.push(n);
            }
            rest = &after[end + 2..];
        } else {
            break;
        }
    }
    out
}

pub fn block_to_scenario(
    file: &Path,
    block: &Block,
    problems: &mut Vec<Problem>,
) -> Option<Located<Scenario>> {
    let before = problems.len();
    let mut title = None;
    for (k, v, l) in &block.meta {
        if k == "title" {
            title = Some(v.clone());
        } else {
            problems.push(Problem::at(
                file,
                *l,
                format!("unknown metadata key `{k}` (a case study or series has only `title`)"),
            ));
        }
    }
    let kind = if block.kind == BlockKind::Case {
        ScenarioKind::Case
    } else {
        ScenarioKind::Series
    };
    let mut tabs = Vec::new();
    for s in &block.sections {
        let tab_name = match kind {
            ScenarioKind::Case => s.name.strip_prefix("Tab:").map(|t| t.trim().to_string()),
            ScenarioKind::Series => (s.name == "Scenario").then(|| "Scenario".to_string()),
        };
        match tab_name {
            Some(name) if !name.is_empty() => {
                if s.text().trim().is_empty() {
                    problems.push(Problem::at(
                        file,
                        s.line,
                        format!("`## {}` is empty", s.name),
                    ));
                }
                tabs.push((name, s.text()));
            }
            _ => problems.push(Problem::at(
                file,
                s.line,
                match kind {
                    ScenarioKind::Case => format!(
                        "unknown section `## {}`: case-study sections are `## Tab: <title>`",
                        s.name
                    ),
                    ScenarioKind::Series => format!(
                        "unknown section `## {}`: a series has one `## Scenario`",
                        s.name
                    ),
                },
            )),
        }
    }
    match kind {
        ScenarioKind::Case if tabs.len() < 2 => problems.push(Problem::at(
            file,
            block.line,
            format!(
                "case study `{}` needs at least two `## Tab:` sections",
                block.id
            ),
        )),
        ScenarioKind::Series if tabs.len() != 1 => problems.push(Problem::at(
            file,
            block.line,
            format!("series `{}` needs one `## Scenario` section", block.id),
        )),
        _ => {}
    }
    let title = match title {
        Some(t) if !t.is_empty() => t,
        _ => {
            problems.push(Problem::at(
                file,
                block.line,
                format!("`{}` has no `title:` line", block.id),
            ));
            String::new()
        }
    };
    if problems.len() > before {
        return None;
    }
    Some(Located {
        value: Scenario {
            id: block.id.clone(),
            kind,
            title,
            tabs,
        },
        file: file.to_path_buf(),
        line: block.line,
        meta_lines: vec![],
    })
}
