//! The scope matrix: a scope at a town (县0/镇00 of [`seed_tree`]) reaches its own unit and
//! descendants, never its parent county, its sibling town or the sibling's children.

use std::collections::BTreeSet;

use zongzhi_core::org::{DepartmentKind, OrgLevel};
use zongzhi_core::role::{Role, Scope};

use super::{
    Tree, assert_invalid_ref, assert_not_found, audit, audit_count, mk_unit, root, scope_of,
    seed_tree, uname,
};
use crate::{
    AccountFilter, DepartmentFilter, DepartmentPatch, NewDepartment, OrgUnit, OrgUnitFilter, Store,
};

pub(super) fn units_f(g: impl FnOnce(&mut OrgUnitFilter)) -> OrgUnitFilter {
    let mut f = OrgUnitFilter {
        limit: Some(500),
        ..OrgUnitFilter::default()
    };
    g(&mut f);
    f
}

pub(super) fn depts_f(g: impl FnOnce(&mut DepartmentFilter)) -> DepartmentFilter {
    let mut f = DepartmentFilter {
        limit: Some(500),
        ..DepartmentFilter::default()
    };
    g(&mut f);
    f
}

pub(super) fn accts_f(g: impl FnOnce(&mut AccountFilter)) -> AccountFilter {
    let mut f = AccountFilter {
        limit: Some(500),
        ..AccountFilter::default()
    };
    g(&mut f);
    f
}

pub(super) async fn unit_ids(store: &dyn Store, s: &Scope, f: OrgUnitFilter) -> BTreeSet<i64> {
    let page = store.list_org_units(s, &f).await.unwrap();
    let n = store.count_org_units(s, &f).await.unwrap();
    assert_eq!(
        n,
        page.items.len() as i64,
        "count agrees with list for {f:?}"
    );
    page.items.iter().map(|u| u.id).collect()
}

pub(super) async fn dept_ids(store: &dyn Store, s: &Scope, f: DepartmentFilter) -> BTreeSet<i64> {
    let page = store.list_departments(s, &f).await.unwrap();
    let n = store.count_departments(s, &f).await.unwrap();
    assert_eq!(
        n,
        page.items.len() as i64,
        "count agrees with list for {f:?}"
    );
    page.items.iter().map(|d| d.id).collect()
}

pub(super) async fn acct_ids(store: &dyn Store, s: &Scope, f: AccountFilter) -> BTreeSet<i64> {
    let page = store.list_accounts(s, &f).await.unwrap();
    let n = store.count_accounts(s, &f).await.unwrap();
    assert_eq!(
        n,
        page.items.len() as i64,
        "count agrees with list for {f:?}"
    );
    page.items.iter().map(|a| a.id).collect()
}

pub(super) fn set<'a>(units: impl IntoIterator<Item = &'a OrgUnit>) -> BTreeSet<i64> {
    units.into_iter().map(|u| u.id).collect()
}

/// The units a town scope must reach, and some it must not.
pub(super) fn inside_outside(t: &Tree) -> (Vec<&OrgUnit>, Vec<&OrgUnit>) {
    let inside = vec![
        t.town(0, 0),
        t.village(0, 0, 0),
        t.village(0, 0, 1),
        t.grid(0, 0, 0),
        t.grid(0, 0, 1),
    ];
    let outside = vec![
        &t.city,
        t.county(0),
        t.town(0, 1),
        t.village(0, 1, 0),
        t.village(0, 1, 1),
        t.grid(0, 1, 0),
        t.county(1),
        t.town(1, 0),
        t.village(1, 0, 0),
    ];
    (inside, outside)
}

/// Reads, lists, counts and searches of org units stop at the town's subtree.
pub async fn town_scope_org_units(store: &dyn Store) {
    let t = seed_tree(store).await;
    let s = scope_of(t.town(0, 0));
    let (inside, outside) = inside_outside(&t);
    for u in &inside {
        assert_eq!(&store.get_org_unit(&s, u.id).await.unwrap(), *u);
    }
    for u in &outside {
        assert_not_found(store.get_org_unit(&s, u.id).await);
    }
    assert_eq!(
        unit_ids(store, &s, units_f(|_| {})).await,
        set(inside.clone())
    );
    let page = store.list_org_units(&s, &units_f(|_| {})).await.unwrap();
    assert_eq!(page.items[0].id, t.town(0, 0).id);
    let q = |text: &str| units_f(|f| f.q = Some(text.to_owned()));
    assert_eq!(unit_ids(store, &s, q("镇")).await, set([t.town(0, 0)]));
    assert!(unit_ids(store, &s, q("村01")).await.is_empty());
    assert!(unit_ids(store, &s, q("县")).await.is_empty());
    assert!(unit_ids(store, &s, q(&t.town(0, 1).code)).await.is_empty());
    assert_eq!(unit_ids(store, &s, q("村00")).await.len(), 2);
    let under = |u: &OrgUnit| units_f(|f| f.under = Some(u.id));
    assert!(unit_ids(store, &s, under(t.town(0, 1))).await.is_empty());
    assert!(unit_ids(store, &s, under(t.county(0))).await.is_empty());
    assert!(
        unit_ids(store, &s, under(t.village(0, 1, 0)))
            .await
            .is_empty()
    );
    assert_eq!(
        unit_ids(store, &s, under(t.village(0, 0, 1))).await,
        set([t.village(0, 0, 1), t.grid(0, 0, 1)])
    );
    let f = units_f(|f| f.parent_id = Some(t.town(0, 0).id));
    assert_eq!(
        unit_ids(store, &s, f).await,
        set([t.village(0, 0, 0), t.village(0, 0, 1)])
    );
    assert!(
        unit_ids(store, &s, units_f(|f| f.parent_id = Some(t.town(0, 1).id)))
            .await
            .is_empty()
    );
    let f = units_f(|f| f.level = Some(OrgLevel::Grid));
    assert_eq!(
        unit_ids(store, &s, f).await,
        set([t.grid(0, 0, 0), t.grid(0, 0, 1)])
    );
}

