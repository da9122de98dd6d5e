//! Question banks on disk: reading and checking (`parse`, this module), writing (`export`) and
//! loading into the database (`import`). The format is documented in docs/question-bank-format.md.

pub mod authoring;
pub mod export;
pub mod formats;
pub mod import;
pub mod parse;

use crate::domain::blueprint::Blueprint;
use crate::domain::item::{Item, ItemKind, Scenario, ScenarioKind};
use parse::{BlockKind, Located};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

pub const BLUEPRINT_FILE: &str = "exam.toml";

/// One thing wrong with a bank, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl Problem {
    pub fn at(file: &Path, line: usize, message: impl Into<String>) -> Problem {
        Problem {
            file: file.to_path_buf(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// A checked bank: every item names a known objective, every group has its members.
#[derive(Debug, Clone)]
pub struct Bank {
    pub dir: PathBuf,
    pub blueprint: Blueprint,
    pub items: Vec<Located<Item>>,
    pub scenarios: Vec<Located<Scenario>>,
}

/// Reads and checks a bank folder. Returns the bank only when there are no problems.
pub fn load(dir: &Path) -> Result<Bank, Vec<Problem>> {
    let checked = check(dir);
    match checked.bank {
        Some(bank) if checked.problems.is_empty() => Ok(bank),
        _ => Err(checked.problems),
    }
}

/// Everything a check found: the bank as far as it could be read (the questions without
/// problems), and every problem, sorted by file and line.
pub struct Checked {
    pub bank: Option<Bank>,
    pub problems: Vec<Problem>,
}

/// Reads a bank folder, keeping what could be read even when there are problems, so that the
/// coverage table can still be shown beside them.
pub fn check(dir: &Path) -> Checked {
    let blueprint_path = dir.join(BLUEPRINT_FILE);
    let blueprint_text = match std::fs::read_to_string(&blueprint_path) {
        Ok(t) => t,
        Err(e) => {
            return Checked {
                bank: None,
                problems: vec![Problem::at(
                    &blueprint_path,
                    0,
                    format!("cannot read the blueprint: {e}"),
                )],
            };
        }
    };
    let mut problems = Vec::new();
    let mut files = Vec::new();
    collect_md(dir, &mut files, &mut problems);
    files.sort();
    if files.is_empty() {
        problems.push(Problem::at(dir, 0, "no question files (*.md) found"));
    }
    let mut sources = Vec::new();
    for file in files {
        match std::fs::read_to_string(&file) {
            Ok(text) => sources.push((file, text)),
            Err(e) => problems.push(Problem::at(&file, 0, format!("cannot read: {e}"))),
        }
    }
    check_sources(dir, &blueprint_text, &sources, problems)
}

/// Checks a bank given as text: its blueprint and its question files as (path, contents),
/// adding to `problems` found before. This is [`check`] after reading the folder; the fuzz
/// target (fuzz/) enters here, and so can readers of other formats that produce this text.
pub fn check_sources(
    dir: &Path,
    blueprint_text: &str,
    sources: &[(PathBuf, String)],
    mut problems: Vec<Problem>,
) -> Checked {
    let blueprint_path = dir.join(BLUEPRINT_FILE);
    let blueprint: Option<Blueprint> = match toml::from_str::<Blueprint>(blueprint_text) {
        Ok(b) => {
            for p in b.problems() {
                problems.push(Problem::at(&blueprint_path, 1, p));
            }
            Some(b)
        }
        Err(e) => {
            let line = e
                .span()
                .map(|s| blueprint_text[..s.start].lines().count().max(1))
                .unwrap_or(1);
            problems.push(Problem::at(
                &blueprint_path,
                line,
                format!("blueprint: {}", e.message()),
            ));
            None
        }
    };

    let mut items: Vec<Located<Item>> = Vec::new();
    let mut scenarios: Vec<Located<Scenario>> = Vec::new();
    let mut first_seen: HashMap<String, (PathBuf, usize)> = HashMap::new();
    for (file, text) in sources {
        for block in parse::split_blocks(file, text, &mut problems) {
            if let Some((f, l)) = first_seen.get(&block.id) {
                problems.push(Problem::at(
                    file,
                    block.line,
                    format!(
                        "duplicate id `{}` (first defined at {}:{l})",
                        block.id,
                        f.display()
                    ),
                ));
                continue;
            }
            first_seen.insert(block.id.clone(), (file.clone(), block.line));
            match block.kind {
                BlockKind::Question => {
                    if let Some(item) = parse::block_to_item(file, &block, &mut problems) {
                        items.push(item);
                    }
                }
                BlockKind::Case | BlockKind::Series => {
                    if let Some(s) = parse::block_to_scenario(file, &block, &mut problems) {
                        scenarios.push(s);
                    }
                }
            }
        }
    }

    if let Some(bp) = &blueprint {
        cross_check(
            bp,
            blueprint_text,
            &blueprint_path,
            &items,
            &scenarios,
            &mut problems,
        );
    }
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Checked {
        bank: blueprint.map(|blueprint| Bank {
            dir: dir.to_path_buf(),
            blueprint,
            items,
            scenarios,
        }),
        problems,
    }
}

fn collect_md(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(Problem::at(dir, 0, format!("cannot read folder: {e}")));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_md(&path, out, problems);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// The line of `code = "<code>"` in the blueprint, for coverage messages.
fn blueprint_line(text: &str, code: &str) -> usize {
    let needle = format!("\"{code}\"");
    text.lines()
        .position(|l| l.trim_start().starts_with("code") && l.contains(&needle))
        .map(|i| i + 1)
        .unwrap_or(1)
}

pub(crate) fn cross_check(
    bp: &Blueprint,
    bp_text: &str,
    bp_path: &Path,
    items: &[Located<Item>],
    scenarios: &[Located<Scenario>],
    problems: &mut Vec<Problem>,
) {
    for it in items {
        check_item_links(bp, it, scenarios, problems);
    }
    for s in scenarios {
        let n = items
            .iter()
            .filter(|i| {
                i.value.case.as_ref() == Some(&s.value.id)
                    || i.value.series.as_ref() == Some(&s.value.id)
            })
            .count();
        if n < 2 {
            let what = if s.value.kind == ScenarioKind::Case {
                "case study"
            } else {
                "series"
            };
            problems.push(Problem::at(
                &s.file,
                s.line,
                format!(
                    "{what} `{}` has {n} question(s); a {what} needs at least 2",
                    s.value.id
                ),
            ));
        }
    }
    // Coverage rules: only when the blueprint asks for them.
    let cov = Coverage::of(bp, items);
    if bp.min_questions_per_objective > 0 {
        for d in &bp.domains {
            for o in &d.objectives {
                let n = cov.per_objective.get(&o.code).copied().unwrap_or(0);
                if n < bp.min_questions_per_objective {
                    problems.push(Problem::at(
                        bp_path,
                        blueprint_line(bp_text, &o.code),
                        format!("objective `{}` has {n} question(s); the blueprint asks for at least {}", o.code, bp.min_questions_per_objective),
                    ));
                }
            }
        }
    }
    if bp.min_questions_per_domain > 0 {
        for d in &bp.domains {
            let n = cov
                .per_domain
                .get(&d.code)
                .map(|k| k.values().sum())
                .unwrap_or(0);
            if n < bp.min_questions_per_domain {
                problems.push(Problem::at(
                    bp_path,
                    blueprint_line(bp_text, &d.code),
                    format!(
                        "domain `{}` has {n} question(s); the blueprint asks for at least {}",
                        d.code, bp.min_questions_per_domain
                    ),
                ));
            }
        }
    }
}

/// The checks of one question against the rest of the bank: its objective is in the blueprint,
/// and its case study or series exists and is of the right kind. The browser's editor runs the
/// same function, so both report the same messages.
pub fn check_item_links(
    bp: &Blueprint,
    it: &Located<Item>,
    scenarios: &[Located<Scenario>],
    problems: &mut Vec<Problem>,
) {
    if bp.objective(&it.value.objective).is_none() {
        let known: Vec<&str> = bp
            .domains
            .iter()
            .flat_map(|d| d.objectives.iter().map(|o| o.code.as_str()))
            .collect();
        let mut close: Vec<&str> = known
            .iter()
            .copied()
            .filter(|k| k.split('.').next() == it.value.objective.split('.').next())
            .collect();
        if close.is_empty() {
            close = known.clone();
        }
        close.truncate(8);
        problems.push(Problem::at(
            &it.file,
            it.meta_line("objective"),
            format!(
                "unknown objective `{}` (known: {}…)",
                it.value.objective,
                close.join(", ")
            ),
        ));
    }
    for (field, kind) in [
        (&it.value.case, ScenarioKind::Case),
        (&it.value.series, ScenarioKind::Series),
    ] {
        if let Some(group) = field {
            let found = scenarios.iter().find(|s| &s.value.id == group);
            let key = if kind == ScenarioKind::Case {
                "case"
            } else {
                "series"
            };
            match found {
                Some(s) if s.value.kind == kind => {}
                Some(_) => problems.push(Problem::at(
                    &it.file,
                    it.meta_line(key),
                    format!("`{group}` is not a {key}"),
                )),
                None => problems.push(Problem::at(
                    &it.file,
                    it.meta_line(key),
                    format!("unknown {key} `{group}`"),
                )),
            }
        }
    }
    if it.value.case.is_some() && it.value.series.is_some() {
        problems.push(Problem::at(
            &it.file,
            it.line,
            "a question belongs to a case study or a series, not both",
        ));
    }
}

/// Question counts by domain × kind and by objective.
#[derive(Debug, Default)]
pub struct Coverage {
    pub per_domain: BTreeMap<String, BTreeMap<ItemKind, u32>>,
    pub per_objective: BTreeMap<String, u32>,
}

impl Coverage {
    pub fn of(bp: &Blueprint, items: &[Located<Item>]) -> Coverage {
        let mut c = Coverage::default();
        for it in items {
            *c.per_objective
                .entry(it.value.objective.clone())
                .or_default() += 1;
            if let Some(d) = bp.domain_of_objective(&it.value.objective) {
                *c.per_domain
                    .entry(d.code.clone())
                    .or_default()
                    .entry(it.value.body.kind())
                    .or_default() += 1;
            }
        }
        c
    }

    /// A plain-text table for the terminal.
    pub fn table(
        &self,
        bp: &Blueprint,
        items: &[Located<Item>],
        scenarios: &[Located<Scenario>],
    ) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let kinds = ItemKind::ALL;
        let _ = write!(out, "{:<18}", "domain");
        for k in kinds {
            let _ = write!(out, "{:>9}", k.bank_name());
        }
        let _ = writeln!(out, "{:>8}", "total");
        let mut totals = [0u32; 7];
        for d in &bp.domains {
            let row = self.per_domain.get(&d.code);
            let _ = write!(out, "{:<18}", d.code);
            let mut sum = 0;
            for (i, k) in kinds.iter().enumerate() {
                let n = row.and_then(|r| r.get(k)).copied().unwrap_or(0);
                totals[i] += n;
                sum += n;
                let _ = write!(out, "{n:>9}");
            }
            let _ = writeln!(out, "{sum:>8}");
        }
        let _ = write!(out, "{:<18}", "all");
        for t in totals {
            let _ = write!(out, "{t:>9}");
        }
        let _ = writeln!(out, "{:>8}", totals.iter().sum::<u32>());
        let cases = scenarios
            .iter()
            .filter(|s| s.value.kind == ScenarioKind::Case)
            .count();
        let series = scenarios.len() - cases;
        let _ = writeln!(
            out,
            "\ncase studies: {cases}   problem–solution series: {series}   questions: {}\n",
            items.len()
        );
        let _ = writeln!(out, "{:<28}{:>5}  title", "objective", "n");
        for d in &bp.domains {
            for o in &d.objectives {
                let n = self.per_objective.get(&o.code).copied().unwrap_or(0);
                let flag = if n < bp.min_questions_per_objective {
                    "  << below minimum"
                } else {
                    ""
                };
                let _ = writeln!(out, "{:<28}{:>5}  {}{flag}", o.code, n, o.title);
            }
        }
        out
    }
}

/// Checks a bank folder and imports it; a bank with any problem changes nothing.
pub async fn import_dir(pool: &sqlx::PgPool, dir: &Path) -> anyhow::Result<import::ImportReport> {
    let bank = load(dir).map_err(|problems| {
        for p in &problems {
            eprintln!("{p}");
        }
        anyhow::anyhow!("{} problem(s) found; nothing was imported", problems.len())
    })?;
    import::import(pool, &bank).await
}
