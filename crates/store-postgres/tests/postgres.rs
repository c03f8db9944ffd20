//! Behaviour specific to the PostgreSQL backend: the append-only trigger, per-test schema
//! isolation, several instances sharing one chain, collation and the migrations table.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::json;
use zongzhi_core::audit::{AuditOutcome, ChainVerifier, NewAuditEntry};
use zongzhi_core::org::{OrgCode, OrgLevel, UnitName};
use zongzhi_core::role::Scope;
use zongzhi_store::{
    AccountStore, AuditFilter, AuditStore, NewOrgUnit, OrgStore, OrgUnitFilter, SessionStore,
    StoreError, SystemStore,
};
use zongzhi_store_postgres::PgStore;

fn entry(action: &str) -> NewAuditEntry {
    NewAuditEntry::new(action, "test", AuditOutcome::Success).by(Some(1), "tester")
}

fn root() -> Scope {
    Scope::subtree(0, "/")
}

async fn unit(store: &PgStore, parent: Option<i64>, level: OrgLevel, code: &str) -> i64 {
    let new = NewOrgUnit {
        parent_id: parent,
        level,
        code: OrgCode::parse(code).unwrap(),
        name: UnitName::parse(code).unwrap(),
        geojson: None,
    };
    store
        .create_org_unit(&root(), new, entry("org_unit.create"))
        .await
        .unwrap()
        .id
}

async fn verify_all(store: &PgStore) -> i64 {
    let mut v = ChainVerifier::default();
    for e in store.audit_chain(0, 100_000).await.unwrap() {
        v.check(&e).unwrap();
    }
    v.verified()
}

#[tokio::test]
async fn audit_log_refuses_update_delete_and_truncate() {
    let Some((store, _guard)) = common::fresh_store().await else {
        return;
    };
    store.append_audit(entry("a")).await.unwrap();
    store.append_audit(entry("b")).await.unwrap();
    for sql in [
        "UPDATE audit_log SET action = 'forged' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 2",
        "TRUNCATE audit_log",
    ] {
        let r = sqlx::query(sql).execute(store.pool()).await;
        let err = r.expect_err(sql).to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(verify_all(&store).await, 2);
    assert_eq!(
        store
            .list_audit(&AuditFilter::default())
            .await
            .unwrap()
            .items[1]
            .action,
        "a"
    );
}

#[tokio::test]
async fn fresh_schemas_are_isolated() {
    let Some((a, _ga)) = common::fresh_store().await else {
        return;
    };
    let Some((b, _gb)) = common::fresh_store().await else {
        return;
    };
    assert_ne!(a.schema(), b.schema());
    let current: String = sqlx::query_scalar("SELECT current_schema()")
        .fetch_one(a.pool())
        .await
        .unwrap();
    assert_eq!(Some(current.as_str()), a.schema());
    a.put_setting("k", &json!(1), entry("s")).await.unwrap();
    unit(&a, None, OrgLevel::City, "3399").await;
    assert_eq!(b.get_setting("k").await.unwrap(), None);
    assert_eq!(b.count_audit(&AuditFilter::default()).await.unwrap(), 0);
    // The same code is free in the other schema.
    unit(&b, None, OrgLevel::City, "3399").await;
    // The migrations table lives in each store's own schema.
    for s in [&a, &b] {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
        )
        .fetch_one(s.pool())
        .await
        .unwrap();
        assert_eq!(n, 1);
    }
}

#[tokio::test]
async fn two_instances_share_one_gapless_chain() {
    let Some((a, _guard)) = common::fresh_store().await else {
        return;
    };
    let url = common::test_url().unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    let schema = a.schema().unwrap();
    let b = PgStore::connect(&format!("{url}{sep}options=-c%20search_path%3D{schema}"))
        .await
        .unwrap();
    // A second instance migrating (with the advisory lock) finds nothing to do.
    b.migrate().await.unwrap();
    let work = async |s: &PgStore, w: usize| {
        for j in 0..30 {
            let e = entry("c.append")
                .by(None, &format!("w{w}"))
                .detail(json!({"j": j}));
            if j % 3 == 0 {
                s.put_setting(&format!("w{w}"), &json!(j), e).await.unwrap();
            } else {
                s.append_audit(e).await.unwrap();
            }
        }
    };
    tokio::join!(work(&a, 0), work(&b, 1), work(&a, 2), work(&b, 3));
    assert_eq!(verify_all(&a).await, 120);
    assert_eq!(verify_all(&b).await, 120);
}

