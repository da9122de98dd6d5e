//! An import's dry run: what an uploaded file would change in an exam's bank, and every problem
//! with its file and line. Nothing is written here; `apply` loads the merged bank in one
//! transaction (`bank::import`, which refreshes planner statistics afterwards).
//!
//! A file adds questions to the exam's bank or replaces questions with the same id; questions
//! it does not mention stay as they are. Every imported question passes exactly the checks of
//! `bank check`: it is written in the bank format and read back by the bank's own reader, and
//! the merged bank is cross-checked (objectives, case studies, series) as a bank folder is.

use super::{Format, Imported, Read};
use crate::bank::parse::{self, BlockKind, Located};
use crate::bank::{export, Bank, Problem};
use crate::domain::blueprint::Blueprint;
use crate::domain::item::{Item, ItemKind, Scenario, ScenarioKind};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// A file to import and the objective for questions that name none.
#[derive(Debug, Clone)]
pub struct Upload {
    pub format: Format,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub default_objective: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    New,
    Changed,
    Unchanged,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Changed => "changed",
            ChangeKind::Unchanged => "unchanged",
        }
    }
}

/// One question (or case study, or series) of the file and what importing it would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: String,
    /// "Single answer", "Case study", …
    pub what: &'static str,
    pub change: ChangeKind,
    pub line: usize,
    /// For changed questions: which parts differ.
    pub fields: Vec<&'static str>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub exam_code: String,
    pub file_name: String,
    pub problems: Vec<Problem>,
    pub changes: Vec<Change>,
    /// Questions of the bank that the import retires (a whole bank folder only).
    pub retired: Vec<String>,
    /// The bank as it would be after the import; `None` when nothing could be read.
    pub bank: Option<Bank>,
}

impl Plan {
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.changes.iter().filter(|c| c.change == kind).count()
    }

    /// True when the import can be confirmed: no problem and something to change.
    pub fn can_apply(&self) -> bool {
        self.problems.is_empty()
            && self.bank.is_some()
            && (self.count(ChangeKind::New) + self.count(ChangeKind::Changed) + self.retired.len())
                > 0
    }
}

fn bank_file(code: &str) -> PathBuf {
    PathBuf::from(format!("{code} bank"))
}

fn located<T>(value: T, file: &Path, line: usize) -> Located<T> {
    Located {
        value,
        file: file.to_path_buf(),
        line,
        meta_lines: vec![],
    }
}

/// The dry run of importing `upload` into an exam whose bank is `current` (+ `scenarios`).
#[tracing::instrument(skip_all, fields(exam = %bp.code, file = %upload.file_name, format = %upload.format))]
pub fn plan(bp: &Blueprint, current: &[Item], scenarios: &[Scenario], upload: &Upload) -> Plan {
    let file = PathBuf::from(&upload.file_name);
    let mut problems = Vec::new();
    let (items, new_scenarios) = match upload.format {
        Format::Native => read_native(&file, &upload.bytes, &mut problems),
        format => {
            let read = super::read(format, &upload.bytes);
            read_foreign(bp, &file, read, upload, &mut problems)
        }
    };
    merge(
        bp,
        current,
        scenarios,
        items,
        new_scenarios,
        &file,
        problems,
    )
}

fn read_native(
    file: &Path,
    bytes: &[u8],
    problems: &mut Vec<Problem>,
) -> (Vec<Located<Item>>, Vec<Located<Scenario>>) {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let r = super::not_utf8(bytes, e);
            problems.extend(
                r.problems
                    .into_iter()
                    .map(|p| Problem::at(file, p.line, p.message)),
            );
            return (vec![], vec![]);
        }
    };
    let mut items = Vec::new();
    let mut scenarios = Vec::new();
    let blocks = parse::split_blocks(file, text, problems);
    if blocks.is_empty() && problems.is_empty() {
        problems.push(Problem::at(file, 1, "the file holds no `# Question` block"));
    }
    for block in blocks {
        match block.kind {
            BlockKind::Question => items.extend(parse::block_to_item(file, &block, problems)),
            BlockKind::Case | BlockKind::Series => {
                scenarios.extend(parse::block_to_scenario(file, &block, problems))
            }
        }
    }
    (items, scenarios)
}

