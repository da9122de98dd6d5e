//! Recovery and proof by email: "forgot password" and its reset link, registration that reveals
//! nothing, address verification (at registration and on an email change) with its reminder and
//! the deletion of accounts never verified, and accepting an invitation.
//!
//! Every link is a random token stored only as its SHA-256 (`db::tokens`), used once, with an
//! expiry. Answers that could tell whether an address has an account (forgot password,
//! registration, email change) are the same either way; the mail goes to the address instead,
//! and is sent in the background so that the answer's timing does not tell either.

use super::mails;
use crate::db;
use crate::db::users::User;
use crate::password;
use crate::state::AppState;
use crate::types::{Role, TokenPurpose};
use anyhow::Context;

/// A reset link works for 30 minutes.
pub const RESET_MINUTES: i64 = 30;
/// An email-change link works for a day.
pub const EMAIL_CHANGE_MINUTES: i64 = 24 * 60;
/// An invitation works for a week.
pub const INVITE_DAYS: i64 = 7;
/// Reset mails per account per hour (more requests answer the same but send nothing).
const RESETS_PER_ACCOUNT_HOUR: i64 = 3;
/// Reset requests per client address per hour.
const RESETS_PER_IP_HOUR: i64 = 20;

/// A request under a per-address limit: done, or refused for this many seconds.
#[derive(Debug, PartialEq, Eq)]
pub enum Limited {
    Done,
    Throttled(i64),
}

fn link(state: &AppState, path: &str, token: &str) -> String {
    format!("{}{path}/{token}", state.config.public_base())
}

/// "Forgot password": mails a reset link when the address has an active account. The answer is
/// the same whether it has one or not.
#[tracing::instrument(skip_all, err)]
pub async fn forgot(state: &AppState, email: &str, ip: &str) -> anyhow::Result<Limited> {
    let db = &state.db;
    if !db::throttle::take_slot(db, "forgot-ip", ip, RESETS_PER_IP_HOUR, 3600).await? {
        return Ok(Limited::Throttled(3600));
    }
    if let Some(user) = db::users::by_email(db, email).await? {
        if !user.is_disabled()
            && db::throttle::take_slot(db, "forgot-email", email, RESETS_PER_ACCOUNT_HOUR, 3600)
                .await?
        {
            send_reset(state, &user).await?;
        }
    }
    Ok(Limited::Done)
}

/// Issues a reset link for the account and mails it in the background.
pub async fn send_reset(state: &AppState, user: &User) -> anyhow::Result<()> {
    let mail = reset_mail(state, user).await?;
    state.mailer.send_later(mail);
    Ok(())
}

/// A new reset link for the account, as a mail (earlier links stop working).
pub async fn reset_mail(state: &AppState, user: &User) -> anyhow::Result<crate::mail::Mail> {
    let token = db::tokens::issue(
        &state.db,
        user.id,
        TokenPurpose::Reset,
        &user.email,
        RESET_MINUTES,
    )
    .await?;
    let url = link(state, "/password/reset", &token);
    Ok(mails::reset_link(&user.email, &user.display_name, &url))
}

/// The account a reset link is for, while the link is valid and the account active.
pub async fn reset_target(state: &AppState, token: &str) -> anyhow::Result<Option<User>> {
    let Some(grant) = db::tokens::peek(&state.db, token, TokenPurpose::Reset).await? else {
        return Ok(None);
    };
    Ok(db::users::by_id(&state.db, grant.user_id)
        .await?
        .filter(|u| !u.is_disabled()))
}

/// Sets a new password through a reset link: the link is used up, every session of the account
/// ends, no browser stays trusted, other links stop working and failed sign-ins are forgotten.
/// `None` when the link is not (or no longer) valid.
#[tracing::instrument(skip_all, err)]
pub async fn reset(
    state: &AppState,
    token: &str,
    new_password: String,
) -> anyhow::Result<Option<User>> {
    let hash = password::hash(new_password).await?;
    let mut tx = state.db.begin().await.context("starting a transaction")?;
    let Some(grant) = db::tokens::consume(&mut *tx, token, TokenPurpose::Reset).await? else {
        return Ok(None);
    };
    let Some(user) = db::users::by_id(&mut *tx, grant.user_id)
        .await?
        .filter(|u| !u.is_disabled())
    else {
        return Ok(None);
    };
    db::users::set_password(&mut *tx, user.id, &hash).await?;
    if grant.email == user.email {
        // Following the link proved the mailbox.
        db::users::mark_verified(&mut *tx, user.id).await?;
    }
    db::sessions::delete_all(&mut *tx, user.id).await?;
    db::devices::forget_all(&mut *tx, user.id).await?;
    db::tokens::revoke_all(&mut *tx, user.id).await?;
    tx.commit().await.context("committing the new password")?;
    db::throttle::clear_account(&state.db, &user.email).await?;
    let base = state.config.public_base();
    state.mailer.send_later(mails::password_changed(
        &user.email,
        &user.display_name,
        &base,
    ));
    Ok(Some(user))
}

