//! The router, shared state and middleware layers.

use crate::state::AppState;
use crate::web;
use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderName, HeaderValue, Response, StatusCode};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::time::{Duration, Instant};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::csrf::CsrfLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// Request bodies above this are refused with 413; the largest legitimate form is a few KiB.
pub const BODY_LIMIT: usize = 256 * 1024;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

pub fn app(state: AppState) -> Router {
    let mut csrf = CsrfLayer::new();
    for origin in &state.config.trusted_origins {
        match csrf.clone().add_trusted_origin(origin) {
            Ok(c) => csrf = c,
            Err(e) => tracing::warn!(%origin, error = %e, "ignoring trusted origin"),
        }
    }
    let csrf = csrf.with_rejection_response(|_e| {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::FORBIDDEN;
        r.extensions_mut().insert(crate::error::ErrorPage {
            message: "This form was sent from another site, so it was refused. Open the page on this site and try again."
                .into(),
        });
        r
    });

    let header = |name: &'static str, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        )
    };

    Router::new()
        .merge(web::home::router())
        .merge(web::auth::router())
        .merge(web::accounts::router())
        .merge(web::author::router())
        .merge(web::interchange::router())
        .merge(web::studio::router())
        .merge(web::users::router())
        .merge(web::exam::router())
        .merge(web::practice::router())
        .merge(web::readiness::router())
        .merge(web::cohorts::router())
        .merge(web::check::router())
        .merge(web::health::router())
        .merge(web::theme::router())
        .route("/static/{file}", get(crate::static_files::serve))
        .fallback(|| async { crate::error::AppError::NotFound })
        .layer(middleware::from_fn(record_metrics))
        .layer(csrf)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::overload::shed,
        ))
        .layer(middleware::from_fn(web::input_guard::screen))
        // Inside the error pages, so that a refused body, a bad request and a panic are drawn
        // in the layout with the security headers.
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(panic_page))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::error_pages::render_error_pages,
        ))
        .layer(middleware::from_fn(web::theme::remember_look))
        .layer(header("content-security-policy", CSP))
        .layer(header("x-content-type-options", "nosniff"))
        .layer(header("x-frame-options", "DENY"))
        .layer(header("referrer-policy", "same-origin"))
        .layer(header(
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(compression())
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map(|m| m.as_str().to_string())
                .unwrap_or_else(|| "unmatched".into());
            let id = req
                .extensions()
                .get::<RequestId>()
                .map(|r| r.0.as_str())
                .unwrap_or("-");
            tracing::info_span!("request", request_id = %id, method = %req.method(), route = %route)
        }))
        .layer(middleware::from_fn(assign_request_id))
        .layer(CatchPanicLayer::new())
        .with_state(state)
}

/// A handler that panicked: the 500 page in the layout (logged with the request's id).
fn panic_page(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    crate::error::AppError::Internal(anyhow::anyhow!("a handler panicked: {what}")).into_response()
}

/// The id of one request: in every log line of the request (through its span), in the
/// `x-request-id` response header and on the error page, so a user can quote it.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

async fn assign_request_id(mut req: Request, next: Next) -> axum::response::Response {
    let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

/// Counts requests and their latency by method, matched route and status class.
async fn record_metrics(req: Request, next: Next) -> impl IntoResponse {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let resp = next.run(req).await;
    let status = resp.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    resp
}

/// Runs the server until Ctrl-C or SIGTERM, letting requests in flight finish.
pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let bind = state.config.bind;
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, "listening");
    let sweeper = tokio::spawn(crate::sweeper::run(state.clone()));
    let router = app(state);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    sweeper.abort();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
    tokio::time::sleep(Duration::from_millis(50)).await;
}

/// Pages are compressed with gzip at its fastest level, never brotli: on a 16 KB question page
/// brotli at its default quality takes about five times gzip-1's CPU (≈ 155 µs against 32 µs,
/// measured one-shot) for 1 KB less (2.6 KB against 3.6 KB), and every browser accepts gzip.
/// Replies under 1 KB (the autosave's JSON, redirects' bodies) go as they are: a gzip
/// stream's setup and framing cost more than they save. So do zip exports, compressed already.
fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .no_br()
        .quality(CompressionLevel::Fastest)
        .compress_when(
            SizeAbove::new(1024)
                .and(NotForContentType::GRPC)
                .and(NotForContentType::IMAGES)
                .and(NotForContentType::SSE)
                .and(NotForContentType::const_new("application/zip")),
        )
}
