//! `mockexam bank import|export --format …`: the dry run printed as a report, `--apply` to
//! load, and exports that name what they leave out.

use super::plan::{self, ChangeKind, Plan, Upload};
use super::{Format, Written};
use crate::bank::{self, export};
use crate::db;
use crate::domain::blueprint::Blueprint;
use crate::domain::item::{Item, Scenario};
use std::fmt::Write as _;
use std::path::Path;

/// The report of a dry run, as the terminal shows it.
pub fn report(plan: &Plan) -> String {
    let mut out = String::new();
    for c in &plan.changes {
        let fields = if c.fields.is_empty() {
            String::new()
        } else {
            format!(" ({})", c.fields.join(", "))
        };
        let _ = writeln!(
            out,
            "{:<10} {:<40} {:<22} line {}{fields}",
            c.change.label(),
            c.id,
            c.what,
            c.line
        );
    }
    for r in &plan.retired {
        let _ = writeln!(out, "{:<10} {r}", "retired");
    }
    let _ = writeln!(
        out,
        "{}: {} new, {} changed, {} unchanged, {} retired; {} problem(s)",
        plan.exam_code,
        plan.count(ChangeKind::New),
        plan.count(ChangeKind::Changed),
        plan.count(ChangeKind::Unchanged),
        plan.retired.len(),
        plan.problems.len()
    );
    out
}

pub async fn import(
    pool: &sqlx::PgPool,
    path: &Path,
    format: Format,
    exam: Option<String>,
    objective: Option<String>,
    apply: bool,
) -> anyhow::Result<()> {
    let plan = if format == Format::Native && path.is_dir() {
        let checked = bank::check(path);
        let current = match &checked.bank {
            Some(b) => db::bank::load_from_db(pool, &b.blueprint.code).await?,
            None => None,
        };
        plan::plan_folder(
            checked,
            current
                .as_ref()
                .map(|(_, i, s)| (i.as_slice(), s.as_slice())),
        )
    } else {
        let exam = exam.ok_or_else(|| {
            anyhow::anyhow!(
                "--exam CODE is needed to import a file (only a bank folder names its exam)"
            )
        })?;
        let (bp, items, scenarios) = db::bank::load_from_db(pool, &exam)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no exam with code {exam}"))?;
        let bytes = std::fs::read(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let upload = Upload {
            format,
            file_name: path.display().to_string(),
            bytes,
            default_objective: objective,
        };
        plan::plan(&bp, &items, &scenarios, &upload)
    };
    print!("{}", report(&plan));
    if !plan.problems.is_empty() {
        for p in &plan.problems {
            eprintln!("{p}");
        }
        anyhow::bail!(
            "{} problem(s) found; nothing was imported",
            plan.problems.len()
        );
    }
    if !apply {
        println!("dry run: nothing changed; run again with --apply to import");
        return Ok(());
    }
    if !plan.can_apply() {
        println!("nothing to import: every question is unchanged");
        return Ok(());
    }
    let started = std::time::Instant::now();
    let report = plan::apply(pool, &plan).await?;
    println!("imported {report} in {} ms", started.elapsed().as_millis());
    Ok(())
}

pub async fn export(
    pool: &sqlx::PgPool,
    exam: &str,
    out: &Path,
    format: Format,
) -> anyhow::Result<()> {
    let (bp, items, scenarios) = db::bank::load_from_db(pool, exam)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no exam with code {exam}"))?;
    if format == Format::Native {
        let files = export::write_bank(out, &bp, &items, &scenarios)?;
        println!(
            "exported {} questions to {} ({files} question file(s))",
            items.len(),
            out.display()
        );
        return Ok(());
    }
    let written = super::write(format, &bp.code, &items, &scenarios);
    std::fs::write(out, &written.bytes)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    for n in &written.notes {
        eprintln!("not exported: {n}");
    }
    println!(
        "exported {} of {} questions to {} ({})",
        written.written,
        items.len(),
        out.display(),
        format.label()
    );
    Ok(())
}

/// The native bank folder as a zip (`exam.toml` and `questions/<domain>.md`), for downloads.
pub fn native_zip(bp: &Blueprint, items: &[Item], scenarios: &[Scenario]) -> Written {
    let mut files = vec![(
        bank::BLUEPRINT_FILE.to_string(),
        toml::to_string_pretty(bp).unwrap_or_default(),
    )];
    let mut done = std::collections::HashSet::new();
    for d in &bp.domains {
        let mut text = String::new();
        for item in items
            .iter()
            .filter(|i| bp.domain_of_objective(&i.objective).map(|x| &x.code) == Some(&d.code))
        {
            for group in [&item.case, &item.series].into_iter().flatten() {
                if done.insert(group.clone()) {
                    if let Some(s) = scenarios.iter().find(|s| &s.id == group) {
                        text.push_str(&export::render_scenario(s));
                    }
                }
            }
            text.push_str(&export::render_item(item));
        }
        if !text.is_empty() {
            files.push((format!("questions/{}.md", d.code), text));
        }
    }
    Written {
        bytes: super::qti::zip_files(&files).unwrap_or_default(),
        notes: vec![],
        written: items.len(),
    }
}
