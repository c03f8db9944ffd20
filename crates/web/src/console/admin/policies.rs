//! 安全策略: the policies the platform enforces, and the separation of the three admins.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use zongzhi_core::account::SecurityPolicy;
use zongzhi_core::role::{Permission, Role};
use zongzhi_crypto::Algorithm;

use crate::auth::CurrentUser;
use crate::console::{ConsoleResult, Layout, render};
use crate::error::ApiError;
use crate::extract::{ApiForm, ApiQuery};
use crate::state::AppState;

/// Chinese label of a permission.
pub(super) fn permission_label(p: Permission) -> &'static str {
    match p {
        Permission::ReadOrg => "查看组织机构",
        Permission::ManageOrg => "管理组织机构",
        Permission::ReadAccounts => "查看账号",
        Permission::ManageAccounts => "管理账号",
        Permission::ManageRoles => "分配角色",
        Permission::ManagePolicies => "管理安全策略",
        Permission::ReadAudit => "查阅审计日志",
        Permission::ReadCases => "查看事件",
        Permission::WriteCases => "办理事件",
        Permission::ReadStats => "查看统计分析",
        Permission::ExportCases => "导出台账报表",
    }
}

/// Chinese name of a field-encryption algorithm.
fn algorithm_label(a: Algorithm) -> &'static str {
    match a {
        Algorithm::Sm4Gcm => "SM4-GCM（国密）",
        Algorithm::Aes256Gcm => "AES-256-GCM",
    }
}

/// One role of the 三员分立 table.
struct RoleRow {
    label: &'static str,
    admin: bool,
    totp: bool,
    permissions: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "admin/policies.html")]
struct PoliciesPage {
    layout: Layout,
    max_failed: i64,
    lockout_minutes: i64,
    idle_minutes: i64,
    min_length: usize,
    form: PolicyForm,
    errors: Vec<(String, String)>,
    algorithm: &'static str,
    roles: Vec<RoleRow>,
}

/// The editable policy fields as typed (kept on error).
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct PolicyForm {
    #[serde(default)]
    max_failed_logins: String,
    #[serde(default)]
    lockout_minutes: String,
    #[serde(default)]
    idle_timeout_minutes: String,
    #[serde(default)]
    password_min_length: String,
}

impl PolicyForm {
    fn from_policy(p: &SecurityPolicy) -> Self {
        Self {
            max_failed_logins: p.max_failed_logins.to_string(),
            lockout_minutes: p.lockout_minutes.to_string(),
            idle_timeout_minutes: p.idle_timeout_minutes.to_string(),
            password_min_length: p.password_min_length.to_string(),
        }
    }

    /// Parses the numbers; a non-number becomes 0 so the range check names the field.
    fn policy(&self) -> SecurityPolicy {
        let n = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
        SecurityPolicy {
            max_failed_logins: n(&self.max_failed_logins),
            lockout_minutes: n(&self.lockout_minutes),
            idle_timeout_minutes: n(&self.idle_timeout_minutes),
            password_min_length: usize::try_from(n(&self.password_min_length)).unwrap_or(0),
        }
    }
}

impl PoliciesPage {
    /// The message for `field`, if it failed.
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// `?notice=` after a save.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Notice {
    notice: Option<String>,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<PolicyForm>,
    errors: Vec<(String, String)>,
    notice: Option<String>,
) -> ConsoleResult {
    let p = crate::policy::current(state).await?;
    let roles = Role::ALL
        .into_iter()
        .map(|r| RoleRow {
            label: r.label_zh(),
            admin: r.is_admin(),
            totp: r.requires_totp(),
            permissions: r
                .permissions()
                .iter()
                .map(|p| permission_label(*p))
                .collect(),
        })
        .collect();
    let status = if errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut res = render(&PoliciesPage {
        layout: Layout::new(user, "安全策略", "policies").with_notice(notice),
        max_failed: p.max_failed_logins,
        lockout_minutes: p.lockout_minutes,
        idle_minutes: crate::policy::idle_minutes(state, &p),
        min_length: p.password_min_length,
        form: form.unwrap_or_else(|| PolicyForm::from_policy(&p)),
        errors,
        algorithm: algorithm_label(state.config.crypto.algorithm),
        roles,
    });
    *res.status_mut() = status;
    Ok(res)
}

/// `GET /admin/policies` (ManagePolicies)
pub(super) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    q: Result<ApiQuery<Notice>, ApiError>,
) -> ConsoleResult {
    user.require(Permission::ManagePolicies)?;
    let notice = q
        .ok()
        .and_then(|ApiQuery(n)| n.notice)
        .filter(|n| n == "saved")
        .map(|_| "安全策略已保存，立即生效".to_owned());
    page(&state, &user, None, Vec::new(), notice).await
}

/// `POST /admin/policies` (ManagePolicies)
pub(super) async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiForm(form): ApiForm<PolicyForm>,
) -> ConsoleResult {
    user.require(Permission::ManagePolicies)?;
    match crate::policy::save_as(&state, &user, form.policy()).await {
        Ok(_) => Ok(crate::api::audited(
            Redirect::to("/admin/policies?notice=saved").into_response(),
        )),
        Err(e) if !e.errors.is_empty() => {
            let errors = e
                .errors
                .iter()
                .map(|f| (f.field.clone(), f.message.clone()))
                .collect();
            page(&state, &user, Some(form), errors, None).await
        }
        Err(e) => Err(e.into()),
    }
}
