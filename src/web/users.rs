//! Account administration (admins only): the list of accounts and their roles.

use super::session::Admin;
use super::{render, PageCtx};
use crate::db;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::types::{Role, UserId};
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users_page))
        .route("/admin/users/{id}/role", post(set_role))
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    ctx: PageCtx,
    users: Vec<db::users::User>,
    me: UserId,
    roles: &'static [Role],
}

async fn users_page(State(state): State<AppState>, Admin(user): Admin) -> Result<Response> {
    let users = db::users::list(&state.db).await?;
    render(&UsersPage {
        ctx: PageCtx::new(Some(&user)),
        me: user.id,
        users,
        roles: Role::ALL,
    })
}

#[derive(serde::Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
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
    if id == admin.id {
        return Err(AppError::BadRequest(
            "You cannot change your own role.".into(),
        ));
    }
    db::users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    db::users::set_role(&state.db, id, role).await?;
    Ok(Redirect::to("/admin/users").into_response())
}
