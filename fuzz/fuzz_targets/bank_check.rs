//! The question-bank reader and checker on arbitrary text: it must report problems, never panic.
//!
//! Input: question-file text, checked against the example bank's blueprint; or
//! `<exam.toml text>` + [`SEPARATOR`] + `<question-file text>` to fuzz the blueprint as well.
//! The Markdown of the text goes through the sanitising renderer too.
//!
//! Readers of other formats (GIFT, Moodle XML, QTI) have their own target,
//! `fuzz_targets/interchange.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};

const SEPARATOR: &str = "\n%%%% questions %%%%\n";
const EXAMPLE_BLUEPRINT: &str = include_str!("../../question-bank/example/exam.toml");

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (blueprint, questions) = match text.split_once(SEPARATOR) {
        Some((b, q)) => (b, q),
        None => (EXAMPLE_BLUEPRINT, text.as_ref()),
    };
    let dir = Path::new("fuzz-bank");
    let sources = vec![(PathBuf::from("fuzz-bank/questions/fuzz.md"), questions.to_string())];
    let checked = mockexam::bank::check_sources(dir, blueprint, &sources, Vec::new());
    // What the import and the author's pages do next with a checked bank.
    if let Some(bank) = &checked.bank {
        let coverage = mockexam::bank::Coverage::of(&bank.blueprint, &bank.items);
        let _ = coverage.table(&bank.blueprint, &bank.items, &bank.scenarios);
    }
    for p in &checked.problems {
        let _ = p.to_string();
    }
    let _ = mockexam::markdown::to_html(questions);
});
