//! One error type for handlers. Internal errors are logged and shown as a friendly page; the page
//! itself is drawn by `web::error_pages`, which knows who is signed in.

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
            AppError::Internal(e) => {
                tracing::error!(error = %format!("{e:#}"), "internal error");
                "Something went wrong on our side. Your saved answers are safe; please try again."
                    .to_string()
            }
            other => other.to_string(),
        };
        let mut resp = status.into_response();
        resp.extensions_mut().insert(ErrorPage { message });
        resp
    }
}
