//! The account's own pages: overview, email change, sessions, privacy, export and deletion.

use crate::accounts::{self, privacy, recovery, PasswordCheck};
use crate::db;
use crate::db::users::User;
use crate::domain::device;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::web::format;
use crate::web::session::{clear_cookie, Browser};
use crate::web::{render, render_with_status, CurrentUser, MaybeUser, PageCtx};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(overview))
        .route("/account/email", get(email_page).post(change_email))
        .route("/account/sessions", get(sessions_page))
        .route("/account/sessions/{id}/end", post(end_session))
        .route("/account/sessions/end-all", post(end_all_sessions))
        .route("/privacy", get(privacy_page))
        .route("/account/export", get(export))
        .route("/account/delete", get(delete_page).post(delete_account))
}

/// An account's verification state, as the overview and home page say it.
pub struct Verification {
    pub verified: bool,
    pub email: String,
    /// When an unverified account will be deleted.
    pub deadline: String,
}

impl Verification {
    pub fn of(user: &User, days: i64) -> Verification {
        Verification {
            verified: user.is_verified(),
            email: user.email.clone(),
            deadline: format::time(user.created_at + time::Duration::days(days)),
        }
    }
}

#[derive(Template)]
#[template(path = "account/overview.html")]
struct Overview {
    ctx: PageCtx,
    user: User,
    verification: Verification,
    created: String,
}

async fn overview(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    render(&Overview {
        ctx: PageCtx::new(Some(&user)),
        verification: Verification::of(&user, state.config.unverified_days),
        created: format::time(user.created_at),
        user,
    })
}

#[derive(Template)]
#[template(path = "account/email.html")]
struct EmailPage {
    ctx: PageCtx,
    current: String,
    email: String,
    errors: Vec<String>,
    sent: Option<String>,
}

async fn email_page(CurrentUser(user): CurrentUser) -> Result<Response> {
    render(&EmailPage {
        ctx: PageCtx::new(Some(&user)),
        current: user.email.clone(),
        email: String::new(),
        errors: vec![],
        sent: None,
    })
}

#[derive(serde::Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    current_password: String,
}

async fn change_email(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    browser: Browser,
    Form(form): Form<EmailForm>,
) -> Result<Response> {
    let email = accounts::normalise_email(&form.email);
    let page = |errors: Vec<String>, sent: Option<String>| EmailPage {
        ctx: PageCtx::new(Some(&user)),
        current: user.email.clone(),
        email: email.clone(),
        errors,
        sent,
    };
    let mut errors: Vec<String> = accounts::email_problem(&email).into_iter().collect();
    if email == user.email {
        errors.push("That is already your address.".into());
    }
    let client = browser.client();
    let check = accounts::confirm_current(
        &state.db,
        &state.config,
        &user,
        &client,
        form.current_password,
    );
    match check.await? {
        PasswordCheck::Right(_) => {}
        PasswordCheck::Throttled(secs) => errors.push(format!(
            "Too many failed password checks. Try again in {secs} s."
        )),
        _ => errors.push("Your current password is not right.".into()),
    }
    if !errors.is_empty() {
        return render_with_status(&page(errors, None), StatusCode::UNPROCESSABLE_ENTITY);
    }
    recovery::request_email_change(&state, &user, &email).await?;
    let sent = format!("We mailed a link to {email}. Your address changes when you open it; until then it stays {}.", user.email);
    render(&page(vec![], Some(sent)))
}

/// One session as the sessions page shows it.
struct SessionLine {
    id: uuid::Uuid,
    device: String,
    ip: String,
    signed_in: String,
    last_seen: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "account/sessions.html")]
struct SessionsPage {
    ctx: PageCtx,
    sessions: Vec<SessionLine>,
    notice: Option<String>,
    idle_days: i64,
    absolute_days: i64,
}

impl SessionsPage {
    fn new(state: &AppState, user: &User, sessions: Vec<SessionLine>) -> SessionsPage {
        SessionsPage {
            ctx: PageCtx::new(Some(user)),
            sessions,
            notice: None,
            idle_days: state.config.session_hours / 24,
            absolute_days: state.config.session_absolute_hours / 24,
        }
    }
}

