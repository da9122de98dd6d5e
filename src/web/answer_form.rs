//! The answer form of a question page, read into a `Response`. Field names depend on the
//! question's kind: `choice` (single, multiple), `pos1..` (order), `slot1..` (drop-down), `s1..`
//! (grid), `p1..` (match) and `answer` (yes/no); besides them every form carries `revision`,
//! `flagged` and the `nav` button that was pressed.

use super::messages;
use crate::domain::item::{Choice, ItemBody, Response, ResponseError};
use crate::engine::save::AnswerSource;
use crate::error::AppError;
use crate::types::Nav;
use std::collections::BTreeMap;

/// A posted question form: the fields every question has, typed, and the answer fields as posted.
pub struct AnswerForm {
    pub revision: i32,
    pub flagged: bool,
    pub nav: Nav,
    /// The question chosen in the navigator (with `nav=goto`).
    pub goto: Option<i32>,
    /// "Leave feedback" text, when the candidate wrote some.
    pub feedback: Option<String>,
    /// Options struck through ("rule out").
    pub ruled_out: Vec<String>,
    fields: BTreeMap<String, Vec<String>>,
}

impl AnswerForm {
    /// Reads an `application/x-www-form-urlencoded` body.
    pub fn parse(body: &[u8]) -> Result<AnswerForm, AppError> {
        let fields = super::form_fields(body);
        let last = |name: &str| super::field(&fields, name).to_string();
        let revision = last("revision")
            .parse()
            .map_err(|_| AppError::BadRequest(messages::MISSING_REVISION.into()))?;
        let flagged = matches!(last("flagged").as_str(), "on" | "true");
        let goto = last("goto").parse().ok();
        // A navigator button posts only `goto`; a form posted without a known button ends on
        // the review screen.
        let nav = match Nav::parse(&last("nav")) {
            Some(nav) => nav,
            None if goto.is_some() => Nav::Goto,
            None => Nav::Review,
        };
        let feedback = Some(last("feedback")).filter(|f| !f.trim().is_empty());
        let ruled_out = fields.get("ruled_out").cloned().unwrap_or_default();
        Ok(AnswerForm {
            revision,
            flagged,
            nav,
            goto,
            feedback,
            ruled_out,
            fields,
        })
    }
}

impl AnswerSource for AnswerForm {
    fn response_for(&self, body: &ItemBody) -> Result<Response, String> {
        parse(body, &self.fields).map_err(|e| messages::invalid_answer(&e.to_string()))
    }
}

