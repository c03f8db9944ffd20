//! The scope matrix for writes: a town scope changes its own subtree only, and may not
//! point new or edited rows outside it. Refused writes leave no change and no audit row.

use zongzhi_core::account::AccountStatus;
use zongzhi_core::org::OrgLevel;
use zongzhi_core::role::Role;

use super::scope::{inside_outside, units_f};
use super::{
    assert_invalid_ref, assert_not_found, audit, audit_count, display, mk_session, new_account,
    new_unit, root, scope_of, seed_tree, uname,
};
use crate::{AccountPatch, OrgUnitPatch, Store};

/// Writes of org units reach the town's subtree only; refused writes change nothing.
pub async fn town_scope_org_writes(store: &dyn Store) {
    let t = seed_tree(store).await;
    let s = scope_of(t.town(0, 0));
    let (inside, outside) = inside_outside(&t);
    let before = audit_count(store).await;
    for u in &outside {
        let patch = OrgUnitPatch {
            name: Some(uname("被改")),
            active: Some(false),
            ..OrgUnitPatch::default()
        };
        assert_not_found(
            store
                .update_org_unit(&s, u.id, patch, audit("o.update"))
                .await,
        );
        assert_eq!(&store.get_org_unit(&root(), u.id).await.unwrap(), *u);
    }
    for (parent, level) in [
        (t.town(0, 1), OrgLevel::Village),
        (t.village(0, 1, 0), OrgLevel::Grid),
        (t.county(0), OrgLevel::Town),
    ] {
        let r = store
            .create_org_unit(
                &s,
                new_unit(Some(parent), level, "77", "新"),
                audit("o.create"),
            )
            .await;
        assert_invalid_ref(r, "parent");
    }
    let r = store
        .create_org_unit(
            &s,
            new_unit(None, OrgLevel::City, "78", "新市"),
            audit("o.create"),
        )
        .await;
    assert_invalid_ref(r, "parent");
    assert_eq!(audit_count(store).await, before);
    assert_eq!(
        store
            .count_org_units(&root(), &units_f(|_| {}))
            .await
            .unwrap(),
        23
    );

    for u in &inside {
        let patch = OrgUnitPatch {
            name: Some(uname(&format!("{}改", u.name))),
            ..OrgUnitPatch::default()
        };
        let got = store
            .update_org_unit(&s, u.id, patch, audit("o.update"))
            .await
            .unwrap();
        assert_eq!(got.name, format!("{}改", u.name));
    }
    let v = store
        .create_org_unit(
            &s,
            new_unit(Some(t.town(0, 0)), OrgLevel::Village, "77", "新村"),
            audit("o.create"),
        )
        .await
        .unwrap();
    assert!(s.contains_path(&v.path));
    assert_eq!(audit_count(store).await, before + inside.len() as i64 + 1);
}

/// Account writes reach the town's subtree only, and may not point outside it.
pub async fn town_scope_account_writes(store: &dyn Store) {
    let t = seed_tree(store).await;
    let s = scope_of(t.town(0, 0));
    let sib = t.account(t.town(0, 1));
    mk_session(store, sib, "sib-session").await;
    let before = audit_count(store).await;
    for u in [t.county(0), t.town(0, 1), t.village(0, 1, 0), &t.city] {
        let a = t.account(u);
        let patch = AccountPatch {
            display_name: Some(display("被改")),
            status: Some(AccountStatus::Disabled),
            ..AccountPatch::default()
        };
        assert_not_found(
            store
                .update_account(&s, a.id, patch, audit("a.update"))
                .await,
        );
        assert_not_found(store.set_password(&s, a.id, "h", true, audit("a.pw")).await);
        assert_not_found(store.unlock_account(&s, a.id, audit("a.unlock")).await);
        assert_eq!(&store.get_account(&root(), a.id).await.unwrap(), a);
    }
    assert!(store.get_session("sib-session").await.unwrap().is_some());
    let login = store.find_login(&sib.username).await.unwrap().unwrap();
    assert_eq!(
        login.password_hash,
        new_account(&sib.username, t.town(0, 1), &[]).password_hash
    );

    let r = store
        .create_account(
            &s,
            new_account("intruder", t.town(0, 1), &[Role::Intake]),
            audit("a"),
        )
        .await;
    assert_invalid_ref(r, "org_unit");
    let mut new = new_account("intruder", t.town(0, 0), &[Role::Intake]);
    new.department_id = Some(t.dept(t.town(0, 1)).id);
    assert_invalid_ref(
        store.create_account(&s, new, audit("a")).await,
        "department",
    );
    let mine = t.account(t.village(0, 0, 0));
    let patch = AccountPatch {
        org_unit_id: Some(t.town(0, 1).id),
        ..AccountPatch::default()
    };
    assert_invalid_ref(
        store.update_account(&s, mine.id, patch, audit("a")).await,
        "org_unit",
    );
    let patch = AccountPatch {
        department_id: Some(Some(t.dept(t.county(0)).id)),
        ..AccountPatch::default()
    };
    assert_invalid_ref(
        store.update_account(&s, mine.id, patch, audit("a")).await,
        "department",
    );
    assert_eq!(audit_count(store).await, before);
    assert_eq!(&store.get_account(&root(), mine.id).await.unwrap(), mine);
    assert!(store.find_login("intruder").await.unwrap().is_none());

    let patch = AccountPatch {
        display_name: Some(display("村干部")),
        org_unit_id: Some(t.village(0, 0, 1).id),
        department_id: Some(Some(t.dept(t.town(0, 0)).id)),
        ..AccountPatch::default()
    };
    let got = store
        .update_account(&s, mine.id, patch, audit("a"))
        .await
        .unwrap();
    assert_eq!(
        (got.display_name.as_str(), got.org_unit_id),
        ("村干部", t.village(0, 0, 1).id)
    );
    store
        .set_password(&s, mine.id, "h2", false, audit("a"))
        .await
        .unwrap();
    store.unlock_account(&s, mine.id, audit("a")).await.unwrap();
    let mut new = new_account("newbie", t.grid(0, 0, 0), &[Role::GridWorker]);
    new.department_id = Some(t.dept(t.village(0, 0, 0)).id);
    store.create_account(&s, new, audit("a")).await.unwrap();
    assert_eq!(audit_count(store).await, before + 4);
}
