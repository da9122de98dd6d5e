//! Moodle XML (`<quiz>` of `<question type="…">`): multichoice (single and multiple answer),
//! truefalse (problem–solution), matching, gapselect ("select missing words": drop-downs) and
//! ordering (build lists without distractors). Text is written as Markdown
//! (`format="markdown"`); HTML text from Moodle is read back into Markdown. The id is the
//! question's name and idnumber, the objective the last part of its category, and references,
//! review note, case study and series are tags (`reference:https://…`).

use super::xml::{self, Element};
use super::{derive_id, letter, Format, Imported, LineProblem, Read, Written};
use crate::domain::item::{Choice, Item, ItemBody, OrderScoring, Scenario, Slot};
use std::fmt::Write as _;

/// Reads a Moodle XML file: the questions and every problem, with lines.
pub fn parse_moodle_xml(text: &str) -> Result<Vec<Imported>, Vec<LineProblem>> {
    read(text).into_result()
}

pub fn read(text: &str) -> Read {
    let mut out = Read::default();
    let root = match xml::parse(text) {
        Ok(r) => r,
        Err((line, message)) => {
            out.problems.push(LineProblem::at(line, message));
            return out;
        }
    };
    if root.name != "quiz" {
        out.problems.push(LineProblem::at(
            root.line,
            format!("a Moodle XML file starts with <quiz>, not <{}>", root.name),
        ));
        return out;
    }
    let mut category = String::new();
    for q in root.elements() {
        if q.name != "question" {
            out.problems.push(LineProblem::at(
                q.line,
                format!(
                    "<{}> inside <quiz>: only <question> elements are read",
                    q.name
                ),
            ));
            continue;
        }
        let kind = q.attr("type").unwrap_or("");
        if kind == "category" {
            category = q
                .child("category")
                .map(text_of)
                .unwrap_or_default()
                .rsplit('/')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            continue;
        }
        match question(q, kind, &category) {
            Ok(item) => out.items.push(Imported { item, line: q.line }),
            Err(message) => out.problems.push(LineProblem::at(q.line, message)),
        }
    }
    if out.items.is_empty() && out.problems.is_empty() {
        out.problems
            .push(LineProblem::at(root.line, "the file holds no question"));
    }
    out
}

/// The `<text>` child's content, or the element's own text.
fn text_of(e: &Element) -> String {
    e.child("text")
        .map(Element::text)
        .unwrap_or_else(|| e.text())
}

/// A formatted text (`<questiontext format="html"><text>…`) as Markdown.
fn markdown_of(e: Option<&Element>) -> Result<String, String> {
    let Some(e) = e else {
        return Ok(String::new());
    };
    let raw = text_of(e);
    if raw.contains("@@PLUGINFILE@@") {
        return Err("embedded files (images and attachments) cannot be imported".into());
    }
    Ok(match e.attr("format").unwrap_or("html") {
        "markdown" | "plain_text" | "moodle_auto_format" => raw.trim().to_string(),
        _ => super::markup::html_to_md(&raw, &super::markup::plain),
    })
}

fn inline_of(e: &Element) -> Result<String, String> {
    let md = markdown_of(Some(e))?;
    Ok(md.replace("\n\n", " ").trim().to_string())
}

fn fraction(e: &Element) -> f64 {
    e.attr("fraction")
        .and_then(|f| f.trim().parse::<f64>().ok())
        .filter(|f| f.is_finite())
        .unwrap_or(0.0)
}

