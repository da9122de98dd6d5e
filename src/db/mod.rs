//! Database access, one module per aggregate. Queries only: decisions live in `domain/`.

pub mod analysis;
pub mod attempts;
pub mod audit;
pub mod bank;
pub mod calibration;
pub mod cohorts;
pub mod demo;
pub mod devices;
pub mod exams;
pub mod health;
pub mod interchange;
pub mod layout;
pub mod live_bank;
pub mod load;
pub mod privacy;
pub mod readiness;
pub mod review;
pub mod sessions;
pub mod studio;
pub mod throttle;
pub mod timing;
pub mod tokens;
pub mod users;
pub mod versions;

use anyhow::Context;
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgPool, PgPoolOptions};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How many connections a process keeps and how long a request waits for one.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_connections: u32,
    /// Past this wait a request is shed (503) rather than queued into a time-out.
    pub acquire_timeout: std::time::Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            max_connections: 16,
            acquire_timeout: std::time::Duration::from_secs(5),
        }
    }
}

impl PoolSettings {
    pub fn of(config: &crate::config::Config) -> PoolSettings {
        PoolSettings {
            max_connections: config.db_max_connections.max(1),
            acquire_timeout: std::time::Duration::from_millis(config.db_acquire_timeout_ms.max(1)),
        }
    }
}

/// Creates the database when missing, connects and applies migrations.
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<PgPool> {
    connect_and_migrate_with(url, PoolSettings::default()).await
}

/// [`connect_and_migrate`] with the pool sized and timed as the server is configured.
pub async fn connect_and_migrate_with(url: &str, settings: PoolSettings) -> anyhow::Result<PgPool> {
    if !sqlx::Postgres::database_exists(url).await.unwrap_or(false) {
        sqlx::Postgres::create_database(url)
            .await
            .map_err(|e| anyhow::anyhow!("cannot create the database at {}: {e}", redact(url)))?;
        tracing::info!("created database");
    }
    let pool = PgPoolOptions::new()
        .max_connections(settings.max_connections)
        .acquire_timeout(settings.acquire_timeout)
        .connect_with(connect_options(url)?)
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to {}: {e}", redact(url)))?;
    MIGRATOR
        .run(&pool)
        .await
        .context("applying database migrations")?;
    analyze(&pool).await?;
    Ok(pool)
}

/// The server's connection settings. JIT compilation is off: every query here touches a
/// candidate's few rows, and when statistics are missing the planner's inflated estimates made
/// PostgreSQL spend seconds compiling a 20 ms query (practice start went from 0.4 s to 4.5 s on
/// 1,000,000 answer rows without statistics; BENCHMARKS.md).
fn connect_options(url: &str) -> anyhow::Result<sqlx::postgres::PgConnectOptions> {
    let options: sqlx::postgres::PgConnectOptions = url
        .parse()
        .map_err(|e| anyhow::anyhow!("cannot read the database URL {}: {e}", redact(url)))?;
    Ok(options.options([("jit", "off")]))
}

/// Refreshes the planner's statistics of every table the product queries per candidate. Run
/// after bulk loads (bank import, demo histories, migrations): with autovacuum off nothing else
/// would, and plans chosen without statistics can scan a table once per row of another.
pub async fn analyze(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::query(
        "ANALYZE users, sessions, exams, domains, objectives, scenarios, scenario_versions,
                 questions, question_versions, attempts, attempt_items, review_schedule",
    )
    .execute(pool)
    .await
    .context("refreshing the planner's statistics")?;
    Ok(())
}

/// True when the database answers a trivial query (the readiness probe).
pub async fn ping(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::query_scalar::<_, i32>("SELECT 1")
        .fetch_one(pool)
        .await
        .context("asking the database for SELECT 1")?;
    Ok(())
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
