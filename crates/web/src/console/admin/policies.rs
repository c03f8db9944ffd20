//! 安全策略: the policies the platform enforces, and the separation of the three admins.

use askama::Template;
use axum::extract::State;
use zongzhi_core::account::{LOCKOUT, MAX_FAILED_LOGINS};
use zongzhi_core::role::{Permission, Role};
use zongzhi_crypto::Algorithm;

use crate::auth::CurrentUser;
use crate::console::{ConsoleResult, Layout, render};
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
    algorithm: &'static str,
    roles: Vec<RoleRow>,
}

/// `GET /admin/policies` (ManagePolicies)
pub(super) async fn show(State(state): State<AppState>, user: CurrentUser) -> ConsoleResult {
    user.require(Permission::ManagePolicies)?;
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
    Ok(render(&PoliciesPage {
        layout: Layout::new(&user, "安全策略", "policies"),
        max_failed: MAX_FAILED_LOGINS,
        lockout_minutes: LOCKOUT.num_minutes(),
        idle_minutes: state.config.security.idle_timeout_minutes,
        algorithm: algorithm_label(state.config.crypto.algorithm),
        roles,
    }))
}
