//! Drill-down: a member's readiness report, for the cohort's instructors only.

use super::super::readiness::{report_page, Viewing};
use super::super::CurrentUser;
use super::{parse_id, taught};
use crate::db;
use crate::error::{AppError, Result};
use crate::state::AppState;
use crate::types::UserId;
use axum::extract::{Path, State};
use axum::response::Response;

pub(super) async fn report(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((id, member)): Path<(String, String)>,
) -> Result<Response> {
    let (c, exam) = taught(&state, &user, &id).await?;
    let member: UserId = parse_id(&member)?;
    if !db::cohorts::is_member(&state.db, c.id, member).await? {
        return Err(AppError::NotFound);
    }
    let who = db::users::by_id(&state.db, member)
        .await?
        .ok_or(AppError::NotFound)?;
    let viewing = Viewing {
        name: who.display_name,
        back_href: format!("/cohorts/{}", c.id),
        back_label: format!("Back to {}", c.name),
    };
    report_page(&state, &user, member, &exam, Some(viewing)).await
}
