//! Account administration (admins only): the searchable list of accounts, one account's page
//! with its actions (disable and re-enable, reset link, role with confirmation, delete),
//! invitations, the audit log and the outbox of mails written when no SMTP server is set.

use super::session::Admin;
use super::{format, render, render_with_status, PageCtx};
use crate::accounts::{self, admin::Outcome};
use crate::db;
use crate::db::users::{User, UserRow};
use crate::error::{AppError, Result};
use crate::mail::OutboxMail;
use crate::state::AppState;
use crate::types::{AuditAction, Role, UserId, UserSort};
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users_page))
        .route("/admin/users/invite", post(invite))
        .route("/admin/users/{id}", get(user_page))
        .route("/admin/users/{id}/disable", post(disable))
        .route("/admin/users/{id}/enable", post(enable))
        .route("/admin/users/{id}/reset", post(send_reset))
        .route("/admin/users/{id}/role", post(set_role))
        .route("/admin/users/{id}/delete", get(delete_page).post(delete))
        .route("/admin/audit", get(audit_page))
        .route("/admin/outbox", get(outbox_page))
        .route("/admin/outbox/{file}", get(outbox_mail))
}

const PER_PAGE: i64 = 25;

/// The list's query: search text, sort and page (1-based).
#[derive(serde::Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<i64>,
}

/// One account in the list, ready to show.
struct Line {
    id: UserId,
    name: String,
    email: String,
    role: Role,
    status: &'static str,
    joined: String,
    last_seen: String,
}

fn status_of(u: &User) -> &'static str {
    match (u.is_disabled(), u.is_verified()) {
        (true, _) => "disabled",
        (false, false) => "unconfirmed",
        (false, true) => "active",
    }
}

impl From<UserRow> for Line {
    fn from(r: UserRow) -> Line {
        Line {
            id: r.user.id,
            status: status_of(&r.user),
            name: r.user.display_name,
            email: r.user.email,
            role: r.user.role,
            joined: format::time(r.user.created_at),
            last_seen: r
                .last_seen_at
                .map(format::time)
                .unwrap_or_else(|| "never".into()),
        }
    }
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    ctx: PageCtx,
    lines: Vec<Line>,
    q: String,
    sort: UserSort,
    sorts: &'static [UserSort],
    page: i64,
    pages: i64,
    total: i64,
    roles: &'static [Role],
    /// The invitation form, filled again when it had problems.
    invite: InviteForm,
    errors: Vec<String>,
    notice: Option<String>,
}

impl UsersPage {
    /// The list's address for another page, keeping the search and sort.
    fn page_href(&self, page: i64) -> String {
        let q: String = form_urlencoded::byte_serialize(self.q.as_bytes()).collect();
        format!("/admin/users?q={q}&sort={}&page={page}", self.sort)
    }
}

async fn list_page(state: &AppState, admin: &User, query: &ListQuery) -> Result<UsersPage> {
    let sort = UserSort::parse(&query.sort).unwrap_or(UserSort::Newest);
    let q = query.q.trim().to_string();
    let page = query.page.unwrap_or(1).max(1);
    let (rows, total) =
        db::users::search(&state.db, &q, sort, PER_PAGE, (page - 1) * PER_PAGE).await?;
    Ok(UsersPage {
        ctx: PageCtx::new(Some(admin)),
        lines: rows.into_iter().map(Line::from).collect(),
        q,
        sort,
        sorts: UserSort::ALL,
        page,
        pages: ((total + PER_PAGE - 1) / PER_PAGE).max(1),
        total,
        roles: Role::ALL,
        invite: InviteForm::default(),
        errors: vec![],
        notice: None,
    })
}

async fn users_page(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Query(query): Query<ListQuery>,
) -> Result<Response> {
    render(&list_page(&state, &admin, &query).await?)
}

#[derive(serde::Deserialize, Default)]
struct InviteForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
}

async fn invite(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Form(form): Form<InviteForm>,
) -> Result<Response> {
    let email = accounts::normalise_email(&form.email);
    let name = form.display_name.trim().to_string();
    let mut errors: Vec<String> = accounts::email_problem(&email).into_iter().collect();
    if name.is_empty() || name.chars().count() > 80 {
        errors.push("Enter a display name of 1 to 80 characters.".into());
    }
    let role = Role::parse(&form.role);
    if role.is_none() {
        errors.push("Choose a role: candidate, instructor or admin.".into());
    }
    if let (true, Some(role)) = (errors.is_empty(), role) {
        match accounts::admin::invite(&state, &admin, &email, &name, role).await? {
            Ok((user, outcome)) => return account_page(&state, &admin, &user, outcome).await,
            Err(problem) => errors.push(problem),
        }
    }
    let mut page = list_page(&state, &admin, &ListQuery::default()).await?;
    page.invite = InviteForm {
        email,
        display_name: name,
        role: form.role,
    };
    page.errors = errors;
    render_with_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    ctx: PageCtx,
    user: User,
    line: Line,
    sessions: i64,
    is_me: bool,
    roles: &'static [Role],
    notice: Option<String>,
    problem: Option<String>,
    /// A role change waiting for confirmation.
    confirm_role: Option<Role>,
}

