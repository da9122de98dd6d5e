//! Account pages beyond sign-in: recovery by email (forgot password, reset, verification,
//! invitations), the account's own pages (overview, email, sessions, privacy, export, deletion).
//! Administration of other accounts is `web::users`.

pub mod account;
pub mod recovery;

use crate::state::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(recovery::router())
        .merge(account::router())
}
