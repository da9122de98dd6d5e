//! The adaptive readiness check: an attempt in mode `check` whose next question is chosen after
//! each answer (`domain::adaptive`) from the calibrated bank's standalone questions, under the
//! same item pages, saving and deadline rules as a full mock. Items close once the candidate
//! moves on (a computer-adaptive test does not go back). The check ends when its estimate is as
//! precise as a full mock's, and its result is the expected scaled score of a fresh form at the
//! measured ability.

use super::calibration::{self, CalibratedBank};
use crate::db;
use crate::db::attempts::{AttemptRow, CreateOutcome, ItemRow, NewAttempt, NewItem};
use crate::db::exams::ExamRow;
use crate::domain::adaptive::{self, Config};
use crate::domain::assembly::{self, SectionKind};
use crate::domain::forecast::BankItem;
use crate::domain::readiness;
use crate::domain::scoring;
use crate::types::{AttemptId, ExamId, Mode, Nav, QuestionId, SubmitReason, UserId};
use anyhow::Context;
use sqlx::PgPool;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckStart {
    Created(AttemptId),
    AlreadyOpen(AttemptId),
    /// The bank cannot support a check; the reason in words.
    Refused(String),
}

/// Where the candidate goes after answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advance {
    Item(i32),
    Finished,
}

/// Checks shown before exposure rates are trusted, and how many recent checks they count.
const EXPOSURE_WINDOW: i64 = 500;

/// The check's pool: live standalone questions in a blueprint area, as (bank index, item).
fn pool(bank: &CalibratedBank, hidden: &[QuestionId]) -> Vec<(usize, BankItem)> {
    bank.versions
        .iter()
        .enumerate()
        .filter(|(i, v)| {
            v.live && v.standalone && bank.area[*i].is_some() && !hidden.contains(&v.question_id)
        })
        .map(|(i, _)| {
            (
                i,
                BankItem {
                    domain: bank.area[i].unwrap_or(0),
                    params: bank.params[i].clone(),
                },
            )
        })
        .collect()
}

/// Questions a full form has per area, as the check's content targets (under the blueprint the
/// bank's areas were numbered by).
fn targets(bank: &CalibratedBank) -> Vec<f64> {
    readiness::form_counts(&bank.blueprint)
        .unwrap_or_default()
        .iter()
        .map(|&n| n as f64)
        .collect()
}

fn new_item(bank: &CalibratedBank, index: usize, seed: i64, position: i32) -> NewItem {
    let v = &bank.versions[index];
    NewItem {
        version_id: v.version_id,
        section: position,
        section_kind: SectionKind::Standalone,
        permutation: assembly::shuffle_lists(
            &v.body.0.body.shufflable_lists(),
            (seed as u64).wrapping_add(position as u64),
        ),
    }
}

/// Exposure counts for the pool, and the number of recent checks.
async fn exposure(
    db: &PgPool,
    exam: &ExamRow,
    bank: &CalibratedBank,
    pool: &[(usize, BankItem)],
) -> anyhow::Result<(Vec<u32>, u32)> {
    let (shown, checks) = db::calibration::check_exposure(db, exam.id, EXPOSURE_WINDOW).await?;
    let by_question: HashMap<QuestionId, i64> = shown.into_iter().collect();
    let counts = pool
        .iter()
        .map(|(i, _)| {
            by_question
                .get(&bank.versions[*i].question_id)
                .copied()
                .unwrap_or(0) as u32
        })
        .collect();
    Ok((counts, checks as u32))
}

/// Starts a check with its first question (or points at the one in progress).
#[tracing::instrument(skip_all, fields(user = %user, exam = %exam.code), err)]
pub async fn start(db: &PgPool, user: UserId, exam: &ExamRow) -> anyhow::Result<CheckStart> {
    if let Some(open) = db::attempts::open_check(db, user, exam.id).await? {
        return Ok(CheckStart::AlreadyOpen(open));
    }
    let (bank, hidden) = tokio::try_join!(
        calibration::load_bank(db, exam),
        db::attempts::open_mock_questions(db, user)
    )?;
    let pool = pool(&bank, &hidden);
    let items: Vec<BankItem> = pool.iter().map(|p| p.1.clone()).collect();
    let cfg = Config::default();
    if items.len() < cfg.max_items {
        return Ok(CheckStart::Refused(format!(
            "The {} bank has too few standalone questions for a quick check.",
            exam.code
        )));
    }
    let (exposure, checks) = exposure(db, exam, &bank, &pool).await?;
    let seed = super::start::new_seed();
    let excluded = vec![false; items.len()];
    let Some(first) = adaptive::next_item(
        &items,
        &targets(&bank),
        &[],
        0.0,
        &excluded,
        &exposure,
        checks,
        &cfg,
        seed as u64,
    ) else {
        return Ok(CheckStart::Refused(format!(
            "No {} question is available for a quick check right now.",
            exam.code
        )));
    };
    let bp = &exam.blueprint;
    let pace = bp.duration_minutes as i64 * 60 / bp.question_count.max(1) as i64;
    let created = db::attempts::create(
        db,
        NewAttempt {
            user_id: user,
            exam_id: exam.id,
            mode: Mode::Check,
            seed,
            duration_seconds: Some(pace * cfg.max_items as i64),
            title: format!("{} quick check", bp.code),
            settings: serde_json::json!({ "max_items": cfg.max_items }),
        },
        &[new_item(&bank, pool[first].0, seed, 1)],
    )
    .await?;
    metrics::counter!("mockexam_attempts_started_total", "mode" => Mode::Check.as_str())
        .increment(1);
    Ok(match created {
        CreateOutcome::Created(id) => CheckStart::Created(id),
        CreateOutcome::AlreadyOpen(id) => CheckStart::AlreadyOpen(id),
    })
}

