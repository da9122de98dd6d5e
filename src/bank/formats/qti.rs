//! IMS QTI 2.2: one `assessmentItem` file per question in a content package (a zip with
//! `imsmanifest.xml`), the item body in XHTML rendered from the bank's Markdown and read back
//! into Markdown. Interactions: `choiceInteraction` (single, multiple, problem–solution as a
//! yes/no choice), `orderInteraction` (build lists, distractors through `maxChoices`),
//! `inlineChoiceInteraction` (drop-down slots in the text), `matchInteraction` (matching, and
//! statement grids against a yes/no set). The objective, references, review note and case study
//! or series travel in each resource's LOM metadata in the manifest (`general/identifier` with a
//! `mockexam:…` catalog). Why 2.2 and not 3.0 is in docs/interchange.md.

use super::markup::{self, Hook};
use super::xml::{self, Element};
use super::{derive_id, letter, Format, Imported, LineProblem, Read, Written};
use crate::domain::item::{Choice, Item, ItemBody, OrderScoring, Scenario, Slot};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};

/// Largest file read out of a package (a guard against zip bombs).
const MAX_ENTRY_BYTES: u64 = 8 * 1024 * 1024;
const MAX_ENTRIES: usize = 5000;

const NS: &str = "http://www.imsglobal.org/xsd/imsqti_v2p2";
const RP: &str = "http://www.imsglobal.org/question/qti_v2p2/rptemplates";

/// Metadata the manifest carries for an item.
#[derive(Debug, Default, Clone)]
pub struct ItemMeta {
    pub objective: Option<String>,
    pub references: Vec<String>,
    pub reviewed: Option<String>,
    pub case: Option<String>,
    pub series: Option<String>,
}

/// Reads one `assessmentItem` document (without manifest metadata).
pub fn parse_qti(text: &str) -> Result<Vec<Imported>, Vec<LineProblem>> {
    read_item(text, &ItemMeta::default(), "").into_result()
}

/// Reads a content package (zip) or, when the bytes are not a zip, one item document.
pub fn read_package_or_item(bytes: &[u8]) -> Read {
    if bytes.starts_with(b"PK") {
        return read_package(bytes);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => read_item(text, &ItemMeta::default(), ""),
        Err(e) => super::not_utf8(bytes, e),
    }
}

fn read_entry<R: std::io::Read + std::io::Seek>(
    zip: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<String, String> {
    let file = zip
        .by_name(name)
        .map_err(|_| format!("the package has no `{name}`"))?;
    if file.size() > MAX_ENTRY_BYTES {
        return Err(format!("`{name}` is larger than 8 MiB"));
    }
    let mut text = String::new();
    file.take(MAX_ENTRY_BYTES)
        .read_to_string(&mut text)
        .map_err(|e| format!("`{name}` cannot be read as UTF-8 text: {e}"))?;
    Ok(text)
}

pub fn read_package(bytes: &[u8]) -> Read {
    let mut out = Read::default();
    let mut zip = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(z) => z,
        Err(e) => {
            out.problems.push(LineProblem::at(
                0,
                format!("not a readable zip package: {e}"),
            ));
            return out;
        }
    };
    if zip.len() > MAX_ENTRIES {
        out.problems
            .push(LineProblem::at(0, "the package holds too many files"));
        return out;
    }
    let manifest_text = match read_entry(&mut zip, "imsmanifest.xml") {
        Ok(t) => t,
        Err(m) => {
            out.problems.push(LineProblem::at(0, m));
            return out;
        }
    };
    let manifest = match xml::parse(&manifest_text) {
        Ok(m) => m,
        Err((line, m)) => {
            out.problems
                .push(LineProblem::at(line, format!("imsmanifest.xml: {m}")));
            return out;
        }
    };
    let mut resources = Vec::new();
    manifest.find_all("resource", &mut resources);
    for r in resources {
        let kind = r.attr("type").unwrap_or("");
        if !kind.starts_with("imsqti_item") {
            continue;
        }
        let Some(href) = r.attr("href") else {
            out.problems.push(LineProblem::at(
                r.line,
                "imsmanifest.xml: an item resource without `href`",
            ));
            continue;
        };
        let meta = manifest_meta(r);
        match read_entry(&mut zip, href) {
            Ok(text) => {
                let read = read_item(&text, &meta, href);
                out.items.extend(read.items);
                out.problems.extend(read.problems);
            }
            Err(m) => out
                .problems
                .push(LineProblem::at(r.line, format!("imsmanifest.xml: {m}"))),
        }
    }
    if out.items.is_empty() && out.problems.is_empty() {
        out.problems.push(LineProblem::at(
            manifest.line,
            "imsmanifest.xml lists no QTI item",
        ));
    }
    out
}