#[tokio::test]
async fn paths_compare_bytewise() {
    let Some((store, _guard)) = common::fresh_store().await else {
        return;
    };
    let collation: Option<String> = sqlx::query_scalar(
        "SELECT collation_name FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = 'org_units' \
         AND column_name = 'path'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(collation.as_deref(), Some("C"));
    // "/33/330/" < "/33/3301/" in byte order ('/' < '1'); many locales ignore the '/'.
    let city = unit(&store, None, OrgLevel::City, "33").await;
    unit(&store, Some(city), OrgLevel::County, "3301").await;
    let c330 = unit(&store, Some(city), OrgLevel::County, "330").await;
    unit(&store, Some(c330), OrgLevel::Town, "33099").await;
    let page = store
        .list_org_units(&root(), &OrgUnitFilter::default())
        .await
        .unwrap();
    let paths: Vec<_> = page.items.iter().map(|u| u.path.as_str()).collect();
    assert_eq!(paths, ["/33/", "/33/330/", "/33/330/33099/", "/33/3301/"]);
    let s = Scope::subtree(c330, "/33/330/");
    let page = store
        .list_org_units(&s, &OrgUnitFilter::default())
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
}

#[tokio::test]
async fn foreign_keys_are_invalid_references() {
    let Some((store, _guard)) = common::fresh_store().await else {
        return;
    };
    let s = zongzhi_store::Session {
        token_hash: "t".to_owned(),
        account_id: 999,
        csrf_token: "c".to_owned(),
        stage: zongzhi_store::SessionStage::Full,
        created_at: chrono::Utc::now(),
        last_seen_at: chrono::Utc::now(),
    };
    match store.create_session(&s).await {
        Err(StoreError::InvalidReference("account")) => {}
        other => panic!("expected InvalidReference(account), got {other:?}"),
    }
}

#[tokio::test]
async fn foreign_cursors_give_an_empty_page() {
    let Some((store, _guard)) = common::fresh_store().await else {
        return;
    };
    store.append_audit(entry("a")).await.unwrap();
    let f = AuditFilter {
        cursor: Some("nope".to_owned()),
        ..AuditFilter::default()
    };
    let page = store.list_audit(&f).await.unwrap();
    assert!(page.items.is_empty() && page.next_cursor.is_none());
    // Units page by path, so any text is a cursor; hostile text is only compared.
    unit(&store, None, OrgLevel::City, "3399").await;
    let f = OrgUnitFilter {
        cursor: Some("/3399/'; DROP TABLE org_units; --".to_owned()),
        ..OrgUnitFilter::default()
    };
    assert!(
        store
            .list_org_units(&root(), &f)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(
        store
            .count_org_units(&root(), &OrgUnitFilter::default())
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn concurrent_login_failures_are_not_lost() {
    let Some((store, _guard)) = common::fresh_store().await else {
        return;
    };
    let city = unit(&store, None, OrgLevel::City, "3399").await;
    let new = zongzhi_store::NewAccount {
        username: zongzhi_core::account::Username::parse("race").unwrap(),
        display_name: zongzhi_core::account::DisplayName::parse("race").unwrap(),
        org_unit_id: city,
        department_id: None,
        roles: vec![zongzhi_core::role::Role::Leader],
        password_hash: "h".to_owned(),
        phone_enc: None,
        phone_index: None,
        phone_masked: None,
        must_change_password: false,
    };
    let a = store
        .create_account(&root(), new, entry("a"))
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let fail = async || {
        store
            .record_login_failure(
                a.id,
                now,
                zongzhi_core::account::LockoutRule::default(),
                entry("auth.login"),
            )
            .await
            .unwrap();
    };
    tokio::join!(fail(), fail(), fail(), fail(), fail(), fail(), fail());
    // Seven failures: the fifth locked and restarted the count, two followed.
    let got = store.get_account_by_id(a.id).await.unwrap();
    assert_eq!(got.failed_logins, 2);
    assert!(got.locked_until.is_some());
    assert_eq!(verify_all(&store).await, 9);
}