/// Registration. A new address gets an unverified account and a verification link; an address
/// that has an account gets a mail telling its owner, and nothing changes. The caller answers
/// both the same way ("check your inbox"); the password is hashed either way so that both take
/// as long.
#[tracing::instrument(skip_all, err)]
pub async fn register(
    state: &AppState,
    email: &str,
    display_name: &str,
    new_password: String,
    ip: &str,
) -> anyhow::Result<Limited> {
    let max = state.config.register_max_per_ip;
    if !db::throttle::take_slot(&state.db, "register-ip", ip, max, 3600).await? {
        return Ok(Limited::Throttled(3600));
    }
    let hash = password::hash(new_password).await?;
    match db::users::create(
        &state.db,
        email,
        display_name,
        &hash,
        Role::Candidate,
        false,
    )
    .await
    {
        Ok(user) => send_verification(state, &user).await?,
        Err(db::users::CreateError::EmailTaken) => {
            if let Some(owner) = db::users::by_email(&state.db, email).await? {
                let base = state.config.public_base();
                state.mailer.send_later(mails::already_registered(
                    &owner.email,
                    &owner.display_name,
                    &base,
                ));
            }
        }
        Err(db::users::CreateError::Other(e)) => return Err(e).context("creating the account"),
    }
    Ok(Limited::Done)
}

/// Mails a (new) verification link for the account's address.
pub async fn send_verification(state: &AppState, user: &User) -> anyhow::Result<()> {
    let days = state.config.unverified_days;
    let token = db::tokens::issue(
        &state.db,
        user.id,
        TokenPurpose::Verify,
        &user.email,
        days.max(1) * 24 * 60,
    )
    .await?;
    let url = link(state, "/verify", &token);
    state.mailer.send_later(mails::verify_link(
        &user.email,
        &user.display_name,
        &url,
        days,
    ));
    Ok(())
}

/// "Send the link again", at most three times an hour per account.
pub async fn resend_verification(state: &AppState, user: &User) -> anyhow::Result<Limited> {
    if user.is_verified() {
        return Ok(Limited::Done);
    }
    if !db::throttle::take_slot(&state.db, "verify-resend", &user.email, 3, 3600).await? {
        return Ok(Limited::Throttled(3600));
    }
    send_verification(state, user).await?;
    Ok(Limited::Done)
}

/// What following a verification link did.
#[derive(Debug)]
pub enum Verified {
    /// The link is unknown, used or expired.
    Invalid,
    /// The account's address is proven.
    Address(User),
    /// The account moved to the proven new address; the old one was told.
    EmailChanged { user: User, new_email: String },
    /// The new address got an account of its own meanwhile: nothing changed.
    Taken,
}

/// Follows a verification link (registration or email change).
#[tracing::instrument(skip_all, err)]
pub async fn verify(state: &AppState, token: &str) -> anyhow::Result<Verified> {
    let mut tx = state.db.begin().await.context("starting a transaction")?;
    let Some(grant) = db::tokens::consume(&mut *tx, token, TokenPurpose::Verify).await? else {
        return Ok(Verified::Invalid);
    };
    let Some(user) = db::users::by_id(&mut *tx, grant.user_id).await? else {
        return Ok(Verified::Invalid);
    };
    if grant.email == user.email {
        db::users::mark_verified(&mut *tx, user.id).await?;
        tx.commit().await.context("committing the verification")?;
        return Ok(Verified::Address(user));
    }
    if !db::users::set_email(&mut *tx, user.id, &grant.email).await? {
        tx.commit().await.context("using up the link")?;
        return Ok(Verified::Taken);
    }
    tx.commit().await.context("committing the new address")?;
    // Failed sign-ins were counted against the old address.
    db::throttle::clear_account(&state.db, &user.email).await?;
    let base = state.config.public_base();
    state.mailer.send_later(mails::email_changed(
        &user.email,
        &user.display_name,
        &grant.email,
        &base,
    ));
    Ok(Verified::EmailChanged {
        user,
        new_email: grant.email,
    })
}

