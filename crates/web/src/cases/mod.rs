//! The case service: intake, actions, reads, parties and attachments. The JSON API
//! (`api/cases.rs`) and the console call these `*_as` functions; each takes the signed-in
//! [`SessionCtx`], authorises, validates (every field error at once, in Chinese), asks the
//! domain state machine (`zongzhi_core::case::machine`) what is allowed, and makes one store
//! call that applies the caller's scope in SQL and writes the audit row in the same
//! transaction.
//!
//! Audit rows of case writes carry ids and codes only: never case text or personal data.

mod act;
mod attachments;
mod intake;
mod parties;
mod payload;
mod read;
mod storage;
mod targets;
mod text;
pub mod views;

pub use act::{ActionRequest, act_as};
pub use attachments::{
    MAX_ATTACHMENT_BYTES, MAX_FILES_PER_REQUEST, UploadedFile, add_attachments_as,
    read_attachment_as,
};
pub use intake::{NewCaseRequest, create_case_as, parse_idempotency_key};
// The party sealing labels are shared with the demo history, whose generated parties must
// decrypt and match by blind index exactly like registered ones.
pub use parties::{
    ID_CARD_AAD, ID_CARD_INDEX, PHONE_AAD, PHONE_INDEX, PartyRequest, RevealedParty, may_reveal,
    reveal_party_as,
};
pub use read::{CaseListQuery, CaseWithActions, count_cases_as, get_case_as, list_cases_as};
pub use storage::{attachment_path, sweep_orphans};
pub use targets::{RouteTargets, route_targets_as};
pub use zongzhi_store::CreatedCase;

use axum::http::StatusCode;
use serde_json::json;
use zongzhi_core::case::{ActorCtx, CaseError};
use zongzhi_core::role::Scope;
use zongzhi_store::{Case, StoreError};

use crate::auth::SessionCtx;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The whole tree: for the service's own look-ups of reference rows (a route target's
/// department, the center's ancestors) that lie outside the caller's subtree. Never used to
/// return case data.
pub(crate) fn whole_tree() -> Scope {
    Scope::subtree(0, "/")
}

/// The caller as the state machine sees them relative to `case`.
///
/// `in_scope`: the caller has no department restriction and the case's responsible center
/// is their unit or below it. Only the center counts, not the case's location: after 提级
/// the case belongs to the higher center, and the town it came from may read it but no
/// longer route or close it.
/// `is_holder`: the caller's department leads the case, or the caller's unit is the
/// lower-tier center holding it.
pub(crate) async fn actor_ctx(
    state: &AppState,
    ctx: &SessionCtx,
    case: &Case,
) -> ApiResult<ActorCtx> {
    let scope = ctx.scope();
    let in_scope = if scope.department_id.is_some() {
        false
    } else {
        match state
            .store
            .get_org_unit(&scope, case.state.center_unit_id)
            .await
        {
            Ok(_) => true,
            Err(StoreError::NotFound) => false,
            Err(e) => return Err(e.into()),
        }
    };
    let dept_holds = ctx
        .account
        .department_id
        .is_some_and(|d| case.state.holder_department_id() == Some(d));
    let unit_holds = case.state.holder_unit_id() == Some(ctx.account.org_unit_id);
    Ok(ActorCtx {
        roles: ctx.account.roles.clone(),
        in_scope,
        is_holder: dept_holds || unit_holds,
        case: case.state.facts,
    })
}

/// A refusal of the state machine or a bad payload as an API error: 409
/// `action_not_allowed` with `allowed_actions`, 403 `channel_not_permitted`, or a 422 field
/// error named after the request field.
pub(crate) fn case_error(e: CaseError) -> ApiError {
    match &e {
        CaseError::NotAllowed { allowed, .. } => not_allowed(allowed),
        CaseError::ChannelNotPermitted { .. } => ApiError::new(StatusCode::FORBIDDEN, e.code())
            .with_field("channel", e.code(), e.message_zh()),
        _ => ApiError::field(
            request_field(e.field().unwrap_or("action")),
            e.code(),
            e.message_zh(),
        ),
    }
}

/// 409 `action_not_allowed` listing what the caller may do instead.
pub(crate) fn not_allowed(allowed: &[zongzhi_core::case::ActionKind]) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "action_not_allowed").with_extra(
        "allowed_actions",
        json!(allowed.iter().map(|k| k.as_str()).collect::<Vec<_>>()),
    )
}

/// The request field a payload field travels in: `reason` and `answer` arrive as `note`
/// (aliases of [`ActionRequest::note`]); a route target's `id` as `department_id`.
fn request_field(payload_field: &str) -> &str {
    match payload_field {
        "reason" | "answer" => "note",
        "id" => "department_id",
        other => other,
    }
}

/// The allowed actions as the API spells them.
pub(crate) fn action_names(kinds: &[zongzhi_core::case::ActionKind]) -> Vec<String> {
    kinds.iter().map(|k| k.as_str().to_owned()).collect()
}
