//! Register, sign in, sign out, change password.

use super::session::{clear_cookie, set_cookie, token_from_headers};
use super::{field, form_fields, render, safe_next, CurrentUser, MaybeUser, PageCtx};
use crate::app::AppState;
use crate::db;
use crate::error::Result;
use crate::password;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/register", get(register_page).post(register))
        .route("/login", get(login_page).post(login))
        .route("/logout", axum::routing::post(logout))
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
    errors: Vec<String>,
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

pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

fn email_problem(email: &str) -> Option<String> {
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

async fn register_page(MaybeUser(user): MaybeUser) -> Result<Response> {
    if user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    render(&RegisterPage {
        ctx: PageCtx::new(None),
        email: String::new(),
        display_name: String::new(),
        errors: vec![],
    })
}

async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let f = form_fields(&body);
    let email = normalise_email(field(&f, "email"));
    let display_name = field(&f, "display_name").trim().to_string();
    let pw = field(&f, "password").to_string();
    let confirm = field(&f, "password_confirm");
    let mut errors = Vec::new();
    if let Some(p) = email_problem(&email) {
        errors.push(p);
    }
    let name_len = display_name.chars().count();
    if name_len == 0 || name_len > 80 {
        errors.push("Enter a display name of 1 to 80 characters.".into());
    }
    if let Some(p) = password::strength_problem(&pw) {
        errors.push(p);
    } else if pw != confirm {
        errors.push("The two passwords do not match.".into());
    }
    let form_again = |errors: Vec<String>| -> Result<Response> {
        let mut r = render(&RegisterPage {
            ctx: PageCtx::new(None),
            email: email.clone(),
            display_name: display_name.clone(),
            errors,
        })?;
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(r)
    };
    if !errors.is_empty() {
        return form_again(errors);
    }
    let hash = password::hash(pw).await?;
    let user = match db::users::create(&state.db, &email, &display_name, &hash, "candidate").await {
        Ok(u) => u,
        Err(db::users::CreateError::EmailTaken) => {
            return form_again(vec![
                "An account with this email already exists. Sign in instead, or use another email."
                    .into(),
            ]);
        }
        Err(db::users::CreateError::Other(e)) => return Err(e.into()),
    };
    start_session(&state, &headers, user.id, "/").await
}

/// Rotates the session: whatever token the browser had is ended and a new one issued.
async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    user_id: uuid::Uuid,
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

/// The socket peer address, when the server was started with connection info (tests that call
/// the router directly have none).
pub struct PeerAddr(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// The client address: the socket peer, or the first X-Forwarded-For hop when configured.
fn client_ip(state: &AppState, headers: &HeaderMap, peer: Option<SocketAddr>) -> String {
    if state.config.trust_forwarded_for {
        if let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            // The last hop is the one our own proxy added; earlier ones come from the client.
            .and_then(|v| v.rsplit(',').next())
        {
            return ip.trim().to_string();
        }
    }
    peer.map(|p| p.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

async fn login(
    State(state): State<AppState>,
    PeerAddr(peer): PeerAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let f = form_fields(&body);
    let email = normalise_email(field(&f, "email"));
    let pw = field(&f, "password").to_string();
    let next = safe_next(field(&f, "next"));
    let ip = client_ip(&state, &headers, peer);
    let cfg = &state.config;
    let again = |error: String, status: StatusCode| -> Result<Response> {
        let mut r = render(&LoginPage {
            ctx: PageCtx::new(None),
            email: email.clone(),
            next: next.clone(),
            error: Some(error),
        })?;
        *r.status_mut() = status;
        Ok(r)
    };
    let failure = match db::throttle::begin_check(&state.db, &email, &ip, &limits(cfg)).await? {
        Ok(id) => id,
        Err(secs) => return throttled(again, secs),
    };
    let user = db::users::by_email(&state.db, &email).await?;
    let phc = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_string());
    let ok = password::verify(pw, phc).await? && user.is_some();
    match user {
        Some(u) if ok => {
            db::throttle::forgive(&state.db, failure, &email).await?;
            metrics::counter!("mockexam_logins_total", "outcome" => "success").increment(1);
            start_session(&state, &headers, u.id, &next).await
        }
        _ => {
            db::throttle::confirm_failure(&state.db, failure).await?;
            metrics::counter!("mockexam_logins_total", "outcome" => "failure").increment(1);
            again(
                "Email or password is not right.".into(),
                StatusCode::UNAUTHORIZED,
            )
        }
    }
}

fn limits(cfg: &crate::config::Config) -> db::throttle::Limits {
    db::throttle::Limits {
        per_account: cfg.login_max_per_account,
        per_ip: cfg.login_max_per_ip,
        window_seconds: cfg.login_window_seconds,
    }
}

/// The form again with "try again in N s", status 429 and Retry-After.
fn throttled(
    form: impl FnOnce(String, StatusCode) -> Result<Response>,
    secs: i64,
) -> Result<Response> {
    metrics::counter!("mockexam_login_throttled_total").increment(1);
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

async fn change_password(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    PeerAddr(peer): PeerAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response> {
    let f = form_fields(&body);
    let current = field(&f, "current_password").to_string();
    let new = field(&f, "new_password").to_string();
    let confirm = field(&f, "new_password_confirm");
    let form_again = |errors: Vec<String>, status: StatusCode| -> Result<Response> {
        let mut r = render(&PasswordPage {
            ctx: PageCtx::new(Some(&user)),
            errors,
            done: None,
        })?;
        *r.status_mut() = status;
        Ok(r)
    };
    // Guessing the current password from a stolen session is throttled like signing in.
    let ip = client_ip(&state, &headers, peer);
    let failure =
        match db::throttle::begin_check(&state.db, &user.email, &ip, &limits(&state.config)).await?
        {
            Ok(id) => id,
            Err(secs) => {
                return throttled(|msg, status| form_again(vec![msg], status), secs);
            }
        };
    let mut errors = Vec::new();
    if password::verify(current, user.password_hash.clone()).await? {
        db::throttle::forgive(&state.db, failure, &user.email).await?;
    } else {
        db::throttle::confirm_failure(&state.db, failure).await?;
        errors.push("Your current password is not right.".to_string());
    }
    if let Some(p) = password::strength_problem(&new) {
        errors.push(p);
    } else if new != confirm {
        errors.push("The two new passwords do not match.".into());
    }
    if !errors.is_empty() {
        return form_again(errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let hash = password::hash(new).await?;
    db::users::set_password(&state.db, user.id, &hash).await?;
    let ended = match token_from_headers(&headers) {
        Some(t) => db::sessions::delete_others(&state.db, user.id, &t).await?,
        None => 0,
    };
    render(&PasswordPage {
        ctx: PageCtx::new(Some(&user)),
        errors: vec![],
        done: Some(format!(
            "Password changed. {ended} other session(s) were signed out."
        )),
    })
}
