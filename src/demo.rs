//! Demo data: a candidate and an instructor to sign in with, and (when a bank is loaded) a few
//! earlier attempts so that reports have something to show.

use crate::db;
use crate::password;
use sqlx::PgPool;

pub const DEMO_CANDIDATE: &str = "candidate@demo.mockexam";
pub const DEMO_INSTRUCTOR: &str = "instructor@demo.mockexam";

/// Creates the account, or updates name, role and password when the email is taken.
pub async fn upsert_user(
    pool: &PgPool,
    email: &str,
    name: &str,
    role: &str,
    pw: &str,
) -> anyhow::Result<String> {
    if let Some(p) = password::strength_problem(pw) {
        anyhow::bail!(p);
    }
    let email = crate::web::auth::normalise_email(email);
    let hash = password::hash(pw.to_string()).await?;
    match db::users::create(pool, &email, name, &hash, role).await {
        Ok(u) => Ok(format!("created {role} {} <{}>", u.display_name, u.email)),
        Err(db::users::CreateError::EmailTaken) => {
            let u = db::users::by_email(pool, &email)
                .await?
                .ok_or_else(|| anyhow::anyhow!("account {email} vanished"))?;
            db::users::set_password(pool, u.id, &hash).await?;
            db::users::set_role(pool, u.id, role).await?;
            Ok(format!("updated {role} <{email}>: password and role set"))
        }
        Err(db::users::CreateError::Other(e)) => Err(e.into()),
    }
}

pub async fn run(pool: &PgPool, pw: &str) -> anyhow::Result<()> {
    println!(
        "{}",
        upsert_user(pool, DEMO_CANDIDATE, "Dana Candidate", "candidate", pw).await?
    );
    println!(
        "{}",
        upsert_user(pool, DEMO_INSTRUCTOR, "Ivan Instructor", "instructor", pw).await?
    );
    Ok(())
}
