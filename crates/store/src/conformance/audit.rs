//! The audit log: appends, the hash chain, atomicity with writes, listing.

use chrono::{Duration, Utc};
use serde_json::json;
use zongzhi_core::audit::{AuditOutcome, GENESIS_HASH, NewAuditEntry};
use zongzhi_core::org::{DepartmentKind, OrgLevel};
use zongzhi_core::role::Role;

use super::{
    audit, audit_count, last_audit, mk_account, mk_city, mk_dept, mk_unit, new_account, new_unit,
    now, root, uname, verified_chain,
};
use crate::{AccountPatch, AuditFilter, DepartmentPatch, NewDepartment, OrgUnitPatch, Store};

fn entry(action: &str, actor: &str, outcome: AuditOutcome) -> NewAuditEntry {
    NewAuditEntry::new(action, "session", outcome)
        .by(Some(7), actor)
        .target(42)
        .ip(Some("10.0.0.1".to_owned()))
        .detail(json!({"note": "甲'\"<x>", "n": 1}))
}

/// Appended rows come back sealed, in a chain that verifies from the genesis hash.
pub async fn append_and_verify(store: &dyn Store) {
    let before = audit_count(store).await;
    let mut appended = Vec::new();
    for i in 0..3 {
        let e = store
            .append_audit(entry(
                &format!("auth.login{i}"),
                "alice",
                AuditOutcome::Failure,
            ))
            .await
            .unwrap();
        assert_eq!(e.seq, before + i + 1);
        assert_eq!(e.hash, e.compute_hash());
        assert_eq!(e.actor_id, Some(7));
        assert_eq!(e.target_id.as_deref(), Some("42"));
        assert_eq!(e.ip.as_deref(), Some("10.0.0.1"));
        assert_eq!(e.detail, json!({"note": "甲'\"<x>", "n": 1}).to_string());
        assert!((Utc::now() - e.at).num_seconds().abs() < 60);
        appended.push(e);
    }
    assert_eq!(appended[1].prev_hash, appended[0].hash);
    assert_eq!(appended[2].prev_hash, appended[1].hash);
    let chain = verified_chain(store).await;
    assert_eq!(chain.len() as i64, before + 3);
    assert_eq!(chain[0].prev_hash, GENESIS_HASH);
    assert_eq!(&chain[chain.len() - 3..], &appended[..]);
    let tail = store.audit_chain(before + 1, 10).await.unwrap();
    assert_eq!(tail, appended[1..]);
    assert_eq!(store.audit_chain(before, 1).await.unwrap(), appended[..1]);
}

