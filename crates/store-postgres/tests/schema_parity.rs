//! Both backends create the same tables with the same column names (docs/SCHEMA.md).
//!
//! Compares the PostgreSQL schema (information_schema, the test's own schema) with a
//! SQLite database migrated by `zongzhi-store-sqlite`, ignoring sqlx's migrations table and
//! SQLite's internal, virtual (FTS) and FTS shadow tables. The one intended difference is
//! `cases.search_terms`, a PostgreSQL tsvector whose SQLite counterpart is the FTS5 table
//! `case_search`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;

use zongzhi_store::SystemStore;
use zongzhi_store_sqlite::SqliteStore;

type Columns = BTreeSet<(String, String)>;

/// Suffixes of the shadow tables an FTS3/4/5 virtual table `x` creates as `x_<suffix>`.
const FTS_SHADOW: [&str; 7] = [
    "data", "idx", "content", "docsize", "config", "segments", "segdir",
];

async fn sqlite_columns() -> Columns {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("parity.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let tables: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let virtual_tables: Vec<String> = tables
        .iter()
        .filter(|(_, sql)| {
            sql.as_deref().is_some_and(|s| {
                s.trim_start()
                    .to_ascii_uppercase()
                    .starts_with("CREATE VIRTUAL")
            })
        })
        .map(|(name, _)| name.clone())
        .collect();
    let is_fts = |name: &str| {
        virtual_tables.iter().any(|vt| {
            name == vt
                || name
                    .strip_prefix(vt.as_str())
                    .and_then(|rest| rest.strip_prefix('_'))
                    .is_some_and(|suffix| FTS_SHADOW.contains(&suffix))
        })
    };
    let mut columns = Columns::new();
    for (table, _) in tables.iter().filter(|(name, _)| !is_fts(name)) {
        let names: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?)")
            .bind(table)
            .fetch_all(store.pool())
            .await
            .unwrap();
        assert!(!names.is_empty(), "sqlite table {table} has no columns");
        columns.extend(names.into_iter().map(|c| (table.clone(), c)));
    }
    store.close().await;
    columns
}

async fn postgres_columns() -> Option<Columns> {
    let (store, _guard) = common::fresh_store().await?;
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    Some(rows.into_iter().collect())
}

#[tokio::test]
async fn sqlite_and_postgres_have_the_same_tables_and_columns() {
    let Some(pg) = postgres_columns().await else {
        return;
    };
    let lite = sqlite_columns().await;
    // The one intended difference: PostgreSQL keeps the search terms of a case in its row
    // (a tsvector), SQLite in the FTS5 table `case_search` (ignored above, as virtual).
    let allowed_only_pg = ("cases".to_owned(), "search_terms".to_owned());
    assert!(pg.contains(&allowed_only_pg), "cases.search_terms missing");
    let only_pg: Vec<_> = pg
        .difference(&lite)
        .filter(|c| **c != allowed_only_pg)
        .collect();
    let only_lite: Vec<_> = lite.difference(&pg).collect();
    assert!(
        only_pg.is_empty() && only_lite.is_empty(),
        "schemas differ\n  only in PostgreSQL: {only_pg:?}\n  only in SQLite: {only_lite:?}"
    );
    // Sanity: the comparison saw the whole schema.
    let tables: BTreeSet<&str> = pg.iter().map(|(t, _)| t.as_str()).collect();
    for t in [
        "org_units",
        "departments",
        "accounts",
        "sessions",
        "audit_log",
        "audit_head",
        "settings",
        "categories",
        "cases",
        "case_departments",
        "case_events",
        "case_parties",
        "case_attachments",
        "time_limits",
        "calendar_days",
        "case_rollups",
        "export_jobs",
    ] {
        assert!(tables.contains(t), "{t} missing");
    }
}
