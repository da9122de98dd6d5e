//! Register, sign in, sign out, change password.

use super::client::ClientAddr;
use super::session::{clear_cookie, set_cookie, token_from_headers};
use super::{render, render_with_status, safe_next, CurrentUser, FormErrors, MaybeUser, PageCtx};
use crate::accounts::{self, PasswordCheck};
use crate::db;
use crate::db::users::User;
use crate::error::Result;
use crate::password;
use crate::state::AppState;
use crate::types::{Role, UserId};
use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", get(register_page).post(register))
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
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: PageCtx,
    email: String,
    next: String,
    error: Option<String>,
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
    headers: HeaderMap,
    Form(form): Form<RegisterForm>,
) -> Result<Response> {
    let email = accounts::normalise_email(&form.email);
    let display_name = form.display_name.trim().to_string();
    let again = |errors: FormErrors| {
        let page = RegisterPage {
            ctx: PageCtx::new(None),
            email: email.clone(),
            display_name: display_name.clone(),
            errors,
        };
        render_with_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let errors = form.problems(&email);
    if !errors.is_empty() {
        return again(errors);
    }
    let hash = password::hash(form.password).await?;
    match db::users::create(&state.db, &email, &display_name, &hash, Role::Candidate).await {
        Ok(user) => start_session(&state, &headers, user.id, "/").await,
        Err(db::users::CreateError::EmailTaken) => {
            let mut errors = FormErrors::default();
            errors.add(
                "email",
                "An account with this email already exists. Sign in instead, or use another email.",
            );
            again(errors)
        }
        Err(db::users::CreateError::Other(e)) => Err(e.into()),
    }
}

/// Rotates the session: whatever token the browser had is ended and a new one issued.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user_id: UserId,
    to: &str,
) -> Result<Response> {
    if let Some(old) = token_from_headers(headers) {
        db::sessions::delete(&state.db, &old).await?;
    }
    let token = db::sessions::create(&state.db, user_id, state.config.session_hours).await?;
    let mut resp = Redirect::to(to).into_response();
    set_cookie(
        &mut resp,
        &token,
        state.config.secure_cookies,
        state.config.session_hours,
    );
    Ok(resp)
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
    client: ClientAddr,
    headers: HeaderMap,
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
        };
        render_with_status(&page, status)
    };
    match accounts::sign_in(&state.db, &state.config, &email, &client.ip, form.password).await? {
        PasswordCheck::Right(u) => start_session(&state, &headers, u.id, &next).await,
        PasswordCheck::Wrong => again(
            "Email or password is not right.".into(),
            StatusCode::UNAUTHORIZED,
        ),
        PasswordCheck::Throttled(secs) => throttled(again, secs),
    }
}

/// The form again with "try again in N s", status 429 and Retry-After.
fn throttled(
    form: impl FnOnce(String, StatusCode) -> Result<Response>,
    secs: i64,
) -> Result<Response> {
    let mut r = form(
        format!("Too many failed sign-in attempts. Try again in {secs} s."),
        StatusCode::TOO_MANY_REQUESTS,
    )?;
    if let Ok(v) = secs.to_string().parse() {
        r.headers_mut().insert("retry-after", v);
    }
    Ok(r)
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    if let Some(token) = token_from_headers(&headers) {
        db::sessions::delete(&state.db, &token).await?;
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
    client: ClientAddr,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Result<Response> {
    let check = accounts::confirm_current(
        &state.db,
        &state.config,
        &user,
        &client.ip,
        form.current_password,
    )
    .await?;
    let mut errors = Vec::new();
    match check {
        PasswordCheck::Throttled(secs) => {
            return throttled(|m, s| password_page_again(&user, vec![m], s), secs)
        }
        PasswordCheck::Wrong => errors.push("Your current password is not right.".to_string()),
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
    let keep = token_from_headers(&headers);
    let ended =
        accounts::set_password(&state.db, &user, form.new_password, keep.as_deref()).await?;
    render(&PasswordPage {
        ctx: PageCtx::new(Some(&user)),
        errors: vec![],
        done: Some(format!(
            "Password changed. {ended} other session(s) were signed out."
        )),
    })
}
