//! Question interchange: reading and writing questions in other tools' formats (Moodle GIFT,
//! Moodle XML, IMS QTI 2.2), and planning an import into an exam (`plan`). The mapping of each
//! kind to each format is documented in docs/interchange.md.
//!
//! Readers never panic on any input: every construct they cannot hold is a [`LineProblem`] with
//! the line it starts on, and they keep reading so an author sees every problem in one run.
//! Writers never drop a question silently: a question (or case study, or series) a format cannot
//! express is named in [`Written::notes`].

pub mod cli;
pub mod gift;
pub mod markup;
pub mod moodle_xml;
pub mod plan;
pub mod qti;
#[cfg(test)]
mod roundtrip;
pub mod xml;

use crate::domain::item::{Item, ItemKind, Scenario, ScenarioKind};
use sha2::{Digest, Sha256};
use std::fmt;

/// The formats `bank import|export --format` and the browser's import and export speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Native,
    Gift,
    MoodleXml,
    Qti,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Native, Format::Gift, Format::MoodleXml, Format::Qti];

    /// The name on the command line and in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Native => "native",
            Format::Gift => "gift",
            Format::MoodleXml => "moodle-xml",
            Format::Qti => "qti",
        }
    }

    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// What people call it.
    pub fn label(self) -> &'static str {
        match self {
            Format::Native => "mockexam question file (Markdown)",
            Format::Gift => "Moodle GIFT",
            Format::MoodleXml => "Moodle XML",
            Format::Qti => "IMS QTI 2.2 content package",
        }
    }

    /// The short name used in sentences such as "cannot be written in GIFT".
    pub fn short(self) -> &'static str {
        match self {
            Format::Native => "the native format",
            Format::Gift => "GIFT",
            Format::MoodleXml => "Moodle XML",
            Format::Qti => "QTI",
        }
    }

    /// File name extension of a single-file export.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Native => "zip",
            Format::Gift => "gift.txt",
            Format::MoodleXml => "xml",
            Format::Qti => "zip",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Native | Format::Qti => "application/zip",
            Format::Gift => "text/plain; charset=utf-8",
            Format::MoodleXml => "application/xml; charset=utf-8",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem in an uploaded file, at a line (1-based; 0 when it is about the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: usize,
    pub message: String,
}

impl LineProblem {
    pub fn at(line: usize, message: impl Into<String>) -> LineProblem {
        LineProblem {
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for LineProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.line, self.message)
    }
}

/// A question read from a file, with the line it starts on. `item.objective` is empty when the
/// file does not name one (the import then uses the objective the author chose for such
/// questions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub item: Item,
    pub line: usize,
}

/// Everything a reader found: the questions it could read and every problem.
#[derive(Debug, Clone, Default)]
pub struct Read {
    pub items: Vec<Imported>,
    pub problems: Vec<LineProblem>,
}

impl Read {
    pub fn into_result(self) -> Result<Vec<Imported>, Vec<LineProblem>> {
        if self.problems.is_empty() {
            Ok(self.items)
        } else {
            Err(self.problems)
        }
    }
}

/// An export: the file's bytes and what could not be written, by name.
#[derive(Debug, Clone, Default)]
pub struct Written {
    pub bytes: Vec<u8>,
    pub notes: Vec<String>,
    pub written: usize,
}

/// "ex-grid-001: yes/no statements cannot be written in GIFT".
pub fn cannot_write(item: &Item, format: Format) -> String {
    format!(
        "{}: {} questions cannot be written in {}; left out",
        item.id,
        kind_phrase(item.body.kind()),
        format.short()
    )
}

fn kind_phrase(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Single => "single answer",
        ItemKind::Multiple => "multiple answer",
        ItemKind::Order => "build list",
        ItemKind::Dropdown => "drop-down",
        ItemKind::Grid => "yes/no statement grid",
        ItemKind::Match => "matching",
        ItemKind::YesNo => "problem–solution",
    }
}

/// Notes for the case studies and series a foreign format cannot hold: their questions name
/// them, and import only into an exam that already has them.
pub fn scenario_notes(items: &[Item], scenarios: &[Scenario], format: Format) -> Vec<String> {
    scenarios
        .iter()
        .filter(|s| {
            items
                .iter()
                .any(|i| i.case.as_ref() == Some(&s.id) || i.series.as_ref() == Some(&s.id))
        })
        .map(|s| {
            let what = match s.kind {
                ScenarioKind::Case => "case study",
                ScenarioKind::Series => "series",
            };
            format!(
                "{}: the {what}'s text cannot be written in {}; its questions name it and import only into an exam that has it",
                s.id,
                format.short()
            )
        })
        .collect()
}