async fn load(state: &AppState, id: UserId) -> Result<(User, Line, i64)> {
    let row = db::users::row(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (user, sessions) = (row.user.clone(), row.sessions);
    Ok((user, Line::from(row), sessions))
}

fn user_view(admin: &User, user: User, line: Line, sessions: i64) -> UserPage {
    UserPage {
        ctx: PageCtx::new(Some(admin)),
        is_me: admin.id == user.id,
        user,
        line,
        sessions,
        roles: Role::ALL,
        notice: None,
        problem: None,
        confirm_role: None,
    }
}

/// The account's page after an action, with what it did (200) or why not (409).
async fn account_page(
    state: &AppState,
    admin: &User,
    user: &User,
    outcome: Outcome,
) -> Result<Response> {
    let (user, line, sessions) = load(state, user.id).await?;
    let mut page = user_view(admin, user, line, sessions);
    match outcome {
        Outcome::Done(m) => page.notice = Some(m),
        Outcome::Refused(m) => {
            page.problem = Some(m);
            return render_with_status(&page, StatusCode::CONFLICT);
        }
        Outcome::NotFound => return Err(AppError::NotFound),
    }
    render(&page)
}

async fn user_page(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<UserId>,
) -> Result<Response> {
    let (user, line, sessions) = load(&state, id).await?;
    render(&user_view(&admin, user, line, sessions))
}

/// Runs an admin action on the account and shows its page with the outcome.
async fn act(state: &AppState, admin: &User, id: UserId, outcome: Outcome) -> Result<Response> {
    let user = db::users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    account_page(state, admin, &user, outcome).await
}

async fn disable(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<UserId>,
) -> Result<Response> {
    let outcome = accounts::admin::set_disabled(&state, &admin, id, true).await?;
    act(&state, &admin, id, outcome).await
}

async fn enable(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<UserId>,
) -> Result<Response> {
    let outcome = accounts::admin::set_disabled(&state, &admin, id, false).await?;
    act(&state, &admin, id, outcome).await
}

async fn send_reset(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<UserId>,
) -> Result<Response> {
    let outcome = accounts::admin::send_reset(&state, &admin, id).await?;
    act(&state, &admin, id, outcome).await
}

#[derive(serde::Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
    /// "yes" once the admin confirmed the change on the confirmation page.
    #[serde(default)]
    confirm: String,
}

async fn set_role(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<UserId>,
    Form(form): Form<RoleForm>,
) -> Result<Response> {
    let role = Role::parse(&form.role).ok_or_else(|| {
        AppError::BadRequest(format!(
            "“{}” is not a role (candidate, instructor, admin).",
            form.role
        ))
    })?;
    if form.confirm == "yes" {
        let outcome = accounts::admin::change_role(&state, &admin, id, role).await?;
        return act(&state, &admin, id, outcome).await;
    }
    // First the question: the change is made only after the admin confirms it.
    let (user, line, sessions) = load(&state, id).await?;
    let mut page = user_view(&admin, user, line, sessions);
    if page.is_me {
        page.problem = Some("You cannot change the role of your own account.".into());
        return render_with_status(&page, StatusCode::CONFLICT);
    }
    if page.user.role == role {
        page.notice = Some(format!(
            "{} is already {role}; nothing changed.",
            page.user.email
        ));
    } else {
        page.confirm_role = Some(role);
    }
    render(&page)
}

#[derive(Template)]
#[template(path = "admin/delete_user.html")]
struct DeleteUserPage {
    ctx: PageCtx,
    user: User,
}

async fn delete_page(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<UserId>,
) -> Result<Response> {
    let user = db::users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&DeleteUserPage {
        ctx: PageCtx::new(Some(&admin)),
        user,
    })
}

async fn delete(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<UserId>,
) -> Result<Response> {
    match accounts::admin::delete(&state, &admin, id).await? {
        Outcome::Done(m) => {
            let mut page = list_page(&state, &admin, &ListQuery::default()).await?;
            page.notice = Some(m);
            render(&page)
        }
        other => act(&state, &admin, id, other).await,
    }
}

struct AuditLine {
    at: String,
    actor: String,
    action: AuditAction,
    target: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    ctx: PageCtx,
    lines: Vec<AuditLine>,
    page: i64,
    pages: i64,
}

#[derive(serde::Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    page: Option<i64>,
}

async fn audit_page(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Query(q): Query<PageQuery>,
) -> Result<Response> {
    let page = q.page.unwrap_or(1).max(1);
    let (rows, total) = db::audit::page(&state.db, 50, (page - 1) * 50).await?;
    let lines = rows
        .into_iter()
        .map(|r| AuditLine {
            at: format::time(r.at),
            actor: r.actor_email,
            action: r.action,
            target: r.target_email,
            detail: r.detail,
        })
        .collect();
    render(&AuditPage {
        ctx: PageCtx::new(Some(&admin)),
        lines,
        page,
        pages: ((total + 49) / 50).max(1),
    })
}

#[derive(Template)]
#[template(path = "admin/outbox.html")]
struct OutboxPage {
    ctx: PageCtx,
    /// `None`: mails go to an SMTP server, so there is no outbox.
    folder: Option<String>,
    mails: Vec<OutboxMail>,
}

async fn outbox_page(State(state): State<AppState>, Admin(admin): Admin) -> Result<Response> {
    let (folder, mails) = match state.mailer.outbox() {
        Some(dir) => (
            Some(dir.display().to_string()),
            crate::mail::list_outbox(dir, 200).await?,
        ),
        None => (None, vec![]),
    };
    render(&OutboxPage {
        ctx: PageCtx::new(Some(&admin)),
        folder,
        mails,
    })
}

#[derive(Template)]
#[template(path = "admin/outbox_mail.html")]
struct OutboxMailPage {
    ctx: PageCtx,
    mail: OutboxMail,
}

async fn outbox_mail(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(file): Path<String>,
) -> Result<Response> {
    let dir = state.mailer.outbox().ok_or(AppError::NotFound)?;
    let mail = crate::mail::read_outbox(dir, &file)
        .await?
        .ok_or(AppError::NotFound)?;
    render(&OutboxMailPage {
        ctx: PageCtx::new(Some(&admin)),
        mail,
    })
}