fn read_foreign(
    bp: &Blueprint,
    file: &Path,
    read: Read,
    upload: &Upload,
    problems: &mut Vec<Problem>,
) -> (Vec<Located<Item>>, Vec<Located<Scenario>>) {
    problems.extend(
        read.problems
            .into_iter()
            .map(|p| Problem::at(file, p.line, p.message)),
    );
    let default = upload
        .default_objective
        .as_deref()
        .filter(|o| bp.objective(o).is_some());
    let mut items = Vec::new();
    for Imported { mut item, line } in read.items {
        if bp.objective(&item.objective).is_none() {
            match default {
                Some(d) => item.objective = d.to_string(),
                None if item.objective.is_empty() => {
                    problems.push(Problem::at(
                        file,
                        line,
                        format!(
                            "question `{}` names no objective: choose the objective for questions without one",
                            item.id
                        ),
                    ));
                    continue;
                }
                None => {}
            }
        }
        // The bank's own reader decides what a valid question is: write it as a bank block
        // and read it back, reporting its problems at the question's line in the upload.
        let rendered = export::render_item(&item);
        let mut found = Vec::new();
        for block in parse::split_blocks(file, &rendered, &mut found) {
            let _ = parse::block_to_item(file, &block, &mut found);
        }
        let mut seen = HashSet::new();
        for p in found {
            if seen.insert(p.message.clone()) {
                problems.push(Problem::at(file, line, p.message));
            }
        }
        items.push(located(item, file, line));
    }
    (items, vec![])
}

fn fields_changed(old: &Item, new: &Item) -> Vec<&'static str> {
    let mut f = Vec::new();
    if old.objective != new.objective {
        f.push("objective");
    }
    if old.stem != new.stem {
        f.push("stem");
    }
    if old.body.kind() != new.body.kind() {
        f.push("kind");
    } else if old.body != new.body {
        f.push("choices or key");
    }
    if old.explanation != new.explanation {
        f.push("explanation");
    }
    if old.references != new.references {
        f.push("references");
    }
    if old.case != new.case || old.series != new.series {
        f.push("case study or series");
    }
    if old.reviewed != new.reviewed {
        f.push("review note");
    }
    f
}

fn scenario_label(s: &Scenario) -> &'static str {
    match s.kind {
        ScenarioKind::Case => "Case study",
        ScenarioKind::Series => "Series",
    }
}