/// Every write method appends exactly one row, carrying the entry it was given. Creates
/// (and `put_setting`) fill a missing `target_id` with the new row's id (the setting's key).
pub async fn every_write_audits_once(store: &dyn Store) {
    let mut n = audit_count(store).await;
    let mut step = async |name: &str| {
        n += 1;
        assert_eq!(audit_count(store).await, n, "after {name}");
        let last = last_audit(store).await;
        assert_eq!(last.action, name);
        assert_eq!(
            (last.actor_id, last.actor_username.as_str()),
            (Some(1), "tester")
        );
        assert_eq!(last.seq, n);
        last.target_id
    };
    let r = root();
    store
        .put_setting("k", &json!(true), audit("s.put"))
        .await
        .unwrap();
    assert_eq!(step("s.put").await.as_deref(), Some("k"));
    let city = store
        .create_org_unit(
            &r,
            new_unit(None, OrgLevel::City, "3399", "市"),
            audit("o.create"),
        )
        .await
        .unwrap();
    assert_eq!(step("o.create").await, Some(city.id.to_string()));
    store
        .update_org_unit(&r, city.id, OrgUnitPatch::default(), audit("o.update"))
        .await
        .unwrap();
    step("o.update").await;
    let d = store
        .create_department(
            &r,
            NewDepartment {
                org_unit_id: city.id,
                name: uname("d"),
                kind: DepartmentKind::Liaison,
            },
            audit("d.create"),
        )
        .await
        .unwrap();
    assert_eq!(step("d.create").await, Some(d.id.to_string()));
    store
        .update_department(&r, d.id, DepartmentPatch::default(), audit("d.update"))
        .await
        .unwrap();
    step("d.update").await;
    let a = store
        .create_account(
            &r,
            new_account("rita", &city, &[Role::Leader]),
            audit("a.create"),
        )
        .await
        .unwrap();
    assert_eq!(step("a.create").await, Some(a.id.to_string()));
    store
        .update_account(&r, a.id, AccountPatch::default(), audit("a.update"))
        .await
        .unwrap();
    step("a.update").await;
    store
        .set_password(&r, a.id, "h", false, audit("a.pw"))
        .await
        .unwrap();
    step("a.pw").await;
    store
        .unlock_account(&r, a.id, audit("a.unlock"))
        .await
        .unwrap();
    step("a.unlock").await;
    store
        .record_login_failure(
            a.id,
            now(),
            zongzhi_core::account::LockoutRule::default(),
            audit("a.fail"),
        )
        .await
        .unwrap();
    step("a.fail").await;
    store
        .record_login_success(a.id, now(), audit("a.ok"))
        .await
        .unwrap();
    step("a.ok").await;
    store
        .set_totp(a.id, Some("s".to_owned()), true, audit("a.totp"))
        .await
        .unwrap();
    step("a.totp").await;
    store.append_audit(audit("plain")).await.unwrap();
    assert_eq!(step("plain").await, None);
    let given = audit("o.create2").target("given");
    let county = new_unit(Some(&city), OrgLevel::County, "339901", "县");
    store.create_org_unit(&r, county, given).await.unwrap();
    assert_eq!(step("o.create2").await.as_deref(), Some("given"));
    assert_eq!(verified_chain(store).await.len() as i64, n);
}

/// A refused write leaves neither the change nor an audit row, and the next row follows on
/// without a gap.
pub async fn failed_write_leaves_nothing(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let a = mk_account(store, "sam", &city).await;
    mk_dept(store, &city, "d").await;
    let before = audit_count(store).await;
    let r = root();
    assert!(
        store
            .create_account(&r, new_account("sam", &city, &[Role::Leader]), audit("bad"))
            .await
            .is_err()
    );
    assert!(
        store
            .create_org_unit(
                &r,
                new_unit(None, OrgLevel::City, "3399", "x"),
                audit("bad")
            )
            .await
            .is_err()
    );
    assert!(
        store
            .create_org_unit(
                &r,
                new_unit(Some(&city), OrgLevel::Town, "339901", "x"),
                audit("bad")
            )
            .await
            .is_err()
    );
    let nd = NewDepartment {
        org_unit_id: city.id,
        name: uname("d"),
        kind: DepartmentKind::Resident,
    };
    assert!(store.create_department(&r, nd, audit("bad")).await.is_err());
    let patch = AccountPatch {
        display_name: Some(super::display("改")),
        org_unit_id: Some(city.id + 999),
        ..AccountPatch::default()
    };
    assert!(
        store
            .update_account(&r, a.id, patch, audit("bad"))
            .await
            .is_err()
    );
    assert!(
        store
            .unlock_account(&r, a.id + 999, audit("bad"))
            .await
            .is_err()
    );
    assert_eq!(audit_count(store).await, before);
    assert_eq!(store.get_account(&r, a.id).await.unwrap(), a);
    assert_eq!(
        store
            .count_org_units(&r, &Default::default())
            .await
            .unwrap(),
        1
    );
    let e = store.append_audit(audit("good")).await.unwrap();
    assert_eq!(e.seq, before + 1);
    verified_chain(store).await;
}