/// Reads the answer fields for the given item, checking every value against the item's choices.
/// Empty values mean "no answer".
/// Reads a submitted form (field name → values) for the given item, checking every value
/// against the item's choices. Field names: `choice` (single, multiple), `pos1..` (order),
/// `slot1..` (dropdown), `s1..` (grid), `p1..` (match), `answer` (yes/no). Empty values mean
/// "no answer".
pub fn parse(
    body: &ItemBody,
    fields: &BTreeMap<String, Vec<String>>,
) -> Result<Response, ResponseError> {
    let values = |name: &str| -> Vec<String> {
        fields
            .get(name)
            .map(|v| v.iter().filter(|s| !s.is_empty()).cloned().collect())
            .unwrap_or_default()
    };
    let one = |name: &str| values(name).into_iter().next_back();
    let check = |id: Option<String>, allowed: &[Choice]| -> Result<Option<String>, ResponseError> {
        match id {
            None => Ok(None),
            Some(id) if allowed.iter().any(|c| c.id == id) => Ok(Some(id)),
            Some(id) => Err(ResponseError::UnknownChoice(id)),
        }
    };
    let yes_no = |v: Option<String>| -> Result<Option<bool>, ResponseError> {
        match v.as_deref() {
            None => Ok(None),
            Some("yes") => Ok(Some(true)),
            Some("no") => Ok(Some(false)),
            Some(other) => Err(ResponseError::Invalid(other.to_string())),
        }
    };
    Ok(match body {
        ItemBody::Single { options, .. } => Response::Single {
            choice: check(one("choice"), options)?,
        },
        ItemBody::Multiple {
            options, choose, ..
        } => {
            let mut choices = Vec::new();
            for v in values("choice") {
                let id = check(Some(v), options)?.expect("some in, some out");
                if !choices.contains(&id) {
                    choices.push(id);
                }
            }
            if choices.len() > *choose as usize {
                return Err(ResponseError::TooManyChoices(*choose, choices.len()));
            }
            choices.sort();
            Response::Multiple { choices }
        }
        ItemBody::Order { actions, key, .. } => {
            let mut positions = Vec::with_capacity(key.len());
            for n in 1..=key.len() {
                positions.push(check(one(&format!("pos{n}")), actions)?);
            }
            let placed: Vec<&String> = positions.iter().flatten().collect();
            let mut unique = placed.clone();
            unique.sort();
            unique.dedup();
            if unique.len() != placed.len() {
                return Err(ResponseError::RepeatedAction);
            }
            Response::Order { positions }
        }
        ItemBody::Dropdown { slots, .. } => Response::Dropdown {
            slots: slots
                .iter()
                .map(|s| check(one(&format!("slot{}", s.number)), &s.choices))
                .collect::<Result<_, _>>()?,
        },
        ItemBody::Grid { statements, .. } => Response::Grid {
            answers: (1..=statements.len())
                .map(|n| yes_no(one(&format!("s{n}"))))
                .collect::<Result<_, _>>()?,
        },
        ItemBody::Match {
            prompts, choices, ..
        } => Response::Match {
            picks: (1..=prompts.len())
                .map(|n| check(one(&format!("p{n}")), choices))
                .collect::<Result<_, _>>()?,
        },
        ItemBody::YesNo { .. } => Response::YesNo {
            answer: yes_no(one("answer"))?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::item::OrderScoring;

    fn ch(id: &str) -> Choice {
        Choice {
            id: id.into(),
            text: format!("option {id}"),
        }
    }

    fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (k, v) in pairs {
            m.entry(k.to_string()).or_default().push(v.to_string());
        }
        m
    }

    #[test]
    fn multiple_refuses_more_than_choose() {
        let body = ItemBody::Multiple {
            options: vec![ch("A"), ch("B"), ch("C")],
            choose: 2,
            key: vec!["A".into(), "B".into()],
        };
        let err = parse(
            &body,
            &form(&[("choice", "A"), ("choice", "B"), ("choice", "C")]),
        );
        assert_eq!(err, Err(ResponseError::TooManyChoices(2, 3)));
        let ok = parse(&body, &form(&[("choice", "C"), ("choice", "A")])).unwrap();
        assert_eq!(
            ok,
            Response::Multiple {
                choices: vec!["A".into(), "C".into()]
            }
        );
    }

    #[test]
    fn unknown_choice_is_refused() {
        let body = ItemBody::Single {
            options: vec![ch("A"), ch("B")],
            key: "A".into(),
        };
        assert_eq!(
            parse(&body, &form(&[("choice", "Z")])),
            Err(ResponseError::UnknownChoice("Z".into()))
        );
    }

    #[test]
    fn order_refuses_repeated_action() {
        let body = ItemBody::Order {
            actions: vec![ch("A"), ch("B"), ch("C")],
            key: vec!["A".into(), "B".into()],
            scoring: OrderScoring::PerPosition,
        };
        assert_eq!(
            parse(&body, &form(&[("pos1", "A"), ("pos2", "A")])),
            Err(ResponseError::RepeatedAction)
        );
        let partial = parse(&body, &form(&[("pos2", "C")])).unwrap();
        assert_eq!(
            partial,
            Response::Order {
                positions: vec![None, Some("C".into())]
            }
        );
        assert!(!partial.is_complete(&body));
    }

    #[test]
    fn grid_reads_yes_and_no() {
        let body = ItemBody::Grid {
            statements: vec![ch("1"), ch("2")],
            key: vec![true, false],
        };
        let r = parse(&body, &form(&[("s1", "yes"), ("s2", "no")])).unwrap();
        assert_eq!(r, Response::correct_for(&body));
        assert!(parse(&body, &form(&[("s1", "maybe")])).is_err());
    }
}
