//! Shared set-up of the PostgreSQL integration tests.
#![allow(dead_code)]

use zongzhi_store_postgres::PgStore;

/// Environment variable naming the test database.
pub const URL_VAR: &str = "ZONGZHI_TEST_POSTGRES_URL";

/// The test database URL; `None` (after saying so) when unset outside CI. In CI
/// (`CI` set) a missing URL panics: PostgreSQL must never be skipped silently there.
pub fn test_url() -> Option<String> {
    match std::env::var(URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "{URL_VAR} is not set but CI is: PostgreSQL tests must run in CI. Start a server \
             with `scripts/pg-test-server start DIR PORT` and export the URL it prints."
        ),
        _ => {
            eprintln!("skipping PostgreSQL tests: {URL_VAR} not set");
            None
        }
    }
}

/// Drops a test store's private schema when the test ends.
pub struct SchemaGuard {
    url: String,
    schema: String,
}

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        let url = self.url.clone();
        let schema = self.schema.clone();
        // Drop cannot await; run the cleanup on its own thread and runtime. Best effort: a
        // leftover schema is harmless.
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    use sqlx::Connection;
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&url).await {
                        let sql = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
                        let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                            .execute(&mut conn)
                            .await;
                        let _ = conn.close().await;
                    }
                });
            }
        });
        let _ = cleanup.join();
    }
}

/// A fresh, migrated store in its own schema, with the guard that drops the schema; `None`
/// when no database is configured.
pub async fn fresh_store() -> Option<(PgStore, SchemaGuard)> {
    let url = test_url()?;
    let store = match PgStore::connect_fresh_schema(&url).await {
        Ok(s) => s,
        Err(e) => panic!("cannot set up a PostgreSQL test schema at {URL_VAR}: {e:?}"),
    };
    let schema = store.schema().unwrap_or_default().to_owned();
    Some((store, SchemaGuard { url, schema }))
}
