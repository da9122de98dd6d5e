//! End-to-end tests in headless Chromium, driven over WebDriver (ChromeDriver) from Rust.
//!
//! Each test runs the real router in-process on 127.0.0.1 against its own fresh database, starts
//! its own `chromedriver` and drives a real browser: a candidate who uses only the keyboard,
//! autosave through a server outage, the friendly 503 page and autosave through a database
//! outage, the countdown to an automatic submission, the whole loop
//! with JavaScript switched off, a theme chosen on the page, and a walk over every page (a
//! candidate's, an author's, every question's preview) checked by axe-core in light, dark and
//! high contrast, and at phone width for sideways scrolling. `screenshots` (ignored;
//! `scripts/screenshots`) regenerates docs/screenshots/.
//!
//! CHROME_BIN and CHROMEDRIVER_BIN name the binaries (default: Debian's /usr/bin/chromium and
//! /usr/bin/chromedriver; `scripts/ensure-chromium.sh` installs them). The accessibility test
//! needs `node_modules/axe-core` (`npm ci`; `scripts/test` runs it when missing).

#[path = "api/helpers.rs"]
mod common;
#[path = "api/db_switch.rs"]
mod db_switch;
#[path = "api/account_flows/mail_sink.rs"]
#[allow(dead_code)]
mod mail_sink;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use mockexam::app::app;
use mockexam::config::Config;
use mockexam::domain::item::{Item, Response};
use mockexam::state::AppState;
use serde_json::{json, Value};
use sqlx::PgPool;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use uuid::Uuid;

const PASSWORD: &str = "a long enough browser password";

// ---------------------------------------------------------------------------------------------
// The server under test
// ---------------------------------------------------------------------------------------------

