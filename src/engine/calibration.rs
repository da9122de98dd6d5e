//! Item calibration: refreshing every exam's IRT parameters in the background, and loading the
//! calibrated bank for readiness and the adaptive check.
//!
//! Every app process runs `refresh_all` from its sweeper. An exam is refreshed under a
//! transaction-scoped advisory lock taken with `pg_try_advisory_xact_lock`, so when several
//! processes try at once one fits and the others skip; a refresh runs only when the last one is
//! [`REFRESH_INTERVAL_SECONDS`] old and enough new responses arrived since. Counting them reads
//! every answer of the exam, so a process that counted too few does not count that exam again
//! for the same interval. The fit runs on a blocking thread.

use crate::cache::Revisioned;
use crate::db;
use crate::db::calibration::{LastFit, NewCalibration, VersionRow};
use crate::db::exams::ExamRow;
use crate::domain::blueprint::Blueprint;
use crate::domain::forecast::{BankItem, FormModel};
use crate::domain::irt::bank::{self, Version};
use crate::domain::irt::calibrate::Response;
use crate::domain::irt::{retest, ItemParams};
use crate::domain::scoring;
use crate::types::{ExamId, QuestionId, UserId};
use anyhow::Context;
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};
use uuid::Uuid;

/// New scored responses needed before an exam is calibrated again: at least this many, and at
/// least a tenth of those the last fit used, so a large exam is refitted as often relative to
/// its data as a small one.
pub const REFRESH_AFTER: i64 = 200;

/// The shortest time between two fits of one exam. A fit reads every response of the exam (on a
/// million answer rows, seconds of a core), so under a steady stream of submissions it runs at
/// most this often instead of on every sweep.
pub const REFRESH_INTERVAL_SECONDS: f64 = 600.0;

/// Whether a fit is due before counting responses: never fitted, or the last fit is old enough.
pub fn may_refit(last: Option<LastFit>) -> bool {
    last.is_none_or(|l| l.age_seconds >= REFRESH_INTERVAL_SECONDS)
}

/// When this process last counted an exam's responses and found too few new ones.
static COUNTED: std::sync::Mutex<Option<HashMap<ExamId, std::time::Instant>>> =
    std::sync::Mutex::new(None);

fn counted_recently(exam: ExamId) -> bool {
    let seen = COUNTED.lock().unwrap_or_else(|e| e.into_inner());
    seen.as_ref()
        .and_then(|m| m.get(&exam))
        .is_some_and(|t| t.elapsed().as_secs_f64() < REFRESH_INTERVAL_SECONDS)
}

fn remember_count(exam: ExamId) {
    let mut seen = COUNTED.lock().unwrap_or_else(|e| e.into_inner());
    seen.get_or_insert_with(HashMap::new)
        .insert(exam, std::time::Instant::now());
}

/// Whether `count` scored responses make a new fit worth it after `last`.
pub fn enough_new(count: i64, last: Option<LastFit>) -> bool {
    match last {
        None => true,
        Some(l) => count - l.responses >= REFRESH_AFTER.max(l.responses / 10),
    }
}

/// Refreshes every exam that is due. Returns how many were refitted.
#[tracing::instrument(skip_all, err)]
pub async fn refresh_all(db: &PgPool) -> anyhow::Result<usize> {
    let mut n = 0;
    for exam in db::calibration::exam_ids(db).await? {
        if refresh(db, exam, false).await? {
            n += 1;
        }
    }
    Ok(n)
}

/// Refits one exam's questions when due (or always, with `force`); false when it was not due or
/// another process holds the lock.
#[tracing::instrument(skip(db), fields(exam = %exam_id), err)]
pub async fn refresh(db: &PgPool, exam_id: ExamId, force: bool) -> anyhow::Result<bool> {
    let mut tx = db.begin().await.context("starting a calibration")?;
    if !db::calibration::try_lock(&mut tx, exam_id).await? {
        return Ok(false);
    }
    let last = db::calibration::last_fit(&mut tx, exam_id).await?;
    if !force && !may_refit(last) {
        return Ok(false);
    }
    if !force && counted_recently(exam_id) {
        return Ok(false);
    }
    let count = db::calibration::response_count(&mut tx, exam_id).await?;
    if !force && !enough_new(count, last) {
        // Counting reads every answer of the exam: not again for an interval.
        remember_count(exam_id);
        return Ok(false);
    }
    let rows = db::calibration::responses(&mut tx, exam_id).await?;
    let versions = db::calibration::versions(&mut *tx, exam_id).await?;
    let (specs, responses, repeats, patterns) = prepare(&versions, &rows);
    let (summary, retest) = tokio::task::spawn_blocking(move || {
        let summary = bank::calibrate_bank(&specs, &responses);
        let params: Vec<ItemParams> = summary.items.iter().map(|c| c.params.clone()).collect();
        let retest = retest::estimate(&params, &responses, &repeats);
        (summary, retest)
    })
    .await
    .context("the calibration thread failed")?;
    let stored: Vec<NewCalibration> = versions
        .iter()
        .zip(&summary.items)
        .map(|(v, c)| NewCalibration {
            version_id: v.version_id,
            a: c.params.a,
            steps: c.params.steps.clone(),
            se_a: c.se_a,
            se_b: c.se_b,
            rasch_b: c.rasch_b,
            rasch_se_b: c.rasch_se_b,
            responses: c.responses as i32,
            source: c.source.as_str(),
        })
        .collect();
    db::calibration::store(
        &mut tx,
        exam_id,
        &stored,
        db::calibration::NewRun {
            responses: count,
            patterns,
            iterations: summary.iterations as i32,
            converged: summary.converged,
            retest,
        },
    )
    .await?;
    tx.commit().await.context("committing a calibration")?;
    tracing::info!(exam = %exam_id, responses = count, "item calibration refreshed");
    Ok(true)
}

