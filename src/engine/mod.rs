//! The exam engine: every exam-taking rule, in one place. It joins `db/` (what is stored) and
//! `domain/` (what it means) and knows nothing of HTTP or HTML: handlers, the sweeper, the demo
//! and the benchmarks call it, and turn its outcomes into pages.
//!
//! The rules, each with its home:
//!
//! - **Starting** ([`start`]): a full mock follows the blueprint (assembly in `domain::assembly`),
//!   one open mock per exam and candidate; a practice set takes the chosen skill areas, objectives
//!   and kind of question (`domain::practice`). Both go through one item builder that stores the
//!   question version and a per-attempt shuffle of every list.
//! - **Deadline in the database** ([`attempt::load`]): every page and save compares the stored
//!   deadline with the database's `now()`. Saves within the grace (`MOCKEXAM_GRACE_SECONDS`) after
//!   the deadline are accepted and looking at a page during the grace does not close the attempt;
//!   a page or save after the grace finalises it with what was saved.
//! - **Navigation** ([`navigate`]): opening an item enters its section. Leaving a case study
//!   (opening or saving another item, or the review screen) locks all of its items. An answered
//!   problem–solution item locks when the candidate moves on (autosave does not lock it) and is
//!   hidden from review. Next/Previous skip closed items; a closed item's URL says where to go on.
//! - **Saving** ([`save`]): each save carries the revision its page showed and only lands on that
//!   revision; a retry of a save that landed answers "saved", a stale tab's different answer is
//!   refused; a locked or checked item refuses changes but moving on from it unchanged is allowed.
//!   Every save takes the attempt row `FOR SHARE` in its UPDATE, so it lands before scoring or sees
//!   the attempt closed.
//! - **Finalising** ([`finalize`]): takes the attempt row `FOR UPDATE`, scores every item
//!   (`domain::scoring`), records answered items in the review schedule and stores the result.
//!   The sweeper finalises expired attempts with `FOR UPDATE SKIP LOCKED`, so several processes
//!   never finalise one twice.
//! - **Practice** ([`practice`]): "Check answer" reveals an answered item's key and makes the
//!   answer final; a question that is also in a mock in progress keeps its answer hidden until
//!   that mock is submitted.
//! - **Readiness** ([`readiness`]): a candidate's mastery and pass probability from every scored
//!   answer (`domain::readiness`).
//! - **Cohorts** ([`cohorts`]): join codes and their expiry, membership, co-instructors,
//!   assignments and their status, and the dashboard's per-member readiness snapshots.
//! - **Item analysis** ([`analysis`]): each candidate's first submitted mock by default (all as
//!   an option), figures by `domain::stats`; time on item is credited by `db::timing` as item
//!   pages open and close.
//! - **Studio** ([`studio`]): who may open or change which exam, saving questions written in the
//!   browser as new versions after `bank check`'s checks, the review workflow with a second
//!   approver (`domain::workflow`), exams of one's own.

pub mod analysis;
pub mod attempt;
pub mod calibration;
pub mod check;
pub mod cohorts;
pub mod finalize;
pub mod interchange;
pub mod navigate;
pub mod practice;
pub mod readiness;
pub mod save;
pub mod start;
pub mod studio;

pub use finalize::{finalize, sweep};
