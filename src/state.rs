//! The state every handler shares: the database pool, the settings and the metrics handle.

use crate::config::Config;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;
use std::sync::{Arc, OnceLock};

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<Config>,
    pub metrics: PrometheusHandle,
    pub mailer: crate::mail::Mailer,
    /// Overload shedding and the database's reachability (`overload`).
    pub load: crate::overload::LoadGuard,
}

impl AppState {
    /// Panics when the mail settings are invalid; `mockexam serve` checks them first with
    /// [`crate::mail::Mailer::from_config`] and reports the problem.
    pub fn new(db: PgPool, config: Config) -> AppState {
        let mailer = crate::mail::Mailer::from_config(&config).expect("valid mail settings");
        AppState {
            load: crate::overload::LoadGuard::new(&config, &db),
            db,
            mailer,
            config: Arc::new(config),
            metrics: metrics_handle(),
        }
    }
}

/// The process-wide Prometheus recorder, installed once however many apps a process builds.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ])
                .expect("valid buckets")
                .build_recorder();
            let handle = recorder.handle();
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}
