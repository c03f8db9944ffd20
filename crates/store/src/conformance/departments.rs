//! Departments: creation, uniqueness per unit, listing and edits.

use std::collections::HashSet;

use zongzhi_core::org::{DepartmentKind, OrgLevel};

use super::{
    assert_conflict, assert_invalid_ref, assert_not_found, audit, audit_count, last_audit, mk_city,
    mk_dept, mk_unit, root, uname,
};
use crate::{DepartmentFilter, DepartmentPatch, NewDepartment, Store};

fn all() -> DepartmentFilter {
    DepartmentFilter {
        limit: Some(500),
        ..DepartmentFilter::default()
    }
}

async fn names(store: &dyn Store, f: &DepartmentFilter) -> Vec<String> {
    let page = store.list_departments(&root(), f).await.unwrap();
    assert_eq!(
        store.count_departments(&root(), f).await.unwrap(),
        page.items.len() as i64,
        "count agrees with list for {f:?}"
    );
    let mut v: Vec<String> = page.items.into_iter().map(|d| d.name).collect();
    v.sort();
    v
}

/// A department carries its unit's name and path; edits change only the given fields.
pub async fn create_get_update(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let county = mk_unit(store, Some(&city), OrgLevel::County, "339901", "一县").await;
    let before = audit_count(store).await;
    let d = store
        .create_department(
            &root(),
            NewDepartment {
                org_unit_id: county.id,
                name: uname("县公安局"),
                kind: DepartmentKind::Rotating,
            },
            audit("department.create"),
        )
        .await
        .unwrap();
    assert!(d.id > 0);
    assert_eq!(d.org_unit_id, county.id);
    assert_eq!(d.org_unit_name, "一县");
    assert_eq!(d.org_path, "/3399/339901/");
    assert_eq!(d.name, "县公安局");
    assert_eq!(d.kind, DepartmentKind::Rotating);
    assert!(d.active);
    assert_eq!(audit_count(store).await, before + 1);
    assert_eq!(last_audit(store).await.action, "department.create");
    assert_eq!(store.get_department(&root(), d.id).await.unwrap(), d);
    assert_not_found(store.get_department(&root(), d.id + 999).await);

    let patch = DepartmentPatch {
        name: Some(uname("县司法局")),
        kind: Some(DepartmentKind::Liaison),
        active: None,
    };
    let u = store
        .update_department(&root(), d.id, patch, audit("department.update"))
        .await
        .unwrap();
    assert_eq!(
        (u.name.as_str(), u.kind, u.active),
        ("县司法局", DepartmentKind::Liaison, true)
    );
    let patch = DepartmentPatch {
        active: Some(false),
        ..DepartmentPatch::default()
    };
    let u = store
        .update_department(&root(), d.id, patch, audit("department.update"))
        .await
        .unwrap();
    assert_eq!(
        (u.name.as_str(), u.kind, u.active),
        ("县司法局", DepartmentKind::Liaison, false)
    );
    assert_eq!(store.get_department(&root(), d.id).await.unwrap(), u);
    assert_eq!(audit_count(store).await, before + 3);
    let r = store
        .update_department(&root(), d.id + 999, DepartmentPatch::default(), audit("x"))
        .await;
    assert_not_found(r);
    assert_eq!(audit_count(store).await, before + 3);
}

/// Names are unique within a unit (create and rename), not across units.
pub async fn name_taken(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let c1 = mk_unit(store, Some(&city), OrgLevel::County, "339901", "一县").await;
    let c2 = mk_unit(store, Some(&city), OrgLevel::County, "339902", "二县").await;
    mk_dept(store, &c1, "公安局").await;
    let other = mk_dept(store, &c1, "法院").await;
    mk_dept(store, &c2, "公安局").await;
    let before = audit_count(store).await;
    let r = store
        .create_department(
            &root(),
            NewDepartment {
                org_unit_id: c1.id,
                name: uname("公安局"),
                kind: DepartmentKind::Resident,
            },
            audit("department.create"),
        )
        .await;
    assert_conflict(r, "department_name_taken");
    let patch = DepartmentPatch {
        name: Some(uname("公安局")),
        ..DepartmentPatch::default()
    };
    let r = store
        .update_department(&root(), other.id, patch, audit("department.update"))
        .await;
    assert_conflict(r, "department_name_taken");
    assert_eq!(audit_count(store).await, before);
    assert_eq!(
        store.get_department(&root(), other.id).await.unwrap().name,
        "法院"
    );
    assert_eq!(names(store, &all()).await, ["公安局", "公安局", "法院"]);
}

/// A department on a missing unit is an invalid reference.
pub async fn bad_unit(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let before = audit_count(store).await;
    let r = store
        .create_department(
            &root(),
            NewDepartment {
                org_unit_id: city.id + 999,
                name: uname("公安局"),
                kind: DepartmentKind::Resident,
            },
            audit("department.create"),
        )
        .await;
    assert_invalid_ref(r, "org_unit");
    assert_eq!(audit_count(store).await, before);
}

/// `under`, `org_unit_id` and `q` filters; keyset pages by id.
pub async fn list_filter_paginate(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let c1 = mk_unit(store, Some(&city), OrgLevel::County, "339901", "一县").await;
    let c2 = mk_unit(store, Some(&city), OrgLevel::County, "339902", "二县").await;
    let t1 = mk_unit(store, Some(&c1), OrgLevel::Town, "339901001", "镇").await;
    mk_dept(store, &city, "市委政法委").await;
    mk_dept(store, &c1, "县公安局").await;
    mk_dept(store, &c1, "县法院_%").await;
    mk_dept(store, &t1, "派出所").await;
    mk_dept(store, &c2, "县信访局").await;

    let f = DepartmentFilter {
        under: Some(c1.id),
        ..all()
    };
    assert_eq!(names(store, &f).await, ["县公安局", "县法院_%", "派出所"]);
    let f = DepartmentFilter {
        org_unit_id: Some(c1.id),
        ..all()
    };
    assert_eq!(names(store, &f).await, ["县公安局", "县法院_%"]);
    let f = DepartmentFilter {
        q: Some("县".to_owned()),
        ..all()
    };
    assert_eq!(names(store, &f).await, ["县信访局", "县公安局", "县法院_%"]);
    let f = DepartmentFilter {
        q: Some("_%".to_owned()),
        ..all()
    };
    assert_eq!(names(store, &f).await, ["县法院_%"]);
    let f = DepartmentFilter {
        under: Some(c2.id + 999),
        ..all()
    };
    assert!(names(store, &f).await.is_empty());

    let mut ids = Vec::new();
    let mut cursor = None;
    for _ in 0..5 {
        let f = DepartmentFilter {
            cursor: cursor.clone(),
            limit: Some(2),
            ..DepartmentFilter::default()
        };
        let page = store.list_departments(&root(), &f).await.unwrap();
        ids.extend(page.items.iter().map(|d| d.id));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert!(cursor.is_none());
    assert_eq!(ids.len(), 5);
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ordered by id: {ids:?}"
    );
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 5);
}
