//! Background upkeep run by every app process: finalising expired attempts (row locks with
//! SKIP LOCKED make concurrent sweepers safe), refreshing item calibrations (an advisory lock
//! per exam lets one process fit while the others skip), reminding and then deleting accounts
//! never verified, and purging dead sessions, used links and old login failures.

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
        match crate::accounts::recovery::sweep_unverified(&state).await {
            Ok((0, 0)) => {}
            Ok((reminded, deleted)) => {
                tracing::info!(reminded, deleted, "sweeper handled unverified accounts")
            }
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "unverified accounts sweep failed"),
        }
        match crate::engine::calibration::refresh_all(&state.db).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(exams = n, "item calibration refreshed"),
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "calibration failed; will retry"),
        }
        if let Err(e) = purge(&state).await {
            tracing::warn!(error = %format!("{e:#}"), "purging old rows failed");
        }
    }
}

/// Rows past their use: expired sessions, old links, failures and counted requests, browsers not
/// seen for a year.
async fn purge(state: &AppState) -> anyhow::Result<()> {
    let db = &state.db;
    let cfg = &state.config;
    crate::db::sessions::purge_expired(db, cfg.session_absolute_hours).await?;
    let window = cfg
        .login_window_seconds
        .max(cfg.login_global_window_seconds);
    crate::db::throttle::purge_old(db, window).await?;
    crate::db::throttle::purge_rate_events(db).await?;
    crate::db::tokens::purge_old(db).await?;
    crate::db::devices::purge_old(db, crate::accounts::DEVICE_DAYS).await?;
    Ok(())
}