fn merge(
    bp: &Blueprint,
    current: &[Item],
    scenarios: &[Scenario],
    items: Vec<Located<Item>>,
    new_scenarios: Vec<Located<Scenario>>,
    file: &Path,
    mut problems: Vec<Problem>,
) -> Plan {
    let bank_path = bank_file(&bp.code);
    let mut changes = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut merged_scenarios: Vec<Located<Scenario>> = scenarios
        .iter()
        .map(|s| located(s.clone(), &bank_path, 0))
        .collect();
    for s in new_scenarios {
        if let Some(first) = seen.insert(s.value.id.clone(), s.line) {
            problems.push(Problem::at(
                file,
                s.line,
                format!(
                    "duplicate id `{}` (first defined at line {first})",
                    s.value.id
                ),
            ));
            continue;
        }
        let change = match merged_scenarios
            .iter_mut()
            .find(|m| m.value.id == s.value.id)
        {
            Some(m) if m.value == s.value => ChangeKind::Unchanged,
            Some(m) => {
                *m = s.clone();
                ChangeKind::Changed
            }
            None => {
                merged_scenarios.push(s.clone());
                ChangeKind::New
            }
        };
        changes.push(Change {
            id: s.value.id.clone(),
            what: scenario_label(&s.value),
            change,
            line: s.line,
            fields: vec![],
        });
    }
    let mut merged: Vec<Located<Item>> = current
        .iter()
        .map(|i| located(i.clone(), &bank_path, 0))
        .collect();
    for it in items {
        if let Some(first) = seen.insert(it.value.id.clone(), it.line) {
            problems.push(Problem::at(
                file,
                it.line,
                format!(
                    "duplicate id `{}` (first defined at line {first})",
                    it.value.id
                ),
            ));
            continue;
        }
        let (change, fields) = match merged.iter_mut().find(|m| m.value.id == it.value.id) {
            Some(m) if super::same_question(&m.value, &it.value) => (ChangeKind::Unchanged, vec![]),
            Some(m) => {
                let fields = fields_changed(&m.value, &it.value);
                *m = it.clone();
                (ChangeKind::Changed, fields)
            }
            None => {
                merged.push(it.clone());
                (ChangeKind::New, vec![])
            }
        };
        changes.push(Change {
            id: it.value.id.clone(),
            what: it.value.body.kind().label(),
            change,
            line: it.line,
            fields,
        });
    }
    let bp_text = toml::to_string(bp).unwrap_or_default();
    crate::bank::cross_check(
        bp,
        &bp_text,
        Path::new(crate::bank::BLUEPRINT_FILE),
        &merged,
        &merged_scenarios,
        &mut problems,
    );
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    problems.dedup();
    Plan {
        exam_code: bp.code.clone(),
        file_name: file.display().to_string(),
        problems,
        changes,
        retired: vec![],
        bank: Some(Bank {
            dir: PathBuf::new(),
            blueprint: bp.clone(),
            items: merged,
            scenarios: merged_scenarios,
        }),
    }
}

/// The dry run of importing a whole bank folder (the native `bank import DIR`): every question
/// of the folder, and the questions of the stored bank it no longer has (they are retired).
pub fn plan_folder(checked: crate::bank::Checked, current: Option<(&[Item], &[Scenario])>) -> Plan {
    let mut changes = Vec::new();
    let mut retired = Vec::new();
    let exam_code = checked
        .bank
        .as_ref()
        .map(|b| b.blueprint.code.clone())
        .unwrap_or_default();
    if let Some(bank) = &checked.bank {
        let (items, _) = current.unwrap_or((&[], &[]));
        for it in &bank.items {
            let (change, fields) = match items.iter().find(|i| i.id == it.value.id) {
                Some(old) if super::same_question(old, &it.value) => {
                    (ChangeKind::Unchanged, vec![])
                }
                Some(old) => (ChangeKind::Changed, fields_changed(old, &it.value)),
                None => (ChangeKind::New, vec![]),
            };
            changes.push(Change {
                id: it.value.id.clone(),
                what: it.value.body.kind().label(),
                change,
                line: it.line,
                fields,
            });
        }
        retired = items
            .iter()
            .filter(|i| !bank.items.iter().any(|b| b.value.id == i.id))
            .map(|i| i.id.clone())
            .collect();
    }
    Plan {
        exam_code,
        file_name: checked
            .bank
            .as_ref()
            .map(|b| b.dir.display().to_string())
            .unwrap_or_default(),
        problems: checked.problems,
        changes,
        retired,
        bank: checked.bank,
    }
}

/// Applies a plan without problems: the merged bank is loaded in one transaction, then the
/// planner's statistics are refreshed.
pub async fn apply(
    pool: &sqlx::PgPool,
    plan: &Plan,
) -> anyhow::Result<crate::bank::import::ImportReport> {
    anyhow::ensure!(plan.problems.is_empty(), "the import has problems");
    let bank = plan
        .bank
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("nothing to import"))?;
    crate::bank::import::import(pool, bank).await
}

/// The kinds a format can write, for the export page.
pub fn writable(format: Format, kind: ItemKind) -> bool {
    match format {
        Format::Native | Format::Qti => true,
        Format::Gift => matches!(
            kind,
            ItemKind::Single | ItemKind::Multiple | ItemKind::Match | ItemKind::YesNo
        ),
        Format::MoodleXml => kind != ItemKind::Grid,
    }
}