/// An email change: the new address gets a link that moves the account there, the old one a
/// notice. When the new address has an account, that owner is told instead and nothing changes;
/// the caller answers the same either way.
#[tracing::instrument(skip_all, err)]
pub async fn request_email_change(
    state: &AppState,
    user: &User,
    new_email: &str,
) -> anyhow::Result<()> {
    let base = state.config.public_base();
    if db::users::by_email(&state.db, new_email).await?.is_some() {
        state
            .mailer
            .send_later(mails::email_change_taken(new_email, &base));
        return Ok(());
    }
    let token = db::tokens::issue(
        &state.db,
        user.id,
        TokenPurpose::Verify,
        new_email,
        EMAIL_CHANGE_MINUTES,
    )
    .await?;
    let url = link(state, "/verify", &token);
    state.mailer.send_later(mails::email_change_confirm(
        new_email,
        &user.display_name,
        &url,
    ));
    state.mailer.send_later(mails::email_change_requested(
        &user.email,
        &user.display_name,
        new_email,
        &base,
    ));
    Ok(())
}

/// The account an invitation is for, while the invitation is valid.
pub async fn invite_target(state: &AppState, token: &str) -> anyhow::Result<Option<User>> {
    let Some(grant) = db::tokens::peek(&state.db, token, TokenPurpose::Invite).await? else {
        return Ok(None);
    };
    Ok(db::users::by_id(&state.db, grant.user_id)
        .await?
        .filter(|u| !u.is_disabled()))
}

/// Accepts an invitation: the password is set and the address proven. `None` when the
/// invitation is not (or no longer) valid.
#[tracing::instrument(skip_all, err)]
pub async fn accept_invite(
    state: &AppState,
    token: &str,
    new_password: String,
) -> anyhow::Result<Option<User>> {
    let hash = password::hash(new_password).await?;
    let mut tx = state.db.begin().await.context("starting a transaction")?;
    let Some(grant) = db::tokens::consume(&mut *tx, token, TokenPurpose::Invite).await? else {
        return Ok(None);
    };
    let Some(user) = db::users::by_id(&mut *tx, grant.user_id)
        .await?
        .filter(|u| !u.is_disabled())
    else {
        return Ok(None);
    };
    db::users::set_password(&mut *tx, user.id, &hash).await?;
    db::users::mark_verified(&mut *tx, user.id).await?;
    tx.commit().await.context("committing the invitation")?;
    Ok(Some(user))
}

/// Upkeep run by the sweeper: unverified accounts get one reminder a week before their deadline
/// (half-way for deadlines under two weeks) and are deleted when it passes. Returns (reminded,
/// deleted).
pub async fn sweep_unverified(state: &AppState) -> anyhow::Result<(usize, usize)> {
    let days = state.config.unverified_days.max(1);
    let remind_after = if days >= 14 { days - 7 } else { days / 2 };
    let mut reminded = 0;
    for user in db::users::due_verify_reminder(&state.db, remind_after).await? {
        // Another process may be reminding the same account: whoever records it sends it.
        if !db::users::mark_reminded(&state.db, user.id).await? {
            continue;
        }
        let token = db::tokens::issue(
            &state.db,
            user.id,
            TokenPurpose::Verify,
            &user.email,
            (days - remind_after).max(1) * 24 * 60,
        )
        .await?;
        let deadline = user.created_at + time::Duration::days(days);
        let deadline = crate::web::format::time(deadline);
        let url = link(state, "/verify", &token);
        state.mailer.send_later(mails::verify_reminder(
            &user.email,
            &user.display_name,
            &url,
            &deadline,
        ));
        reminded += 1;
    }
    let mut deleted = 0;
    for id in db::users::expired_unverified(&state.db, days).await? {
        let mut tx = state.db.begin().await.context("starting a transaction")?;
        db::privacy::delete_account(&mut tx, id).await?;
        tx.commit().await.context("committing the deletion")?;
        deleted += 1;
    }
    Ok((reminded, deleted))
}
