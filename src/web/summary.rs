//! One line per attempt, as the home page, the exam page and "My attempts" list them.

use crate::db::attempts::AttemptRow;
use crate::types::{AttemptId, Mode, SubmitReason};

pub struct AttemptSummary {
    pub id: AttemptId,
    pub title: String,
    pub mode: Mode,
    pub started: String,
    pub status: String,
    pub in_progress: bool,
    pub scaled: Option<i32>,
    pub passed: Option<bool>,
    pub answered: i64,
    pub items: i64,
}

impl AttemptSummary {
    pub fn is_practice(&self) -> bool {
        self.mode == Mode::Practice
    }
}

pub fn summarise(a: &AttemptRow) -> AttemptSummary {
    AttemptSummary {
        id: a.id,
        title: if a.title.is_empty() {
            a.exam_code.clone()
        } else {
            a.title.clone()
        },
        mode: a.mode,
        started: super::format::time(a.started_at),
        status: if a.in_progress() {
            "In progress".into()
        } else {
            match a.submit_reason {
                Some(SubmitReason::Candidate) => "Submitted".into(),
                _ => "Submitted when time ran out".into(),
            }
        },
        in_progress: a.in_progress(),
        scaled: a.scaled_score,
        passed: a.passed,
        answered: a.answered_count,
        items: a.item_count,
    }
}
