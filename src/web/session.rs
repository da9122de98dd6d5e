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

/// The session cookie's name. With secure cookies on, the `__Host-` prefix makes browsers accept
/// it only over https, for this host and path `/`, so a sibling subdomain cannot plant one.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-mockexam_session"
    } else {
        "mockexam_session"
    }
}

/// The device cookie's name (same prefix rule): a browser that signed in to an account before.
pub fn device_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-mockexam_device"
    } else {
        "mockexam_device"
    }
}

/// The value of the cookie `name`, if the request carries a plausible one.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() < 200)
}

/// The session token the browser sent.
pub fn token_from_headers(headers: &axum::http::HeaderMap, secure: bool) -> Option<String> {
    cookie_value(headers, cookie_name(secure))
}

/// The device cookie the browser sent.
pub fn device_from_headers(headers: &axum::http::HeaderMap, secure: bool) -> Option<String> {
    cookie_value(headers, device_cookie_name(secure))
}

fn append_cookie(resp: &mut Response, name: &str, value: &str, secure: bool, max_age: i64) {
    let cookie = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
}

/// Sets the session cookie, living as long as the session can.
pub fn set_cookie(resp: &mut Response, token: &str, secure: bool, life: db::sessions::Lifetime) {
    let hours = life.idle_hours.min(life.absolute_hours);
    append_cookie(resp, cookie_name(secure), token, secure, hours * 3600);
}

pub fn clear_cookie(resp: &mut Response, secure: bool) {
    append_cookie(resp, cookie_name(secure), "", secure, 0);
}

/// Sets the device cookie for a year.
pub fn set_device_cookie(resp: &mut Response, token: &str, secure: bool) {
    let max_age = crate::accounts::DEVICE_DAYS * 24 * 3600;
    append_cookie(resp, device_cookie_name(secure), token, secure, max_age);
}

/// The sessions' lifetimes from the settings.
pub fn lifetime(state: &AppState) -> db::sessions::Lifetime {
    db::sessions::Lifetime {
        idle_hours: state.config.session_hours,
        absolute_hours: state.config.session_absolute_hours,
    }
}

/// Looks the session up once per request; later extractors reuse the answer.
#[derive(Clone)]
struct Resolved(Option<User>);

async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<User>, AppError> {
    if let Some(Resolved(u)) = parts.extensions.get::<Resolved>() {
        return Ok(u.clone());
    }
    let user = match token_from_headers(&parts.headers, state.config.secure_cookies) {
        Some(token) => db::sessions::user_for(&state.db, &token, lifetime(state)).await?,
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

/// The browser behind a request: its address, User-Agent and the cookies of this site it holds.
pub struct Browser {
    pub ip: String,
    pub user_agent: String,
    pub session: Option<String>,
    pub device: Option<String>,
}

impl Browser {
    /// The client as the sign-in throttle sees it.
    pub fn client(&self) -> crate::accounts::Client<'_> {
        crate::accounts::Client {
            ip: &self.ip,
            device: self.device.as_deref(),
        }
    }
}

impl FromRequestParts<AppState> for Browser {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let super::client::ClientAddr { ip, .. } =
            super::client::ClientAddr::from_request_parts(parts, state).await?;
        let secure = state.config.secure_cookies;
        Ok(Browser {
            ip,
            user_agent: parts
                .headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string(),
            session: token_from_headers(&parts.headers, secure),
            device: device_from_headers(&parts.headers, secure),
        })
    }
}

/// Starts a session for the user in this browser and sends them to `to`: whatever session token
/// the browser had is ended (rotation), the browser is trusted for the account from now on.
pub async fn start_session(
    state: &AppState,
    browser: &Browser,
    user: &User,
    to: &str,
) -> crate::error::Result<Response> {
    if let Some(old) = &browser.session {
        db::sessions::delete(&state.db, old).await?;
    }
    let client = db::sessions::Client {
        user_agent: &browser.user_agent,
        ip: &browser.ip,
    };
    let token = db::sessions::create(&state.db, user.id, lifetime(state), &client).await?;
    let device =
        crate::accounts::remember_device(&state.db, user, browser.device.as_deref()).await?;
    let secure = state.config.secure_cookies;
    let mut resp = Redirect::to(to).into_response();
    set_cookie(&mut resp, &token, secure, lifetime(state));
    set_device_cookie(&mut resp, &device, secure);
    Ok(resp)
}
