//! One error type for handlers. Internal errors are logged and shown as a friendly page; the page
//! itself is drawn by `web::error_pages`, which knows who is signed in.

use crate::db::health::Failure;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("page not found")]
    NotFound,
    #[error("you do not have access to this page")]
    Forbidden,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    #[error("internal error: {0:#}")]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(e.into())
    }
}

/// Marker left on an error response; the error-page layer renders it in the site layout.
#[derive(Clone, Debug)]
pub struct ErrorPage {
    pub message: String,
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = match &self {
            AppError::Internal(e) => match crate::db::health::classify(e) {
                // The database is unreachable, or too busy to take the request in time: a
                // friendly 503 with Retry-After (the load guard checks whether it is gone).
                Failure::Unavailable => {
                    tracing::warn!(error = %format!("{e:#}"), "database unavailable");
                    return crate::overload::unavailable(crate::overload::Reason::Database);
                }
                Failure::Busy => {
                    tracing::warn!(error = %format!("{e:#}"), "database busy: request shed");
                    return crate::overload::unavailable(crate::overload::Reason::Busy);
                }
                // A value from the request that the database cannot store (a NUL character, a
                // date before 4713 BC): the request is at fault, and its transaction rolled back.
                Failure::BadValue => {
                    tracing::warn!(error = %format!("{e:#}"), "value refused by the database");
                    return bad_value();
                }
                Failure::Other => {
                    tracing::error!(error = %format!("{e:#}"), "internal error");
                    "Something went wrong on our side. Your saved answers are safe; please try again."
                        .to_string()
                }
            },
            other => other.to_string(),
        };
        let mut resp = status.into_response();
        resp.extensions_mut().insert(ErrorPage { message });
        resp
    }
}

/// An error page with a status and a message (drawn in the layout by `web::error_pages`).
pub fn page(status: StatusCode, message: impl Into<String>) -> Response {
    let mut resp = status.into_response();
    resp.extensions_mut().insert(ErrorPage {
        message: message.into(),
    });
    resp
}

fn bad_value() -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Something you sent cannot be stored (for example an invisible control character, or a \
         date outside the calendar we keep), so nothing was changed. Check what you entered and \
         try again.",
    )
}
