//! HTTP handlers and page structs, by area. Handlers are thin: extract, call `engine`/`db`,
//! render. Shared pieces each have one home: `format` (times and durations), `summary` (attempt
//! lines), `client` (the client address), `negotiate` (JSON or HTML), `messages` (what
//! candidates read when something is refused), `answer_form` (the question form → `Response`).

pub mod accounts;
pub mod analysis;
pub mod answer_form;
pub mod auth;
pub mod author;
pub mod check;
pub mod client;
pub mod cohorts;
pub mod error_pages;
pub mod exam;
pub mod format;
pub mod health;
pub mod home;
pub mod input_guard;
pub mod interchange;
pub mod item_view;
pub mod messages;
pub mod negotiate;
pub mod practice;
pub mod readiness;
pub mod session;
pub mod studio;
pub mod summary;
pub mod theme;
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
    /// The colour theme the visitor chose (`web::theme`).
    pub theme: crate::types::Theme,
    /// This page's address, for the theme chooser to come back to.
    pub here: String,
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
        let look = theme::current();
        PageCtx {
            user: user.map(|u| UserView {
                display_name: u.display_name.clone(),
                role: u.role,
            }),
            css: crate::static_files::url("app.css"),
            js: crate::static_files::url("app.js"),
            favicon: crate::static_files::url("favicon.svg"),
            theme: look.theme,
            here: look.here,
        }
    }

    /// The themes the chooser offers, in order.
    pub fn themes(&self) -> &'static [crate::types::Theme] {
        crate::types::Theme::ALL
    }
}

/// The exam at `/…/{code}`; an unknown code answers 404.
pub async fn exam_or_404(
    state: &crate::state::AppState,
    code: &str,
) -> Result<crate::db::exams::ExamRow> {
    crate::db::exams::by_slug(&state.db, code)
        .await?
        .ok_or(crate::error::AppError::NotFound)
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

/// What is wrong with a submitted form, each message tied to the field it is about (`None` for
/// the form as a whole). Pages list them in an error summary that takes the focus, and mark each
/// field `aria-invalid` with its message as its description.
#[derive(Debug, Default, Clone)]
pub struct FormErrors(pub Vec<(Option<&'static str>, String)>);

impl FormErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((Some(field), message.into()));
    }
    pub fn add_form(&mut self, message: impl Into<String>) {
        self.0.push((None, message.into()));
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// The message about `field`, if any.
    pub fn on(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == Some(field))
            .map(|(_, m)| m.as_str())
    }
    /// (anchor, message) pairs for the summary; form-wide messages link nowhere.
    pub fn summary(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .map(|(f, m)| (f.map(|f| format!("#{f}")).unwrap_or_default(), m.clone()))
            .collect()
    }
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

#[cfg(test)]
mod thin_handlers {
    //! Handlers stay thin (extract, call the engine or db, render): none grows past 50 lines.

    use std::path::Path;

    /// (name, line count) of every async function in `src` taking a `State` extractor.
    fn handlers(src: &str) -> Vec<(String, usize)> {
        let lines: Vec<&str> = src.lines().collect();
        let mut out = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let Some(rest) = trimmed
                .strip_prefix("pub(super) async fn ")
                .or_else(|| trimmed.strip_prefix("pub async fn "))
                .or_else(|| trimmed.strip_prefix("async fn "))
            else {
                continue;
            };
            let indent = &line[..line.len() - trimmed.len()];
            let Some(end) = (i..lines.len()).find(|&j| lines[j] == format!("{indent}}}")) else {
                continue;
            };
            let signature_end = (i..end).find(|&j| lines[j].contains('{')).unwrap_or(i);
            if lines[i..=signature_end]
                .iter()
                .any(|l| l.contains("State("))
            {
                let name = rest.split(['(', '<']).next().unwrap_or(rest).to_string();
                out.push((name, end - i + 1));
            }
        }
        out
    }

    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn every_handler_is_at_most_fifty_lines() {
        let mut files = Vec::new();
        rust_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web"),
            &mut files,
        );
        let mut found = 0;
        for file in files {
            let src = std::fs::read_to_string(&file).unwrap();
            for (name, n) in handlers(&src) {
                found += 1;
                assert!(
                    n <= 50,
                    "{}: handler `{name}` has {n} lines",
                    file.display()
                );
            }
        }
        assert!(found > 20, "the scan found only {found} handlers");
    }

    #[test]
    fn the_scan_measures_a_long_handler() {
        let body = "    let x = 1;\n".repeat(60);
        let src = format!("async fn long(State(s): State<AppState>) -> R {{\n{body}}}\n");
        assert_eq!(handlers(&src), vec![("long".to_string(), 62)]);
    }
}
