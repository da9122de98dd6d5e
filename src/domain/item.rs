//! Question kinds, candidate responses and answer keys.
//!
//! An [`Item`] is what a bank file describes and what a question version stores (as JSON). A
//! [`Response`] is what a candidate gave for one item. Both are plain data: scoring lives in
//! `scoring.rs`, rendering in `web/`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One labelled choice, statement, prompt or action. `id` is the label written in the bank
/// (`A`, `B`, … or `1`, `2`, …); `text` is inline Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum OrderScoring {
    /// One point when the whole list is right.
    #[default]
    AllOrNothing,
    /// One point for each position holding the right action.
    PerPosition,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    pub number: u32,
    pub choices: Vec<Choice>,
}

/// The interaction and its key. Keys name choice ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ItemBody {
    Single {
        options: Vec<Choice>,
        key: String,
    },
    Multiple {
        options: Vec<Choice>,
        choose: u32,
        key: Vec<String>,
    },
    Order {
        actions: Vec<Choice>,
        key: Vec<String>,
        scoring: OrderScoring,
    },
    Dropdown {
        slots: Vec<Slot>,
        /// One choice id per slot, in slot order.
        key: Vec<String>,
    },
    Grid {
        statements: Vec<Choice>,
        key: Vec<bool>,
    },
    Match {
        prompts: Vec<Choice>,
        choices: Vec<Choice>,
        /// One choice id per prompt, in prompt order.
        key: Vec<String>,
    },
    YesNo {
        key: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Single,
    Multiple,
    Order,
    Dropdown,
    Grid,
    Match,
    YesNo,
}

impl ItemKind {
    pub const ALL: [ItemKind; 7] = [
        ItemKind::Single,
        ItemKind::Multiple,
        ItemKind::Order,
        ItemKind::Dropdown,
        ItemKind::Grid,
        ItemKind::Match,
        ItemKind::YesNo,
    ];

    /// The name used in bank files.
    pub fn bank_name(self) -> &'static str {
        match self {
            ItemKind::Single => "single",
            ItemKind::Multiple => "multiple",
            ItemKind::Order => "order",
            ItemKind::Dropdown => "dropdown",
            ItemKind::Grid => "grid",
            ItemKind::Match => "match",
            ItemKind::YesNo => "yesno",
        }
    }

    pub fn from_bank_name(name: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.bank_name() == name)
    }

    /// What candidates and instructors call it.
    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Single => "Single answer",
            ItemKind::Multiple => "Multiple answer",
            ItemKind::Order => "Build list",
            ItemKind::Dropdown => "Drop-down completion",
            ItemKind::Grid => "Yes/No statements",
            ItemKind::Match => "Matching",
            ItemKind::YesNo => "Problem–solution",
        }
    }
}

impl ItemBody {
    pub fn kind(&self) -> ItemKind {
        match self {
            ItemBody::Single { .. } => ItemKind::Single,
            ItemBody::Multiple { .. } => ItemKind::Multiple,
            ItemBody::Order { .. } => ItemKind::Order,
            ItemBody::Dropdown { .. } => ItemKind::Dropdown,
            ItemBody::Grid { .. } => ItemKind::Grid,
            ItemBody::Match { .. } => ItemKind::Match,
            ItemBody::YesNo { .. } => ItemKind::YesNo,
        }
    }

    /// The lists whose display order is shuffled per attempt, by name. Statements and prompts
    /// keep their written order because stems refer to them by number.
    pub fn shufflable_lists(&self) -> Vec<(String, Vec<String>)> {
        let ids = |cs: &[Choice]| cs.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        match self {
            ItemBody::Single { options, .. } | ItemBody::Multiple { options, .. } => {
                vec![("options".into(), ids(options))]
            }
            ItemBody::Order { actions, .. } => vec![("actions".into(), ids(actions))],
            ItemBody::Dropdown { slots, .. } => slots
                .iter()
                .map(|s| (format!("slot{}", s.number), ids(&s.choices)))
                .collect(),
            ItemBody::Match { choices, .. } => vec![("choices".into(), ids(choices))],
            ItemBody::Grid { .. } | ItemBody::YesNo { .. } => vec![],
        }
    }
}

/// A question as written in the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub id: String,
    pub objective: String,
    /// Markdown.
    pub stem: String,
    /// Markdown.
    pub explanation: String,
    pub references: Vec<String>,
    pub case: Option<String>,
    pub series: Option<String>,
    pub reviewed: Option<String>,
    #[serde(flatten)]
    pub body: ItemBody,
}

/// A case study or a problem–solution series: shared text shown with several items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    pub id: String,
    pub kind: ScenarioKind,
    pub title: String,
    /// (tab title, Markdown). A series has one tab, "Scenario".
    pub tabs: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioKind {
    Case,
    Series,
}

impl ScenarioKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ScenarioKind::Case => "case",
            ScenarioKind::Series => "series",
        }
    }
}