/// Departments are reached through their unit's path.
pub async fn town_scope_departments(store: &dyn Store) {
    let t = seed_tree(store).await;
    let s = scope_of(t.town(0, 0));
    let mine = [t.town(0, 0), t.village(0, 0, 0), t.village(0, 0, 1)];
    let others = [
        t.county(0),
        t.town(0, 1),
        t.village(0, 1, 0),
        t.county(1),
        t.town(1, 1),
    ];
    let my_ids: BTreeSet<i64> = mine.iter().map(|u| t.dept(u).id).collect();
    for u in mine {
        assert_eq!(
            &store.get_department(&s, t.dept(u).id).await.unwrap(),
            t.dept(u)
        );
    }
    for u in others {
        assert_not_found(store.get_department(&s, t.dept(u).id).await);
    }
    assert_eq!(dept_ids(store, &s, depts_f(|_| {})).await, my_ids);
    assert_eq!(
        dept_ids(store, &s, depts_f(|f| f.q = Some("综治办".into()))).await,
        my_ids
    );
    assert!(
        dept_ids(store, &s, depts_f(|f| f.q = Some("镇01".into())))
            .await
            .is_empty()
    );
    assert!(
        dept_ids(store, &s, depts_f(|f| f.q = Some("县".into())))
            .await
            .is_empty()
    );
    let sib = t.town(0, 1).id;
    assert!(
        dept_ids(store, &s, depts_f(|f| f.under = Some(sib)))
            .await
            .is_empty()
    );
    assert!(
        dept_ids(store, &s, depts_f(|f| f.org_unit_id = Some(sib)))
            .await
            .is_empty()
    );
    let county = t.county(0).id;
    assert!(
        dept_ids(store, &s, depts_f(|f| f.org_unit_id = Some(county)))
            .await
            .is_empty()
    );
    let vid = t.village(0, 0, 1).id;
    let got = dept_ids(store, &s, depts_f(|f| f.under = Some(vid))).await;
    assert_eq!(got, BTreeSet::from([t.dept(t.village(0, 0, 1)).id]));

    let before = audit_count(store).await;
    for u in others {
        let d = t.dept(u);
        let patch = DepartmentPatch {
            active: Some(false),
            ..DepartmentPatch::default()
        };
        assert_not_found(
            store
                .update_department(&s, d.id, patch, audit("d.update"))
                .await,
        );
        assert_eq!(&store.get_department(&root(), d.id).await.unwrap(), d);
        let nd = NewDepartment {
            org_unit_id: u.id,
            name: uname("新部门"),
            kind: DepartmentKind::Resident,
        };
        assert_invalid_ref(
            store.create_department(&s, nd, audit("d.create")).await,
            "org_unit",
        );
    }
    assert_eq!(audit_count(store).await, before);
    let patch = DepartmentPatch {
        kind: Some(DepartmentKind::Liaison),
        ..DepartmentPatch::default()
    };
    let d = t.dept(t.village(0, 0, 0));
    let got = store
        .update_department(&s, d.id, patch, audit("d.update"))
        .await
        .unwrap();
    assert_eq!(got.kind, DepartmentKind::Liaison);
    let nd = NewDepartment {
        org_unit_id: t.village(0, 0, 1).id,
        name: uname("新部门"),
        kind: DepartmentKind::Resident,
    };
    store
        .create_department(&s, nd, audit("d.create"))
        .await
        .unwrap();
    assert_eq!(dept_ids(store, &s, depts_f(|_| {})).await.len(), 4);
    assert_eq!(audit_count(store).await, before + 2);
}

