//! Question kinds, candidate responses and answer keys.
//!
//! An [`Item`] is what a bank file describes and what a question version stores (as JSON). A
//! [`Response`] is what a candidate gave for one item. Both are plain data: scoring lives in
//! `scoring.rs`, rendering in `web/`.

use serde::{Deserialize, Serialize};

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
}
