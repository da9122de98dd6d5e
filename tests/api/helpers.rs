//! Test helpers: the real router against a fresh database, with a cookie-keeping client.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use mockexam::app::app;
use mockexam::config::Config;
use mockexam::state::AppState;
use sqlx::PgPool;
use tower::ServiceExt;

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    #[track_caller]
    pub fn assert_status(&self, s: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            s,
            "unexpected status; body: {}",
            &self.body[..self.body.len().min(2000)]
        );
        self
    }
    fn is_html(&self) -> bool {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
    }

    /// What a reader sees: the text of an HTML page (markup, scripts and styles left out,
    /// whitespace collapsed); any other body as it is.
    pub fn text(&self) -> String {
        if self.is_html() {
            visible_text(&self.body)
        } else {
            self.body.clone()
        }
    }

    /// The page's visible text contains `needle` (for JSON and plain bodies: the body does).
    #[track_caller]
    pub fn assert_contains(&self, needle: &str) -> &Self {
        let text = self.text();
        assert!(
            text.contains(needle),
            "expected {needle:?} in the text:\n{}",
            &text[..text.len().min(4000)]
        );
        self
    }

    /// Elements of the page matching a CSS selector.
    pub fn select(&self, css: &str) -> Vec<scraper::ElementRef<'static>> {
        let selector =
            scraper::Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e}"));
        // Leaked so the elements can outlive this call; tests are short-lived processes.
        let doc: &'static scraper::Html =
            Box::leak(Box::new(scraper::Html::parse_document(&self.body)));
        doc.select(&selector).collect()
    }

    /// At least one element matches the CSS selector.
    #[track_caller]
    pub fn assert_selector(&self, css: &str) -> &Self {
        assert!(
            !self.select(css).is_empty(),
            "expected an element matching {css:?} in:\n{}",
            &self.body[..self.body.len().min(4000)]
        );
        self
    }
}

pub struct TestApp {
    pub router: Router,
    pub pool: PgPool,
    pub cookie: Option<String>,
    /// The device cookie (a browser that signed in before).
    pub device: Option<String>,
    /// The User-Agent this browser sends.
    pub user_agent: Option<String>,
}

pub fn config() -> Config {
    Config::for_database("postgres://unused")
}

impl TestApp {
    pub fn new(pool: PgPool) -> TestApp {
        Self::with_config(pool, config())
    }

    pub fn with_config(pool: PgPool, config: Config) -> TestApp {
        // MOCKEXAM_TEST_LOG=1 prints the server's log (errors behind a 500, for one).
        if std::env::var_os("MOCKEXAM_TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt()
                .with_env_filter("warn,mockexam=debug")
                .with_test_writer()
                .try_init();
        }
        let state = AppState::new(pool.clone(), config);
        TestApp {
            router: app(state),
            pool,
            cookie: None,
            device: None,
            user_agent: None,
        }
    }

    /// Another browser against the same server and database.
    pub fn other_browser(&self) -> TestApp {
        TestApp {
            router: self.router.clone(),
            pool: self.pool.clone(),
            cookie: None,
            device: None,
            user_agent: None,
        }
    }

    pub async fn send(&mut self, req: Request<Body>) -> TestResponse {
        let resp = self.router.clone().oneshot(req).await.expect("infallible");
        for v in resp.headers().get_all(header::SET_COOKIE) {
            let v = v.to_str().unwrap();
            if let Some(rest) = v.strip_prefix("mockexam_session=") {
                let token = rest.split(';').next().unwrap_or("");
                self.cookie = if token.is_empty() {
                    None
                } else {
                    Some(token.to_string())
                };
            }
            if let Some(rest) = v.strip_prefix("mockexam_device=") {
                self.device = rest.split(';').next().map(str::to_string);
            }
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub fn builder(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, "localhost");
        let mut cookies = Vec::new();
        if let Some(c) = &self.cookie {
            cookies.push(format!("mockexam_session={c}"));
        }
        if let Some(d) = &self.device {
            cookies.push(format!("mockexam_device={d}"));
        }
        if !cookies.is_empty() {
            b = b.header(header::COOKIE, cookies.join("; "));
        }
        if let Some(ua) = &self.user_agent {
            b = b.header(header::USER_AGENT, ua);
        }
        b
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        let req = self.builder("GET", path).body(Body::empty()).unwrap();
        self.send(req).await
    }

    pub async fn get_json(&mut self, path: &str) -> TestResponse {
        let req = self
            .builder("GET", path)
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    pub fn encode(fields: &[(&str, &str)]) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            s.append_pair(k, v);
        }
        s.finish()
    }

    /// A same-origin form post, as a browser sends it.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let req = self
            .builder("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, "http://localhost")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(Self::encode(fields)))
            .unwrap();
        self.send(req).await
    }

