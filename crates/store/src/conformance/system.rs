//! Health, migrations and settings.

use serde_json::json;

use super::{audit, audit_count, last_audit};
use crate::Store;

/// The store answers and names itself.
pub async fn ping_and_backend_name(store: &dyn Store) {
    store.ping().await.unwrap();
    assert!(["sqlite", "postgres"].contains(&store.backend_name()));
}

/// Running the migrations again changes nothing and keeps data.
pub async fn migrate_is_idempotent(store: &dyn Store) {
    store
        .put_setting("k", &json!(1), audit("settings.put"))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.get_setting("k").await.unwrap(), Some(json!(1)));
    assert_eq!(audit_count(store).await, 1);
}

/// Settings are JSON, overwritable, and every write is audited.
pub async fn settings_round_trip(store: &dyn Store) {
    assert_eq!(store.get_setting("policy.password").await.unwrap(), None);
    let before = audit_count(store).await;
    let v = json!({"min_len": 12, "names": ["甲", "'; DROP TABLE settings; --"], "x": null});
    store
        .put_setting("policy.password", &v, audit("settings.put"))
        .await
        .unwrap();
    assert_eq!(store.get_setting("policy.password").await.unwrap(), Some(v));
    assert_eq!(audit_count(store).await, before + 1);
    assert_eq!(last_audit(store).await.action, "settings.put");

    store
        .put_setting("policy.password", &json!("plain"), audit("settings.put2"))
        .await
        .unwrap();
    assert_eq!(
        store.get_setting("policy.password").await.unwrap(),
        Some(json!("plain"))
    );
    assert_eq!(audit_count(store).await, before + 2);
    assert_eq!(store.get_setting("other").await.unwrap(), None);
}
