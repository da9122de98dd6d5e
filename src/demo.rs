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
    db::analyze(pool).await?;
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
