//! A small org tree with departments and accounts, for the scope tests.

use std::collections::HashMap;

use zongzhi_core::org::{OrgLevel, OrgUnitId};
use zongzhi_core::role::Role;

use super::{audit, mk_dept, mk_unit, new_account, root};
use crate::{Account, Department, OrgUnit, Store};

/// The seeded tree: city `3399` → counties `339901`/`339902` → two towns each
/// (`3399010001` …) → two villages each → one grid each. Every county, town and village has
/// one department (`<unit name>综治办`) and one account (`u<code>`, with that department);
/// the city has the account `cityadmin`.
///
/// Names: county `县{c}`, town `镇{c}{t}`, village `村{c}{t}{v}`, grid `网格{c}{t}{v}`
/// with indices from 0.
#[derive(Debug, Clone)]
pub struct Tree {
    /// The city.
    pub city: OrgUnit,
    /// Counties, by index.
    pub counties: Vec<OrgUnit>,
    /// Towns, index `c * 2 + t`.
    pub towns: Vec<OrgUnit>,
    /// Villages, index `(c * 2 + t) * 2 + v`.
    pub villages: Vec<OrgUnit>,
    /// Grids, same index as their village.
    pub grids: Vec<OrgUnit>,
    /// One department per county, town and village.
    pub depts: HashMap<OrgUnitId, Department>,
    /// One account per unit except grids.
    pub accounts: HashMap<OrgUnitId, Account>,
}

impl Tree {
    /// County `c`.
    pub fn county(&self, c: usize) -> &OrgUnit {
        &self.counties[c]
    }

    /// Town `t` of county `c`.
    pub fn town(&self, c: usize, t: usize) -> &OrgUnit {
        &self.towns[c * 2 + t]
    }

    /// Village `v` of town `(c, t)`.
    pub fn village(&self, c: usize, t: usize, v: usize) -> &OrgUnit {
        &self.villages[(c * 2 + t) * 2 + v]
    }

    /// The grid of village `(c, t, v)`.
    pub fn grid(&self, c: usize, t: usize, v: usize) -> &OrgUnit {
        &self.grids[(c * 2 + t) * 2 + v]
    }

    /// The department of a unit.
    pub fn dept(&self, unit: &OrgUnit) -> &Department {
        &self.depts[&unit.id]
    }

    /// The account of a unit.
    pub fn account(&self, unit: &OrgUnit) -> &Account {
        &self.accounts[&unit.id]
    }

    /// Every unit.
    pub fn all_units(&self) -> Vec<&OrgUnit> {
        std::iter::once(&self.city)
            .chain(&self.counties)
            .chain(&self.towns)
            .chain(&self.villages)
            .chain(&self.grids)
            .collect()
    }

    /// Units in the subtree of `unit` (itself included).
    pub fn subtree_of(&self, unit: &OrgUnit) -> Vec<&OrgUnit> {
        self.all_units()
            .into_iter()
            .filter(|u| u.path.starts_with(&unit.path))
            .collect()
    }
}

async fn staff(store: &dyn Store, unit: &OrgUnit, tree: &mut Tree) {
    let dept = mk_dept(store, unit, &format!("{}综治办", unit.name)).await;
    let mut new = new_account(&format!("u{}", unit.code), unit, &[Role::Dispatcher]);
    new.department_id = Some(dept.id);
    let account = store
        .create_account(&root(), new, audit("account.create"))
        .await
        .unwrap();
    tree.depts.insert(unit.id, dept);
    tree.accounts.insert(unit.id, account);
}

/// Builds the [`Tree`] with the root scope.
pub async fn seed_tree(store: &dyn Store) -> Tree {
    let city = mk_unit(store, None, OrgLevel::City, "3399", "测试市").await;
    let admin = store
        .create_account(
            &root(),
            new_account("cityadmin", &city, &[Role::SysAdmin]),
            audit("account.create"),
        )
        .await
        .unwrap();
    let mut tree = Tree {
        city: city.clone(),
        counties: Vec::new(),
        towns: Vec::new(),
        villages: Vec::new(),
        grids: Vec::new(),
        depts: HashMap::new(),
        accounts: HashMap::from([(city.id, admin)]),
    };
    for c in 0..2 {
        let county = mk_unit(
            store,
            Some(&city),
            OrgLevel::County,
            &format!("33990{}", c + 1),
            &format!("县{c}"),
        )
        .await;
        staff(store, &county, &mut tree).await;
        for t in 0..2 {
            let town = mk_unit(
                store,
                Some(&county),
                OrgLevel::Town,
                &format!("{}000{}", county.code, t + 1),
                &format!("镇{c}{t}"),
            )
            .await;
            staff(store, &town, &mut tree).await;
            for v in 0..2 {
                let village = mk_unit(
                    store,
                    Some(&town),
                    OrgLevel::Village,
                    &format!("{}00{}", town.code, v + 1),
                    &format!("村{c}{t}{v}"),
                )
                .await;
                staff(store, &village, &mut tree).await;
                let grid = mk_unit(
                    store,
                    Some(&village),
                    OrgLevel::Grid,
                    &format!("{}01", village.code),
                    &format!("网格{c}{t}{v}"),
                )
                .await;
                tree.villages.push(village);
                tree.grids.push(grid);
            }
            tree.towns.push(town);
        }
        tree.counties.push(county);
    }
    tree
}
