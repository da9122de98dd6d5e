//! Forgot password and the reset link, verification links, invitations.

use crate::accounts::recovery::{self, Limited, Verified};
use crate::accounts::{self};
use crate::db::users::User;
use crate::error::Result;
use crate::password;
use crate::state::AppState;
use crate::web::auth::with_retry_after;
use crate::web::session::{start_session, Browser};
use crate::web::{render, render_with_status, CurrentUser, MaybeUser, PageCtx};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/password/forgot", get(forgot_page).post(forgot))
        .route("/password/reset/{token}", get(reset_page).post(reset))
        .route("/verify/{token}", get(verify))
        .route("/account/verify/resend", post(resend_verification))
        .route("/invite/{token}", get(invite_page).post(accept_invite))
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct ForgotPage {
    ctx: PageCtx,
    email: String,
    errors: Vec<String>,
    sent: bool,
}

#[derive(Template)]
#[template(path = "auth/set_password.html")]
struct SetPasswordPage {
    ctx: PageCtx,
    heading: &'static str,
    explanation: &'static str,
    button: &'static str,
    action: String,
    email: String,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "auth/link_result.html")]
struct LinkResult {
    ctx: PageCtx,
    heading: String,
    message: String,
    ok: bool,
    retry_href: String,
    retry_label: String,
}

impl LinkResult {
    fn page(user: Option<&User>, heading: &str, message: &str, ok: bool) -> LinkResult {
        LinkResult {
            ctx: PageCtx::new(user),
            heading: heading.into(),
            message: message.into(),
            ok,
            retry_href: String::new(),
            retry_label: String::new(),
        }
    }

    fn retry(mut self, href: &str, label: &str) -> LinkResult {
        self.retry_href = href.into();
        self.retry_label = label.into();
        self
    }
}

/// A link that is unknown, used or expired: 410 and a way on.
fn dead_link(user: Option<&User>, what: &str, retry: (&str, &str)) -> Result<Response> {
    let page = LinkResult::page(
        user,
        "This link no longer works",
        &format!("This {what} link was already used, has expired, or was replaced by a newer one."),
        false,
    )
    .retry(retry.0, retry.1);
    render_with_status(&page, StatusCode::GONE)
}

#[derive(serde::Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

async fn forgot_page(MaybeUser(user): MaybeUser) -> Result<Response> {
    render(&ForgotPage {
        ctx: PageCtx::new(user.as_ref()),
        email: String::new(),
        errors: vec![],
        sent: false,
    })
}

