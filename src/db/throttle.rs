//! Failed sign-ins counted in Postgres, so the limit holds across every app process.

use sqlx::PgPool;

/// Seconds until sign-in is allowed again for this account or address, if it is paused now.
pub async fn retry_after(
    pool: &PgPool,
    email: &str,
    ip: &str,
    max_per_account: i64,
    max_per_ip: i64,
    window_seconds: i64,
) -> sqlx::Result<Option<i64>> {
    // The n-th most recent failure inside the window decides: the pause ends when it leaves.
    let secs: Option<f64> = sqlx::query_scalar(
        "SELECT GREATEST(
            (SELECT EXTRACT(EPOCH FROM failed_at + make_interval(secs => $5) - now())::float8
               FROM login_failures WHERE email = $1 AND failed_at > now() - make_interval(secs => $5)
               ORDER BY failed_at DESC OFFSET $3 - 1 LIMIT 1),
            (SELECT EXTRACT(EPOCH FROM failed_at + make_interval(secs => $5) - now())::float8
               FROM login_failures WHERE ip = $2 AND failed_at > now() - make_interval(secs => $5)
               ORDER BY failed_at DESC OFFSET $4 - 1 LIMIT 1))",
    )
    .bind(email)
    .bind(ip)
    .bind(max_per_account)
    .bind(max_per_ip)
    .bind(window_seconds as f64)
    .fetch_one(pool)
    .await?;
    Ok(secs.filter(|s| *s > 0.0).map(|s| s.ceil() as i64))
}

pub async fn record_failure(pool: &PgPool, email: &str, ip: &str) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO login_failures (email, ip) VALUES ($1, $2)")
        .bind(email)
        .bind(ip)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn clear_account(pool: &PgPool, email: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE email = $1")
        .bind(email)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn purge_old(pool: &PgPool, window_seconds: i64) -> sqlx::Result<u64> {
    let r = sqlx::query(
        "DELETE FROM login_failures WHERE failed_at < now() - make_interval(secs => $1)",
    )
    .bind(window_seconds as f64)
    .execute(pool)
    .await?;
    Ok(r.rows_affected())
}
