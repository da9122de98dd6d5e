//! Is the database there? A probe on a connection of its own (never one of the pool's, which may
//! all be busy), and the classification of database errors into "unavailable" (the request may
//! be retried later: 503), "a value the database cannot store" (the request was bad: 400) and
//! everything else (a bug: 500).

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::Connection;
use std::time::Duration;

/// What a probe found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    /// The server accepted a connection (or refused it only for being full) and answered.
    Up,
    /// Nothing answered, or the server is starting or shutting down.
    Down(String),
}

/// Opens a fresh connection, runs `SELECT 1` and closes it, within `within`.
pub async fn probe(options: &PgConnectOptions, within: Duration) -> Probe {
    let attempt = async {
        let mut conn = PgConnection::connect_with(options).await?;
        sqlx::query("SELECT 1").execute(&mut conn).await?;
        conn.close().await
    };
    match tokio::time::timeout(within, attempt).await {
        Ok(Ok(())) => Probe::Up,
        // Full (too many connections) is a busy server, not a missing one: the pool's own
        // connections still work.
        Ok(Err(sqlx::Error::Database(e))) if e.code().as_deref() == Some("53300") => Probe::Up,
        Ok(Err(e)) => Probe::Down(e.to_string()),
        Err(_) => Probe::Down(format!("no answer within {} ms", within.as_millis())),
    }
}

/// The kind of a failed database call, read from an error chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The database cannot be reached (down, restarting, connection lost): answer 503 with
    /// Retry-After.
    Unavailable,
    /// The database is there but could not take the request in time (no pooled connection free
    /// within the acquire time-out, too many connections, a statement cancelled): 503 "busy".
    Busy,
    /// The database refused a value from the request (SQLSTATE class 22: a NUL character, a
    /// date out of its range, a number too large).
    BadValue,
    /// Anything else.
    Other,
}

/// Classifies the first database error in the chain of `e`.
pub fn classify(e: &anyhow::Error) -> Failure {
    e.chain()
        .find_map(|cause| cause.downcast_ref::<sqlx::Error>())
        .map(classify_sqlx)
        .unwrap_or(Failure::Other)
}

pub fn classify_sqlx(e: &sqlx::Error) -> Failure {
    match e {
        sqlx::Error::PoolTimedOut => Failure::Busy,
        sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => Failure::Unavailable,
        sqlx::Error::Database(db) => classify_sqlstate(db.code().as_deref().unwrap_or("")),
        _ => Failure::Other,
    }
}

/// By SQLSTATE: class 08 (connection exception) and 57P01–57P03 (shut down by the
/// administrator, crash, cannot connect now) mean the database is away; class 53 (insufficient
/// resources, e.g. too many connections) and 57014 (cancelled, e.g. a statement time-out) that
/// it is busy; class 22 (data exception) means a bad value.
pub fn classify_sqlstate(code: &str) -> Failure {
    match code {
        c if c.starts_with("08") => Failure::Unavailable,
        "57P01" | "57P02" | "57P03" => Failure::Unavailable,
        c if c.starts_with("53") => Failure::Busy,
        "57014" => Failure::Busy,
        c if c.starts_with("22") => Failure::BadValue,
        _ => Failure::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlstates_are_classified_by_class() {
        assert_eq!(classify_sqlstate("08006"), Failure::Unavailable);
        assert_eq!(classify_sqlstate("57P01"), Failure::Unavailable);
        assert_eq!(classify_sqlstate("53300"), Failure::Busy);
        assert_eq!(classify_sqlstate("22021"), Failure::BadValue);
        assert_eq!(classify_sqlstate("22008"), Failure::BadValue);
        assert_eq!(classify_sqlstate("23505"), Failure::Other);
        assert_eq!(classify_sqlstate(""), Failure::Other);
    }

    #[test]
    fn the_database_error_is_found_under_context() {
        use anyhow::Context;
        let e: anyhow::Error = Err::<(), _>(sqlx::Error::PoolTimedOut)
            .context("reading a page")
            .context("opening an item")
            .unwrap_err();
        assert_eq!(classify(&e), Failure::Busy);
        assert_eq!(
            classify(&anyhow::anyhow!("no database here")),
            Failure::Other
        );
    }
}
