//! Credentials and sign-in state: disabling, passwords, lockout, unlock, TOTP.

use chrono::Duration;
use zongzhi_core::account::{AccountStatus, LOCKOUT};

use super::{
    assert_not_found, audit, audit_count, last_audit, mk_account, mk_city, mk_session, now, root,
};
use crate::{AccountPatch, Store};

/// Disabling an account ends its sessions and no one else's.
pub async fn disable_ends_sessions(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let a = mk_account(store, "gina", &city).await;
    let b = mk_account(store, "hank", &city).await;
    mk_session(store, &a, "t1").await;
    mk_session(store, &a, "t2").await;
    mk_session(store, &b, "t3").await;
    let patch = AccountPatch {
        status: Some(AccountStatus::Disabled),
        ..AccountPatch::default()
    };
    let u = store
        .update_account(&root(), a.id, patch, audit("account.disable"))
        .await
        .unwrap();
    assert_eq!(u.status, AccountStatus::Disabled);
    assert!(store.get_session("t1").await.unwrap().is_none());
    assert!(store.get_session("t2").await.unwrap().is_none());
    assert!(store.get_session("t3").await.unwrap().is_some());
    let login = store.find_login("gina").await.unwrap().unwrap();
    assert_eq!(login.account.status, AccountStatus::Disabled);
}

/// A new password replaces the hash, clears the lock and ends every session.
pub async fn set_password_ends_sessions_and_clears_lock(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let a = mk_account(store, "ivan", &city).await;
    let t = now();
    for _ in 0..6 {
        store
            .record_login_failure(
                a.id,
                t,
                zongzhi_core::account::LockoutRule::default(),
                audit("auth.login"),
            )
            .await
            .unwrap();
    }
    let locked = store.get_account_by_id(a.id).await.unwrap();
    assert!(locked.is_locked(t));
    assert_eq!(locked.failed_logins, 1);
    mk_session(store, &a, "s1").await;
    let before = audit_count(store).await;
    store
        .set_password(
            &root(),
            a.id,
            "$argon2id$new",
            true,
            audit("account.password"),
        )
        .await
        .unwrap();
    assert_eq!(audit_count(store).await, before + 1);
    let login = store.find_login("ivan").await.unwrap().unwrap();
    assert_eq!(login.password_hash, "$argon2id$new");
    assert!(login.account.must_change_password);
    assert_eq!(
        (login.account.failed_logins, login.account.locked_until),
        (0, None)
    );
    assert!(store.get_session("s1").await.unwrap().is_none());
    store
        .set_password(
            &root(),
            a.id,
            "$argon2id$newer",
            false,
            audit("account.password"),
        )
        .await
        .unwrap();
    assert!(
        !store
            .get_account_by_id(a.id)
            .await
            .unwrap()
            .must_change_password
    );
    let r = store
        .set_password(&root(), a.id + 999, "h", false, audit("x"))
        .await;
    assert_not_found(r);
    assert_eq!(audit_count(store).await, before + 2);
}

/// The fifth failure locks for fifteen minutes and restarts the count.
pub async fn five_failures_lock(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let a = mk_account(store, "judy", &city).await;
    let t = now();
    let before = audit_count(store).await;
    for i in 1..5 {
        let s = store
            .record_login_failure(
                a.id,
                t,
                zongzhi_core::account::LockoutRule::default(),
                audit("auth.login"),
            )
            .await
            .unwrap();
        assert_eq!((s.failed_logins, s.locked_until), (i, None));
    }
    let s = store
        .record_login_failure(
            a.id,
            t,
            zongzhi_core::account::LockoutRule::default(),
            audit("auth.login"),
        )
        .await
        .unwrap();
    assert_eq!((s.failed_logins, s.locked_until), (0, Some(t + LOCKOUT)));
    assert_eq!(audit_count(store).await, before + 5);
    let acc = store.get_account_by_id(a.id).await.unwrap();
    assert_eq!(acc.locked_until, Some(t + LOCKOUT));
    assert!(acc.is_locked(t + Duration::minutes(14)));
    assert!(!acc.is_locked(t + Duration::minutes(16)));
    let r = store
        .record_login_failure(
            a.id + 999,
            t,
            zongzhi_core::account::LockoutRule::default(),
            audit("auth.login"),
        )
        .await;
    assert_not_found(r);
}

