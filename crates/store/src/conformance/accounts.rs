//! Accounts: creation, lookups, filters, edits and the sign-in counters.

use zongzhi_core::account::AccountStatus;
use zongzhi_core::org::OrgLevel;
use zongzhi_core::role::Role;

use super::{
    assert_conflict, assert_invalid_ref, assert_not_found, audit, audit_count, display, last_audit,
    mk_account, mk_city, mk_dept, mk_unit, new_account, root,
};
use crate::{AccountFilter, AccountPatch, Store};

fn all() -> AccountFilter {
    AccountFilter {
        limit: Some(500),
        ..AccountFilter::default()
    }
}

async fn usernames(store: &dyn Store, f: &AccountFilter) -> Vec<String> {
    let page = store.list_accounts(&root(), f).await.unwrap();
    assert_eq!(
        store.count_accounts(&root(), f).await.unwrap(),
        page.items.len() as i64,
        "count agrees with list for {f:?}"
    );
    let mut v: Vec<String> = page.items.into_iter().map(|a| a.username).collect();
    v.sort();
    v
}

/// Every field round-trips; roles come back sorted; lookups by id and username agree.
pub async fn create_and_get(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let county = mk_unit(store, Some(&city), OrgLevel::County, "339901", "一县").await;
    let dept = mk_dept(store, &county, "县公安局").await;
    let before = audit_count(store).await;
    let mut new = new_account(
        "Zhang.San-1",
        &county,
        &[Role::GridWorker, Role::SysAdmin, Role::Auditor],
    );
    new.department_id = Some(dept.id);
    new.phone_enc = Some("enc:abc".to_owned());
    new.phone_index = Some("idx:abc".to_owned());
    new.phone_masked = Some("138****5678".to_owned());
    new.must_change_password = true;
    new.display_name = display("张三 <b>'x'</b>");
    let a = store
        .create_account(&root(), new.clone(), audit("account.create"))
        .await
        .unwrap();
    assert!(a.id > 0);
    assert_eq!(a.username, "zhang.san-1");
    assert_eq!(a.display_name, "张三 <b>'x'</b>");
    assert_eq!(a.org_unit_id, county.id);
    assert_eq!(a.org_unit_name, "一县");
    assert_eq!(a.org_path, "/3399/339901/");
    assert_eq!(a.org_level, OrgLevel::County);
    assert_eq!(a.department_id, Some(dept.id));
    assert_eq!(a.department_name.as_deref(), Some("县公安局"));
    assert_eq!(a.roles, [Role::SysAdmin, Role::Auditor, Role::GridWorker]);
    assert_eq!(a.status, AccountStatus::Active);
    assert_eq!(a.phone_enc.as_deref(), Some("enc:abc"));
    assert_eq!(a.phone_masked.as_deref(), Some("138****5678"));
    assert_eq!((a.failed_logins, a.locked_until), (0, None));
    assert!(!a.totp_enabled);
    assert!(a.must_change_password);
    assert_eq!(a.last_login_at, None);
    assert!((chrono::Utc::now() - a.created_at).num_seconds().abs() < 60);
    assert!(a.updated_at >= a.created_at);
    assert_eq!(audit_count(store).await, before + 1);
    assert_eq!(last_audit(store).await.action, "account.create");

    assert_eq!(store.get_account(&root(), a.id).await.unwrap(), a);
    assert_eq!(store.get_account_by_id(a.id).await.unwrap(), a);
    let login = store.find_login("zhang.san-1").await.unwrap().unwrap();
    assert_eq!(login.account, a);
    assert_eq!(login.password_hash, new.password_hash);
    assert!(store.find_login("nobody").await.unwrap().is_none());
    assert_not_found(store.get_account(&root(), a.id + 999).await);
    assert_not_found(store.get_account_by_id(a.id + 999).await);
    assert_eq!(store.get_totp_secret(a.id).await.unwrap(), None);
}

/// A taken username is a conflict that writes nothing.
pub async fn username_taken(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    mk_account(store, "alice", &city).await;
    let before = audit_count(store).await;
    let r = store
        .create_account(
            &root(),
            new_account("ALICE", &city, &[Role::Leader]),
            audit("account.create"),
        )
        .await;
    assert_conflict(r, "username_taken");
    assert_eq!(audit_count(store).await, before);
    assert_eq!(usernames(store, &all()).await, ["alice"]);
}

/// Missing units and departments are invalid references.
pub async fn bad_references(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let dept = mk_dept(store, &city, "政法委").await;
    let before = audit_count(store).await;
    let mut new = new_account("bob", &city, &[Role::Leader]);
    new.org_unit_id = city.id + 999;
    let r = store
        .create_account(&root(), new, audit("account.create"))
        .await;
    assert_invalid_ref(r, "org_unit");
    let mut new = new_account("bob", &city, &[Role::Leader]);
    new.department_id = Some(dept.id + 999);
    let r = store
        .create_account(&root(), new, audit("account.create"))
        .await;
    assert_invalid_ref(r, "department");
    assert_eq!(audit_count(store).await, before);
    assert!(store.find_login("bob").await.unwrap().is_none());
}

