//! Behaviour specific to the sqlite backend: connection settings, the append-only trigger,
//! atomicity of a write with its audit row, several instances sharing one file, the schema.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use serde_json::json;
use zongzhi_core::audit::{AuditOutcome, ChainVerifier, NewAuditEntry};
use zongzhi_core::org::{OrgCode, OrgLevel, UnitName};
use zongzhi_core::role::Scope;
use zongzhi_store::{
    AuditFilter, AuditStore, CategorySeedRow, CategoryStore, NewOrgUnit, OrgStore, OrgUnitFilter,
    StoreError, SystemStore,
};
use zongzhi_store_sqlite::{SqliteStore, TempGuard};

#[path = "sqlite/cases.rs"]
mod cases;

fn entry(action: &str) -> NewAuditEntry {
    NewAuditEntry::new(action, "test", AuditOutcome::Success).by(Some(1), "tester")
}

fn root() -> Scope {
    Scope::subtree(0, "/")
}

fn city(code: &str) -> NewOrgUnit {
    NewOrgUnit {
        parent_id: None,
        level: OrgLevel::City,
        code: OrgCode::parse(code).unwrap(),
        name: UnitName::parse("市").unwrap(),
        geojson: None,
    }
}

async fn fresh() -> (SqliteStore, TempGuard) {
    let (store, guard) = SqliteStore::open_temp().await.unwrap();
    store.migrate().await.unwrap();
    (store, guard)
}

async fn pragma(store: &SqliteStore, sql: &'static str) -> String {
    let row: (String,) = sqlx::query_as(sql).fetch_one(store.pool()).await.unwrap();
    row.0
}

#[tokio::test]
async fn connect_creates_file_with_settings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/data/zongzhi.db");
    let url = format!("sqlite://{}", path.display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    assert!(path.exists());
    assert_eq!(
        pragma(&store, "SELECT journal_mode FROM pragma_journal_mode").await,
        "wal"
    );
    let fk: (i64,) = sqlx::query_as("SELECT foreign_keys FROM pragma_foreign_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(fk.0, 1);
    let busy: (i64,) = sqlx::query_as("SELECT timeout FROM pragma_busy_timeout")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(busy.0, 10_000);
    let sync: (i64,) = sqlx::query_as("SELECT synchronous FROM pragma_synchronous")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(sync.0, 1, "NORMAL");
    store.close().await;

    // Reopening keeps the data and migrating again is a no-op.
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.backend_name(), "sqlite");
    store.ping().await.unwrap();
}

#[tokio::test]
async fn audit_log_refuses_update_and_delete() {
    let (store, _g) = fresh().await;
    store.append_audit(entry("a")).await.unwrap();
    let upd = sqlx::query("UPDATE audit_log SET action = 'forged' WHERE seq = 1")
        .execute(store.pool())
        .await;
    assert!(upd.is_err());
    let del = sqlx::query("DELETE FROM audit_log")
        .execute(store.pool())
        .await;
    assert!(del.is_err());
    let rows = store.audit_chain(0, 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].action, "a");
}