/// Unlocking clears the lock and the count.
pub async fn unlock(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let a = mk_account(store, "kate", &city).await;
    let t = now();
    for _ in 0..7 {
        store
            .record_login_failure(
                a.id,
                t,
                zongzhi_core::account::LockoutRule::default(),
                audit("auth.login"),
            )
            .await
            .unwrap();
    }
    assert_eq!(
        store.get_account_by_id(a.id).await.unwrap().failed_logins,
        2
    );
    let before = audit_count(store).await;
    store
        .unlock_account(&root(), a.id, audit("account.unlock"))
        .await
        .unwrap();
    let acc = store.get_account_by_id(a.id).await.unwrap();
    assert_eq!((acc.failed_logins, acc.locked_until), (0, None));
    assert_eq!(audit_count(store).await, before + 1);
    assert_eq!(last_audit(store).await.action, "account.unlock");
    assert_not_found(store.unlock_account(&root(), a.id + 999, audit("x")).await);
    assert_eq!(audit_count(store).await, before + 1);
}

/// A successful sign-in clears the count and stamps the time.
pub async fn login_success(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let a = mk_account(store, "liam", &city).await;
    let t = now();
    store
        .record_login_failure(
            a.id,
            t,
            zongzhi_core::account::LockoutRule::default(),
            audit("auth.login"),
        )
        .await
        .unwrap();
    store
        .record_login_failure(
            a.id,
            t,
            zongzhi_core::account::LockoutRule::default(),
            audit("auth.login"),
        )
        .await
        .unwrap();
    let before = audit_count(store).await;
    let later = t + Duration::seconds(3);
    store
        .record_login_success(a.id, later, audit("auth.login"))
        .await
        .unwrap();
    let acc = store.get_account_by_id(a.id).await.unwrap();
    assert_eq!((acc.failed_logins, acc.last_login_at), (0, Some(later)));
    assert_eq!(audit_count(store).await, before + 1);
    assert_not_found(store.record_login_success(a.id + 999, t, audit("x")).await);
}

/// The TOTP secret is set, confirmed and cleared.
pub async fn totp(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let a = mk_account(store, "mona", &city).await;
    let before = audit_count(store).await;
    store
        .set_totp(
            a.id,
            Some("enc:secret".to_owned()),
            false,
            audit("totp.enroll"),
        )
        .await
        .unwrap();
    assert_eq!(
        store.get_totp_secret(a.id).await.unwrap().as_deref(),
        Some("enc:secret")
    );
    assert!(!store.get_account_by_id(a.id).await.unwrap().totp_enabled);
    store
        .set_totp(
            a.id,
            Some("enc:secret".to_owned()),
            true,
            audit("totp.confirm"),
        )
        .await
        .unwrap();
    assert!(store.get_account_by_id(a.id).await.unwrap().totp_enabled);
    store
        .set_totp(a.id, None, false, audit("totp.reset"))
        .await
        .unwrap();
    assert_eq!(store.get_totp_secret(a.id).await.unwrap(), None);
    assert!(!store.get_account_by_id(a.id).await.unwrap().totp_enabled);
    assert_eq!(audit_count(store).await, before + 3);
    assert_not_found(store.set_totp(a.id + 999, None, false, audit("x")).await);
    assert_not_found(store.get_totp_secret(a.id + 999).await);
    assert_eq!(audit_count(store).await, before + 3);
}

/// A TOTP time step is accepted once per account; older steps never again (RFC 6238 §5.2).
pub async fn totp_steps_are_single_use(store: &dyn Store) {
    let city = mk_city(store, "3399").await;
    let a = mk_account(store, "tess", &city).await;
    let b = mk_account(store, "ugo", &city).await;
    assert!(store.use_totp_step(a.id, 1000).await.unwrap());
    assert!(!store.use_totp_step(a.id, 1000).await.unwrap(), "replay");
    assert!(!store.use_totp_step(a.id, 999).await.unwrap(), "older step");
    assert!(store.use_totp_step(a.id, 1001).await.unwrap());
    assert!(
        store.use_totp_step(b.id, 1000).await.unwrap(),
        "other accounts are independent"
    );
}
