//! What the exam pages show, built from stored rows: pure functions from rows to view structs,
//! so the rules of what a candidate may see are tested without a server.

use crate::db::attempts::{AttemptRow, ItemRow};
use crate::domain::assembly::SectionKind;
use crate::domain::blueprint::Blueprint;
use crate::domain::item::{Response, ScenarioKind};
use crate::domain::scoring;
use crate::markdown;
use crate::types::QuestionId;
use crate::web::item_view::{self, ShownOption};

pub struct DomainWeight {
    pub title: String,
    pub weights: String,
    pub objectives: Vec<String>,
}

pub fn domain_weights(bp: &Blueprint) -> Vec<DomainWeight> {
    bp.domains
        .iter()
        .map(|d| DomainWeight {
            title: d.title.clone(),
            weights: format!("{}–{}%", d.weight_min, d.weight_max),
            objectives: d.objectives.iter().map(|o| o.title.clone()).collect(),
        })
        .collect()
}

pub struct TabView {
    pub id: String,
    pub title: String,
    pub html: String,
}

pub struct ScenarioView {
    pub is_case: bool,
    pub title: String,
    pub tabs: Vec<TabView>,
}

pub fn scenario(row: &ItemRow) -> Option<ScenarioView> {
    row.scenario.as_ref().map(|s| ScenarioView {
        is_case: s.0.kind == ScenarioKind::Case,
        title: s.0.title.clone(),
        tabs: s
            .0
            .tabs
            .iter()
            .enumerate()
            .map(|(i, (t, md))| TabView {
                id: format!("tab-{}", i + 1),
                title: t.clone(),
                html: markdown::to_html(md),
            })
            .collect(),
    })
}

/// A checked practice item's key and explanation, in the letters the candidate saw.
pub struct Reveal {
    pub shown: Vec<ShownOption>,
    /// Drop-down choices with their written letters (the explanation names them so).
    pub written: Vec<String>,
    pub correct: bool,
    pub points: u32,
    pub max: u32,
    pub your_answer: Vec<String>,
    pub correct_answer: Vec<String>,
    pub explanation_html: String,
    pub references: Vec<String>,
}

fn score(row: &ItemRow) -> scoring::ItemScore {
    let body = &row.body.0.body;
    match &row.response {
        Some(r) => scoring::score(body, &r.0),
        None => scoring::ItemScore {
            points: 0,
            max: scoring::max_points(body),
        },
    }
}

pub fn reveal(row: &ItemRow) -> Reveal {
    let body = &row.body.0.body;
    let perm = &row.permutation.0;
    let response = row.response.as_ref().map(|r| &r.0);
    let s = score(row);
    Reveal {
        shown: item_view::shown_options(body, perm, response),
        written: item_view::written_choices(body),
        correct: s.points == s.max,
        points: s.points,
        max: s.max,
        your_answer: item_view::describe(body, perm, response),
        correct_answer: item_view::describe(body, perm, Some(&Response::correct_for(body))),
        explanation_html: explanation_html(row),
        references: row.body.0.references.clone(),
    }
}

/// The explanation with the option letters this candidate saw.
fn explanation_html(row: &ItemRow) -> String {
    let seen = item_view::letters_seen(&row.body.0.body, &row.permutation.0);
    markdown::to_html(&item_view::relabel(&row.body.0.explanation, &seen))
}

pub struct ReviewRow {
    pub position: i32,
    pub answered: bool,
    pub complete: bool,
    pub flagged: bool,
    pub locked: bool,
    pub is_case: bool,
    pub kind_label: &'static str,
}

/// The review screen's rows, and how many answered problem–solution items it leaves out (as on
/// the real exam they are not listed).
pub fn review_rows(items: &[ItemRow]) -> (Vec<ReviewRow>, usize) {
    let hidden = |i: &&ItemRow| i.section_kind == SectionKind::Series && i.locked;
    let rows = items
        .iter()
        .filter(|i| !hidden(i))
        .map(|i| ReviewRow {
            position: i.position,
            answered: i.answered(),
            complete: i
                .response
                .as_ref()
                .is_some_and(|r| r.0.is_complete(&i.body.0.body)),
            flagged: i.flagged,
            locked: i.locked,
            is_case: i.section_kind == SectionKind::Case,
            kind_label: i.body.0.body.kind().label(),
        })
        .collect();
    (rows, items.iter().filter(hidden).count())
}

pub struct DomainBar {
    pub title: String,
    pub percent: f64,
    pub points: u32,
    pub max: u32,
    pub items: u32,
    /// The bar's length: the percentage, clamped to 0–100.
    pub width: f64,
}