#[tokio::test]
async fn failed_audit_append_rolls_back_the_write() {
    let (store, _g) = fresh().await;
    store.append_audit(entry("first")).await.unwrap();
    sqlx::query(
        "CREATE TRIGGER boom BEFORE INSERT ON audit_log WHEN NEW.action = 'boom' \
         BEGIN SELECT RAISE(ABORT, 'boom'); END",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let r = store
        .create_org_unit(&root(), city("3399"), entry("boom"))
        .await;
    assert!(matches!(r, Err(StoreError::Backend(_))), "{r:?}");
    let r = store.put_setting("k", &json!(1), entry("boom")).await;
    assert!(matches!(r, Err(StoreError::Backend(_))), "{r:?}");
    let seed = CategorySeedRow::core_seed();
    let r = store.seed_categories_if_empty(&seed, entry("boom")).await;
    assert!(matches!(r, Err(StoreError::Backend(_))), "{r:?}");
    assert!(store.list_categories(true).await.unwrap().is_empty());
    let units = store
        .count_org_units(&root(), &OrgUnitFilter::default())
        .await;
    assert_eq!(units.unwrap(), 0);
    assert_eq!(store.get_setting("k").await.unwrap(), None);
    let head: (i64,) = sqlx::query_as("SELECT last_seq FROM audit_head")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(head.0, 1);
    // The same write with a normal entry goes through and continues the chain.
    store
        .create_org_unit(&root(), city("3399"), entry("ok"))
        .await
        .unwrap();
    let e = store.append_audit(entry("next")).await.unwrap();
    assert_eq!(e.seq, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("z.db").display());
    let a = SqliteStore::connect(&url).await.unwrap();
    a.migrate().await.unwrap();
    let b = SqliteStore::connect(&url).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, store) in [a.clone(), b.clone(), a.clone(), b.clone()]
        .into_iter()
        .enumerate()
    {
        tasks.spawn(async move {
            for j in 0..30 {
                let e = entry("multi").detail(json!({"task": i, "j": j}));
                store.append_audit(e).await.unwrap();
            }
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }
    let mut v = ChainVerifier::default();
    for e in b.audit_chain(0, 1_000).await.unwrap() {
        v.check(&e).unwrap();
    }
    assert_eq!(v.verified(), 120);
    assert_eq!(a.count_audit(&AuditFilter::default()).await.unwrap(), 120);
}

#[tokio::test]
async fn times_are_stored_as_fixed_width_utc_text() {
    let (store, _g) = fresh().await;
    store.append_audit(entry("t")).await.unwrap();
    let at = pragma(&store, "SELECT at FROM audit_log").await;
    assert_eq!(at.len(), 27, "{at}");
    assert!(at.ends_with('Z') && at.as_bytes()[10] == b'T', "{at}");
}

#[tokio::test]
async fn schema_matches_the_documented_columns() {
    let (store, _g) = fresh().await;
    let expected: [(&str, &[&str]); 17] = [
        (
            "org_units",
            &[
                "id",
                "parent_id",
                "level",
                "code",
                "name",
                "path",
                "geojson",
                "active",
                "created_at",
            ],
        ),
        (
            "departments",
            &["id", "org_unit_id", "name", "kind", "active", "created_at"],
        ),
        (
            "accounts",
            &[
                "id",
                "username",
                "display_name",
                "org_unit_id",
                "department_id",
                "roles",
                "status",
                "password_hash",
                "phone_enc",
                "phone_index",
                "phone_masked",
                "failed_logins",
                "locked_until",
                "totp_secret_enc",
                "totp_enabled",
                "totp_last_step",
                "must_change_password",
                "last_login_at",
                "created_at",
                "updated_at",
            ],
        ),
        (
            "sessions",
            &[
                "token_hash",
                "account_id",
                "csrf_token",
                "stage",
                "created_at",
                "last_seen_at",
            ],
        ),
        (
            "audit_log",
            &[
                "seq",
                "at",
                "actor_id",
                "actor_username",
                "action",
                "target_type",
                "target_id",
                "outcome",
                "ip",
                "detail",
                "prev_hash",
                "hash",
            ],
        ),
        ("audit_head", &["id", "last_seq", "last_hash"]),
        ("settings", &["key", "value", "updated_at"]),
        (
            "categories",
            &[
                "code",
                "name",
                "parent_code",
                "kind",
                "sort_order",
                "active",
                "updated_at",
            ],
        ),
        (
            "cases",
            &[
                "id",
                "tracking_no",
                "version",
                "channel",
                "category_code",
                "urgency",
                "complexity",
                "title",
                "description",
                "occurred_at",
                "reported_at",
                "address",
                "org_unit_id",
                "org_path",
                "lat",
                "lng",
                "people_involved",
                "amount_fen",
                "status",
                "center_unit_id",
                "center_path",
                "holder_department_id",
                "holder_unit_id",
                "holder_path",
                "accept_deadline",
                "finish_deadline",
                "finish_unit",
                "due_at",
                "warn_at",
                "deadline_state",
                "ever_overdue",
                "extension_pending",
                "pending_extension_days",
                "verification_passed",
                "last_rating",
                "rating",
                "accepted_at",
                "resolved_at",
                "closed_at",
                "archived_at",
                "outcome",
                "supervision_level",
                "master_case_id",
                "reopen_count",
                "created_by",
                "idempotency_key",
                "created_at",
                "updated_at",
                "ever_supervised",
                "on_time",
                "accept_minutes",
                "close_minutes",
            ],
        ),
        (
            "case_departments",
            &["case_id", "department_id", "lead", "active"],
        ),
        (
            "case_events",
            &[
                "id",
                "case_id",
                "seq",
                "actor_id",
                "at",
                "from_status",
                "to_status",
                "kind",
                "note",
                "payload",
            ],
        ),
        (
            "case_parties",
            &[
                "id",
                "case_id",
                "role",
                "name",
                "id_card_enc",
                "id_card_index",
                "id_card_masked",
                "phone_enc",
                "phone_index",
                "phone_masked",
            ],
        ),
        (
            "case_attachments",
            &[
                "id",
                "case_id",
                "content_hash",
                "file_name",
                "content_type",
                "size_bytes",
                "uploaded_by",
                "uploaded_at",
            ],
        ),
        (
            "time_limits",
            &[
                "id",
                "category_code",
                "tier",
                "urgency",
                "complexity",
                "channel",
                "accept_amount",
                "accept_unit",
                "finish_amount",
                "finish_unit",
                "active",
                "updated_at",
            ],
        ),
        ("calendar_days", &["day", "kind", "name", "updated_at"]),
        (
            "case_rollups",
            &[
                "unit_path",
                "dim",
                "value",
                "day",
                "received",
                "open",
                "closed",
                "resolved",
                "on_time",
                "accepted",
                "rated",
                "satisfied",
                "overdue",
                "supervised",
                "reopened",
                "accept_minutes",
                "close_minutes",
            ],
        ),
        (
            "export_jobs",
            &[
                "id",
                "account_id",
                "kind",
                "format",
                "params",
                "status",
                "progress",
                "rows_written",
                "total_rows",
                "file_name",
                "file_size",
                "error",
                "attempts",
                "lease_until",
                "created_at",
                "started_at",
                "finished_at",
            ],
        ),
    ];
    for (table, cols) in expected {
        let got: Vec<(String,)> =
            sqlx::query_as("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                .bind(table)
                .fetch_all(store.pool())
                .await
                .unwrap();
        let got: Vec<String> = got.into_iter().map(|r| r.0).collect();
        assert_eq!(got, cols, "{table}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_memory_url_works_with_one_connection() {
    let store = SqliteStore::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    store
        .create_org_unit(&root(), city("3399"), entry("c"))
        .await
        .unwrap();
    let n = store
        .count_org_units(&root(), &OrgUnitFilter::default())
        .await;
    assert_eq!(n.unwrap(), 1);
    assert_eq!(store.count_audit(&AuditFilter::default()).await.unwrap(), 1);
}
