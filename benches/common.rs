//! Shared set-up for the benchmark programs: a fresh database with the DP-100 bank, the real
//! server on a free port, and a keep-alive HTTP client.
#![allow(dead_code)]

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use mockexam::app::app;
use mockexam::config::Config;
use mockexam::state::AppState;
use sqlx::PgPool;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

pub type HttpClient = Client<HttpConnector, Full<Bytes>>;

pub async fn fresh_database(name: &str) -> (PgPool, String) {
    let base = std::env::var("DATABASE_URL")
        .expect("DATABASE_URL must point at a PostgreSQL server (see scripts/ensure-postgres.sh)");
    let url = match base.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}_{}", std::process::id()),
        None => panic!("DATABASE_URL has no database name"),
    };
    let pool = mockexam::db::connect_and_migrate(&url)
        .await
        .expect("database");
    let bank = mockexam::bank::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/question-bank/dp-100"
    )))
    .expect("DP-100 bank");
    mockexam::bank::import::import(&pool, &bank)
        .await
        .expect("import");
    (pool, url)
}

pub async fn drop_database(pool: PgPool, url: &str) {
    pool.close().await;
    use sqlx::migrate::MigrateDatabase;
    let _ = sqlx::Postgres::drop_database(url).await;
}

pub async fn serve(pool: PgPool) -> SocketAddr {
    let state = AppState::new(pool, Config::for_database("postgres://unused"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

pub fn client() -> HttpClient {
    Client::builder(hyper_util::rt::TokioExecutor::new())
        .pool_max_idle_per_host(256)
        .build(HttpConnector::new())
}

/// One request; returns status, body and how long it took.
pub async fn request(
    client: &HttpClient,
    method: &str,
    url: &str,
    cookie: &str,
    body: Option<String>,
    json: bool,
) -> (u16, String, Duration) {
    let mut b = axum::http::Request::builder()
        .method(method)
        .uri(url)
        .header("cookie", format!("mockexam_session={cookie}"))
        .header("sec-fetch-site", "same-origin");
    if json {
        b = b.header("accept", "application/json");
    }
    if body.is_some() {
        b = b.header("content-type", "application/x-www-form-urlencoded");
    }
    let req = b
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .unwrap();
    let start = Instant::now();
    let resp = client.request(req).await.expect("request");
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        String::from_utf8_lossy(&bytes).into_owned(),
        start.elapsed(),
    )
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

pub fn summary(name: &str, mut samples: Vec<Duration>, wall: Duration) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<28} n={:<6} p50={:>7.2} ms  p90={:>7.2} ms  p99={:>7.2} ms  max={:>7.2} ms  {:>7.0} req/s",
        samples.len(),
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.90)),
        ms(percentile(&samples, 0.99)),
        ms(*samples.last().unwrap_or(&Duration::ZERO)),
        samples.len() as f64 / wall.as_secs_f64()
    );
}

/// One request; returns status, the Location header (redirects), body and how long it took.
pub async fn request_with_location(
    client: &HttpClient,
    method: &str,
    url: &str,
    cookie: &str,
    body: Option<String>,
    json: bool,
) -> (u16, Option<String>, String, Duration) {
    let mut b = axum::http::Request::builder()
        .method(method)
        .uri(url)
        .header("cookie", format!("mockexam_session={cookie}"))
        .header("sec-fetch-site", "same-origin");
    if json {
        b = b.header("accept", "application/json");
    }
    if body.is_some() {
        b = b.header("content-type", "application/x-www-form-urlencoded");
    }
    let req = b
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .unwrap();
    let start = Instant::now();
    let resp = client.request(req).await.expect("request");
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        location,
        String::from_utf8_lossy(&bytes).into_owned(),
        start.elapsed(),
    )
}