/// `under`, `role`, `status`, `q` and `phone_index` filters.
pub async fn list_filters(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let county = mk_unit(store, Some(&city), OrgLevel::County, "339901", "一县").await;
    let mut new = new_account("carol", &city, &[Role::Leader, Role::Dispatcher]);
    new.phone_index = Some("idx-1".to_owned());
    store
        .create_account(&root(), new, audit("a"))
        .await
        .unwrap();
    let mut new = new_account("dave_x", &county, &[Role::Handler]);
    new.display_name = display("王大%");
    store
        .create_account(&root(), new, audit("a"))
        .await
        .unwrap();
    let erin = mk_account(store, "erin", &county).await;
    let mut new = new_account("sys", &city, &[Role::SysAdmin]);
    new.phone_index = Some("idx-2".to_owned());
    store
        .create_account(&root(), new, audit("a"))
        .await
        .unwrap();
    let patch = AccountPatch {
        status: Some(AccountStatus::Disabled),
        ..AccountPatch::default()
    };
    store
        .update_account(&root(), erin.id, patch, audit("a"))
        .await
        .unwrap();

    let f = |g: fn(&mut AccountFilter)| {
        let mut f = all();
        g(&mut f);
        f
    };
    assert_eq!(
        usernames(store, &all()).await,
        ["carol", "dave_x", "erin", "sys"]
    );
    let mut by_unit = all();
    by_unit.under = Some(county.id + 999);
    assert!(usernames(store, &by_unit).await.is_empty());
    by_unit.under = Some(county.id);
    assert_eq!(usernames(store, &by_unit).await, ["dave_x", "erin"]);
    assert_eq!(
        usernames(store, &f(|f| f.role = Some(Role::Dispatcher))).await,
        ["carol", "erin"]
    );
    assert_eq!(
        usernames(store, &f(|f| f.role = Some(Role::Auditor))).await,
        Vec::<String>::new()
    );
    assert_eq!(
        usernames(store, &f(|f| f.status = Some(AccountStatus::Disabled))).await,
        ["erin"]
    );
    assert_eq!(
        usernames(store, &f(|f| f.status = Some(AccountStatus::Active)))
            .await
            .len(),
        3
    );
    assert_eq!(
        usernames(store, &f(|f| f.q = Some("CAR".to_owned()))).await,
        ["carol"]
    );
    assert_eq!(
        usernames(store, &f(|f| f.q = Some("_".to_owned()))).await,
        ["dave_x"]
    );
    assert_eq!(
        usernames(store, &f(|f| f.q = Some("大%".to_owned()))).await,
        ["dave_x"]
    );
    assert_eq!(
        usernames(store, &f(|f| f.q = Some("用户".to_owned()))).await,
        ["carol", "erin", "sys"]
    );
    assert_eq!(
        usernames(store, &f(|f| f.phone_index = Some("idx-2".to_owned()))).await,
        ["sys"]
    );
    assert!(
        usernames(store, &f(|f| f.phone_index = Some("idx-".to_owned())))
            .await
            .is_empty()
    );
}

/// Keyset pages by id cover every account once.
pub async fn pagination(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    for i in 0..7 {
        mk_account(store, &format!("user{i}"), &city).await;
    }
    let mut ids = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let f = AccountFilter {
            cursor,
            limit: Some(3),
            ..AccountFilter::default()
        };
        let page = store.list_accounts(&root(), &f).await.unwrap();
        pages += 1;
        ids.extend(page.items.iter().map(|a| a.id));
        cursor = page.next_cursor;
        if cursor.is_none() || pages > 5 {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(ids.len(), 7);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
}

/// Patches change only the given fields, each audited once.
pub async fn update_fields(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let county = mk_unit(store, Some(&city), OrgLevel::County, "339901", "一县").await;
    let dept = mk_dept(store, &county, "县公安局").await;
    let a = mk_account(store, "frank", &city).await;
    let before = audit_count(store).await;
    let patch = AccountPatch {
        display_name: Some(display("新名字")),
        org_unit_id: Some(county.id),
        department_id: Some(Some(dept.id)),
        roles: Some(vec![Role::Mediator, Role::Intake]),
        status: None,
        phone: Some(Some(("e".to_owned(), "i".to_owned(), "1**".to_owned()))),
    };
    let u = store
        .update_account(&root(), a.id, patch, audit("account.update"))
        .await
        .unwrap();
    assert_eq!(u.display_name, "新名字");
    assert_eq!(
        (u.org_unit_id, u.org_path.as_str()),
        (county.id, "/3399/339901/")
    );
    assert_eq!(
        (u.department_id, u.department_name.as_deref()),
        (Some(dept.id), Some("县公安局"))
    );
    assert_eq!(u.roles, [Role::Intake, Role::Mediator]);
    assert_eq!(
        (u.phone_enc.as_deref(), u.phone_masked.as_deref()),
        (Some("e"), Some("1**"))
    );
    assert_eq!(
        (u.username.as_str(), u.status),
        ("frank", AccountStatus::Active)
    );
    assert!(u.updated_at >= a.updated_at);
    assert_eq!(store.get_account(&root(), a.id).await.unwrap(), u);
    let mut f = all();
    f.phone_index = Some("i".to_owned());
    assert_eq!(usernames(store, &f).await, ["frank"]);

    let patch = AccountPatch {
        department_id: Some(None),
        phone: Some(None),
        ..AccountPatch::default()
    };
    let u = store
        .update_account(&root(), a.id, patch, audit("account.update"))
        .await
        .unwrap();
    assert_eq!((u.department_id, u.department_name), (None, None));
    assert_eq!((u.phone_enc, u.phone_masked), (None, None));
    assert_eq!(u.display_name, "新名字");
    assert!(usernames(store, &f).await.is_empty());
    assert_eq!(audit_count(store).await, before + 2);
    let r = store
        .update_account(&root(), a.id + 999, AccountPatch::default(), audit("x"))
        .await;
    assert_not_found(r);
    assert_eq!(audit_count(store).await, before + 2);
}
