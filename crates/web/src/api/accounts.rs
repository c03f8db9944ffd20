//! `/api/v1/accounts`: the system admin manages accounts, the security admin their roles.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;
use zongzhi_core::account::{AccountStatus, DisplayName, NewPassword, Username};
use zongzhi_core::personal::PhoneNo;
use zongzhi_core::role::{Permission, Role};
use zongzhi_store::{Account, AccountFilter, AccountPatch, NewAccount};

use super::views::{AccountView, PageView};
use crate::auth::password::hash_password;
use crate::auth::{CurrentUser, SessionCtx};
use crate::error::{ApiError, ApiResult, Validation};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

const PHONE_AAD: &[u8] = b"account.phone";
const PHONE_INDEX: &str = "account.phone";

/// Query of the account list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct AccountQuery {
    /// Username or name contains.
    pub q: Option<String>,
    /// Exact mobile number (looked up by blind index).
    pub phone: Option<String>,
    /// Only this unit's subtree.
    pub under: Option<i64>,
    /// Only this role.
    pub role: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Cursor.
    pub cursor: Option<String>,
    /// Page size (1–500).
    pub limit: Option<i64>,
}

impl AccountQuery {
    /// The store filter.
    pub fn filter(&self, state: &AppState) -> ApiResult<AccountFilter> {
        let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        let role = match nonempty(&self.role) {
            Some(r) => Some(
                Role::parse(&r)
                    .ok_or_else(|| ApiError::field("role", "role_invalid", "角色无效"))?,
            ),
            None => None,
        };
        let status = match nonempty(&self.status) {
            Some(s) => Some(
                AccountStatus::parse(&s)
                    .ok_or_else(|| ApiError::field("status", "status_invalid", "状态无效"))?,
            ),
            None => None,
        };
        let phone_index = match nonempty(&self.phone) {
            Some(p) => {
                let p = PhoneNo::parse(&p)
                    .map_err(|e| ApiError::field("phone", e.code(), e.message_zh()))?;
                Some(state.index.compute(PHONE_INDEX, p.as_str()))
            }
            None => None,
        };
        Ok(AccountFilter {
            under: self.under,
            role,
            status,
            q: nonempty(&self.q),
            phone_index,
            cursor: nonempty(&self.cursor),
            limit: self.limit,
        })
    }
}

/// `GET /api/v1/accounts`
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(AccountQuery), responses((status = 200, description = "Accounts in scope", body = PageView<AccountView>), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn list_accounts(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<AccountQuery>,
) -> ApiResult<Json<PageView<AccountView>>> {
    user.require(Permission::ReadAccounts)?;
    let filter = q.filter(&state)?;
    let scope = user.scope();
    let page = state.store.list_accounts(&scope, &filter).await?;
    let total = state.store.count_accounts(&scope, &filter).await?;
    let now = state.clock.now();
    Ok(Json(PageView {
        items: page
            .items
            .into_iter()
            .map(|a| AccountView::new(a, now))
            .collect(),
        next_cursor: page.next_cursor,
        total,
    }))
}

/// `GET /api/v1/accounts/{id}`
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = i64, Path, description = "Id")), responses((status = 200, description = "Account", body = AccountView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn get_account(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<AccountView>> {
    user.require(Permission::ReadAccounts)?;
    let a = state.store.get_account(&user.scope(), id).await?;
    Ok(Json(AccountView::new(a, state.clock.now())))
}

/// New account.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewAccountRequest {
    /// Login name.
    pub username: String,
    /// Person's name.
    pub display_name: String,
    /// Initial password (policy applies); the user must change it at first sign-in.
    pub password: String,
    /// Unit.
    pub org_unit_id: i64,
    /// Department, for handlers.
    pub department_id: Option<i64>,
    /// Role ids.
    pub roles: Vec<String>,
    /// Mobile number.
    pub phone: Option<String>,
}

fn parse_roles(roles: &[String]) -> Result<Vec<Role>, (&'static str, &'static str)> {
    let mut out = Vec::new();
    for r in roles {
        out.push(Role::parse(r).ok_or(("role_invalid", "角色无效"))?);
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        Err(("roles_required", "至少选择一个角色"))
    } else {
        Ok(out)
    }
}

/// (encrypted, blind index, masked) of a phone number.
fn seal_phone(state: &AppState, p: &PhoneNo) -> ApiResult<(String, String, String)> {
    seal(state, p.as_str(), p.masked(), PHONE_AAD, PHONE_INDEX)
}

/// (encrypted, blind index, masked) of a sensitive value: encrypted with `aad` bound to
/// what it is, blind-indexed in `domain`, and its masked form for display.
pub(crate) fn seal(
    state: &AppState,
    value: &str,
    masked: String,
    aad: &[u8],
    domain: &str,
) -> ApiResult<(String, String, String)> {
    let enc = state
        .cipher
        .encrypt(value, aad)
        .map_err(|e| ApiError::internal(&e))?;
    Ok((enc, state.index.compute(domain, value), masked))
}

/// 三员分立: the system admin may give business roles only; admin roles are the security
/// admin's to grant.
fn may_grant(ctx: &SessionCtx, roles: &[Role]) -> bool {
    ctx.can(Permission::ManageRoles) || roles.iter().all(|r| !r.is_admin())
}

/// Creates an account (system admin).
pub async fn create_account_as(
    state: &AppState,
    ctx: &SessionCtx,
    req: NewAccountRequest,
) -> ApiResult<Account> {
    ctx.require(Permission::ManageAccounts)?;
    let min_len = crate::policy::current(state).await?.password_min_length;
    let mut v = Validation::default();
    let username = v.check(
        "username",
        Username::parse(&req.username).map_err(|e| (e.code(), e.message_zh())),
    );
    let display_name = v.check(
        "display_name",
        DisplayName::parse(&req.display_name).map_err(|e| (e.code(), e.message_zh())),
    );
    let password = match &username {
        Some(u) => v.check(
            "password",
            NewPassword::parse_with(&req.password, u, min_len)
                .map_err(|e| (e.code(), e.message_zh())),
        ),
        None => None,
    };
    let roles = v.check("roles", parse_roles(&req.roles));
    let phone = match req
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(p) => v
            .check(
                "phone",
                PhoneNo::parse(p).map_err(|e| (e.code(), e.message_zh())),
            )
            .map(Some),
        None => Some(None),
    };
    v.finish()?;
    let (Some(username), Some(display_name), Some(password), Some(roles), Some(phone)) =
        (username, display_name, password, roles, phone)
    else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ));
    };
    if !may_grant(ctx, &roles) {
        return Err(ApiError::field(
            "roles",
            "forbidden",
            "系统管理员不能授予管理员角色",
        ));
    }
    let sealed = phone.as_ref().map(|p| seal_phone(state, p)).transpose()?;
    let password_hash = hash_password(password.expose().to_owned()).await?;
    let audit = ctx.audit("account.create", "account").detail(json!({
        "username": username.as_str(),
        "org_unit_id": req.org_unit_id,
        "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
    }));
    let (phone_enc, phone_index, phone_masked) = match sealed {
        Some((e, i, m)) => (Some(e), Some(i), Some(m)),
        None => (None, None, None),
    };
    let new = NewAccount {
        username,
        display_name,
        org_unit_id: req.org_unit_id,
        department_id: req.department_id,
        roles,
        password_hash,
        phone_enc,
        phone_index,
        phone_masked,
        must_change_password: true,
    };
    Ok(state.store.create_account(&ctx.scope(), new, audit).await?)
}

