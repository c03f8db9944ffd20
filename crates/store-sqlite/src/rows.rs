//! Row shapes as selected, and their conversion to the store's model types.

use zongzhi_core::account::AccountStatus;
use zongzhi_core::audit::{AuditEntry, AuditOutcome};
use zongzhi_core::case::category::CategoryKind;
use zongzhi_core::org::{DepartmentKind, OrgLevel};
use zongzhi_core::role::Role;
use zongzhi_store::{Account, Category, Department, OrgUnit, Session, SessionStage, StoreResult};

use crate::util::{corrupt, parse_ts, parse_ts_opt};

/// Columns of an org unit, from `org_units o`.
macro_rules! org_cols {
    () => {
        "o.id, o.parent_id, o.level, o.code, o.name, o.path, o.geojson, o.active, o.created_at"
    };
}

/// Columns of a department, from `departments d JOIN org_units o`.
macro_rules! dept_cols {
    () => {
        "d.id, d.org_unit_id, o.name AS org_unit_name, o.path AS org_path, d.name, d.kind, \
         d.active, d.created_at"
    };
}

/// Columns of an account, from [`account_from!`].
macro_rules! account_cols {
    () => {
        "a.id, a.username, a.display_name, a.org_unit_id, o.name AS org_unit_name, \
         o.path AS org_path, o.level AS org_level, a.department_id, \
         dp.name AS department_name, a.roles, a.status, a.phone_enc, a.phone_masked, \
         a.failed_logins, a.locked_until, a.totp_enabled, a.must_change_password, \
         a.last_login_at, a.created_at, a.updated_at"
    };
}

/// The joins behind [`account_cols!`].
macro_rules! account_from {
    () => {
        " FROM accounts a JOIN org_units o ON o.id = a.org_unit_id \
         LEFT JOIN departments dp ON dp.id = a.department_id "
    };
}

/// Columns of a category, from `categories c`.
macro_rules! category_cols {
    () => {
        "c.code, c.name, c.parent_code, c.kind, c.sort_order, c.active, c.updated_at"
    };
}

pub(crate) use {account_cols, account_from, category_cols, dept_cols, org_cols};

/// An org unit row.
#[derive(sqlx::FromRow)]
pub(crate) struct OrgUnitRow {
    id: i64,
    parent_id: Option<i64>,
    level: String,
    code: String,
    name: String,
    path: String,
    geojson: Option<String>,
    active: bool,
    created_at: String,
}

impl OrgUnitRow {
    /// Into the model type.
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
            created_at: parse_ts(&self.created_at)?,
        })
    }
}

/// A department row.
#[derive(sqlx::FromRow)]
pub(crate) struct DepartmentRow {
    id: i64,
    org_unit_id: i64,
    org_unit_name: String,
    org_path: String,
    name: String,
    kind: String,
    active: bool,
    created_at: String,
}

impl DepartmentRow {
    /// Into the model type.
    pub(crate) fn into_model(self) -> StoreResult<Department> {
        Ok(Department {
            id: self.id,
            org_unit_id: self.org_unit_id,
            org_unit_name: self.org_unit_name,
            org_path: self.org_path,
            name: self.name,
            kind: DepartmentKind::parse(&self.kind)
                .ok_or_else(|| corrupt(format!("department kind {:?}", self.kind)))?,
            active: self.active,
            created_at: parse_ts(&self.created_at)?,
        })
    }
}

/// An account row.
#[derive(sqlx::FromRow)]
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
    locked_until: Option<String>,
    totp_enabled: bool,
    must_change_password: bool,
    last_login_at: Option<String>,
    created_at: String,
    updated_at: String,
}

impl AccountRow {
    /// Into the model type.
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
            roles: decode_roles(&self.roles)?,
            status: AccountStatus::parse(&self.status)
                .ok_or_else(|| corrupt(format!("account status {:?}", self.status)))?,
            phone_enc: self.phone_enc,
            phone_masked: self.phone_masked,
            failed_logins: self.failed_logins,
            locked_until: parse_ts_opt(self.locked_until.as_deref())?,
            totp_enabled: self.totp_enabled,
            must_change_password: self.must_change_password,
            last_login_at: parse_ts_opt(self.last_login_at.as_deref())?,
            created_at: parse_ts(&self.created_at)?,
            updated_at: parse_ts(&self.updated_at)?,
        })
    }
}

/// An account row with its password hash.
#[derive(sqlx::FromRow)]
pub(crate) struct LoginRow {
    #[sqlx(flatten)]
    pub(crate) account: AccountRow,
    pub(crate) password_hash: String,
}

/// A session row.
#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    token_hash: String,
    account_id: i64,
    csrf_token: String,
    stage: String,
    created_at: String,
    last_seen_at: String,
}

impl SessionRow {
    /// Into the model type.
    pub(crate) fn into_model(self) -> StoreResult<Session> {
        Ok(Session {
            token_hash: self.token_hash,
            account_id: self.account_id,
            csrf_token: self.csrf_token,
            stage: SessionStage::parse(&self.stage)
                .ok_or_else(|| corrupt(format!("session stage {:?}", self.stage)))?,
            created_at: parse_ts(&self.created_at)?,
            last_seen_at: parse_ts(&self.last_seen_at)?,
        })
    }
}

/// An audit row.
#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    seq: i64,
    at: String,
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
    /// Into the domain type.
    pub(crate) fn into_model(self) -> StoreResult<AuditEntry> {
        Ok(AuditEntry {
            seq: self.seq,
            at: parse_ts(&self.at)?,
            actor_id: self.actor_id,
            actor_username: self.actor_username,
            action: self.action,
            target_type: self.target_type,
            target_id: self.target_id,
            outcome: AuditOutcome::parse(&self.outcome)
                .ok_or_else(|| corrupt(format!("audit outcome {:?}", self.outcome)))?,
            ip: self.ip,
            detail: self.detail,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// A category row.
#[derive(sqlx::FromRow)]
pub(crate) struct CategoryRow {
    code: String,
    name: String,
    parent_code: Option<String>,
    kind: String,
    sort_order: i64,
    active: bool,
    updated_at: String,
}

impl CategoryRow {
    /// Into the model type.
    pub(crate) fn into_model(self) -> StoreResult<Category> {
        Ok(Category {
            code: self.code,
            name: self.name,
            parent_code: self.parent_code,
            kind: CategoryKind::parse(&self.kind)
                .ok_or_else(|| corrupt(format!("category kind {:?}", self.kind)))?,
            sort_order: self.sort_order,
            active: self.active,
            updated_at: parse_ts(&self.updated_at)?,
        })
    }
}

/// Converts every row, failing on the first bad one.
pub(crate) fn all<R, T>(rows: Vec<R>, f: impl Fn(R) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.into_iter().map(f).collect()
}

fn level(s: &str) -> StoreResult<OrgLevel> {
    OrgLevel::parse(s).ok_or_else(|| corrupt(format!("org level {s:?}")))
}

/// Roles as stored (the one format defined in core).
pub(crate) fn encode_roles(roles: &[Role]) -> String {
    zongzhi_core::role::encode_roles(roles)
}

/// Roles from storage, sorted.
pub(crate) fn decode_roles(s: &str) -> StoreResult<Vec<Role>> {
    zongzhi_core::role::decode_roles(s).map_err(|bad| corrupt(format!("role {bad:?}")))
}
