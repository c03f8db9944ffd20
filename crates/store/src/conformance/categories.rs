//! The category code table: seeding, the two-level rule, uniqueness, deactivation and the
//! audit row of every write.

use zongzhi_core::case::category::{CategoryKind, SEED};

use super::{
    assert_conflict, assert_invalid_ref, assert_not_found, audit, audit_count, last_audit,
};
use crate::{Category, CategoryPatch, CategorySeedRow, NewCategory, Store};

fn new_cat(code: &str, name: &str, parent: Option<&str>, kind: CategoryKind) -> NewCategory {
    NewCategory {
        code: code.to_owned(),
        name: name.to_owned(),
        parent_code: parent.map(str::to_owned),
        kind,
        sort_order: None,
    }
}

fn codes(cats: &[Category]) -> Vec<&str> {
    cats.iter().map(|c| c.code.as_str()).collect()
}

/// Seeds the core table and returns how many rows it has.
async fn seed(store: &dyn Store) -> usize {
    let n = store
        .seed_categories_if_empty(&CategorySeedRow::core_seed(), audit("category.seed"))
        .await
        .unwrap();
    assert_eq!(n, SEED.len());
    n
}

/// Seeding an empty table inserts the core seed in order with one audit row; seeding again
/// does nothing and audits nothing.
pub async fn seed_then_list(store: &dyn Store) {
    assert!(store.list_categories(true).await.unwrap().is_empty());
    let before = audit_count(store).await;
    seed(store).await;
    assert_eq!(audit_count(store).await, before + 1);
    assert_eq!(last_audit(store).await.action, "category.seed");

    let all = store.list_categories(false).await.unwrap();
    let expected: Vec<&str> = SEED.iter().map(|c| c.code).collect();
    assert_eq!(codes(&all), expected);
    assert_eq!(store.list_categories(true).await.unwrap(), all);
    assert!(all.windows(2).all(|w| w[0].sort_order < w[1].sort_order));
    let d01 = &all[0];
    assert_eq!(
        (
            d01.code.as_str(),
            d01.name.as_str(),
            d01.parent_code.as_deref()
        ),
        ("D01", "婚姻家庭", None)
    );
    assert_eq!(d01.kind, CategoryKind::Dispute);
    assert!(d01.active);
    let child = store.get_category("D12-03").await.unwrap();
    assert_eq!(
        (child.name.as_str(), child.parent_code.as_deref()),
        ("预付式消费", Some("D12"))
    );
    let q05 = all.last().unwrap();
    assert_eq!((q05.code.as_str(), q05.kind), ("Q05", CategoryKind::Demand));
    assert_not_found(store.get_category("D99").await);

    let again = store
        .seed_categories_if_empty(&CategorySeedRow::core_seed(), audit("category.seed"))
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(audit_count(store).await, before + 1);
    assert_eq!(store.list_categories(true).await.unwrap().len(), SEED.len());
}

/// A second-level row under a first-level one; without a sort order it goes last.
pub async fn create_child(store: &dyn Store) {
    seed(store).await;
    let before = audit_count(store).await;
    let c = store
        .create_category(
            new_cat("D01-05", "彩礼纠纷", Some("D01"), CategoryKind::Dispute),
            audit("category.create"),
        )
        .await
        .unwrap();
    assert_eq!(
        (c.code.as_str(), c.name.as_str(), c.parent_code.as_deref()),
        ("D01-05", "彩礼纠纷", Some("D01"))
    );
    assert_eq!(c.kind, CategoryKind::Dispute);
    assert!(c.active);
    assert_eq!(audit_count(store).await, before + 1);
    let last = last_audit(store).await;
    assert_eq!(last.action, "category.create");
    assert_eq!(last.target_id.as_deref(), Some("D01-05"));
    assert_eq!(store.get_category("D01-05").await.unwrap(), c);
    let all = store.list_categories(false).await.unwrap();
    assert_eq!(all.last(), Some(&c));
    assert!(
        all.iter()
            .all(|x| x.code == c.code || x.sort_order < c.sort_order)
    );

    // A first-level row with an explicit order, and hostile text kept verbatim.
    let mut top = new_cat(
        "D21",
        "'; DROP TABLE categories; --",
        None,
        CategoryKind::Dispute,
    );
    top.sort_order = Some(5);
    let t = store
        .create_category(top, audit("category.create"))
        .await
        .unwrap();
    assert_eq!(t.parent_code, None);
    assert_eq!(t.name, "'; DROP TABLE categories; --");
    let all = store.list_categories(false).await.unwrap();
    assert_eq!(codes(&all)[..2], ["D21", "D01"]);
    // A child of the new first-level row.
    store
        .create_category(
            new_cat("D21-01", "子类", Some("D21"), CategoryKind::Dispute),
            audit("category.create"),
        )
        .await
        .unwrap();
    assert_eq!(audit_count(store).await, before + 3);
}

