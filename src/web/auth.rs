//! Register, sign in, sign out, change password.

use super::session::{clear_cookie, start_session, Browser};
use super::{render, render_with_status, safe_next, CurrentUser, FormErrors, MaybeUser, PageCtx};
use crate::accounts::recovery::{self, Limited};
use crate::accounts::{self, PasswordCheck};
use crate::db;
use crate::db::users::User;
use crate::error::Result;
use crate::password;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", get(register_page).post(register))
        .route("/register/check-inbox", get(check_inbox))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route(
            "/account/password",
            get(password_page).post(change_password),
        )
}

#[derive(Template)]
#[template(path = "auth/register.html")]
struct RegisterPage {
    ctx: PageCtx,
    email: String,
    display_name: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "auth/check_inbox.html")]
struct CheckInboxPage {
    ctx: PageCtx,
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: PageCtx,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    ctx: PageCtx,
    errors: Vec<String>,
    done: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
    /// A notice after another page sent the visitor here (`reset`, `invited`, `deleted`).
    #[serde(default)]
    done: String,
}

/// What the sign-in page says after a flow that ends there.
fn login_notice(done: &str) -> Option<String> {
    match done {
        "reset" => Some("Your password was changed and every session signed out. Sign in with the new password.".into()),
        "deleted" => Some("Your account and its data were deleted.".into()),
        _ => None,
    }
}

#[derive(serde::Deserialize)]
struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

impl RegisterForm {
    /// Everything wrong with the form, in the user's words.
    fn problems(&self, email: &str) -> FormErrors {
        let mut errors = FormErrors::default();
        if let Some(p) = accounts::email_problem(email) {
            errors.add("email", p);
        }
        let name_len = self.display_name.trim().chars().count();
        if name_len == 0 || name_len > 80 {
            errors.add(
                "display_name",
                "Enter a display name of 1 to 80 characters.",
            );
        }
        if let Some(p) = password::strength_problem(&self.password) {
            errors.add("password", p);
        } else if self.password != self.password_confirm {
            errors.add("password_confirm", "The two passwords do not match.");
        }
        errors
    }
}

async fn register_page(MaybeUser(user): MaybeUser) -> Result<Response> {
    if user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    render(&RegisterPage {
        ctx: PageCtx::new(None),
        email: String::new(),
        display_name: String::new(),
        errors: FormErrors::default(),
    })
}