fn question(q: &Element, kind: &str, category: &str) -> Result<Item, String> {
    let name = q.child("name").map(text_of);
    let idnumber = q.child("idnumber").map(Element::text);
    let mut stem = markdown_of(q.child("questiontext"))?;
    let mut explanation = markdown_of(q.child("generalfeedback"))?;
    let mut notes = Vec::new();
    let answers: Vec<&Element> = q.children_named("answer").collect();
    let body = match kind {
        "multichoice" => {
            let single = q
                .child("single")
                .map(|s| matches!(s.text().trim(), "true" | "1"))
                .unwrap_or(true);
            if answers.len() > 26 {
                return Err(format!("{} answers; a list holds at most 26", answers.len()));
            }
            let mut options = Vec::new();
            let mut key = Vec::new();
            for (i, a) in answers.iter().enumerate() {
                let id = letter(i).unwrap_or_default();
                let f = fraction(a);
                if single && f > 0.0 && f < 100.0 {
                    return Err(format!(
                        "answer {id} gives partial credit ({f}%); a single-answer question has one right answer"
                    ));
                }
                if f > 0.0 {
                    key.push(id.clone());
                }
                let fb = a.child("feedback").map(inline_of).transpose()?;
                if let Some(fb) = fb.filter(|f| !f.is_empty()) {
                    notes.push(format!("**{id}**: {fb}"));
                }
                options.push(Choice {
                    text: inline_of(a)?,
                    id,
                });
            }
            match (single, key.as_slice()) {
                (_, []) => return Err("no answer has a positive fraction".into()),
                (true, [one]) => ItemBody::Single {
                    key: one.clone(),
                    options,
                },
                (true, _) => return Err("a single-answer question marks more than one answer right".into()),
                (false, _) => ItemBody::Multiple {
                    choose: key.len() as u32,
                    key,
                    options,
                },
            }
        }
        "truefalse" => {
            let right = answers
                .iter()
                .find(|a| fraction(a) > 0.0)
                .ok_or("no answer is marked right")?;
            let key = match text_of(right).trim().to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                other => return Err(format!("a true/false answer is `true` or `false`, not `{other}`")),
            };
            ItemBody::YesNo { key }
        }
        "matching" => {
            let mut prompts = Vec::new();
            let mut choices: Vec<Choice> = Vec::new();
            let mut key = Vec::new();
            for sq in q.children_named("subquestion") {
                let prompt = inline_of(sq)?;
                let answer = sq.child("answer").map(text_of).unwrap_or_default();
                let answer = answer.trim().to_string();
                if answer.is_empty() {
                    return Err(format!("line {}: a subquestion has no answer", sq.line));
                }
                let id = match choices.iter().find(|c| c.text == answer) {
                    Some(c) => c.id.clone(),
                    None => {
                        let id = letter(choices.len()).ok_or("more than 26 distinct answers")?;
                        choices.push(Choice {
                            id: id.clone(),
                            text: answer,
                        });
                        id
                    }
                };
                if !prompt.is_empty() {
                    prompts.push(Choice {
                        id: (prompts.len() + 1).to_string(),
                        text: prompt,
                    });
                    key.push(id);
                }
            }
            ItemBody::Match {
                prompts,
                choices,
                key,
            }
        }
        "gapselect" => {
            let (body, new_stem) = gapselect(q, &stem)?;
            stem = new_stem;
            body
        }
        "ordering" => {
            let select = q
                .child("selecttype")
                .map(|s| s.text().trim().to_ascii_uppercase())
                .unwrap_or_default();
            if !matches!(select.as_str(), "" | "ALL" | "0") {
                return Err("ordering questions that show a subset of the items cannot be imported".into());
            }
            let grading = q
                .child("gradingtype")
                .map(|s| s.text().trim().to_ascii_uppercase())
                .unwrap_or_default();
            let scoring = match grading.as_str() {
                "" | "ALL_OR_NOTHING" | "-1" => OrderScoring::AllOrNothing,
                "ABSOLUTE_POSITION" | "0" => OrderScoring::PerPosition,
                other => return Err(format!("ordering grading `{other}` cannot be imported (all-or-nothing and absolute position can)")),
            };
            if answers.len() > 26 {
                return Err("more than 26 items".into());
            }
            let mut actions = Vec::new();
            for (i, a) in answers.iter().enumerate() {
                actions.push(Choice {
                    id: letter(i).unwrap_or_default(),
                    text: inline_of(a)?,
                });
            }
            ItemBody::Order {
                key: actions.iter().map(|a| a.id.clone()).collect(),
                actions,
                scoring,
            }
        }
        "" => return Err("a <question> without a type".into()),
        other => {
            return Err(format!(
                "Moodle `{other}` questions cannot be imported (mockexam reads multichoice, truefalse, matching, gapselect and ordering)"
            ))
        }
    };
    if !notes.is_empty() {
        if !explanation.is_empty() {
            explanation.push_str("\n\n");
        }
        explanation.push_str(&notes.join("\n\n"));
    }
    let mut references = Vec::new();
    let (mut reviewed, mut case, mut series) = (None, None, None);
    if let Some(tags) = q.child("tags") {
        for t in tags.children_named("tag") {
            let t = text_of(t);
            if let Some((k, v)) = t.split_once(':') {
                let v = v.trim().to_string();
                match k.trim() {
                    "reference" => references.push(v),
                    "reviewed" => reviewed = Some(v),
                    "case" => case = Some(v),
                    "series" => series = Some(v),
                    _ => {}
                }
            }
        }
    }
    let id_source = idnumber
        .filter(|i| crate::bank::parse::valid_id(i.trim()))
        .or(name);
    Ok(Item {
        id: derive_id(id_source.as_deref(), &stem),
        objective: category.to_string(),
        stem,
        explanation,
        references,
        case,
        series,
        reviewed,
        body,
    })
}