/// Filters by actor, action prefix (literal), outcome and time; counts agree.
pub async fn list_filters(store: &dyn Store) {
    let t0 = Utc::now() - Duration::seconds(1);
    for (action, actor, outcome) in [
        ("auth.login", "alice", AuditOutcome::Success),
        ("auth.login", "bob", AuditOutcome::Failure),
        ("authz.check", "alice", AuditOutcome::Denied),
    ] {
        store
            .append_audit(entry(action, actor, outcome))
            .await
            .unwrap();
    }
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let mid = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    for (action, actor, outcome) in [
        ("auth.logout", "alice", AuditOutcome::Success),
        ("account.create", "carl", AuditOutcome::Success),
    ] {
        store
            .append_audit(entry(action, actor, outcome))
            .await
            .unwrap();
    }
    let actions = async |f: AuditFilter| {
        let page = store.list_audit(&f).await.unwrap();
        assert_eq!(
            store.count_audit(&f).await.unwrap(),
            page.items.len() as i64
        );
        page.items.into_iter().map(|e| e.action).collect::<Vec<_>>()
    };
    let f = |g: fn(&mut AuditFilter)| {
        let mut f = AuditFilter::default();
        g(&mut f);
        f
    };
    assert_eq!(
        actions(AuditFilter::default()).await,
        [
            "account.create",
            "auth.logout",
            "authz.check",
            "auth.login",
            "auth.login"
        ]
    );
    assert_eq!(
        actions(f(|f| f.actor = Some("alice".to_owned()))).await,
        ["auth.logout", "authz.check", "auth.login"]
    );
    assert_eq!(
        actions(f(|f| f.action_prefix = Some("auth.".to_owned()))).await,
        ["auth.logout", "auth.login", "auth.login"]
    );
    assert!(
        actions(f(|f| f.action_prefix = Some("auth_".to_owned())))
            .await
            .is_empty()
    );
    assert!(
        actions(f(|f| f.action_prefix = Some("%".to_owned())))
            .await
            .is_empty()
    );
    assert_eq!(
        actions(f(|f| f.outcome = Some(AuditOutcome::Denied))).await,
        ["authz.check"]
    );
    let mut g = AuditFilter {
        from: Some(mid),
        ..AuditFilter::default()
    };
    assert_eq!(actions(g.clone()).await, ["account.create", "auth.logout"]);
    g.from = Some(t0);
    g.to = Some(mid);
    assert_eq!(actions(g.clone()).await.len(), 3);
    g.actor = Some("bob".to_owned());
    g.outcome = Some(AuditOutcome::Failure);
    assert_eq!(actions(g).await, ["auth.login"]);
}

/// Pages run newest first by seq and cover every row once.
pub async fn list_pagination(store: &dyn Store) {
    let before = audit_count(store).await;
    for i in 0..12 {
        store.append_audit(audit(&format!("x.{i}"))).await.unwrap();
    }
    let mut seqs = Vec::new();
    let mut cursor = None;
    for _ in 0..10 {
        let f = AuditFilter {
            cursor,
            limit: Some(5),
            ..AuditFilter::default()
        };
        let page = store.list_audit(&f).await.unwrap();
        seqs.extend(page.items.iter().map(|e| e.seq));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert!(cursor.is_none());
    let expected: Vec<i64> = (1..=before + 12).rev().collect();
    assert_eq!(seqs, expected);
}

/// Eight writers appending at once produce a gapless chain that verifies.
pub async fn concurrent_appends(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    mk_unit(store, Some(&city), OrgLevel::County, "339901", "县").await;
    let before = audit_count(store).await;
    let worker = async |w: usize| {
        for j in 0..25 {
            if w.is_multiple_of(2) {
                let e = NewAuditEntry::new("c.append", "x", AuditOutcome::Success)
                    .by(None, &format!("w{w}"))
                    .detail(json!({"j": j}));
                store.append_audit(e).await.unwrap();
            } else {
                let e = audit("c.setting").by(None, &format!("w{w}"));
                store
                    .put_setting(&format!("w{w}"), &json!(j), e)
                    .await
                    .unwrap();
            }
        }
    };
    tokio::join!(
        worker(0),
        worker(1),
        worker(2),
        worker(3),
        worker(4),
        worker(5),
        worker(6),
        worker(7)
    );
    assert_eq!(audit_count(store).await, before + 200);
    let chain = verified_chain(store).await;
    assert_eq!(chain.len() as i64, before + 200);
    for w in 0..8 {
        let f = AuditFilter {
            actor: Some(format!("w{w}")),
            ..AuditFilter::default()
        };
        assert_eq!(store.count_audit(&f).await.unwrap(), 25);
    }
    assert_eq!(store.get_setting("w1").await.unwrap(), Some(json!(24)));
}
