//! Demo data: a candidate and an instructor to sign in with, and (when a bank is loaded) a few
//! earlier attempts so that reports have something to show.

use crate::db;
use crate::password;
use crate::types::{Role, SubmitReason, UserId};
use sqlx::PgPool;

pub const DEMO_CANDIDATE: &str = "candidate@demo.mockexam";
pub const DEMO_INSTRUCTOR: &str = "instructor@demo.mockexam";

/// Creates the account, or updates name, role and password when the email is taken.
pub async fn upsert_user(
    pool: &PgPool,
    email: &str,
    name: &str,
    role: Role,
    pw: &str,
) -> anyhow::Result<String> {
    if let Some(p) = password::strength_problem(pw) {
        anyhow::bail!(p);
    }
    let email = crate::accounts::normalise_email(email);
    let hash = password::hash(pw.to_string()).await?;
    match db::users::create(pool, &email, name, &hash, role, true).await {
        Ok(u) => Ok(format!("created {role} {} <{}>", u.display_name, u.email)),
        Err(db::users::CreateError::EmailTaken) => {
            let u = db::users::by_email(pool, &email)
                .await?
                .ok_or_else(|| anyhow::anyhow!("account {email} vanished"))?;
            // The operator's reset: whoever held a session or knew the old password is out.
            let ended = crate::accounts::operator_reset(pool, &u, &hash, role).await?;
            Ok(format!(
                "updated {role} <{email}>: password and role set, {ended} session(s) ended"
            ))
        }
        Err(db::users::CreateError::Other(e)) => Err(e.into()),
    }
}

pub async fn run(pool: &PgPool, pw: &str) -> anyhow::Result<()> {
    println!(
        "{}",
        upsert_user(pool, DEMO_CANDIDATE, "Dana Candidate", Role::Candidate, pw).await?
    );
    println!(
        "{}",
        upsert_user(
            pool,
            DEMO_INSTRUCTOR,
            "Ivan Instructor",
            Role::Instructor,
            pw
        )
        .await?
    );
    let candidate = db::users::by_email(pool, DEMO_CANDIDATE)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo candidate missing"))?;
    // Four earlier mocks per exam, improving over the weeks, so that score reports, readiness
    // and item analysis have something to show on the first run.
    for (slug, seed) in [("ai-300", 2027), ("dp-100", 2026)] {
        let Some(exam) = db::exams::by_slug(pool, slug).await? else {
            println!("no {slug} bank loaded: its demo attempts skipped");
            continue;
        };
        let existing = db::attempts::list_for_user_exam(pool, candidate.id, exam.id).await?;
        if existing.is_empty() {
            let n = simulate_history(pool, candidate.id, &exam, 4, 0.64, 0.86, seed).await?;
            println!(
                "gave the demo candidate 4 earlier {} mocks ({n} answers)",
                exam.code
            );
        } else {
            println!(
                "the demo candidate already has {} {} attempt(s)",
                existing.len(),
                exam.code
            );
        }
    }
    seed_cohort(pool, pw).await?;
    db::analyze(pool).await?;
    db::cohorts::analyze(pool).await?;
    Ok(())
}

use crate::domain::item::{ItemBody, Response};
use crate::engine::start::StartOutcome;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A plausible answer from a candidate who gets each component right with probability `p`.
pub fn simulated_response(body: &ItemBody, p: f64, rng: &mut impl Rng) -> Response {
    let mut hit = || rng.gen_bool(p.clamp(0.0, 1.0));
    let mut r = Response::correct_for(body);
    match (body, &mut r) {
        (ItemBody::Single { options, key }, Response::Single { choice }) if !hit() => {
            *choice = options.iter().map(|o| o.id.clone()).find(|id| id != key);
        }
        (
            ItemBody::Multiple {
                options,
                key,
                choose,
            },
            Response::Multiple { choices },
        ) => {
            let mut picked: Vec<String> = key.iter().filter(|_| hit()).cloned().collect();
            for o in options {
                if picked.len() as u32 >= *choose {
                    break;
                }
                if !key.contains(&o.id) {
                    picked.push(o.id.clone());
                }
            }
            picked.sort();
            *choices = picked;
        }
        (ItemBody::Order { .. }, Response::Order { positions }) => {
            for i in 0..positions.len() {
                if !hit() && positions.len() > 1 {
                    let j = (i + 1) % positions.len();
                    positions.swap(i, j);
                }
            }
        }
        (ItemBody::Dropdown { slots, .. }, Response::Dropdown { slots: picks }) => {
            for (slot, pick) in slots.iter().zip(picks.iter_mut()) {
                if !hit() {
                    *pick = slot
                        .choices
                        .iter()
                        .map(|c| c.id.clone())
                        .find(|id| Some(id) != pick.as_ref());
                }
            }
        }
        (ItemBody::Grid { .. }, Response::Grid { answers }) => {
            for a in answers.iter_mut() {
                if !hit() {
                    *a = a.map(|b| !b);
                }
            }
        }
        (ItemBody::Match { choices, .. }, Response::Match { picks }) => {
            for pick in picks.iter_mut() {
                if !hit() {
                    *pick = choices
                        .iter()
                        .map(|c| c.id.clone())
                        .find(|id| Some(id) != pick.as_ref());
                }
            }
        }
        (ItemBody::YesNo { key }, Response::YesNo { answer }) if !hit() => {
            *answer = Some(!key);
        }
        _ => {}
    }
    r
}