/// What a candidate answered. Unanswered parts are `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Response {
    Single {
        choice: Option<String>,
    },
    Multiple {
        choices: Vec<String>,
    },
    Order {
        /// Action id per position.
        positions: Vec<Option<String>>,
    },
    Dropdown {
        slots: Vec<Option<String>>,
    },
    Grid {
        answers: Vec<Option<bool>>,
    },
    Match {
        picks: Vec<Option<String>>,
    },
    YesNo {
        answer: Option<bool>,
    },
}

/// Why a submitted form does not fit the item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    #[error("“{0}” is not one of this question's choices")]
    UnknownChoice(String),
    #[error("choose exactly {0}; you selected {1}")]
    TooManyChoices(u32, usize),
    #[error("each action can be placed only once")]
    RepeatedAction,
    #[error("“{0}” is not a valid answer here")]
    Invalid(String),
}

impl Response {
    /// True when the candidate gave nothing at all.
    pub fn is_empty(&self) -> bool {
        match self {
            Response::Single { choice } => choice.is_none(),
            Response::Multiple { choices } => choices.is_empty(),
            Response::Order { positions } => positions.iter().all(Option::is_none),
            Response::Dropdown { slots } => slots.iter().all(Option::is_none),
            Response::Grid { answers } => answers.iter().all(Option::is_none),
            Response::Match { picks } => picks.iter().all(Option::is_none),
            Response::YesNo { answer } => answer.is_none(),
        }
    }

    /// True when every part has an answer.
    pub fn is_complete(&self, body: &ItemBody) -> bool {
        match (self, body) {
            (Response::Single { choice }, _) => choice.is_some(),
            (Response::Multiple { choices }, ItemBody::Multiple { choose, .. }) => {
                choices.len() as u32 == *choose
            }
            (Response::Order { positions }, ItemBody::Order { key, .. }) => {
                positions.len() == key.len() && positions.iter().all(Option::is_some)
            }
            (Response::Dropdown { slots }, _) => slots.iter().all(Option::is_some),
            (Response::Grid { answers }, _) => answers.iter().all(Option::is_some),
            (Response::Match { picks }, _) => picks.iter().all(Option::is_some),
            (Response::YesNo { answer }, _) => answer.is_some(),
            _ => false,
        }
    }

    /// The empty response of an item's kind.
    pub fn empty_for(body: &ItemBody) -> Response {
        match body {
            ItemBody::Single { .. } => Response::Single { choice: None },
            ItemBody::Multiple { .. } => Response::Multiple { choices: vec![] },
            ItemBody::Order { key, .. } => Response::Order {
                positions: vec![None; key.len()],
            },
            ItemBody::Dropdown { slots, .. } => Response::Dropdown {
                slots: vec![None; slots.len()],
            },
            ItemBody::Grid { statements, .. } => Response::Grid {
                answers: vec![None; statements.len()],
            },
            ItemBody::Match { prompts, .. } => Response::Match {
                picks: vec![None; prompts.len()],
            },
            ItemBody::YesNo { .. } => Response::YesNo { answer: None },
        }
    }

    /// The response that earns every point: used to show the correct answer.
    pub fn correct_for(body: &ItemBody) -> Response {
        match body {
            ItemBody::Single { key, .. } => Response::Single {
                choice: Some(key.clone()),
            },
            ItemBody::Multiple { key, .. } => Response::Multiple {
                choices: key.clone(),
            },
            ItemBody::Order { key, .. } => Response::Order {
                positions: key.iter().cloned().map(Some).collect(),
            },
            ItemBody::Dropdown { key, .. } => Response::Dropdown {
                slots: key.iter().cloned().map(Some).collect(),
            },
            ItemBody::Grid { key, .. } => Response::Grid {
                answers: key.iter().copied().map(Some).collect(),
            },
            ItemBody::Match { key, .. } => Response::Match {
                picks: key.iter().cloned().map(Some).collect(),
            },
            ItemBody::YesNo { key } => Response::YesNo { answer: Some(*key) },
        }
    }

    /// Reads a submitted form (field name → values) for the given item, checking every value
    /// against the item's choices. Field names: `choice` (single, multiple), `pos1..` (order),
    /// `slot1..` (dropdown), `s1..` (grid), `p1..` (match), `answer` (yes/no). Empty values mean
    /// "no answer".
    pub fn from_form(
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
        let check =
            |id: Option<String>, allowed: &[Choice]| -> Result<Option<String>, ResponseError> {
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let err = Response::from_form(
            &body,
            &form(&[("choice", "A"), ("choice", "B"), ("choice", "C")]),
        );
        assert_eq!(err, Err(ResponseError::TooManyChoices(2, 3)));
        let ok = Response::from_form(&body, &form(&[("choice", "C"), ("choice", "A")])).unwrap();
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
            Response::from_form(&body, &form(&[("choice", "Z")])),
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
            Response::from_form(&body, &form(&[("pos1", "A"), ("pos2", "A")])),
            Err(ResponseError::RepeatedAction)
        );
        let partial = Response::from_form(&body, &form(&[("pos2", "C")])).unwrap();
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
        let r = Response::from_form(&body, &form(&[("s1", "yes"), ("s2", "no")])).unwrap();
        assert_eq!(r, Response::correct_for(&body));
        assert!(Response::from_form(&body, &form(&[("s1", "maybe")])).is_err());
    }
}
