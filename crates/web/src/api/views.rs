//! Response types of the API, kept apart from storage rows.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zongzhi_store::{Account, Department, OrgUnit};

/// A page of results with the total matching count.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PageView<T> {
    /// Rows of this page.
    pub items: Vec<T>,
    /// Cursor for the next page, if any.
    pub next_cursor: Option<String>,
    /// How many rows match in all (within scope).
    pub total: i64,
}

/// An org unit.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrgUnitView {
    /// Id.
    pub id: i64,
    /// Parent id.
    pub parent_id: Option<i64>,
    /// `city` … `grid`.
    pub level: String,
    /// Administrative code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Materialized path.
    pub path: String,
    /// Whether in use.
    pub active: bool,
    /// Whether a boundary is drawn.
    pub has_boundary: bool,
}

impl From<OrgUnit> for OrgUnitView {
    fn from(u: OrgUnit) -> Self {
        Self {
            id: u.id,
            parent_id: u.parent_id,
            level: u.level.as_str().to_owned(),
            code: u.code,
            name: u.name,
            path: u.path,
            active: u.active,
            has_boundary: u.geojson.is_some(),
        }
    }
}

/// A department.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DepartmentView {
    /// Id.
    pub id: i64,
    /// Unit it is attached to.
    pub org_unit_id: i64,
    /// That unit's name.
    pub org_unit_name: String,
    /// Name.
    pub name: String,
    /// `resident`, `rotating` or `liaison`.
    pub kind: String,
    /// Whether in use.
    pub active: bool,
}

impl From<Department> for DepartmentView {
    fn from(d: Department) -> Self {
        Self {
            id: d.id,
            org_unit_id: d.org_unit_id,
            org_unit_name: d.org_unit_name,
            name: d.name,
            kind: d.kind.as_str().to_owned(),
            active: d.active,
        }
    }
}

/// An account, with the mobile number masked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    /// Id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Person's name.
    pub display_name: String,
    /// Unit id.
    pub org_unit_id: i64,
    /// Unit name.
    pub org_unit_name: String,
    /// Department id.
    pub department_id: Option<i64>,
    /// Department name.
    pub department_name: Option<String>,
    /// Role ids.
    pub roles: Vec<String>,
    /// `active` or `disabled`.
    pub status: String,
    /// Masked mobile number.
    pub phone: Option<String>,
    /// Locked until, if locked now.
    pub locked_until: Option<DateTime<Utc>>,
    /// Whether TOTP is confirmed.
    pub totp_enabled: bool,
    /// Last sign-in.
    pub last_login_at: Option<DateTime<Utc>>,
}

impl AccountView {
    /// Builds the view as seen at `now`.
    pub fn new(a: Account, now: DateTime<Utc>) -> Self {
        let locked_until = a.locked_until.filter(|t| *t > now);
        Self {
            id: a.id,
            username: a.username,
            display_name: a.display_name,
            org_unit_id: a.org_unit_id,
            org_unit_name: a.org_unit_name,
            department_id: a.department_id,
            department_name: a.department_name,
            roles: a.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            status: a.status.as_str().to_owned(),
            phone: a.phone_masked,
            locked_until,
            totp_enabled: a.totp_enabled,
            last_login_at: a.last_login_at,
        }
    }
}

/// The signed-in user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeView {
    /// Account id.
    pub id: i64,
    /// Login name.
    pub username: String,
    /// Person's name.
    pub display_name: String,
    /// Role ids.
    pub roles: Vec<String>,
    /// The unit the user belongs to.
    pub org_unit: MeOrgUnit,
    /// Department id, for handlers.
    pub department_id: Option<i64>,
    /// Department name.
    pub department_name: Option<String>,
}

/// The user's unit.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeOrgUnit {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Level.
    pub level: String,
    /// Path.
    pub path: String,
}

impl From<&Account> for MeView {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id,
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            roles: a.roles.iter().map(|r| r.as_str().to_owned()).collect(),
            org_unit: MeOrgUnit {
                id: a.org_unit_id,
                name: a.org_unit_name.clone(),
                level: a.org_level.as_str().to_owned(),
                path: a.org_path.clone(),
            },
            department_id: a.department_id,
            department_name: a.department_name.clone(),
        }
    }
}