async fn register(
    State(state): State<AppState>,
    browser: Browser,
    Form(form): Form<RegisterForm>,
) -> Result<Response> {
    let email = accounts::normalise_email(&form.email);
    let display_name = form.display_name.trim().to_string();
    let again = |errors: FormErrors, status: StatusCode| {
        let page = RegisterPage {
            ctx: PageCtx::new(None),
            email: email.clone(),
            display_name: display_name.clone(),
            errors,
        };
        render_with_status(&page, status)
    };
    let errors = form.problems(&email);
    if !errors.is_empty() {
        return again(errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The same answer whether the address is new or has an account: check your inbox.
    match recovery::register(&state, &email, &display_name, form.password, &browser.ip).await? {
        Limited::Done => Ok(Redirect::to("/register/check-inbox").into_response()),
        Limited::Throttled(secs) => with_retry_after(
            again(
                FormErrors(vec![(
                    None,
                    "Too many accounts were created from your network. Try again later.".into(),
                )]),
                StatusCode::TOO_MANY_REQUESTS,
            )?,
            secs,
        ),
    }
}

async fn check_inbox() -> Result<Response> {
    render(&CheckInboxPage {
        ctx: PageCtx::new(None),
    })
}

async fn login_page(MaybeUser(user): MaybeUser, Query(q): Query<NextQuery>) -> Result<Response> {
    if user.is_some() {
        return Ok(Redirect::to(&safe_next(&q.next)).into_response());
    }
    render(&LoginPage {
        ctx: PageCtx::new(None),
        email: String::new(),
        next: safe_next(&q.next),
        error: None,
        notice: login_notice(&q.done),
    })
}

#[derive(serde::Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(state): State<AppState>,
    browser: Browser,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let email = accounts::normalise_email(&form.email);
    let next = safe_next(&form.next);
    let again = |error: String, status: StatusCode| {
        let page = LoginPage {
            ctx: PageCtx::new(None),
            email: email.clone(),
            next: next.clone(),
            error: Some(error),
            notice: None,
        };
        render_with_status(&page, status)
    };
    let client = browser.client();
    match accounts::sign_in(&state.db, &state.config, &email, &client, form.password).await? {
        PasswordCheck::Right(u) => start_session(&state, &browser, &u, &next).await,
        PasswordCheck::Wrong => again(
            "Email or password is not right.".into(),
            StatusCode::UNAUTHORIZED,
        ),
        PasswordCheck::Disabled => again(
            "This account is disabled. Ask your administrator to enable it again.".into(),
            StatusCode::FORBIDDEN,
        ),
        PasswordCheck::Throttled(secs) => throttled(again, secs),
    }
}

/// The form again with "try again in N s", status 429 and Retry-After.
fn throttled(
    form: impl FnOnce(String, StatusCode) -> Result<Response>,
    secs: i64,
) -> Result<Response> {
    let r = form(
        format!("Too many failed sign-in attempts. Try again in {secs} s, or reset your password by email."),
        StatusCode::TOO_MANY_REQUESTS,
    )?;
    with_retry_after(r, secs)
}

/// Adds `Retry-After` to a refusal.
pub fn with_retry_after(mut r: Response, secs: i64) -> Result<Response> {
    if let Ok(v) = secs.to_string().parse() {
        r.headers_mut().insert("retry-after", v);
    }
    Ok(r)
}

async fn logout(State(state): State<AppState>, browser: Browser) -> Result<Response> {
    if let Some(token) = &browser.session {
        db::sessions::delete(&state.db, token).await?;
    }
    let mut resp = Redirect::to("/").into_response();
    clear_cookie(&mut resp, state.config.secure_cookies);
    Ok(resp)
}

async fn password_page(CurrentUser(user): CurrentUser) -> Result<Response> {
    render(&PasswordPage {
        ctx: PageCtx::new(Some(&user)),
        errors: vec![],
        done: None,
    })
}

#[derive(serde::Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_confirm: String,
}

fn password_page_again(user: &User, errors: Vec<String>, status: StatusCode) -> Result<Response> {
    let page = PasswordPage {
        ctx: PageCtx::new(Some(user)),
        errors,
        done: None,
    };
    render_with_status(&page, status)
}

async fn change_password(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    browser: Browser,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    let client = browser.client();
    let check = accounts::confirm_current(
        &state.db,
        &state.config,
        &user,
        &client,
        form.current_password,
    )
    .await?;
    let mut errors = Vec::new();
    match check {
        PasswordCheck::Throttled(secs) => {
            return throttled(|m, s| password_page_again(&user, vec![m], s), secs)
        }
        PasswordCheck::Wrong | PasswordCheck::Disabled => {
            errors.push("Your current password is not right.".to_string())
        }
        PasswordCheck::Right(_) => {}
    }
    if let Some(p) = password::strength_problem(&form.new_password) {
        errors.push(p);
    } else if form.new_password != form.new_password_confirm {
        errors.push("The two new passwords do not match.".into());
    }
    if !errors.is_empty() {
        return password_page_again(&user, errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let keep = browser.session.as_deref();
    let ended = accounts::set_password(&state.db, &user, form.new_password, keep).await?;
    render(&PasswordPage {
        ctx: PageCtx::new(Some(&user)),
        errors: vec![],
        done: Some(format!(
            "Password changed. {ended} other session(s) were signed out."
        )),
    })
}
