//! Draws error responses (404, 403, 500, refused forms) as pages in the site layout, with the
//! visitor's sign-in state in the header.

use super::session::token_from_headers;
use super::PageCtx;
use crate::error::ErrorPage;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    ctx: PageCtx,
    status: u16,
    heading: String,
    message: String,
    /// Shown on server errors, for the user to quote when reporting the problem.
    request_id: Option<String>,
    /// Inside an attempt: where to go back to (its current question or review screen).
    attempt_url: Option<String>,
    /// Seconds the server asked the browser to wait (503), shown and used by app.js to try
    /// again with backoff.
    retry_after: Option<u64>,
    /// The page may be loaded again by itself (a GET); a refused form post is not re-sent.
    auto_retry: bool,
}

/// `/attempts/{id}` when the path is inside one attempt, so an error there is never a dead end.
fn attempt_of(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/attempts/")?;
    let id = rest.split('/').next()?;
    let id: crate::types::AttemptId = id.parse().ok()?;
    Some(format!("/attempts/{id}"))
}

pub async fn render_error_pages(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let token = token_from_headers(req.headers(), state.config.secure_cookies);
    let attempt_url = attempt_of(req.uri().path());
    let request_id = req
        .extensions()
        .get::<crate::app::RequestId>()
        .map(|r| r.0.clone());
    let reloadable = matches!(*req.method(), Method::GET | Method::HEAD);
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let resp = next.run(req).await;
    let Some(message) = message_for(&resp) else {
        return resp;
    };
    let status = resp.status();
    let retry_after = retry_after_of(&resp);
    if wants_json {
        return json_refusal(&resp, message, request_id);
    }
    // A 503 is drawn without asking the database who is signed in: it is busy or away.
    let user = match status {
        StatusCode::SERVICE_UNAVAILABLE => None,
        _ => signed_in(&state, token).await,
    };
    let page = ErrorTemplate {
        ctx: PageCtx::new(user.as_ref()),
        status: status.as_u16(),
        heading: heading(status).to_string(),
        message,
        request_id: request_id.filter(|_| status.is_server_error()),
        attempt_url,
        auto_retry: reloadable && retry_after.is_some() && status.is_server_error(),
        retry_after,
    };
    let body = page
        .render()
        .unwrap_or_else(|_| "Something went wrong".into());
    let mut r = (status, Html(body)).into_response();
    copy_retry_after(&resp, &mut r);
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Seconds the response asks the client to wait before trying again.
fn retry_after_of(resp: &Response) -> Option<u64> {
    resp.headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
}

/// The refusal as the autosave reads it: `saved: false`, the message, and when to try again.
fn json_refusal(resp: &Response, message: String, request_id: Option<String>) -> Response {
    let body = serde_json::json!({
        "saved": false, "error": message, "request_id": request_id,
        "retry_after": retry_after_of(resp),
    });
    let mut r = (resp.status(), axum::Json(body)).into_response();
    copy_retry_after(resp, &mut r);
    r
}

/// Who is signed in, for the page header; an error page never fails for want of it.
async fn signed_in(state: &AppState, token: Option<String>) -> Option<crate::db::users::User> {
    let token = token?;
    crate::db::sessions::user_for(&state.db, &token, super::session::lifetime(state))
        .await
        .ok()
        .flatten()
}

/// The message of an error response that should be drawn as a page; `None` leaves the response
/// as it is (not an error, or a body of its own).
fn message_for(resp: &Response) -> Option<String> {
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    Some(match (resp.extensions().get::<ErrorPage>(), status) {
        (Some(m), _) => m.message.clone(),
        (None, StatusCode::PAYLOAD_TOO_LARGE) => "That request was too large.".to_string(),
        // The router's "wrong method" answer has no body at all.
        (None, StatusCode::METHOD_NOT_ALLOWED) if content_type.is_none() => {
            "That action is not available at this address.".to_string()
        }
        (None, StatusCode::INTERNAL_SERVER_ERROR) if content_type.is_none() => {
            "Something went wrong on our side. Your saved answers are safe; please try again."
                .to_string()
        }
        // The framework's own refusals (a malformed id in the address, a wrong method, an
        // unreadable form) arrive as plain text: show them as pages too.
        (None, s)
            if s.is_client_error() && content_type.is_some_and(|v| v.starts_with("text/plain")) =>
        {
            match s {
                StatusCode::BAD_REQUEST | StatusCode::NOT_FOUND => {
                    "This address does not lead to a page. Check the link, or start from the home page.".to_string()
                }
                StatusCode::METHOD_NOT_ALLOWED => "That action is not available at this address.".to_string(),
                _ => "That request could not be read. Go back and try again.".to_string(),
            }
        }
        _ => return None,
    })
}

fn heading(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "Too large",
        StatusCode::METHOD_NOT_ALLOWED => "Not available here",
        StatusCode::URI_TOO_LONG => "Address too long",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "Not a form",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "Request too large",
        StatusCode::SERVICE_UNAVAILABLE => "Please wait a moment",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    }
}

fn copy_retry_after(from: &Response, to: &mut Response) {
    if let Some(v) = from.headers().get(header::RETRY_AFTER) {
        to.headers_mut().insert(header::RETRY_AFTER, v.clone());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn paths_inside_an_attempt_lead_back_to_it() {
        let id = "4daf3958-616c-4e22-a9c2-c6eff384a9d4";
        for p in [
            "/attempts/{id}/items/3",
            "/attempts/{id}/review",
            "/attempts/{id}",
        ] {
            let p = p.replace("{id}", id);
            assert_eq!(
                super::attempt_of(&p),
                Some(format!("/attempts/{id}")),
                "{p}"
            );
        }
        assert_eq!(super::attempt_of("/attempts/not-an-id/items/1"), None);
        assert_eq!(super::attempt_of("/exams/ai-300"), None);
    }
}