/// The app on a real socket, on a task of the test's runtime; stopping it is a graceful shutdown,
/// after which connections to its port are refused until it is started again.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Server {
    async fn start(state: AppState, addr: SocketAddr) -> Server {
        // The port of a server just stopped can take a moment to be free again.
        let deadline = Instant::now() + Duration::from_secs(10);
        let listener = loop {
            match tokio::net::TcpListener::bind(addr).await {
                Ok(l) => break l,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("bind {addr}: {e}; retrying");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("cannot bind {addr}: {e}"),
            }
        };
        let addr = listener.local_addr().expect("local address");
        let router = app(state);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
            .expect("server");
        });
        Server {
            addr,
            stop: Some(tx),
            task: Some(task),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Graceful shutdown: stop accepting, let requests in flight finish, close the socket.
    async fn stop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

/// A fresh database with the given banks, and the server on a free port.
async fn serve(pool: &PgPool, banks: &[&str], config: Config) -> (Server, AppState) {
    for bank in banks {
        common::import_bank(pool, &format!("question-bank/{bank}")).await;
    }
    let state = AppState::new(pool.clone(), config);
    let server = Server::start(state.clone(), "127.0.0.1:0".parse().unwrap()).await;
    (server, state)
}

fn config() -> Config {
    Config::for_database("postgres://unused")
}

// ---------------------------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------------------------

/// A `chromedriver` child in its own process group; dropping it (also on a panic) kills the
/// group, so no driver or browser outlives the test.
struct ChromeDriver {
    child: std::process::Child,
    port: u16,
}

impl ChromeDriver {
    async fn start() -> ChromeDriver {
        use std::os::unix::process::CommandExt;
        let bin =
            std::env::var("CHROMEDRIVER_BIN").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = std::process::Command::new(&bin)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start {bin} ({e}); run scripts/ensure-chromium.sh or set CHROMEDRIVER_BIN")
            });
        let driver = ChromeDriver { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        driver
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the browser processes it started.
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(std::process::Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Clone, Copy, Default)]
struct Options {
    no_javascript: bool,
    dark: bool,
    /// Phone emulation at this CSS width.
    phone_width: Option<u32>,
}

struct Browser {
    c: Client,
    _driver: ChromeDriver,
}

impl Browser {
    async fn launch(opts: Options) -> Browser {
        let driver = ChromeDriver::start().await;
        let chrome = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut args = vec![
            "--headless=new",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1280,900",
            "--hide-scrollbars",
            "--disable-crash-reporter",
            "--disable-breakpad",
        ];
        if opts.dark {
            args.push("--force-dark-mode");
        }
        let mut chrome_options = json!({ "binary": chrome, "args": args });
        if opts.no_javascript {
            chrome_options["prefs"] =
                json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        if let Some(w) = opts.phone_width {
            chrome_options["mobileEmulation"] = json!({ "deviceMetrics": { "width": w, "height": 844, "pixelRatio": 1.0, "touch": true } });
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), chrome_options);
        let mut builder =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder.capabilities(caps);
        let c = builder
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .expect("a WebDriver session");
        Browser { c, _driver: driver }
    }

    /// Ends the browser session (the driver itself goes when the guard drops).
    async fn close(self) {
        let Browser { c, _driver } = self;
        let _ = tokio::time::timeout(Duration::from_secs(10), c.close()).await;
    }

    async fn goto(&self, url: &str) {
        self.c
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    async fn path(&self) -> String {
        let u = self.c.current_url().await.expect("url");
        u.path().to_string()
    }

    async fn js(&self, script: &str) -> Value {
        self.c
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("script failed ({e}): {script}"))
    }

    async fn text(&self, css: &str) -> String {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
            .text()
            .await
            .expect("text")
    }

    /// Waits for a JavaScript expression to be truthy.
    #[track_caller]
    fn until<'a>(
        &'a self,
        what: &'a str,
        expr: &'a str,
        timeout: Duration,
    ) -> impl std::future::Future<Output = ()> + 'a {
        let caller = std::panic::Location::caller();
        async move {
            let deadline = Instant::now() + timeout;
            let script = format!("return !!({expr});");
            loop {
                if let Ok(v) = self.c.execute(&script, vec![]).await {
                    if v.as_bool() == Some(true) {
                        return;
                    }
                }
                if Instant::now() > deadline {
                    let state = self.state().await;
                    panic!("{caller}: timed out waiting for {what} ({expr}); page: {state}");
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }

    /// Waits until an element matching `css` is on the page.
    async fn wait_for(&self, css: &str) {
        let expr = format!("document.querySelector({css:?}) !== null");
        self.until(css, &expr, Duration::from_secs(20)).await;
    }

    async fn wait_path(&self, pred: impl Fn(&str) -> bool, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let p = self.path().await;
            if pred(&p) {
                // And the new page has loaded.
                self.until(
                    "the page to load",
                    "document.readyState === 'complete'",
                    Duration::from_secs(20),
                )
                .await;
                return p;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; at {}", self.state().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// URL, title and the start of the main text, for failure messages.
    async fn state(&self) -> String {
        let v = self
            .c
            .execute(
                "return location.pathname + ' | ' + document.title + ' | ' + (document.querySelector('main') || document.body).innerText.slice(0, 600);",
                vec![],
            )
            .await
            .unwrap_or(Value::Null);
        v.as_str().unwrap_or("?").to_string()
    }

    // ---- the keyboard ----

    async fn keys(&self, actions: KeyActions) {
        self.c.perform_actions(actions).await.expect("key actions");
    }

    async fn press(&self, key: Key) {
        let k: char = key.into();
        self.keys(
            KeyActions::new("keyboard".into())
                .then(KeyAction::Down { value: k })
                .then(KeyAction::Up { value: k }),
        )
        .await;
    }

    async fn press_n(&self, key: Key, n: usize) {
        for _ in 0..n {
            self.press(key).await;
        }
    }

    async fn shift_tab(&self) {
        let (s, t): (char, char) = (Key::Shift.into(), Key::Tab.into());
        self.keys(
            KeyActions::new("keyboard".into())
                .then(KeyAction::Down { value: s })
                .then(KeyAction::Down { value: t })
                .then(KeyAction::Up { value: t })
                .then(KeyAction::Up { value: s }),
        )
        .await;
    }

    /// Types text into whatever has focus, one key at a time.
    async fn type_text(&self, text: &str) {
        let mut a = KeyActions::new("keyboard".into());
        for ch in text.chars() {
            a = a
                .then(KeyAction::Down { value: ch })
                .then(KeyAction::Up { value: ch });
        }
        self.keys(a).await;
    }

    async fn focused_matches(&self, css: &str) -> bool {
        let v = self
            .c
            .execute(
                "return !!document.activeElement && document.activeElement.matches(arguments[0]);",
                vec![json!(css)],
            )
            .await
            .expect("script");
        v.as_bool() == Some(true)
    }

    async fn focused_desc(&self) -> String {
        let v = self
            .c
            .execute(
                "var e = document.activeElement; if (!e) return 'nothing';
                 return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? '[name=' + e.name + ']' : '')
                   + ' ' + (e.innerText || e.value || '').slice(0, 30).replace(/\\s+/g, ' ');",
                vec![],
            )
            .await
            .expect("script");
        v.as_str().unwrap_or("?").to_string()
    }

    /// Presses Tab (or Shift-Tab) until the focused element matches `css`; panics with the path
    /// taken when it never does.
    async fn tab_until(&self, css: &str, backwards: bool) {
        let mut path = Vec::new();
        for _ in 0..80 {
            if self.focused_matches(css).await {
                return;
            }
            if backwards {
                self.shift_tab().await;
            } else {
                self.press(Key::Tab).await;
            }
            path.push(self.focused_desc().await);
        }
        panic!(
            "Tab never reached {css} on {}; focus went: {}",
            self.state().await,
            path.join(" → ")
        );
    }

    async fn tab_to(&self, css: &str) {
        self.tab_until(css, false).await
    }

    async fn shift_tab_to(&self, css: &str) {
        self.tab_until(css, true).await
    }

    /// The answer form's fields as the browser would send them (without the revision).
    async fn form_fields(&self) -> BTreeMap<String, Vec<String>> {
        let v = self
            .js(
                "var f = document.getElementById('item-form'); var out = {};
                 for (var [k, v] of new FormData(f)) { if (k !== 'revision') (out[k] = out[k] || []).push(v); }
                 return out;",
            )
            .await;
        serde_json::from_value(v).expect("fields")
    }

    async fn save_state(&self) -> String {
        self.js("var s = document.getElementById('save-state'); return s ? s.textContent : '';")
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// The database side
// ---------------------------------------------------------------------------------------------

struct Slot {
    position: i32,
    kind: String,
    section_kind: String,
}

async fn slots(pool: &PgPool, attempt: Uuid) -> Vec<Slot> {
    let rows: Vec<(i32, String, String)> = sqlx::query_as(
        "SELECT ai.position, qv.body->>'kind', ai.section_kind FROM attempt_items ai
         JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 ORDER BY ai.position",
    )
    .bind(attempt)
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(position, kind, section_kind)| Slot {
            position,
            // As the page names kinds (`data-kind`).
            kind: if kind == "yes_no" {
                "yesno".into()
            } else {
                kind
            },
            section_kind,
        })
        .collect()
}

struct Stored {
    item: Item,
    response: Option<Response>,
    revision: i32,
    flagged: bool,
    locked: bool,
}

async fn stored(pool: &PgPool, attempt: Uuid, position: i32) -> Stored {
    type Row = (
        sqlx::types::Json<Item>,
        Option<sqlx::types::Json<Response>>,
        i32,
        bool,
        bool,
    );
    let (item, response, revision, flagged, locked): Row = sqlx::query_as(
        "SELECT qv.body, ai.response, ai.revision, ai.flagged, ai.locked FROM attempt_items ai
         JOIN question_versions qv ON qv.id = ai.question_version_id
         WHERE ai.attempt_id = $1 AND ai.position = $2",
    )
    .bind(attempt)
    .bind(position)
    .fetch_one(pool)
    .await
    .unwrap();
    Stored {
        item: item.0,
        response: response.map(|r| r.0),
        revision,
        flagged,
        locked,
    }
}

/// Waits until the database holds exactly the answer (and flag) that the form shows.
async fn assert_saved_as_shown(b: &Browser, pool: &PgPool, attempt: Uuid, position: i32) -> Stored {
    let fields = b.form_fields().await;
    let flagged = fields
        .get("flagged")
        .is_some_and(|v| v.iter().any(|x| x == "on"));
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let s = stored(pool, attempt, position).await;
        let expected =
            mockexam::web::answer_form::parse(&s.item.body, &fields).unwrap_or_else(|e| {
                panic!("the form at {position} holds an invalid answer ({e:?}): {fields:?}")
            });
        assert!(
            !expected.is_empty(),
            "nothing answered at {position}: {fields:?}"
        );
        if s.response.as_ref() == Some(&expected) && s.flagged == flagged {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "question {position}: the database has {:?} (flag {}), the page shows {expected:?} (flag {flagged}); save state: {:?}",
            s.response,
            s.flagged,
            b.save_state().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn attempt_of(pool: &PgPool, email: &str) -> Uuid {
    sqlx::query_scalar(
        "SELECT a.id FROM attempts a JOIN users u ON u.id = a.user_id
         WHERE u.email = $1 ORDER BY a.started_at DESC LIMIT 1",
    )
    .bind(email)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn attempt_state(pool: &PgPool, id: Uuid) -> (String, Option<String>, Option<i32>) {
    sqlx::query_as("SELECT status, submit_reason, scaled_score FROM attempts WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Shared steps
// ---------------------------------------------------------------------------------------------

/// The focused element shows a focus ring: a solid outline at least 2 px wide (on the element
/// or, for a radio or check box inside a choice card, on the card).
async fn assert_focus_visible(b: &Browser) {
    let v = b
        .js("var e = document.activeElement; var t = e.closest('.choice') || e; var s = getComputedStyle(t);
             return [s.outlineStyle, parseFloat(s.outlineWidth), e.tagName + (e.id ? '#' + e.id : '')];")
        .await;
    assert!(
        v[0] != json!("none") && v[1].as_f64().unwrap_or(0.0) >= 2.0,
        "no visible focus on {}: {v}",
        v[2]
    );
}

/// Registers through the form, with the keyboard only.
async fn register_by_keyboard(b: &Browser, server: &Server, email: &str, name: &str) {
    b.goto(&server.url("/register")).await;
    // The first Tab reaches the skip link, which shows itself and jumps to the main content.
    b.press(Key::Tab).await;
    assert!(
        b.focused_matches("a.skip-link").await,
        "the first Tab stop is the skip link"
    );
    let top = b
        .js("return document.activeElement.getBoundingClientRect().top;")
        .await;
    assert!(
        top.as_f64().unwrap_or(-1.0) >= 0.0,
        "the focused skip link is on screen: {top}"
    );
    assert_focus_visible(b).await;
    b.press(Key::Enter).await;
    b.until(
        "focus in main",
        "location.hash === '#main'",
        Duration::from_secs(5),
    )
    .await;
    b.tab_to("#email").await;
    b.type_text(email).await;
    b.tab_to("#display_name").await;
    b.type_text(name).await;
    b.tab_to("#password").await;
    b.type_text(PASSWORD).await;
    b.tab_to("#password_confirm").await;
    b.type_text(PASSWORD).await;
    b.tab_to("form[action='/register'] button[type=submit]")
        .await;
    assert_focus_visible(b).await;
    b.press(Key::Enter).await;
    b.wait_path(
        |p| p == "/register/check-inbox",
        "the check-your-inbox page",
    )
    .await;
    // A new account can sign in before its address is confirmed.
    b.goto(&server.url("/login")).await;
    b.tab_to("#email").await;
    b.type_text(email).await;
    b.tab_to("#password").await;
    b.type_text(PASSWORD).await;
    b.press(Key::Enter).await;
    b.wait_path(|p| p == "/", "the home page after signing in")
        .await;
    let h1 = b.text("h1").await;
    assert!(h1.contains(name), "home greets the new user: {h1}");
}

/// Registers by filling the form with the mouse and keyboard as WebDriver normally does.
async fn register(b: &Browser, server: &Server, email: &str, name: &str) {
    b.goto(&server.url("/register")).await;
    for (id, value) in [
        ("email", email),
        ("display_name", name),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ] {
        b.c.find(Locator::Id(id))
            .await
            .expect("field")
            .send_keys(value)
            .await
            .expect("typing");
    }
    click(b, "form[action='/register'] button[type=submit]").await;
    b.wait_path(
        |p| p == "/register/check-inbox",
        "the check-your-inbox page",
    )
    .await;
    sign_in(b, server, email, PASSWORD).await;
}

/// Signs in through the form.
async fn sign_in(b: &Browser, server: &Server, email: &str, password: &str) {
    b.goto(&server.url("/login")).await;
    for (id, value) in [("email", email), ("password", password)] {
        b.c.find(Locator::Id(id))
            .await
            .expect("field")
            .send_keys(value)
            .await
            .expect("typing");
    }
    click(b, "form[action='/login'] button[type=submit]").await;
    b.wait_path(|p| p == "/", "the home page after signing in")
        .await;
}

async fn click(b: &Browser, css: &str) {
    let el = match b.c.find(Locator::Css(css)).await {
        Ok(el) => el,
        Err(e) => panic!("no {css} ({e}) on {}", b.state().await),
    };
    el.click()
        .await
        .unwrap_or_else(|e| panic!("cannot click {css}: {e}"));
}

/// Starts a full mock from the exam page with the keyboard; returns the attempt id.
async fn start_mock_by_keyboard(
    b: &Browser,
    server: &Server,
    pool: &PgPool,
    exam: &str,
    email: &str,
) -> Uuid {
    b.goto(&server.url(&format!("/exams/{exam}/instructions")))
        .await;
    b.tab_to("form[action$='/attempts'] button[type=submit]")
        .await;
    b.press(Key::Enter).await;
    b.wait_path(|p| p.contains("/items/"), "the first question")
        .await;
    attempt_of(pool, email).await
}

/// Answers the question on screen with the keyboard alone: Tab to each control, Space for
/// radios and check boxes, arrow keys (or type-ahead) in drop-downs.
async fn answer_by_keyboard(b: &Browser, kind: &str) {
    match kind {
        "single" => {
            b.tab_to("input[name=choice]").await;
            // The second option: the arrow key moves within the group and selects.
            b.press(Key::Down).await;
            b.press(Key::Space).await;
        }
        "multiple" => {
            b.tab_to("input[name=choice]").await;
            b.press(Key::Space).await;
            // Each option is followed by its "Rule out" box, then the next option.
            b.press(Key::Tab).await;
            assert!(
                b.focused_matches("input[name=ruled_out]").await,
                "Tab reaches the option's Rule out box"
            );
            b.press(Key::Tab).await;
            assert!(
                b.focused_matches("input[name=choice]").await,
                "Tab moves to the next box"
            );
            b.press(Key::Space).await;
        }
        "order" => {
            let n = b
                .js("return document.querySelectorAll('select[data-position]').length;")
                .await
                .as_u64()
                .unwrap() as usize;
            for i in 1..=n {
                b.tab_to(&format!("#pos{i}")).await;
                if i == 1 {
                    // The arrow key: from "Choose an action…" to the first action (A).
                    b.press(Key::Down).await;
                } else {
                    // Type-ahead: options read "A. …", "B. …"; each step a different action.
                    let letter = (b'a' + (i - 1) as u8) as char;
                    b.type_text(&letter.to_string()).await;
                }
            }
        }
        "dropdown" => {
            let n = b
                .js("return document.querySelectorAll('select.slot').length;")
                .await
                .as_u64()
                .unwrap() as usize;
            let ids: Vec<String> = serde_json::from_value(
                b.js("return Array.from(document.querySelectorAll('select.slot')).map(function (s) { return s.id; });")
                    .await,
            )
            .unwrap();
            assert_eq!(ids.len(), n);
            for (i, id) in ids.iter().enumerate() {
                b.tab_to(&format!("#{id}")).await;
                b.press_n(Key::Down, 1 + i % 2).await;
            }
        }
        "grid" => {
            let n = b
                .js("return document.querySelectorAll('.grid-table tbody tr').length;")
                .await
                .as_u64()
                .unwrap() as usize;
            for i in 1..=n {
                b.tab_to(&format!("input[name=s{i}]")).await;
                if i % 2 == 1 {
                    b.press(Key::Space).await; // Yes
                } else {
                    b.press(Key::Right).await; // No: the arrow moves to it and selects it
                }
            }
        }
        "match" => {
            let n = b
                .js("return document.querySelectorAll('.match-list select').length;")
                .await
                .as_u64()
                .unwrap() as usize;
            for i in 1..=n {
                b.tab_to(&format!("#p{i}")).await;
                b.press_n(Key::Down, 1 + i % 2).await;
            }
        }
        "yesno" => {
            b.tab_to("input[name=answer]").await;
            b.press(Key::Space).await;
        }
        other => panic!("unknown kind {other}"),
    }
}

/// Answers the question on screen with the mouse: the first choices, Yes everywhere, the
/// first options of drop-downs (distinct ones in a build list).
async fn answer_by_mouse(b: &Browser, kind: &str) {
    match kind {
        "single" => click(b, "ul.choices li:nth-child(2) input").await,
        "multiple" => {
            click(b, "ul.choices li:nth-child(1) input").await;
            click(b, "ul.choices li:nth-child(2) input").await;
        }
        "grid" => {
            for e in
                b.c.find_all(Locator::Css("input[type=radio][value=yes]"))
                    .await
                    .unwrap()
            {
                e.click().await.expect("click");
            }
        }
        "yesno" => click(b, "input[name=answer][value=no]").await,
        "order" | "dropdown" | "match" => {
            let selects =
                b.c.find_all(Locator::Css("#item-form select"))
                    .await
                    .unwrap();
            for (i, sel) in selects.iter().enumerate() {
                let index = if kind == "order" { i + 1 } else { 1 + i % 2 };
                sel.select_by_index(index).await.expect("select");
            }
        }
        other => panic!("unknown kind {other}"),
    }
}

async fn kind_on_screen(b: &Browser) -> String {
    b.c.find(Locator::Id("item-form"))
        .await
        .expect("a question")
        .attr("data-kind")
        .await
        .expect("attr")
        .expect("data-kind")
}

async fn wait_all_saved(b: &Browser) {
    b.until(
        "all answers saved",
        "document.getElementById('save-state').textContent === 'All answers saved'",
        Duration::from_secs(15),
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

/// A new candidate takes a DP-100 mock with the keyboard alone: an item of every kind, a case
/// study, a mark for review, a reload mid-exam, the review screen, submission, the score report.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn keyboard_only_candidate_takes_a_dp100_mock(pool: PgPool) {
    let started = Instant::now();
    let (mut server, _state) = serve(&pool, &["dp-100"], config()).await;
    let b = Browser::launch(Options::default()).await;
    let email = "keyboard@example.com";
    register_by_keyboard(&b, &server, email, "Kim Keyboard").await;

    const KINDS: [&str; 6] = ["single", "multiple", "order", "dropdown", "grid", "match"];
    // A form is drawn at random from the bank; a draw without a standalone question of every
    // kind (match questions are few) is submitted and another drawn, as a candidate could.
    let mut attempt = Uuid::nil();
    let mut form = Vec::new();
    for draw in 1..=8 {
        attempt = start_mock_by_keyboard(&b, &server, &pool, "dp-100", email).await;
        form = slots(&pool, attempt).await;
        let has = |kind: &str, section: &str| {
            form.iter()
                .any(|s| s.kind == kind && s.section_kind == section)
        };
        if KINDS.iter().all(|k| has(k, "standalone"))
            && has("yesno", "series")
            && form.iter().any(|s| s.section_kind == "case")
        {
            break;
        }
        assert!(draw < 8, "eight forms without every kind");
        b.goto(&server.url(&format!("/attempts/{attempt}/submit")))
            .await;
        b.tab_to("form[action$='/submit'] button[type=submit]")
            .await;
        b.press(Key::Enter).await;
        b.wait_path(
            |p| p.ends_with("/result"),
            "the report of the discarded draw",
        )
        .await;
    }
    assert_eq!(form.len(), 50, "a DP-100 form has 50 questions");
    let item_url = |n: i32| server.url(&format!("/attempts/{attempt}/items/{n}"));
    let first_of = |kind: &str, section: &str| {
        form.iter()
            .find(|s| s.kind == kind && s.section_kind == section)
            .map(|s| s.position)
            .unwrap()
    };

    // Every standalone kind, answered with the keyboard; autosave stores each answer.
    let mut shown: Vec<(i32, BTreeMap<String, Vec<String>>)> = Vec::new();
    for kind in KINDS {
        let n = first_of(kind, "standalone");
        b.goto(&item_url(n)).await;
        assert_eq!(
            b.js("return document.getElementById('item-form').dataset.kind;")
                .await,
            json!(kind)
        );
        answer_by_keyboard(&b, kind).await;
        assert_focus_visible(&b).await;
        if kind == "match" {
            // Mark this one for review: past it to the Next button, back with Shift-Tab, Space.
            b.tab_to("button[name=nav][value=next]").await;
            b.shift_tab_to("#flagged").await;
            b.press(Key::Space).await;
        }
        wait_all_saved(&b).await;
        let s = assert_saved_as_shown(&b, &pool, attempt, n).await;
        assert!(s.revision >= 1, "question {n}: revision bumped");
        assert_eq!(s.flagged, kind == "match");
        shown.push((n, b.form_fields().await));
    }

    // The case study: its tabs work with the arrow keys, then a question is answered.
    let case_slot = form.iter().find(|s| s.section_kind == "case").unwrap();
    let (case_n, case_kind) = (case_slot.position, case_slot.kind.clone());
    b.goto(&item_url(case_n)).await;
    b.until(
        "the scenario beside the question",
        "document.querySelector('.item-layout.with-scenario aside.scenario')",
        Duration::from_secs(5),
    )
    .await;
    // On a desktop the scenario sits beside the question, top-aligned.
    let side_by_side = b
        .js(
            "var a = document.querySelector('aside.scenario').getBoundingClientRect();
             var f = document.getElementById('item-form').getBoundingClientRect();
             return a.right <= f.left && Math.abs(a.top - f.top) < 2;",
        )
        .await;
    assert_eq!(side_by_side, json!(true), "scenario beside the question");
    let tabs = b
        .js("return document.querySelectorAll('[role=tab]').length;")
        .await
        .as_u64()
        .unwrap();
    if tabs > 1 {
        b.tab_to("[role=tab][aria-selected=true]").await;
        b.press(Key::Right).await;
        assert!(
            b.focused_matches("[role=tab][aria-selected=true]").await,
            "the arrow key selects and focuses the next tab"
        );
        let second_visible = b
            .js("var t = document.querySelectorAll('[role=tab]')[1]; var p = document.getElementById(t.getAttribute('aria-controls'));
                 return t.getAttribute('aria-selected') === 'true' && p.offsetParent !== null;")
            .await;
        assert_eq!(second_visible, json!(true), "the second tab's panel shows");
        b.press(Key::Home).await;
    }
    answer_by_keyboard(&b, &case_kind).await;
    wait_all_saved(&b).await;
    assert_saved_as_shown(&b, &pool, attempt, case_n).await;
    let case_fields = b.form_fields().await;

    // A reload mid-exam: the page comes back with the answer given.
    b.c.refresh().await.expect("reload");
    b.until(
        "the reloaded question",
        "document.getElementById('item-form')",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        b.form_fields().await,
        case_fields,
        "the case-study answer after a reload"
    );
    // And every earlier answer, page by page and in the database.
    for (n, fields) in &shown {
        b.goto(&item_url(*n)).await;
        assert_eq!(
            &b.form_fields().await,
            fields,
            "question {n} after the reload"
        );
        assert_saved_as_shown(&b, &pool, attempt, *n).await;
    }

    // A problem–solution question: answer, then move on with Enter on the Next button.
    let series_n = first_of("yesno", "series");
    b.goto(&item_url(series_n)).await;
    answer_by_keyboard(&b, "yesno").await;
    wait_all_saved(&b).await;
    assert_saved_as_shown(&b, &pool, attempt, series_n).await;
    b.tab_to("button[name=nav][value=next]").await;
    b.press(Key::Enter).await;
    b.wait_path(
        |p| p.ends_with(&format!("/items/{}", series_n + 1)),
        "the next question",
    )
    .await;
    assert!(
        stored(&pool, attempt, series_n).await.locked,
        "an answered problem–solution question closes"
    );

    // The review screen lists the mark; Enter on the links and buttons submits.
    b.goto(&server.url(&format!("/attempts/{attempt}/review")))
        .await;
    let summary = b.text(".summary-line").await;
    assert!(summary.contains("1 marked for review"), "{summary}");
    let marked_row = b.text(".review-table tbody").await;
    assert!(marked_row.contains("Marked"), "{marked_row}");
    b.tab_to("a[href$='/submit']").await;
    b.press(Key::Enter).await;
    b.wait_path(|p| p.ends_with("/submit"), "the confirmation")
        .await;
    assert!(b.text("h1").await.contains("Ready to submit?"));
    b.tab_to("form[action$='/submit'] button[type=submit]")
        .await;
    b.press(Key::Enter).await;
    b.wait_path(|p| p.ends_with("/result"), "the score report")
        .await;
    let h1 = b.text("h1").await;
    assert!(h1.contains("pass mark") || h1.contains("passed"), "{h1}");
    assert!(b.text(".score-number").await.contains("/ 1000"));
    let (status, reason, scaled) = attempt_state(&pool, attempt).await;
    assert_eq!(
        (status.as_str(), reason.as_deref()),
        ("submitted", Some("candidate"))
    );
    assert!(scaled.is_some());

    b.close().await;
    server.stop().await;
    eprintln!(
        "keyboard_only_candidate_takes_a_dp100_mock: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

/// Changing an answer saves it with no button; with the server gone the page says so and keeps
/// retrying, and once the server is back the answer lands.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn autosave_survives_a_server_outage(pool: PgPool) {
    let started = Instant::now();
    let (mut server, state) = serve(&pool, &["example"], config()).await;
    let addr = server.addr;
    let b = Browser::launch(Options::default()).await;
    let email = "autosave@example.com";
    register(&b, &server, email, "Ava Autosave").await;
    b.goto(&server.url("/exams/ex-100/instructions")).await;
    click(&b, "form[action$='/attempts'] button[type=submit]").await;
    b.wait_path(|p| p.contains("/items/"), "the first question")
        .await;
    let attempt = attempt_of(&pool, email).await;
    let n = slots(&pool, attempt)
        .await
        .into_iter()
        .find(|s| s.kind == "single")
        .unwrap()
        .position;
    b.goto(&server.url(&format!("/attempts/{attempt}/items/{n}")))
        .await;

    // A click is a change; the answer is stored without any button.
    click(&b, "ul.choices li:nth-child(1) input").await;
    wait_all_saved(&b).await;
    let first = assert_saved_as_shown(&b, &pool, attempt, n).await;
    assert_eq!(first.revision, 1);

    // The server goes away: connections are refused.
    server.stop().await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the port is closed"
    );
    click(&b, "ul.choices li:nth-child(3) input").await;
    b.until(
        "the not-saved state",
        "document.getElementById('save-state').textContent.indexOf('Not saved — retrying') === 0 && document.getElementById('save-state').classList.contains('is-error')",
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        stored(&pool, attempt, n).await.revision,
        1,
        "nothing reached the database"
    );

    // Back on the same port: the retry lands and the page says so.
    let mut server = Server::start(state, addr).await;
    b.until(
        "the saved state after the outage",
        "document.getElementById('save-state').textContent === 'All answers saved'",
        Duration::from_secs(30),
    )
    .await;
    let after = assert_saved_as_shown(&b, &pool, attempt, n).await;
    assert_eq!(after.revision, 2, "one more save");
    assert_ne!(after.response, first.response, "the new answer is stored");

    b.close().await;
    server.stop().await;
    eprintln!(
        "autosave_survives_a_server_outage: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

/// The database goes away: a page shows the friendly 503 page in the layout, which passes axe
/// and fits a phone in every theme and loads the page again by itself once the database is
/// back; an answer given meanwhile shows "Not saved — retrying…" and lands when it returns.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_missing_database_gets_a_page_that_retries_and_saves_that_wait(pool: PgPool) {
    let started = Instant::now();
    for bank in ["example"] {
        common::import_bank(&pool, &format!("question-bank/{bank}")).await;
    }
    let mut switch = db_switch::DbSwitch::in_front_of(&pool).await;
    let state = AppState::new(switch.pool(&pool, Duration::from_secs(10)), config());
    let mut server = Server::start(state, "127.0.0.1:0".parse().unwrap()).await;
    let axe = axe_source();
    let mut found = Vec::new();
    for (i, look) in SCHEMES.into_iter().enumerate() {
        let scheme = look.0;
        let b = browser_in(&server, look, Some(360)).await;
        let email = format!("away-{scheme}@example.com");
        register(&b, &server, &email, "Wanda Wait").await;
        if i == 0 {
            b.goto(&server.url("/exams/ex-100/instructions")).await;
            click(&b, "form[action$='/attempts'] button[type=submit]").await;
            b.wait_path(|p| p.contains("/items/"), "the first question")
                .await;
            let attempt = attempt_of(&pool, &email).await;
            let n = slots(&pool, attempt)
                .await
                .into_iter()
                .find(|s| s.kind == "single")
                .unwrap()
                .position;
            b.goto(&server.url(&format!("/attempts/{attempt}/items/{n}")))
                .await;
            click(&b, "ul.choices li:nth-child(1) input").await;
            wait_all_saved(&b).await;
            let first = assert_saved_as_shown(&b, &pool, attempt, n).await;
            switch.cut().await;
            click(&b, "ul.choices li:nth-child(3) input").await;
            b.until(
                "the not-saved state",
                "document.getElementById('save-state').textContent.indexOf('Not saved — retrying') === 0",
                Duration::from_secs(10),
            )
            .await;
            assert_eq!(stored(&pool, attempt, n).await.revision, first.revision);
            switch.restore().await;
            b.until(
                "the saved state after the database returned",
                "document.getElementById('save-state').textContent === 'All answers saved'",
                Duration::from_secs(30),
            )
            .await;
            let after = assert_saved_as_shown(&b, &pool, attempt, n).await;
            assert_eq!(after.revision, first.revision + 1, "one more save");
        }
        switch.cut().await;
        b.goto(&server.url("/exams")).await;
        b.until(
            "the friendly 503 page",
            "document.querySelector('#retry-note') !== null && document.getElementById('retry-note').textContent.indexOf('tries again by itself') >= 0",
            Duration::from_secs(10),
        )
        .await;
        assert_eq!(b.text("main h1").await, "Please wait a moment");
        check_page(&b, &axe, &format!("503 page {scheme} 360px"), &mut found).await;
        switch.restore().await;
        b.until(
            "the page loaded again by itself",
            "document.querySelector('#retry-note') === null && document.querySelector('main h1') !== null",
            Duration::from_secs(30),
        )
        .await;
        assert_eq!(b.path().await, "/exams");
        b.close().await;
    }
    server.stop().await;
    eprintln!(
        "a_missing_database_gets_a_page_that_retries_and_saves_that_wait: {:.1}s",
        started.elapsed().as_secs_f64()
    );
    assert!(found.is_empty(), "axe found:\n{}", found.join("\n"));
}

/// A 15-second mock: the 1-minute warning is shown and announced, and at zero the browser
/// submits by itself and lands on the report; answers saved before the end count.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn countdown_warns_and_submits_at_expiry(pool: PgPool) {
    let started = Instant::now();
    let mut cfg = config();
    cfg.duration_override_seconds = Some(15);
    cfg.grace_seconds = 2;
    let (mut server, _state) = serve(&pool, &["example"], cfg).await;
    let b = Browser::launch(Options::default()).await;
    let email = "clock@example.com";
    register(&b, &server, email, "Cleo Clock").await;
    b.goto(&server.url("/exams/ex-100/instructions")).await;
    click(&b, "form[action$='/attempts'] button[type=submit]").await;
    b.wait_path(|p| p.contains("/items/1"), "the first question")
        .await;
    let attempt = attempt_of(&pool, email).await;

    b.until(
        "the critical timer",
        "document.getElementById('timer').classList.contains('critical')",
        Duration::from_secs(5),
    )
    .await;
    b.until(
        "the 1-minute announcement",
        "document.getElementById('timer-announcer').textContent.indexOf('1 minute left') === 0",
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(
        b.js("return document.getElementById('timer-announcer').getAttribute('aria-live');")
            .await,
        json!("polite")
    );
    let shown = b.text("#timer-value").await;
    assert!(shown.starts_with("0:"), "the timer counts seconds: {shown}");

    // Answer the first question before time runs out.
    answer_by_mouse(&b, &kind_on_screen(&b).await).await;
    wait_all_saved(&b).await;
    let saved = assert_saved_as_shown(&b, &pool, attempt, 1).await;

    // Nobody touches anything: at zero the page goes to the report by itself.
    b.wait_path(|p| p.ends_with("/result"), "the automatic submission")
        .await;
    assert!(b.text(".score-hero").await.contains("Time ran out"));
    let (status, reason, _) = attempt_state(&pool, attempt).await;
    assert_eq!(status, "submitted");
    assert!(
        matches!(reason.as_deref(), Some("expired") | Some("swept")),
        "{reason:?}"
    );
    let after = stored(&pool, attempt, 1).await;
    assert_eq!(
        after.response, saved.response,
        "the answer saved before expiry was scored"
    );
    let elapsed = started.elapsed();

    b.close().await;
    server.stop().await;
    eprintln!(
        "countdown_warns_and_submits_at_expiry: {:.1}s",
        elapsed.as_secs_f64()
    );
}

/// With JavaScript off every step still works with plain forms and links.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_whole_loop_works_without_javascript(pool: PgPool) {
    let started = Instant::now();
    let (mut server, _state) = serve(&pool, &["example"], config()).await;
    let b = Browser::launch(Options {
        no_javascript: true,
        ..Default::default()
    })
    .await;
    let email = "nojs@example.com";
    b.goto(&server.url("/")).await;
    assert_eq!(
        b.js("return 1;").await,
        json!(1),
        "WebDriver scripts still run; the page's own do not"
    );
    register(&b, &server, email, "Noah NoScript").await;
    b.goto(&server.url("/exams/ex-100/instructions")).await;
    click(&b, "form[action$='/attempts'] button[type=submit]").await;
    b.wait_path(|p| p.ends_with("/items/1"), "the first question")
        .await;
    let attempt = attempt_of(&pool, email).await;
    // The page's script did not run: no save state, the tabs are not enhanced, the timer shows
    // the server's minutes.
    assert_eq!(b.save_state().await, "");
    assert!(b.text("#timer-value").await.ends_with("min"));

    // Question 1: answer, mark, Next.
    answer_by_mouse(&b, &kind_on_screen(&b).await).await;
    click(&b, "#flagged").await;
    let q1 = b.form_fields().await;
    click(&b, "button[name=nav][value=next]").await;
    b.wait_path(|p| p.ends_with("/items/2"), "question 2").await;
    let s1 = stored(&pool, attempt, 1).await;
    assert!(s1.flagged && s1.response.is_some());
    // Question 2: answer, Next.
    answer_by_mouse(&b, &kind_on_screen(&b).await).await;
    let q2 = b.form_fields().await;
    click(&b, "button[name=nav][value=next]").await;
    b.wait_path(|p| p.ends_with("/items/3"), "question 3").await;
    // Back twice with Previous: the answers are there.
    click(&b, "button[name=nav][value=prev]").await;
    b.wait_path(|p| p.ends_with("/items/2"), "back to question 2")
        .await;
    assert_eq!(b.form_fields().await, q2);
    click(&b, "button[name=nav][value=prev]").await;
    b.wait_path(|p| p.ends_with("/items/1"), "back to question 1")
        .await;
    assert_eq!(b.form_fields().await, q1);
    assert!(b
        .c
        .find(Locator::Css("#flagged"))
        .await
        .unwrap()
        .is_selected()
        .await
        .unwrap());

    // Straight to the review screen from a question.
    click(&b, "button[name=nav][value=review]").await;
    b.wait_path(|p| p.ends_with("/review"), "the review screen")
        .await;
    let summary = b.text(".summary-line").await;
    assert!(summary.starts_with("2 answered"), "{summary}");
    assert!(summary.contains("1 marked for review"), "{summary}");
    click(&b, "a[href$='/submit']").await;
    b.wait_path(|p| p.ends_with("/submit"), "the confirmation")
        .await;
    assert!(b.text(".alert").await.contains("unanswered"));
    click(&b, "form[action$='/submit'] button[type=submit]").await;
    b.wait_path(|p| p.ends_with("/result"), "the score report")
        .await;
    assert!(b.text("h1").await.contains("Not yet at the pass mark"));
    // The explanations open without script (native <details>).
    click(&b, ".result-item details summary").await;
    assert!(b
        .text(".result-item .answers")
        .await
        .contains("Correct answer"));
    let (status, reason, _) = attempt_state(&pool, attempt).await;
    assert_eq!(
        (status.as_str(), reason.as_deref()),
        ("submitted", Some("candidate"))
    );

    b.close().await;
    server.stop().await;
    eprintln!(
        "the_whole_loop_works_without_javascript: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

/// The theme on screen: `data-theme`, the chooser's pressed button, and the page's background
/// and text colours as the browser computed them.
async fn theme_on_screen(b: &Browser) -> (String, String, String, String) {
    let v = b
        .js("var p = document.querySelector('form#theme button[aria-pressed=true]');
             var s = getComputedStyle(document.body);
             return [document.documentElement.dataset.theme, p ? p.value : '', s.backgroundColor, s.color];")
        .await;
    let v: Vec<String> = serde_json::from_value(v).expect("four strings");
    (v[0].clone(), v[1].clone(), v[2].clone(), v[3].clone())
}

/// A theme chosen at the foot of a page — by keyboard or mouse, with or without JavaScript —
/// is the one every later page, reload and new session shows, until another is chosen.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_chosen_theme_stays_across_pages_and_reloads(pool: PgPool) {
    let started = Instant::now();
    let (mut server, _state) = serve(&pool, &["example"], config()).await;
    const LIGHT: &str = "rgb(246, 247, 249)";
    const DARK: &str = "rgb(17, 21, 27)";
    const BLACK: &str = "rgb(0, 0, 0)";
    const WHITE: &str = "rgb(255, 255, 255)";
    let look = |t: &str, bg: &str| (t.to_string(), t.to_string(), bg.to_string());
    for no_javascript in [false, true] {
        let js = if no_javascript { "without" } else { "with" };
        let b = Browser::launch(Options {
            no_javascript,
            ..Default::default()
        })
        .await;
        b.goto(&server.url("/exams")).await;
        let (theme, pressed, bg, _) = theme_on_screen(&b).await;
        assert_eq!(
            (theme, pressed, bg),
            look("auto", LIGHT),
            "{js} JS: at first"
        );
        // By keyboard: Tab to "High contrast", Enter; back on the same page, at the chooser.
        b.tab_to("form#theme button[value=contrast]").await;
        b.press(Key::Enter).await;
        b.until(
            "the high-contrast page",
            "document.documentElement.dataset.theme === 'contrast'",
            Duration::from_secs(20),
        )
        .await;
        assert_eq!(
            b.path().await,
            "/exams",
            "{js} JS: back where the chooser was"
        );
        let (theme, pressed, bg, text) = theme_on_screen(&b).await;
        assert_eq!((theme, pressed, bg), look("contrast", BLACK), "{js} JS");
        assert_eq!(text, WHITE, "{js} JS: white on black");
        // The page came back at the chooser: the next Tab is on it, ringed in yellow.
        b.press(Key::Tab).await;
        assert!(
            b.focused_matches("form#theme button").await,
            "{js} JS: Tab went to {}",
            b.focused_desc().await
        );
        let ring = b
            .js("var s = getComputedStyle(document.activeElement); return s.outlineColor + ' ' + s.outlineWidth;")
            .await;
        assert_eq!(
            ring,
            json!("rgb(255, 255, 0) 4px"),
            "{js} JS: the focus ring"
        );
        // Other pages, a reload, and a new account keep it.
        for path in ["/exams/ex-100", "/login", "/no-such-page"] {
            b.goto(&server.url(path)).await;
            assert_eq!(
                theme_on_screen(&b).await.0,
                "contrast",
                "{js} JS: on {path}"
            );
        }
        b.c.refresh().await.expect("reload");
        assert_eq!(theme_on_screen(&b).await.0, "contrast", "{js} JS: reloaded");
        register(
            &b,
            &server,
            &format!("theme-{js}@example.com"),
            "Theo Theme",
        )
        .await;
        assert_eq!(
            theme_on_screen(&b).await.0,
            "contrast",
            "{js} JS: signed in"
        );
        // By mouse: Dark, then back to following the system.
        click(&b, "form#theme button[value=dark]").await;
        b.until(
            "the dark page",
            "document.documentElement.dataset.theme === 'dark'",
            Duration::from_secs(20),
        )
        .await;
        let (theme, pressed, bg, _) = theme_on_screen(&b).await;
        assert_eq!((theme, pressed, bg), look("dark", DARK), "{js} JS");
        b.goto(&server.url("/attempts")).await;
        assert_eq!(theme_on_screen(&b).await.0, "dark", "{js} JS: next page");
        click(&b, "form#theme button[value=auto]").await;
        b.until(
            "the system's theme",
            "document.documentElement.dataset.theme === 'auto'",
            Duration::from_secs(20),
        )
        .await;
        assert_eq!(b.path().await, "/attempts");
        let (theme, pressed, bg, _) = theme_on_screen(&b).await;
        assert_eq!(
            (theme, pressed, bg),
            look("auto", LIGHT),
            "{js} JS: the system's (light)"
        );
        b.close().await;
    }
    server.stop().await;
    eprintln!(
        "a_chosen_theme_stays_across_pages_and_reloads: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------------------------
// Accessibility
// ---------------------------------------------------------------------------------------------

fn axe_source() -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{} is missing ({e}): run `npm ci` (scripts/test does)",
            path.display()
        )
    })
}

/// Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page on screen; returns one line per
/// violation and element.
async fn axe_violations(b: &Browser, axe: &str, page: &str) -> Vec<String> {
    b.until(
        "the page to load",
        "document.readyState === 'complete'",
        Duration::from_secs(20),
    )
    .await;
    let loaded = b.js("return typeof window.axe === 'object';").await;
    if loaded != json!(true) {
        b.c.execute(axe, vec![]).await.expect("axe loads");
    }
    let result = b
        .c
        .execute_async(
            "var done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
                                 resultTypes: ['violations'] })
               .then(function (r) {
                 done({ incomplete: r.incomplete.map(function (v) { return v.id; }).join(', '),
                        violations: r.violations.map(function (v) {
                   return { id: v.id, impact: v.impact, help: v.help,
                            targets: v.nodes.map(function (n) { return n.target.join(' ') + (n.failureSummary ? ' — ' + n.failureSummary.replace(/\\s+/g, ' ') : ''); }) };
                 }) });
               }, function (e) { done({ violations: [{ id: 'axe-error', impact: 'critical', help: String(e), targets: [] }] }); });",
            vec![],
        )
        .await
        .expect("axe runs");
    // What axe could not decide (say, contrast over a gradient) is listed, not failed.
    if let Some(i) = result["incomplete"].as_str().filter(|i| !i.is_empty()) {
        eprintln!("{page}: needs review by a person: {i}");
    }
    let mut out = Vec::new();
    for v in result["violations"].as_array().cloned().unwrap_or_default() {
        let targets: Vec<String> = serde_json::from_value(v["targets"].clone()).unwrap_or_default();
        for t in targets.iter().take(5) {
            out.push(format!(
                "{page}: [{}] {} ({}) at {t}",
                v["impact"].as_str().unwrap_or("?"),
                v["id"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or("?"),
            ));
        }
        if targets.is_empty() {
            out.push(format!("{page}: {} ({})", v["id"], v["help"]));
        }
    }
    out
}

/// What the walk over every page checks on each page.
enum PageCheck {
    /// axe-core's WCAG 2.1 A and AA rules (the script's source).
    Axe(String),
    /// The page does not scroll sideways.
    NoSidewaysScroll,
}

impl PageCheck {
    async fn check(&self, b: &Browser, page: &str) -> Vec<String> {
        match self {
            PageCheck::Axe(axe) => axe_violations(b, axe, page).await,
            PageCheck::NoSidewaysScroll => sideways_overflow(b, page).await,
        }
    }

    /// Plants a defect on the page on screen and asserts the check reports it.
    async fn assert_can_fail(&self, b: &Browser) {
        match self {
            PageCheck::Axe(axe) => {
                // An image without a text alternative is reported.
                b.js("document.body.insertAdjacentHTML('beforeend', '<img id=\"axe-canary\" src=\"/static/favicon.svg\">'); return 0;").await;
                let canary = axe_violations(b, axe, "canary").await;
                assert!(
                    canary.iter().any(|v| v.contains("image-alt")),
                    "axe did not flag a bare image: {canary:?}"
                );
            }
            PageCheck::NoSidewaysScroll => {
                // A box wider than a phone, deep inside the page, is found and named.
                b.js("var d = document.createElement('div'); d.id = 'wide-canary'; d.style.width = '600px';
                      d.style.height = '2px'; document.querySelector('main').appendChild(d); return 0;")
                    .await;
                let canary = sideways_overflow(b, "canary").await;
                assert!(
                    canary.iter().any(|v| v.contains("div#wide-canary")),
                    "a 600 px box did not count as sideways scrolling: {canary:?}"
                );
                b.js("document.getElementById('wide-canary').remove(); return 0;")
                    .await;
                assert_eq!(
                    sideways_overflow(b, "canary removed").await,
                    Vec::<String>::new()
                );
            }
        }
    }
}

/// Whether the page on screen is wider than the window; if it is, the outermost elements whose
/// right edge is past the window's (those inside a box that scrolls or clips are fine). A phone
/// zooms out to show a page wider than itself, which widens `innerWidth`: the window's width is
/// the narrower of `innerWidth` and the root's `clientWidth`.
async fn sideways_overflow(b: &Browser, page: &str) -> Vec<String> {
    b.until(
        "the page to load",
        "document.readyState === 'complete'",
        Duration::from_secs(20),
    )
    .await;
    let v = b
        .js("var de = document.documentElement, w = Math.min(window.innerWidth, de.clientWidth), out = [];
             if (de.scrollWidth <= w) return out;
             out.push('scrollWidth ' + de.scrollWidth + ' > window width ' + w);
             // Inside a box that scrolls or clips it: an ancestor that is also in its chain of
             // containing blocks (an absolutely placed element escapes static ancestors).
             function clipped(e) {
               var pos = getComputedStyle(e).position;
               for (var p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                 var cs = getComputedStyle(p);
                 if (pos === 'fixed' || (pos === 'absolute' && cs.position === 'static')) continue;
                 if (cs.overflowX !== 'visible') return true;
                 pos = cs.position;
               }
               return false;
             }
             function past(e) { var r = e.getBoundingClientRect(); return r.width > 0 && r.right > w + 0.5; }
             document.querySelectorAll('body *').forEach(function (e) {
               if (!past(e) || (e.parentElement && past(e.parentElement)) || clipped(e)) return;
               var cls = typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '';
               out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + cls + ' (right edge at '
                 + Math.round(e.getBoundingClientRect().right) + ' px): ' + (e.textContent || '').trim().slice(0, 50).replace(/\\s+/g, ' '));
             });
             return out;")
        .await;
    let found: Vec<String> = serde_json::from_value(v).unwrap_or_default();
    found.into_iter().map(|f| format!("{page}: {f}")).collect()
}

/// Chooses a theme with the chooser at the foot of the page, as a visitor would.
async fn choose_theme(b: &Browser, server: &Server, theme: &str) {
    b.goto(&server.url("/")).await;
    click(b, &format!("form#theme button[value={theme}]")).await;
    b.until(
        "the chosen theme",
        &format!("document.documentElement.dataset.theme === '{theme}'"),
        Duration::from_secs(20),
    )
    .await;
}

/// Walks every main page as a new candidate (then as an admin: the question bank, every
/// question's preview and the users page) and checks each; returns every problem found.
async fn audit_every_page(
    b: &Browser,
    server: &Server,
    pool: &PgPool,
    email: &str,
    scheme: &str,
    check: &PageCheck,
    previews_of: &[&str],
) -> Vec<String> {
    let mut found = Vec::new();
    let mut pages = 0;
    let mut audit = |list: Vec<String>| {
        pages += 1;
        found.extend(list);
    };
    for (name, path) in [
        ("home (signed out)", "/"),
        ("sign in", "/login"),
        ("create account", "/register"),
        ("exams", "/exams"),
        ("exam page (signed out)", "/exams/dp-100"),
        ("not found", "/no-such-page"),
        ("forgot password", "/password/forgot"),
        ("dead link", "/password/reset/no-such-token"),
    ] {
        b.goto(&server.url(path)).await;
        audit(check.check(b, &format!("{scheme} {name}")).await);
    }
    // The audit can fail.
    check.assert_can_fail(b).await;
    register(b, server, email, "Alex Audit").await;
    audit(check.check(b, &format!("{scheme} home (signed in)")).await);
    for (name, path) in [
        ("exam page", "/exams/ex-100"),
        ("password", "/account/password"),
        ("account", "/account"),
        ("email", "/account/email"),
        ("sessions", "/account/sessions"),
        ("delete account", "/account/delete"),
        ("privacy", "/privacy"),
    ] {
        b.goto(&server.url(path)).await;
        audit(check.check(b, &format!("{scheme} {name}")).await);
    }
    b.goto(&server.url("/exams/ex-100/instructions")).await;
    audit(check.check(b, &format!("{scheme} instructions")).await);
    click(b, "form[action$='/attempts'] button[type=submit]").await;
    b.wait_path(|p| p.contains("/items/"), "the first question")
        .await;
    let attempt = attempt_of(pool, email).await;
    for s in slots(pool, attempt).await {
        b.goto(&server.url(&format!("/attempts/{attempt}/items/{}", s.position)))
            .await;
        if s.kind == "single" || s.kind == "multiple" {
            // A chosen answer has its own styling.
            click(b, "ul.choices li:nth-child(1) input").await;
            wait_all_saved(b).await;
        }
        let label = format!(
            "{scheme} question {} ({} {})",
            s.position, s.section_kind, s.kind
        );
        audit(check.check(b, &label).await);
    }
    for (name, path) in [
        ("review", format!("/attempts/{attempt}/review")),
        (
            "review (marked)",
            format!("/attempts/{attempt}/review?show=marked"),
        ),
        ("break", format!("/attempts/{attempt}/break?from=1")),
        ("discard", format!("/attempts/{attempt}/discard")),
        ("submit", format!("/attempts/{attempt}/submit")),
    ] {
        b.goto(&server.url(&path)).await;
        audit(check.check(b, &format!("{scheme} {name}")).await);
    }
    click(b, "form[action$='/submit'] button[type=submit]").await;
    b.wait_path(|p| p.ends_with("/result"), "the score report")
        .await;
    // With every explanation open.
    b.js(
        "document.querySelectorAll('details').forEach(function (d) { d.open = true; }); return 0;",
    )
    .await;
    audit(check.check(b, &format!("{scheme} result")).await);
    for (name, path) in [
        ("my attempts", "/attempts"),
        ("readiness", "/readiness/ex-100"),
        ("readiness (no data)", "/readiness/dp-100"),
        ("practice", "/practice/ex-100"),
    ] {
        b.goto(&server.url(path)).await;
        audit(check.check(b, &format!("{scheme} {name}")).await);
    }
    // The readiness report with enough history for every chart and the pass estimate.
    let user: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .unwrap();
    let dp100 = mockexam::db::exams::by_slug(pool, "dp-100")
        .await
        .unwrap()
        .unwrap();
    mockexam::demo::simulate_history(pool, user.into(), &dp100, 3, 0.6, 0.8, 5)
        .await
        .unwrap();
    b.goto(&server.url("/readiness/dp-100")).await;
    let has_estimate = b
        .js("return document.body.textContent.indexOf('likely between') >= 0;")
        .await;
    assert_eq!(
        has_estimate,
        json!(true),
        "the report shows a pass estimate"
    );
    audit(
        check
            .check(b, &format!("{scheme} readiness (with history)"))
            .await,
    );
    // The quick check offered there opens on an ordinary question page.
    click(b, "form[action='/exams/dp-100/checks'] button[type=submit]").await;
    b.wait_path(|p| p.contains("/items/"), "the quick check's question")
        .await;
    audit(
        check
            .check(b, &format!("{scheme} quick check question"))
            .await,
    );
    // Answered blank to its end, the check's score report words what it measured.
    let mut path = b.path().await;
    for _ in 0..20 {
        if path.ends_with("/result") {
            break;
        }
        click(b, "button[name=nav][value=next]").await;
        let before = path.clone();
        path = b
            .wait_path(move |p| p != before, "the check's next page")
            .await;
    }
    assert!(path.ends_with("/result"), "the check ended: {path}");
    assert!(b
        .text("main")
        .await
        .contains("questions, each chosen from your answers so far"));
    audit(
        check
            .check(b, &format!("{scheme} quick check result"))
            .await,
    );
    b.goto(&server.url("/")).await;
    audit(
        check
            .check(b, &format!("{scheme} home (with history)"))
            .await,
    );
    // The author's and admin's pages, every question's preview with its scenario open.
    sqlx::query("UPDATE users SET role = 'admin' WHERE email = $1")
        .bind(email)
        .execute(pool)
        .await
        .unwrap();
    for (name, path) in [
        ("question bank", "/author"),
        ("EX-100 bank", "/author/exams/ex-100"),
        ("DP-100 bank", "/author/exams/dp-100"),
        ("DP-100 item analysis", "/author/exams/dp-100/analysis"),
        (
            "DP-100 item analysis of all attempts, by facility",
            "/author/exams/dp-100/analysis?attempts=all&sort=facility&dir=asc",
        ),
        ("users", "/admin/users"),
    ] {
        b.goto(&server.url(path)).await;
        audit(check.check(b, &format!("{scheme} {name}")).await);
    }
    // The studio: a file exam's pages (read-only) and an exam of the auditor's own (editors).
    let own = studio_exam(pool, email, scheme).await;
    let mut studio_pages: Vec<(String, String)> = [
        ("bank browser", "/author/exams/ex-100/questions".to_string()),
        (
            "bank browser sorted",
            "/author/exams/dp-100/questions?sort=facility&dir=desc&page=2".into(),
        ),
        (
            "question history",
            "/author/exams/ex-100/questions/ex-dropdown-job/history?a=1&b=1".into(),
        ),
        ("audit log", "/author/exams/ex-100/log".into()),
        (
            "feedback queue",
            "/author/exams/ex-100/feedback?all=1".into(),
        ),
        ("file blueprint", "/author/exams/ex-100/settings".into()),
        ("new exam", "/author/exams/new".into()),
        ("own blueprint", format!("/author/exams/{own}/settings")),
        (
            "new case study",
            format!("/author/exams/{own}/scenarios/new?kind=case"),
        ),
        (
            "new series",
            format!("/author/exams/{own}/scenarios/new?kind=series"),
        ),
        ("import", format!("/author/exams/{own}/import")),
        ("file exam import", "/author/exams/ex-100/import".into()),
        ("export", "/author/exams/ex-100/export".into()),
    ]
    .into_iter()
    .map(|(n, p)| (n.to_string(), p))
    .collect();
    for kind in mockexam::domain::item::ItemKind::ALL {
        studio_pages.push((
            format!("editor {}", kind.bank_name()),
            format!(
                "/author/exams/{own}/questions/new?kind={}",
                kind.bank_name()
            ),
        ));
    }
    for (name, path) in &studio_pages {
        b.goto(&server.url(path)).await;
        audit(check.check(b, &format!("{scheme} {name}")).await);
    }
    let previews: Vec<(String, String)> = sqlx::query_as(
        "SELECT e.slug, q.ext_id FROM questions q JOIN exams e ON e.id = q.exam_id
         WHERE e.slug = ANY($1) ORDER BY e.slug, q.bank_position",
    )
    .bind(previews_of)
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(!previews.is_empty(), "no questions in {previews_of:?}");
    for (slug, ext_id) in &previews {
        b.goto(&server.url(&format!("/author/exams/{slug}/questions/{ext_id}")))
            .await;
        b.js("document.querySelectorAll('details').forEach(function (d) { d.open = true; }); return 0;")
            .await;
        audit(
            check
                .check(b, &format!("{scheme} preview {slug}/{ext_id}"))
                .await,
        );
    }
    eprintln!("{scheme}: checked {pages} pages");
    found
}

/// An exam of the given user's own (made as the studio's form would), for auditing the editors;
/// returns its address name.
async fn studio_exam(pool: &PgPool, email: &str, scheme: &str) -> String {
    use mockexam::domain::exam_form::{DomainForm, ExamForm};
    let owner: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(pool)
        .await
        .expect("the auditing user");
    let suffix: String = scheme
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let form = ExamForm {
        code: format!("STUDIO-{suffix}"),
        title: "Team mock".into(),
        question_count: "2".into(),
        domains: vec![DomainForm {
            code: "models".into(),
            title: "Train models".into(),
            weight_min: "100".into(),
            weight_max: "100".into(),
            objectives: "models.train | Train a model".into(),
        }],
        ..ExamForm::default()
    };
    let bp = form.to_blueprint().expect("a valid blueprint");
    mockexam::db::studio::create_exam(pool, &bp, owner.into(), true)
        .await
        .expect("creating the exam")
        .expect("a free code")
}

/// The three looks every page is checked in: the system's light and dark schemes (theme
/// "System"), and the high-contrast theme chosen on the page.
const SCHEMES: [(&str, bool, Option<&str>); 3] = [
    ("light", false, None),
    ("dark", true, None),
    ("high-contrast", false, Some("contrast")),
];

/// A browser showing pages in one of the [`SCHEMES`], at `phone_width` if given.
async fn browser_in(
    server: &Server,
    (scheme, dark, theme): (&str, bool, Option<&str>),
    phone_width: Option<u32>,
) -> Browser {
    let b = Browser::launch(Options {
        dark,
        phone_width,
        ..Default::default()
    })
    .await;
    b.goto(&server.url("/")).await;
    let is_dark = b
        .js("return matchMedia('(prefers-color-scheme: dark)').matches;")
        .await;
    assert_eq!(
        is_dark,
        json!(dark),
        "{scheme}: the colour scheme the page sees"
    );
    if let Some(theme) = theme {
        choose_theme(&b, server, theme).await;
    }
    b
}

/// Every page — a candidate's, an author's, every question's preview — in light, dark and
/// high contrast, has no WCAG 2.1 A/AA violation that axe-core can detect. The 300-odd DP-100
/// previews are audited in light; in dark and high contrast the example bank's previews stand
/// for them (they hold every item kind, highlighted code, a case study and a series, so every
/// pair of colours a preview uses).
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn every_page_passes_axe_in_every_theme(pool: PgPool) {
    let started = Instant::now();
    let (mut server, _state) = serve(&pool, &["example", "dp-100"], config()).await;
    let axe = PageCheck::Axe(axe_source());
    let mut found = Vec::new();
    for look in SCHEMES {
        let scheme = look.0;
        let b = browser_in(&server, look, None).await;
        let previews_of: &[&str] = if scheme == "light" {
            &["ex-100", "dp-100"]
        } else {
            &["ex-100"]
        };
        found.extend(
            audit_every_page(
                &b,
                &server,
                &pool,
                &format!("{scheme}@example.com"),
                scheme,
                &axe,
                previews_of,
            )
            .await,
        );
        b.close().await;
    }
    server.stop().await;
    eprintln!(
        "every_page_passes_axe_in_every_theme: {:.1}s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        found.is_empty(),
        "axe-core found {} problem(s):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// At phone width (360 px) no page scrolls sideways, in any theme — nor at 320 px, the
/// narrowest phone, in light: wide content wraps, or scrolls inside its own box. Every DP-100
/// question's preview is walked at 320 px (the strictest width; the themes change colours, not
/// sizes); the other walks preview the example exam's questions, one of every kind.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn no_page_scrolls_sideways_on_a_phone(pool: PgPool) {
    let started = Instant::now();
    let (mut server, _state) = serve(&pool, &["example", "dp-100"], config()).await;
    let mut found = Vec::new();
    let walks = SCHEMES
        .map(|look| (look, 360))
        .into_iter()
        .chain([(SCHEMES[0], 320)]);
    for (look, width) in walks {
        let scheme = format!("{} {width}px", look.0);
        let b = browser_in(&server, look, Some(width)).await;
        let window = b
            .js("return [window.innerWidth, document.documentElement.clientWidth];")
            .await;
        assert_eq!(window, json!([width, width]), "{scheme}: the phone's width");
        found.extend(
            audit_every_page(
                &b,
                &server,
                &pool,
                &format!("phone-{}-{width}@example.com", look.0),
                &scheme,
                &PageCheck::NoSidewaysScroll,
                if width == 320 {
                    &["ex-100", "dp-100"]
                } else {
                    &["ex-100"]
                },
            )
            .await,
        );
        b.close().await;
    }
    server.stop().await;
    eprintln!(
        "no_page_scrolls_sideways_on_a_phone: {:.1}s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        found.is_empty(),
        "{} element(s) stick out sideways on a phone:\n{}",
        found.len(),
        found.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Accounts: the reset mail's link, and the account and admin pages at phone width
// ---------------------------------------------------------------------------------------------

/// The page does not scroll sideways.
async fn assert_no_sideways_scroll(b: &Browser, page: &str) {
    let v = b
        .js("return [document.documentElement.scrollWidth, window.innerWidth];")
        .await;
    assert!(
        v[0].as_u64() <= v[1].as_u64(),
        "{page} scrolls sideways: {v}"
    );
}

/// Checks the page like a careful reviewer: axe finds nothing, nothing scrolls sideways at
/// 360 px, and a screenshot is left in the temporary folder to look at.
async fn check_page(b: &Browser, axe: &str, name: &str, found: &mut Vec<String>) {
    found.extend(axe_violations(b, axe, name).await);
    assert_no_sideways_scroll(b, name).await;
    if let Ok(png) = b.c.screenshot().await {
        let file =
            std::env::temp_dir().join(format!("mockexam-accounts-{}.png", name.replace(' ', "-")));
        let _ = std::fs::write(file, png);
    }
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_forgotten_password_is_reset_through_the_link_in_the_mail(pool: PgPool) {
    let sink = mail_sink::MailSink::start().await;
    // The server's address must be known before it starts: links in mails point at it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let mut cfg = config();
    cfg.smtp_url = Some(sink.url());
    cfg.public_url = Some(format!("http://{addr}"));
    let state = AppState::new(pool.clone(), cfg);
    let mut server = Server::start(state, addr).await;
    let email = "rosa@example.com";
    mockexam::demo::upsert_user(
        &pool,
        email,
        "Rosa Reset",
        mockexam::types::Role::Admin,
        PASSWORD,
    )
    .await
    .unwrap();
    let b = Browser::launch(Options {
        phone_width: Some(360),
        ..Default::default()
    })
    .await;
    let axe = axe_source();
    let mut found = Vec::new();

    b.goto(&server.url("/login")).await;
    click(&b, "a[href='/password/forgot']").await;
    b.wait_path(|p| p == "/password/forgot", "the forgot-password page")
        .await;
    check_page(&b, &axe, "forgot password", &mut found).await;
    b.c.find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    click(&b, "form[action='/password/forgot'] button[type=submit]").await;
    b.until(
        "the answer",
        "document.body.textContent.indexOf('we have mailed it a link') >= 0",
        Duration::from_secs(10),
    )
    .await;

    let mail = sink.wait_for(email, 1).await.remove(0);
    let url = mail_sink::link(&mail, &format!("http://{addr}/password/reset/"));
    b.goto(&url).await;
    check_page(&b, &axe, "reset form", &mut found).await;
    let new_password = "a fresh browser passphrase";
    for id in ["new_password", "new_password_confirm"] {
        b.c.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(new_password)
            .await
            .unwrap();
    }
    click(&b, "form[action^='/password/reset/'] button[type=submit]").await;
    b.wait_path(|p| p == "/login", "the sign-in page after the reset")
        .await;
    let notice = b.text(".alert.success").await;
    assert!(notice.contains("Your password was changed"), "{notice}");
    check_page(&b, &axe, "sign in after reset", &mut found).await;
    // The link is used up; the new password works.
    b.goto(&url).await;
    assert!(b.text("h1").await.contains("This link no longer works"));
    check_page(&b, &axe, "used link", &mut found).await;
    sign_in(&b, &server, email, new_password).await;

    // The account and admin pages, at phone width.
    let other = mockexam::demo::upsert_user(
        &pool,
        "sam@example.com",
        "Sam Student",
        mockexam::types::Role::Candidate,
        PASSWORD,
    )
    .await;
    assert!(other.is_ok());
    let sam: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = 'sam@example.com'")
        .fetch_one(&pool)
        .await
        .unwrap();
    for (name, path) in [
        ("account overview", "/account".to_string()),
        ("sessions", "/account/sessions".to_string()),
        ("admin users", "/admin/users".to_string()),
        ("admin user", format!("/admin/users/{sam}")),
        ("admin delete", format!("/admin/users/{sam}/delete")),
        ("outbox", "/admin/outbox".to_string()),
    ] {
        b.goto(&server.url(&path)).await;
        check_page(&b, &axe, name, &mut found).await;
    }
    b.goto(&server.url(&format!("/admin/users/{sam}"))).await;
    b.js("document.getElementById('role').value = 'instructor'; return 0;")
        .await;
    click(&b, "form[action$='/role'] button[type=submit]").await;
    b.until(
        "the confirmation",
        "document.body.textContent.indexOf('Change the role?') >= 0",
        Duration::from_secs(10),
    )
    .await;
    check_page(&b, &axe, "role confirmation", &mut found).await;
    b.goto(&server.url(&format!("/admin/users/{sam}"))).await;
    click(&b, "form[action$='/disable'] button[type=submit]").await;
    b.until(
        "the message",
        "document.body.textContent.indexOf('is disabled') >= 0",
        Duration::from_secs(10),
    )
    .await;
    check_page(&b, &axe, "admin after disabling", &mut found).await;
    b.goto(&server.url("/admin/audit")).await;
    check_page(&b, &axe, "audit log", &mut found).await;
    b.close().await;
    server.stop().await;
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Screenshots (ignored; `scripts/screenshots` runs it)
// ---------------------------------------------------------------------------------------------

/// The fields of a form answer: the key, or (`right` false) a deliberately wrong one.
fn answer_fields(item: &Item, right: bool) -> Vec<(String, String)> {
    use mockexam::domain::item::ItemBody;
    let yn = |b: bool| if b { "yes" } else { "no" }.to_string();
    match &item.body {
        ItemBody::Single { key, options } => {
            let pick = if right {
                key.clone()
            } else {
                options.iter().find(|o| &o.id != key).unwrap().id.clone()
            };
            vec![("choice".into(), pick)]
        }
        ItemBody::Multiple { key, .. } => {
            key.iter().map(|k| ("choice".into(), k.clone())).collect()
        }
        ItemBody::Order { key, .. } => {
            let mut k = key.clone();
            if !right {
                k.swap(0, 1);
            }
            k.iter()
                .enumerate()
                .map(|(i, k)| (format!("pos{}", i + 1), k.clone()))
                .collect()
        }
        ItemBody::Dropdown { key, .. } => key
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("slot{}", i + 1), k.clone()))
            .collect(),
        ItemBody::Grid { key, .. } => key
            .iter()
            .enumerate()
            .map(|(i, k)| {
                (
                    format!("s{}", i + 1),
                    yn(if right || i > 0 { *k } else { !*k }),
                )
            })
            .collect(),
        ItemBody::Match { key, .. } => key
            .iter()
            .enumerate()
            .map(|(i, k)| (format!("p{}", i + 1), k.clone()))
            .collect(),
        ItemBody::YesNo { key } => vec![("answer".into(), yn(if right { *key } else { !*key }))],
    }
}

/// Sets the form's controls to `fields` as a user would leave them, then lets autosave store it.
async fn fill(b: &Browser, fields: &[(String, String)]) {
    b.c.execute(
        "var f = document.getElementById('item-form');
         arguments[0].forEach(function (p) {
           var els = f.querySelectorAll('[name=\"' + p[0] + '\"]');
           els.forEach(function (e) {
             if (e.tagName === 'SELECT') e.value = p[1];
             else if (e.value === p[1]) e.checked = true;
           });
         });
         f.dispatchEvent(new Event('change', { bubbles: true }));
         return 0;",
        vec![json!(fields)],
    )
    .await
    .expect("fill");
    wait_all_saved(b).await;
}

/// Saves a PNG of the whole page (up to `max_height` CSS pixels) at the browser's width.
async fn shoot(b: &Browser, width: u32, max_height: u32, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    std::fs::create_dir_all(&dir).expect("docs/screenshots");
    b.until(
        "the page to load",
        "document.readyState === 'complete'",
        Duration::from_secs(20),
    )
    .await;
    // The window is the page's height plus the (invisible) browser frame, up to a limit; the
    // page is measured in a short window first, since the body is at least one window tall.
    b.c.set_window_size(width, 600).await.expect("resize");
    tokio::time::sleep(Duration::from_millis(100)).await;
    {
        let v = b
            .js("return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight];")
            .await;
        let height = v[0].as_u64().unwrap_or(900) as u32;
        let frame = v[1].as_u64().unwrap_or(0) as u32;
        b.c.set_window_size(width, height.clamp(600, max_height) + frame)
            .await
            .expect("resize");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let png = b.c.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write png");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
#[ignore = "regenerates docs/screenshots; run scripts/screenshots"]
async fn screenshots(pool: PgPool) {
    let (mut server, _state) = serve(&pool, &["example", "dp-100"], config()).await;
    let desktop = Browser::launch(Options::default()).await;
    let phone = Browser::launch(Options::default()).await;
    let dark = Browser::launch(Options {
        dark: true,
        ..Default::default()
    })
    .await;
    let contrast = Browser::launch(Options::default()).await;
    let views: [(&Browser, u32, u32, &str); 2] = [
        (&desktop, 1280, 2000, "desktop"),
        (&phone, 390, 2600, "phone"),
    ];
    for (b, w, h, prefix) in views {
        b.c.set_window_size(w, 900).await.expect("resize");
        b.goto(&server.url("/")).await;
        shoot(b, w, h, &format!("{prefix}-home")).await;
    }
    let email = "sam@example.com";
    register(&desktop, &server, email, "Sam Candidate").await;
    for b in [&phone, &dark, &contrast] {
        b.goto(&server.url("/login")).await;
        b.c.find(Locator::Id("email"))
            .await
            .unwrap()
            .send_keys(email)
            .await
            .unwrap();
        b.c.find(Locator::Id("password"))
            .await
            .unwrap()
            .send_keys(PASSWORD)
            .await
            .unwrap();
        click(b, "form[action='/login'] button[type=submit]").await;
        b.wait_path(|p| p == "/", "home").await;
    }
    for (b, w, h, prefix) in views {
        b.goto(&server.url("/exams/dp-100")).await;
        shoot(b, w, h, &format!("{prefix}-exam")).await;
        b.goto(&server.url("/exams/ex-100/instructions")).await;
        shoot(b, w, h, &format!("{prefix}-instructions")).await;
    }
    desktop
        .goto(&server.url("/exams/ex-100/instructions"))
        .await;
    click(&desktop, "form[action$='/attempts'] button[type=submit]").await;
    desktop
        .wait_path(|p| p.contains("/items/"), "the first question")
        .await;
    let attempt = attempt_of(&pool, email).await;
    let mut seen_kinds = std::collections::HashSet::new();
    for s in slots(&pool, attempt).await {
        let url = server.url(&format!("/attempts/{attempt}/items/{}", s.position));
        desktop.goto(&url).await;
        let item = stored(&pool, attempt, s.position).await.item;
        // Mostly right, a few wrong, one left for the review screen.
        let unanswered = s.section_kind == "case" && s.position % 2 == 0;
        if !unanswered {
            fill(&desktop, &answer_fields(&item, s.position % 3 != 0)).await;
        }
        if s.kind == "match" {
            click(&desktop, "#flagged").await;
            wait_all_saved(&desktop).await;
        }
        let name = if s.section_kind == "case" {
            "case".to_string()
        } else {
            s.kind.clone()
        };
        if !seen_kinds.insert(name.clone()) {
            continue;
        }
        for (b, w, h, prefix) in views {
            if b.path().await != url {
                b.goto(&url).await;
            }
            shoot(b, w, h, &format!("{prefix}-item-{name}")).await;
        }
        if name == "dropdown" || name == "case" {
            dark.goto(&url).await;
            shoot(&dark, 1280, 2000, &format!("desktop-dark-item-{name}")).await;
            contrast.goto(&url).await;
            if contrast
                .js("return document.documentElement.dataset.theme;")
                .await
                != json!("contrast")
            {
                choose_theme(&contrast, &server, "contrast").await;
                contrast.goto(&url).await;
            }
            shoot(
                &contrast,
                1280,
                2000,
                &format!("desktop-contrast-item-{name}"),
            )
            .await;
            shoot(&contrast, 390, 2600, &format!("phone-contrast-item-{name}")).await;
        }
    }
    for (b, w, h, prefix) in views {
        b.goto(&server.url(&format!("/attempts/{attempt}/review")))
            .await;
        shoot(b, w, h, &format!("{prefix}-review")).await;
        b.goto(&server.url(&format!("/attempts/{attempt}/review?show=marked")))
            .await;
        shoot(b, w, h, &format!("{prefix}-review-marked")).await;
        b.goto(&server.url(&format!("/attempts/{attempt}/break?from=1")))
            .await;
        shoot(b, w, h, &format!("{prefix}-break")).await;
        // A question with its navigator and the feedback box open.
        b.goto(&server.url(&format!("/attempts/{attempt}/items/2")))
            .await;
        b.js("document.querySelectorAll('details.leave-feedback').forEach(function (d) { d.open = true; }); return 0;")
            .await;
        shoot(b, w, h, &format!("{prefix}-navigator-feedback")).await;
    }
    desktop
        .goto(&server.url(&format!("/attempts/{attempt}/submit")))
        .await;
    click(&desktop, "form[action$='/submit'] button[type=submit]").await;
    desktop
        .wait_path(|p| p.ends_with("/result"), "the score report")
        .await;
    for (b, w, h, prefix) in views {
        b.goto(&server.url(&format!("/attempts/{attempt}/result")))
            .await;
        shoot(b, w, h, &format!("{prefix}-result")).await;
    }
    dark.goto(&server.url(&format!("/attempts/{attempt}/result")))
        .await;
    shoot(&dark, 1280, 2000, "desktop-dark-result").await;
    // Readiness, practice and home with a few weeks of DP-100 history behind them.
    let user: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&pool)
        .await
        .unwrap();
    let dp100 = mockexam::db::exams::by_slug(&pool, "dp-100")
        .await
        .unwrap()
        .unwrap();
    mockexam::demo::simulate_history(&pool, user.into(), &dp100, 4, 0.64, 0.86, 2026)
        .await
        .unwrap();
    for (b, w, h, prefix) in views {
        for (page, path) in [
            ("readiness", "/readiness/dp-100"),
            ("practice", "/practice/dp-100"),
            ("home-signed-in", "/"),
        ] {
            b.goto(&server.url(path)).await;
            shoot(
                b,
                w,
                if page == "readiness" { 6000 } else { h },
                &format!("{prefix}-{page}"),
            )
            .await;
        }
    }
    dark.goto(&server.url("/readiness/dp-100")).await;
    shoot(&dark, 1280, 6000, "desktop-dark-readiness").await;
    contrast.goto(&server.url("/readiness/dp-100")).await;
    shoot(&contrast, 390, 6000, "phone-contrast-readiness").await;
    // The author's preview of a case-study question with code, its scenario open.
    sqlx::query("UPDATE users SET role = 'instructor' WHERE email = $1")
        .bind(email)
        .execute(&pool)
        .await
        .unwrap();
    let preview: String = sqlx::query_scalar(
        "SELECT q.ext_id FROM questions q JOIN exams e ON e.id = q.exam_id
         JOIN question_versions v ON v.id = q.current_version_id
         WHERE e.slug = 'dp-100' AND q.scenario_id IS NOT NULL AND v.body::text LIKE '%```python%'
         ORDER BY q.bank_position LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    for (b, w, h, prefix) in views {
        b.goto(&server.url(&format!("/author/exams/dp-100/questions/{preview}")))
            .await;
        b.js("document.querySelectorAll('details').forEach(function (d) { d.open = true; }); return 0;")
            .await;
        shoot(
            b,
            w,
            if w > 1000 { h } else { 6000 },
            &format!("{prefix}-author-question"),
        )
        .await;
    }
    desktop.close().await;
    phone.close().await;
    dark.close().await;
    contrast.close().await;
    server.stop().await;
}

// ---------------------------------------------------------------------------------------------
// The candidate's first hour: practice, letters, the exam's own tools
// ---------------------------------------------------------------------------------------------

/// Practice with "Check answer": check → Next → check → Review → submit, with the letters on
/// the feedback equal to the letters clicked.
async fn practice_check_and_move_on(pool: &PgPool, no_javascript: bool) {
    let (mut server, _state) = serve(pool, &["example"], config()).await;
    let b = Browser::launch(Options {
        no_javascript,
        ..Default::default()
    })
    .await;
    let email = if no_javascript {
        "practice-nojs@example.com"
    } else {
        "practice-js@example.com"
    };
    register(&b, &server, email, "Pia Practice").await;
    b.goto(&server.url("/practice/ex-100")).await;
    b.c.find(Locator::Css("#size"))
        .await
        .unwrap()
        .clear()
        .await
        .unwrap();
    b.c.find(Locator::Css("#size"))
        .await
        .unwrap()
        .send_keys("5")
        .await
        .unwrap();
    click(&b, "form[action='/practice/ex-100'] button[type=submit]").await;
    b.wait_path(|p| p.contains("/items/"), "the first practice question")
        .await;
    let attempt = attempt_of(pool, email).await;
    for step in 0..2 {
        let here = b.path().await;
        let kind = kind_on_screen(&b).await;
        answer_by_mouse(&b, &kind).await;
        if !no_javascript {
            wait_all_saved(&b).await;
        }
        // The letter of the option clicked, as the page shows it (single and multiple only).
        let clicked = if kind == "single" || kind == "multiple" {
            Some(b.js("var i = document.querySelector('input[name=choice]:checked'); return i ? i.closest('label').querySelector('.choice-letter').textContent.trim() : null;").await)
        } else {
            None
        };
        click(&b, "button[name=nav][value=check]").await;
        b.wait_for("#reveal-title").await;
        assert_eq!(b.path().await, here, "checking stays on the question");
        if let Some(letter) = clicked.and_then(|v| v.as_str().map(str::to_string)) {
            let yours = b.text(".answers > div:first-child li").await;
            assert!(
                yours.starts_with(&format!("{letter}.")),
                "step {step}: feedback names {yours:?}, the candidate clicked {letter}"
            );
        }
        // The controls are now disabled; Next still moves on.
        assert_eq!(
            b.js("return document.querySelector('fieldset.item').disabled;")
                .await,
            json!(true)
        );
        click(&b, "button[name=nav][value=next]").await;
        b.wait_path(|p| p != here, "the next question").await;
    }
    click(&b, "button[name=nav][value=review]").await;
    b.wait_path(|p| p.ends_with("/review"), "the review screen")
        .await;
    b.goto(&server.url(&format!("/attempts/{attempt}/submit")))
        .await;
    click(&b, "form[action$='/submit'] button[type=submit]").await;
    b.wait_path(|p| p.ends_with("/result"), "the practice results")
        .await;
    let (status, _, _) = attempt_state(pool, attempt).await;
    assert_eq!(status, "submitted");
    b.close().await;
    server.stop().await;
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn practice_check_then_next_works_with_javascript(pool: PgPool) {
    practice_check_and_move_on(&pool, false).await;
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn practice_check_then_next_works_without_javascript(pool: PgPool) {
    practice_check_and_move_on(&pool, true).await;
}

/// In a mock: the site's navigation is out of the way; a problem–solution question closes once
/// seen and left; a break closes every question seen; the navigator moves between questions.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn the_exam_tools_behave_like_the_real_exam(pool: PgPool) {
    let (mut server, _state) = serve(&pool, &["example"], config()).await;
    let b = Browser::launch(Options::default()).await;
    let email = "tools@example.com";
    register(&b, &server, email, "Toni Tools").await;
    b.goto(&server.url("/exams/ex-100/instructions")).await;
    click(&b, "form[action$='/attempts'] button[type=submit]").await;
    b.wait_path(|p| p.ends_with("/items/1"), "the first question")
        .await;
    let attempt = attempt_of(&pool, email).await;
    assert_eq!(
        b.js("var s = document.querySelector('.site-header .nav button'); return s ? s.offsetParent === null : true;").await,
        json!(true),
        "Sign out is out of the way during the exam"
    );
    // The navigator: go to question 3 by keyboard.
    b.tab_to("nav.question-nav button[value='3']").await;
    b.press(Key::Enter).await;
    b.wait_path(|p| p.ends_with("/items/3"), "question 3 from the navigator")
        .await;
    // A problem–solution question, read and left without an answer, cannot be reopened.
    let series = slots(&pool, attempt)
        .await
        .into_iter()
        .find(|s| s.section_kind == "series")
        .unwrap()
        .position;
    b.goto(&server.url(&format!("/attempts/{attempt}/items/{series}")))
        .await;
    b.wait_for("#item-form").await;
    click(&b, "button[name=nav][value=next]").await;
    b.wait_path(
        |p| p.ends_with(&format!("/items/{}", series + 1)),
        "the next series question",
    )
    .await;
    b.goto(&server.url(&format!("/attempts/{attempt}/items/{series}")))
        .await;
    assert!(b.text("main").await.contains("cannot be reopened"));
    b.close().await;
    server.stop().await;
}

// ---------------------------------------------------------------------------------------------
// Cohorts
// ---------------------------------------------------------------------------------------------

/// The demo (instructor, 30-member cohort with histories and assignments) on a DP-100 bank;
/// returns the cohort id.
async fn demo_cohort(pool: &PgPool) -> Uuid {
    mockexam::demo::run(pool, PASSWORD).await.expect("demo");
    sqlx::query_scalar("SELECT id FROM cohorts WHERE name = $1")
        .bind(mockexam::demo::DEMO_COHORT)
        .fetch_one(pool)
        .await
        .expect("the demo cohort")
}

/// Signs in through the form with the keyboard only.
async fn sign_in_by_keyboard(b: &Browser, server: &Server, email: &str) {
    b.goto(&server.url("/login")).await;
    b.tab_to("#email").await;
    b.type_text(email).await;
    b.tab_to("#password").await;
    b.type_text(PASSWORD).await;
    b.press(Key::Enter).await;
    b.wait_path(|p| p == "/", "the home page after signing in")
        .await;
}

/// The page does not scroll sideways (the heat map scrolls inside its own region).
async fn assert_no_page_scroll(b: &Browser, what: &str) {
    let v = b
        .js("var w = document.documentElement.clientWidth;
             var wide = Array.from(document.querySelectorAll('main *')).filter(function (e) {
               var inner = e.parentElement && e.parentElement.closest('.heatmap-scroll, .table-scroll, .chart-scroll');
               return !inner && e.getBoundingClientRect().right > w + 1;
             }).slice(0, 5).map(function (e) { return e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right); });
             return [document.documentElement.scrollWidth, w, wide];")
        .await;
    assert!(
        v[0].as_u64() <= v[1].as_u64(),
        "{what} scrolls sideways: {v}"
    );
}

/// An instructor reaches the cohort dashboard, sorts the heat map, scrolls it, opens a
/// member's report and assigns practice on a weak objective with the keyboard only; every
/// cohort page passes axe in light and dark mode, and nothing scrolls sideways at 360 px.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn cohort_dashboard_by_keyboard_passes_axe(pool: PgPool) {
    let started = Instant::now();
    let (mut server, _state) = serve(&pool, &["dp-100"], config()).await;
    let cohort = demo_cohort(&pool).await;
    let axe = axe_source();
    let mut found = Vec::new();
    let b = Browser::launch(Options::default()).await;
    sign_in_by_keyboard(&b, &server, mockexam::demo::DEMO_INSTRUCTOR).await;

    b.tab_to("nav a[href='/cohorts']").await;
    assert_focus_visible(&b).await;
    b.press(Key::Enter).await;
    b.wait_path(|p| p == "/cohorts", "the cohort list").await;
    found.extend(axe_violations(&b, &axe, "cohorts (instructor)").await);
    b.tab_to(&format!("a[href='/cohorts/{cohort}']")).await;
    b.press(Key::Enter).await;
    b.wait_path(|p| p == format!("/cohorts/{cohort}"), "the dashboard")
        .await;
    assert!(b.text("main").await.contains("Predicted pass rate"));
    found.extend(axe_violations(&b, &axe, "dashboard").await);

    // Sort by chance of passing from its column heading.
    b.tab_to("th[aria-sort] a[href*='sort=pass']").await;
    assert_focus_visible(&b).await;
    b.press(Key::Enter).await;
    b.wait_path(|_| true, "the sorted dashboard").await;
    b.until(
        "the sorted heat map",
        "location.search.indexOf('sort=pass') >= 0 && document.querySelector(\"th[aria-sort=ascending] a[href*='sort=pass']\")",
        Duration::from_secs(30),
    )
    .await;
    let chances = b
        .js("return Array.from(document.querySelectorAll('table.heatmap td.chance')).map(function (t) { return parseInt(t.textContent, 10); });")
        .await;
    let chances: Vec<Option<i64>> = serde_json::from_value(chances).unwrap();
    let known: Vec<i64> = chances.iter().flatten().copied().collect();
    assert!(
        known.len() >= 10,
        "most members have an estimate: {chances:?}"
    );
    assert!(
        known.windows(2).all(|w| w[0] <= w[1]),
        "weakest first: {known:?}"
    );

    // The heat map is a focusable, labelled region that scrolls with the arrow keys.
    b.tab_to("div.heatmap-scroll").await;
    assert_focus_visible(&b).await;
    let label = b
        .js("var r = document.activeElement; return r.getAttribute('aria-labelledby').split(' ').map(function (id) { return document.getElementById(id).textContent; }).join(' ');")
        .await;
    assert!(label
        .as_str()
        .unwrap_or("")
        .contains("Mastery by member and skill area"));

    // A member's readiness report, and back.
    b.tab_to("table.heatmap tbody th a").await;
    b.press(Key::Enter).await;
    b.wait_path(|p| p.contains("/members/"), "a member's report")
        .await;
    assert!(b.text("h1").await.starts_with("How ready is"));
    found.extend(axe_violations(&b, &axe, "member drill-down").await);
    b.c.back().await.expect("back");
    b.wait_path(|p| p == format!("/cohorts/{cohort}"), "the dashboard again")
        .await;

    // "Assign a practice set on this" → the form with the objective chosen → assigned.
    b.tab_to("a[href*='/assignments/new?kind=practice&objective=']")
        .await;
    b.press(Key::Enter).await;
    b.wait_path(|p| p.ends_with("/assignments/new"), "the assignment form")
        .await;
    let checked = b
        .js("return document.querySelectorAll('input[name=objective]:checked').length;")
        .await;
    assert_eq!(checked, json!(1));
    found.extend(axe_violations(&b, &axe, "new assignment").await);
    b.tab_to("form[action$='/assignments'] button[type=submit]")
        .await;
    b.press(Key::Enter).await;
    b.wait_path(
        |p| p.contains("/assignments/") && !p.ends_with("/new"),
        "the results",
    )
    .await;
    assert!(b.text("main").await.contains("Not started"));
    found.extend(axe_violations(&b, &axe, "assignment results").await);
    b.goto(&server.url(&format!("/cohorts/{cohort}/manage")))
        .await;
    found.extend(axe_violations(&b, &axe, "invite and manage").await);
    let code: String = sqlx::query_scalar("SELECT join_code FROM cohorts WHERE id = $1")
        .bind(cohort)
        .fetch_one(&pool)
        .await
        .unwrap();
    b.close().await;

    // A member's side: home with assignments, the join form and consent page.
    let m = Browser::launch(Options {
        dark: true,
        ..Default::default()
    })
    .await;
    sign_in_by_keyboard(&m, &server, "member01@demo.mockexam").await;
    assert!(m.text("main").await.contains("Assignments"));
    found.extend(axe_violations(&m, &axe, "dark home with assignments").await);
    for (name, path) in [
        ("dark join", "/join".to_string()),
        ("dark consent", format!("/join/{code}")),
        ("dark cohorts (member)", "/cohorts".to_string()),
    ] {
        m.goto(&server.url(&path)).await;
        found.extend(axe_violations(&m, &axe, name).await);
    }
    m.close().await;

    // Dark mode and a 360 px phone: the dashboard passes, and only the heat map scrolls.
    let d = Browser::launch(Options {
        dark: true,
        phone_width: Some(360),
        ..Default::default()
    })
    .await;
    sign_in_by_keyboard(&d, &server, mockexam::demo::DEMO_INSTRUCTOR).await;
    for path in [
        format!("/cohorts/{cohort}"),
        format!("/cohorts/{cohort}/manage"),
        format!("/cohorts/{cohort}/assignments/new"),
        "/cohorts".to_string(),
    ] {
        d.goto(&server.url(&path)).await;
        assert_no_page_scroll(&d, &path).await;
        found.extend(axe_violations(&d, &axe, &format!("phone dark {path}")).await);
    }
    d.goto(&server.url(&format!("/cohorts/{cohort}"))).await;
    let widths = d
        .js("var r = document.querySelector('div.heatmap-scroll'); return [r.scrollWidth, r.clientWidth, window.innerWidth];")
        .await;
    assert!(
        widths[0].as_u64() > widths[1].as_u64(),
        "the heat map scrolls within its region at 360 px: {widths}"
    );
    d.js("document.querySelector('div.heatmap-scroll').focus(); return 0;")
        .await;
    d.press(Key::Right).await;
    d.press(Key::Right).await;
    d.until(
        "the heat map to scroll with the arrow keys",
        "document.querySelector('div.heatmap-scroll').scrollLeft > 0",
        Duration::from_secs(5),
    )
    .await;
    d.close().await;
    server.stop().await;
    eprintln!(
        "cohort_dashboard_by_keyboard_passes_axe: {:.1}s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        found.is_empty(),
        "axe-core found {} problem(s):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// The cohort dashboard at 1280 and 360 px (and its invitation page), for docs/screenshots.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
#[ignore = "regenerates docs/screenshots; run scripts/screenshots"]
async fn cohort_screenshots(pool: PgPool) {
    let (mut server, _state) = serve(&pool, &["dp-100"], config()).await;
    let cohort = demo_cohort(&pool).await;
    for (width, prefix) in [(1280, "desktop"), (360, "phone")] {
        let b = Browser::launch(Options::default()).await;
        b.c.set_window_size(width, 900).await.expect("resize");
        sign_in_by_keyboard(&b, &server, mockexam::demo::DEMO_INSTRUCTOR).await;
        let inner = b.js("return window.innerWidth;").await;
        assert_eq!(inner, json!(width), "the page is {width} px wide");
        for (page, path) in [
            ("cohort-dashboard", format!("/cohorts/{cohort}")),
            ("cohort-manage", format!("/cohorts/{cohort}/manage")),
        ] {
            b.goto(&server.url(&path)).await;
            assert_no_page_scroll(&b, &path).await;
            shoot(&b, width, 7000, &format!("{prefix}-{page}")).await;
        }
        b.close().await;
    }
    let m = Browser::launch(Options::default()).await;
    sign_in_by_keyboard(&m, &server, "member01@demo.mockexam").await;
    shoot(&m, 1280, 2000, "desktop-home-assignments").await;
    m.close().await;
    server.stop().await;
}

/// A build list takes an action dragged onto a step: the step's drop-down is set and saved.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn dragging_an_action_onto_a_step_sets_and_saves_it(pool: PgPool) {
    let (mut server, _state) = serve(&pool, &["example"], config()).await;
    let b = Browser::launch(Options::default()).await;
    let email = "drag@example.com";
    register(&b, &server, email, "Dara Drag").await;
    b.goto(&server.url("/exams/ex-100/instructions")).await;
    click(&b, "form[action$='/attempts'] button[type=submit]").await;
    b.wait_path(|p| p.contains("/items/"), "the first question")
        .await;
    let attempt = attempt_of(&pool, email).await;
    let order = slots(&pool, attempt)
        .await
        .into_iter()
        .find(|s| s.kind == "order")
        .unwrap()
        .position;
    b.goto(&server.url(&format!("/attempts/{attempt}/items/{order}")))
        .await;
    b.wait_for(".drag-hint").await;
    let dropped = b
        .js("var item = document.querySelectorAll('[data-action]')[1];
             var step = document.querySelector('select[data-position]').closest('li');
             var dt = new DataTransfer();
             item.dispatchEvent(new DragEvent('dragstart', { dataTransfer: dt, bubbles: true }));
             step.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
             return [item.dataset.action, document.querySelector('select[data-position]').value];")
        .await;
    assert_eq!(
        dropped[0], dropped[1],
        "the first step now holds the dragged action"
    );
    wait_all_saved(&b).await;
    let saved = stored(&pool, attempt, order).await;
    let response = saved.response.expect("saved");
    match &response {
        Response::Order { positions } => assert_eq!(
            positions[0].as_deref(),
            dropped[0].as_str(),
            "the dragged action is the saved first step: {response:?}"
        ),
        other => panic!("not a build list: {other:?}"),
    }
    b.close().await;
    server.stop().await;
}

/// A matching question takes an answer dragged onto a prompt: the prompt's drop-down is set and
/// saved; the drop-downs stay in place for the keyboard.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn dragging_an_answer_onto_a_matching_prompt_sets_and_saves_it(pool: PgPool) {
    let (mut server, _state) = serve(&pool, &["example"], config()).await;
    let b = Browser::launch(Options::default()).await;
    let email = "match-drag@example.com";
    register(&b, &server, email, "Mica Match").await;
    b.goto(&server.url("/exams/ex-100/instructions")).await;
    click(&b, "form[action$='/attempts'] button[type=submit]").await;
    b.wait_path(|p| p.contains("/items/"), "the first question")
        .await;
    let attempt = attempt_of(&pool, email).await;
    let position = slots(&pool, attempt)
        .await
        .into_iter()
        .find(|s| s.kind == "match")
        .unwrap()
        .position;
    b.goto(&server.url(&format!("/attempts/{attempt}/items/{position}")))
        .await;
    b.wait_for(".match .drag-hint").await;
    let dropped = b
        .js("var chips = document.querySelectorAll('.match-chip');
             var chip = chips[chips.length - 1];
             var row = document.querySelectorAll('.match-list li')[1];
             var dt = new DataTransfer();
             chip.dispatchEvent(new DragEvent('dragstart', { dataTransfer: dt, bubbles: true }));
             row.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
             return [chip.dataset.answer, row.querySelector('select').value,
                     String(document.querySelectorAll('.match-list select').length)];")
        .await;
    assert_eq!(
        dropped[0], dropped[1],
        "the second prompt now holds the dragged answer"
    );
    assert_ne!(dropped[2], "0", "the drop-downs are still there");
    wait_all_saved(&b).await;
    let saved = stored(&pool, attempt, position).await;
    match saved.response.expect("saved") {
        Response::Match { picks } => assert_eq!(
            picks[1].as_deref(),
            dropped[0].as_str(),
            "the dragged answer is saved for the second prompt"
        ),
        other => panic!("not a matching question: {other:?}"),
    }
    b.close().await;
    server.stop().await;
}

// ---------------------------------------------------------------------------------------------
// The instructor's studio
// ---------------------------------------------------------------------------------------------

async fn sign_out(b: &Browser) {
    click(b, "form[action='/logout'] button[type=submit]").await;
    b.wait_path(|p| !p.starts_with("/author"), "signed out")
        .await;
}

/// An instructor writes a drop-down-in-code question from scratch with the keyboard, watches
/// the live preview and uses the Preview button, saves it and sends it for review; a co-owner
/// approves it; a candidate gets it in a practice set and answers it.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_question_written_by_keyboard_is_reviewed_published_and_practised(pool: PgPool) {
    use mockexam::domain::exam_form::{DomainForm, ExamForm};
    let (mut server, _state) = serve(&pool, &[], config()).await;
    for (email, role) in [
        ("owner@example.com", mockexam::types::Role::Instructor),
        ("co@example.com", mockexam::types::Role::Instructor),
        ("pupil@example.com", mockexam::types::Role::Candidate),
    ] {
        mockexam::demo::upsert_user(
            &pool,
            email,
            email.split('@').next().unwrap(),
            role,
            PASSWORD,
        )
        .await
        .unwrap();
    }
    let id_of = |email: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, Uuid>("SELECT id FROM users WHERE email = $1")
                .bind(email)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let form = ExamForm {
        code: "TEAM-101".into(),
        title: "Team mock".into(),
        question_count: "2".into(),
        domains: vec![DomainForm {
            code: "models".into(),
            title: "Train models".into(),
            weight_min: "100".into(),
            weight_max: "100".into(),
            objectives: "models.train | Train a model\nmodels.deploy | Deploy a model".into(),
        }],
        ..ExamForm::default()
    };
    let bp = form.to_blueprint().unwrap();
    let owner = id_of("owner@example.com").await;
    mockexam::db::studio::create_exam(&pool, &bp, owner.into(), true)
        .await
        .unwrap()
        .unwrap();
    let exam_id: Uuid = sqlx::query_scalar("SELECT id FROM exams WHERE code = 'TEAM-101'")
        .fetch_one(&pool)
        .await
        .unwrap();
    mockexam::db::studio::add_co_owner(&pool, exam_id.into(), id_of("co@example.com").await.into())
        .await
        .unwrap();

    let b = Browser::launch(Options::default()).await;
    sign_in(&b, &server, "owner@example.com", PASSWORD).await;
    b.goto(&server.url("/author/exams/team-101/questions"))
        .await;
    // The "New question" list opens with Enter on its summary; the kind is a link.
    b.tab_to("details.new-question > summary").await;
    b.press(Key::Enter).await;
    b.tab_to("a[href$='new?kind=dropdown']").await;
    b.press(Key::Enter).await;
    b.wait_path(|p| p.ends_with("/questions/new"), "the drop-down editor")
        .await;
    b.tab_to("#f-id").await;
    b.type_text("team-job-command").await;
    b.tab_to("#f-objective").await;
    b.type_text("models.train").await;
    b.tab_to("#f-stem").await;
    for (i, line) in [
        "Complete the code that runs the training script.",
        "",
        "```python",
        "job = [[1]](code=\"./src\", command=\"python train.py\")",
        "```",
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            b.press(Key::Enter).await;
        }
        b.type_text(line).await;
    }
    for (field, text) in [
        ("#f-slot1_1", "`command`"),
        ("#f-slot1_2", "`sweep`"),
        ("#f-slot1_3", "`pipeline`"),
    ] {
        b.tab_to(field).await;
        b.type_text(text).await;
    }
    b.tab_to("#f-keypart1").await;
    b.type_text("A").await;
    b.tab_to("#f-explanation").await;
    b.type_text("A **command** job runs one script on a compute target.")
        .await;
    b.tab_to("#f-references").await;
    b.type_text("https://learn.microsoft.com/azure/machine-learning/how-to-train-model")
        .await;
    // The live preview follows the typing: the drop-down sits in the code, as candidates see it.
    b.until(
        "the live preview's drop-down",
        "(function () { var s = document.querySelector('#live-preview pre select.slot[name=slot1]'); return !!s && s.options.length === 4; })()",
        Duration::from_secs(10),
    )
    .await;
    b.tab_to("button[name=do][value=preview]").await;
    b.press(Key::Enter).await;
    b.until(
        "the server's preview",
        "document.querySelector('#live-preview select.slot') && document.querySelector('.preview-key').innerText.indexOf('command') >= 0",
        Duration::from_secs(10),
    )
    .await;
    let id_kept = b.js("return document.getElementById('f-id').value;").await;
    assert_eq!(
        id_kept,
        json!("team-job-command"),
        "the form keeps what was typed"
    );
    b.tab_to("button[name=do][value=save]").await;
    b.press(Key::Enter).await;
    b.wait_path(
        |p| p.ends_with("/team-job-command/history"),
        "the question's history",
    )
    .await;
    b.tab_to("button[name=action][value=submit]").await;
    b.press(Key::Enter).await;
    b.until(
        "in review",
        "document.querySelector('h1 .pill').innerText.indexOf('In review') >= 0",
        Duration::from_secs(10),
    )
    .await;
    // The author cannot approve their own version.
    assert_eq!(
        b.js("return !!document.querySelector('button[name=action][value=approve]');")
            .await,
        json!(true)
    );
    sign_out(&b).await;

    sign_in(&b, &server, "co@example.com", PASSWORD).await;
    b.goto(&server.url("/author/exams/team-101/questions/team-job-command/history"))
        .await;
    b.tab_to("button[name=action][value=approve]").await;
    b.press(Key::Enter).await;
    b.until(
        "published",
        "document.querySelector('h1 .pill').innerText.indexOf('Published') >= 0",
        Duration::from_secs(10),
    )
    .await;
    sign_out(&b).await;

    sign_in(&b, &server, "pupil@example.com", PASSWORD).await;
    b.goto(&server.url("/practice/team-101")).await;
    let size = b.c.find(Locator::Css("#size")).await.unwrap();
    size.clear().await.unwrap();
    size.send_keys("5").await.unwrap();
    click(&b, "form[action='/practice/team-101'] button[type=submit]").await;
    b.wait_path(|p| p.contains("/items/"), "the practice question")
        .await;
    b.tab_to("select.slot[name=slot1]").await;
    // Options read "A. command" etc. in a per-attempt order: pick the one that says command.
    let value = b
        .js("var s = document.querySelector('select.slot'); for (var i = 0; i < s.options.length; i++) { if (s.options[i].text.indexOf('sweep') < 0 && s.options[i].text.indexOf('pipeline') < 0 && s.options[i].value) return s.options[i].value; } return null;")
        .await;
    assert_eq!(value, json!("A"));
    for _ in 0..4 {
        if b.js("return document.querySelector('select.slot').value;")
            .await
            == json!("A")
        {
            break;
        }
        b.press(Key::Down).await;
    }
    assert_eq!(
        b.js("return document.querySelector('select.slot').value;")
            .await,
        json!("A")
    );
    wait_all_saved(&b).await;
    click(&b, "button[name=nav][value=check]").await;
    b.wait_for("#reveal-title").await;
    let verdict = b.text("#reveal-title").await;
    assert!(verdict.contains("Correct"), "{verdict}");
    b.close().await;
    server.stop().await;
}

/// A break, taken from the question page as a candidate would: the questions already seen close,
/// the next unseen one opens, and the clock kept running.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_break_closes_the_questions_seen_before_it(pool: PgPool) {
    let (mut server, _state) = serve(&pool, &["ai-300"], config()).await;
    let b = Browser::launch(Options::default()).await;
    let email = "break-browser@example.com";
    register(&b, &server, email, "Bao Break").await;
    b.goto(&server.url("/exams/ai-300/instructions")).await;
    click(&b, "form[action$='/attempts'] button[type=submit]").await;
    b.wait_path(|p| p.ends_with("/items/1"), "the first question")
        .await;
    let attempt = attempt_of(&pool, email).await;
    click(&b, "button[name=nav][value=next]").await;
    b.wait_path(|p| p.ends_with("/items/2"), "the second question")
        .await;
    let deadline_before: (time::OffsetDateTime,) =
        sqlx::query_as("SELECT deadline_at FROM attempts WHERE id = $1")
            .bind(attempt)
            .fetch_one(&pool)
            .await
            .unwrap();
    click(&b, "button[name=nav][value=break]").await;
    b.wait_path(|p| p.ends_with("/break"), "the break screen")
        .await;
    assert!(b
        .text("main")
        .await
        .contains("Every question you have seen so far closes"));
    click(&b, "form[action$='/break'] button[type=submit]").await;
    // (The confirmation has a lead paragraph too: wait for the page the post answers.)
    b.until(
        "the break to start",
        "(document.querySelector('main') || document.body).innerText.includes('Your break has started')",
        Duration::from_secs(20),
    )
    .await;
    let text = b.text("main").await;
    assert!(
        text.contains("2 question(s) you had seen are now closed"),
        "the break screen counts the questions it closed: {text}"
    );
    click(&b, "main a.button").await;
    b.wait_path(|p| p.ends_with("/items/3"), "the first unseen question")
        .await;
    b.goto(&server.url(&format!("/attempts/{attempt}/items/1")))
        .await;
    assert!(
        b.text("main").await.contains("closed"),
        "a question seen before the break cannot be reopened"
    );
    let deadline_after: (time::OffsetDateTime,) =
        sqlx::query_as("SELECT deadline_at FROM attempts WHERE id = $1")
            .bind(attempt)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(deadline_before, deadline_after, "the clock kept running");
    b.close().await;
    server.stop().await;
}

/// The studio's pages at 1280 and 360 px: the bank browser sorted by a figure, the drop-down
/// editor with its preview, and a question's history with a diff.
#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
#[ignore = "regenerates docs/screenshots/*-studio-*; run scripts/screenshots"]
async fn studio_screenshots(pool: PgPool) {
    use mockexam::domain::exam_form::{DomainForm, ExamForm};
    let (mut server, _state) = serve(&pool, &["example", "dp-100"], config()).await;
    mockexam::demo::upsert_user(
        &pool,
        "teacher@example.com",
        "Tess Teacher",
        mockexam::types::Role::Instructor,
        PASSWORD,
    )
    .await
    .unwrap();
    let owner: Uuid =
        sqlx::query_scalar("SELECT id FROM users WHERE email = 'teacher@example.com'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let bp = ExamForm {
        code: "TEAM-101".into(),
        title: "Team mock".into(),
        question_count: "2".into(),
        domains: vec![DomainForm {
            code: "models".into(),
            title: "Train models".into(),
            weight_min: "100".into(),
            weight_max: "100".into(),
            objectives: "models.train | Train a model".into(),
        }],
        ..ExamForm::default()
    }
    .to_blueprint()
    .unwrap();
    mockexam::db::studio::create_exam(&pool, &bp, owner.into(), true)
        .await
        .unwrap();
    let fill_editor = "var f = document.getElementById('editor-form');
        var set = function (n, v) { var e = f.querySelector('[name=\"' + n + '\"]'); if (e) e.value = v; };
        set('id', 'team-job-command'); set('objective', 'models.train');
        set('stem', 'Complete the code that runs the training script.\\n\\n```python\\nfrom azure.ai.ml import command\\njob = [[1]](\\n    code=\"./src\",\\n    command=\"python train.py\",\\n    environment=\"azureml:sklearn:1\",\\n    compute=\"[[2]]\",\\n)\\nml_client.jobs.create_or_update(job)\\n```');
        set('slot1_1', '`command`'); set('slot1_2', '`sweep`'); set('slot1_3', '`pipeline`');
        set('slot2_1', 'cpu-cluster'); set('slot2_2', 'local'); set('slot2_3', 'serverless');
        set('keypart1', 'A'); set('keypart2', 'A');
        set('explanation', 'A **command** job runs one script on a compute target.');
        set('references', 'https://learn.microsoft.com/azure/machine-learning/how-to-train-model');
        return 0;";
    for (width, prefix) in [(1280u32, "desktop"), (360, "phone")] {
        let b = Browser::launch(Options {
            phone_width: (width < 1000).then_some(width),
            ..Default::default()
        })
        .await;
        sign_in(&b, &server, "teacher@example.com", PASSWORD).await;
        b.goto(&server.url("/author/exams/dp-100/questions?sort=facility&dir=desc"))
            .await;
        shoot(&b, width, 4000, &format!("{prefix}-studio-browse")).await;
        b.goto(&server.url("/author/exams/team-101/questions/new?kind=dropdown"))
            .await;
        b.js(fill_editor).await;
        click(&b, "button[name=do][value=preview]").await;
        b.wait_for("#live-preview select.slot").await;
        shoot(&b, width, 6000, &format!("{prefix}-studio-editor")).await;
        if prefix == "desktop" {
            click(&b, "button[name=do][value=save]").await;
            b.wait_path(|p| p.ends_with("/history"), "history").await;
            b.goto(&server.url("/author/exams/team-101/questions/team-job-command/edit"))
                .await;
            b.js("document.querySelector('[name=keypart2]').value = 'C'; document.querySelector('[name=note]').value = 'Serverless compute is the answer'; return 0;")
                .await;
            click(&b, "button[name=do][value=save]").await;
            b.wait_path(|p| p.ends_with("/history"), "history").await;
        }
        b.goto(&server.url("/author/exams/team-101/questions/team-job-command/history"))
            .await;
        shoot(&b, width, 6000, &format!("{prefix}-studio-history")).await;
        b.close().await;
    }
    server.stop().await;
}