/// After item `n` of a check was saved with `nav`: stay, go on to a newly chosen question, or
/// finish and score the check.
#[tracing::instrument(skip_all, fields(attempt = %a.id, position = n, nav = %nav), err)]
pub async fn advance(
    db: &PgPool,
    a: &AttemptRow,
    exam: &ExamRow,
    n: i32,
    nav: Nav,
) -> anyhow::Result<Advance> {
    let rows = db::attempts::items_cached(db, a.id).await?;
    let last = rows.iter().map(|r| r.position).max().unwrap_or(n);
    // Only "Next question" and "End the check now" move a check on; any other button (say, from
    // a mock's page left open) keeps the candidate on the newest question.
    if !matches!(nav, Nav::Next | Nav::Submit) || n < last {
        return Ok(Advance::Item(if nav == Nav::Stay { n } else { last }));
    }
    db::attempts::lock_through(db, a.id, n).await?;
    let bank = calibration::load_bank(db, exam).await?;
    // Questions of open mocks stay out (their answers must not leak); this check's own count.
    let mut hidden = db::attempts::open_mock_questions(db, a.user_id).await?;
    hidden.retain(|q| !rows.iter().any(|r| r.question_id == *q));
    let pool = pool(&bank, &hidden);
    let items: Vec<BankItem> = pool.iter().map(|p| p.1.clone()).collect();
    let at: HashMap<usize, usize> = pool.iter().enumerate().map(|(k, p)| (p.0, k)).collect();
    let mut given = Vec::new();
    let mut answers = Vec::new();
    let mut excluded = vec![false; items.len()];
    for r in &rows {
        let Some(&k) = bank.index.get(&r.version_id).and_then(|i| at.get(i)) else {
            continue;
        };
        excluded[k] = true;
        given.push(k);
        answers.push((k, points(r)));
    }
    let cfg = Config::default();
    let (theta, se) = adaptive::estimate(&items, &answers, 0.0, cfg.prior_sd);
    let target = target_se(&bank, theta);
    let done = adaptive::should_stop(rows.len(), se, target, &cfg);
    let next = if nav == Nav::Submit || done {
        None
    } else {
        let (exposure, checks) = exposure(db, exam, &bank, &pool).await?;
        adaptive::next_item(
            &items,
            &targets(&bank),
            &given,
            theta,
            &excluded,
            &exposure,
            checks,
            &cfg,
            (a.seed as u64).wrapping_add(rows.len() as u64),
        )
    };
    match next {
        Some(k) => {
            let position = last + 1;
            db::attempts::append_item(
                db,
                a.id,
                position,
                &new_item(&bank, pool[k].0, a.seed, position),
            )
            .await?;
            Ok(Advance::Item(position))
        }
        None => {
            // Finalising scores the check and stores its measurement (`measure_closed`).
            super::finalize(db, a.id, SubmitReason::Candidate).await?;
            Ok(Advance::Finished)
        }
    }
}

/// Points an answer earned (a blank earns none).
fn points(r: &ItemRow) -> u32 {
    r.response
        .as_ref()
        .map_or(0, |resp| scoring::score(&r.body.0.body, &resp.0).points)
}

/// The standard error a full mock gives at θ (the check's stopping target).
fn target_se(bank: &CalibratedBank, theta: f64) -> f64 {
    let counts = readiness::form_counts(&bank.blueprint).unwrap_or_default();
    adaptive::full_form_se(&bank.live, &counts, theta)
}

