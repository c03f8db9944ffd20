//! 事件 pages: 工作台 (the case workbench at `/`), 事件登记, 事件列表, 事件详情 with its
//! action forms, and 督办.
//!
//! Every page calls the case service (`crate::cases::*_as`), the same functions as the JSON
//! API, so rules, validation, scope and audit are identical; the console only turns form
//! fields into requests and errors into Chinese messages beside the fields.

mod action_forms;
mod actions;
mod detail;
mod form;
mod intake;
mod list;
mod supervision;
mod timeline;
mod views;
pub mod workbench;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use zongzhi_core::case::{ActionKind, ActorCtx, CaseStatus, allowed_actions};
use zongzhi_core::role::{Permission, Role};

use crate::auth::SessionCtx;
use crate::cases::{MAX_ATTACHMENT_BYTES, MAX_FILES_PER_REQUEST};
use crate::state::AppState;

/// Largest multipart body the console's upload forms accept: a full set of attachments
/// plus the form's text fields. The session layer buffers up to this much to find the CSRF
/// token of a multipart form.
pub const UPLOAD_BODY_LIMIT: usize = MAX_FILES_PER_REQUEST * MAX_ATTACHMENT_BYTES + 1024 * 1024;

/// Case routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases", get(list::list))
        .route(
            "/cases/new",
            get(intake::new_page)
                .post(intake::create)
                .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/cases/{id}", get(detail::show))
        .route("/cases/{id}/actions", post(actions::act))
        .route(
            "/cases/{id}/attachments",
            post(detail::upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route(
            "/cases/{id}/parties/{party_id}/reveal",
            post(detail::reveal),
        )
        .route("/supervision", get(supervision::list))
}

/// Whether `role` may register cases, as the state machine says for a new case in the
/// user's own unit.
fn can_register_as(role: Role) -> bool {
    let actor = ActorCtx {
        roles: vec![role],
        in_scope: true,
        ..ActorCtx::default()
    };
    allowed_actions(CaseStatus::INITIAL, &actor).contains(&ActionKind::Register)
}

/// Whether the user may register cases (事件登记), so the menu never offers what the
/// service would refuse.
pub fn can_register(ctx: &SessionCtx) -> bool {
    ctx.can(Permission::WriteCases) && ctx.account.roles.iter().any(|&r| can_register_as(r))
}

/// Whether the user sees the 督办 page: those who supervise (dispatchers, leaders).
pub fn can_supervise(ctx: &SessionCtx) -> bool {
    ctx.has_role(Role::Dispatcher) || ctx.has_role(Role::Leader)
}
