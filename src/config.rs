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

    /// Failed sign-ins per account from one client (address, or a browser that signed in to the
    /// account before) within the window before that client is paused.
    #[arg(long, env = "MOCKEXAM_LOGIN_MAX_PER_ACCOUNT", default_value_t = 5)]
    pub login_max_per_account: i64,

    /// Failed sign-ins per account from all clients without a trusted-device cookie within the
    /// global window; browsers that signed in to the account before are not held up by it.
    #[arg(
        long,
        env = "MOCKEXAM_LOGIN_MAX_PER_ACCOUNT_GLOBAL",
        default_value_t = 50
    )]
    pub login_max_per_account_global: i64,

    /// Length of the global per-account window, in seconds.
    #[arg(
        long,
        env = "MOCKEXAM_LOGIN_GLOBAL_WINDOW_SECONDS",
        default_value_t = 86_400
    )]
    pub login_global_window_seconds: i64,

    /// Failed sign-ins per client address within the window before sign-in is paused.
    #[arg(long, env = "MOCKEXAM_LOGIN_MAX_PER_IP", default_value_t = 20)]
    pub login_max_per_ip: i64,

    /// Length of the sign-in throttling window, in seconds.
    #[arg(long, env = "MOCKEXAM_LOGIN_WINDOW_SECONDS", default_value_t = 900)]
    pub login_window_seconds: i64,

    /// How long a session lasts at most, used or not, in hours.
    #[arg(long, env = "MOCKEXAM_SESSION_ABSOLUTE_HOURS", default_value_t = 24 * 30)]
    pub session_absolute_hours: i64,

    /// Registrations per client address per hour.
    #[arg(long, env = "MOCKEXAM_REGISTER_MAX_PER_IP", default_value_t = 60)]
    pub register_max_per_ip: i64,

    /// Days an account may stay unverified before it is deleted (a reminder goes a week before).
    #[arg(long, env = "MOCKEXAM_UNVERIFIED_DAYS", default_value_t = 30)]
    pub unverified_days: i64,

    /// Outgoing mail server: smtps://user:pass@mail.example (TLS, port 465),
    /// smtp://user:pass@mail.example:587?tls=required (STARTTLS) or smtp://127.0.0.1:25 (plain,
    /// a relay on this machine). Without it, mails are written to the outbox folder and listed
    /// at /admin/outbox.
    #[arg(long, env = "MOCKEXAM_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// Sender of outgoing mail.
    #[arg(
        long,
        env = "MOCKEXAM_MAIL_FROM",
        default_value = "mockexam <no-reply@localhost>"
    )]
    pub mail_from: String,

    /// Folder for data the server keeps outside the database.
    #[arg(long, env = "MOCKEXAM_DATA_DIR", default_value = "data")]
    pub data_dir: std::path::PathBuf,

    /// Folder for mails when no SMTP server is configured (default: DATA_DIR/outbox).
    #[arg(long, env = "MOCKEXAM_OUTBOX")]
    pub outbox: Option<std::path::PathBuf>,

    /// The address users reach the site at, for links in mails (default: http://BIND).
    #[arg(long, env = "MOCKEXAM_PUBLIC_URL")]
    pub public_url: Option<String>,

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

    /// Requests served at once (pages, saves; static files and health checks are not counted).
    /// Others wait for a slot up to --queue-wait-ms, then get a 503 "busy" page with Retry-After.
    #[arg(long, env = "MOCKEXAM_MAX_IN_FLIGHT", default_value_t = 64)]
    pub max_in_flight: usize,

    /// How long a request may wait for a free slot before it is shed, in milliseconds.
    #[arg(long, env = "MOCKEXAM_QUEUE_WAIT_MS", default_value_t = 500)]
    pub queue_wait_ms: u64,

    /// Connections to PostgreSQL this process keeps at most.
    #[arg(long, env = "MOCKEXAM_DB_MAX_CONNECTIONS", default_value_t = 16)]
    pub db_max_connections: u32,

    /// How long a request may wait for a database connection before it is shed with a 503,
    /// in milliseconds.
    #[arg(long, env = "MOCKEXAM_DB_ACQUIRE_TIMEOUT_MS", default_value_t = 2000)]
    pub db_acquire_timeout_ms: u64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password.
        f.debug_struct("Config")
            .field("database_url", &"<redacted>")
            .field("bind", &self.bind)
            .field("secure_cookies", &self.secure_cookies)
            .field("grace_seconds", &self.grace_seconds)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "<redacted>"))
            .field("outbox", &self.outbox_dir())
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
            login_max_per_account_global: 50,
            login_global_window_seconds: 86_400,
            session_absolute_hours: 24 * 30,
            register_max_per_ip: 60,
            unverified_days: 30,
            smtp_url: None,
            mail_from: "mockexam <no-reply@localhost>".into(),
            data_dir: std::env::temp_dir().join("mockexam-test-data"),
            outbox: None,
            public_url: None,
            login_max_per_ip: 20,
            login_window_seconds: 900,
            sweep_seconds: 15,
            duration_override_seconds: None,
            metrics_token: None,
            trust_forwarded_for: false,
            max_in_flight: 64,
            queue_wait_ms: 500,
            db_max_connections: 16,
            db_acquire_timeout_ms: 2000,
        }
    }
}

impl Config {
    /// Where mails go when there is no SMTP server.
    pub fn outbox_dir(&self) -> std::path::PathBuf {
        self.outbox
            .clone()
            .unwrap_or_else(|| self.data_dir.join("outbox"))
    }

    /// The site's address for links in mails, without a trailing slash.
    pub fn public_base(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.bind),
        }
    }
}
