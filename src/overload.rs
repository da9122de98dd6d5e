//! Shedding load instead of queueing into time-outs.
//!
//! - **Bounded concurrency.** At most `max_in_flight` requests are served at once; a request
//!   that finds no free slot within `queue_wait_ms` is answered at once with 503 "busy" and
//!   `Retry-After` (the browser tries again with backoff). Waiting for a database connection is
//!   bounded too (`db_acquire_timeout_ms`, a pool time-out answers 503 the same way).
//! - **A missing database is noticed in well under a second.** A request still running after
//!   [`SLOW`] (and every [`PROBE_EVERY`] after that), or one that failed for want of the
//!   database, starts a probe on a connection of its own (`db::health::probe`). While the probe finds the database down, new requests are
//!   answered 503 straight away and requests in flight are given up (nothing of theirs was
//!   acknowledged: their transactions roll back), instead of each waiting out the pool's
//!   time-out. The probe repeats every [`PROBE_EVERY`] and lets traffic through as soon as the
//!   database answers again, without a restart.
//!
//! Static files and the health endpoints are never shed: the friendly page needs its CSS, and a
//! load balancer needs to see `/readyz` say why.

use crate::db::health::{self, Probe};
use crate::error::ErrorPage;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sqlx::postgres::PgConnectOptions;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{watch, Semaphore};

/// A request running longer than this makes the guard check that the database is still there.
pub const SLOW: Duration = Duration::from_millis(300);
/// How long a probe may take before the database counts as down. A stopped database refuses at
/// once, so this bounds only a database that accepts but does not answer; it is long enough that
/// a loaded machine's slow connection set-up is not taken for an outage (which would give up
/// every request in flight).
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(2000);
/// How often a database found down is probed again.
pub const PROBE_EVERY: Duration = Duration::from_millis(250);
/// After a probe found the database up, slow requests do not probe again for this long.
pub const QUIET: Duration = Duration::from_millis(250);
/// Retry-After for a busy server, in seconds.
pub const BUSY_RETRY_SECONDS: u64 = 2;
/// Retry-After while the database is unreachable, in seconds.
pub const DOWN_RETRY_SECONDS: u64 = 5;

pub const BUSY_MESSAGE: &str = "The site is very busy right now, so this request was not served. \
    Your saved answers are safe.";
pub const DOWN_MESSAGE: &str = "The site cannot reach its database for a moment, so this request \
    was not served. Your saved answers are safe.";

/// Left on a 503 response, so the guard finds out whether the database is still there: at once
/// when it was unreachable, after the quiet period when it was only busy.
#[derive(Clone, Copy, Debug)]
pub struct DatabaseUnavailable(pub Reason);

/// The guard's shared state: the slots and what the last probe found.
#[derive(Clone)]
pub struct LoadGuard {
    slots: Arc<Semaphore>,
    queue_wait: Duration,
    health: DbHealth,
}

impl LoadGuard {
    pub fn new(config: &crate::config::Config, db: &sqlx::PgPool) -> LoadGuard {
        LoadGuard {
            slots: Arc::new(Semaphore::new(config.max_in_flight.max(1))),
            queue_wait: Duration::from_millis(config.queue_wait_ms),
            health: DbHealth::new((*db.connect_options()).clone()),
        }
    }

    pub fn health(&self) -> &DbHealth {
        &self.health
    }
}

/// Whether the database is reachable, as the last probe found; probes run one at a time.
#[derive(Clone)]
pub struct DbHealth {
    inner: Arc<HealthInner>,
}

struct HealthInner {
    options: PgConnectOptions,
    /// `true` while the database is down.
    down: watch::Sender<bool>,
    probing: AtomicBool,
    /// After a probe found the database up, slow requests do not probe again before this ([`QUIET`]).
    quiet_until: std::sync::Mutex<Option<Instant>>,
}

impl DbHealth {
    pub fn new(options: PgConnectOptions) -> DbHealth {
        DbHealth {
            inner: Arc::new(HealthInner {
                options,
                down: watch::Sender::new(false),
                probing: AtomicBool::new(false),
                quiet_until: std::sync::Mutex::new(None),
            }),
        }
    }

