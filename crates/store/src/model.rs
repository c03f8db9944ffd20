//! Rows and inputs exchanged with the store. Response types for the API live in `web`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zongzhi_core::account::{AccountId, AccountStatus, DisplayName, Username};
use zongzhi_core::audit::AuditOutcome;
use zongzhi_core::org::{DepartmentId, DepartmentKind, OrgCode, OrgLevel, OrgUnitId, UnitName};
use zongzhi_core::role::Role;

/// Largest page a list call returns.
pub const MAX_PAGE: i64 = 500;

/// One page of a keyset-paginated list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Pass back as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// Clamps a requested page size to `1..=MAX_PAGE` (default 50).
pub fn page_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(50).clamp(1, MAX_PAGE)
}

/// An org unit as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrgUnit {
    /// Id.
    pub id: OrgUnitId,
    /// Parent, `None` for the root.
    pub parent_id: Option<OrgUnitId>,
    /// Tier.
    pub level: OrgLevel,
    /// Administrative code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Materialized path.
    pub path: String,
    /// Boundary as GeoJSON geometry text, if drawn.
    pub geojson: Option<String>,
    /// Whether in use (units are never deleted).
    pub active: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

/// Input for a new org unit.
#[derive(Debug, Clone)]
pub struct NewOrgUnit {
    /// Parent (must be in scope); `None` only for the root.
    pub parent_id: Option<OrgUnitId>,
    /// Tier; must sit directly below the parent's.
    pub level: OrgLevel,
    /// Code, unique in the deployment.
    pub code: OrgCode,
    /// Name.
    pub name: UnitName,
    /// Boundary.
    pub geojson: Option<String>,
}

/// Changes to an org unit; `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct OrgUnitPatch {
    /// New name.
    pub name: Option<UnitName>,
    /// New boundary (`Some(None)` clears it).
    pub geojson: Option<Option<String>>,
    /// Enable or disable.
    pub active: Option<bool>,
}

/// Filter for listing org units.
#[derive(Debug, Clone, Default)]
pub struct OrgUnitFilter {
    /// Only this unit's subtree (intersected with the scope).
    pub under: Option<OrgUnitId>,
    /// Only direct children of this unit.
    pub parent_id: Option<OrgUnitId>,
    /// Only this tier.
    pub level: Option<OrgLevel>,
    /// Name or code contains this text.
    pub q: Option<String>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// A department as stored, with its unit's name and path for display and scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Department {
    /// Id.
    pub id: DepartmentId,
    /// Unit it is attached to.
    pub org_unit_id: OrgUnitId,
    /// That unit's name.
    pub org_unit_name: String,
    /// That unit's path.
    pub org_path: String,
    /// Name, e.g. 县公安局.
    pub name: String,
    /// 常驻/轮驻/联系.
    pub kind: DepartmentKind,
    /// Whether in use.
    pub active: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

/// Input for a new department.
#[derive(Debug, Clone)]
pub struct NewDepartment {
    /// Unit (must be in scope).
    pub org_unit_id: OrgUnitId,
    /// Name, unique within the unit.
    pub name: UnitName,
    /// Kind.
    pub kind: DepartmentKind,
}

/// Changes to a department.
#[derive(Debug, Clone, Default)]
pub struct DepartmentPatch {
    /// New name.
    pub name: Option<UnitName>,
    /// New kind.
    pub kind: Option<DepartmentKind>,
    /// Enable or disable.
    pub active: Option<bool>,
}

/// Filter for listing departments.
#[derive(Debug, Clone, Default)]
pub struct DepartmentFilter {
    /// Only departments in this unit's subtree.
    pub under: Option<OrgUnitId>,
    /// Only departments attached to exactly this unit.
    pub org_unit_id: Option<OrgUnitId>,
    /// Name contains this text.
    pub q: Option<String>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// An account as stored (no password hash, no TOTP secret).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Account {
    /// Id.
    pub id: AccountId,
    /// Login name.
    pub username: String,
    /// Person's name.
    pub display_name: String,
    /// Unit the account belongs to (its scope).
    pub org_unit_id: OrgUnitId,
    /// That unit's name.
    pub org_unit_name: String,
    /// That unit's path.
    pub org_path: String,
    /// That unit's tier.
    pub org_level: OrgLevel,
    /// Department, for handlers.
    pub department_id: Option<DepartmentId>,
    /// That department's name.
    pub department_name: Option<String>,
    /// Roles, sorted.
    pub roles: Vec<Role>,
    /// Active or disabled.
    pub status: AccountStatus,
    /// Mobile number, encrypted (never shown without an audited reveal).
    pub phone_enc: Option<String>,
    /// Mobile number, masked (`138****5678`).
    pub phone_masked: Option<String>,
    /// Failed sign-ins since the last success or lock.
    pub failed_logins: i64,
    /// Locked until this time, if locked.
    pub locked_until: Option<DateTime<Utc>>,
    /// Whether TOTP is confirmed.
    pub totp_enabled: bool,
    /// Must choose a new password at next sign-in.
    pub must_change_password: bool,
    /// Last successful sign-in.
    pub last_login_at: Option<DateTime<Utc>>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl Account {
    /// Whether the account is locked at `now`.
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }
}

/// Input for a new account.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// Login name, unique.
    pub username: Username,
    /// Person's name.
    pub display_name: DisplayName,
    /// Unit (must be in scope).
    pub org_unit_id: OrgUnitId,
    /// Department (must be in scope).
    pub department_id: Option<DepartmentId>,
    /// At least one role.
    pub roles: Vec<Role>,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Encrypted mobile number.
    pub phone_enc: Option<String>,
    /// Blind index of the mobile number.
    pub phone_index: Option<String>,
    /// Masked mobile number.
    pub phone_masked: Option<String>,
    /// Must change password at first sign-in.
    pub must_change_password: bool,
}