/// `[[n]]` markers in text, as (byte start, byte end, n).
fn gaps(text: &str) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(rel) = text.get(from..).and_then(|t| t.find("[[")) {
        let start = from + rel;
        let digits: String = text
            .get(start + 2..)
            .unwrap_or("")
            .chars()
            .take_while(char::is_ascii_digit)
            .take(6)
            .collect();
        let end = start + 2 + digits.len();
        if !digits.is_empty() && text.get(end..end + 2) == Some("]]") {
            if let Ok(n) = digits.parse() {
                out.push((start, end + 2, n));
            }
            from = end + 2;
        } else {
            from = start + 2;
        }
    }
    out
}

fn gapselect(q: &Element, stem: &str) -> Result<(ItemBody, String), String> {
    // Text read from HTML has its brackets escaped; the gaps are Moodle's, not literal text.
    let stem = &stem.replace("\\[\\[", "[[").replace("\\]\\]", "]]");
    let options: Vec<(String, String)> = q
        .children_named("selectoption")
        .map(|o| {
            (
                text_of(o).trim().to_string(),
                o.child("group")
                    .map(Element::text)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            )
        })
        .collect();
    let mut slots = Vec::new();
    let mut key = Vec::new();
    let mut new_stem = String::new();
    let mut last = 0;
    for (i, (start, end, n)) in gaps(stem).into_iter().enumerate() {
        let Some((_, group)) = n.checked_sub(1).and_then(|k| options.get(k)) else {
            return Err(format!(
                "gap [[{n}]] names choice {n}, but there are {}",
                options.len()
            ));
        };
        let mut choices = Vec::new();
        let mut right = None;
        for (k, (text, g)) in options.iter().enumerate() {
            if g != group {
                continue;
            }
            let id = letter(choices.len()).ok_or("more than 26 choices in a group")?;
            if k + 1 == n {
                right = Some(id.clone());
            }
            choices.push(Choice {
                id,
                text: text.clone(),
            });
        }
        slots.push(Slot {
            number: i as u32 + 1,
            choices,
        });
        key.push(right.unwrap_or_default());
        new_stem.push_str(stem.get(last..start).unwrap_or(""));
        let _ = write!(new_stem, "[[{}]]", i + 1);
        last = end;
    }
    new_stem.push_str(stem.get(last..).unwrap_or(""));
    if slots.is_empty() {
        return Err("the text has no [[n]] gap".into());
    }
    Ok((ItemBody::Dropdown { slots, key }, new_stem))
}

fn text_el(out: &mut String, indent: &str, tag: &str, format: Option<&str>, text: &str) {
    let f = format
        .map(|f| format!(" format=\"{f}\""))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{indent}<{tag}{f}>\n{indent}  <text>{}</text>\n{indent}</{tag}>",
        xml::escape(text)
    );
}

fn fraction_text(choose: u32) -> String {
    format!("{:.7}", 100.0 / choose.max(1) as f64)
}

