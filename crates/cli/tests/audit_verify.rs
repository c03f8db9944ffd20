//! `zongzhi audit verify` passes an intact chain and reports the first broken link.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};
use zongzhi_store::{AuditStore, SystemStore};
use zongzhi_store_sqlite::SqliteStore;

fn verify(dir: &std::path::Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zongzhi"))
        .args(["--data-dir", dir.to_str().unwrap(), "audit", "verify"])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test]
async fn verify_finds_the_first_tampered_row() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("zongzhi.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    for i in 0..5 {
        let e = NewAuditEntry::new("auth.login", "session", AuditOutcome::Success)
            .by(Some(i), "someone");
        store.append_audit(e).await.unwrap();
    }
    let (code, out) = verify(dir.path());
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("5 rows verified"), "{out}");

    // Someone with file access edits row 3 behind the application's back.
    sqlx::query("DROP TRIGGER audit_log_no_update")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET outcome = 'failure' WHERE seq = 3")
        .execute(store.pool())
        .await
        .unwrap();
    let (code, out) = verify(dir.path());
    assert_ne!(code, 0);
    assert!(out.contains("BROKEN at seq 3"), "{out}");

    // A deleted row is found too.
    sqlx::query("UPDATE audit_log SET outcome = 'success' WHERE seq = 3")
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(verify(dir.path()).0, 0);
    sqlx::query("DROP TRIGGER audit_log_no_delete")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(store.pool())
        .await
        .unwrap();
    let (code, out) = verify(dir.path());
    assert_ne!(code, 0);
    assert!(out.contains("BROKEN at seq 2"), "{out}");
}

#[test]
fn unknown_database_scheme_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_zongzhi"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "migrate"])
        .env("DATABASE_URL", "mysql://localhost/zz")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sqlite:// or postgres://"));
}
