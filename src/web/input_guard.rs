//! Requests screened before any handler sees them, so that hostile or broken input gets a clear
//! page in the site layout (with the security headers) and changes nothing, instead of a bare
//! answer from the framework or a 500 from the database:
//!
//! - an address longer than [`MAX_URI_BYTES`] → 414; headers over [`MAX_HEADER_BYTES`] or
//!   [`MAX_HEADERS`] → 431 (well below hyper's own limits, which answer without a page);
//! - a NUL character (`%00`) in the path → 404, in the query → 400: PostgreSQL cannot store it
//!   in text, and no address or search of ours contains one;
//! - a state change (POST, PUT, PATCH, DELETE) with a body that is not a form
//!   (`application/x-www-form-urlencoded` or `multipart/form-data`) → 415: every form and the
//!   autosave send forms, so a JSON or XML body is never read as an empty form;
//! - a form with a NUL character in any field → 400.

use crate::error::page;
use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// Longest address served (path and query); browsers and proxies stop at about 8 KiB.
pub const MAX_URI_BYTES: usize = 8 * 1024;
/// Total size of the request's header names and values.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// Number of header lines (hyper refuses more than 100 with a bare 431).
pub const MAX_HEADERS: usize = 64;

pub const NOT_A_FORM: &str = "This address accepts forms sent from this site's pages only. The \
    request was sent as something else, so it was refused and nothing was changed.";
pub const NUL_IN_FORM: &str = "The form contained a NUL character (an invisible control \
    character that cannot be stored), so nothing was changed. Remove it, for example by typing \
    the text again instead of pasting it, and send the form again.";

pub async fn screen(req: Request, next: Next) -> Response {
    if let Some(refusal) = refuse_head(&req) {
        return refusal;
    }
    if !changes_state(req.method()) || body_is_empty(&req) {
        return next.run(req).await;
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(essence)
        .unwrap_or_default();
    match content_type.as_str() {
        "application/x-www-form-urlencoded" => match checked_form(req).await {
            Ok(req) => next.run(req).await,
            Err(refusal) => refusal,
        },
        "multipart/form-data" => next.run(req).await,
        _ => page(StatusCode::UNSUPPORTED_MEDIA_TYPE, NOT_A_FORM),
    }
}

/// Refusals decided from the request line and headers alone.
fn refuse_head(req: &Request) -> Option<Response> {
    let uri = req.uri();
    let target = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    if target.len() > MAX_URI_BYTES {
        return Some(page(
            StatusCode::URI_TOO_LONG,
            format!(
                "That address is too long ({} characters; we read at most {MAX_URI_BYTES}). \
                 Check the link, or start from the home page.",
                target.len()
            ),
        ));
    }
    let headers = req.headers();
    let bytes: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return Some(page(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "Your browser sent more request headers than we accept, often because of too many \
             or too large cookies. Clearing this site's cookies and signing in again fixes it.",
        ));
    }
    if has_nul(uri.path()) {
        return Some(page(
            StatusCode::NOT_FOUND,
            "This address does not lead to a page. Check the link, or start from the home page.",
        ));
    }
    if uri.query().is_some_and(has_nul) {
        return Some(page(
            StatusCode::BAD_REQUEST,
            "The address contained a NUL character (an invisible control character), so it \
             was refused. Check the link, or start from the home page.",
        ));
    }
    None
}

/// A percent-encoded NUL (a raw one cannot be part of an address).
fn has_nul(s: &str) -> bool {
    s.as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

fn changes_state(m: &Method) -> bool {
    matches!(
        *m,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// A request without a body (a form post with no fields, `fetch(url, {method: "POST"})`).
fn body_is_empty(req: &Request) -> bool {
    req.body().size_hint().exact() == Some(0)
        || req
            .headers()
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() == b"0")
}

/// `text/html; charset=utf-8` → `text/html`.
fn essence(v: &str) -> String {
    v.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Reads the form (the body limit outside this layer bounds it) and refuses NUL characters;
/// hands the handler the same bytes.
async fn checked_form(req: Request) -> Result<Request, Response> {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, crate::app::BODY_LIMIT)
        .await
        .map_err(|_| page(StatusCode::PAYLOAD_TOO_LARGE, "That request was too large."))?;
    let nul = bytes.contains(&0)
        || form_urlencoded::parse(&bytes).any(|(k, v)| k.contains('\0') || v.contains('\0'));
    if nul {
        return Err(page(StatusCode::BAD_REQUEST, NUL_IN_FORM));
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_is_found_percent_encoded_only() {
        assert!(has_nul("/exams/%00"));
        assert!(has_nul("q=a%00b"));
        assert!(!has_nul("/exams/dp-100"));
        assert!(!has_nul("%0A%20100%"));
    }

    #[test]
    fn media_types_are_compared_without_parameters() {
        assert_eq!(
            essence("Application/X-WWW-Form-Urlencoded; charset=UTF-8"),
            "application/x-www-form-urlencoded"
        );
        assert_eq!(essence(""), "");
    }
}