/// Writes questions as Moodle XML; what it cannot hold is named in the notes.
pub fn write(exam_code: &str, items: &[Item], scenarios: &[Scenario]) -> Written {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<!-- {} questions exported from mockexam as Moodle XML -->\n<quiz>",
        xml::escape(&exam_code.replace("--", "-"))
    );
    let mut notes = Vec::new();
    let mut written = 0;
    let mut category: Option<&str> = None;
    for item in items {
        let mut q = String::new();
        let mut stem_override: Option<String> = None;
        let (kind, grade) = match &item.body {
            ItemBody::Single { options, key } => {
                let _ = writeln!(q, "    <single>true</single>\n    <shuffleanswers>true</shuffleanswers>\n    <answernumbering>ABCD</answernumbering>");
                for o in options {
                    let f = if &o.id == key { "100" } else { "0" };
                    answer(&mut q, f, &o.text);
                }
                ("multichoice", 1)
            }
            ItemBody::Multiple {
                options,
                key,
                choose,
            } => {
                let _ = writeln!(q, "    <single>false</single>\n    <shuffleanswers>true</shuffleanswers>\n    <answernumbering>ABCD</answernumbering>");
                for o in options {
                    let f = if key.contains(&o.id) {
                        fraction_text(*choose)
                    } else {
                        "-100".to_string()
                    };
                    answer(&mut q, &f, &o.text);
                }
                ("multichoice", *choose)
            }
            ItemBody::YesNo { key } => {
                answer(&mut q, if *key { "100" } else { "0" }, "true");
                answer(&mut q, if *key { "0" } else { "100" }, "false");
                ("truefalse", 1)
            }
            ItemBody::Match {
                prompts,
                choices,
                key,
            } => {
                let _ = writeln!(q, "    <shuffleanswers>true</shuffleanswers>");
                for (p, k) in prompts.iter().zip(key) {
                    let a = choices
                        .iter()
                        .find(|c| &c.id == k)
                        .map(|c| c.text.as_str())
                        .unwrap_or("");
                    subquestion(&mut q, &p.text, a);
                }
                // A choice no prompt uses is Moodle's extra wrong answer: an empty subquestion.
                for c in choices.iter().filter(|c| !key.contains(&c.id)) {
                    subquestion(&mut q, "", &c.text);
                }
                ("matching", prompts.len() as u32)
            }
            ItemBody::Dropdown { slots, key } => {
                let order: Vec<usize> = gaps(&item.stem).iter().map(|g| g.2).collect();
                let once: Vec<usize> = (1..=slots.len()).collect();
                if order != once {
                    notes.push(format!(
                        "{}: drop-downs whose placeholders are repeated or out of order cannot be written in Moodle XML (each gap is its own drop-down); left out",
                        item.id
                    ));
                    continue;
                }
                let _ = writeln!(q, "    <shuffleanswers>1</shuffleanswers>");
                let mut index = 0;
                let mut right_index = std::collections::HashMap::new();
                for (s, k) in slots.iter().zip(key) {
                    for c in &s.choices {
                        index += 1;
                        if &c.id == k {
                            right_index.insert(s.number as usize, index);
                        }
                        let _ = writeln!(
                            q,
                            "    <selectoption>\n      <text>{}</text>\n      <group>{}</group>\n    </selectoption>",
                            xml::escape(&c.text),
                            s.number
                        );
                    }
                }
                stem_override = Some(renumber_gaps(&item.stem, &right_index));
                ("gapselect", slots.len() as u32)
            }
            ItemBody::Order {
                actions,
                key,
                scoring,
            } => {
                if actions.len() != key.len() {
                    notes.push(format!(
                        "{}: build lists with distractor actions cannot be written in Moodle XML (its ordering questions order every item); left out",
                        item.id
                    ));
                    continue;
                }
                let grading = match scoring {
                    OrderScoring::AllOrNothing => "ALL_OR_NOTHING",
                    OrderScoring::PerPosition => "ABSOLUTE_POSITION",
                };
                let _ = writeln!(q, "    <layouttype>VERTICAL</layouttype>\n    <selecttype>ALL</selecttype>\n    <selectcount>0</selectcount>\n    <gradingtype>{grading}</gradingtype>\n    <showgrading>SHOW</showgrading>");
                for k in key {
                    let text = actions
                        .iter()
                        .find(|a| &a.id == k)
                        .map(|a| a.text.as_str())
                        .unwrap_or("");
                    answer(&mut q, "1.0000000", text);
                }
                let points = match scoring {
                    OrderScoring::AllOrNothing => 1,
                    OrderScoring::PerPosition => key.len() as u32,
                };
                ("ordering", points)
            }
            ItemBody::Grid { .. } => {
                notes.push(super::cannot_write(item, Format::MoodleXml));
                continue;
            }
        };
        if category != Some(item.objective.as_str()) {
            let _ = writeln!(
                out,
                "  <question type=\"category\">\n    <category>\n      <text>$course$/top/{}/{}</text>\n    </category>\n  </question>",
                xml::escape(exam_code),
                xml::escape(&item.objective)
            );
            category = Some(item.objective.as_str());
        }
        let _ = writeln!(out, "  <question type=\"{kind}\">");
        text_el(&mut out, "    ", "name", None, &item.id);
        text_el(
            &mut out,
            "    ",
            "questiontext",
            Some("markdown"),
            stem_override.as_deref().unwrap_or(&item.stem),
        );
        text_el(
            &mut out,
            "    ",
            "generalfeedback",
            Some("markdown"),
            &item.explanation,
        );
        let _ = writeln!(
            out,
            "    <defaultgrade>{grade}</defaultgrade>\n    <penalty>0</penalty>\n    <hidden>0</hidden>\n    <idnumber>{}</idnumber>",
            xml::escape(&item.id)
        );
        out.push_str(&q);
        let mut tags: Vec<String> = item
            .references
            .iter()
            .map(|r| format!("reference:{r}"))
            .collect();
        tags.extend(item.reviewed.iter().map(|r| format!("reviewed:{r}")));
        tags.extend(item.case.iter().map(|r| format!("case:{r}")));
        tags.extend(item.series.iter().map(|r| format!("series:{r}")));
        if !tags.is_empty() {
            out.push_str("    <tags>\n");
            for t in tags {
                let _ = writeln!(out, "      <tag><text>{}</text></tag>", xml::escape(&t));
            }
            out.push_str("    </tags>\n");
        }
        out.push_str("  </question>\n");
        written += 1;
    }
    out.push_str("</quiz>\n");
    notes.extend(super::scenario_notes(items, scenarios, Format::MoodleXml));
    Written {
        bytes: out.into_bytes(),
        notes,
        written,
    }
}