/// `POST /api/v1/accounts`
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = NewAccountRequest, responses((status = 201, description = "Created", body = AccountView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn create_account(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<NewAccountRequest>,
) -> ApiResult<Response> {
    let a = create_account_as(&state, &user, req).await?;
    Ok(super::audited((
        StatusCode::CREATED,
        Json(AccountView::new(a, state.clock.now())),
    )))
}

/// Distinguishes an absent field from an explicit `null`.
fn double_option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Changes to an account.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct AccountPatchRequest {
    /// New name.
    pub display_name: Option<String>,
    /// Move to another unit.
    pub org_unit_id: Option<i64>,
    /// Set, or `null` to clear, the department.
    #[serde(default, deserialize_with = "double_option")]
    pub department_id: Option<Option<i64>>,
    /// Replace the roles (security admin).
    pub roles: Option<Vec<String>>,
    /// `active` or `disabled`.
    pub status: Option<String>,
    /// New mobile number; empty string clears it.
    pub phone: Option<String>,
}

impl AccountPatchRequest {
    fn touches_profile(&self) -> bool {
        self.display_name.is_some()
            || self.org_unit_id.is_some()
            || self.department_id.is_some()
            || self.status.is_some()
            || self.phone.is_some()
    }
}

/// Edits an account: profile fields need ManageAccounts, roles need ManageRoles.
pub async fn update_account_as(
    state: &AppState,
    ctx: &SessionCtx,
    id: i64,
    req: AccountPatchRequest,
) -> ApiResult<Account> {
    if req.touches_profile() {
        ctx.require(Permission::ManageAccounts)?;
    }
    if req.roles.is_some() {
        ctx.require(Permission::ManageRoles)?;
    }
    if !req.touches_profile() && req.roles.is_none() {
        ctx.require(Permission::ManageAccounts)
            .or_else(|_| ctx.require(Permission::ManageRoles))?;
    }
    if id == ctx.account.id
        && (req.status.is_some() || req.roles.is_some() || req.org_unit_id.is_some())
    {
        return Err(ApiError::new(StatusCode::CONFLICT, "cannot_change_self"));
    }
    let mut v = Validation::default();
    let display_name = req.display_name.as_deref().and_then(|n| {
        v.check(
            "display_name",
            DisplayName::parse(n).map_err(|e| (e.code(), e.message_zh())),
        )
    });
    let roles = req
        .roles
        .as_deref()
        .and_then(|r| v.check("roles", parse_roles(r)));
    let status = req.status.as_deref().and_then(|s| {
        v.check(
            "status",
            AccountStatus::parse(s).ok_or(("status_invalid", "状态无效")),
        )
    });
    let phone = match req.phone.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(p) => v
            .check(
                "phone",
                PhoneNo::parse(p).map_err(|e| (e.code(), e.message_zh())),
            )
            .map(Some),
    };
    v.finish()?;
    let phone = match phone {
        Some(Some(p)) => Some(Some(seal_phone(state, &p)?)),
        Some(None) => Some(None),
        None => None,
    };
    let audit = ctx
        .audit("account.update", "account")
        .target(id)
        .detail(json!({
            "display_name": display_name.is_some(),
            "org_unit_id": req.org_unit_id,
            "department_id": req.department_id,
            "roles": roles.as_ref().map(|r| r.iter().map(|x| x.as_str()).collect::<Vec<_>>()),
            "status": status.map(|s| s.as_str()),
            "phone": phone.is_some(),
        }));
    let patch = AccountPatch {
        display_name,
        org_unit_id: req.org_unit_id,
        department_id: req.department_id,
        roles,
        status,
        phone,
    };
    Ok(state
        .store
        .update_account(&ctx.scope(), id, patch, audit)
        .await?)
}

/// `PATCH /api/v1/accounts/{id}`
#[utoipa::path(patch, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = i64, Path, description = "Id")), request_body = AccountPatchRequest, responses((status = 200, description = "Updated", body = AccountView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn update_account(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AccountPatchRequest>,
) -> ApiResult<Response> {
    let a = update_account_as(&state, &user, id, req).await?;
    Ok(super::audited(Json(AccountView::new(a, state.clock.now()))))
}

