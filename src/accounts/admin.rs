//! Administration of accounts: invite, disable and re-enable, send a reset link, change the role,
//! delete. Every action is recorded in the audit log in the same transaction as its change.

use super::{mails, recovery};
use crate::db;
use crate::db::users::User;
use crate::password;
use crate::state::AppState;
use crate::types::{AuditAction, Role, TokenPurpose, UserId};
use anyhow::Context;

/// What an admin action did.
#[derive(Debug)]
pub enum Outcome {
    /// Done; the message says what changed.
    Done(String),
    /// Refused; the message says why. Nothing changed.
    Refused(String),
    /// No such account.
    NotFound,
}

/// Admins act on other accounts only: nobody disables, deletes or demotes themselves (so there
/// is always an admin who can sign in).
fn refuse_self(admin: &User, target: &User, what: &str) -> Option<Outcome> {
    (admin.id == target.id)
        .then(|| Outcome::Refused(format!("You cannot {what} your own account.")))
}

async fn target(state: &AppState, id: UserId) -> anyhow::Result<Option<User>> {
    db::users::by_id(&state.db, id).await
}

/// Creates an account and mails its owner an invitation to choose a password. The invitation
/// is delivered before the answer, so the admin learns when it could not be.
#[tracing::instrument(skip_all, fields(admin = %admin.id), err)]
pub async fn invite(
    state: &AppState,
    admin: &User,
    email: &str,
    name: &str,
    role: Role,
) -> anyhow::Result<Result<(User, Outcome), String>> {
    // Nobody knows this password: the account is usable once the invitation is accepted.
    let unusable = password::hash(db::sessions::new_token()).await?;
    let user = match db::users::create(&state.db, email, name, &unusable, role, false).await {
        Ok(u) => u,
        Err(db::users::CreateError::EmailTaken) => {
            return Ok(Err(format!("{email} already has an account.")))
        }
        Err(db::users::CreateError::Other(e)) => return Err(e).context("creating the account"),
    };
    db::audit::record(&state.db, admin, AuditAction::Invite, &user, role.as_str()).await?;
    let days = recovery::INVITE_DAYS;
    let token = db::tokens::issue(
        &state.db,
        user.id,
        TokenPurpose::Invite,
        email,
        days * 24 * 60,
    )
    .await?;
    let url = format!("{}/invite/{token}", state.config.public_base());
    let mail = mails::invitation(email, name, &admin.display_name, &url, days);
    let outcome = match state.mailer.send(&mail).await {
        Ok(()) => Outcome::Done(format!("Invited {email}: the invitation was mailed.")),
        Err(e) => Outcome::Refused(format!(
            "The account {email} was created, but the invitation could not be mailed ({e:#}). \
             Send a reset link once mail works."
        )),
    };
    Ok(Ok((user, outcome)))
}

/// Disables (every session ends, links stop working, no browser stays trusted) or re-enables an
/// account.
#[tracing::instrument(skip_all, fields(admin = %admin.id, target = %id), err)]
pub async fn set_disabled(
    state: &AppState,
    admin: &User,
    id: UserId,
    disabled: bool,
) -> anyhow::Result<Outcome> {
    let Some(user) = target(state, id).await? else {
        return Ok(Outcome::NotFound);
    };
    if let Some(refused) = refuse_self(admin, &user, "disable") {
        return Ok(refused);
    }
    let mut tx = state.db.begin().await.context("starting a transaction")?;
    db::users::set_disabled(&mut *tx, id, disabled).await?;
    let (action, message) = if disabled {
        let ended = db::sessions::delete_all(&mut *tx, id).await?;
        db::tokens::revoke_all(&mut *tx, id).await?;
        db::devices::forget_all(&mut *tx, id).await?;
        let m = format!("{} is disabled; {ended} session(s) ended.", user.email);
        (AuditAction::Disable, m)
    } else {
        let m = format!("{} can sign in again.", user.email);
        (AuditAction::Enable, m)
    };
    db::audit::record(&mut *tx, admin, action, &user, "").await?;
    tx.commit().await.context("committing the change")?;
    Ok(Outcome::Done(message))
}

/// Mails the account a reset link (valid 30 minutes).
#[tracing::instrument(skip_all, fields(admin = %admin.id, target = %id), err)]
pub async fn send_reset(state: &AppState, admin: &User, id: UserId) -> anyhow::Result<Outcome> {
    let Some(user) = target(state, id).await? else {
        return Ok(Outcome::NotFound);
    };
    if user.is_disabled() {
        return Ok(Outcome::Refused(format!(
            "{} is disabled: re-enable the account before sending a reset link.",
            user.email
        )));
    }
    let mail = recovery::reset_mail(state, &user).await?;
    db::audit::record(&state.db, admin, AuditAction::SendReset, &user, "").await?;
    Ok(match state.mailer.send(&mail).await {
        Ok(()) => Outcome::Done(format!(
            "A reset link was mailed to {}. It works for 30 minutes.",
            user.email
        )),
        Err(e) => Outcome::Refused(format!("The reset link could not be mailed ({e:#}).")),
    })
}

/// Changes the role of another account.
#[tracing::instrument(skip_all, fields(admin = %admin.id, target = %id), err)]
pub async fn change_role(
    state: &AppState,
    admin: &User,
    id: UserId,
    role: Role,
) -> anyhow::Result<Outcome> {
    let Some(user) = target(state, id).await? else {
        return Ok(Outcome::NotFound);
    };
    if let Some(refused) = refuse_self(admin, &user, "change the role of") {
        return Ok(refused);
    }
    if user.role == role {
        return Ok(Outcome::Done(format!("{} is already {role}.", user.email)));
    }
    let mut tx = state.db.begin().await.context("starting a transaction")?;
    db::users::set_role(&mut *tx, id, role).await?;
    let detail = format!("{} → {role}", user.role);
    db::audit::record(&mut *tx, admin, AuditAction::ChangeRole, &user, &detail).await?;
    tx.commit().await.context("committing the role")?;
    Ok(Outcome::Done(format!(
        "Saved: {} is now {} {role}.",
        user.email,
        if role == Role::Candidate { "a" } else { "an" }
    )))
}

/// Deletes another account (as the account's owner would: submitted mocks stay anonymous).
#[tracing::instrument(skip_all, fields(admin = %admin.id, target = %id), err)]
pub async fn delete(state: &AppState, admin: &User, id: UserId) -> anyhow::Result<Outcome> {
    let Some(user) = target(state, id).await? else {
        return Ok(Outcome::NotFound);
    };
    if let Some(refused) = refuse_self(admin, &user, "delete") {
        return Ok(refused);
    }
    let mut tx = state.db.begin().await.context("starting a transaction")?;
    db::audit::record(&mut *tx, admin, AuditAction::Delete, &user, "").await?;
    db::privacy::delete_account(&mut tx, id).await?;
    tx.commit().await.context("committing the deletion")?;
    Ok(Outcome::Done(format!("{} was deleted.", user.email)))
}
