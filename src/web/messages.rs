//! What candidates read when something did not go as asked: every such sentence lives here, so
//! the wording is consistent and reviewed in one place.

use crate::domain::assembly::SectionKind;
use crate::domain::practice;
use crate::engine::practice::CheckOutcome;
use crate::engine::start::StartRefusal;

pub const SUBMITTED: &str = "This attempt has been submitted; answers can no longer change.";
pub const ATTEMPT_CLOSED: &str = "This attempt has been submitted.";
pub const STALE: &str = "Not saved: this answer was changed in another tab or window after this page was loaded. Reload the page to see the newest answer.";
pub const LOCKED: &str = "Not saved: this question is closed and its answer can no longer change.";
pub const TOO_LATE: &str = "Time is up: this answer arrived after the deadline. Your attempt was scored with the answers saved before it.";
pub const MISSING_REVISION: &str = "The form is missing its revision number; reload the page.";
pub const KEY_AFTER_SUBMIT: &str = "Answers are shown only after a full mock is submitted.";
pub const IN_OPEN_MOCK: &str = "This question is also in your full mock in progress, so its answer is shown after you submit that mock.";
pub const ANSWER_FIRST: &str = "Answer the question first, then check it.";
pub const CHOOSE_WHICH: &str = "Choose which questions to practise.";
pub const CASE_NOTE_SERIES: &str = "Problem–solution set: each question presents a different solution to the same goal. Once you leave a question in this set, answered or not, you cannot return to it, and it does not appear on the review screen.";

pub const NO_BREAKS: &str = "This exam offers no breaks.";
pub const NO_BREAK_IN_SERIES: &str =
    "As on the real exam, there is no break inside a problem–solution set. Finish the set first.";
pub const DISCARD_ONLY_OPEN_MOCKS: &str = "Only a full mock in progress can be discarded.";
pub const FEEDBACK_EMPTY: &str = "Write your comment first, then send it.";
pub const FEEDBACK_TOO_LONG: &str =
    "Your comment is longer than 2,000 characters; shorten it and send it again.";

/// An answer that is not a valid answer to the question.
pub fn invalid_answer(why: &str) -> String {
    format!("Not saved: {why}.")
}

/// Why an answer cannot be shown yet; `None` when it was revealed.
pub fn check_refusal(outcome: CheckOutcome) -> Option<&'static str> {
    match outcome {
        CheckOutcome::Revealed => None,
        CheckOutcome::NotAnswered => Some(ANSWER_FIRST),
        CheckOutcome::InOpenMock => Some(IN_OPEN_MOCK),
    }
}

/// Why an item page cannot be opened, and where to continue.
pub fn closed_item(section_kind: SectionKind, continue_at: Option<i32>) -> String {
    let why = if section_kind == SectionKind::Series {
        "You left this problem–solution question; like on the real exam, it cannot be reopened."
    } else {
        "You left this case study, so its questions are closed."
    };
    match continue_at {
        Some(p) => format!("{why} Continue with question {p}."),
        None => format!("{why} Continue on the review screen."),
    }
}

/// The note above a case-study question.
pub fn case_note(first: i32, last: i32) -> String {
    format!(
        "Case study: questions {first}–{last}. Once you leave this case study you cannot return to it."
    )
}

/// Why no attempt was started.
pub fn start_refusal(r: &StartRefusal, exam_code: &str) -> String {
    match r {
        StartRefusal::BankTooSmall(why) => {
            format!("A mock cannot be built from this bank yet: {why}")
        }
        StartRefusal::UnknownDomain(d) => format!("“{d}” is not a skill area of {exam_code}."),
        StartRefusal::UnknownObjective(o) => format!("“{o}” is not an objective of {exam_code}."),
        StartRefusal::NothingMatches(which) => format!(
            "No question matches: there are no {} in the areas you chose.",
            which.describe()
        ),
    }
}

/// A practice-set size outside the allowed range.
pub fn practice_size(entered: &str) -> String {
    format!(
        "Choose a size from {} to {} questions (you entered “{entered}”).",
        practice::MIN_SIZE,
        practice::MAX_SIZE
    )
}
