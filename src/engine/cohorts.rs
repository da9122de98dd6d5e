//! Cohort rules, in one place: who may join and how (join codes and their expiry), who teaches a
//! cohort, what an assignment is and where each member stands on it, and how the dashboard
//! gets every member's readiness without reading the whole cohort's history on each view.
//!
//! - **Join codes** are eight random characters without look-alikes (`domain::cohort`), unique
//!   across all cohorts, valid until their expiry; a new code replaces the old one. A cohort's
//!   instructors cannot join it as members.
//! - **Co-instructors** must have an instructor (or admin) account; a cohort keeps at least one.
//! - **Assignments** are a full mock or a practice set (objectives of the cohort's exam, 5–60
//!   questions, timed or not) due by the end of a day (UTC). Starting one creates the attempt
//!   through `engine::start` and links it to the member; a full mock already in progress is
//!   linked instead (a candidate has at most one open mock per exam), unless it already counts
//!   for another assignment. Status comes from the linked attempt (`AssignmentStatus::of`).
//! - **Dashboard figures** come from each member's own readiness estimate (`domain::readiness`)
//!   and activity, kept as a snapshot per member and exam. A snapshot is computed again when the
//!   member did something since (their attempts' mark changed) or it has aged: for all such
//!   members together, in one evidence query and one activity query, and on every core.

use crate::db;
use crate::db::cohorts::{AssignmentRow, CohortRow, MemberRow, NewAssignment};
use crate::db::exams::ExamRow;
use crate::domain::blueprint::Blueprint;
use crate::domain::cohort::{
    self, AssignmentStatus, Band, Chance, CohortMastery, MemberMastery, PassRate, Week,
};
use crate::domain::practice::{self, PracticeRequest, Which};
use crate::domain::readiness;
use crate::engine::readiness::{compute, Report};
use crate::engine::start::{StartOutcome, StartRefusal};
use crate::types::{AssignmentId, AssignmentKind, AttemptId, AttemptStatus, CohortId, UserId};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::collections::HashMap;
use time::{Date, OffsetDateTime};

// --- cohorts, codes and people ----------------------------------------------------------------

/// A cohort as its creator described it, checked.
#[derive(Debug, Clone)]
pub struct NewCohort {
    pub name: String,
    pub exam: ExamRow,
    pub target_date: Option<Date>,
    pub code_days: u32,
}

/// Parses a `YYYY-MM-DD` date as typed, or says what is wrong.
pub fn parse_date(label: &str, typed: &str) -> Result<Option<Date>, String> {
    crate::domain::dates::parse(label, typed)
}

/// Checks the new-cohort form: a name, one of the exams, an optional target date not in the
/// past and a code lifetime. Every problem is reported at once.
pub fn check_new_cohort(
    name: &str,
    exam_slug: &str,
    target: &str,
    code_days: &str,
    exams: &[ExamRow],
    today: Date,
) -> Result<NewCohort, Vec<String>> {
    let mut problems = Vec::new();
    let name = name.trim();
    if name.is_empty() {
        problems.push("Give the cohort a name, for example “Data team, spring intake”.".into());
    } else if name.chars().count() > 120 {
        problems.push("Keep the name to 120 characters or fewer.".into());
    }
    let exam = exams.iter().find(|e| e.slug == exam_slug);
    if exam.is_none() {
        problems.push("Choose the exam the cohort prepares for.".into());
    }
    let target_date = match crate::domain::dates::planned("Target date", target, today) {
        Ok(d) => d,
        Err(e) => {
            problems.push(e);
            None
        }
    };
    let days = cohort::code_days(code_days).unwrap_or_else(|e| {
        problems.push(format!("Join code lifetime: {e}"));
        cohort::DEFAULT_CODE_DAYS
    });
    match exam {
        Some(exam) if problems.is_empty() => Ok(NewCohort {
            name: name.to_string(),
            exam: exam.clone(),
            target_date,
            code_days: days,
        }),
        _ => Err(problems),
    }
}

/// Codes are random in a space of 10¹²; a clash is rare enough that a few draws always do.
const CODE_DRAWS: usize = 8;

fn draw_code() -> String {
    cohort::new_join_code(&mut rand::thread_rng())
}

#[tracing::instrument(skip_all, fields(instructor = %instructor, exam = %c.exam.code), err)]
pub async fn create(db: &PgPool, instructor: UserId, c: &NewCohort) -> anyhow::Result<CohortId> {
    let id = CohortId::new_random();
    for _ in 0..CODE_DRAWS {
        if db::cohorts::create(
            db,
            id,
            &c.name,
            c.exam.id,
            c.target_date,
            &draw_code(),
            c.code_days as i32,
            instructor,
        )
        .await?
        {
            return Ok(id);
        }
    }
    anyhow::bail!("no free join code after {CODE_DRAWS} draws")
}

