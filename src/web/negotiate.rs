//! Content negotiation, decided once per request: the browser's background autosave asks for
//! JSON, a form post (JavaScript off, or a navigation button) gets pages and redirects.

use axum::extract::FromRequestParts;
use axum::http::header::ACCEPT;
use axum::http::request::Parts;
use std::convert::Infallible;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wants {
    Json,
    Html,
}

impl<S: Send + Sync> FromRequestParts<S> for Wants {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        let json = parts
            .headers
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("application/json"));
        Ok(if json { Wants::Json } else { Wants::Html })
    }
}
