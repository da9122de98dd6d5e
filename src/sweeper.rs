//! Background upkeep run by every app process: finalising expired attempts (row locks with
//! SKIP LOCKED make concurrent sweepers safe), refreshing item calibrations (an advisory lock
//! per exam lets one process fit while the others skip) and purging dead sessions and old login
//! failures.

use crate::state::AppState;
use std::time::Duration;

pub async fn run(state: AppState) {
    let period = Duration::from_secs(state.config.sweep_seconds.max(1));
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        match crate::engine::sweep(&state.db, state.config.grace_seconds).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(finalised = n, "sweeper finalised expired attempts"),
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "sweeper failed; will retry"),
        }
        match crate::engine::calibration::refresh_all(&state.db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(exams = n, "item calibration refreshed"),
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "calibration failed; will retry"),
        }
        if let Err(e) = crate::db::sessions::purge_expired(&state.db).await {
            tracing::warn!(error = %e, "purging sessions failed");
        }
        if let Err(e) =
            crate::db::throttle::purge_old(&state.db, state.config.login_window_seconds).await
        {
            tracing::warn!(error = %e, "purging login failures failed");
        }
    }
}