fn manifest_meta(resource: &Element) -> ItemMeta {
    let mut meta = ItemMeta::default();
    let mut ids = Vec::new();
    if let Some(md) = resource.child("metadata") {
        md.find_all("identifier", &mut ids);
    }
    for id in ids {
        let catalog = id.child("catalog").map(Element::text).unwrap_or_default();
        let entry = id
            .child("entry")
            .map(Element::text)
            .unwrap_or_default()
            .trim()
            .to_string();
        match catalog.trim() {
            "mockexam:objective" => meta.objective = Some(entry),
            "mockexam:reference" => meta.references.push(entry),
            "mockexam:reviewed" => meta.reviewed = Some(entry),
            "mockexam:case" => meta.case = Some(entry),
            "mockexam:series" => meta.series = Some(entry),
            _ => {}
        }
    }
    meta
}

const BLOCK_INTERACTIONS: &[&str] = &["choiceinteraction", "orderinteraction", "matchinteraction"];

/// Reads one item document; `file` names it inside a package in messages.
pub fn read_item(text: &str, meta: &ItemMeta, file: &str) -> Read {
    let mut out = Read::default();
    let prefix = if file.is_empty() {
        String::new()
    } else {
        format!("{file}: ")
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root = match xml::parse(text) {
        Ok(r) => r,
        Err((line, m)) => {
            out.problems
                .push(LineProblem::at(line, format!("{prefix}{m}")));
            return out;
        }
    };
    if root.name != "assessmentItem" {
        out.problems.push(LineProblem::at(
            root.line,
            format!(
                "{prefix}a QTI item starts with <assessmentItem>, not <{}>",
                root.name
            ),
        ));
        return out;
    }
    match item(&root, text, meta) {
        Ok(item) => out.items.push(Imported {
            item,
            line: root.line,
        }),
        Err((line, m)) => out
            .problems
            .push(LineProblem::at(line, format!("{prefix}{m}"))),
    }
    out
}

type Failure = (usize, String);

fn correct_values(root: &Element, identifier: &str) -> Vec<String> {
    root.children_named("responseDeclaration")
        .find(|d| d.attr("identifier") == Some(identifier))
        .and_then(|d| d.child("correctResponse"))
        .map(|c| {
            c.children_named("value")
                .map(|v| v.text().trim().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn inline_md(e: &Element, source: &str) -> String {
    let md = markup::html_to_md(e.inner_source(source), &|el| match el.name() {
        "feedbackinline" => Hook::Skip,
        _ => Hook::Normal,
    });
    md.replace("\n\n", " ").trim().to_string()
}

/// Choices relabelled A, B, …; returns them and the map from QTI identifiers to labels.
fn relabel(
    choices: &[&Element],
    source: &str,
    at: usize,
) -> Result<(Vec<Choice>, HashMap<String, String>), Failure> {
    let mut out = Vec::new();
    let mut map = HashMap::new();
    for (i, c) in choices.iter().enumerate() {
        let id = letter(i).ok_or((at, "more than 26 choices".to_string()))?;
        map.insert(c.attr("identifier").unwrap_or("").to_string(), id.clone());
        out.push(Choice {
            id,
            text: inline_md(c, source),
        });
    }
    Ok((out, map))
}

fn label(map: &HashMap<String, String>, qti: &str, at: usize) -> Result<String, Failure> {
    map.get(qti).cloned().ok_or((
        at,
        format!("the correct response names `{qti}`, which is not a choice"),
    ))
}

fn item(root: &Element, source: &str, meta: &ItemMeta) -> Result<Item, Failure> {
    let body_el = root
        .child("itemBody")
        .ok_or((root.line, "the item has no <itemBody>".to_string()))?;
    let mut interactions = Vec::new();
    collect_interactions(body_el, &mut interactions);
    let mut blocks = interactions
        .iter()
        .filter(|e| e.name != "inlineChoiceInteraction");
    let block = blocks.next();
    if let Some(extra) = blocks.next() {
        return Err((
            extra.line,
            "an item with more than one interaction cannot be imported".into(),
        ));
    }
    // A slot whose placeholder appears twice in the text is one response shown twice.
    let mut seen_rids = std::collections::HashSet::new();
    let inline: Vec<&&Element> = interactions
        .iter()
        .filter(|e| e.name == "inlineChoiceInteraction")
        .filter(|e| seen_rids.insert(e.attr("responseIdentifier").unwrap_or("")))
        .collect();
    if block.is_some() && !inline.is_empty() {
        return Err((
            root.line,
            "an item mixing drop-downs with another interaction cannot be imported".into(),
        ));
    }
    // Slot numbers for drop-downs, by responseIdentifier, in order of appearance.
    let slot_of: HashMap<String, usize> = inline
        .iter()
        .enumerate()
        .map(|(i, e)| {
            (
                e.attr("responseIdentifier").unwrap_or("").to_string(),
                i + 1,
            )
        })
        .collect();
    let mut stem = markup::html_to_md(body_el.inner_source(source), &|el| {
        let name = el.name();
        if name == "inlinechoiceinteraction" {
            let id = el.attr("responseidentifier").unwrap_or("");
            return Hook::Text(format!("[[{}]]", slot_of.get(id).copied().unwrap_or(0)));
        }
        if BLOCK_INTERACTIONS.contains(&name) || name == "rubricblock" || name == "feedbackblock" {
            return Hook::Skip;
        }
        Hook::Normal
    });
    if let Some(prompt) = block.and_then(|b| b.child("prompt")) {
        let p = markup::html_to_md(prompt.inner_source(source), &markup::plain);
        if !p.is_empty() {
            if !stem.is_empty() {
                stem.push_str("\n\n");
            }
            stem.push_str(&p);
        }
    }
    let body = match (block, inline.is_empty()) {
        (None, true) => {
            return Err((
                body_el.line,
                "the item has no interaction mockexam can import".into(),
            ))
        }
        (None, false) => {
            let mut slots = Vec::new();
            let mut key = Vec::new();
            for (i, e) in inline.iter().enumerate() {
                let choices: Vec<&Element> = e.children_named("inlineChoice").collect();
                let (mut choices, map) = relabel(&choices, source, e.line)?;
                // An inline choice holds plain text only: it is the option as written.
                for (c, el) in choices.iter_mut().zip(e.children_named("inlineChoice")) {
                    c.text = el.text().trim().to_string();
                }
                let rid = e.attr("responseIdentifier").unwrap_or("");
                let right = correct_values(root, rid);
                let [right] = right.as_slice() else {
                    return Err((
                        e.line,
                        format!("drop-down `{rid}` needs exactly one correct response"),
                    ));
                };
                key.push(label(&map, right, e.line)?);
                slots.push(Slot {
                    number: i as u32 + 1,
                    choices,
                });
            }
            ItemBody::Dropdown { slots, key }
        }
        (Some(b), _) => block_body(root, b, source)?,
    };
    let explanation = root
        .children_named("modalFeedback")
        .map(|f| markup::html_to_md(f.inner_source(source), &markup::plain))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    Ok(Item {
        id: derive_id(root.attr("identifier"), &stem),
        objective: meta.objective.clone().unwrap_or_default(),
        stem,
        explanation,
        references: meta.references.clone(),
        case: meta.case.clone(),
        series: meta.series.clone(),
        reviewed: meta.reviewed.clone(),
        body,
    })
}

fn collect_interactions<'a>(e: &'a Element, out: &mut Vec<&'a Element>) {
    for c in e.elements() {
        if c.name.ends_with("Interaction") {
            out.push(c);
        } else {
            collect_interactions(c, out);
        }
    }
}

fn block_body(root: &Element, b: &Element, source: &str) -> Result<ItemBody, Failure> {
    let rid = b.attr("responseIdentifier").unwrap_or("");
    let correct = correct_values(root, rid);
    match b.name.as_str() {
        "choiceInteraction" => {
            let choices: Vec<&Element> = b.children_named("simpleChoice").collect();
            let ids: Vec<String> = choices
                .iter()
                .map(|c| c.attr("identifier").unwrap_or("").to_ascii_lowercase())
                .collect();
            if ids == ["yes", "no"] || ids == ["no", "yes"] {
                let [right] = correct.as_slice() else {
                    return Err((b.line, "a yes/no question needs one correct response".into()));
                };
                return Ok(ItemBody::YesNo {
                    key: right.eq_ignore_ascii_case("yes"),
                });
            }
            let (options, map) = relabel(&choices, source, b.line)?;
            let max: u32 = b.attr("maxChoices").and_then(|m| m.parse().ok()).unwrap_or(1);
            let key = correct
                .iter()
                .map(|c| label(&map, c, b.line))
                .collect::<Result<Vec<_>, _>>()?;
            if max == 1 {
                let [one] = key.as_slice() else {
                    return Err((b.line, "a single-answer question needs exactly one correct response".into()));
                };
                Ok(ItemBody::Single {
                    key: one.clone(),
                    options,
                })
            } else {
                Ok(ItemBody::Multiple {
                    choose: key.len() as u32,
                    key,
                    options,
                })
            }
        }
        "orderInteraction" => {
            let choices: Vec<&Element> = b.children_named("simpleChoice").collect();
            let (actions, map) = relabel(&choices, source, b.line)?;
            let key = correct
                .iter()
                .map(|c| label(&map, c, b.line))
                .collect::<Result<Vec<_>, _>>()?;
            let max_score: f64 = root
                .children_named("outcomeDeclaration")
                .find(|o| o.attr("identifier") == Some("MAXSCORE"))
                .and_then(|o| o.find("value"))
                .and_then(|v| v.text().trim().parse().ok())
                .unwrap_or(1.0);
            Ok(ItemBody::Order {
                actions,
                key,
                scoring: if max_score > 1.0 {
                    OrderScoring::PerPosition
                } else {
                    OrderScoring::AllOrNothing
                },
            })
        }
        "matchInteraction" => {
            let sets: Vec<&Element> = b.children_named("simpleMatchSet").collect();
            let [left, right] = sets.as_slice() else {
                return Err((b.line, "a match interaction needs two simpleMatchSets".into()));
            };
            let lefts: Vec<&Element> = left.children_named("simpleAssociableChoice").collect();
            let rights: Vec<&Element> = right.children_named("simpleAssociableChoice").collect();
            let right_ids: Vec<String> = rights
                .iter()
                .map(|c| c.attr("identifier").unwrap_or("").to_ascii_lowercase())
                .collect();
            let pairs: Vec<(String, String)> = correct
                .iter()
                .filter_map(|v| {
                    let mut it = v.split_whitespace();
                    Some((it.next()?.to_string(), it.next()?.to_string()))
                })
                .collect();
            let mut prompts = Vec::new();
            let mut right_of = HashMap::new();
            for (i, l) in lefts.iter().enumerate() {
                let qid = l.attr("identifier").unwrap_or("");
                prompts.push(Choice {
                    id: (i + 1).to_string(),
                    text: inline_md(l, source),
                });
                let mine: Vec<&String> = pairs.iter().filter(|(a, _)| a == qid).map(|(_, r)| r).collect();
                let [one] = mine.as_slice() else {
                    return Err((l.line, format!("`{qid}` needs exactly one correct pair")));
                };
                right_of.insert(i, (*one).clone());
            }
            if right_ids == ["yes", "no"] || right_ids == ["no", "yes"] {
                let key = (0..prompts.len())
                    .map(|i| right_of.get(&i).is_some_and(|r| r.eq_ignore_ascii_case("yes")))
                    .collect();
                return Ok(ItemBody::Grid {
                    statements: prompts,
                    key,
                });
            }
            let (choices, map) = relabel(&rights, source, b.line)?;
            let key = (0..prompts.len())
                .map(|i| label(&map, right_of.get(&i).map(String::as_str).unwrap_or(""), b.line))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ItemBody::Match {
                prompts,
                choices,
                key,
            })
        }
        other => Err((b.line, format!("QTI `{other}` cannot be imported (mockexam reads choice, order, inline choice and match interactions)"))),
    }
}

fn decl(out: &mut String, id: &str, cardinality: &str, base: &str, values: &[String]) {
    let _ = writeln!(
        out,
        "  <responseDeclaration identifier=\"{id}\" cardinality=\"{cardinality}\" baseType=\"{base}\">\n    <correctResponse>"
    );
    for v in values {
        let _ = writeln!(out, "      <value>{}</value>", xml::escape(v));
    }
    out.push_str("    </correctResponse>\n  </responseDeclaration>\n");
}

fn simple_choices(out: &mut String, tag: &str, choices: &[Choice], prefix: &str, extra: &str) {
    for c in choices {
        let _ = writeln!(
            out,
            "      <{tag} identifier=\"{prefix}{}\"{extra}>{}</{tag}>",
            xml::escape(&c.id),
            markup::md_inline_to_xhtml(&c.text)
        );
    }
}

/// One item document, or `None` when QTI cannot hold it.
pub fn write_item(item: &Item) -> String {
    let mut decls = String::new();
    let mut interaction = String::new();
    let mut stem_html = markup::md_to_xhtml(&item.stem);
    let mut max_score = 1usize;
    let mut template = "match_correct";
    match &item.body {
        ItemBody::Single { options, key } => {
            decl(
                &mut decls,
                "RESPONSE",
                "single",
                "identifier",
                std::slice::from_ref(key),
            );
            interaction.push_str("    <choiceInteraction responseIdentifier=\"RESPONSE\" shuffle=\"true\" maxChoices=\"1\">\n");
            simple_choices(&mut interaction, "simpleChoice", options, "", "");
            interaction.push_str("    </choiceInteraction>\n");
        }
        ItemBody::Multiple {
            options,
            key,
            choose,
        } => {
            decl(&mut decls, "RESPONSE", "multiple", "identifier", key);
            decls.pop();
            decls.truncate(decls.len() - "  </responseDeclaration>".len());
            decls.push_str("    <mapping lowerBound=\"0\" defaultValue=\"0\">\n");
            for k in key {
                let _ = writeln!(
                    decls,
                    "      <mapEntry mapKey=\"{}\" mappedValue=\"1\"/>",
                    xml::escape(k)
                );
            }
            decls.push_str("    </mapping>\n  </responseDeclaration>\n");
            template = "map_response";
            max_score = *choose as usize;
            let _ = writeln!(interaction, "    <choiceInteraction responseIdentifier=\"RESPONSE\" shuffle=\"true\" maxChoices=\"{choose}\">");
            simple_choices(&mut interaction, "simpleChoice", options, "", "");
            interaction.push_str("    </choiceInteraction>\n");
        }
        ItemBody::YesNo { key } => {
            let v = if *key { "yes" } else { "no" }.to_string();
            decl(&mut decls, "RESPONSE", "single", "identifier", &[v]);
            interaction.push_str("    <choiceInteraction responseIdentifier=\"RESPONSE\" shuffle=\"false\" maxChoices=\"1\">\n      <simpleChoice identifier=\"yes\">Yes</simpleChoice>\n      <simpleChoice identifier=\"no\">No</simpleChoice>\n    </choiceInteraction>\n");
        }
        ItemBody::Order {
            actions,
            key,
            scoring,
        } => {
            decl(&mut decls, "RESPONSE", "ordered", "identifier", key);
            if *scoring == OrderScoring::PerPosition {
                max_score = key.len();
            }
            let subset = if key.len() < actions.len() {
                format!(" minChoices=\"{n}\" maxChoices=\"{n}\"", n = key.len())
            } else {
                String::new()
            };
            let _ = writeln!(
                interaction,
                "    <orderInteraction responseIdentifier=\"RESPONSE\" shuffle=\"true\"{subset}>"
            );
            simple_choices(&mut interaction, "simpleChoice", actions, "", "");
            interaction.push_str("    </orderInteraction>\n");
        }
        ItemBody::Dropdown { slots, key } => {
            max_score = slots.len();
            for (s, k) in slots.iter().zip(key) {
                let rid = format!("RESPONSE_{}", s.number);
                decl(
                    &mut decls,
                    &rid,
                    "single",
                    "identifier",
                    std::slice::from_ref(k),
                );
                let mut x = format!(
                    "<inlineChoiceInteraction responseIdentifier=\"{rid}\" shuffle=\"true\">"
                );
                for c in &s.choices {
                    let _ = write!(
                        x,
                        "<inlineChoice identifier=\"{}\">{}</inlineChoice>",
                        xml::escape(&c.id),
                        xml::escape(&c.text)
                    );
                }
                x.push_str("</inlineChoiceInteraction>");
                stem_html = stem_html.replace(&format!("[[{}]]", s.number), &x);
            }
        }
        ItemBody::Grid { statements, key } => {
            max_score = statements.len();
            let pairs: Vec<String> = statements
                .iter()
                .zip(key)
                .map(|(s, k)| format!("S{} {}", s.id, if *k { "yes" } else { "no" }))
                .collect();
            decl(&mut decls, "RESPONSE", "multiple", "directedPair", &pairs);
            let _ = writeln!(interaction, "    <matchInteraction responseIdentifier=\"RESPONSE\" shuffle=\"false\" maxAssociations=\"{}\">\n      <simpleMatchSet>", statements.len());
            simple_choices(
                &mut interaction,
                "simpleAssociableChoice",
                statements,
                "S",
                " matchMax=\"1\"",
            );
            interaction.push_str("      </simpleMatchSet>\n      <simpleMatchSet>\n        <simpleAssociableChoice identifier=\"yes\" matchMax=\"0\">Yes</simpleAssociableChoice>\n        <simpleAssociableChoice identifier=\"no\" matchMax=\"0\">No</simpleAssociableChoice>\n      </simpleMatchSet>\n    </matchInteraction>\n");
        }
        ItemBody::Match {
            prompts,
            choices,
            key,
        } => {
            max_score = prompts.len();
            let pairs: Vec<String> = prompts
                .iter()
                .zip(key)
                .map(|(p, k)| format!("P{} {k}", p.id))
                .collect();
            decl(&mut decls, "RESPONSE", "multiple", "directedPair", &pairs);
            let _ = writeln!(interaction, "    <matchInteraction responseIdentifier=\"RESPONSE\" shuffle=\"true\" maxAssociations=\"{}\">\n      <simpleMatchSet>", prompts.len());
            simple_choices(
                &mut interaction,
                "simpleAssociableChoice",
                prompts,
                "P",
                " matchMax=\"1\"",
            );
            interaction.push_str("      </simpleMatchSet>\n      <simpleMatchSet>\n");
            simple_choices(
                &mut interaction,
                "simpleAssociableChoice",
                choices,
                "",
                " matchMax=\"0\"",
            );
            interaction.push_str("      </simpleMatchSet>\n    </matchInteraction>\n");
        }
    }
    if max_score > 1 && !matches!(item.body, ItemBody::Multiple { .. }) {
        template = "map_response";
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<assessmentItem xmlns=\"{NS}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"{NS} http://www.imsglobal.org/xsd/qti/qtiv2p2/imsqti_v2p2.xsd\" identifier=\"{id}\" title=\"{id}\" adaptive=\"false\" timeDependent=\"false\">",
        id = xml::escape(&item.id)
    );
    out.push_str(&decls);
    let _ = writeln!(out, "  <outcomeDeclaration identifier=\"SCORE\" cardinality=\"single\" baseType=\"float\">\n    <defaultValue><value>0</value></defaultValue>\n  </outcomeDeclaration>\n  <outcomeDeclaration identifier=\"MAXSCORE\" cardinality=\"single\" baseType=\"float\">\n    <defaultValue><value>{max_score}</value></defaultValue>\n  </outcomeDeclaration>\n  <outcomeDeclaration identifier=\"FEEDBACK\" cardinality=\"single\" baseType=\"identifier\"/>");
    let _ = writeln!(out, "  <itemBody>\n    <div>{stem_html}</div>");
    out.push_str(&interaction);
    out.push_str("  </itemBody>\n");
    let _ = writeln!(out, "  <responseProcessing template=\"{RP}/{template}\"/>");
    if !item.explanation.is_empty() {
        let _ = writeln!(
            out,
            "  <modalFeedback outcomeIdentifier=\"FEEDBACK\" identifier=\"EXPLANATION\" showHide=\"hide\">{}</modalFeedback>",
            markup::md_to_xhtml(&item.explanation)
        );
    }
    out.push_str("</assessmentItem>\n");
    out
}

fn lom_identifier(out: &mut String, catalog: &str, entry: &str) {
    let _ = writeln!(
        out,
        "            <imsmd:identifier><imsmd:catalog>{catalog}</imsmd:catalog><imsmd:entry>{}</imsmd:entry></imsmd:identifier>",
        xml::escape(entry)
    );
}

/// A content package: `imsmanifest.xml` plus `items/<id>.xml` per question.
pub fn write(exam_code: &str, items: &[Item], scenarios: &[Scenario]) -> Written {
    let mut manifest = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        manifest,
        "<manifest xmlns=\"http://www.imsglobal.org/xsd/imscp_v1p1\" xmlns:imsmd=\"http://ltsc.ieee.org/xsd/LOM\" identifier=\"MANIFEST-{}\">\n  <metadata>\n    <schema>QTIv2.2 Package</schema>\n    <schemaversion>1.0.0</schemaversion>\n  </metadata>\n  <organizations/>\n  <resources>",
        xml::escape(&exam_code.replace(|c: char| !c.is_ascii_alphanumeric(), "-"))
    );
    let mut files: Vec<(String, String)> = Vec::new();
    for item in items {
        let href = format!("items/{}.xml", item.id);
        let _ = writeln!(
            manifest,
            "    <resource identifier=\"{id}\" type=\"imsqti_item_xmlv2p2\" href=\"{href}\">\n      <metadata>\n        <imsmd:lom>\n          <imsmd:general>",
            id = xml::escape(&item.id),
            href = xml::escape(&href)
        );
        lom_identifier(&mut manifest, "mockexam:objective", &item.objective);
        for r in &item.references {
            lom_identifier(&mut manifest, "mockexam:reference", r);
        }
        if let Some(r) = &item.reviewed {
            lom_identifier(&mut manifest, "mockexam:reviewed", r);
        }
        if let Some(c) = &item.case {
            lom_identifier(&mut manifest, "mockexam:case", c);
        }
        if let Some(s) = &item.series {
            lom_identifier(&mut manifest, "mockexam:series", s);
        }
        let _ = writeln!(
            manifest,
            "          </imsmd:general>\n        </imsmd:lom>\n      </metadata>\n      <file href=\"{}\"/>\n    </resource>",
            xml::escape(&href)
        );
        files.push((href, write_item(item)));
    }
    manifest.push_str("  </resources>\n</manifest>\n");
    let mut all = vec![("imsmanifest.xml".to_string(), manifest)];
    all.extend(files);
    let bytes = zip_files(&all).unwrap_or_default();
    Written {
        bytes,
        notes: super::scenario_notes(items, scenarios, Format::Qti),
        written: items.len(),
    }
}

/// A zip of text files.
pub fn zip_files(files: &[(String, String)]) -> std::io::Result<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in files {
        zip.start_file(name.as_str(), options)
            .map_err(std::io::Error::other)?;
        zip.write_all(text.as_bytes())?;
    }
    Ok(zip.finish().map_err(std::io::Error::other)?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_spec_style_choice_item() {
        let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p2" identifier="choice" title="Unattended Luggage" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>ChoiceA</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <p>Look at the sign.</p>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="false" maxChoices="1">
      <prompt>What does it say?</prompt>
      <simpleChoice identifier="ChoiceA">You must stay with your luggage at all times.</simpleChoice>
      <simpleChoice identifier="ChoiceB">Do not let someone else look after your luggage.</simpleChoice>
      <simpleChoice identifier="ChoiceC">Remember your luggage when you leave.</simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p2/rptemplates/match_correct"/>
</assessmentItem>"#;
        let items = parse_qti(text).unwrap();
        let item = &items[0].item;
        assert_eq!(item.id, "choice");
        assert_eq!(item.stem, "Look at the sign.\n\nWhat does it say?");
        assert!(
            matches!(&item.body, ItemBody::Single { key, options } if key == "A" && options.len() == 3)
        );
    }

    #[test]
    fn unsupported_interactions_are_problems() {
        let text = "<assessmentItem identifier=\"x\">\n<itemBody>\n<extendedTextInteraction responseIdentifier=\"R\"/>\n</itemBody>\n</assessmentItem>";
        let problems = parse_qti(text).unwrap_err();
        assert_eq!(problems[0].line, 3);
        assert!(problems[0].message.contains("extendedTextInteraction"));
    }
}