/// The calibration's input: each attempt is one response pattern, and only a candidate's first
/// answer to a question counts (a repeat is easier than the question is). The repeats, in the
/// same patterns, estimate how much easier (`retest::estimate`).
fn prepare(
    versions: &[VersionRow],
    rows: &[db::calibration::ResponseRow],
) -> (Vec<Version>, Vec<Response>, Vec<Response>, i64) {
    let specs: Vec<Version> = versions.iter().map(spec).collect();
    let index: HashMap<Uuid, usize> = versions
        .iter()
        .enumerate()
        .map(|(i, v)| (v.version_id, i))
        .collect();
    let mut seen: HashSet<(UserId, QuestionId)> = HashSet::new();
    let mut patterns: HashMap<crate::types::AttemptId, u32> = HashMap::new();
    let (mut responses, mut repeats) = (Vec::new(), Vec::new());
    for r in rows {
        let Some(&item) = index.get(&r.version_id) else {
            continue;
        };
        let first = seen.insert((r.user_id, r.question_id));
        let n = patterns.len() as u32;
        let person = *patterns.entry(r.attempt_id).or_insert(n);
        let response = Response {
            person,
            item: item as u32,
            score: r.points.clamp(0, 255) as u8,
        };
        if first {
            responses.push(response);
        } else {
            repeats.push(response);
        }
    }
    (specs, responses, repeats, patterns.len() as i64)
}

fn spec(v: &VersionRow) -> Version {
    Version {
        kind: v.kind.clone(),
        objective: v.objective_code.clone(),
        domain: v.domain_code.clone(),
        max_points: scoring::max_points(&v.body.0.body).max(1) as usize,
    }
}

/// An exam's questions with their parameters: stored calibrations, and priors for versions not
/// calibrated yet; and what every readiness view needs of them under the exam's blueprint.
pub struct CalibratedBank {
    /// The blueprint areas are numbered and the fresh form built under: the exam row's that
    /// [`load_bank`] was given.
    pub blueprint: Blueprint,
    pub versions: Arc<Vec<VersionRow>>,
    pub params: Vec<ItemParams>,
    pub index: HashMap<Uuid, usize>,
    /// Blueprint area of each version (None when its objective left the blueprint).
    pub area: Vec<Option<usize>>,
    /// Live questions, as a fresh form draws them.
    pub live: Vec<BankItem>,
    /// A fresh form of the live questions (None when the blueprint cannot make one from them).
    pub form: Option<FormModel>,
    /// How much easier a repeated question is (logits), from the last calibration run; None
    /// until enough repeats were answered.
    pub retest_offset: Option<f64>,
}

