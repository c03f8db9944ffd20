//! Row shapes as selected, and their conversion into the store's types.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use zongzhi_core::account::AccountStatus;
use zongzhi_core::audit::{AuditEntry, AuditOutcome};
use zongzhi_core::case::category::CategoryKind;
use zongzhi_core::org::{DepartmentKind, OrgLevel};
use zongzhi_core::role::Role;
use zongzhi_store::{Account, Category, Department, OrgUnit, Session, SessionStage, StoreResult};

use crate::error::bad_value;

/// Columns of [`OrgUnitRow`], from `org_units o`.
pub(crate) const ORG_COLS: &str =
    "o.id, o.parent_id, o.level, o.code, o.name, o.path, o.geojson, o.active, o.created_at";

/// `SELECT … FROM` for [`DepartmentRow`]; add `WHERE`.
pub(crate) const DEPT_SELECT: &str = "SELECT d.id, d.org_unit_id, o.name AS org_unit_name, \
     o.path AS org_path, d.name, d.kind, d.active, d.created_at \
     FROM departments d JOIN org_units o ON o.id = d.org_unit_id";

/// `SELECT … FROM` for [`AccountRow`]; add `WHERE`.
pub(crate) const ACCOUNT_SELECT: &str = "SELECT a.id, a.username, a.display_name, \
     a.org_unit_id, o.name AS org_unit_name, o.path AS org_path, o.level AS org_level, \
     a.department_id, d.name AS department_name, a.roles, a.status, a.phone_enc, \
     a.phone_masked, a.failed_logins, a.locked_until, a.totp_enabled, \
     a.must_change_password, a.last_login_at, a.created_at, a.updated_at \
     FROM accounts a JOIN org_units o ON o.id = a.org_unit_id \
     LEFT JOIN departments d ON d.id = a.department_id";

/// Columns of [`AuditRow`].
pub(crate) const AUDIT_COLS: &str = "seq, at, actor_id, actor_username, action, target_type, \
     target_id, outcome, ip, detail, prev_hash, hash";

/// Columns of [`CategoryRow`], from `categories c`.
pub(crate) const CATEGORY_COLS: &str =
    "c.code, c.name, c.parent_code, c.kind, c.sort_order, c.active, c.updated_at";

/// Columns of [`SessionRow`].
pub(crate) const SESSION_COLS: &str =
    "token_hash, account_id, csrf_token, stage, created_at, last_seen_at";

fn level(s: &str) -> StoreResult<OrgLevel> {
    OrgLevel::parse(s).ok_or_else(|| bad_value("org level", s))
}

/// Roles as stored (the one format defined in core).
pub(crate) fn roles_text(roles: &[Role]) -> String {
    zongzhi_core::role::encode_roles(roles)
}

fn parse_roles(s: &str) -> StoreResult<Vec<Role>> {
    zongzhi_core::role::decode_roles(s).map_err(|bad| bad_value("role", &bad))
}

/// An `org_units` row.
#[derive(FromRow)]
pub(crate) struct OrgUnitRow {
    id: i64,
    parent_id: Option<i64>,
    level: String,
    code: String,
    name: String,
    path: String,
    geojson: Option<String>,
    active: bool,
    created_at: DateTime<Utc>,
}

impl OrgUnitRow {
    /// The stored unit.
    pub(crate) fn into_model(self) -> StoreResult<OrgUnit> {
        Ok(OrgUnit {
            id: self.id,
            parent_id: self.parent_id,
            level: level(&self.level)?,
            code: self.code,
            name: self.name,
            path: self.path,
            geojson: self.geojson,
            active: self.active,
            created_at: self.created_at,
        })
    }
}

/// A `departments` row joined with its unit.
#[derive(FromRow)]
pub(crate) struct DepartmentRow {
    id: i64,
    org_unit_id: i64,
    org_unit_name: String,
    org_path: String,
    name: String,
    kind: String,
    active: bool,
    created_at: DateTime<Utc>,
}

impl DepartmentRow {
    /// The stored department.
    pub(crate) fn into_model(self) -> StoreResult<Department> {
        Ok(Department {
            id: self.id,
            org_unit_id: self.org_unit_id,
            org_unit_name: self.org_unit_name,
            org_path: self.org_path,
            name: self.name,
            kind: DepartmentKind::parse(&self.kind)
                .ok_or_else(|| bad_value("department kind", &self.kind))?,
            active: self.active,
            created_at: self.created_at,
        })
    }
}

