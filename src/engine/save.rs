//! Saving an answer: one request in, one outcome out.

use crate::db;
use crate::db::attempts::{AnswerWrite, AttemptRow, ItemRow, RefusalFacts, StoredAnswer, Written};
use crate::domain::assembly::SectionKind;
use crate::domain::item::{ItemBody, Response};
use crate::types::{AttemptId, Nav, SubmitReason, UserId};
use sqlx::PgPool;

/// Reads the candidate's answer for a given question; the web layer implements it for the
/// posted form, whose field names depend on the question.
pub trait AnswerSource: Sync {
    /// The answer, or why it is not a valid answer to this question (in the candidate's words).
    fn response_for(&self, body: &ItemBody) -> Result<Response, String>;
}

/// What the browser posted for one item: whose attempt, which item, the answer and its marks.
pub struct Posted<'a> {
    pub attempt: AttemptId,
    pub user: UserId,
    pub position: i32,
    /// The revision the candidate's page showed.
    pub base_revision: i32,
    pub answer: &'a dyn AnswerSource,
    pub flagged: bool,
    /// Options struck through ("rule out"); ids that are not options of the question are dropped.
    pub ruled_out: &'a [String],
    pub grace_seconds: i64,
}

impl Posted<'_> {
    /// The write of this post's answer (already read for the question) and kept strikes.
    fn write<'w>(
        &'w self,
        response: &'w Response,
        ruled_out: &'w [String],
        lock: bool,
    ) -> AnswerWrite<'w> {
        AnswerWrite {
            attempt_id: self.attempt,
            user_id: self.user,
            position: self.position,
            base_revision: self.base_revision,
            response,
            flagged: self.flagged,
            ruled_out,
            grace_seconds: self.grace_seconds,
            lock,
        }
    }
}

pub struct SaveRequest<'a> {
    pub posted: &'a Posted<'a>,
    pub attempt: &'a AttemptRow,
    /// The item at `position` as read with the attempt (`None`: the attempt has no such item).
    pub item: Option<&'a ItemRow>,
    pub nav: Nav,
    /// A background save (JSON) never moves on, so it never locks a problem–solution answer.
    pub autosave: bool,
}

/// What became of a save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveOutcome {
    Saved {
        revision: i32,
    },
    /// The item is closed and nothing changed: the candidate is only moving on.
    Unchanged {
        revision: i32,
    },
    /// Someone saved a newer answer since the page was loaded.
    Stale {
        current_revision: i32,
    },
    /// The item is closed (left case study, answered series item, checked practice item).
    Locked {
        revision: i32,
    },
    /// The save came after the deadline and its grace; the attempt is now finalised.
    TooLate {
        revision: i32,
    },
    /// The attempt was already submitted.
    Closed {
        revision: i32,
    },
    /// The form does not hold a valid answer to this question.
    Invalid {
        message: String,
        revision: i32,
    },
}

/// Saves one answer; `None` when the item does not exist in the candidate's attempt.
#[tracing::instrument(
    skip_all,
    fields(user = %req.posted.user, attempt = %req.attempt.id, position = req.posted.position, nav = %req.nav),
    err
)]
pub async fn save(db: &PgPool, req: &SaveRequest<'_>) -> anyhow::Result<Option<SaveOutcome>> {
    let (a, p) = (req.attempt, req.posted);
    let Some(row) = req.item else {
        return Ok(None);
    };
    if !a.in_progress() {
        return Ok(Some(SaveOutcome::Closed {
            revision: row.revision,
        }));
    }
    let response = match p.answer.response_for(&row.body.0.body) {
        Ok(r) => r,
        Err(message) => {
            return Ok(Some(SaveOutcome::Invalid {
                message,
                revision: row.revision,
            }))
        }
    };
    // A closed question (a case study left, a problem–solution question left, a checked practice
    // answer) keeps its answer. Moving on from it is just moving on, whatever its disabled
    // controls posted; an autosave that posts nothing new only changes the review mark.
    if row.locked || row.checked {
        let stored = row.response.as_ref().map(|r| &r.0);
        let nothing_new = response.is_empty() || stored == Some(&response);
        if !req.autosave || nothing_new {
            if row.flagged != p.flagged {
                db::attempts::set_flag(db, a.id, p.user, p.position, p.flagged).await?;
            }
            return Ok(Some(SaveOutcome::Unchanged {
                revision: row.revision,
            }));
        }
        return Ok(Some(SaveOutcome::Locked {
            revision: row.revision,
        }));
    }
    let lock = locks_on_save(row, req.autosave, req.nav);
    let ruled_out = ruled_out_options(&row.body.0.body, p.ruled_out);
    if moves_on_from_a_stored_answer(req, row, &response, &ruled_out, lock) {
        let unchanged = SaveOutcome::Unchanged {
            revision: row.revision,
        };
        metrics::counter!("mockexam_saves_total", "outcome" => unchanged.metric_label())
            .increment(1);
        return Ok(Some(unchanged));
    }
    let write = p.write(&response, &ruled_out, lock);
    let outcome = match db::attempts::write_answer(db, &write).await? {
        StoredAnswer::Written(w) => SaveOutcome::Saved {
            revision: w.revision,
        },
        StoredAnswer::Refused(facts) => {
            explain_refusal(&facts, &response, p.flagged, p.base_revision, row.revision)
        }
        StoredAnswer::Missing => return Ok(None),
    };
    metrics::counter!("mockexam_saves_total", "outcome" => outcome.metric_label()).increment(1);
    match &outcome {
        // Answering a question outside an open case study leaves the case study, exactly as
        // opening that question would.
        SaveOutcome::Saved { .. }
            if leaves_section(a.open_section, row.section_kind, row.section) =>
        {
            let target = case_section(row.section_kind, row.section);
            db::attempts::enter_section(db, a.id, target).await?;
        }
        SaveOutcome::TooLate { .. } => {
            super::finalize(db, a.id, SubmitReason::Expired).await?;
        }
        _ => {}
    }
    Ok(Some(outcome))
}