impl CalibratedBank {
    /// The bank from its versions and stored calibrations, read in one snapshot with `blueprint`.
    pub fn new(
        blueprint: Blueprint,
        versions: Vec<VersionRow>,
        stored: &[db::calibration::CalibrationRow],
        retest_offset: Option<f64>,
    ) -> CalibratedBank {
        let by_version: HashMap<Uuid, &db::calibration::CalibrationRow> =
            stored.iter().map(|c| (c.question_version_id, c)).collect();
        let specs: Vec<Version> = versions.iter().map(spec).collect();
        let fitted: Vec<(usize, ItemParams)> = versions
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let c = by_version.get(&v.version_id)?;
                (c.source == "fitted").then(|| {
                    (
                        i,
                        ItemParams {
                            a: c.a,
                            steps: c.steps.clone(),
                        },
                    )
                })
            })
            .collect();
        let params: Vec<ItemParams> = versions
            .iter()
            .enumerate()
            .map(|(i, v)| match by_version.get(&v.version_id) {
                Some(c) if c.steps.len() == specs[i].max_points && c.a > 0.0 => ItemParams {
                    a: c.a,
                    steps: c.steps.clone(),
                },
                _ => bank::prior(&specs, &fitted, i).params,
            })
            .collect();
        CalibratedBank::assemble(blueprint, Arc::new(versions), params, retest_offset)
    }

    /// The same versions and parameters under another blueprint.
    pub fn under(&self, blueprint: Blueprint) -> CalibratedBank {
        CalibratedBank::assemble(
            blueprint,
            self.versions.clone(),
            self.params.clone(),
            self.retest_offset,
        )
    }

    fn assemble(
        blueprint: Blueprint,
        versions: Arc<Vec<VersionRow>>,
        params: Vec<ItemParams>,
        retest_offset: Option<f64>,
    ) -> CalibratedBank {
        let area: Vec<Option<usize>> = versions
            .iter()
            .map(|v| {
                blueprint
                    .domains
                    .iter()
                    .position(|d| d.code == v.domain_code)
            })
            .collect();
        let index = versions
            .iter()
            .enumerate()
            .map(|(i, v)| (v.version_id, i))
            .collect();
        let live: Vec<BankItem> = versions
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                Some(BankItem {
                    domain: area[i].filter(|_| v.live)?,
                    params: params[i].clone(),
                })
            })
            .collect();
        let form = FormModel::new(&blueprint, &live);
        CalibratedBank {
            blueprint,
            versions,
            params,
            index,
            area,
            live,
            form,
            retest_offset,
        }
    }
}

/// The exam's calibrated bank, kept per process and built again only when the exam's
/// `bank_revision` moved: a change to its questions, versions, objectives or scenarios, a new
/// calibration run or a new blueprint moves it in the same transaction. The readiness report,
/// the home page and every step of a check need it; building it reads every version's body and
/// the fresh form's model evaluates every live question on a grid of abilities, which cost more
/// than the rest of those pages together.
#[tracing::instrument(skip_all, fields(exam = %exam.code), err)]
pub async fn load_bank(db: &PgPool, exam: &ExamRow) -> anyhow::Result<Arc<CalibratedBank>> {
    static KEPT: OnceLock<Revisioned<ExamId, CalibratedBank>> = OnceLock::new();
    let kept = KEPT.get_or_init(Default::default);
    let bank = match kept.get(&exam.id, exam.bank_revision) {
        Some(bank) => bank,
        None => read_bank(db, exam.id)
            .await
            .map(|(revision, bank)| kept.offer(exam.id, revision, bank))?,
    };
    if bank.blueprint == exam.blueprint.0 {
        return Ok(bank);
    }
    // A blueprint saved between reading the exam row and the bank (the copy kept may be newer
    // than the row): this request is answered under the row's blueprint, as the rest of its page
    // is, so areas are numbered the same everywhere on it.
    let row = exam.blueprint.0.clone();
    tokio::task::spawn_blocking(move || Arc::new(bank.under(row)))
        .await
        .context("building the calibrated bank under the exam's blueprint")
}

/// The bank as of one snapshot, with the revision it is at.
async fn read_bank(db: &PgPool, exam: ExamId) -> anyhow::Result<(i64, CalibratedBank)> {
    let (mut tx, revision) = db::live_bank::snapshot(db, exam).await?;
    let blueprint: sqlx::types::Json<Blueprint> =
        sqlx::query_scalar("SELECT blueprint FROM exams WHERE id = $1")
            .bind(exam)
            .fetch_one(&mut *tx)
            .await
            .context("reading the blueprint of the calibrated bank")?;
    let versions = db::calibration::versions(&mut *tx, exam).await?;
    let stored = db::calibration::load(&mut *tx, exam).await?;
    let retest = db::calibration::retest(&mut *tx, exam).await?.map(|r| r.0);
    tx.commit().await.context("reading the calibrated bank")?;
    let bank = tokio::task::spawn_blocking(move || {
        CalibratedBank::new(blueprint.0, versions, &stored, retest)
    })
    .await
    .context("building the calibrated bank")?;
    Ok((revision, bank))
}

#[cfg(test)]
mod due_tests {
    use super::*;

    fn fit(responses: i64, age_seconds: f64) -> Option<LastFit> {
        Some(LastFit {
            responses,
            age_seconds,
        })
    }

    #[test]
    fn a_new_exam_is_fitted_at_once() {
        assert!(may_refit(None));
        assert!(enough_new(0, None));
    }

    #[test]
    fn fits_wait_for_the_interval_and_for_enough_new_answers() {
        assert!(!may_refit(fit(1000, 30.0)));
        assert!(may_refit(fit(1000, REFRESH_INTERVAL_SECONDS)));
        assert!(!enough_new(1199, fit(1000, 700.0)));
        assert!(enough_new(1200, fit(1000, 700.0)));
        // A million responses wait for a hundred thousand new ones.
        assert!(!enough_new(1_099_999, fit(1_000_000, 700.0)));
        assert!(enough_new(1_100_000, fit(1_000_000, 700.0)));
    }
}
