//! A candidate's readiness for an exam, from every scored answer they gave: mastery per
//! objective (`domain::readiness`) and, from the calibrated bank and the ability model, the
//! chance of passing a fresh form today and on the target date (`domain::forecast`).

use super::calibration::{self, CalibratedBank};
use crate::db;
use crate::db::exams::ExamRow;
use crate::db::readiness::{EvidenceRow, MockResult};
use crate::domain::ability::{Answer, Sitting, SittingKind};
use crate::domain::forecast::{self, Forecast, Result1};
use crate::domain::readiness::{self, Evidence, Params, PassEstimate, Readiness};
use crate::types::{AttemptId, Mode, QuestionId, UserId};
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};
use time::{Date, OffsetDateTime};

/// Everything the report shows.
pub struct Report {
    pub readiness: Readiness,
    pub forecast: Forecast,
    /// Scored full mocks and checks, oldest first.
    pub results: Vec<MockResult>,
}

/// The readiness shared by the home page and the report: mastery per area and objective, and the
/// pass chance of a fresh form today.
#[tracing::instrument(skip_all, fields(user = %user, exam = %exam.code), err)]
pub async fn assess(db: &PgPool, user: UserId, exam: &ExamRow) -> anyhow::Result<Readiness> {
    Ok(report(db, user, exam, None).await?.readiness)
}

#[tracing::instrument(skip_all, fields(user = %user, exam = %exam.code), err)]
pub async fn report(
    db: &PgPool,
    user: UserId,
    exam: &ExamRow,
    target: Option<Date>,
) -> anyhow::Result<Report> {
    let (rows, bank, results) = tokio::try_join!(
        db::readiness::evidence(db, user, exam.id),
        calibration::load_bank(db, exam),
        db::readiness::mock_results(db, user, exam.id),
    )?;
    let now = OffsetDateTime::now_utc();
    let target_days = target.map(|d| (d - now.date()).whole_days());
    Ok(compute(&bank, user, &rows, results, target_days, now))
}

/// The report from what [`report`] loads; pure, so that a cohort's dashboard can compute many
/// members' reports from set-based queries.
pub fn compute(
    bank: &CalibratedBank,
    user: UserId,
    rows: &[EvidenceRow],
    results: Vec<MockResult>,
    target_days: Option<i64>,
    now: OffsetDateTime,
) -> Report {
    // Each answer's question, objective and area, from the bank's versions (an answer to a
    // version the bank does not know, or whose objective left the blueprint, says nothing here).
    let known: Vec<(&EvidenceRow, usize)> = rows
        .iter()
        .filter_map(|r| {
            let i = *bank.index.get(&r.version_id)?;
            (!bank.versions[i].domain_code.is_empty()).then_some((r, i))
        })
        .collect();
    let evidence: Vec<Evidence> = known
        .iter()
        .map(|&(r, i)| Evidence {
            domain: bank.versions[i].domain_code.clone(),
            objective: bank.versions[i].objective_code.clone(),
            correct: r.points.max(0) as u32,
            total: r.max_points.max(0) as u32,
            age_days: r.age_days,
        })
        .collect();
    // Seeded by the candidate so the figures do not jitter between page views.
    let seed = user.0.as_u128() as u64 ^ evidence.len() as u64;
    // The blueprint the bank's areas and fresh form were built under (the exam row's).
    let bp = &bank.blueprint;
    let mut readiness = readiness::assess(bp, &evidence, &Params::default(), seed);
    let (sittings, answers) = sittings(&known, bank);
    let scored: Vec<Result1> = results
        .iter()
        .map(|m| Result1 {
            kind: kind(m.mode),
            age_days: (now - m.started_at).as_seconds_f64() / 86400.0,
            scaled: m.scaled_score.max(0) as u32,
            passed: m.passed,
            date: m.started_at.date().to_string(),
        })
        .collect();
    let mut params = forecast::Params::default();
    if let Some(offset) = bank.retest_offset {
        params.ability.retest_offset = offset;
    }
    let forecast = forecast::forecast(
        bp,
        &bank.params,
        bank.form.as_ref(),
        &sittings,
        &answers,
        &scored,
        target_days,
        &params,
        seed,
    );
    readiness.pass = forecast.today.as_ref().map(|t| PassEstimate {
        probability: t.probability,
        low: t.low,
        high: t.high,
        expected_scaled: t.expected_scaled,
        scaled_low: t.scaled_low,
        scaled_high: t.scaled_high,
    });
    readiness.too_little_data = forecast.too_little_data.clone();
    Report {
        readiness,
        forecast,
        results,
    }
}

fn kind(mode: Mode) -> SittingKind {
    match mode {
        Mode::Exam => SittingKind::Mock,
        Mode::Check => SittingKind::Check,
        Mode::Practice => SittingKind::Practice,
    }
}

/// The ability model's view of the answers (each with its version's place in the bank): one
/// sitting per attempt (its age the newest answer's), and per answer whether the question was
/// seen in an earlier attempt.
fn sittings(rows: &[(&EvidenceRow, usize)], bank: &CalibratedBank) -> (Vec<Sitting>, Vec<Answer>) {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| rows[a].0.started.total_cmp(&rows[b].0.started));
    let mut sitting_of: HashMap<AttemptId, usize> = HashMap::new();
    let mut sittings: Vec<Sitting> = Vec::new();
    let mut seen_before: HashSet<QuestionId> = HashSet::new();
    let mut this_attempt: Vec<QuestionId> = Vec::new();
    let mut current: Option<AttemptId> = None;
    let mut answers = Vec::new();
    for &i in &order {
        let (r, item) = rows[i];
        let question_id = bank.versions[item].question_id;
        if current != Some(r.attempt_id) {
            seen_before.extend(this_attempt.drain(..));
            current = Some(r.attempt_id);
        }
        let n = sittings.len();
        let s = *sitting_of.entry(r.attempt_id).or_insert(n);
        if s == n {
            sittings.push(Sitting {
                kind: kind(r.mode),
                age_days: r.age_days,
            });
        }
        sittings[s].age_days = sittings[s].age_days.min(r.age_days);
        this_attempt.push(question_id);
        let Some(domain) = bank.area[item] else {
            continue;
        };
        answers.push(Answer {
            sitting: s,
            domain,
            item,
            score: r.points.max(0) as u32,
            seen_before: seen_before.contains(&question_id),
            checked: r.checked,
        });
    }
    (sittings, answers)
}