/// What a closed check measured, from its answers: θ and its sd, why it ended, the expected
/// scaled score of a fresh form at θ (a pass when that form's pass chance is at least even),
/// the 90 % range and the pass chance with the measurement's uncertainty.
pub fn measure(
    bank: &CalibratedBank,
    rows: &[ItemRow],
    reason: SubmitReason,
) -> (u32, bool, Measurement) {
    let cfg = Config::default();
    let mut items = Vec::new();
    let mut answers = Vec::new();
    for r in rows {
        let Some(&i) = bank.index.get(&r.version_id) else {
            continue;
        };
        answers.push((items.len(), points(r)));
        items.push(BankItem {
            domain: bank.area[i].unwrap_or(0),
            params: bank.params[i].clone(),
        });
    }
    let (theta, se) = adaptive::estimate(&items, &answers, 0.0, cfg.prior_sd);
    let target = target_se(bank, theta);
    let ended = match reason {
        SubmitReason::Expired | SubmitReason::Swept => Ending::Time,
        SubmitReason::Candidate if se <= target => Ending::Precision,
        SubmitReason::Candidate if rows.len() >= cfg.max_items => Ending::Limit,
        SubmitReason::Candidate => Ending::Candidate,
    };
    let thetas = vec![theta; bank.blueprint.domains.len()];
    let (scaled, passed, measured) = match &bank.form {
        Some(m) => (
            m.expected_scaled(&bank.blueprint, &thetas),
            m.pass_given(&thetas).0 >= 0.5,
            Some(m.measured(&bank.blueprint, theta, se)),
        ),
        None => (0, false, None),
    };
    let measurement = Measurement {
        theta,
        se,
        target_se: target,
        items: rows.len(),
        max_items: cfg.max_items,
        ended,
        low: measured.map(|m| m.low),
        high: measured.map(|m| m.high),
        chance: measured.map(|m| m.chance),
    };
    (scaled, passed, measurement)
}

/// Scores a check that has just closed — by its own rule, by the candidate or by its deadline —
/// on its measurement instead of its share of points, and keeps the measurement for its report.
#[tracing::instrument(skip(db), fields(attempt = %attempt_id), err)]
pub async fn measure_closed(
    db: &PgPool,
    attempt_id: AttemptId,
    exam_id: ExamId,
    reason: SubmitReason,
) -> anyhow::Result<()> {
    let exam = db::exams::by_id(db, exam_id)
        .await?
        .with_context(|| format!("exam {exam_id} of check {attempt_id} is gone"))?;
    let bank = calibration::load_bank(db, &exam).await?;
    let rows = db::attempts::items(db, attempt_id).await?;
    let (scaled, passed, measurement) = measure(&bank, &rows, reason);
    db::attempts::store_check_estimate(
        db,
        attempt_id,
        scaled as i32,
        passed,
        serde_json::to_value(&measurement).context("writing a check's measurement")?,
    )
    .await
}

/// Why a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    /// It measured as precisely as a full mock.
    Precision,
    /// It reached its most questions (also what a measurement stored without a reason was).
    #[default]
    Limit,
    /// The candidate ended it.
    Candidate,
    /// Its deadline closed it.
    Time,
}

/// What a finished check measured, kept in its attempt's settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Measurement {
    pub theta: f64,
    /// Posterior sd of θ when the check stopped.
    pub se: f64,
    /// The standard error a full 50-question mock gives at θ.
    pub target_se: f64,
    /// Questions shown.
    pub items: usize,
    /// The check's length limit (absent in checks stored before it was kept).
    #[serde(default = "default_max_items")]
    pub max_items: usize,
    #[serde(default)]
    pub ended: Ending,
    /// Scaled scores at the ends of the central 90 % of the measurement, and the chance of
    /// passing a fresh form (absent when the bank could not make a form).
    #[serde(default)]
    pub low: Option<u32>,
    #[serde(default)]
    pub high: Option<u32>,
    #[serde(default)]
    pub chance: Option<f64>,
}

fn default_max_items() -> usize {
    Config::default().max_items
}

impl Measurement {
    /// The measurement of a closed check; `None` for other attempts (and for a check whose
    /// measurement could not be stored, which keeps its points-based score).
    pub fn of(a: &AttemptRow) -> Option<Measurement> {
        if a.mode != Mode::Check {
            return None;
        }
        serde_json::from_value(a.settings.0.clone()).ok()
    }

    /// Whether the check reached a full mock's precision (a hair of rounding allowed).
    pub fn as_precise_as_a_mock(&self) -> bool {
        self.se <= self.target_se * 1.001
    }

    /// The check's information as a share of a full mock's, in percent (at most 100).
    pub fn precision_percent(&self) -> u32 {
        if self.se <= 0.0 {
            return 100;
        }
        ((self.target_se / self.se).powi(2) * 100.0)
            .clamp(0.0, 100.0)
            .round() as u32
    }
}
