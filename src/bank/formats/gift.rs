//! Moodle GIFT: one question per paragraph, `::name::`, `[markdown]`, an answer block in braces
//! (`=right ~wrong`, `~%50%` weights, `=prompt -> answer` pairs, `TRUE`/`FALSE`), `####`
//! general feedback, `$CATEGORY:` lines and `//` comments.
//!
//! mockexam writes the question id as the name, the objective as the last part of the category,
//! and what GIFT has no place for (references, review note, case study or series) as `// key:
//! value` comments just before the question, which Moodle ignores and this reader reads back.
//! Build lists, drop-downs and statement grids have no GIFT form; matching questions can be
//! written when every choice is used.

use super::{derive_id, letter, Format, Imported, LineProblem, Read, Written};
use crate::domain::item::{Choice, Item, ItemBody, Scenario};

/// Reads a GIFT file: the questions and every problem, with lines.
pub fn parse_gift(text: &str) -> Result<Vec<Imported>, Vec<LineProblem>> {
    read(text).into_result()
}

#[derive(Default)]
struct Meta {
    references: Vec<String>,
    reviewed: Option<String>,
    case: Option<String>,
    series: Option<String>,
}

pub fn read(text: &str) -> Read {
    let mut out = Read::default();
    let mut category: Option<String> = None;
    let mut meta = Meta::default();
    let mut record: Vec<(usize, &str)> = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().collect();
    let total = lines.len();
    for (idx, raw) in lines.into_iter().chain(std::iter::once("")).enumerate() {
        let n = idx + 1;
        let line = raw.trim_end_matches('\r');
        let t = line.trim();
        if let Some(comment) = t.strip_prefix("//") {
            if let Some((k, v)) = comment.trim().split_once(':') {
                let v = v.trim().to_string();
                match k.trim() {
                    "reference" => meta.references.push(v),
                    "reviewed" => meta.reviewed = Some(v),
                    "case" => meta.case = Some(v),
                    "series" => meta.series = Some(v),
                    _ => {}
                }
            }
            continue;
        }
        if t.is_empty() || idx == total {
            if !record.is_empty() {
                let m = std::mem::take(&mut meta);
                question(&record, category.as_deref(), m, &mut out);
                record.clear();
            }
            continue;
        }
        if record.is_empty() {
            if let Some(c) = t.strip_prefix("$CATEGORY:") {
                category = Some(c.trim().to_string());
                continue;
            }
        }
        record.push((n, line));
    }
    if out.items.is_empty() && out.problems.is_empty() {
        out.problems
            .push(LineProblem::at(1, "the file holds no GIFT question"));
    }
    out
}

/// Positions of characters not preceded by an escaping backslash.
fn unescaped(chars: &[char]) -> Vec<bool> {
    let mut flags = Vec::with_capacity(chars.len());
    let mut escaped = false;
    for &c in chars {
        flags.push(!escaped);
        escaped = !escaped && c == '\\';
    }
    flags
}

fn find(chars: &[char], free: &[bool], from: usize, pat: &[char]) -> Option<usize> {
    (from..chars.len()).find(|&i| {
        pat.iter()
            .enumerate()
            .all(|(k, p)| chars.get(i + k) == Some(p) && free.get(i + k) == Some(&true))
    })
}

fn rfind(chars: &[char], free: &[bool], c: char) -> Option<usize> {
    (0..chars.len())
        .rev()
        .find(|&i| chars.get(i) == Some(&c) && free.get(i) == Some(&true))
}

fn slice(chars: &[char], a: usize, b: usize) -> String {
    chars
        .get(a..b.min(chars.len()))
        .unwrap_or(&[])
        .iter()
        .collect()
}

/// GIFT's escapes: `\~ \= \# \{ \} \: \\` and `\n` for a new line; any other backslash stays
/// (Markdown escapes such as `\*` pass through).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek().copied() {
                Some(n @ ('~' | '=' | '#' | '{' | '}' | ':' | '\\')) => {
                    out.push(n);
                    chars.next();
                }
                Some('n') => {
                    out.push('\n');
                    chars.next();
                }
                _ => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '~' | '=' | '#' | '{' | '}' | ':' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