async fn forgot(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    browser: Browser,
    Form(form): Form<EmailForm>,
) -> Result<Response> {
    let email = accounts::normalise_email(&form.email);
    let page = |errors: Vec<String>, sent: bool| ForgotPage {
        ctx: PageCtx::new(user.as_ref()),
        email: email.clone(),
        errors,
        sent,
    };
    if let Some(problem) = accounts::email_problem(&email) {
        return render_with_status(
            &page(vec![problem], false),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match recovery::forgot(&state, &email, &browser.ip).await? {
        // The same page whether or not the address has an account.
        Limited::Done => render(&page(vec![], true)),
        Limited::Throttled(secs) => {
            let msg = "Too many reset requests from your network. Try again later.".to_string();
            let r = render_with_status(&page(vec![msg], false), StatusCode::TOO_MANY_REQUESTS)?;
            with_retry_after(r, secs)
        }
    }
}

#[derive(serde::Deserialize)]
struct NewPasswordForm {
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_confirm: String,
}

impl NewPasswordForm {
    fn problems(&self) -> Vec<String> {
        if let Some(p) = password::strength_problem(&self.new_password) {
            vec![p]
        } else if self.new_password != self.new_password_confirm {
            vec!["The two passwords do not match.".into()]
        } else {
            vec![]
        }
    }
}

fn reset_form(user: &User, token: &str, errors: Vec<String>) -> SetPasswordPage {
    SetPasswordPage {
        ctx: PageCtx::new(None),
        heading: "Choose a new password",
        explanation: "Setting it signs you out on every device.",
        button: "Set the new password",
        action: format!("/password/reset/{token}"),
        email: user.email.clone(),
        errors,
    }
}

const NEW_RESET: (&str, &str) = ("/password/forgot", "Ask for a new reset link");

async fn reset_page(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response> {
    match recovery::reset_target(&state, &token).await? {
        Some(user) => render(&reset_form(&user, &token, vec![])),
        None => dead_link(None, "reset", NEW_RESET),
    }
}

async fn reset(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<NewPasswordForm>,
) -> Result<Response> {
    let Some(user) = recovery::reset_target(&state, &token).await? else {
        return dead_link(None, "reset", NEW_RESET);
    };
    let errors = form.problems();
    if !errors.is_empty() {
        let page = reset_form(&user, &token, errors);
        return render_with_status(&page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    match recovery::reset(&state, &token, form.new_password).await? {
        Some(_) => Ok(Redirect::to("/login?done=reset").into_response()),
        None => dead_link(None, "reset", NEW_RESET),
    }
}

async fn verify(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(token): Path<String>,
) -> Result<Response> {
    let u = user.as_ref();
    let page = match recovery::verify(&state, &token).await? {
        Verified::Address(a) => LinkResult::page(
            u,
            "Address confirmed",
            &format!("Thank you: {} is confirmed.", a.email),
            true,
        ),
        Verified::EmailChanged { new_email, .. } => LinkResult::page(
            u,
            "Email changed",
            &format!("Your account now uses {new_email}. Sign in with it from now on."),
            true,
        ),
        Verified::Taken => LinkResult::page(
            u,
            "Address already in use",
            "That address has an account of its own now, so your email was not changed.",
            false,
        ),
        Verified::Invalid => {
            return dead_link(
                u,
                "confirmation",
                ("/account", "Send a new link from your account"),
            )
        }
    };
    render(&page)
}

async fn resend_verification(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    let page = match recovery::resend_verification(&state, &user).await? {
        Limited::Done => LinkResult::page(
            Some(&user),
            "Check your inbox",
            &format!("We mailed a new confirmation link to {}.", user.email),
            true,
        ),
        Limited::Throttled(_) => LinkResult::page(
            Some(&user),
            "Please wait",
            "We already sent several links this hour. Look for them in your inbox (and spam folder).",
            false,
        ),
    };
    render(&page)
}

fn invite_form(user: &User, token: &str, errors: Vec<String>) -> SetPasswordPage {
    SetPasswordPage {
        ctx: PageCtx::new(None),
        heading: "Welcome to mockexam",
        explanation: "Choose a password to start.",
        button: "Set my password and sign in",
        action: format!("/invite/{token}"),
        email: user.email.clone(),
        errors,
    }
}

const ASK_ADMIN: (&str, &str) = ("/password/forgot", "Reset your password instead");

async fn invite_page(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response> {
    match recovery::invite_target(&state, &token).await? {
        Some(user) => render(&invite_form(&user, &token, vec![])),
        None => dead_link(None, "invitation", ASK_ADMIN),
    }
}

async fn accept_invite(
    State(state): State<AppState>,
    browser: Browser,
    Path(token): Path<String>,
    Form(form): Form<NewPasswordForm>,
) -> Result<Response> {
    let Some(user) = recovery::invite_target(&state, &token).await? else {
        return dead_link(None, "invitation", ASK_ADMIN);
    };
    let errors = form.problems();
    if !errors.is_empty() {
        let page = invite_form(&user, &token, errors);
        return render_with_status(&page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    match recovery::accept_invite(&state, &token, form.new_password).await? {
        Some(user) => start_session(&state, &browser, &user, "/").await,
        None => dead_link(None, "invitation", ASK_ADMIN),
    }
}
