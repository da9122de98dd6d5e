//! Failed sign-ins counted in Postgres, so the limit holds across every app process.

use anyhow::Context;
use sqlx::PgPool;

/// Seconds until sign-in is allowed again for this account or address, if it is paused now.
pub async fn retry_after<'e>(
    db: impl sqlx::PgExecutor<'e>,
    email: &str,
    ip: &str,
    max_per_account: i64,
    max_per_ip: i64,
    window_seconds: i64,
) -> anyhow::Result<Option<i64>> {
    // The n-th most recent failure inside the window decides: the pause ends when it leaves.
    let secs: Option<f64> = sqlx::query_scalar(
        "SELECT GREATEST(
            (SELECT EXTRACT(EPOCH FROM failed_at + make_interval(secs => $5) - now())::float8
               FROM login_failures WHERE email = $1 AND failed_at > now() - make_interval(secs => $5)
               ORDER BY failed_at DESC OFFSET $3 - 1 LIMIT 1),
            (SELECT EXTRACT(EPOCH FROM failed_at + make_interval(secs => $5) - now())::float8
               FROM login_failures WHERE ip = $2 AND failed_at > now() - make_interval(secs => $5)
                 AND (NOT pending OR failed_at < now() - interval '1 minute')
               ORDER BY failed_at DESC OFFSET $4 - 1 LIMIT 1))",
    )
    .bind(email)
    .bind(ip)
    .bind(max_per_account)
    .bind(max_per_ip)
    .bind(window_seconds as f64)
    .fetch_one(db)
    .await
        .context("reading the sign-in throttle")?;
    Ok(secs.filter(|s| *s > 0.0).map(|s| s.ceil() as i64))
}

pub struct Limits {
    pub per_account: i64,
    pub per_ip: i64,
    pub window_seconds: i64,
}

/// Starts a password check: either the seconds to wait, or the id of a failure row recorded in
/// advance (removed by [`forgive`] when the password turns out right). Recording before checking,
/// under a lock per account and address, means parallel guesses count against the limit too.
pub async fn begin_check(
    pool: &PgPool,
    email: &str,
    ip: &str,
    limits: &Limits,
) -> anyhow::Result<Result<i64, i64>> {
    let mut tx = pool.begin().await?;
    // Always the account first, then the address: the same order everywhere, so no deadlock.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('login-account:' || $1)), pg_advisory_xact_lock(hashtext('login-ip:' || $2))")
        .bind(email)
        .bind(ip)
        .execute(&mut *tx)
        .await?;
    if let Some(secs) = retry_after(
        &mut *tx,
        email,
        ip,
        limits.per_account,
        limits.per_ip,
        limits.window_seconds,
    )
    .await?
    {
        tx.rollback().await?;
        return Ok(Err(secs));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO login_failures (email, ip, pending) VALUES ($1, $2, true) RETURNING id",
    )
    .bind(email)
    .bind(ip)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(id))
}

/// The password was wrong: the advance row becomes a failure of the address too.
pub async fn confirm_failure(pool: &PgPool, id: i64) -> anyhow::Result<()> {
    sqlx::query("UPDATE login_failures SET pending = false WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .context("recording a failed sign-in")?;
    Ok(())
}

/// The password was right: the advance failure and the account's earlier failures go.
pub async fn forgive(pool: &PgPool, id: i64, email: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE id = $1 OR email = $2")
        .bind(id)
        .bind(email)
        .execute(pool)
        .await
        .context("clearing the account's failed sign-ins")?;
    Ok(())
}

pub async fn purge_old(pool: &PgPool, window_seconds: i64) -> anyhow::Result<u64> {
    let r = sqlx::query(
        "DELETE FROM login_failures WHERE failed_at < now() - make_interval(secs => $1)",
    )
    .bind(window_seconds as f64)
    .execute(pool)
    .await
    .context("deleting old sign-in failures")?;
    Ok(r.rows_affected())
}