/// One bar per skill area; a practice set leaves out the areas it did not touch.
pub fn domain_bars(a: &AttemptRow) -> Vec<DomainBar> {
    let domains = a.domain_scores.as_ref().map(|d| &d.0[..]).unwrap_or(&[]);
    domains
        .iter()
        .filter(|d| d.max > 0 || !a.is_practice())
        .map(|d| DomainBar {
            title: d.title.clone(),
            percent: d.percent,
            points: d.points,
            max: d.max,
            items: d.items,
            width: d.percent.clamp(0.0, 100.0),
        })
        .collect()
}

pub struct ResultItem {
    pub position: i32,
    pub kind_label: &'static str,
    pub domain: String,
    pub stem_html: String,
    pub scenario_title: Option<String>,
    /// The case study (all tabs) or the problem–solution goal, shown with the first question of
    /// its section.
    pub context: Option<ScenarioView>,
    pub is_solution: bool,
    pub points: i32,
    pub max: i32,
    pub status: &'static str,
    pub shown: Vec<ShownOption>,
    pub written: Vec<String>,
    pub your_answer: Vec<String>,
    pub correct_answer: Vec<String>,
    pub explanation_html: String,
    pub references: Vec<String>,
    /// The question is also in a mock in progress: its answer waits for that mock.
    pub withheld: bool,
    /// What the candidate wrote about this question ("Leave feedback", "Report a problem").
    pub feedback: Option<String>,
}

/// Puts each stored comment with its question.
pub fn with_feedback(mut items: Vec<ResultItem>, feedback: Vec<(i32, String)>) -> Vec<ResultItem> {
    for (position, text) in feedback {
        if let Some(i) = items.iter_mut().find(|i| i.position == position) {
            i.feedback = Some(text);
        }
    }
    items
}