/// Changes to an account.
#[derive(Debug, Clone, Default)]
pub struct AccountPatch {
    /// New name.
    pub display_name: Option<DisplayName>,
    /// Move to another unit (in scope).
    pub org_unit_id: Option<OrgUnitId>,
    /// Set or clear the department.
    pub department_id: Option<Option<DepartmentId>>,
    /// Replace the roles.
    pub roles: Option<Vec<Role>>,
    /// Enable or disable.
    pub status: Option<AccountStatus>,
    /// Replace the mobile number: (encrypted, blind index, masked), or `Some(None)` to clear.
    pub phone: Option<Option<(String, String, String)>>,
}

/// Filter for listing accounts.
#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Only accounts in this unit's subtree.
    pub under: Option<OrgUnitId>,
    /// Only accounts holding this role.
    pub role: Option<Role>,
    /// Only this status.
    pub status: Option<AccountStatus>,
    /// Username or name contains this text.
    pub q: Option<String>,
    /// Exact mobile number, by blind index.
    pub phone_index: Option<String>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct LoginRecord {
    /// The account.
    pub account: Account,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// Lock state after a failed sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailureState {
    /// Failures counted towards the next lock.
    pub failed_logins: i64,
    /// Set when this failure locked the account.
    pub locked_until: Option<DateTime<Utc>>,
}

/// How far a session has got through sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStage {
    /// Fully signed in.
    Full,
    /// Password accepted; the TOTP code is still due.
    NeedsTotp,
    /// Password accepted; TOTP must be enrolled before anything else.
    NeedsEnrollment,
    /// Password accepted; it must be changed before anything else.
    NeedsPasswordChange,
}

impl SessionStage {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::NeedsTotp => "needs_totp",
            Self::NeedsEnrollment => "needs_enrollment",
            Self::NeedsPasswordChange => "needs_password_change",
        }
    }

    /// Parses the stable identifier.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Full,
            Self::NeedsTotp,
            Self::NeedsEnrollment,
            Self::NeedsPasswordChange,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// A session. The cookie carries a random token; only its hash is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// SM3 of the cookie token, hex.
    pub token_hash: String,
    /// Whose session.
    pub account_id: AccountId,
    /// Token that state-changing requests must echo.
    pub csrf_token: String,
    /// Sign-in stage.
    pub stage: SessionStage,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last request at (idle timeout counts from here).
    pub last_seen_at: DateTime<Utc>,
}

/// Filter for reading the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Actor username equals this.
    pub actor: Option<String>,
    /// Action starts with this (`auth.` …).
    pub action_prefix: Option<String>,
    /// Outcome equals this.
    pub outcome: Option<AuditOutcome>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
    /// Cursor (a seq) from the previous page.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}