struct Answer {
    right: bool,
    weight: Option<f64>,
    text: String,
    feedback: Option<String>,
}

fn question(record: &[(usize, &str)], category: Option<&str>, meta: Meta, out: &mut Read) {
    let line = record.first().map(|r| r.0).unwrap_or(1);
    let joined: String = record
        .iter()
        .map(|(_, l)| *l)
        .collect::<Vec<_>>()
        .join("\n");
    let chars: Vec<char> = joined.trim().chars().collect();
    let free = unescaped(&chars);
    let mut pos = 0;
    let mut name = None;
    if chars.starts_with(&[':', ':']) {
        match find(&chars, &free, 2, &[':', ':']) {
            Some(end) => {
                name = Some(unescape(&slice(&chars, 2, end)));
                pos = end + 2;
            }
            None => {
                out.problems.push(LineProblem::at(
                    line,
                    "the question name opened with `::` is never closed with `::`",
                ));
                return;
            }
        }
    }
    while chars.get(pos).is_some_and(|c| c.is_whitespace()) {
        pos += 1;
    }
    let mut html = false;
    if chars.get(pos) == Some(&'[') {
        if let Some(end) = find(&chars, &free, pos, &[']']) {
            let fmt = slice(&chars, pos + 1, end).to_ascii_lowercase();
            match fmt.as_str() {
                "html" => html = true,
                "markdown" | "plain" | "moodle" => {}
                other => {
                    out.problems.push(LineProblem::at(
                        line,
                        format!("unknown text format `[{other}]` (GIFT knows html, moodle, plain and markdown)"),
                    ));
                    return;
                }
            }
            pos = end + 1;
        }
    }
    let Some(open) = find(&chars, &free, pos, &['{']) else {
        out.problems.push(LineProblem::at(
            line,
            "a text without an answer block `{…}` (a description) cannot be imported: mockexam questions need answers",
        ));
        return;
    };
    let Some(close) = rfind(&chars, &free, '}').filter(|&c| c > open) else {
        out.problems.push(LineProblem::at(
            line,
            "the answer block opened with `{` is never closed with `}`",
        ));
        return;
    };
    if !slice(&chars, close + 1, chars.len()).trim().is_empty() {
        out.problems.push(LineProblem::at(
            line,
            "text after the answer block (a missing-word question) cannot be imported: put the answer block at the end of the question",
        ));
        return;
    }
    let convert = |s: &str| -> String {
        let s = unescape(s);
        let s = s.trim();
        if html {
            super::markup::html_to_md(s, &super::markup::plain)
        } else {
            s.to_string()
        }
    };
    let stem = convert(&slice(&chars, pos, open));
    let block: Vec<char> = chars.get(open + 1..close).unwrap_or(&[]).to_vec();
    let bfree = unescaped(&block);
    let (answers_part, general) = match find(&block, &bfree, 0, &['#', '#', '#', '#']) {
        Some(g) => (
            block.get(..g).unwrap_or(&[]).to_vec(),
            convert(&slice(&block, g + 4, block.len())),
        ),
        None => (block.clone(), String::new()),
    };
    let afree = unescaped(&answers_part);
    let answers_text = slice(&answers_part, 0, answers_part.len());
    let trimmed = answers_text.trim();
    let body_and_notes = if trimmed.is_empty() {
        Err("an empty answer block `{}` is an essay question, which cannot be imported".to_string())
    } else if trimmed.starts_with('#') {
        Err("numerical questions (`{#…}`) cannot be imported".to_string())
    } else if let Some(tf) = true_false(trimmed) {
        Ok(tf)
    } else {
        choices(&answers_part, &afree)
    };
    let (body, feedback) = match body_and_notes {
        Ok(b) => b,
        Err(message) => {
            out.problems.push(LineProblem::at(line, message));
            return;
        }
    };
    let mut explanation = general;
    if !feedback.is_empty() {
        if !explanation.is_empty() {
            explanation.push_str("\n\n");
        }
        explanation.push_str(&feedback.join("\n\n"));
    }
    let objective = category
        .and_then(|c| c.rsplit('/').next())
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    out.items.push(Imported {
        item: Item {
            id: derive_id(name.as_deref(), &stem),
            objective,
            stem,
            explanation,
            references: meta.references,
            case: meta.case,
            series: meta.series,
            reviewed: meta.reviewed,
            body,
        },
        line,
    });
}