async fn sessions_list(
    state: &AppState,
    user: &User,
    browser: &Browser,
) -> Result<Vec<SessionLine>> {
    let rows = db::sessions::list_for_user(&state.db, user.id, browser.session.as_deref()).await?;
    Ok(rows
        .into_iter()
        .map(|s| SessionLine {
            id: s.id,
            device: device::describe(&s.user_agent),
            ip: s.ip,
            signed_in: format::time(s.created_at),
            last_seen: format::time(s.last_seen_at),
            current: s.current,
        })
        .collect())
}

async fn sessions_page(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    browser: Browser,
) -> Result<Response> {
    let sessions = sessions_list(&state, &user, &browser).await?;
    render(&SessionsPage::new(&state, &user, sessions))
}

async fn end_session(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    browser: Browser,
    Path(id): Path<uuid::Uuid>,
) -> Result<Response> {
    // Only the signed-in user's own sessions: any other id is "not found".
    if !db::sessions::delete_by_id(&state.db, user.id, id).await? {
        return Err(AppError::NotFound);
    }
    let sessions = sessions_list(&state, &user, &browser).await?;
    if !sessions.iter().any(|s| s.current) {
        // The browser ended its own session.
        let mut resp = Redirect::to("/login").into_response();
        clear_cookie(&mut resp, state.config.secure_cookies);
        return Ok(resp);
    }
    let mut page = SessionsPage::new(&state, &user, sessions);
    page.notice = Some("That session was signed out.".into());
    render(&page)
}

async fn end_all_sessions(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Response> {
    db::sessions::delete_all(&state.db, user.id).await?;
    let mut resp = Redirect::to("/login").into_response();
    clear_cookie(&mut resp, state.config.secure_cookies);
    Ok(resp)
}

#[derive(Template)]
#[template(path = "account/privacy.html")]
struct PrivacyPage {
    ctx: PageCtx,
    signed_in: bool,
    unverified_days: i64,
    session_days: i64,
    absolute_days: i64,
}

async fn privacy_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> Result<Response> {
    let cfg = &state.config;
    render(&PrivacyPage {
        ctx: PageCtx::new(user.as_ref()),
        signed_in: user.is_some(),
        unverified_days: cfg.unverified_days,
        session_days: cfg.session_hours / 24,
        absolute_days: cfg.session_absolute_hours / 24,
    })
}

async fn export(State(state): State<AppState>, CurrentUser(user): CurrentUser) -> Result<Response> {
    let doc = privacy::export(&state, &user).await?;
    let body = serde_json::to_vec_pretty(&doc).map_err(anyhow::Error::from)?;
    let name = format!(
        "mockexam-data-{}.json",
        time::OffsetDateTime::now_utc().date()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "account/delete.html")]
struct DeletePage {
    ctx: PageCtx,
    errors: Vec<String>,
}

async fn delete_page(CurrentUser(user): CurrentUser) -> Result<Response> {
    render(&DeletePage {
        ctx: PageCtx::new(Some(&user)),
        errors: vec![],
    })
}

#[derive(serde::Deserialize)]
struct DeleteForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    confirm: String,
}

async fn delete_account(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    browser: Browser,
    Form(form): Form<DeleteForm>,
) -> Result<Response> {
    let mut errors = Vec::new();
    if form.confirm != "yes" {
        errors.push("Tick the box to confirm that everything should be deleted.".to_string());
    }
    let client = browser.client();
    match accounts::confirm_current(
        &state.db,
        &state.config,
        &user,
        &client,
        form.current_password,
    )
    .await?
    {
        PasswordCheck::Right(_) => {}
        PasswordCheck::Throttled(secs) => errors.push(format!(
            "Too many failed password checks. Try again in {secs} s."
        )),
        _ => errors.push("Your current password is not right.".into()),
    }
    if !errors.is_empty() {
        let page = DeletePage {
            ctx: PageCtx::new(Some(&user)),
            errors,
        };
        return render_with_status(&page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    privacy::delete_own_account(&state, &user).await?;
    let mut resp = Redirect::to("/login?done=deleted").into_response();
    clear_cookie(&mut resp, state.config.secure_cookies);
    Ok(resp)
}
