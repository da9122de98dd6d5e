//! Account rules: how emails are compared and checked, and password checks under the sign-in
//! throttle (failures counted in Postgres per account and per address).

use crate::config::Config;
use crate::db;
use crate::db::throttle::Limits;
use crate::db::users::User;
use crate::password;
use sqlx::PgPool;

/// Emails are compared trimmed and lower-cased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Why an email cannot be an account's address, in the user's words.
pub fn email_problem(email: &str) -> Option<String> {
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(char::is_whitespace);
    (!valid).then(|| "Enter an email address like name@example.com.".to_string())
}

pub fn limits(cfg: &Config) -> Limits {
    Limits {
        per_account: cfg.login_max_per_account,
        per_ip: cfg.login_max_per_ip,
        window_seconds: cfg.login_window_seconds,
    }
}

#[derive(Debug)]
pub enum PasswordCheck<T> {
    Right(T),
    Wrong,
    /// Too many failures for this account or address: try again after this many seconds.
    Throttled(i64),
}

/// Checks a password for `email` under the throttle: a failure is recorded before the (slow)
/// verification and forgiven when the password is right, so parallel guesses count too. An
/// unknown account costs the same time as a known one.
async fn check(
    db: &PgPool,
    cfg: &Config,
    email: &str,
    ip: &str,
    attempt: String,
    user: impl std::future::Future<Output = anyhow::Result<Option<User>>>,
) -> anyhow::Result<PasswordCheck<User>> {
    let failure = match db::throttle::begin_check(db, email, ip, &limits(cfg)).await? {
        Ok(id) => id,
        Err(secs) => {
            metrics::counter!("mockexam_login_throttled_total").increment(1);
            return Ok(PasswordCheck::Throttled(secs));
        }
    };
    let user = user.await?;
    let phc = user.as_ref().map_or_else(
        || password::dummy_hash().to_string(),
        |u| u.password_hash.clone(),
    );
    let right = password::verify(attempt, phc).await?;
    match user {
        Some(u) if right => {
            db::throttle::forgive(db, failure, email).await?;
            Ok(PasswordCheck::Right(u))
        }
        _ => {
            db::throttle::confirm_failure(db, failure).await?;
            Ok(PasswordCheck::Wrong)
        }
    }
}

/// Signing in with an email and a password.
#[tracing::instrument(skip(db, cfg, attempt), err)]
pub async fn sign_in(
    db: &PgPool,
    cfg: &Config,
    email: &str,
    ip: &str,
    attempt: String,
) -> anyhow::Result<PasswordCheck<User>> {
    let outcome = check(db, cfg, email, ip, attempt, db::users::by_email(db, email)).await?;
    let label = match outcome {
        PasswordCheck::Right(_) => Some("success"),
        PasswordCheck::Wrong => Some("failure"),
        PasswordCheck::Throttled(_) => None,
    };
    if let Some(label) = label {
        metrics::counter!("mockexam_logins_total", "outcome" => label).increment(1);
    }
    Ok(outcome)
}

/// The signed-in user's current password, checked before a change (throttled like signing in,
/// so a stolen session cannot guess it).
#[tracing::instrument(skip_all, fields(user = %user.id), err)]
pub async fn confirm_current(
    db: &PgPool,
    cfg: &Config,
    user: &User,
    ip: &str,
    attempt: String,
) -> anyhow::Result<PasswordCheck<User>> {
    let known = async { Ok(Some(user.clone())) };
    check(db, cfg, &user.email, ip, attempt, known).await
}

/// Stores a new password and ends every other session of the account (the one in `keep`, the
/// browser that changed it, stays). Returns how many sessions ended.
#[tracing::instrument(skip_all, fields(user = %user.id), err)]
pub async fn set_password(
    db: &PgPool,
    user: &User,
    new_password: String,
    keep: Option<&str>,
) -> anyhow::Result<u64> {
    let hash = password::hash(new_password).await?;
    db::users::set_password(db, user.id, &hash).await?;
    Ok(match keep {
        Some(token) => db::sessions::delete_others(db, user.id, token).await?,
        None => 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_compare_trimmed_and_lower_cased() {
        assert_eq!(normalise_email("  Dana@Example.COM "), "dana@example.com");
    }

    #[test]
    fn malformed_emails_are_explained() {
        for bad in [
            "",
            "dana",
            "@example.com",
            "dana@example",
            "dana@.com",
            "dana@example.",
            "da na@example.com",
        ] {
            assert!(email_problem(bad).is_some(), "{bad:?}");
        }
        assert!(email_problem("dana@example.com").is_none());
    }
}