/// Account reads, lists, counts and searches stop at the town's subtree.
pub async fn town_scope_accounts(store: &dyn Store) {
    let t = seed_tree(store).await;
    let s = scope_of(t.town(0, 0));
    let mine = [t.town(0, 0), t.village(0, 0, 0), t.village(0, 0, 1)];
    let others = [
        &t.city,
        t.county(0),
        t.town(0, 1),
        t.village(0, 1, 0),
        t.county(1),
    ];
    let my_ids: BTreeSet<i64> = mine.iter().map(|u| t.account(u).id).collect();
    for u in mine {
        assert_eq!(
            &store.get_account(&s, t.account(u).id).await.unwrap(),
            t.account(u)
        );
    }
    for u in others {
        assert_not_found(store.get_account(&s, t.account(u).id).await);
    }
    assert_eq!(acct_ids(store, &s, accts_f(|_| {})).await, my_ids);
    let own = t.town(0, 0).code.clone();
    assert_eq!(
        acct_ids(store, &s, accts_f(|f| f.q = Some(own))).await,
        my_ids
    );
    let sib = t.town(0, 1).code.clone();
    assert!(
        acct_ids(store, &s, accts_f(|f| f.q = Some(sib)))
            .await
            .is_empty()
    );
    assert!(
        acct_ids(store, &s, accts_f(|f| f.q = Some("cityadmin".into())))
            .await
            .is_empty()
    );
    let f = accts_f(|f| f.role = Some(Role::Dispatcher));
    assert_eq!(acct_ids(store, &s, f).await, my_ids);
    assert!(
        acct_ids(store, &s, accts_f(|f| f.role = Some(Role::SysAdmin)))
            .await
            .is_empty()
    );
    let sib_id = t.town(0, 1).id;
    assert!(
        acct_ids(store, &s, accts_f(|f| f.under = Some(sib_id)))
            .await
            .is_empty()
    );
    let cid = t.county(0).id;
    assert!(
        acct_ids(store, &s, accts_f(|f| f.under = Some(cid)))
            .await
            .is_empty()
    );
    let vid = t.village(0, 0, 0).id;
    let got = acct_ids(store, &s, accts_f(|f| f.under = Some(vid))).await;
    assert_eq!(got, BTreeSet::from([t.account(t.village(0, 0, 0)).id]));
}

/// A county scope reaches both its towns; the root and city scopes reach everything.
pub async fn county_and_root_scopes(store: &dyn Store) {
    let t = seed_tree(store).await;
    let c = scope_of(t.county(0));
    assert_eq!(
        unit_ids(store, &c, units_f(|_| {})).await,
        set(t.subtree_of(t.county(0)))
    );
    assert_eq!(unit_ids(store, &c, units_f(|_| {})).await.len(), 11);
    assert_eq!(dept_ids(store, &c, depts_f(|_| {})).await.len(), 7);
    assert_eq!(acct_ids(store, &c, accts_f(|_| {})).await.len(), 7);
    assert_not_found(store.get_org_unit(&c, t.county(1).id).await);
    assert_not_found(store.get_org_unit(&c, t.city.id).await);
    for s in [root(), scope_of(&t.city)] {
        assert_eq!(
            unit_ids(store, &s, units_f(|_| {})).await,
            set(t.all_units())
        );
        assert_eq!(dept_ids(store, &s, depts_f(|_| {})).await.len(), 14);
        assert_eq!(acct_ids(store, &s, accts_f(|_| {})).await.len(), 15);
    }
    let g = scope_of(t.grid(1, 1, 1));
    assert_eq!(
        unit_ids(store, &g, units_f(|_| {})).await,
        set([t.grid(1, 1, 1)])
    );
    assert!(acct_ids(store, &g, accts_f(|_| {})).await.is_empty());
}

/// A unit whose code merely starts with another's is not inside it.
pub async fn prefix_sibling_is_outside(store: &dyn Store) {
    let city = mk_unit(store, None, OrgLevel::City, "3399", "市").await;
    let other_city = mk_unit(store, None, OrgLevel::City, "33990", "他市").await;
    let a = mk_unit(store, Some(&city), OrgLevel::County, "339901", "甲县").await;
    let b = mk_unit(store, Some(&city), OrgLevel::County, "3399011", "乙县").await;
    let b_town = mk_unit(store, Some(&b), OrgLevel::Town, "33990111", "乙镇").await;
    let a_town = mk_unit(store, Some(&a), OrgLevel::Town, "33990101", "甲镇").await;
    let s = scope_of(&a);
    assert_eq!(
        unit_ids(store, &s, units_f(|_| {})).await,
        set([&a, &a_town])
    );
    assert_not_found(store.get_org_unit(&s, b.id).await);
    assert_not_found(store.get_org_unit(&s, b_town.id).await);
    let s = scope_of(&city);
    assert_eq!(unit_ids(store, &s, units_f(|_| {})).await.len(), 5);
    assert_not_found(store.get_org_unit(&s, other_city.id).await);
    assert_eq!(unit_ids(store, &root(), units_f(|_| {})).await.len(), 6);
}