    pub fn is_down(&self) -> bool {
        *self.inner.down.borrow()
    }

    /// Resolves when the database is found down (never, while it is up).
    async fn went_down(&self) {
        let mut rx = self.inner.down.subscribe();
        if rx.wait_for(|down| *down).await.is_err() {
            std::future::pending::<()>().await;
        }
    }

    /// A request is slow: probe, unless a probe found the database up within [`QUIET`] (under
    /// load many requests are slow; at most four probes a second).
    pub fn suspect(&self) {
        let quiet = self
            .inner
            .quiet_until
            .lock()
            .map(|q| q.is_some_and(|t| Instant::now() < t))
            .unwrap_or(false);
        if !quiet || self.is_down() {
            self.probe_now();
        }
    }

    /// Starts a probe unless one is running. While the database is down the probe keeps
    /// going until it answers.
    pub fn probe_now(&self) {
        if self.inner.probing.swap(true, Ordering::AcqRel) {
            return;
        }
        let inner = self.inner.clone();
        tokio::spawn(async move {
            loop {
                match health::probe(&inner.options, PROBE_TIMEOUT).await {
                    Probe::Up => {
                        if let Ok(mut q) = inner.quiet_until.lock() {
                            *q = Some(Instant::now() + QUIET);
                        }
                        if inner.down.send_replace(false) {
                            tracing::warn!("database reachable again: serving requests");
                        }
                        break;
                    }
                    Probe::Down(why) => {
                        if !inner.down.send_replace(true) {
                            tracing::error!(%why, "database unreachable: answering 503 until it returns");
                            metrics::counter!("db_outages_total").increment(1);
                        }
                    }
                }
                tokio::time::sleep(PROBE_EVERY).await;
            }
            inner.probing.store(false, Ordering::Release);
        });
    }
}

/// Paths served whatever the load: the friendly page's CSS and script, and health checks.
fn never_shed(path: &str) -> bool {
    path.starts_with("/static/") || matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// The middleware: a slot within the queue wait, or 503 busy; the database down, or 503.
pub async fn shed(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if never_shed(req.uri().path()) {
        return next.run(req).await;
    }
    let guard = &state.load;
    if guard.health.is_down() {
        return unavailable(Reason::Database);
    }
    let permit =
        match tokio::time::timeout(guard.queue_wait, guard.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            _ => return unavailable(Reason::Busy),
        };
    let health = guard.health.clone();
    // While the request runs past SLOW, check on the database every PROBE_EVERY (a probe that
    // found it up a moment ago counts), and give up the request as soon as it is found down.
    let watch = async {
        tokio::time::sleep(SLOW).await;
        let recheck = async {
            loop {
                health.suspect();
                tokio::time::sleep(PROBE_EVERY).await;
            }
        };
        tokio::select! {
            _ = recheck => {}
            _ = health.went_down() => {}
        }
    };
    let resp = tokio::select! {
        resp = next.run(req) => resp,
        _ = watch => unavailable(Reason::Database),
    };
    drop(permit);
    match resp.extensions().get::<DatabaseUnavailable>() {
        Some(DatabaseUnavailable(Reason::Database)) => guard.health.probe_now(),
        Some(DatabaseUnavailable(Reason::Busy)) => guard.health.suspect(),
        None => {}
    }
    resp
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Busy,
    Database,
}

/// A 503 with Retry-After, drawn as the friendly page (or JSON for the autosave) by
/// `web::error_pages`.
pub fn unavailable(reason: Reason) -> Response {
    let (label, seconds, message) = match reason {
        Reason::Busy => ("busy", BUSY_RETRY_SECONDS, BUSY_MESSAGE),
        Reason::Database => ("database", DOWN_RETRY_SECONDS, DOWN_MESSAGE),
    };
    metrics::counter!("http_shed_total", "reason" => label).increment(1);
    let mut r = StatusCode::SERVICE_UNAVAILABLE.into_response();
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    r.extensions_mut().insert(ErrorPage {
        message: message.to_string(),
    });
    r.extensions_mut().insert(DatabaseUnavailable(reason));
    r
}