/// Gives a candidate `mocks` submitted full mocks spread over the past weeks, with ability
/// growing from `start` to `end` (per-domain offsets make some areas weaker than others).
pub async fn simulate_history(
    pool: &PgPool,
    user_id: UserId,
    exam: &db::exams::ExamRow,
    mocks: usize,
    start: f64,
    end: f64,
    seed: u64,
) -> anyhow::Result<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let offsets: Vec<f64> = exam
        .blueprint
        .domains
        .iter()
        .map(|_| rng.gen_range(-0.12..0.08))
        .collect();
    let mut responses = 0;
    for k in 0..mocks {
        let id = match crate::engine::start::mock(pool, user_id, exam, None).await? {
            StartOutcome::Created(id) | StartOutcome::AlreadyOpen(id) => id,
            StartOutcome::Refused(why) => anyhow::bail!("cannot start a mock: {why:?}"),
        };
        let progress = if mocks > 1 {
            k as f64 / (mocks - 1) as f64
        } else {
            1.0
        };
        let ability = start + (end - start) * progress;
        let items = db::attempts::items(pool, id).await?;
        let mut positions = Vec::new();
        let mut bodies = Vec::new();
        let mut flags = Vec::new();
        for it in &items {
            // Most candidates answer nearly everything; a few questions are left blank.
            if rng.gen_bool(0.03) {
                continue;
            }
            let d = exam
                .blueprint
                .domains
                .iter()
                .position(|d| d.code == it.domain_code)
                .unwrap_or(0);
            let p = (ability + offsets[d]).clamp(0.05, 0.98);
            let r = simulated_response(&it.body.0.body, p, &mut rng);
            positions.push(it.position);
            bodies.push(serde_json::to_value(&r)?);
            flags.push(rng.gen_bool(0.06));
        }
        responses += positions.len();
        db::demo::answer_items(pool, id, &positions, &bodies, &flags).await?;
        crate::engine::finalize(pool, id, SubmitReason::Candidate).await?;
        // Spread the mocks over the past weeks: the last one two days ago.
        let days_ago = 2 + (mocks - 1 - k) as i64 * 6;
        let minutes_used = rng.gen_range(70..98);
        db::demo::backdate(pool, id, days_ago as i32, minutes_used).await?;
    }
    // Reviews scheduled by those mocks fall due as if they had been taken on their dates.
    db::demo::advance_reviews(pool, user_id, 2).await?;
    Ok(responses)
}

/// The demo cohort's name (one per demo instructor).
pub const DEMO_COHORT: &str = "Data science team";

const DEMO_MEMBERS: [&str; 30] = [
    "Aisha Bello",
    "Ben Okafor",
    "Carla Mendes",
    "Dmitri Volkov",
    "Elena Rossi",
    "Farid Haddad",
    "Grace Kim",
    "Hugo Lefèvre",
    "Ines Duarte",
    "Jonas Berg",
    "Keiko Tanaka",
    "Liam O'Brien",
    "Maya Patel",
    "Noah Fischer",
    "Olga Nowak",
    "Pedro Alves",
    "Quinn Taylor",
    "Rosa Jiménez",
    "Samir Khan",
    "Tara Nguyen",
    "Umar Farouk",
    "Vera Ivanova",
    "Wen Li",
    "Ximena Torres",
    "Yusuf Demir",
    "Zoe Martin",
    "Arjun Rao",
    "Bianca Costa",
    "Chen Wei",
    "Dana Levi",
];

/// Answers every item of an attempt as a candidate of the given ability would (the first
/// `share` of them), and submits it when `submit`.
async fn work_through(
    pool: &PgPool,
    id: crate::types::AttemptId,
    ability: f64,
    share: f64,
    submit: bool,
    rng: &mut ChaCha8Rng,
) -> anyhow::Result<()> {
    let items = db::attempts::items(pool, id).await?;
    let take = ((items.len() as f64) * share).round() as usize;
    let mut positions = Vec::new();
    let mut bodies = Vec::new();
    for it in items.iter().take(take) {
        positions.push(it.position);
        bodies.push(serde_json::to_value(simulated_response(
            &it.body.0.body,
            ability,
            rng,
        ))?);
    }
    let flags = vec![false; positions.len()];
    db::demo::answer_items(pool, id, &positions, &bodies, &flags).await?;
    if submit {
        crate::engine::finalize(pool, id, SubmitReason::Candidate).await?;
    }
    Ok(())
}

