//! Org units: creation rules, paths, listing, search and edits.

use std::collections::HashSet;

use zongzhi_core::org::OrgLevel;

use super::{
    assert_conflict, assert_invalid_ref, assert_not_found, audit, audit_count, last_audit, mk_city,
    mk_unit, new_unit, root,
};
use crate::{OrgUnitFilter, OrgUnitPatch, Store};

fn all() -> OrgUnitFilter {
    OrgUnitFilter {
        limit: Some(500),
        ..OrgUnitFilter::default()
    }
}

fn q(text: &str) -> OrgUnitFilter {
    OrgUnitFilter {
        q: Some(text.to_owned()),
        ..all()
    }
}

async fn names(store: &dyn Store, f: &OrgUnitFilter) -> Vec<String> {
    let page = store.list_org_units(&root(), f).await.unwrap();
    assert_eq!(
        store.count_org_units(&root(), f).await.unwrap(),
        page.items.len() as i64,
        "count agrees with list for {f:?}"
    );
    let mut v: Vec<String> = page.items.into_iter().map(|u| u.name).collect();
    v.sort();
    v
}

/// A root unit is created with its path and fields, audited once, and read back equal.
pub async fn create_and_get(store: &dyn Store) {
    let before = audit_count(store).await;
    let mut new = new_unit(None, OrgLevel::City, "3399", "测试市");
    new.geojson = Some(r#"{"type":"Point","coordinates":[120.1,30.2]}"#.to_owned());
    let city = store
        .create_org_unit(&root(), new, audit("org_unit.create"))
        .await
        .unwrap();
    assert!(city.id > 0);
    assert_eq!(city.parent_id, None);
    assert_eq!(city.level, OrgLevel::City);
    assert_eq!(city.code, "3399");
    assert_eq!(city.name, "测试市");
    assert_eq!(city.path, "/3399/");
    assert_eq!(
        city.geojson.as_deref(),
        Some(r#"{"type":"Point","coordinates":[120.1,30.2]}"#)
    );
    assert!(city.active);
    assert!((chrono::Utc::now() - city.created_at).num_seconds().abs() < 60);
    assert_eq!(audit_count(store).await, before + 1);
    assert_eq!(last_audit(store).await.action, "org_unit.create");

    let got = store.get_org_unit(&root(), city.id).await.unwrap();
    assert_eq!(got, city);
    assert_not_found(store.get_org_unit(&root(), city.id + 1000).await);
}

/// A unit must sit directly below its parent's level; only cities are roots.
pub async fn level_rules(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let before = audit_count(store).await;
    for (parent, level) in [
        (Some(&city), OrgLevel::Town),
        (Some(&city), OrgLevel::City),
        (Some(&city), OrgLevel::Grid),
        (None, OrgLevel::County),
        (None, OrgLevel::Grid),
    ] {
        let r = store
            .create_org_unit(
                &root(),
                new_unit(parent, level, "339901", "县"),
                audit("org_unit.create"),
            )
            .await;
        assert_invalid_ref(r, "level");
    }
    assert_eq!(audit_count(store).await, before);
    assert_eq!(store.count_org_units(&root(), &all()).await.unwrap(), 1);

    let county = mk_unit(store, Some(&city), OrgLevel::County, "339901", "县").await;
    let town = mk_unit(store, Some(&county), OrgLevel::Town, "33990101", "镇").await;
    let village = mk_unit(store, Some(&town), OrgLevel::Village, "3399010101", "村").await;
    let grid = mk_unit(
        store,
        Some(&village),
        OrgLevel::Grid,
        "339901010101",
        "网格",
    )
    .await;
    let r = store
        .create_org_unit(
            &root(),
            new_unit(Some(&grid), OrgLevel::Grid, "33990101010101", "x"),
            audit("org_unit.create"),
        )
        .await;
    assert_invalid_ref(r, "level");
    // A second city is fine.
    mk_city(store, "3398").await;
}

/// Codes are unique in the deployment; a duplicate changes nothing.
pub async fn code_taken(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    mk_unit(store, Some(&city), OrgLevel::County, "339901", "县一").await;
    let before = audit_count(store).await;
    let r = store
        .create_org_unit(
            &root(),
            new_unit(Some(&city), OrgLevel::County, "339901", "县二"),
            audit("org_unit.create"),
        )
        .await;
    assert_conflict(r, "org_code_taken");
    let r = store
        .create_org_unit(
            &root(),
            new_unit(None, OrgLevel::City, "3399", "另一市"),
            audit("org_unit.create"),
        )
        .await;
    assert_conflict(r, "org_code_taken");
    assert_eq!(audit_count(store).await, before);
    assert_eq!(store.count_org_units(&root(), &all()).await.unwrap(), 2);
}

/// A parent that does not exist is an invalid reference.
pub async fn missing_parent(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let mut new = new_unit(Some(&city), OrgLevel::County, "339901", "县");
    new.parent_id = Some(city.id + 999);
    let r = store
        .create_org_unit(&root(), new, audit("org_unit.create"))
        .await;
    assert_invalid_ref(r, "parent");
}

/// Paths are the parent's path plus the code; parent ids point up.
pub async fn paths_nest(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let county = mk_unit(store, Some(&city), OrgLevel::County, "339901", "县").await;
    let town = mk_unit(store, Some(&county), OrgLevel::Town, "339901001", "镇").await;
    assert_eq!(county.path, "/3399/339901/");
    assert_eq!(county.parent_id, Some(city.id));
    assert_eq!(town.path, "/3399/339901/339901001/");
    assert_eq!(town.parent_id, Some(county.id));
    assert_eq!(town.level, OrgLevel::Town);
}

/// Keyset pages by path cover every unit exactly once, in path order.
pub async fn pagination(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    for i in (10..22).rev() {
        mk_unit(
            store,
            Some(&city),
            OrgLevel::County,
            &format!("3399{i}"),
            &format!("县{i}"),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let f = OrgUnitFilter {
            cursor: cursor.clone(),
            limit: Some(5),
            ..OrgUnitFilter::default()
        };
        let page = store.list_org_units(&root(), &f).await.unwrap();
        pages += 1;
        assert!(page.items.len() <= 5);
        seen.extend(page.items.into_iter().map(|u| u.path));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
        assert!(pages < 10, "pagination does not end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 13);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 13);
    assert_eq!(seen[0], "/3399/");
    // An exact multiple of the page size ends without an empty trailing page... or with a
    // cursor whose next page is empty; either way no row repeats.
    let f = OrgUnitFilter {
        limit: Some(13),
        ..OrgUnitFilter::default()
    };
    let page = store.list_org_units(&root(), &f).await.unwrap();
    assert_eq!(page.items.len(), 13);
    if let Some(c) = page.next_cursor {
        let f = OrgUnitFilter {
            cursor: Some(c),
            ..f
        };
        assert!(
            store
                .list_org_units(&root(), &f)
                .await
                .unwrap()
                .items
                .is_empty()
        );
    }
}

/// `q` matches name or code as a case-insensitive substring; `%`, `_`, `'` and `\` are
/// literal.
pub async fn search_escapes_wildcards(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let units = [
        ("339901", "百分%村"),
        ("339902", "百分之村"),
        ("339903", "下划_线"),
        ("339904", "下划X线"),
        ("339905", "O'Brien村"),
        ("339906", "Alpha镇"),
        ("339907", r"反\斜"),
    ];
    for (c, n) in units {
        mk_unit(store, Some(&city), OrgLevel::County, c, n).await;
    }
    assert_eq!(names(store, &q("%")).await, ["百分%村"]);
    assert_eq!(names(store, &q("分%")).await, ["百分%村"]);
    assert_eq!(names(store, &q("_")).await, ["下划_线"]);
    assert_eq!(names(store, &q("'")).await, ["O'Brien村"]);
    assert_eq!(names(store, &q(r"\")).await, [r"反\斜"]);
    assert_eq!(names(store, &q("alpha")).await, ["Alpha镇"]);
    assert_eq!(names(store, &q("ALPHA")).await, ["Alpha镇"]);
    assert_eq!(names(store, &q("百分")).await, ["百分%村", "百分之村"]);
    // By code.
    assert_eq!(names(store, &q("339903")).await, ["下划_线"]);
    assert_eq!(names(store, &q("3399")).await.len(), 8);
    assert!(names(store, &q("nothing")).await.is_empty());
}

/// HTML and SQL in names are stored and returned verbatim.
pub async fn hostile_text_verbatim(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let hostile = [
        ("339901", "<script>alert(1)</script>"),
        ("339902", "'; DROP TABLE org_units; --"),
        ("339903", "\" OR 1=1 --"),
        ("339904", "<img src=x onerror=alert(1)>&amp;"),
    ];
    for (c, n) in hostile {
        let u = mk_unit(store, Some(&city), OrgLevel::County, c, n).await;
        assert_eq!(u.name, n);
        assert_eq!(store.get_org_unit(&root(), u.id).await.unwrap().name, n);
        assert_eq!(names(store, &q(n)).await, [n]);
    }
    assert_eq!(store.count_org_units(&root(), &all()).await.unwrap(), 5);
}

/// Patches change only the given fields, each audited once; unknown ids are NotFound.
pub async fn update_fields(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let county = mk_unit(store, Some(&city), OrgLevel::County, "339901", "县").await;
    let before = audit_count(store).await;
    let patch = OrgUnitPatch {
        name: Some(super::uname("新县")),
        geojson: Some(Some("{}".to_owned())),
        active: None,
    };
    let u = store
        .update_org_unit(&root(), county.id, patch, audit("org_unit.update"))
        .await
        .unwrap();
    assert_eq!(u.name, "新县");
    assert_eq!(u.geojson.as_deref(), Some("{}"));
    assert!(u.active);
    assert_eq!(
        (u.code.as_str(), u.path.as_str()),
        ("339901", "/3399/339901/")
    );
    assert_eq!(audit_count(store).await, before + 1);
    assert_eq!(last_audit(store).await.action, "org_unit.update");

    let patch = OrgUnitPatch {
        geojson: Some(None),
        active: Some(false),
        ..OrgUnitPatch::default()
    };
    let u = store
        .update_org_unit(&root(), county.id, patch, audit("org_unit.update"))
        .await
        .unwrap();
    assert_eq!(u.name, "新县");
    assert_eq!(u.geojson, None);
    assert!(!u.active);
    assert_eq!(store.get_org_unit(&root(), county.id).await.unwrap(), u);
    assert_eq!(audit_count(store).await, before + 2);

    let r = store
        .update_org_unit(
            &root(),
            county.id + 999,
            OrgUnitPatch::default(),
            audit("x"),
        )
        .await;
    assert_not_found(r);
    assert_eq!(audit_count(store).await, before + 2);
}

/// `parent_id`, `level` and `under` filters.
pub async fn filters(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let c1 = mk_unit(store, Some(&city), OrgLevel::County, "339901", "县1").await;
    let c2 = mk_unit(store, Some(&city), OrgLevel::County, "339902", "县2").await;
    let t1 = mk_unit(store, Some(&c1), OrgLevel::Town, "339901001", "镇1").await;
    mk_unit(store, Some(&c1), OrgLevel::Town, "339901002", "镇2").await;
    mk_unit(store, Some(&c2), OrgLevel::Town, "339902001", "镇3").await;
    mk_unit(store, Some(&t1), OrgLevel::Village, "339901001001", "村1").await;

    let f = OrgUnitFilter {
        parent_id: Some(c1.id),
        ..all()
    };
    assert_eq!(names(store, &f).await, ["镇1", "镇2"]);
    let f = OrgUnitFilter {
        level: Some(OrgLevel::Town),
        ..all()
    };
    assert_eq!(names(store, &f).await, ["镇1", "镇2", "镇3"]);
    let f = OrgUnitFilter {
        under: Some(c1.id),
        ..all()
    };
    assert_eq!(names(store, &f).await, ["县1", "村1", "镇1", "镇2"]);
    let f = OrgUnitFilter {
        under: Some(c1.id),
        level: Some(OrgLevel::Town),
        q: Some("2".to_owned()),
        ..all()
    };
    assert_eq!(names(store, &f).await, ["镇2"]);
    let f = OrgUnitFilter {
        under: Some(c2.id + 999),
        ..all()
    };
    assert!(names(store, &f).await.is_empty());
}

/// Page sizes are clamped to `1..=MAX_PAGE`, 50 by default.
pub async fn limit_is_clamped(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    for i in 10..62 {
        let c = format!("3399{i}");
        mk_unit(store, Some(&city), OrgLevel::County, &c, &c).await;
    }
    for (limit, len) in [(Some(0), 1), (Some(-3), 1), (None, 50), (Some(10_000), 53)] {
        let f = OrgUnitFilter {
            limit,
            ..OrgUnitFilter::default()
        };
        let page = store.list_org_units(&root(), &f).await.unwrap();
        assert_eq!(page.items.len(), len, "limit {limit:?}");
        assert_eq!(page.next_cursor.is_some(), len < 53, "limit {limit:?}");
    }
}
