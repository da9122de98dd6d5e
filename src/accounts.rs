//! Account rules: how emails are compared and checked, and password checks under the sign-in
//! throttle (failures counted in Postgres per account and client, per account, per address and
//! per trusted device; see `domain::signin`). Recovery by email, administration and privacy
//! live in the submodules.

pub mod admin;
pub mod mails;
pub mod privacy;
pub mod recovery;

use crate::config::Config;
use crate::db;
use crate::db::throttle::Attempt;
use crate::db::users::User;
use crate::domain::signin::Limits;
use crate::password;
use anyhow::Context;
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
        per_client: cfg.login_max_per_account.max(0) as usize,
        per_ip: cfg.login_max_per_ip.max(0) as usize,
        per_account_global: cfg.login_max_per_account_global.max(0) as usize,
        window_secs: cfg.login_window_seconds,
        global_window_secs: cfg.login_global_window_seconds,
    }
}

/// How long a browser stays trusted for an account after its last sign-in there.
pub const DEVICE_DAYS: i64 = 365;

#[derive(Debug)]
pub enum PasswordCheck<T> {
    Right(T),
    Wrong,
    /// The password was right but an admin disabled the account.
    Disabled,
    /// Too many failures for this client or account: try again after this many seconds.
    Throttled(i64),
}

/// The client asking: its address and the device cookie it holds, if any.
pub struct Client<'a> {
    pub ip: &'a str,
    pub device: Option<&'a str>,
}

/// Checks a password for `email` under the throttle: a failure is recorded before the (slow)
/// verification and forgiven when the password is right, so parallel guesses count too. An
/// unknown account costs the same time as a known one.
async fn check(
    db: &PgPool,
    cfg: &Config,
    email: &str,
    client: &Client<'_>,
    attempt: String,
    user: impl std::future::Future<Output = anyhow::Result<Option<User>>>,
) -> anyhow::Result<PasswordCheck<User>> {
    let trusted = match client.device {
        Some(token) => db::devices::is_trusted(db, token, email, DEVICE_DAYS).await?,
        None => false,
    };
    let key = Attempt {
        email,
        ip: client.ip,
        device: client
            .device
            .filter(|_| trusted)
            .map(db::sessions::hash_token),
    };
    let failure = match db::throttle::begin_check(db, &key, &limits(cfg)).await? {
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
            db::throttle::forgive(db, failure, &key).await?;
            if u.is_disabled() {
                return Ok(PasswordCheck::Disabled);
            }
            Ok(PasswordCheck::Right(u))
        }
        _ => {
            db::throttle::confirm_failure(db, failure).await?;
            Ok(PasswordCheck::Wrong)
        }
    }
}

/// Signing in with an email and a password.
#[tracing::instrument(skip(db, cfg, client, attempt), err)]
pub async fn sign_in(
    db: &PgPool,
    cfg: &Config,
    email: &str,
    client: &Client<'_>,
    attempt: String,
) -> anyhow::Result<PasswordCheck<User>> {
    let outcome = check(
        db,
        cfg,
        email,
        client,
        attempt,
        db::users::by_email(db, email),
    )
    .await?;
    let label = match outcome {
        PasswordCheck::Right(_) => Some("success"),
        PasswordCheck::Wrong => Some("failure"),
        PasswordCheck::Disabled => Some("disabled"),
        PasswordCheck::Throttled(_) => None,
    };
    if let Some(label) = label {
        metrics::counter!("mockexam_logins_total", "outcome" => label).increment(1);
    }
    Ok(outcome)
}

/// After a sign-in: the browser's device cookie (the one it has, or a new one) is trusted for
/// the account from now on. Returns the cookie's value.
pub async fn remember_device(
    db: &PgPool,
    user: &User,
    existing: Option<&str>,
) -> anyhow::Result<String> {
    let token = existing
        .map(str::to_string)
        .unwrap_or_else(db::sessions::new_token);
    db::devices::trust(db, &token, user.id).await?;
    Ok(token)
}

/// The signed-in user's current password, checked before a change (throttled like signing in,
/// so a stolen session cannot guess it).
#[tracing::instrument(skip_all, fields(user = %user.id), err)]
pub async fn confirm_current(
    db: &PgPool,
    cfg: &Config,
    user: &User,
    client: &Client<'_>,
    attempt: String,
) -> anyhow::Result<PasswordCheck<User>> {
    let known = async { Ok(Some(user.clone())) };
    check(db, cfg, &user.email, client, attempt, known).await
}

/// Stores a new password, ends every other session of the account (the one in `keep`, the
/// browser that changed it, stays) and forgets the browsers trusted for it. Returns how many
/// sessions ended.
#[tracing::instrument(skip_all, fields(user = %user.id), err)]
pub async fn set_password(
    db: &PgPool,
    user: &User,
    new_password: String,
    keep: Option<&str>,
) -> anyhow::Result<u64> {
    let hash = password::hash(new_password).await?;
    db::users::set_password(db, user.id, &hash).await?;
    db::devices::forget_all(db, user.id).await?;
    Ok(match keep {
        Some(token) => db::sessions::delete_others(db, user.id, token).await?,
        None => db::sessions::delete_all(db, user.id).await?,
    })
}

/// The operator's reset (`mockexam user add` on an existing account): new password and role,
/// every session ended, no browser trusted, failed sign-ins forgotten. Returns the sessions
/// ended.
#[tracing::instrument(skip_all, fields(user = %user.id), err)]
pub async fn operator_reset(
    db: &PgPool,
    user: &User,
    hash: &str,
    role: crate::types::Role,
) -> anyhow::Result<u64> {
    let mut tx = db.begin().await.context("starting a transaction")?;
    db::users::set_password(&mut *tx, user.id, hash).await?;
    db::users::set_role(&mut *tx, user.id, role).await?;
    db::users::mark_verified(&mut *tx, user.id).await?;
    db::devices::forget_all(&mut *tx, user.id).await?;
    let ended = db::sessions::delete_all(&mut *tx, user.id).await?;
    tx.commit().await.context("committing the reset")?;
    db::throttle::clear_account(db, &user.email).await?;
    Ok(ended)
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