/// An `accounts` row joined with its unit and department.
#[derive(FromRow)]
pub(crate) struct AccountRow {
    id: i64,
    username: String,
    display_name: String,
    org_unit_id: i64,
    org_unit_name: String,
    org_path: String,
    org_level: String,
    department_id: Option<i64>,
    department_name: Option<String>,
    roles: String,
    status: String,
    phone_enc: Option<String>,
    phone_masked: Option<String>,
    failed_logins: i64,
    locked_until: Option<DateTime<Utc>>,
    totp_enabled: bool,
    must_change_password: bool,
    last_login_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl AccountRow {
    /// The stored account.
    pub(crate) fn into_model(self) -> StoreResult<Account> {
        Ok(Account {
            id: self.id,
            username: self.username,
            display_name: self.display_name,
            org_unit_id: self.org_unit_id,
            org_unit_name: self.org_unit_name,
            org_path: self.org_path,
            org_level: level(&self.org_level)?,
            department_id: self.department_id,
            department_name: self.department_name,
            roles: parse_roles(&self.roles)?,
            status: AccountStatus::parse(&self.status)
                .ok_or_else(|| bad_value("account status", &self.status))?,
            phone_enc: self.phone_enc,
            phone_masked: self.phone_masked,
            failed_logins: self.failed_logins,
            locked_until: self.locked_until,
            totp_enabled: self.totp_enabled,
            must_change_password: self.must_change_password,
            last_login_at: self.last_login_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A `categories` row.
#[derive(FromRow)]
pub(crate) struct CategoryRow {
    code: String,
    name: String,
    parent_code: Option<String>,
    kind: String,
    sort_order: i64,
    active: bool,
    updated_at: DateTime<Utc>,
}

impl CategoryRow {
    /// The stored category.
    pub(crate) fn into_model(self) -> StoreResult<Category> {
        Ok(Category {
            code: self.code,
            name: self.name,
            parent_code: self.parent_code,
            kind: CategoryKind::parse(&self.kind)
                .ok_or_else(|| bad_value("category kind", &self.kind))?,
            sort_order: self.sort_order,
            active: self.active,
            updated_at: self.updated_at,
        })
    }
}

/// A `sessions` row.
#[derive(FromRow)]
pub(crate) struct SessionRow {
    token_hash: String,
    account_id: i64,
    csrf_token: String,
    stage: String,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
}

impl SessionRow {
    /// The stored session.
    pub(crate) fn into_model(self) -> StoreResult<Session> {
        Ok(Session {
            token_hash: self.token_hash,
            account_id: self.account_id,
            csrf_token: self.csrf_token,
            stage: SessionStage::parse(&self.stage)
                .ok_or_else(|| bad_value("session stage", &self.stage))?,
            created_at: self.created_at,
            last_seen_at: self.last_seen_at,
        })
    }
}

/// An `audit_log` row.
#[derive(FromRow)]
pub(crate) struct AuditRow {
    seq: i64,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    actor_username: String,
    action: String,
    target_type: String,
    target_id: Option<String>,
    outcome: String,
    ip: Option<String>,
    detail: String,
    prev_hash: String,
    hash: String,
}

impl AuditRow {
    /// The stored entry.
    pub(crate) fn into_model(self) -> StoreResult<AuditEntry> {
        Ok(AuditEntry {
            seq: self.seq,
            at: self.at,
            actor_id: self.actor_id,
            actor_username: self.actor_username,
            action: self.action,
            target_type: self.target_type,
            target_id: self.target_id,
            outcome: AuditOutcome::parse(&self.outcome)
                .ok_or_else(|| bad_value("audit outcome", &self.outcome))?,
            ip: self.ip,
            detail: self.detail,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// Converts every row, failing on the first that does not decode.
pub(crate) fn convert<R, T>(rows: Vec<R>, f: impl Fn(R) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.into_iter().map(f).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn roles_are_sorted_and_deduplicated() {
        let text = roles_text(&[Role::Handler, Role::SysAdmin, Role::Handler]);
        assert_eq!(text, "sys_admin,handler");
        assert_eq!(
            parse_roles(&text).unwrap(),
            vec![Role::SysAdmin, Role::Handler]
        );
        assert!(parse_roles("").unwrap().is_empty());
        assert!(parse_roles("nope").is_err());
    }
}