    /// A same-origin `multipart/form-data` post (a file upload), as a browser sends it.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> TestResponse {
        let boundary = "----mockexam-test-boundary-7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((name, file_name, bytes)) = file {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let req = self
            .builder("POST", path)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(header::ORIGIN, "http://localhost")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }

    /// The same post as the autosave script sends it.
    pub async fn post_json(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let req = self
            .builder("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header(header::ORIGIN, "http://localhost")
            .header("sec-fetch-site", "same-origin")
            .body(Body::from(Self::encode(fields)))
            .unwrap();
        self.send(req).await
    }

    pub async fn register(&mut self, email: &str, name: &str) -> TestResponse {
        self.post(
            "/register",
            &[
                ("email", email),
                ("display_name", name),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await
    }

    /// Registers and signs in (a new account can sign in before confirming its address).
    pub async fn sign_up(&mut self, email: &str, name: &str) -> TestResponse {
        self.register(email, name).await.assert_status(303);
        self.login(email, PASSWORD).await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> TestResponse {
        self.post(
            "/login",
            &[("email", email), ("password", password), ("next", "/")],
        )
        .await
    }
}

pub const PASSWORD: &str = "correct horse battery staple";

/// Loads a bank folder from the repository into the test database.
pub async fn import_bank(pool: &PgPool, dir: &str) -> mockexam::bank::import::ImportReport {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let bank =
        mockexam::bank::load(&path).unwrap_or_else(|p| panic!("bank {dir} has problems: {p:?}"));
    mockexam::bank::import::import(pool, &bank)
        .await
        .expect("import")
}

/// Makes a user with a role directly in the database and signs in.
pub async fn signed_in_as(app: &mut TestApp, email: &str, role: &str) {
    let role = mockexam::types::Role::parse(role).expect("a role name");
    mockexam::demo::upsert_user(&app.pool, email, "Test User", role, PASSWORD)
        .await
        .expect("user");
    app.login(email, PASSWORD).await.assert_status(303);
}

/// The visible text of a page, tags dropped, common entities decoded and all white space removed
/// (so inline markup such as `(<strong>A</strong>)` reads as `(A)`). Compare with [`words_of`].
/// The text of a page with every whitespace removed: a comparison key for text that the page
/// may wrap or indent differently from its source.
pub fn page_text(html: &str) -> String {
    visible_text(html)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// The text a reader sees: markup, scripts and styles left out, whitespace collapsed.
pub fn visible_text(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    let mut out = String::new();
    for node in doc.root_element().descendants() {
        let Some(text) = node.value().as_text() else {
            continue;
        };
        let hidden = node.ancestors().any(|a| {
            a.value()
                .as_element()
                .is_some_and(|e| matches!(e.name(), "script" | "style" | "title"))
        });
        if !hidden {
            out.push_str(text);
            out.push(' ');
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first `n` words of an explanation as they read on a page (Markdown marks and white
/// space removed, as in [`page_text`]).
pub fn words_of(markdown: &str, n: usize) -> String {
    let plain: String = markdown
        .chars()
        .filter(|c| !matches!(c, '*' | '`' | '#'))
        .collect();
    plain
        .split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .concat()
}

/// A newly registered, signed-in candidate (registration answers "check your inbox"; a new
/// account can sign in before confirming its address).
pub async fn candidate(pool: &PgPool, email: &str) -> TestApp {
    let mut app = TestApp::new(pool.clone());
    app.register(email, "Candidate").await.assert_status(303);
    app.login(email, PASSWORD).await.assert_status(303);
    app
}

/// The attempt id in a `/attempts/{id}` redirect.
pub fn attempt_id(location: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(location.trim_start_matches("/attempts/"))
        .unwrap_or_else(|_| panic!("not an attempt address: {location}"))
}

/// The first position of an attempt's section of a kind (`standalone`, `series`, `case`).
/// The candidate walked away: the attempt's deadline (and any grace) passed an hour ago.
pub async fn abandon(pool: &PgPool, attempt: uuid::Uuid) {
    sqlx::query("UPDATE attempts SET deadline_at = now() - interval '1 hour' WHERE id = $1")
        .bind(attempt)
        .execute(pool)
        .await
        .unwrap();
}

pub async fn first_position(pool: &PgPool, id: uuid::Uuid, section_kind: &str) -> i32 {
    sqlx::query_scalar(
        "SELECT min(position) FROM attempt_items WHERE attempt_id = $1 AND section_kind = $2",
    )
    .bind(id)
    .bind(section_kind)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// The question shown at a position of an attempt.
pub async fn question_at(pool: &PgPool, attempt: uuid::Uuid, position: i32) -> uuid::Uuid {
    sqlx::query_scalar(
        "SELECT qv.question_id FROM attempt_items ai JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND ai.position = $2",
    )
    .bind(attempt)
    .bind(position)
    .fetch_one(pool)
    .await
    .unwrap()
}