/// A question id from a name given in another tool: the name itself when it is a valid id,
/// else the name made into one, else a name derived from the stem (stable across re-imports of
/// the same question).
pub fn derive_id(name: Option<&str>, stem: &str) -> String {
    let name = name.map(str::trim).unwrap_or("");
    if crate::bank::parse::valid_id(name) {
        return name.to_string();
    }
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_matches('-').to_string();
    if !slug.is_empty() {
        return slug;
    }
    let hash = Sha256::digest(stem.trim().as_bytes());
    let hex: String = hash.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("q-{hex}")
}

/// Letters for labels: A, B, … Z, then `None` (the bank's lists hold at most 26).
pub fn letter(i: usize) -> Option<String> {
    (i < 26).then(|| ((b'A' + i as u8) as char).to_string())
}

/// The 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()
        .get(..end)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count() + 1)
        .unwrap_or(1)
}

/// True when two questions are the same up to the labels of matching choices, which GIFT and
/// Moodle XML cannot hold (their choices come back in order of first use): re-importing an export
/// then changes nothing.
pub fn same_question(a: &Item, b: &Item) -> bool {
    use crate::domain::item::ItemBody;
    if a == b {
        return true;
    }
    let canon = |i: &Item| -> Item {
        let mut i = i.clone();
        if let ItemBody::Match { choices, key, .. } = &mut i.body {
            let mut order: Vec<String> = Vec::new();
            for k in key.iter().chain(choices.iter().map(|c| &c.id)) {
                if !order.contains(k) {
                    order.push(k.clone());
                }
            }
            let label = |id: &str| {
                letter(order.iter().position(|o| o == id).unwrap_or(0)).unwrap_or_default()
            };
            for k in key.iter_mut() {
                *k = label(k);
            }
            for c in choices.iter_mut() {
                c.id = label(&c.id);
            }
            choices.sort_by(|x, y| x.id.cmp(&y.id));
        }
        i
    };
    matches!(a.body, ItemBody::Match { .. }) && canon(a) == canon(b)
}

/// Reads a file of the given foreign format. `Native` is read by `plan` with the bank's own
/// reader; here it yields nothing.
pub fn read(format: Format, bytes: &[u8]) -> Read {
    match format {
        Format::Gift => match std::str::from_utf8(bytes) {
            Ok(text) => gift::read(text),
            Err(e) => not_utf8(bytes, e),
        },
        Format::MoodleXml => match std::str::from_utf8(bytes) {
            Ok(text) => moodle_xml::read(text),
            Err(e) => not_utf8(bytes, e),
        },
        Format::Qti => qti::read_package_or_item(bytes),
        Format::Native => Read::default(),
    }
}

pub(crate) fn not_utf8(bytes: &[u8], e: std::str::Utf8Error) -> Read {
    let good = bytes.get(..e.valid_up_to()).unwrap_or_default();
    let line = good.iter().filter(|&&c| c == b'\n').count() + 1;
    Read {
        items: vec![],
        problems: vec![LineProblem::at(
            line,
            "the file is not UTF-8 text (save it as UTF-8 and upload it again)",
        )],
    }
}

/// Writes questions in a foreign format (native exports are written by `bank::export`).
pub fn write(format: Format, exam_code: &str, items: &[Item], scenarios: &[Scenario]) -> Written {
    match format {
        Format::Gift => gift::write(exam_code, items, scenarios),
        Format::MoodleXml => moodle_xml::write(exam_code, items, scenarios),
        Format::Qti => qti::write(exam_code, items, scenarios),
        Format::Native => Written::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_from_names_or_stems() {
        assert_eq!(derive_id(Some("ex-single-001"), "x"), "ex-single-001");
        assert_eq!(
            derive_id(Some("Capital of France?"), "x"),
            "capital-of-france"
        );
        let a = derive_id(Some("  "), "What is 2 + 2?");
        assert!(a.starts_with("q-") && a.len() == 10, "{a}");
        assert_eq!(a, derive_id(None, " What is 2 + 2? "));
        assert_ne!(a, derive_id(None, "What is 2 + 3?"));
    }

    #[test]
    fn lines_of_offsets() {
        assert_eq!(line_of("a\nb\nc", 0), 1);
        assert_eq!(line_of("a\nb\nc", 2), 2);
        assert_eq!(line_of("a\nb\nc", 999), 3);
    }
}