/// Password reset by an administrator.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ResetPasswordRequest {
    /// The new password (policy applies); the user must change it at next sign-in.
    pub new_password: String,
}

/// Resets another user's password (system admin).
pub async fn reset_password_as(
    state: &AppState,
    ctx: &SessionCtx,
    id: i64,
    new_password: &str,
) -> ApiResult<()> {
    ctx.require(Permission::ManageAccounts)?;
    let target = state.store.get_account(&ctx.scope(), id).await?;
    let username = Username::parse(&target.username).map_err(|_| ApiError::not_found())?;
    let pw = NewPassword::parse_with(
        new_password,
        &username,
        crate::policy::current(state).await?.password_min_length,
    )
    .map_err(|e| ApiError::field("new_password", e.code(), e.message_zh()))?;
    let hash = hash_password(pw.expose().to_owned()).await?;
    let audit = ctx.audit("account.password_reset", "account").target(id);
    state
        .store
        .set_password(&ctx.scope(), id, &hash, true, audit)
        .await?;
    Ok(())
}

/// `POST /api/v1/accounts/{id}/password`
#[utoipa::path(post, path = "/api/v1/accounts/{id}/password", tag = "accounts", params(("id" = i64, Path, description = "Id")), request_body = ResetPasswordRequest, responses((status = 204, description = "Reset"), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ResetPasswordRequest>,
) -> ApiResult<Response> {
    reset_password_as(&state, &user, id, &req.new_password).await?;
    Ok(super::audited(StatusCode::NO_CONTENT))
}

/// Unlocks an account (system admin).
pub async fn unlock_as(state: &AppState, ctx: &SessionCtx, id: i64) -> ApiResult<()> {
    ctx.require(Permission::ManageAccounts)?;
    let audit = ctx.audit("account.unlock", "account").target(id);
    Ok(state.store.unlock_account(&ctx.scope(), id, audit).await?)
}

/// `POST /api/v1/accounts/{id}/unlock`
#[utoipa::path(post, path = "/api/v1/accounts/{id}/unlock", tag = "accounts", params(("id" = i64, Path, description = "Id")), responses((status = 204, description = "Unlocked"), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn unlock(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    unlock_as(&state, &user, id).await?;
    Ok(super::audited(StatusCode::NO_CONTENT))
}

/// An unmasked mobile number.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PhoneView {
    /// The full number.
    pub phone: Option<String>,
}

/// Reveals an account's full mobile number; every reveal is audited.
pub async fn reveal_phone_as(
    state: &AppState,
    ctx: &SessionCtx,
    id: i64,
) -> ApiResult<Option<String>> {
    ctx.require(Permission::ManageAccounts)?;
    let a = state.store.get_account(&ctx.scope(), id).await?;
    let phone = a
        .phone_enc
        .as_deref()
        .map(|enc| state.cipher.decrypt(enc, PHONE_AAD))
        .transpose()
        .map_err(|e| ApiError::internal(&e))?;
    let audit = ctx.audit("account.phone_reveal", "account").target(id);
    state.store.append_audit(audit).await?;
    Ok(phone)
}

/// `GET /api/v1/accounts/{id}/phone`
#[utoipa::path(get, path = "/api/v1/accounts/{id}/phone", tag = "accounts", params(("id" = i64, Path, description = "Id")), responses((status = 200, description = "Full number (audited)", body = PhoneView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn reveal_phone(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PhoneView>> {
    Ok(Json(PhoneView {
        phone: reveal_phone_as(&state, &user, id).await?,
    }))
}