/// A navigation post (Next, Back, a question in the navigator) from the page the autosave kept
/// current, whose answer, mark and struck options are what the item already holds, has nothing
/// to write: writing it again would only bump the revision and move `answered_at` by less than
/// the attempt's time limit. Everything else still writes, as before: a move that closes the
/// question (a problem–solution answer) or leaves an open case study, a practice check, a post
/// from a page older than the stored answer (a stale tab gets its conflict page), a post after
/// the deadline (the write decides whether it is too late), and any post in an untimed
/// attempt, where a return days later counts as that day's answer in activity and readiness.
fn moves_on_from_a_stored_answer(
    req: &SaveRequest<'_>,
    row: &ItemRow,
    response: &Response,
    ruled_out: &[String],
    lock: bool,
) -> bool {
    let stored_same = match row.response.as_ref() {
        Some(stored) => &stored.0 == response,
        None => response.is_empty(),
    };
    let a = req.attempt;
    !req.autosave
        && !lock
        && req.nav != Nav::Check
        && a.deadline_at.is_some()
        && !a.expired()
        && !leaves_section(a.open_section, row.section_kind, row.section)
        && row.revision == req.posted.base_revision
        && stored_same
        && row.flagged == req.posted.flagged
        && row.ruled_out.0 == ruled_out
}

/// A problem–solution question closes when the candidate moves on from it, answered or not, as
/// on the real exam; autosave (and the "stay" button) keeps it open.
fn locks_on_save(item: &ItemRow, autosave: bool, nav: Nav) -> bool {
    item.section_kind == SectionKind::Series && !autosave && nav != Nav::Stay
}

/// Answering a question (of `kind`, in `section`) outside the open case study leaves (and
/// closes) the case study.
fn leaves_section(open_section: Option<i32>, kind: SectionKind, section: i32) -> bool {
    open_section.is_some() && open_section != case_section(kind, section)
}

/// The case-study section an item belongs to (`None` outside case studies).
pub fn case_section(kind: SectionKind, section: i32) -> Option<i32> {
    (kind == SectionKind::Case).then_some(section)
}

/// Whether a save of `item` that landed (a form post moving with `nav`) closed any question:
/// then the navigation read before it is out of date.
pub fn closed_something(a: &AttemptRow, item: &ItemRow, nav: Nav) -> bool {
    locks_on_save(item, false, nav)
        || leaves_section(a.open_section, item.section_kind, item.section)
}

/// The common case of an autosave in one statement: the question comes from the process's
/// caches (`db::layout`, `db::versions`) and the answer is written first. `Some` only when it
/// landed; an invalid answer, a closed or stale item, an attempt over or anyone else's attempt
/// give `None`, and then [`save`] decides and explains from the database as for every save.
#[tracing::instrument(
    skip_all,
    fields(user = %req.user, attempt = %req.attempt, position = req.position),
    err
)]
pub async fn autosave(db: &PgPool, req: &Posted<'_>) -> anyhow::Result<Option<Written>> {
    let Some(placed) = db::layout::placed(db, req.attempt, req.user, req.position).await? else {
        return Ok(None);
    };
    let version = db::versions::cached(db, placed.version_id).await?;
    let Ok(response) = req.answer.response_for(&version.body.body) else {
        return Ok(None);
    };
    let ruled_out = ruled_out_options(&version.body.body, req.ruled_out);
    let write = req.write(&response, &ruled_out, false);
    let Some(written) = db::attempts::try_write_answer(db, &write).await? else {
        return Ok(None);
    };
    let saved = SaveOutcome::Saved {
        revision: written.revision,
    };
    metrics::counter!("mockexam_saves_total", "outcome" => saved.metric_label()).increment(1);
    if leaves_section(written.open_section, placed.section_kind, placed.section) {
        let target = case_section(placed.section_kind, placed.section);
        db::attempts::enter_section(db, req.attempt, target).await?;
    }
    Ok(Some(written))
}