/// `T`, `TRUE`, `F` or `FALSE`, optionally followed by `#feedback`s.
fn true_false(answers: &str) -> Option<(ItemBody, Vec<String>)> {
    let chars: Vec<char> = answers.chars().collect();
    let free = unescaped(&chars);
    let head_end = find(&chars, &free, 0, &['#']).unwrap_or(chars.len());
    let head = slice(&chars, 0, head_end).trim().to_ascii_uppercase();
    let key = match head.as_str() {
        "T" | "TRUE" => true,
        "F" | "FALSE" => false,
        _ => return None,
    };
    let feedback: Vec<String> = slice(&chars, head_end, chars.len())
        .split('#')
        .map(|f| unescape(f).trim().to_string())
        .filter(|f| !f.is_empty())
        .collect();
    Some((ItemBody::YesNo { key }, feedback))
}

fn choices(part: &[char], free: &[bool]) -> Result<(ItemBody, Vec<String>), String> {
    let starts: Vec<usize> = (0..part.len())
        .filter(|&i| matches!(part.get(i), Some('=' | '~')) && free.get(i) == Some(&true))
        .collect();
    let Some(&first) = starts.first() else {
        return Err("the answer block has no `=` or `~` answers".into());
    };
    if !slice(part, 0, first).trim().is_empty() {
        return Err(format!(
            "text before the first answer in the answer block: `{}`",
            slice(part, 0, first).trim()
        ));
    }
    let mut answers = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(part.len());
        let right = part.get(s) == Some(&'=');
        let mut body: Vec<char> = part.get(s + 1..end).unwrap_or(&[]).to_vec();
        let mut weight = None;
        let lead = body.iter().take_while(|c| c.is_whitespace()).count();
        if body.get(lead) == Some(&'%') {
            let rest: String = body.get(lead + 1..).unwrap_or(&[]).iter().collect();
            let Some((w, _)) = rest.split_once('%') else {
                return Err("an answer weight opened with `%` is never closed".into());
            };
            let value: f64 = w
                .trim()
                .parse()
                .map_err(|_| format!("answer weight `%{w}%` is not a number"))?;
            if !value.is_finite() || !(-100.0..=100.0).contains(&value) {
                return Err(format!("answer weight `%{w}%` is outside -100…100"));
            }
            weight = Some(value);
            body = body
                .get(lead + 1 + w.chars().count() + 1..)
                .unwrap_or(&[])
                .to_vec();
        }
        let bfree = unescaped(&body);
        let (text, feedback) = match find(&body, &bfree, 0, &['#']) {
            Some(h) => (
                slice(&body, 0, h),
                Some(
                    unescape(&slice(&body, h + 1, body.len()))
                        .trim()
                        .to_string(),
                ),
            ),
            None => (slice(&body, 0, body.len()), None),
        };
        answers.push(Answer {
            right,
            weight,
            text,
            feedback: feedback.filter(|f| !f.is_empty()),
        });
    }
    if answers.len() > 26 {
        return Err(format!(
            "{} answers; a mockexam list holds at most 26",
            answers.len()
        ));
    }
    let is_pair = |a: &Answer| {
        let chars: Vec<char> = a.text.chars().collect();
        find(&chars, &unescaped(&chars), 0, &['-', '>']).is_some()
    };
    if answers.iter().any(is_pair) {
        return matching(&answers);
    }
    if answers.iter().all(|a| a.right) {
        return Err("a question whose answers are all `=` is a short-answer question, which cannot be imported".into());
    }
    let mut options = Vec::new();
    let mut key = Vec::new();
    let mut notes = Vec::new();
    let weighted = answers.iter().any(|a| a.weight.is_some());
    for (i, a) in answers.iter().enumerate() {
        let id = letter(i).unwrap_or_default();
        let text = unescape(&a.text).trim().to_string();
        let correct = if weighted && !a.right {
            a.weight.is_some_and(|w| w > 0.0)
        } else {
            a.right
        };
        if correct {
            key.push(id.clone());
        }
        if let Some(f) = &a.feedback {
            notes.push(format!("**{id}**: {f}"));
        }
        options.push(Choice { id, text });
    }
    let body = match key.as_slice() {
        [] => return Err("no answer is marked right (`=` or a positive `%weight%`)".into()),
        [one] if !weighted || answers.iter().any(|a| a.right) => ItemBody::Single {
            options,
            key: one.clone(),
        },
        _ => ItemBody::Multiple {
            options,
            choose: key.len() as u32,
            key,
        },
    };
    if answers.iter().filter(|a| a.right).count() > 1 {
        return Err(
            "more than one `=` answer: mark several right answers with `~%50%` weights instead"
                .into(),
        );
    }
    Ok((body, notes))
}

