//! The colour theme a visitor chose — system (follows the operating system), light, dark or high
//! contrast. The choice lives in a long-lived cookie that the server reads on every request, so a
//! page is drawn in its theme from the first byte (no flash, no JavaScript needed). The chooser
//! at the foot of every page posts to `/theme`, which sets the cookie and goes back to the page.

use super::safe_next;
use crate::error::ErrorPage;
use crate::state::AppState;
use crate::types::Theme;
use axum::extract::{Request, State};
use axum::http::header::{COOKIE, REFERER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

pub const COOKIE_NAME: &str = "mockexam_theme";

/// Browsers keep a cookie at most 400 days; each choice starts the period again.
const MAX_AGE_SECONDS: i64 = 400 * 24 * 3600;

pub fn router() -> Router<AppState> {
    Router::new().route("/theme", post(choose))
}

#[derive(Deserialize)]
pub struct ThemeForm {
    #[serde(default)]
    theme: String,
    #[serde(default)]
    next: String,
}

/// Remembers the theme and goes back to the chooser on the page it was sent from.
async fn choose(State(state): State<AppState>, Form(form): Form<ThemeForm>) -> Response {
    let Some(theme) = Theme::parse(&form.theme) else {
        let mut resp = StatusCode::UNPROCESSABLE_ENTITY.into_response();
        resp.extensions_mut().insert(ErrorPage {
            message: "There is no such theme. Choose System, Light, Dark or High contrast at the foot of the page."
                .into(),
        });
        return resp;
    };
    let mut resp = Redirect::to(&format!("{}#theme", safe_next(&form.next))).into_response();
    let cookie = format!(
        "{COOKIE_NAME}={theme}; Path=/; HttpOnly; SameSite=Lax; Max-Age={MAX_AGE_SECONDS}{}",
        if state.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    resp
}

/// What the layout needs from the request being answered: its theme, and the page the theme
/// chooser comes back to.
#[derive(Clone, Debug)]
pub struct Look {
    pub theme: Theme,
    pub here: String,
}

impl Default for Look {
    fn default() -> Self {
        Look {
            theme: Theme::Auto,
            here: "/".into(),
        }
    }
}

tokio::task_local! {
    static LOOK: Look;
}

/// The look of the request being answered (the default outside a request).
pub fn current() -> Look {
    LOOK.try_with(Clone::clone).unwrap_or_default()
}

/// Middleware: reads the theme cookie and the page's address once, for every page drawn while
/// answering the request (error pages included).
pub async fn remember_look(req: Request, next: Next) -> Response {
    let look = Look {
        theme: theme_from_headers(req.headers()),
        here: here(req.method(), req.uri(), req.headers()),
    };
    LOOK.scope(look, next.run(req)).await
}

/// The theme cookie's value; `Auto` when there is none or it names no theme.
pub fn theme_from_headers(headers: &HeaderMap) -> Theme {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE_NAME)
        .and_then(|(_, v)| Theme::parse(v))
        .unwrap_or(Theme::Auto)
}

/// Where the chooser comes back to: the page itself for a GET; for a page drawn in answer to a
/// form post (a form shown again with its errors), the page that sent the form.
fn here(method: &Method, uri: &Uri, headers: &HeaderMap) -> String {
    let own = uri.path_and_query().map(|p| p.as_str().to_string());
    let path = if method == Method::GET || method == Method::HEAD {
        own
    } else {
        headers
            .get(REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(|r| r.parse::<Uri>().ok())
            .and_then(|r| r.path_and_query().map(|p| p.as_str().to_string()))
    };
    safe_next(&path.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn the_cookie_names_the_theme() {
        let h = headers(&[("cookie", "mockexam_session=abc; mockexam_theme=contrast")]);
        assert_eq!(theme_from_headers(&h), Theme::Contrast);
        let h = headers(&[("cookie", "a=b"), ("cookie", "mockexam_theme=dark")]);
        assert_eq!(theme_from_headers(&h), Theme::Dark);
        for bad in ["mockexam_theme=purple", "mockexam_theme=", "other=dark", ""] {
            assert_eq!(
                theme_from_headers(&headers(&[("cookie", bad)])),
                Theme::Auto,
                "{bad}"
            );
        }
        assert_eq!(theme_from_headers(&HeaderMap::new()), Theme::Auto);
    }

    #[test]
    fn the_chooser_comes_back_to_this_site_only() {
        let uri: Uri = "/exams/dp-100?x=1".parse().unwrap();
        assert_eq!(
            here(&Method::GET, &uri, &HeaderMap::new()),
            "/exams/dp-100?x=1"
        );
        let post: Uri = "/login".parse().unwrap();
        let from = headers(&[("referer", "http://localhost:3000/login?next=%2Fattempts")]);
        assert_eq!(here(&Method::POST, &post, &from), "/login?next=%2Fattempts");
        assert_eq!(here(&Method::POST, &post, &HeaderMap::new()), "/");
        // Whatever a referrer says, only a path on this site comes out.
        for odd in ["//evil.example/x", "https://evil.example//x", "not a url"] {
            let h = headers(&[("referer", odd)]);
            let back = here(&Method::POST, &post, &h);
            assert!(
                back.starts_with('/') && !back.starts_with("//"),
                "{odd}: {back}"
            );
        }
        let uri: Uri = "//evil.example"
            .parse()
            .unwrap_or_else(|_| "/".parse().unwrap());
        assert!(!here(&Method::GET, &uri, &HeaderMap::new()).starts_with("//"));
    }
}
