//! Settings, from flags and environment variables (see `mockexam serve --help`).

use clap::Args;
use std::net::SocketAddr;

#[derive(Args, Clone)]
pub struct Config {
    /// PostgreSQL URL; the database is created when missing.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,

    /// Address to listen on.
    #[arg(long, env = "MOCKEXAM_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,

    /// Mark cookies Secure (set when served over https).
    #[arg(long, env = "MOCKEXAM_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,

    /// Extra origins allowed to POST (for a proxy that rewrites Host), e.g. https://exams.example.
    #[arg(
        long = "trusted-origin",
        env = "MOCKEXAM_TRUSTED_ORIGINS",
        value_delimiter = ','
    )]
    pub trusted_origins: Vec<String>,

    /// How long a session lasts without use, in hours.
    #[arg(long, env = "MOCKEXAM_SESSION_HOURS", default_value_t = 24 * 14)]
    pub session_hours: i64,

    /// Seconds after the deadline during which a save is still accepted (network lag).
    #[arg(long, env = "MOCKEXAM_GRACE_SECONDS", default_value_t = 10)]
    pub grace_seconds: i64,

    /// Failed sign-ins per account within the window before sign-in is paused.
    #[arg(long, env = "MOCKEXAM_LOGIN_MAX_PER_ACCOUNT", default_value_t = 5)]
    pub login_max_per_account: i64,

    /// Failed sign-ins per client address within the window before sign-in is paused.
    #[arg(long, env = "MOCKEXAM_LOGIN_MAX_PER_IP", default_value_t = 20)]
    pub login_max_per_ip: i64,

    /// Length of the sign-in throttling window, in seconds.
    #[arg(long, env = "MOCKEXAM_LOGIN_WINDOW_SECONDS", default_value_t = 900)]
    pub login_window_seconds: i64,

    /// How often the sweeper looks for expired attempts, in seconds.
    #[arg(long, env = "MOCKEXAM_SWEEP_SECONDS", default_value_t = 15)]
    pub sweep_seconds: u64,

    /// Overrides every exam's duration (seconds); for demonstrations and browser tests.
    #[arg(long, env = "MOCKEXAM_DURATION_OVERRIDE_SECONDS")]
    pub duration_override_seconds: Option<i64>,

    /// Bearer token that allows /metrics from other hosts (it is always open to this machine).
    #[arg(long, env = "MOCKEXAM_METRICS_TOKEN")]
    pub metrics_token: Option<String>,

    /// Take the client address from the last X-Forwarded-For hop (only behind a proxy you run).
    #[arg(long, env = "MOCKEXAM_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password.
        f.debug_struct("Config")
            .field("database_url", &"<redacted>")
            .field("bind", &self.bind)
            .field("secure_cookies", &self.secure_cookies)
            .field("grace_seconds", &self.grace_seconds)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Defaults for tests and tools: everything but the database URL.
    pub fn for_database(database_url: &str) -> Config {
        Config {
            database_url: database_url.to_string(),
            bind: "127.0.0.1:0".parse().expect("valid address"),
            secure_cookies: false,
            trusted_origins: vec![],
            session_hours: 24 * 14,
            grace_seconds: 10,
            login_max_per_account: 5,
            login_max_per_ip: 20,
            login_window_seconds: 900,
            sweep_seconds: 15,
            duration_override_seconds: None,
            metrics_token: None,
            trust_forwarded_for: false,
        }
    }
}
