//! Liveness, readiness and Prometheus metrics.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::time::Duration;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

/// Ready when the database answers within two seconds; not ready at once while the load guard
/// finds it unreachable.
async fn readyz(State(state): State<AppState>) -> Response {
    if state.load.health().is_down() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "database unreachable (probed every 250 ms)\n",
        )
            .into_response();
    }
    let check = tokio::time::timeout(Duration::from_secs(2), crate::db::ping(&state.db)).await;
    match check {
        Ok(Ok(_)) => (StatusCode::OK, "ready\n").into_response(),
        Ok(Err(e)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database unavailable: {e:#}\n"),
        )
            .into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "database did not answer in 2 s\n",
        )
            .into_response(),
    }
}

/// Metrics describe traffic and sign-in failures: open to this machine (a scraper beside the
/// app) or to callers with the configured bearer token, not to the world.
async fn metrics(
    State(state): State<AppState>,
    client: super::client::ClientAddr,
    headers: axum::http::HeaderMap,
) -> Response {
    let local = client.local;
    let token_ok = state.config.metrics_token.as_ref().is_some_and(|t| {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| given.as_bytes() == t.as_bytes())
    });
    if !local && !token_ok {
        return crate::error::AppError::NotFound.into_response();
    }
    let pool = &state.db;
    metrics::gauge!("db_pool_connections").set(pool.size() as f64);
    metrics::gauge!("db_pool_idle_connections").set(pool.num_idle() as f64);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}