fn matching(answers: &[Answer]) -> Result<(ItemBody, Vec<String>), String> {
    let mut prompts = Vec::new();
    let mut choices: Vec<Choice> = Vec::new();
    let mut key = Vec::new();
    for a in answers {
        let chars: Vec<char> = a.text.chars().collect();
        let Some(arrow) = find(&chars, &unescaped(&chars), 0, &['-', '>']) else {
            return Err(
                "every answer of a matching question looks like `=prompt -> answer`".into(),
            );
        };
        if !a.right {
            return Err("matching pairs start with `=`, not `~`".into());
        }
        let prompt = unescape(&slice(&chars, 0, arrow)).trim().to_string();
        let answer = unescape(&slice(&chars, arrow + 2, chars.len()))
            .trim()
            .to_string();
        if answer.is_empty() {
            return Err("a matching pair has no answer after `->`".into());
        }
        let id = match choices.iter().find(|c| c.text == answer) {
            Some(c) => c.id.clone(),
            None => {
                let id = letter(choices.len()).unwrap_or_default();
                choices.push(Choice {
                    id: id.clone(),
                    text: answer,
                });
                id
            }
        };
        if prompt.is_empty() {
            // Moodle's extra wrong answer: a choice with no prompt.
            continue;
        }
        prompts.push(Choice {
            id: (prompts.len() + 1).to_string(),
            text: prompt,
        });
        key.push(id);
    }
    Ok((
        ItemBody::Match {
            prompts,
            choices,
            key,
        },
        vec![],
    ))
}

