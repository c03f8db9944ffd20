//! The jurisdiction the history is generated for, read back from the store: org units,
//! departments and the staff who act on cases, with the look-ups the generator needs.

use std::collections::HashMap;

use anyhow::bail;
use zongzhi_core::account::{AccountId, AccountStatus};
use zongzhi_core::org::{DepartmentId, OrgLevel, OrgUnitId};
use zongzhi_core::role::{Role, Scope};
use zongzhi_store::{AccountFilter, DepartmentFilter, OrgUnitFilter, Store};

/// An org unit.
#[derive(Debug, Clone)]
pub(super) struct Unit {
    pub id: OrgUnitId,
    pub parent_id: Option<OrgUnitId>,
    pub level: OrgLevel,
    pub code: String,
    pub name: String,
    /// West, south, east, north of its boundary, if drawn.
    pub bbox: Option<[f64; 4]>,
}

/// A department.
#[derive(Debug, Clone)]
pub(super) struct Dept {
    pub id: DepartmentId,
    pub unit_id: OrgUnitId,
    pub name: String,
}

/// Someone who acts on cases.
#[derive(Debug, Clone)]
pub(super) struct Staff {
    pub id: AccountId,
    pub username: String,
    pub roles: Vec<Role>,
    pub unit_id: OrgUnitId,
    pub unit_path: String,
    pub dept_id: Option<DepartmentId>,
}

impl Staff {
    /// The account's scope, as a signed-in session would have it.
    pub(super) fn scope(&self) -> Scope {
        Scope {
            org_unit_id: self.unit_id,
            org_path: self.unit_path.clone(),
            department_id: self.dept_id,
        }
    }

    fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// The jurisdiction.
#[derive(Debug, Clone, Default)]
pub(super) struct World {
    pub units: Vec<Unit>,
    by_id: HashMap<OrgUnitId, usize>,
    pub depts: Vec<Dept>,
    pub staff: Vec<Staff>,
    /// Indices into `units` of the villages (the level where cases happen).
    pub villages: Vec<usize>,
}

/// Reads every page of a listing.
macro_rules! all_pages {
    ($store:expr, $method:ident, $filter:ident) => {{
        let root = Scope::subtree(0, "/");
        let mut out = Vec::new();
        let mut cursor = None;
        loop {
            let f = $filter {
                cursor: cursor.take(),
                limit: Some(500),
                ..$filter::default()
            };
            let page = $store.$method(&root, &f).await?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        out
    }};
}

/// West, south, east, north of a GeoJSON polygon.
fn bbox(geojson: Option<&str>) -> Option<[f64; 4]> {
    let v: serde_json::Value = serde_json::from_str(geojson?).ok()?;
    let ring = v.get("coordinates")?.get(0)?.as_array()?;
    let mut b = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for p in ring {
        let (x, y) = (p.get(0)?.as_f64()?, p.get(1)?.as_f64()?);
        b = [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)];
    }
    (b[0] <= b[2] && b[1] <= b[3]).then_some(b)
}

impl World {
    /// Reads the tree, the departments and the active accounts.
    pub(super) async fn load(store: &dyn Store) -> anyhow::Result<World> {
        let units = all_pages!(store, list_org_units, OrgUnitFilter);
        let depts = all_pages!(store, list_departments, DepartmentFilter);
        let accounts = all_pages!(store, list_accounts, AccountFilter);
        let mut w = World::default();
        for u in units.into_iter().filter(|u| u.active) {
            w.units.push(Unit {
                id: u.id,
                parent_id: u.parent_id,
                level: u.level,
                bbox: bbox(u.geojson.as_deref()),
                code: u.code,
                name: u.name,
            });
        }
        // Sorted by code so the generator sees the same order on every backend.
        w.units.sort_by(|a, b| a.code.cmp(&b.code));
        w.by_id = w.units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        w.depts = depts
            .into_iter()
            .filter(|d| d.active && w.by_id.contains_key(&d.org_unit_id))
            .map(|d| Dept {
                id: d.id,
                unit_id: d.org_unit_id,
                name: d.name,
            })
            .collect();
        w.depts.sort_by_key(|d| d.id);
        for a in accounts {
            if a.status == AccountStatus::Active {
                w.add_staff(&a);
            }
        }
        w.villages = (0..w.units.len())
            .filter(|&i| {
                w.units[i].level == OrgLevel::Village
                    && w.ancestor(w.units[i].id, OrgLevel::Town).is_some()
                    && w.ancestor(w.units[i].id, OrgLevel::County).is_some()
            })
            .collect();
        if w.villages.is_empty() {
            bail!("the jurisdiction has no village under a town and a county");
        }
        Ok(w)
    }

