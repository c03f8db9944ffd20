//! Roles, what each may do, and the scope a signed-in user acts within.

use serde::{Deserialize, Serialize};

use crate::org::{DepartmentId, OrgUnitId};

/// A user role (`Role` in DOMAIN.md). Every account holds one or more, all scoped to its org unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员: accounts and org units, never case content.
    SysAdmin,
    /// 安全管理员: roles and security policies.
    SecurityAdmin,
    /// 审计管理员: reads the audit log and nothing else.
    Auditor,
    /// 领导: dashboards, directives, warnings.
    Leader,
    /// 分流员/调度: classifies, routes, supervises, verifies, closes.
    Dispatcher,
    /// 受理员: registers cases.
    Intake,
    /// 部门办理人: handles cases routed to a department.
    Handler,
    /// 调解员
    Mediator,
    /// 网格员
    GridWorker,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 9] = [
        Self::SysAdmin,
        Self::SecurityAdmin,
        Self::Auditor,
        Self::Leader,
        Self::Dispatcher,
        Self::Intake,
        Self::Handler,
        Self::Mediator,
        Self::GridWorker,
    ];

    /// Stable identifier used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SysAdmin => "sys_admin",
            Self::SecurityAdmin => "security_admin",
            Self::Auditor => "auditor",
            Self::Leader => "leader",
            Self::Dispatcher => "dispatcher",
            Self::Intake => "intake",
            Self::Handler => "handler",
            Self::Mediator => "mediator",
            Self::GridWorker => "grid_worker",
        }
    }

    /// Parses the stable identifier.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Chinese label for the console.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::SysAdmin => "系统管理员",
            Self::SecurityAdmin => "安全管理员",
            Self::Auditor => "审计管理员",
            Self::Leader => "领导",
            Self::Dispatcher => "分流调度员",
            Self::Intake => "受理员",
            Self::Handler => "部门办理人",
            Self::Mediator => "调解员",
            Self::GridWorker => "网格员",
        }
    }

    /// One of the three separated admin roles (三员分立).
    pub fn is_admin(self) -> bool {
        matches!(self, Self::SysAdmin | Self::SecurityAdmin | Self::Auditor)
    }

    /// Admin roles must sign in with TOTP.
    pub fn requires_totp(self) -> bool {
        self.is_admin()
    }

    /// The permissions this role grants.
    pub fn permissions(self) -> &'static [Permission] {
        use Permission::*;
        match self {
            Self::SysAdmin => &[ReadOrg, ManageOrg, ReadAccounts, ManageAccounts],
            Self::SecurityAdmin => &[ReadAccounts, ManageRoles, ManagePolicies],
            Self::Auditor => &[ReadAudit],
            Self::Leader => &[ReadOrg, ReadCases, ReadStats, ExportCases],
            Self::Dispatcher => &[ReadOrg, ReadCases, WriteCases, ReadStats, ExportCases],
            Self::Intake => &[ReadOrg, ReadCases, WriteCases, ReadStats, ExportCases],
            Self::Handler => &[ReadOrg, ReadCases, WriteCases, ReadStats],
            Self::Mediator => &[ReadOrg, ReadCases, WriteCases, ReadStats],
            Self::GridWorker => &[ReadOrg, ReadCases, WriteCases],
        }
    }
}

/// Something a role may do. Where it may do it is the [`Scope`]'s business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read org units and departments.
    ReadOrg,
    /// Create and edit org units and departments.
    ManageOrg,
    /// Read accounts.
    ReadAccounts,
    /// Create, edit, disable, unlock accounts and reset passwords.
    ManageAccounts,
    /// Grant and revoke roles.
    ManageRoles,
    /// Edit security policies.
    ManagePolicies,
    /// Read the audit log.
    ReadAudit,
    /// Read case content and parties.
    ReadCases,
    /// Register and act on cases.
    WriteCases,
    /// Read statistics, rankings and the map (统计分析) for the scope.
    ReadStats,
    /// Export ledgers, case lists and reports (台账导出).
    ExportCases,
}

/// Roles as stored by every backend: ids in [`Role`] order, deduplicated, comma-separated.
/// One format, so both databases hold the same text for the same roles.
pub fn encode_roles(roles: &[Role]) -> String {
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses [`encode_roles`] text (any order tolerated); `Err` carries the unknown id.
pub fn decode_roles(s: &str) -> Result<Vec<Role>, String> {
    let mut roles = s
        .split(',')
        .filter(|x| !x.is_empty())
        .map(|x| Role::parse(x).ok_or_else(|| x.to_owned()))
        .collect::<Result<Vec<Role>, String>>()?;
    roles.sort();
    roles.dedup();
    Ok(roles)
}

/// Whether a set of roles grants `p`.
pub fn roles_grant(roles: &[Role], p: Permission) -> bool {
    roles.iter().any(|r| r.permissions().contains(&p))
}

/// Where a user's reads and writes may reach: the subtree of their org unit and, for a
/// department handler, their department. Every store query takes one; SQL applies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    /// The user's own org unit.
    pub org_unit_id: OrgUnitId,
    /// Materialized path of that unit; the subtree is every path with this prefix.
    pub org_path: String,
    /// The department the user works in, if any.
    pub department_id: Option<DepartmentId>,
}

impl Scope {
    /// A scope covering the whole tree under `org_path`.
    pub fn subtree(org_unit_id: OrgUnitId, org_path: impl Into<String>) -> Self {
        Self {
            org_unit_id,
            org_path: org_path.into(),
            department_id: None,
        }
    }

    /// Whether a unit with `path` is inside this scope.
    pub fn contains_path(&self, path: &str) -> bool {
        crate::org::path_within(path, &self.org_path)
    }

    /// `[lo, hi)` of paths inside this scope, for an indexed range query.
    pub fn path_range(&self) -> (String, String) {
        crate::org::subtree_range(&self.org_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_roles_are_separated() {
        // 三员分立: no admin role may read cases; only the auditor reads the audit log.
        for r in [Role::SysAdmin, Role::SecurityAdmin, Role::Auditor] {
            assert!(!roles_grant(&[r], Permission::ReadCases));
        }
        for r in Role::ALL {
            assert_eq!(roles_grant(&[r], Permission::ReadAudit), r == Role::Auditor);
        }
        assert_eq!(Role::Auditor.permissions(), &[Permission::ReadAudit]);
        assert!(!roles_grant(&[Role::SysAdmin], Permission::ManageRoles));
        assert!(!roles_grant(
            &[Role::SecurityAdmin],
            Permission::ManageAccounts
        ));
    }

    #[test]
    fn stored_roles_have_one_canonical_form() {
        let text = encode_roles(&[Role::GridWorker, Role::Intake, Role::GridWorker]);
        assert_eq!(text, "intake,grid_worker");
        assert_eq!(
            decode_roles(&text),
            Ok(vec![Role::Intake, Role::GridWorker])
        );
        assert_eq!(
            decode_roles("grid_worker,intake"),
            Ok(vec![Role::Intake, Role::GridWorker])
        );
        assert_eq!(decode_roles("intake,boss"), Err("boss".to_owned()));
        assert_eq!(decode_roles(""), Ok(vec![]));
    }

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
    }
}
