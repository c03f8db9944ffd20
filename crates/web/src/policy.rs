//! The security policy the security admin maintains, stored as a setting and read on
//! each sign-in and request (one indexed key lookup), so every instance enforces the
//! same values at once.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use zongzhi_core::account::SecurityPolicy;
use zongzhi_core::role::Permission;

use crate::auth::{CurrentUser, SessionCtx};
use crate::error::{ApiError, ApiResult, Validation};
use crate::extract::ApiJson;
use crate::state::AppState;

/// The policy in force (the baseline when none was saved or the saved one is unreadable).
pub async fn current(state: &AppState) -> ApiResult<SecurityPolicy> {
    let Some(v) = state.store.get_setting(SecurityPolicy::SETTING_KEY).await? else {
        return Ok(SecurityPolicy::default());
    };
    match serde_json::from_value::<SecurityPolicy>(v) {
        Ok(p) if p.problems().is_empty() => Ok(p),
        _ => {
            tracing::warn!("stored security policy is invalid; enforcing the baseline");
            Ok(SecurityPolicy::default())
        }
    }
}

/// The idle timeout in force: the stricter of the configuration and the policy.
pub fn idle_minutes(state: &AppState, p: &SecurityPolicy) -> i64 {
    state
        .config
        .security
        .idle_timeout_minutes
        .min(p.idle_timeout_minutes)
}

/// Saves a new policy (security admin); every field error is reported at once.
pub async fn save_as(
    state: &AppState,
    ctx: &SessionCtx,
    p: SecurityPolicy,
) -> ApiResult<SecurityPolicy> {
    ctx.require(Permission::ManagePolicies)?;
    let mut v = Validation::default();
    for (field, code, msg) in p.problems() {
        v.check::<()>(field, Err((code, msg)));
    }
    v.finish()?;
    let value = serde_json::to_value(p).map_err(|e| ApiError::internal(&e))?;
    let audit = ctx
        .audit("security_policy.update", "setting")
        .detail(value.clone());
    state
        .store
        .put_setting(SecurityPolicy::SETTING_KEY, &value, audit)
        .await?;
    Ok(p)
}

/// The policy as the API shows it.
#[derive(Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PolicyView {
    /// Failed sign-ins that lock an account (3–5).
    pub max_failed_logins: i64,
    /// Minutes an account stays locked (15–1440).
    pub lockout_minutes: i64,
    /// Minutes of inactivity that end a session (5–30).
    pub idle_timeout_minutes: i64,
    /// Shortest password (8–32).
    pub password_min_length: usize,
}

impl From<SecurityPolicy> for PolicyView {
    fn from(p: SecurityPolicy) -> Self {
        Self {
            max_failed_logins: p.max_failed_logins,
            lockout_minutes: p.lockout_minutes,
            idle_timeout_minutes: p.idle_timeout_minutes,
            password_min_length: p.password_min_length,
        }
    }
}

impl From<PolicyView> for SecurityPolicy {
    fn from(p: PolicyView) -> Self {
        Self {
            max_failed_logins: p.max_failed_logins,
            lockout_minutes: p.lockout_minutes,
            idle_timeout_minutes: p.idle_timeout_minutes,
            password_min_length: p.password_min_length,
        }
    }
}

/// `GET /api/v1/security-policy`
#[utoipa::path(get, path = "/api/v1/security-policy", tag = "security", responses((status = 200, description = "The policy in force", body = PolicyView), (status = 403, description = "Forbidden", body = crate::error::Problem)))]
pub async fn get_policy(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<PolicyView>> {
    user.require(Permission::ManagePolicies)?;
    Ok(Json(current(&state).await?.into()))
}

/// `PUT /api/v1/security-policy`
#[utoipa::path(put, path = "/api/v1/security-policy", tag = "security", request_body = PolicyView, responses((status = 200, description = "Saved", body = PolicyView), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 422, description = "Out of range", body = crate::error::Problem)))]
pub async fn put_policy(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(p): ApiJson<PolicyView>,
) -> ApiResult<Response> {
    let saved = save_as(&state, &user, p.into()).await?;
    Ok(crate::api::audited(Json(PolicyView::from(saved))))
}