/// Two levels only: the parent must exist and be first-level, and share the kind.
pub async fn two_level_rule(store: &dyn Store) {
    seed(store).await;
    let before = audit_count(store).await;
    let r = store
        .create_category(
            new_cat("D01-01-01", "三级", Some("D01-01"), CategoryKind::Dispute),
            audit("category.create"),
        )
        .await;
    assert_invalid_ref(r, "parent_code");
    let r = store
        .create_category(
            new_cat("D77-01", "无上级", Some("D77"), CategoryKind::Dispute),
            audit("category.create"),
        )
        .await;
    assert_invalid_ref(r, "parent_code");
    let r = store
        .create_category(
            new_cat("Q01-01", "类型不符", Some("Q01"), CategoryKind::Dispute),
            audit("category.create"),
        )
        .await;
    assert_invalid_ref(r, "kind");
    assert_eq!(audit_count(store).await, before);
    assert_not_found(store.get_category("D01-01-01").await);
    assert_not_found(store.get_category("Q01-01").await);
    // A deactivated first-level row still takes children (they stay hidden with it).
    store
        .update_category(
            "Q02",
            CategoryPatch {
                active: Some(false),
                ..CategoryPatch::default()
            },
            audit("category.update"),
        )
        .await
        .unwrap();
    store
        .create_category(
            new_cat("Q02-01", "求助子类", Some("Q02"), CategoryKind::Demand),
            audit("category.create"),
        )
        .await
        .unwrap();
    let active = store.list_categories(false).await.unwrap();
    assert!(!codes(&active).contains(&"Q02-01"));
    assert!(codes(&store.list_categories(true).await.unwrap()).contains(&"Q02-01"));
}

/// A code is never taken twice, even after deactivation.
pub async fn duplicate_code(store: &dyn Store) {
    seed(store).await;
    store
        .update_category(
            "D20",
            CategoryPatch {
                active: Some(false),
                ..CategoryPatch::default()
            },
            audit("category.update"),
        )
        .await
        .unwrap();
    let before = audit_count(store).await;
    for (code, parent) in [("D01", None), ("D01-01", Some("D01")), ("D20", None)] {
        let r = store
            .create_category(
                new_cat(code, "重复", parent, CategoryKind::Dispute),
                audit("category.create"),
            )
            .await;
        assert_conflict(r, "category_code_taken");
    }
    assert_eq!(audit_count(store).await, before);
    assert_eq!(store.get_category("D01").await.unwrap().name, "婚姻家庭");
}

/// Deactivating hides a row (and a first-level row's children) from the active list but
/// keeps it; renames and reorders change only the given fields.
pub async fn deactivate_hides(store: &dyn Store) {
    seed(store).await;
    let d = store
        .update_category(
            "D01-02",
            CategoryPatch {
                active: Some(false),
                ..CategoryPatch::default()
            },
            audit("category.update"),
        )
        .await
        .unwrap();
    assert!(!d.active);
    assert_eq!(d.name, "抚养赡养");
    let active = store.list_categories(false).await.unwrap();
    assert!(!codes(&active).contains(&"D01-02"));
    assert_eq!(active.len(), SEED.len() - 1);
    let all = store.list_categories(true).await.unwrap();
    assert_eq!(all.len(), SEED.len());
    assert_eq!(all.iter().find(|c| c.code == "D01-02"), Some(&d));

    store
        .update_category(
            "D02",
            CategoryPatch {
                active: Some(false),
                ..CategoryPatch::default()
            },
            audit("category.update"),
        )
        .await
        .unwrap();
    let active = store.list_categories(false).await.unwrap();
    assert!(
        active.iter().all(|c| c.code != "D02"
            && c.parent_code.as_deref() != Some("D02")
            && c.code != "D01-02")
    );
    assert!(store.get_category("D02-01").await.unwrap().active);

    let r = store
        .update_category(
            "D01-02",
            CategoryPatch {
                name: Some("抚养赡养纠纷".to_owned()),
                active: Some(true),
                sort_order: Some(1),
            },
            audit("category.update"),
        )
        .await
        .unwrap();
    assert_eq!(
        (r.name.as_str(), r.active, r.sort_order),
        ("抚养赡养纠纷", true, 1)
    );
    assert!(r.updated_at >= d.updated_at);
    let active = store.list_categories(false).await.unwrap();
    assert_eq!(active[0].code, "D01-02");
    let unchanged = store
        .update_category("D03", CategoryPatch::default(), audit("category.update"))
        .await
        .unwrap();
    assert_eq!(
        (unchanged.name.as_str(), unchanged.active),
        ("房屋宅基地", true)
    );
}