/// A cohort of thirty for the demo instructor, preparing for the current exam: members with no
/// history yet, with one to three earlier mocks at abilities from weak to strong, last active
/// this week or weeks ago; a practice assignment some have finished, some started; and a full
/// mock assignment whose due date has passed.
pub async fn seed_cohort(pool: &PgPool, pw: &str) -> anyhow::Result<()> {
    use crate::engine::cohorts::{self as cohorts, AssignmentStart, NewCohort};
    let Some(instructor) = db::users::by_email(pool, DEMO_INSTRUCTOR).await? else {
        return Ok(());
    };
    let mut exam = None;
    for slug in ["ai-300", "dp-100"] {
        if exam.is_none() {
            exam = db::exams::by_slug(pool, slug).await?;
        }
    }
    let Some(exam) = exam else {
        println!("no bank loaded: the demo cohort skipped");
        return Ok(());
    };
    let taught = db::cohorts::list_for_instructor(pool, instructor.id).await?;
    if taught.iter().any(|c| c.name == DEMO_COHORT) {
        println!("the demo instructor already has the cohort “{DEMO_COHORT}”");
        return Ok(());
    }
    let today = time::OffsetDateTime::now_utc().date();
    let id = cohorts::create(
        pool,
        instructor.id,
        &NewCohort {
            name: DEMO_COHORT.into(),
            exam: exam.clone(),
            target_date: Some(today + time::Duration::days(45)),
            code_days: 30,
        },
    )
    .await?;
    let hash = password::hash(pw.to_string()).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(2031);
    let mut members = Vec::new();
    for (i, name) in DEMO_MEMBERS.iter().enumerate() {
        let email = format!("member{:02}@demo.mockexam", i + 1);
        let user = match db::users::create(pool, &email, name, &hash, Role::Candidate, true).await {
            Ok(u) => u,
            Err(db::users::CreateError::EmailTaken) => db::users::by_email(pool, &email)
                .await?
                .ok_or_else(|| anyhow::anyhow!("account {email} vanished"))?,
            Err(db::users::CreateError::Other(e)) => return Err(e.into()),
        };
        db::cohorts::add_member(pool, id, user.id).await?;
        let mocks = [0, 1, 2, 2, 3, 1, 2, 3, 2, 1][i % 10];
        let ability: f64 = rng.gen_range(0.5..0.92);
        if mocks > 0
            && db::attempts::list_for_user_exam(pool, user.id, exam.id)
                .await?
                .is_empty()
        {
            let gain = rng.gen_range(0.0..0.12);
            let end = (ability + gain).min(0.95);
            simulate_history(pool, user.id, &exam, mocks, ability, end, 3000 + i as u64).await?;
            // A third were last active a week or more ago.
            if i % 3 == 2 {
                db::demo::shift_history(pool, user.id, exam.id, 6 + (i as i32 % 4) * 4).await?;
            }
        }
        members.push((user.id, mocks, ability));
    }
    // A practice set on the cohort's weakest area, due in a week: some done, some started.
    let objectives: Vec<String> = exam.blueprint.domains[0]
        .objectives
        .iter()
        .take(2)
        .map(|o| o.code.clone())
        .collect();
    let spec = cohorts::check_assignment(
        &exam.blueprint,
        &cohorts::AssignmentInput {
            kind: "practice".into(),
            objectives,
            size: "10".into(),
            due: (today + time::Duration::days(7)).to_string(),
            ..Default::default()
        },
        today,
    )
    .map_err(|p| anyhow::anyhow!("demo assignment: {p:?}"))?;
    let practice = cohorts::create_assignment(pool, id, instructor.id, &spec).await?;
    for (k, &(user, _, ability)) in members.iter().enumerate().filter(|(k, _)| k % 3 != 1) {
        if let Some(AssignmentStart::Open(attempt)) =
            cohorts::start_assignment(pool, user, practice).await?
        {
            let done = k % 3 == 0;
            work_through(
                pool,
                attempt,
                ability,
                if done { 1.0 } else { 0.5 },
                done,
                &mut rng,
            )
            .await?;
        }
    }
    // A full mock that was due three days ago: the latest mock of most members with history
    // counts for it; the others are overdue.
    let mock = db::cohorts::create_assignment(
        pool,
        &db::cohorts::NewAssignment {
            cohort: id,
            kind: crate::types::AssignmentKind::Mock,
            title: &format!("{} full mock before the review session", exam.code),
            objectives: &[],
            size: None,
            timed: true,
            due_at: time::OffsetDateTime::now_utc() - time::Duration::days(3),
            created_by: instructor.id,
        },
    )
    .await?;
    for &(user, _, _) in members.iter().filter(|m| m.1 >= 2) {
        let list = db::attempts::list_for_user_exam(pool, user, exam.id).await?;
        if let Some(latest) = list.iter().find(|a| !a.is_practice() && !a.in_progress()) {
            db::cohorts::link_attempt(pool, mock, user, latest.id).await?;
        }
    }
    let code = db::cohorts::for_instructor(pool, id, instructor.id)
        .await?
        .and_then(|c| c.join_code)
        .unwrap_or_default();
    println!(
        "created the cohort “{DEMO_COHORT}” ({}, {} members, join code {}) for <{DEMO_INSTRUCTOR}>",
        exam.code,
        members.len(),
        crate::domain::cohort::display_code(&code)
    );
    Ok(())
}