/// Replaces the cohort's join code with a fresh one valid for `days`.
#[tracing::instrument(skip_all, fields(cohort = %cohort), err)]
pub async fn new_code(db: &PgPool, cohort: CohortId, days: u32) -> anyhow::Result<String> {
    for _ in 0..CODE_DRAWS {
        let code = draw_code();
        if db::cohorts::set_join_code(db, cohort, &code, days as i32).await? {
            return Ok(code);
        }
    }
    anyhow::bail!("no free join code after {CODE_DRAWS} draws")
}

/// Why a code does not open a cohort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRefusal {
    /// Not a code at all, or no cohort has it.
    Unknown,
    /// The code's date (YYYY-MM-DD) has passed.
    Expired(String),
}

impl CodeRefusal {
    pub fn message(&self) -> String {
        match self {
            CodeRefusal::Unknown => "No cohort has this join code. Check the code with your instructor: it has eight letters and digits, such as ABCD-EF23.".into(),
            CodeRefusal::Expired(on) => format!("This join code expired on {on}. Ask your instructor for a new one."),
        }
    }
}

/// The cohort a typed code opens, while the code is valid.
#[tracing::instrument(skip_all, err)]
pub async fn invite(
    db: &PgPool,
    typed: &str,
) -> anyhow::Result<Result<db::cohorts::InviteRow, CodeRefusal>> {
    let Some(code) = cohort::normalise_code(typed) else {
        return Ok(Err(CodeRefusal::Unknown));
    };
    Ok(match db::cohorts::by_code(db, &code).await? {
        None => Err(CodeRefusal::Unknown),
        Some(i) if !i.live => Err(CodeRefusal::Expired(i.expires_at.date().to_string())),
        Some(i) => Ok(i),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JoinOutcome {
    Joined(CohortId),
    AlreadyMember(CohortId),
    /// Instructors of a cohort follow it from the dashboard, not as members.
    TeachesIt(CohortId),
    Refused(CodeRefusal),
}

#[tracing::instrument(skip_all, fields(user = %user), err)]
pub async fn join(db: &PgPool, user: UserId, typed: &str) -> anyhow::Result<JoinOutcome> {
    let invite = match invite(db, typed).await? {
        Ok(i) => i,
        Err(why) => return Ok(JoinOutcome::Refused(why)),
    };
    let id = invite.cohort_id;
    if db::cohorts::is_instructor(db, id, user).await? {
        return Ok(JoinOutcome::TeachesIt(id));
    }
    Ok(if db::cohorts::add_member(db, id, user).await? {
        JoinOutcome::Joined(id)
    } else {
        JoinOutcome::AlreadyMember(id)
    })
}

/// Leaves a cohort. The member's attempts stay theirs; the cohort stops seeing them.
#[tracing::instrument(skip_all, fields(user = %user, cohort = %cohort), err)]
pub async fn leave(db: &PgPool, user: UserId, cohort: CohortId) -> anyhow::Result<bool> {
    db::cohorts::remove_member(db, cohort, user).await
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddInstructor {
    Added(String),
    Already(String),
    NoAccount,
    NotAnInstructor(String),
}

impl AddInstructor {
    pub fn message(&self, email: &str) -> String {
        match self {
            AddInstructor::Added(n) => format!("{n} now teaches this cohort."),
            AddInstructor::Already(n) => format!("{n} already teaches this cohort."),
            AddInstructor::NoAccount => format!("No account uses the address “{email}”. Ask them to create one first."),
            AddInstructor::NotAnInstructor(n) => format!("{n} has a candidate account; only instructors can teach a cohort. An admin can change their role."),
        }
    }
}

#[tracing::instrument(skip_all, fields(cohort = %cohort), err)]
pub async fn add_instructor(
    db: &PgPool,
    cohort: CohortId,
    email: &str,
) -> anyhow::Result<AddInstructor> {
    let email = crate::accounts::normalise_email(email);
    let Some(u) = db::users::by_email(db, &email).await? else {
        return Ok(AddInstructor::NoAccount);
    };
    if !u.role.can_author() {
        return Ok(AddInstructor::NotAnInstructor(u.display_name));
    }
    Ok(if db::cohorts::add_instructor(db, cohort, u.id).await? {
        AddInstructor::Added(u.display_name)
    } else {
        AddInstructor::Already(u.display_name)
    })
}

// --- assignments ------------------------------------------------------------------------------

/// An assignment as the instructor described it, checked against the cohort's exam.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignmentSpec {
    pub kind: AssignmentKind,
    pub title: String,
    pub objectives: Vec<String>,
    pub size: Option<u32>,
    pub timed: bool,
    /// The end of the due day, UTC.
    pub due_at: OffsetDateTime,
}

/// What the assignment form sent.
#[derive(Debug, Clone, Default)]
pub struct AssignmentInput {
    pub kind: String,
    pub title: String,
    pub objectives: Vec<String>,
    pub size: String,
    pub timed: bool,
    pub due: String,
}

/// Checks an assignment against the exam's blueprint and today's date; every problem at once.
pub fn check_assignment(
    bp: &Blueprint,
    input: &AssignmentInput,
    today: Date,
) -> Result<AssignmentSpec, Vec<String>> {
    let mut problems = Vec::new();
    let kind = AssignmentKind::parse(&input.kind);
    if kind.is_none() {
        problems.push("Choose a full mock or a practice set.".to_string());
    }
    let practice_set = kind == Some(AssignmentKind::Practice);
    let mut objectives = Vec::new();
    for o in &input.objectives {
        if bp.objective(o).is_none() {
            problems.push(format!("“{o}” is not an objective of {}.", bp.code));
        } else if !objectives.contains(o) {
            objectives.push(o.clone());
        }
    }
    let size = if practice_set {
        match input.size.trim().parse::<u32>() {
            Ok(n) if (practice::MIN_SIZE..=practice::MAX_SIZE).contains(&n) => Some(n),
            _ => {
                problems.push(format!(
                    "Choose a size from {} to {} questions (you entered “{}”).",
                    practice::MIN_SIZE,
                    practice::MAX_SIZE,
                    input.size.trim()
                ));
                None
            }
        }
    } else {
        None
    };
    let due = match crate::domain::dates::planned("Due date", &input.due, today) {
        Ok(None) => {
            problems.push("Choose a due date.".into());
            None
        }
        Ok(Some(d)) => Some(d),
        Err(e) => {
            problems.push(e);
            None
        }
    };
    let title = input.title.trim();
    if title.chars().count() > 200 {
        problems.push("Keep the title to 200 characters or fewer.".into());
    }
    let (Some(kind), Some(due), true) = (kind, due, problems.is_empty()) else {
        return Err(problems);
    };
    let title = if !title.is_empty() {
        title.to_string()
    } else if kind == AssignmentKind::Mock {
        format!("{} full mock", bp.code)
    } else {
        let req = PracticeRequest {
            domains: vec![],
            objectives: objectives.clone(),
            size: size.unwrap_or(10),
            which: Which::Any,
        };
        let t = format!("Practice: {}", practice::scope(bp, &req));
        t.chars().take(200).collect()
    };
    Ok(AssignmentSpec {
        kind,
        title,
        objectives: if practice_set { objectives } else { vec![] },
        size,
        timed: kind == AssignmentKind::Mock || input.timed,
        due_at: due.with_hms(23, 59, 59).expect("a valid time").assume_utc(),
    })
}

#[tracing::instrument(skip_all, fields(cohort = %cohort, by = %by), err)]
pub async fn create_assignment(
    db: &PgPool,
    cohort: CohortId,
    by: UserId,
    spec: &AssignmentSpec,
) -> anyhow::Result<AssignmentId> {
    db::cohorts::create_assignment(
        db,
        &NewAssignment {
            cohort,
            kind: spec.kind,
            title: &spec.title,
            objectives: &spec.objectives,
            size: spec.size.map(|s| s as i32),
            timed: spec.timed,
            due_at: spec.due_at,
            created_by: by,
        },
    )
    .await
}

/// What became of "Start" on an assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignmentStart {
    /// The member's attempt for it (new, resumed or finished).
    Open(AttemptId),
    Refused(StartRefusal),
    /// The full mock in progress already counts for another assignment.
    MockBusy(AttemptId),
}

/// Starts (or reopens) the member's attempt for an assignment; `None` when the assignment is
/// not one of the member's cohorts'.
#[tracing::instrument(skip_all, fields(user = %user, assignment = %id), err)]
pub async fn start_assignment(
    db: &PgPool,
    user: UserId,
    id: AssignmentId,
) -> anyhow::Result<Option<AssignmentStart>> {
    let Some(a) = db::cohorts::member_assignment(db, user, id).await? else {
        return Ok(None);
    };
    if let Some(attempt) = a.attempt_id {
        return Ok(Some(AssignmentStart::Open(attempt)));
    }
    let Some(exam) = db::exams::by_id(db, a.exam_id).await? else {
        return Ok(None);
    };
    let outcome = match a.kind {
        AssignmentKind::Mock => crate::engine::start::mock(db, user, &exam, None).await?,
        AssignmentKind::Practice => {
            let req = PracticeRequest {
                domains: vec![],
                objectives: a.objectives.clone(),
                size: a.size.unwrap_or(10).clamp(1, practice::MAX_SIZE as i32) as u32,
                which: Which::Any,
            };
            crate::engine::start::practice_set(db, user, &exam, &req, a.timed).await?
        }
    };
    let attempt = match outcome {
        StartOutcome::Created(id) | StartOutcome::AlreadyOpen(id) => id,
        StartOutcome::Refused(why) => return Ok(Some(AssignmentStart::Refused(why))),
    };
    if db::cohorts::link_attempt(db, id, user, attempt).await? {
        return Ok(Some(AssignmentStart::Open(attempt)));
    }
    // Either a second click got there first (use its attempt), or the open mock counts for
    // another assignment.
    Ok(Some(
        match db::cohorts::member_assignment(db, user, id)
            .await?
            .and_then(|a| a.attempt_id)
        {
            Some(linked) => AssignmentStart::Open(linked),
            None => AssignmentStart::MockBusy(attempt),
        },
    ))
}

/// An assignment's status for a member.
pub fn status_of(status: Option<AttemptStatus>, past_due: bool) -> AssignmentStatus {
    AssignmentStatus::of(status.map(|s| s == AttemptStatus::Submitted), past_due)
}

// --- the dashboard ----------------------------------------------------------------------------

/// A member's line on the dashboard.
#[derive(Debug, Clone)]
pub struct MemberView {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub joined_at: OffsetDateTime,
    /// The chance of passing today, and on the cohort's target date (the member's learning
    /// trend carried forward, its uncertainty widening).
    pub chance: Option<Chance>,
    pub chance_on_target: Option<Chance>,
    pub answers: u32,
    /// Per skill area and per objective, in blueprint order.
    pub domains: Vec<MemberMastery>,
    pub objectives: Vec<MemberMastery>,
    pub last_active: Option<OffsetDateTime>,
    pub mocks_total: u32,
    pub this_week: Week,
    pub last_week: Week,
}

impl MemberView {
    pub fn band(&self) -> Band {
        Band::of(self.chance.as_ref())
    }
}

#[derive(Debug, Clone)]
pub struct Dashboard {
    pub members: Vec<MemberView>,
    pub pass_rate: Option<PassRate>,
    /// On the target date, when the cohort has one that has not passed.
    pub pass_rate_on_target: Option<PassRate>,
    pub bands: Vec<(Band, usize)>,
    pub on_track: String,
    pub days_left: Option<i64>,
    /// Pooled mastery per skill area and the weakest objectives, in blueprint positions.
    pub domains: Vec<CohortMastery>,
    pub weakest: Vec<CohortMastery>,
    pub this_week: Week,
    pub last_week: Week,
    pub active_this_week: usize,
    pub active_last_week: usize,
    pub assignments: Vec<AssignmentRow>,
    /// Members whose readiness was computed on this view (the rest came from snapshots).
    pub recomputed: usize,
}

/// A snapshot older than this is computed again (answers lose weight as they age: about 1 %
/// of their weight in half a day).
const SNAPSHOT_MAX_AGE_SECONDS: f64 = 12.0 * 3600.0;
/// At most this many merely aged snapshots are computed again per view, oldest first, so that
/// a large cohort's snapshots, all made on one day, are renewed over several views rather than
/// all on one. Snapshots whose member did something since are always computed again.
const AGED_REFRESH_PER_VIEW: usize = 100;
/// A snapshot younger than this is used without reading its member's mark: the dashboard is at
/// most a minute behind what members do.
const MARK_CHECK_SECONDS: f64 = 60.0;
/// Days of activity a snapshot keeps: this week and the week before.
const ACTIVITY_DAYS: i64 = 14;

/// What the dashboard keeps per member and exam: enough for every figure, masteries in
/// blueprint order (checked against the blueprint's fingerprint), shares to four decimals.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Snapshot {
    /// [`fingerprint`] of the blueprint the masteries follow.
    bp: u64,
    answers: u32,
    /// Probability, low, high.
    pass: Option<[f64; 3]>,
    /// Mean, low, high, answers: per skill area, then per objective.
    d: Vec<[f64; 4]>,
    o: Vec<[f64; 4]>,
    mocks: u32,
    /// Unix seconds.
    last_active: Option<i64>,
    /// Julian day, full mocks, practice questions, minutes: days with activity in the two weeks
    /// before the snapshot.
    days: Vec<(i32, u32, u32, f64)>,
    /// The target date (Julian day) the snapshot was computed for, and the pass chance then
    /// (probability, low, high), when there is one.
    target: Option<(i32, Option<[f64; 3]>)>,
}

/// FNV-1a over the blueprint's skill-area and objective codes in order: stable across builds,
/// so a stored snapshot is used only with the blueprint it was computed for.
fn fingerprint(bp: &Blueprint) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for d in &bp.domains {
        for code in std::iter::once(&d.code).chain(d.objectives.iter().map(|o| &o.code)) {
            for b in code.bytes().chain(std::iter::once(b'\n')) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    h
}

fn chance_of([probability, low, high]: [f64; 3]) -> Chance {
    Chance {
        probability,
        low,
        high,
    }
}

fn q4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn mastery_row(m: &readiness::Mastery) -> [f64; 4] {
    [q4(m.mean), q4(m.low), q4(m.high), m.answers as f64]
}

fn masteries(list: &[[f64; 4]]) -> Vec<MemberMastery> {
    list.iter()
        .map(|&[mean, low, high, answers]| MemberMastery {
            mean,
            low,
            high,
            answers: answers as u32,
        })
        .collect()
}

/// What a member did, apart from their readiness.
#[derive(Debug, Clone, Default)]
struct Activity {
    mocks: u32,
    last_active: Option<i64>,
    days: Vec<(i32, u32, u32, f64)>,
}

impl Snapshot {
    fn of(bp: &Blueprint, report: &Report, a: Activity, target: Option<Date>) -> Snapshot {
        let r = &report.readiness;
        let chance =
            |p: &crate::domain::forecast::PassChance| [q4(p.probability), q4(p.low), q4(p.high)];
        Snapshot {
            target: target.map(|d| {
                (
                    d.to_julian_day(),
                    report.forecast.target.as_ref().map(|(_, p)| chance(p)),
                )
            }),
            bp: fingerprint(bp),
            answers: r.answers,
            pass: r
                .pass
                .as_ref()
                .map(|p| [q4(p.probability), q4(p.low), q4(p.high)]),
            d: r.domains.iter().map(mastery_row).collect(),
            o: r.objectives.iter().map(mastery_row).collect(),
            mocks: a.mocks,
            last_active: a.last_active,
            days: a.days,
        }
    }

    /// This week (today and the six days before, UTC) and the week before.
    fn weeks(&self, today: Date) -> (Week, Week) {
        let t = today.to_julian_day();
        let (mut this, mut last) = (Week::default(), Week::default());
        for &(day, mocks, practice, minutes) in &self.days {
            let w = match t - day {
                0..=6 => &mut this,
                7..=13 => &mut last,
                _ => continue,
            };
            w.add(&Week {
                mocks,
                practice_answers: practice,
                minutes: minutes.round() as u32,
            });
        }
        (this, last)
    }
}

/// Readiness reports of many members (each as their own report computes it) from set-based
/// queries, on every core.
async fn reports_of(
    db: &PgPool,
    exam: &ExamRow,
    users: &[UserId],
    target: Option<Date>,
) -> anyhow::Result<Vec<Report>> {
    let (evidence, results, bank) = tokio::try_join!(
        db::cohorts::evidence(db, users, exam.id),
        db::cohorts::results_of(db, users, exam.id),
        crate::engine::calibration::load_bank(db, exam),
    )?;
    let mut rows: HashMap<UserId, Vec<db::readiness::EvidenceRow>> = HashMap::new();
    for e in evidence {
        rows.entry(e.user_id).or_default().push(e.row);
    }
    let mut scored: HashMap<UserId, Vec<db::readiness::MockResult>> = HashMap::new();
    for r in results {
        scored.entry(r.user_id).or_default().push(r.result);
    }
    let work: Vec<(
        UserId,
        Vec<db::readiness::EvidenceRow>,
        Vec<db::readiness::MockResult>,
    )> = users
        .iter()
        .map(|u| {
            (
                *u,
                rows.remove(u).unwrap_or_default(),
                scored.remove(u).unwrap_or_default(),
            )
        })
        .collect();
    let now = OffsetDateTime::now_utc();
    let target_days = target.map(|d| (d - now.date()).whole_days());
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);
    let reports = tokio::task::spawn_blocking(move || {
        let chunk = work.len().div_ceil(threads).max(1);
        std::thread::scope(|s| {
            let handles: Vec<_> = work
                .chunks(chunk)
                .map(|part| {
                    let bank = &bank;
                    s.spawn(move || {
                        part.iter()
                            .map(|(u, rows, results)| {
                                compute(bank, *u, rows, results.clone(), target_days, now)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a readiness worker"))
                .collect::<Vec<_>>()
        })
    })
    .await?;
    Ok(reports)
}

/// The activity of many members, from set-based queries.
async fn activity_of(
    db: &PgPool,
    exam: &ExamRow,
    users: &[UserId],
    today: Date,
) -> anyhow::Result<HashMap<UserId, Activity>> {
    let bp = &exam.blueprint.0;
    let pace = bp.duration_minutes as f64 * 60.0 / bp.question_count.max(1) as f64;
    let since = today - time::Duration::days(ACTIVITY_DAYS - 1);
    let (days, last, mocks) = tokio::try_join!(
        db::cohorts::activity_days(db, users, exam.id, pace, since),
        db::cohorts::last_active(db, users, exam.id),
        db::cohorts::mock_counts(db, users, exam.id),
    )?;
    let mut out: HashMap<UserId, Activity> = HashMap::new();
    for d in days {
        out.entry(d.user_id).or_default().days.push((
            d.day.to_julian_day(),
            d.mocks.max(0) as u32,
            d.practice.max(0) as u32,
            (d.minutes.max(0.0) * 10.0).round() / 10.0,
        ));
    }
    for (u, t) in last {
        out.entry(u).or_default().last_active = t.map(|t| t.unix_timestamp());
    }
    for (u, n) in mocks {
        out.entry(u).or_default().mocks = n.max(0) as u32;
    }
    Ok(out)
}

/// Every member's snapshot: stored ones where they still hold, computed (and stored) for the
/// rest from one evidence query and one activity query for all of them together.
async fn snapshots_of(
    db: &PgPool,
    exam: &ExamRow,
    members: &[MemberRow],
    today: Date,
    target: Option<Date>,
) -> anyhow::Result<(Vec<Snapshot>, usize)> {
    let bp = &exam.blueprint.0;
    let print = fingerprint(bp);
    let stored: Vec<Option<Snapshot>> = members
        .iter()
        .map(|m| {
            m.snapshot
                .as_deref()
                .and_then(|j| serde_json::from_str::<Snapshot>(j).ok())
                .filter(|s| s.bp == print && s.d.len() == bp.domains.len())
                // Computed for another target date (the member is in cohorts with different
                // dates): compute it again for this one.
                .filter(|s| {
                    target.is_none() || s.target.map(|t| t.0) == target.map(|d| d.to_julian_day())
                })
        })
        .collect();
    // Marks are read only for snapshots older than a minute (and missing ones): paging and
    // sorting a large cohort does not look at every member's attempts on every click.
    let to_check: Vec<UserId> = members
        .iter()
        .zip(&stored)
        .filter(|(m, s)| {
            s.is_none() || m.snapshot_age_seconds.unwrap_or(f64::MAX) >= MARK_CHECK_SECONDS
        })
        .map(|(m, _)| m.user_id)
        .collect();
    let marks: HashMap<UserId, String> = match to_check.is_empty() {
        true => HashMap::new(),
        false => db::cohorts::marks(db, &to_check, exam.id)
            .await?
            .into_iter()
            .collect(),
    };
    let mut out: Vec<Option<Snapshot>> = Vec::with_capacity(members.len());
    let mut aged: Vec<(f64, usize)> = Vec::new();
    let mut stale: Vec<usize> = Vec::new();
    for (i, (m, snap)) in members.iter().zip(stored).enumerate() {
        let changed = marks
            .get(&m.user_id)
            .is_some_and(|now| m.snapshot_mark.as_deref() != Some(now.as_str()));
        match snap {
            Some(s) if !changed => {
                let age = m.snapshot_age_seconds.unwrap_or(f64::MAX);
                if age > SNAPSHOT_MAX_AGE_SECONDS {
                    aged.push((age, i));
                }
                out.push(Some(s));
            }
            _ => {
                stale.push(i);
                out.push(None);
            }
        }
    }
    aged.sort_by(|a, b| b.0.total_cmp(&a.0));
    stale.extend(aged.iter().take(AGED_REFRESH_PER_VIEW).map(|&(_, i)| i));
    if !stale.is_empty() {
        let users: Vec<UserId> = stale.iter().map(|&i| members[i].user_id).collect();
        let (reports, mut activity) = tokio::try_join!(
            reports_of(db, exam, &users, target),
            activity_of(db, exam, &users, today),
        )?;
        let fresh: Vec<Snapshot> = users
            .iter()
            .zip(&reports)
            .map(|(u, r)| Snapshot::of(bp, r, activity.remove(u).unwrap_or_default(), target))
            .collect();
        let marks: Vec<String> = users
            .iter()
            .map(|u| marks.get(u).cloned().unwrap_or_default())
            .collect();
        let json: Vec<String> = fresh
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<_, _>>()?;
        db::cohorts::store_snapshots(db, exam.id, &users, &marks, &json).await?;
        for (&i, s) in stale.iter().zip(fresh) {
            out[i] = Some(s);
        }
    }
    let n = stale.len();
    Ok((
        out.into_iter()
            .map(|s| s.expect("every member assessed"))
            .collect(),
        n,
    ))
}

/// Everything the dashboard shows, for a cohort the caller teaches.
#[tracing::instrument(skip_all, fields(cohort = %c.id), err)]
pub async fn dashboard(db: &PgPool, c: &CohortRow, exam: &ExamRow) -> anyhow::Result<Dashboard> {
    let bp = &exam.blueprint.0;
    let today = OffsetDateTime::now_utc().date();
    let (members, assignments) = tokio::try_join!(
        db::cohorts::members(db, c.id, exam.id),
        db::cohorts::assignments(db, c.id),
    )?;
    let (snapshots, recomputed) = snapshots_of(db, exam, &members, today, c.target_date).await?;
    let mut views: Vec<MemberView> = members
        .iter()
        .zip(&snapshots)
        .map(|(m, s)| {
            let (this_week, last_week) = s.weeks(today);
            MemberView {
                user_id: m.user_id,
                name: m.display_name.clone(),
                email: m.email.clone(),
                joined_at: m.joined_at,
                chance: s.pass.map(chance_of),
                chance_on_target: s.target.and_then(|t| t.1).map(chance_of),
                answers: s.answers,
                domains: masteries(&s.d),
                objectives: masteries(&s.o),
                last_active: s
                    .last_active
                    .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok()),
                mocks_total: s.mocks,
                this_week,
                last_week,
            }
        })
        .collect();
    views.sort_by_key(|a| a.name.to_lowercase());
    Ok(summarise(bp, c, views, assignments, recomputed))
}

/// The cohort-wide figures from the members' lines.
fn summarise(
    bp: &Blueprint,
    c: &CohortRow,
    members: Vec<MemberView>,
    assignments: Vec<AssignmentRow>,
    recomputed: usize,
) -> Dashboard {
    let chances: Vec<Option<Chance>> = members.iter().map(|m| m.chance).collect();
    let bands = cohort::distribution(&chances);
    let today = OffsetDateTime::now_utc().date();
    let days_left = c.target_date.map(|d| (d - today).whole_days());
    let cut = bp.cut_percent / 100.0;
    let per_domain: Vec<Vec<MemberMastery>> = members.iter().map(|m| m.domains.clone()).collect();
    let per_objective: Vec<Vec<MemberMastery>> =
        members.iter().map(|m| m.objectives.clone()).collect();
    let mut this_week = Week::default();
    let mut last_week = Week::default();
    for m in &members {
        this_week.add(&m.this_week);
        last_week.add(&m.last_week);
    }
    let on_target: Vec<Option<Chance>> = members.iter().map(|m| m.chance_on_target).collect();
    Dashboard {
        pass_rate: cohort::predicted_pass_rate(&chances),
        pass_rate_on_target: match days_left {
            Some(d) if d > 0 => cohort::predicted_pass_rate(&on_target),
            _ => None,
        },
        on_track: cohort::on_track_statement(&bands, days_left),
        bands,
        days_left,
        domains: cohort::pool_mastery(&per_domain, cut),
        weakest: cohort::weakest(&cohort::pool_mastery(&per_objective, cut), cut, 5),
        this_week,
        last_week,
        active_this_week: members.iter().filter(|m| !m.this_week.is_empty()).count(),
        active_last_week: members.iter().filter(|m| !m.last_week.is_empty()).count(),
        members,
        assignments,
        recomputed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::blueprint::Blueprint;

    fn today() -> Date {
        time::macros::date!(2026 - 12 - 01)
    }

    fn sample() -> Blueprint {
        let mut text = String::from(
            "code = \"EX-1\"\ntitle = \"Example\"\nduration_minutes = 100\nquestion_count = 50\ncut_percent = 70.0\n",
        );
        for (d, (lo, hi)) in
            ["a", "b", "c", "d"]
                .iter()
                .zip([(20, 25), (20, 25), (25, 30), (25, 30)])
        {
            text.push_str(&format!(
                "[[domains]]\ncode = \"{d}\"\ntitle = \"Area {d}\"\nweight_min = {lo}\nweight_max = {hi}\n"
            ));
            for o in 1..=3 {
                text.push_str(&format!(
                    "[[domains.objectives]]\ncode = \"{d}.{o}\"\ngroup = \"G\"\ntitle = \"Objective {d}.{o}\"\n"
                ));
            }
        }
        toml::from_str(&text).expect("a valid blueprint")
    }

    #[test]
    fn assignment_form_reports_every_problem() {
        let bp = sample();
        let input = AssignmentInput {
            kind: "practice".into(),
            objectives: vec!["nope".into()],
            size: "3".into(),
            due: "2026-11-30".into(),
            ..Default::default()
        };
        let problems = check_assignment(&bp, &input, today()).unwrap_err();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("“nope”"));
        assert!(problems[1].contains("(you entered “3”)"));
        assert!(problems[2].contains("already passed"));
        let missing = check_assignment(&bp, &AssignmentInput::default(), today()).unwrap_err();
        assert!(missing
            .iter()
            .any(|p| p.contains("full mock or a practice set")));
        assert!(missing.iter().any(|p| p.contains("Choose a due date")));
    }

    #[test]
    fn a_practice_assignment_gets_a_title_and_ends_with_its_day() {
        let bp = sample();
        let o = bp.domains[0].objectives[0].code.clone();
        let input = AssignmentInput {
            kind: "practice".into(),
            objectives: vec![o.clone(), o.clone()],
            size: "10".into(),
            due: "2026-12-01".into(),
            ..Default::default()
        };
        let spec = check_assignment(&bp, &input, today()).unwrap();
        assert_eq!(spec.objectives, vec![o]);
        assert_eq!(spec.size, Some(10));
        assert!(!spec.timed);
        assert!(spec.title.starts_with("Practice: "), "{}", spec.title);
        assert_eq!(
            spec.due_at,
            time::macros::datetime!(2026-12-01 23:59:59 UTC)
        );
        let mock = AssignmentInput {
            kind: "mock".into(),
            objectives: vec![bp.domains[0].objectives[0].code.clone()],
            due: "2026-12-05".into(),
            ..Default::default()
        };
        let spec = check_assignment(&bp, &mock, today()).unwrap();
        assert!(spec.objectives.is_empty() && spec.size.is_none() && spec.timed);
    }

    #[test]
    fn snapshots_know_their_blueprint_and_weeks() {
        let bp = sample();
        let readiness = readiness::assess(&bp, &[], &readiness::Params::default(), 1);
        let chance = crate::domain::forecast::PassChance {
            probability: 0.61234,
            low: 0.4,
            high: 0.8,
            expected_scaled: 720,
            scaled_low: 600,
            scaled_high: 800,
        };
        let report = Report {
            readiness,
            forecast: crate::domain::forecast::Forecast {
                today: None,
                target: Some((30, chance)),
                areas: vec![],
                reasons: vec![],
                too_little_data: None,
                points_per_week: None,
            },
            results: vec![],
        };
        let today = time::macros::date!(2026 - 12 - 01);
        let t = today.to_julian_day();
        let activity = Activity {
            mocks: 3,
            last_active: Some(0),
            days: vec![
                (t, 1, 10, 30.4),
                (t - 6, 0, 5, 10.0),
                (t - 7, 1, 0, 100.0),
                (t - 14, 9, 9, 9.0),
            ],
        };
        let s = Snapshot::of(
            &bp,
            &report,
            activity,
            Some(today + time::Duration::days(30)),
        );
        assert_eq!(s.target, Some((t + 30, Some([0.6123, 0.4, 0.8]))));
        assert!(s.pass.is_none());
        assert_eq!(s.bp, fingerprint(&bp));
        assert_eq!(s.o.len(), 12);
        let (this, last) = s.weeks(today);
        assert_eq!(
            (this.mocks, this.practice_answers, this.minutes),
            (1, 15, 40)
        );
        assert_eq!(
            (last.mocks, last.practice_answers, last.minutes),
            (1, 0, 100)
        );
        // A week later, what was this week is last week.
        let (this, last) = s.weeks(today + time::Duration::days(7));
        assert!(this.is_empty());
        assert_eq!(last.practice_answers, 15);
        let mut other = bp.clone();
        other.domains[0].objectives.pop();
        assert_ne!(fingerprint(&other), fingerprint(&bp));
        let back: Snapshot = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back.days, s.days);
    }
}