/// Every category write appends exactly one audit row, carrying the entry it was given.
pub async fn writes_audit_once(store: &dyn Store) {
    let mut n = audit_count(store).await;
    seed(store).await;
    n += 1;
    assert_eq!(audit_count(store).await, n);
    assert_eq!(last_audit(store).await.action, "category.seed");
    store
        .create_category(
            new_cat("Q06", "其他诉求", None, CategoryKind::Demand),
            audit("category.create"),
        )
        .await
        .unwrap();
    n += 1;
    assert_eq!(audit_count(store).await, n);
    let last = last_audit(store).await;
    assert_eq!(
        (last.action.as_str(), last.target_id.as_deref()),
        ("category.create", Some("Q06"))
    );
    assert_eq!(
        (last.actor_id, last.actor_username.as_str()),
        (Some(1), "tester")
    );
    store
        .update_category(
            "Q06",
            CategoryPatch {
                name: Some("其它诉求".to_owned()),
                ..CategoryPatch::default()
            },
            audit("category.update").target("Q06"),
        )
        .await
        .unwrap();
    n += 1;
    assert_eq!(audit_count(store).await, n);
    let last = last_audit(store).await;
    assert_eq!(
        (last.action.as_str(), last.target_id.as_deref()),
        ("category.update", Some("Q06"))
    );
    super::verified_chain(store).await;
}

/// A refused write leaves the table and the audit log as they were; a refused seed
/// inserts nothing at all.
pub async fn failed_write_appends_none(store: &dyn Store) {
    let before = audit_count(store).await;
    // A child before its parent, then a duplicate: the whole seed is refused.
    let mut rows = CategorySeedRow::core_seed();
    rows.swap(0, 1);
    let r = store
        .seed_categories_if_empty(&rows, audit("category.seed"))
        .await;
    assert_invalid_ref(r, "parent_code");
    let mut rows = CategorySeedRow::core_seed();
    rows.push(rows[0].clone());
    let r = store
        .seed_categories_if_empty(&rows, audit("category.seed"))
        .await;
    assert_conflict(r, "category_code_taken");
    assert!(store.list_categories(true).await.unwrap().is_empty());
    assert_eq!(audit_count(store).await, before);

    seed(store).await;
    let before = audit_count(store).await;
    let r = store
        .create_category(
            new_cat("D03", "重复", None, CategoryKind::Dispute),
            audit("category.create"),
        )
        .await;
    assert_conflict(r, "category_code_taken");
    let r = store
        .create_category(
            new_cat(
                "D05-09",
                "上级是二级",
                Some("D05-01"),
                CategoryKind::Dispute,
            ),
            audit("category.create"),
        )
        .await;
    assert_invalid_ref(r, "parent_code");
    let r = store
        .update_category(
            "D88",
            CategoryPatch {
                active: Some(false),
                ..CategoryPatch::default()
            },
            audit("category.update"),
        )
        .await;
    assert_not_found(r);
    assert_eq!(audit_count(store).await, before);
    assert_eq!(store.list_categories(true).await.unwrap().len(), SEED.len());
}

/// Two instances seeding at once: one inserts, the other finds the table full.
pub async fn concurrent_seed(store: &dyn Store) {
    let before = audit_count(store).await;
    let rows = CategorySeedRow::core_seed();
    let (a, b) = tokio::join!(
        store.seed_categories_if_empty(&rows, audit("category.seed")),
        store.seed_categories_if_empty(&rows, audit("category.seed")),
    );
    let mut got = [a.unwrap(), b.unwrap()];
    got.sort_unstable();
    assert_eq!(got, [0, SEED.len()]);
    assert_eq!(audit_count(store).await, before + 1);
    assert_eq!(store.list_categories(true).await.unwrap().len(), SEED.len());
}