/// `[[slot]]` becomes `[[number of the slot's right choice]]`, as gapselect reads it.
fn renumber_gaps(stem: &str, right: &std::collections::HashMap<usize, usize>) -> String {
    let mut out = String::new();
    let mut last = 0;
    for (start, end, n) in gaps(stem) {
        out.push_str(stem.get(last..start).unwrap_or(""));
        let _ = write!(out, "[[{}]]", right.get(&n).copied().unwrap_or(n));
        last = end;
    }
    out.push_str(stem.get(last..).unwrap_or(""));
    out
}

fn answer(q: &mut String, fraction: &str, text: &str) {
    let _ = writeln!(
        q,
        "    <answer fraction=\"{fraction}\" format=\"markdown\">\n      <text>{}</text>\n      <feedback format=\"markdown\">\n        <text></text>\n      </feedback>\n    </answer>",
        xml::escape(text)
    );
}

fn subquestion(q: &mut String, prompt: &str, answer: &str) {
    let _ = writeln!(
        q,
        "    <subquestion format=\"markdown\">\n      <text>{}</text>\n      <answer>\n        <text>{}</text>\n      </answer>\n    </subquestion>",
        xml::escape(prompt),
        xml::escape(answer)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_moodle_html_questions() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/EX/design.compute</text></category></question>
  <question type="multichoice">
    <name><text>Which compute</text></name>
    <questiontext format="html"><text><![CDATA[<p>Pick <strong>one</strong>.</p>]]></text></questiontext>
    <generalfeedback format="html"><text>&lt;p&gt;B is right.&lt;/p&gt;</text></generalfeedback>
    <single>true</single>
    <answer fraction="0"><text>A</text></answer>
    <answer fraction="100"><text>B</text><feedback><text>Yes</text></feedback></answer>
    <answer fraction="0"><text>C</text></answer>
  </question>
  <question type="essay"><name><text>e</text></name></question>
</quiz>"#;
        let r = read(text);
        assert_eq!(r.problems.len(), 1);
        assert_eq!(r.problems[0].line, 13);
        let item = &r.items[0].item;
        assert_eq!(item.id, "which-compute");
        assert_eq!(item.objective, "design.compute");
        assert_eq!(item.stem, "Pick **one**.");
        assert_eq!(item.explanation, "B is right.\n\n**B**: Yes");
        assert!(matches!(&item.body, ItemBody::Single { key, .. } if key == "B"));
    }

    #[test]
    fn gaps_are_renumbered() {
        assert_eq!(
            gaps("a [[12]] b [[x]] [[3]]"),
            vec![(2, 8, 12), (17, 22, 3)]
        );
    }
}
