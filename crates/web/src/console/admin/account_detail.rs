//! One account: details, profile edit, enable/disable, password reset, unlock, the
//! audited phone reveal (system admin) and the roles form (security admin).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use zongzhi_core::account::AccountStatus;
use zongzhi_core::org::OrgLevel;
use zongzhi_core::role::{Permission, Role};
use zongzhi_store::Account;

use super::accounts::{BASE, KEY, RoleBox, TITLE, all_of, role_boxes};
use super::{
    FormErrors, NoticeQuery, Opt, department_pairs, fmt_time, form_errors, id_text, opts, page,
    parse_id, unit_options, unit_pairs,
};
use crate::api::accounts::{
    AccountPatchRequest, reset_password_as, reveal_phone_as, unlock_as, update_account_as,
};
use crate::api::audited;
use crate::auth::CurrentUser;
use crate::console::{ConsoleResult, Layout};
use crate::error::ApiError;
use crate::extract::{ApiForm, ApiPath, ApiQuery};
use crate::state::AppState;

const PROFILE_FIELDS: &[&str] = &["display_name", "org_unit_id", "department_id", "phone"];

/// The profile form as submitted (kept on errors).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ProfileForm {
    display_name: String,
    org_unit_id: String,
    department_id: String,
    phone: String,
    clear_phone: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/account.html")]
struct DetailPage {
    layout: Layout,
    a: Account,
    locked: bool,
    locked_until: String,
    last_login: String,
    created_at: String,
    updated_at: String,
    revealed: Option<String>,
    is_self: bool,
    can_manage: bool,
    can_roles: bool,
    form: ProfileForm,
    units: Vec<Opt>,
    departments: Vec<Opt>,
    roles: Vec<RoleBox>,
    errors: FormErrors,
}

/// What a re-render after a POST carries besides the account.
#[derive(Default)]
struct Extras {
    notice: Option<String>,
    form: Option<ProfileForm>,
    roles: Option<Vec<String>>,
    revealed: Option<String>,
    errors: FormErrors,
}

async fn detail_page(state: &AppState, user: &CurrentUser, id: i64, x: Extras) -> ConsoleResult {
    user.require(Permission::ReadAccounts)?;
    let scope = user.scope();
    let a = state.store.get_account(&scope, id).await?;
    let can_manage = user.can(Permission::ManageAccounts);
    let form = x.form.unwrap_or_else(|| ProfileForm {
        display_name: a.display_name.clone(),
        org_unit_id: a.org_unit_id.to_string(),
        department_id: id_text(a.department_id),
        ..Default::default()
    });
    let (mut units, mut departments) = (Vec::new(), Vec::new());
    if can_manage {
        // The current unit and department stay selectable even when not listed.
        units = unit_pairs(&unit_options(state, &scope, &OrgLevel::ALL).await?);
        if !units.iter().any(|(i, _)| *i == a.org_unit_id) {
            units.insert(0, (a.org_unit_id, a.org_unit_name.clone()));
        }
        departments = department_pairs(state, &scope).await?;
        if let (Some(d), Some(n)) = (a.department_id, &a.department_name)
            && !departments.iter().any(|(i, _)| *i == d)
        {
            departments.insert(0, (d, n.clone()));
        }
    }
    let current_roles: Vec<String> = match x.roles {
        Some(r) => r,
        None => a.roles.iter().map(|r| r.as_str().to_owned()).collect(),
    };
    let now = state.clock.now();
    let p = DetailPage {
        layout: Layout::new(user, TITLE, KEY).with_notice(x.notice),
        locked: a.is_locked(now),
        locked_until: a.locked_until.map(fmt_time).unwrap_or_default(),
        last_login: a.last_login_at.map(fmt_time).unwrap_or_default(),
        created_at: fmt_time(a.created_at),
        updated_at: fmt_time(a.updated_at),
        revealed: x.revealed,
        is_self: a.id == user.account.id,
        can_manage,
        can_roles: user.can(Permission::ManageRoles),
        units: opts(units, &form.org_unit_id),
        departments: opts(departments, &form.department_id),
        roles: role_boxes(Role::ALL, &current_roles),
        form,
        a,
        errors: x.errors,
    };
    Ok(page(&p, &p.errors))
}

fn back(id: i64, notice: &str) -> Response {
    audited(Redirect::to(&format!("{BASE}/{id}?notice={notice}")))
}

/// `GET /admin/accounts/{id}`
pub(super) async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
    n: Result<ApiQuery<NoticeQuery>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let ApiQuery(n) = n?;
    let x = Extras {
        notice: n.text(),
        ..Default::default()
    };
    detail_page(&state, &user, id, x).await
}

