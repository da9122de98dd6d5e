//! Starting attempts: full mocks from the blueprint and practice sets from the candidate's
//! choices, stored through one item builder.

use crate::db;
use crate::db::attempts::{CreateOutcome, NewAttempt, NewItem};
use crate::db::exams::ExamRow;
use crate::domain::assembly::{self, Candidate, SectionKind};
use crate::domain::item::Item;
use crate::domain::practice::{self, PracticeCandidate, PracticeRequest, Which};
use crate::types::{AttemptId, Mode, UserId};
use sqlx::PgPool;
use uuid::Uuid;

/// What became of a request to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartOutcome {
    Created(AttemptId),
    /// A full mock of this exam is already in progress: resume it instead.
    AlreadyOpen(AttemptId),
    Refused(StartRefusal),
}

/// Why nothing was started, for the candidate to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartRefusal {
    /// The bank cannot fill a form; the text names the short domain.
    BankTooSmall(String),
    UnknownDomain(String),
    UnknownObjective(String),
    /// No question matches the practice request.
    NothingMatches(Which),
}

pub fn new_seed() -> i64 {
    use rand::Rng;
    // Positive so it reads well in URLs and logs.
    rand::thread_rng().gen_range(1..i64::MAX)
}

/// One chosen question and the section it sits in.
struct Pick<'a> {
    version_id: Uuid,
    item: &'a Item,
    section: u32,
    section_kind: SectionKind,
}

/// The stored items of a new attempt: positions follow `picks`, and every list of every question
/// gets its own shuffle derived from the attempt's seed.
fn build_items<'a>(picks: impl Iterator<Item = Pick<'a>>, seed: i64) -> Vec<NewItem> {
    picks
        .enumerate()
        .map(|(i, p)| NewItem {
            version_id: p.version_id,
            section: p.section as i32,
            section_kind: p.section_kind,
            permutation: assembly::shuffle_lists(
                &p.item.body.shufflable_lists(),
                (seed as u64).wrapping_add(i as u64),
            ),
        })
        .collect()
}

fn outcome(created: CreateOutcome) -> StartOutcome {
    match created {
        CreateOutcome::Created(id) => StartOutcome::Created(id),
        CreateOutcome::AlreadyOpen(id) => StartOutcome::AlreadyOpen(id),
    }
}

/// Builds and stores a full mock for the candidate, or points at the one in progress.
#[tracing::instrument(skip_all, fields(user = %user, exam = %exam.code), err)]
pub async fn mock(
    db: &PgPool,
    user: UserId,
    exam: &ExamRow,
    duration_override: Option<i64>,
) -> anyhow::Result<StartOutcome> {
    let (facts, bank) = tokio::try_join!(
        db::attempts::start_facts(db, user, exam.id),
        db::live_bank::live(db, exam)
    )?;
    if let Some(open) = facts.open_mock {
        return Ok(StartOutcome::AlreadyOpen(open));
    }
    let bp = &exam.blueprint;
    let rows = &bank.questions;
    let candidates: Vec<Candidate> = rows
        .iter()
        .enumerate()
        .map(|(index, r)| Candidate {
            index,
            domain: r.domain_code.clone(),
            group: r.scenario_ext_id.clone().zip(r.scenario_kind),
            seen: facts.seen.contains(&r.question_id),
        })
        .collect();
    let seed = new_seed();
    let slots = match assembly::assemble(bp, &candidates, seed as u64) {
        Ok(slots) => slots,
        Err(e) => {
            return Ok(StartOutcome::Refused(StartRefusal::BankTooSmall(
                e.to_string(),
            )))
        }
    };
    // Only the chosen questions' bodies are needed (for their option lists), from the cache of
    // immutable versions rather than the whole bank's JSON on every start.
    let chosen: Vec<Uuid> = slots.iter().map(|s| rows[s.index].version_id).collect();
    let versions = db::versions::cached_many(db, &chosen).await?;
    let items = build_items(
        slots.iter().zip(&versions).map(|(s, v)| Pick {
            version_id: rows[s.index].version_id,
            item: &v.body,
            section: s.section,
            section_kind: s.section_kind,
        }),
        seed,
    );
    let created = db::attempts::create(
        db,
        NewAttempt {
            user_id: user,
            exam_id: exam.id,
            mode: Mode::Exam,
            seed,
            duration_seconds: Some(duration_override.unwrap_or(bp.duration_minutes as i64 * 60)),
            title: format!("{} full mock", bp.code),
            settings: serde_json::json!({}),
        },
        &items,
    )
    .await?;
    if let CreateOutcome::Created(_) = created {
        metrics::counter!("mockexam_attempts_started_total", "mode" => Mode::Exam.as_str())
            .increment(1);
    }
    Ok(outcome(created))
}

/// Builds and stores a practice set of the candidate's choosing.
#[tracing::instrument(skip_all, fields(user = %user, exam = %exam.code), err)]
pub async fn practice_set(
    db: &PgPool,
    user: UserId,
    exam: &ExamRow,
    req: &PracticeRequest,
    timed: bool,
) -> anyhow::Result<StartOutcome> {
    let bp = &exam.blueprint;
    if let Some(d) = req
        .domains
        .iter()
        .find(|d| !bp.domains.iter().any(|x| &x.code == *d))
    {
        return Ok(StartOutcome::Refused(StartRefusal::UnknownDomain(
            d.clone(),
        )));
    }
    if let Some(o) = req.objectives.iter().find(|o| bp.objective(o).is_none()) {
        return Ok(StartOutcome::Refused(StartRefusal::UnknownObjective(
            o.clone(),
        )));
    }
    let rows = db::attempts::practice_pool(db, exam, user).await?;
    let candidates: Vec<PracticeCandidate> = rows
        .iter()
        .enumerate()
        .map(|(index, r)| PracticeCandidate {
            index,
            domain: r.domain_code.clone(),
            objective: r.objective_code.clone(),
            seen: r.seen,
            wrong_before: r.wrong_before,
            marked: r.marked,
            due: r.due,
        })
        .collect();
    let seed = new_seed();
    let picked = practice::select(&candidates, req, seed as u64);
    if picked.is_empty() {
        return Ok(StartOutcome::Refused(StartRefusal::NothingMatches(
            req.which,
        )));
    }
    let chosen: Vec<Uuid> = picked.iter().map(|&i| rows[i].version_id).collect();
    let versions = db::versions::cached_many(db, &chosen).await?;
    let items = build_items(
        picked.iter().zip(&versions).map(|(&i, v)| Pick {
            version_id: rows[i].version_id,
            item: &v.body,
            section: 0,
            section_kind: SectionKind::Standalone,
        }),
        seed,
    );
    let pace = bp.duration_minutes as i64 * 60 / bp.question_count.max(1) as i64;
    let title = format!(
        "{} practice: {} — {}",
        bp.code,
        practice::scope(bp, req),
        req.which.describe()
    );
    let created = db::attempts::create(
        db,
        NewAttempt {
            user_id: user,
            exam_id: exam.id,
            mode: Mode::Practice,
            seed,
            duration_seconds: timed.then_some(pace * items.len() as i64),
            title: title.chars().take(200).collect(),
            settings: serde_json::json!({
                "domains": req.domains, "objectives": req.objectives, "size": req.size,
                "which": format!("{:?}", req.which), "timed": timed,
            }),
        },
        &items,
    )
    .await?;
    metrics::counter!("mockexam_attempts_started_total", "mode" => Mode::Practice.as_str())
        .increment(1);
    Ok(outcome(created))
}