    /// Adds an account to the staff list.
    pub(super) fn add_staff(&mut self, a: &zongzhi_store::Account) {
        self.staff.push(Staff {
            id: a.id,
            username: a.username.clone(),
            roles: a.roles.clone(),
            unit_id: a.org_unit_id,
            unit_path: a.org_path.clone(),
            dept_id: a.department_id,
        });
        self.staff.sort_by_key(|s| s.id);
    }

    /// The unit with `id`.
    pub(super) fn unit(&self, id: OrgUnitId) -> Option<&Unit> {
        self.by_id.get(&id).and_then(|&i| self.units.get(i))
    }

    /// `id` itself or its ancestor at `level`.
    pub(super) fn ancestor(&self, id: OrgUnitId, level: OrgLevel) -> Option<&Unit> {
        let mut cur = self.unit(id);
        while let Some(u) = cur {
            if u.level == level {
                return Some(u);
            }
            cur = u.parent_id.and_then(|p| self.unit(p));
        }
        None
    }

    /// Direct children of `id` at `level`.
    pub(super) fn children(&self, id: OrgUnitId, level: OrgLevel) -> Vec<&Unit> {
        self.units
            .iter()
            .filter(|u| u.parent_id == Some(id) && u.level == level)
            .collect()
    }

    /// The root (city) unit.
    pub(super) fn root(&self) -> Option<&Unit> {
        self.units.iter().find(|u| u.parent_id.is_none())
    }

    /// Unit-level staff (no department) at exactly `unit` holding `role`.
    pub(super) fn staff_at(&self, unit: OrgUnitId, role: Role) -> Option<&Staff> {
        self.staff
            .iter()
            .find(|s| s.unit_id == unit && s.dept_id.is_none() && s.has(role))
    }

    /// The nearest unit-level staff holding `role` at `unit` or above: their scope holds
    /// `unit`.
    pub(super) fn staff_above(&self, unit: OrgUnitId, role: Role) -> Option<&Staff> {
        let mut cur = self.unit(unit);
        while let Some(u) = cur {
            if let Some(s) = self.staff_at(u.id, role) {
                return Some(s);
            }
            cur = u.parent_id.and_then(|p| self.unit(p));
        }
        None
    }

    /// Who signs for and handles a case held by `unit` (a lower-tier center).
    pub(super) fn unit_holder(&self, unit: OrgUnitId) -> Option<&Staff> {
        self.staff_at(unit, Role::Mediator)
            .or_else(|| self.staff_at(unit, Role::Handler))
    }

    /// Who handles a case led by department `dept`.
    pub(super) fn dept_holder(&self, dept: DepartmentId) -> Option<&Staff> {
        self.staff
            .iter()
            .find(|s| s.dept_id == Some(dept) && (s.has(Role::Handler) || s.has(Role::Mediator)))
    }

    /// Departments attached to `unit` whose name contains one of `keywords`, in keyword
    /// order; only those with a handler.
    pub(super) fn depts_matching(&self, unit: OrgUnitId, keywords: &[&str]) -> Vec<&Dept> {
        let mut out: Vec<&Dept> = Vec::new();
        for k in keywords {
            for d in self.depts.iter().filter(|d| d.unit_id == unit) {
                if d.name.contains(k)
                    && !out.iter().any(|o| o.id == d.id)
                    && self.dept_holder(d.id).is_some()
                {
                    out.push(d);
                }
            }
        }
        out
    }

    /// Grids of a village.
    pub(super) fn grids(&self, village: OrgUnitId) -> Vec<&Unit> {
        self.children(village, OrgLevel::Grid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_of_a_polygon() {
        let g = r#"{"type":"Polygon","coordinates":[[[119.6,29.8],[119.9,29.8],[119.9,30.0],[119.6,30.0],[119.6,29.8]]]}"#;
        assert_eq!(bbox(Some(g)), Some([119.6, 29.8, 119.9, 30.0]));
        assert_eq!(bbox(None), None);
        assert_eq!(bbox(Some("{}")), None);
    }
}