/// The struck-through options that are options of the question; anything else is dropped.
fn ruled_out_options(body: &ItemBody, posted: &[String]) -> Vec<String> {
    let options = body.shufflable_lists();
    posted
        .iter()
        .filter(|id| {
            options
                .iter()
                .any(|(list, ids)| list == "options" && ids.contains(id))
        })
        .cloned()
        .collect()
}

/// Why a write did not land, from what the row holds. A retry of a save that already landed
/// (same content, one revision on) counts as saved, so retries are harmless.
pub fn explain_refusal(
    facts: &RefusalFacts,
    response: &Response,
    flagged: bool,
    base_revision: i32,
    shown_revision: i32,
) -> SaveOutcome {
    let same_content =
        facts.response.as_ref().map(|j| &j.0) == Some(response) && facts.flagged == flagged;
    if facts.status != crate::types::AttemptStatus::InProgress {
        SaveOutcome::Closed {
            revision: shown_revision,
        }
    } else if facts.too_late {
        SaveOutcome::TooLate {
            revision: shown_revision,
        }
    } else if same_content && facts.revision == base_revision + 1 {
        SaveOutcome::Saved {
            revision: facts.revision,
        }
    } else if facts.locked || facts.checked {
        SaveOutcome::Locked {
            revision: shown_revision,
        }
    } else {
        SaveOutcome::Stale {
            current_revision: facts.revision,
        }
    }
}

impl SaveOutcome {
    fn metric_label(&self) -> &'static str {
        match self {
            SaveOutcome::Saved { .. } => "saved",
            SaveOutcome::Unchanged { .. } => "unchanged",
            SaveOutcome::Stale { .. } => "stale",
            SaveOutcome::Locked { .. } => "locked",
            SaveOutcome::TooLate { .. } => "too_late",
            SaveOutcome::Closed { .. } => "closed",
            SaveOutcome::Invalid { .. } => "invalid",
        }
    }

    /// The revision the candidate's page should carry from now on.
    pub fn revision(&self) -> i32 {
        match self {
            SaveOutcome::Saved { revision }
            | SaveOutcome::Unchanged { revision }
            | SaveOutcome::Locked { revision }
            | SaveOutcome::TooLate { revision }
            | SaveOutcome::Closed { revision }
            | SaveOutcome::Invalid { revision, .. } => *revision,
            SaveOutcome::Stale { current_revision } => *current_revision,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::AttemptStatus;
    use sqlx::types::Json;

    fn answer(choice: &str) -> Response {
        Response::Single {
            choice: Some(choice.into()),
        }
    }

    fn facts(revision: i32, stored: &str) -> RefusalFacts {
        RefusalFacts {
            revision,
            locked: false,
            checked: false,
            response: Some(Json(answer(stored))),
            flagged: false,
            status: AttemptStatus::InProgress,
            too_late: false,
        }
    }

    #[test]
    fn a_retry_of_a_save_that_landed_counts_as_saved() {
        let f = facts(4, "a");
        assert_eq!(
            explain_refusal(&f, &answer("a"), false, 3, 3),
            SaveOutcome::Saved { revision: 4 }
        );
    }

    #[test]
    fn a_different_answer_from_an_older_page_is_stale() {
        let f = facts(4, "a");
        assert_eq!(
            explain_refusal(&f, &answer("b"), false, 3, 3),
            SaveOutcome::Stale {
                current_revision: 4
            }
        );
        // The same answer but two revisions on was overwritten in between: also stale.
        let f = facts(5, "a");
        assert_eq!(
            explain_refusal(&f, &answer("a"), false, 3, 3),
            SaveOutcome::Stale {
                current_revision: 5
            }
        );
    }

    #[test]
    fn closed_attempts_and_late_saves_win_over_everything_else() {
        let mut f = facts(3, "a");
        f.locked = true;
        f.too_late = true;
        assert_eq!(
            explain_refusal(&f, &answer("b"), false, 3, 3),
            SaveOutcome::TooLate { revision: 3 }
        );
        f.status = AttemptStatus::Submitted;
        assert_eq!(
            explain_refusal(&f, &answer("b"), false, 3, 3),
            SaveOutcome::Closed { revision: 3 }
        );
    }

    #[test]
    fn locked_and_checked_items_refuse_changes() {
        for (locked, checked) in [(true, false), (false, true)] {
            let mut f = facts(3, "a");
            f.locked = locked;
            f.checked = checked;
            assert_eq!(
                explain_refusal(&f, &answer("b"), false, 3, 3),
                SaveOutcome::Locked { revision: 3 }
            );
        }
    }
}