fn weight(choose: u32) -> String {
    let w = 100.0 / choose.max(1) as f64;
    let s = format!("{w:.5}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Writes questions as GIFT; what GIFT cannot hold is named in the notes.
pub fn write(exam_code: &str, items: &[Item], scenarios: &[Scenario]) -> Written {
    use std::fmt::Write;
    let mut out = String::new();
    let mut notes = Vec::new();
    let mut written = 0;
    let _ = writeln!(
        out,
        "// {exam_code} questions exported from mockexam as Moodle GIFT.\n// The category names each question's objective; `// key: value` comments carry what GIFT has no place for.\n"
    );
    let mut category: Option<&str> = None;
    for item in items {
        let answers = match &item.body {
            ItemBody::Single { options, key } => options
                .iter()
                .map(|o| {
                    let mark = if &o.id == key { "=" } else { "~" };
                    format!("{mark}{}", escape(&o.text))
                })
                .collect::<Vec<_>>(),
            ItemBody::Multiple {
                options,
                key,
                choose,
            } => options
                .iter()
                .map(|o| {
                    let w = if key.contains(&o.id) {
                        weight(*choose)
                    } else {
                        "-100".to_string()
                    };
                    format!("~%{w}%{}", escape(&o.text))
                })
                .collect(),
            ItemBody::Match {
                prompts,
                choices,
                key,
            } => {
                let unused: Vec<&str> = choices
                    .iter()
                    .filter(|c| !key.contains(&c.id))
                    .map(|c| c.id.as_str())
                    .collect();
                let arrow = prompts
                    .iter()
                    .chain(choices.iter())
                    .any(|c| c.text.contains("->"));
                if !unused.is_empty() || arrow {
                    notes.push(format!(
                        "{}: matching questions with a choice no prompt uses ({}) or `->` in their text cannot be written in GIFT; left out",
                        item.id,
                        unused.join(", ")
                    ));
                    continue;
                }
                prompts
                    .iter()
                    .zip(key)
                    .map(|(p, k)| {
                        let answer = choices
                            .iter()
                            .find(|c| &c.id == k)
                            .map(|c| c.text.as_str())
                            .unwrap_or("");
                        format!("={} -> {}", escape(&p.text), escape(answer))
                    })
                    .collect()
            }
            ItemBody::YesNo { key } => vec![if *key { "TRUE" } else { "FALSE" }.to_string()],
            ItemBody::Order { .. } | ItemBody::Dropdown { .. } | ItemBody::Grid { .. } => {
                notes.push(super::cannot_write(item, Format::Gift));
                continue;
            }
        };
        if category != Some(item.objective.as_str()) {
            let _ = writeln!(
                out,
                "$CATEGORY: $course$/top/{}/{}\n",
                exam_code.replace('/', "-"),
                item.objective
            );
            category = Some(item.objective.as_str());
        }
        for r in &item.references {
            let _ = writeln!(out, "// reference: {r}");
        }
        if let Some(r) = &item.reviewed {
            let _ = writeln!(out, "// reviewed: {}", r.replace('\n', " "));
        }
        if let Some(c) = &item.case {
            let _ = writeln!(out, "// case: {c}");
        }
        if let Some(s) = &item.series {
            let _ = writeln!(out, "// series: {s}");
        }
        let _ = writeln!(
            out,
            "::{}::[markdown]{}{{",
            escape(&item.id),
            escape(&item.stem)
        );
        for a in answers {
            let _ = writeln!(out, "\t{a}");
        }
        if !item.explanation.is_empty() {
            let _ = writeln!(out, "\t####{}", escape(&item.explanation));
        }
        out.push_str("}\n\n");
        written += 1;
    }
    notes.extend(super::scenario_notes(items, scenarios, Format::Gift));
    Written {
        bytes: out.into_bytes(),
        notes,
        written,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        for s in [
            "a ~ b = c # d { e } f: g \\ h\nnew line",
            "`x\\*y`",
            "\\n literal",
        ] {
            assert_eq!(unescape(&escape(s)), s);
        }
    }

    #[test]
    fn reads_the_documented_kinds() {
        let text = "// reference: https://example.com/a\n$CATEGORY: $course$/top/design.compute\n\n::Q1:: Who's buried in Grant's tomb?{~Grant ~Jefferson =no one#Right!}\n\n::q2::Pick two{\n~%50%A\n~%50%B\n~%-100%C\n####Because.\n}\n\nGrant was buried in a tomb in New York City.{T}\n\nMatch{=Canada -> Ottawa =Italy -> Rome =Japan -> Tokyo}\n";
        let read = read(text);
        assert!(read.problems.is_empty(), "{:?}", read.problems);
        let items: Vec<&Item> = read.items.iter().map(|i| &i.item).collect();
        assert_eq!(items.len(), 4);
        assert_eq!(items[0].id, "q1");
        assert_eq!(items[0].objective, "design.compute");
        assert_eq!(items[0].references, vec!["https://example.com/a"]);
        assert!(matches!(&items[0].body, ItemBody::Single { key, .. } if key == "C"));
        assert!(items[0].explanation.contains("**C**: Right!"));
        assert!(
            matches!(&items[1].body, ItemBody::Multiple { choose: 2, key, .. } if key == &["A", "B"])
        );
        assert_eq!(items[1].explanation, "Because.");
        assert!(matches!(items[2].body, ItemBody::YesNo { key: true }));
        assert!(matches!(&items[3].body, ItemBody::Match { key, .. } if key.len() == 3));
        assert_eq!(read.items[1].line, 6);
    }

    #[test]
    fn unsupported_constructs_are_problems_with_lines() {
        let text = "Essay{}\n\nNumber{#3:1}\n\nShort{=a =b}\n\nMissing {=x ~y} word\n\nDescription only\n\n::open{=a}\n\nUnclosed{=a ~b\n";
        let read = read(text);
        let lines: Vec<usize> = read.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![1, 3, 5, 7, 9, 11, 13], "{:?}", read.problems);
        assert!(read.items.is_empty());
    }
}
