//! Database access, one module per aggregate. Queries only: decisions live in `domain/`.

pub mod attempts;
pub mod exams;
pub mod readiness;
pub mod review;
pub mod sessions;
pub mod throttle;
pub mod users;

use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgPool, PgPoolOptions};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Creates the database when missing, connects and applies migrations.
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<PgPool> {
    if !sqlx::Postgres::database_exists(url).await.unwrap_or(false) {
        sqlx::Postgres::create_database(url)
            .await
            .map_err(|e| anyhow::anyhow!("cannot create the database at {}: {e}", redact(url)))?;
        tracing::info!("created database");
    }
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot connect to {}: {e}", redact(url)))?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
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