/// `POST /admin/accounts/{id}`: edits name, unit, department and phone (ManageAccounts).
/// Only changed fields are sent, so the audit row says what changed.
pub(super) async fn update_profile(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
    form: Result<ApiForm<ProfileForm>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let ApiForm(f) = form?;
    user.require(Permission::ManageAccounts)?;
    let a = state.store.get_account(&user.scope(), id).await?;
    let Some(unit) = parse_id(&f.org_unit_id) else {
        let errors = FormErrors::field("org_unit_id", "请选择所属单位");
        let x = Extras {
            form: Some(f),
            errors,
            ..Default::default()
        };
        return detail_page(&state, &user, id, x).await;
    };
    let department = parse_id(&f.department_id);
    let phone = if f.clear_phone.is_some() {
        Some(String::new())
    } else {
        Some(f.phone.trim().to_owned()).filter(|p| !p.is_empty())
    };
    let req = AccountPatchRequest {
        display_name: (f.display_name.trim() != a.display_name).then(|| f.display_name.clone()),
        org_unit_id: (unit != a.org_unit_id).then_some(unit),
        department_id: (department != a.department_id).then_some(department),
        roles: None,
        status: None,
        phone,
    };
    let unchanged = req.display_name.is_none()
        && req.org_unit_id.is_none()
        && req.department_id.is_none()
        && req.phone.is_none();
    if unchanged {
        // Nothing to write: no service call, so the request audit records the POST.
        return Ok(Redirect::to(&format!("{BASE}/{id}?notice=unchanged")).into_response());
    }
    match update_account_as(&state, &user, id, req).await {
        Ok(_) => Ok(back(id, "updated")),
        Err(e) => {
            let errors = form_errors(e, PROFILE_FIELDS)?;
            let x = Extras {
                form: Some(f),
                errors,
                ..Default::default()
            };
            detail_page(&state, &user, id, x).await
        }
    }
}

/// Enable or disable.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct StatusForm {
    status: String,
}

/// `POST /admin/accounts/{id}/status`: 启用/停用 (ManageAccounts).
pub(super) async fn status(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
    form: Result<ApiForm<StatusForm>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let ApiForm(f) = form?;
    let req = AccountPatchRequest {
        status: Some(f.status.clone()),
        ..Default::default()
    };
    match update_account_as(&state, &user, id, req).await {
        Ok(a) => Ok(back(
            id,
            match a.status {
                AccountStatus::Active => "enabled",
                AccountStatus::Disabled => "disabled",
            },
        )),
        Err(e) => {
            let errors = form_errors(e, &[])?;
            let x = Extras {
                errors,
                ..Default::default()
            };
            detail_page(&state, &user, id, x).await
        }
    }
}

/// A new password set by an administrator.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ResetForm {
    new_password: String,
}

/// `POST /admin/accounts/{id}/password`: 重置密码 (ManageAccounts).
pub(super) async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
    form: Result<ApiForm<ResetForm>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let ApiForm(f) = form?;
    match reset_password_as(&state, &user, id, &f.new_password).await {
        Ok(()) => Ok(back(id, "password_reset")),
        Err(e) => {
            let errors = form_errors(e, &["new_password"])?;
            let x = Extras {
                errors,
                ..Default::default()
            };
            detail_page(&state, &user, id, x).await
        }
    }
}

/// `POST /admin/accounts/{id}/unlock`: 解锁 (ManageAccounts).
pub(super) async fn unlock(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    unlock_as(&state, &user, id).await?;
    Ok(back(id, "unlocked"))
}

/// `POST /admin/accounts/{id}/phone`: shows the full number once; every reveal is audited.
pub(super) async fn reveal_phone(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let phone = reveal_phone_as(&state, &user, id).await?;
    let x = Extras {
        revealed: Some(phone.unwrap_or_else(|| "未登记".to_owned())),
        ..Default::default()
    };
    Ok(audited(detail_page(&state, &user, id, x).await?))
}

/// `POST /admin/accounts/{id}/roles`: replaces the roles (ManageRoles).
pub(super) async fn roles(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
    form: Result<ApiForm<Vec<(String, String)>>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let ApiForm(pairs) = form?;
    let roles = all_of(&pairs, "roles");
    let req = AccountPatchRequest {
        roles: Some(roles.clone()),
        ..Default::default()
    };
    match update_account_as(&state, &user, id, req).await {
        Ok(_) => Ok(back(id, "roles")),
        Err(e) => {
            let errors = form_errors(e, &["roles"])?;
            let x = Extras {
                roles: Some(roles),
                errors,
                ..Default::default()
            };
            detail_page(&state, &user, id, x).await
        }
    }
}
