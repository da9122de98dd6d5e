//! The theme a visitor chooses (system, light, dark, high contrast) is kept in a cookie and every
//! page is drawn in it by the server, with the chooser showing which one is on.

use crate::helpers as common;
use axum::body::Body;
use axum::http::{header, Request};
use common::{TestApp, TestResponse};
use sqlx::PgPool;

/// A GET as a browser holding `theme` in its theme cookie (and the app's session) sends it.
async fn get_with_theme(app: &mut TestApp, path: &str, theme: &str) -> TestResponse {
    let mut cookies = format!("mockexam_theme={theme}");
    if let Some(session) = &app.cookie {
        cookies = format!("mockexam_session={session}; {cookies}");
    }
    let req = Request::builder()
        .uri(path)
        .header(header::HOST, "localhost")
        .header(header::COOKIE, cookies)
        .body(Body::empty())
        .unwrap();
    app.send(req).await
}

fn theme_cookie(resp: &TestResponse) -> Option<String> {
    resp.headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("mockexam_theme="))
        .map(str::to_string)
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn a_new_visitor_follows_the_system_and_sees_the_chooser(pool: PgPool) {
    let mut app = TestApp::new(pool);
    let page = app.get("/exams").await;
    page.assert_status(200)
        .assert_selector("html[data-theme=auto]")
        .assert_selector(
            "form#theme[method=post][action='/theme'] input[name=next][value='/exams']",
        )
        .assert_contains("Theme");
    let buttons = page.select("form#theme fieldset button[name=theme]");
    let offered: Vec<(&str, &str, String)> = buttons
        .iter()
        .map(|b| {
            (
                b.value().attr("value").unwrap(),
                b.value().attr("aria-pressed").unwrap(),
                b.text().collect::<String>(),
            )
        })
        .collect();
    assert_eq!(
        offered,
        vec![
            ("auto", "true", "✓ System".to_string()),
            ("light", "false", "Light".to_string()),
            ("dark", "false", "Dark".to_string()),
            ("contrast", "false", "High contrast".to_string()),
        ]
    );
    page.assert_selector("form#theme fieldset > legend");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn choosing_a_theme_sets_a_lasting_cookie_and_goes_back(pool: PgPool) {
    let mut app = TestApp::new(pool);
    let resp = app
        .post(
            "/theme",
            &[("theme", "contrast"), ("next", "/exams/dp-100?tab=2")],
        )
        .await;
    resp.assert_status(303);
    assert_eq!(resp.location(), "/exams/dp-100?tab=2#theme");
    let cookie = theme_cookie(&resp).expect("a theme cookie");
    assert!(cookie.starts_with("mockexam_theme=contrast;"), "{cookie}");
    for part in ["Path=/", "HttpOnly", "SameSite=Lax", "Max-Age=34560000"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    // Only same-site paths are followed.
    for next in ["//evil.example/", "https://evil.example/", ""] {
        let resp = app
            .post("/theme", &[("theme", "dark"), ("next", next)])
            .await;
        resp.assert_status(303);
        assert_eq!(resp.location(), "/#theme", "next = {next:?}");
    }
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn every_page_is_drawn_in_the_chosen_theme(pool: PgPool) {
    common::import_bank(&pool, "question-bank/example").await;
    let mut app = common::candidate(&pool, "themed@example.com").await;
    for (theme, label) in [
        ("light", "Light"),
        ("dark", "Dark"),
        ("contrast", "High contrast"),
    ] {
        for path in ["/", "/exams", "/exams/ex-100", "/attempts", "/no-such-page"] {
            let page = get_with_theme(&mut app, path, theme).await;
            page.assert_contains("My attempts")
                .assert_selector(&format!("html[data-theme={theme}]"))
                .assert_selector(&format!(
                    "form#theme button[value={theme}][aria-pressed=true]"
                ));
            let pressed = page.select("form#theme button[aria-pressed=true]");
            assert_eq!(pressed.len(), 1, "{path}: one theme is on");
            assert!(
                pressed[0].text().collect::<String>().ends_with(label),
                "{path}"
            );
        }
    }
    // A cookie naming no theme is ignored.
    get_with_theme(&mut app, "/", "purple")
        .await
        .assert_selector("html[data-theme=auto]");
}

#[sqlx::test(migrator = "mockexam::db::MIGRATOR")]
async fn an_unknown_theme_is_refused_in_the_site_layout(pool: PgPool) {
    let mut app = TestApp::new(pool);
    let resp = app
        .post("/theme", &[("theme", "purple"), ("next", "/exams")])
        .await;
    resp.assert_status(422)
        .assert_contains("There is no such theme")
        .assert_selector("form#theme button[value=contrast]");
    assert_eq!(theme_cookie(&resp), None, "nothing is remembered");
    // A post from another site is refused by the CSRF layer.
    let req = Request::builder()
        .method("POST")
        .uri("/theme")
        .header(header::HOST, "localhost")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from("theme=dark&next=%2F"))
        .unwrap();
    let resp = app.send(req).await;
    resp.assert_status(403);
    assert_eq!(theme_cookie(&resp), None);
}
