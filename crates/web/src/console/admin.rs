//! 系统管理 pages: org units, departments, accounts, audit log, policies, profile.

use axum::Router;

use crate::state::AppState;

/// Admin routes.
pub fn routes() -> Router<AppState> {
    Router::new()
}
