//! The session cookie and the extractors for who is signed in.

use crate::db;
use crate::db::users::User;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Redirect, Response};

pub const COOKIE_NAME: &str = "mockexam_session";

pub fn token_from_headers(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE_NAME)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() < 200)
}

pub fn set_cookie(resp: &mut Response, token: &str, secure: bool, hours: i64) {
    let cookie = format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        hours * 3600,
        if secure { "; Secure" } else { "" }
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
}

pub fn clear_cookie(resp: &mut Response, secure: bool) {
    let cookie = format!(
        "{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
}

/// Looks the session up once per request; later extractors reuse the answer.
#[derive(Clone)]
struct Resolved(Option<User>);

async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<User>, AppError> {
    if let Some(Resolved(u)) = parts.extensions.get::<Resolved>() {
        return Ok(u.clone());
    }
    let user = match token_from_headers(&parts.headers) {
        Some(token) => {
            db::sessions::user_for(&state.db, &token, state.config.session_hours).await?
        }
        None => None,
    };
    parts.extensions.insert(Resolved(user.clone()));
    Ok(user)
}

/// The signed-in user, if any.
pub struct MaybeUser(pub Option<User>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(resolve(parts, state).await?))
    }
}

/// The signed-in user; anonymous visitors are sent to the sign-in page and brought back.
pub struct CurrentUser(pub User);

pub enum AuthRejection {
    SignIn(String),
    Error(AppError),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::SignIn(next) => {
                let next: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
                Redirect::to(&format!("/login?next={next}")).into_response()
            }
            AuthRejection::Error(e) => e.into_response(),
        }
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AuthRejection;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match resolve(parts, state).await.map_err(AuthRejection::Error)? {
            Some(u) => Ok(CurrentUser(u)),
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "/".into());
                // A POST cannot be replayed after sign-in; come back to the page instead.
                let next = if parts.method == axum::http::Method::GET {
                    next
                } else {
                    "/".into()
                };
                Err(AuthRejection::SignIn(next))
            }
        }
    }
}

/// The signed-in user when their role is one of `roles`; others get 403.
async fn with_role(
    parts: &mut Parts,
    state: &AppState,
    roles: &[&str],
) -> Result<User, AuthRejection> {
    let CurrentUser(u) = CurrentUser::from_request_parts(parts, state).await?;
    if roles.contains(&u.role.as_str()) {
        Ok(u)
    } else {
        Err(AuthRejection::Error(AppError::Forbidden))
    }
}

/// An instructor or admin.
pub struct Instructor(pub User);

impl FromRequestParts<AppState> for Instructor {
    type Rejection = AuthRejection;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        with_role(parts, state, &["instructor", "admin"])
            .await
            .map(Instructor)
    }
}

/// An admin.
pub struct Admin(pub User);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AuthRejection;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        with_role(parts, state, &["admin"]).await.map(Admin)
    }
}
