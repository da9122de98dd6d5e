//! The import of other tools' files on arbitrary bytes: the GIFT, Moodle XML and QTI readers and
//! the import's dry run (merge into a bank, `bank check`'s rules) must report problems, never
//! panic; what they read is written back in every format.
//!
//! Input: one byte choosing the format (`g` GIFT, `x` Moodle XML, anything else QTI: a package
//! or a single item), then the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mockexam::bank::formats::plan::{self, Upload};
use mockexam::bank::formats::{self, Format};
use mockexam::domain::blueprint::Blueprint;
use std::sync::OnceLock;

const EXAMPLE_BLUEPRINT: &str = include_str!("../../question-bank/example/exam.toml");

fn blueprint() -> &'static Blueprint {
    static BP: OnceLock<Blueprint> = OnceLock::new();
    BP.get_or_init(|| toml::from_str(EXAMPLE_BLUEPRINT).expect("the example blueprint"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let format = match first {
        b'g' => Format::Gift,
        b'x' => Format::MoodleXml,
        _ => Format::Qti,
    };
    let read = formats::read(format, bytes);
    let items: Vec<_> = read.items.iter().map(|i| i.item.clone()).collect();
    for p in &read.problems {
        let _ = p.to_string();
    }
    for f in [Format::Gift, Format::MoodleXml, Format::Qti] {
        let _ = formats::write(f, "EX-100", &items, &[]);
    }
    let upload = Upload {
        format,
        file_name: "fuzz".into(),
        bytes: bytes.to_vec(),
        default_objective: Some("models.train".into()),
    };
    let _ = plan::plan(blueprint(), &[], &[], &upload);
});
