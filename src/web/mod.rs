//! HTTP handlers and page structs, by area. Handlers are thin: extract, call `engine`/`db`,
//! render. Shared pieces each have one home: `format` (times and durations), `summary` (attempt
//! lines), `client` (the client address), `negotiate` (JSON or HTML), `messages` (what
//! candidates read when something is refused), `answer_form` (the question form → `Response`).

pub mod answer_form;
pub mod auth;
pub mod author;
pub mod client;
pub mod error_pages;
pub mod exam;
pub mod format;
pub mod health;
pub mod home;
pub mod item_view;
pub mod messages;
pub mod negotiate;
pub mod practice;
pub mod readiness;
pub mod session;
pub mod summary;
pub mod users;

use crate::error::Result;
use crate::types::Role;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
pub use session::{CurrentUser, MaybeUser};

/// What the shared layout needs on every page.
#[derive(Clone, Debug, Default)]
pub struct PageCtx {
    pub user: Option<UserView>,
    pub css: String,
    pub js: String,
    pub favicon: String,
}

#[derive(Clone, Debug)]
pub struct UserView {
    pub display_name: String,
    pub role: Role,
}

impl UserView {
    pub fn is_instructor(&self) -> bool {
        self.role.can_author()
    }
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

impl PageCtx {
    pub fn new(user: Option<&crate::db::users::User>) -> PageCtx {
        PageCtx {
            user: user.map(|u| UserView {
                display_name: u.display_name.clone(),
                role: u.role,
            }),
            css: crate::static_files::url("app.css"),
            js: crate::static_files::url("app.js"),
            favicon: crate::static_files::url("favicon.svg"),
        }
    }
}

/// Renders a template as an HTML response.
pub fn render<T: Template>(t: &T) -> Result<Response> {
    Ok(Html(t.render()?).into_response())
}

/// Renders a template with a status other than 200 (a form shown again with its errors, a
/// conflict explained).
pub fn render_with_status<T: Template>(t: &T, status: StatusCode) -> Result<Response> {
    let mut r = render(t)?;
    *r.status_mut() = status;
    Ok(r)
}

/// A form POST body as field → values (repeated fields keep every value).
pub fn form_fields(body: &[u8]) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut m: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (k, v) in form_urlencoded::parse(body) {
        m.entry(k.into_owned()).or_default().push(v.into_owned());
    }
    m
}

/// The last value of a form field, or "".
pub fn field<'a>(
    fields: &'a std::collections::BTreeMap<String, Vec<String>>,
    name: &str,
) -> &'a str {
    fields
        .get(name)
        .and_then(|v| v.last())
        .map(String::as_str)
        .unwrap_or("")
}

/// Only same-site paths are followed after sign-in, never another host.
pub fn safe_next(next: &str) -> String {
    // Browsers drop tabs and newlines and read `\` as `/` when they parse a URL, so `/\t/evil`
    // and `/\evil` would become `//evil`: allow only plain, printable paths.
    let plain = next
        .chars()
        .all(|c| !c.is_control() && !c.is_whitespace() && c != '\\');
    if plain && next.starts_with('/') && !next.starts_with("//") {
        next.to_string()
    } else {
        "/".to_string()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_stays_on_this_site() {
        use super::safe_next;
        assert_eq!(safe_next("/exams/dp-100?x=1"), "/exams/dp-100?x=1");
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example/",
            "/\n/evil",
            "https://evil.example",
            "",
            "evil",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
