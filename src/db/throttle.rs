//! Failed sign-ins counted in Postgres, so the limits hold across every app process. The
//! decision over the recorded failures is `domain::signin::decide`; this module loads them under
//! a lock and records each check before the password is verified.

use crate::domain::signin::{decide, Decision, Failure, Limits};
use anyhow::Context;
use sqlx::{FromRow, PgPool};
use std::time::{Duration, Instant};

/// Who is trying to sign in: the account, the client address and, when the browser holds a
/// device cookie trusted for this account, that cookie's hash.
pub struct Attempt<'a> {
    pub email: &'a str,
    pub ip: &'a str,
    pub device: Option<Vec<u8>>,
}

#[derive(FromRow)]
struct Row {
    age_secs: f64,
    same_account: bool,
    same_ip: bool,
    device: Option<Vec<u8>>,
    in_flight: bool,
}

/// How long a check waits for a slot held by checks in flight before it is refused.
const MAX_WAIT: Duration = Duration::from_secs(10);

enum Step {
    Recorded(i64),
    Wait,
    Throttled(i64),
}

/// Starts a password check: either the seconds to wait, or the id of a failure row recorded in
/// advance (removed by [`forgive`] when the password turns out right). Recording before checking,
/// under a lock per account and address, means parallel guesses count against every limit; a
/// check held up only by checks in flight waits for their outcome.
pub async fn begin_check(
    pool: &PgPool,
    attempt: &Attempt<'_>,
    limits: &Limits,
) -> anyhow::Result<Result<i64, i64>> {
    let started = Instant::now();
    loop {
        match try_begin(pool, attempt, limits).await? {
            Step::Recorded(id) => return Ok(Ok(id)),
            Step::Throttled(secs) => return Ok(Err(secs)),
            Step::Wait if started.elapsed() > MAX_WAIT => return Ok(Err(1)),
            // A slot frees within one password check (tens of milliseconds).
            Step::Wait => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

async fn try_begin(pool: &PgPool, a: &Attempt<'_>, limits: &Limits) -> anyhow::Result<Step> {
    let mut tx = pool.begin().await.context("starting a transaction")?;
    // Always the account first, then the address: the same order everywhere, so no deadlock.
    sqlx::query(
        "SELECT pg_advisory_xact_lock(hashtext('login-account:' || $1)),
                pg_advisory_xact_lock(hashtext('login-ip:' || $2))",
    )
    .bind(a.email)
    .bind(a.ip)
    .execute(&mut *tx)
    .await
    .context("locking the sign-in throttle")?;
    // A pending row older than a minute belongs to a request that died: it counts as a failure.
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT EXTRACT(EPOCH FROM now() - failed_at)::float8 AS age_secs,
                email = $1 AS same_account, ip = $2 AS same_ip, device,
                pending AND failed_at > now() - interval '1 minute' AS in_flight
         FROM login_failures
         WHERE (email = $1 AND failed_at > now() - make_interval(secs => $4))
            OR (ip = $2 AND device IS NULL AND failed_at > now() - make_interval(secs => $3))",
    )
    .bind(a.email)
    .bind(a.ip)
    .bind(limits.window_secs as f64)
    .bind(limits.global_window_secs.max(limits.window_secs) as f64)
    .fetch_all(&mut *tx)
    .await
    .context("reading the sign-in throttle")?;
    let failures: Vec<Failure> = rows
        .into_iter()
        .map(|r| Failure {
            age_secs: r.age_secs,
            same_account: r.same_account,
            same_ip: r.same_ip,
            device: r.device.map(|d| Some(&d) == a.device.as_ref()),
            in_flight: r.in_flight,
        })
        .collect();
    match decide(&failures, a.device.is_some(), limits) {
        Decision::Throttled(secs) => Ok(Step::Throttled(secs)),
        Decision::Wait => Ok(Step::Wait),
        Decision::Go => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO login_failures (email, ip, device, pending)
                 VALUES ($1, $2, $3, true) RETURNING id",
            )
            .bind(a.email)
            .bind(a.ip)
            .bind(&a.device)
            .fetch_one(&mut *tx)
            .await
            .context("recording the sign-in check")?;
            tx.commit().await.context("committing the sign-in check")?;
            Ok(Step::Recorded(id))
        }
    }
}

/// The password was wrong: the advance row becomes a failure.
pub async fn confirm_failure(pool: &PgPool, id: i64) -> anyhow::Result<()> {
    sqlx::query("UPDATE login_failures SET pending = false WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .context("recording a failed sign-in")?;
    Ok(())
}

/// The password was right: the advance row goes, and so do the earlier failures of this client
/// (the address without a device cookie, or the device) against the account. Failures of other
/// clients stay: the owner signing in does not wipe an attacker's count.
pub async fn forgive(pool: &PgPool, id: i64, a: &Attempt<'_>) -> anyhow::Result<()> {
    sqlx::query(
        "DELETE FROM login_failures
         WHERE id = $1
            OR (email = $2 AND device IS NULL AND $4::bytea IS NULL AND ip = $3)
            OR (email = $2 AND device = $4)",
    )
    .bind(id)
    .bind(a.email)
    .bind(a.ip)
    .bind(&a.device)
    .execute(pool)
    .await
    .context("clearing the client's failed sign-ins")?;
    Ok(())
}

/// Every failure against the account goes (its password was just reset by its owner).
pub async fn clear_account(pool: &PgPool, email: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE email = $1")
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

/// Counts a request against a limit of `max` per `window_secs` for `key` in `bucket`
/// (registrations per address, reset mails per account): `true` when it is within the limit
/// and was counted, `false` when the limit is reached. Safe under concurrent requests.
pub async fn take_slot(
    pool: &PgPool,
    bucket: &str,
    key: &str,
    max: i64,
    window_secs: i64,
) -> anyhow::Result<bool> {
    let mut tx = pool.begin().await.context("starting a transaction")?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('rate:' || $1 || ':' || $2))")
        .bind(bucket)
        .bind(key)
        .execute(&mut *tx)
        .await
        .context("locking the rate limit")?;
    let used: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM rate_events
         WHERE bucket = $1 AND key = $2 AND at > now() - make_interval(secs => $3)",
    )
    .bind(bucket)
    .bind(key)
    .bind(window_secs as f64)
    .fetch_one(&mut *tx)
    .await
    .context("reading the rate limit")?;
    if used >= max {
        return Ok(false);
    }
    sqlx::query("INSERT INTO rate_events (bucket, key) VALUES ($1, $2)")
        .bind(bucket)
        .bind(key)
        .execute(&mut *tx)
        .await
        .context("counting the request")?;
    tx.commit().await.context("committing the rate limit")?;
    Ok(true)
}

/// Deletes counted requests older than a day (the longest window).
pub async fn purge_rate_events(pool: &PgPool) -> anyhow::Result<u64> {
    let r = sqlx::query("DELETE FROM rate_events WHERE at < now() - interval '1 day'")
        .execute(pool)
        .await
        .context("deleting old rate-limit events")?;
    Ok(r.rows_affected())
}