/// Every item of a submitted attempt as the score report shows it; items whose question is in a
/// mock in progress (`open_mock`) keep their key, explanation and points hidden.
pub fn result_items(
    bp: &Blueprint,
    items: &[ItemRow],
    open_mock: &[QuestionId],
) -> Vec<ResultItem> {
    let domain_title = |code: &str| {
        bp.domains
            .iter()
            .find(|d| d.code == code)
            .map(|d| d.title.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let mut last_scenario: Option<String> = None;
    items
        .iter()
        .map(|i| {
            let body = &i.body.0.body;
            let perm = &i.permutation.0;
            let response = i.response.as_ref().map(|r| &r.0);
            let withheld = open_mock.contains(&i.question_id);
            let title = i.scenario.as_ref().map(|s| s.0.title.clone());
            let first_of_section = title.is_some() && title != last_scenario;
            last_scenario = title.clone();
            let points = if withheld { 0 } else { i.points.unwrap_or(0) };
            let max = i.max_points.unwrap_or(0);
            let is_solution = matches!(body, crate::domain::item::ItemBody::YesNo { .. });
            let stem = if is_solution {
                item_view::solution_text(&i.body.0.stem)
            } else {
                &i.body.0.stem
            };
            let mut item = ResultItem {
                position: i.position,
                kind_label: body.kind().label(),
                domain: domain_title(&i.domain_code),
                stem_html: item_view::report_stem(stem),
                scenario_title: title,
                context: first_of_section.then(|| scenario(i)).flatten(),
                is_solution,
                points,
                max,
                status: "withheld",
                shown: vec![],
                written: vec![],
                your_answer: item_view::describe(body, perm, response),
                correct_answer: vec![],
                explanation_html: String::new(),
                references: vec![],
                withheld,
                feedback: None,
            };
            if !withheld {
                item.status = if points == max && max > 0 {
                    "correct"
                } else if points > 0 {
                    "partial"
                } else {
                    "incorrect"
                };
                item.shown = item_view::shown_options(body, perm, response);
                item.written = item_view::written_choices(body);
                item.correct_answer =
                    item_view::describe(body, perm, Some(&Response::correct_for(body)));
                item.explanation_html = explanation_html(i);
                item.references = i.body.0.references.clone();
            }
            item
        })
        .collect()
}

/// A practice set's totals over the items whose answers may be shown: questions that are also in
/// a mock in progress count nowhere until that mock is submitted, or the total would give their
/// correctness away. Returns (points, max, bars per skill area, how many were left out).
pub fn practice_totals(
    bp: &Blueprint,
    items: &[ItemRow],
    open_mock: &[QuestionId],
) -> (i32, i32, Vec<DomainBar>, usize) {
    let counted: Vec<&ItemRow> = items
        .iter()
        .filter(|i| !open_mock.contains(&i.question_id))
        .collect();
    let bars = bp
        .domains
        .iter()
        .filter_map(|d| {
            let mine: Vec<&&ItemRow> = counted.iter().filter(|i| i.domain_code == d.code).collect();
            let points: i32 = mine.iter().map(|i| i.points.unwrap_or(0)).sum();
            let max: i32 = mine.iter().map(|i| i.max_points.unwrap_or(0)).sum();
            (max > 0).then(|| {
                let percent = 100.0 * points as f64 / max as f64;
                DomainBar {
                    title: d.title.clone(),
                    percent,
                    points: points as u32,
                    max: max as u32,
                    items: mine.len() as u32,
                    width: percent.clamp(0.0, 100.0),
                }
            })
        })
        .collect();
    let points = counted.iter().map(|i| i.points.unwrap_or(0)).sum();
    let max = counted.iter().map(|i| i.max_points.unwrap_or(0)).sum();
    (points, max, bars, items.len() - counted.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::item::{Choice, Item, ItemBody};
    use crate::types::QuestionId;
    use sqlx::types::Json;

    fn single(position: i32, section_kind: SectionKind, answer: Option<&str>) -> ItemRow {
        let body = ItemBody::Single {
            options: ["A", "B", "C"]
                .iter()
                .map(|id| Choice {
                    id: id.to_string(),
                    text: format!("option {id}"),
                })
                .collect(),
            key: "B".into(),
        };
        ItemRow {
            position,
            question_id: QuestionId::new_random(),
            version_id: uuid::Uuid::new_v4(),
            section: 0,
            section_kind,
            permutation: Json(Default::default()),
            response: answer.map(|a| {
                Json(Response::Single {
                    choice: Some(a.into()),
                })
            }),
            flagged: false,
            revision: 0,
            answered_at: None,
            ruled_out: Json(vec![]),
            locked: section_kind == SectionKind::Series && answer.is_some(),
            checked: false,
            reviewed_into_schedule: false,
            points: answer.map(|a| (a == "B") as i32),
            max_points: Some(1),
            body: Json(Item {
                id: format!("q{position}"),
                objective: "design.compute".into(),
                stem: "Which **one**?".into(),
                explanation: "**B** is right.".into(),
                references: vec!["https://learn.microsoft.com/x".into()],
                case: None,
                series: None,
                reviewed: None,
                body,
            }),
            scenario: None,
            domain_code: "design".into(),
        }
    }

    #[test]
    fn review_hides_answered_series_items_and_counts_them() {
        let items = vec![
            single(1, SectionKind::Standalone, None),
            single(2, SectionKind::Series, Some("A")),
            single(3, SectionKind::Series, None),
        ];
        let (rows, hidden) = review_rows(&items);
        assert_eq!(hidden, 1);
        assert_eq!(
            rows.iter().map(|r| r.position).collect::<Vec<_>>(),
            vec![1, 3]
        );
    }

    #[test]
    fn a_withheld_item_shows_no_key_points_or_explanation() {
        let items = vec![single(1, SectionKind::Standalone, Some("B"))];
        let bp: Blueprint = toml::from_str(
            r#"
code = "EX-1"
title = "Example"
duration_minutes = 100
question_count = 50
cut_percent = 70.0
[[domains]]
code = "design"
title = "Design"
weight_min = 100
weight_max = 100
[[domains.objectives]]
code = "design.compute"
group = "Design"
title = "Compute"
"#,
        )
        .unwrap();
        let shown = result_items(&bp, &items, &[]);
        assert_eq!(shown[0].status, "correct");
        assert_eq!(shown[0].points, 1);
        assert!(shown[0].explanation_html.contains("is right"));
        let withheld = result_items(&bp, &items, &[items[0].question_id]);
        assert!(withheld[0].withheld);
        assert_eq!(withheld[0].points, 0);
        assert!(withheld[0].correct_answer.is_empty());
        assert!(withheld[0].explanation_html.is_empty());
        assert!(withheld[0].references.is_empty());
    }

    #[test]
    fn reveal_scores_the_stored_answer() {
        let right = reveal(&single(1, SectionKind::Standalone, Some("B")));
        assert!(right.correct);
        assert_eq!((right.points, right.max), (1, 1));
        let wrong = reveal(&single(1, SectionKind::Standalone, Some("C")));
        assert!(!wrong.correct);
        let blank = reveal(&single(1, SectionKind::Standalone, None));
        assert_eq!((blank.points, blank.max), (0, 1));
    }
}
