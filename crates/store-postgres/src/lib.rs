//! PostgreSQL backend of the Zongzhi store.
//!
//! [`PgStore`] implements every trait of [`zongzhi_store`] with runtime-built queries
//! (`sqlx::query` / `QueryBuilder`, all user input bound as parameters). Each write
//! appends its audit row in the same transaction, taking the single `audit_head` row
//! `FOR UPDATE` so the hash chain stays serial across several app instances.
//!
//! Tests use [`PgStore::connect_fresh_schema`], which gives every store its own schema
//! (`zz_test_…`) in a shared database, so a test starts from an empty, migrated database
//! without creating one.
//!
//! # Testing
//!
//! ```text
//! export ZONGZHI_TEST_POSTGRES_URL=$(scripts/pg-test-server start /tmp/zzpg 55432)
//! cargo test -p zongzhi-store-postgres
//! scripts/pg-test-server stop /tmp/zzpg
//! ```
//!
//! Without `ZONGZHI_TEST_POSTGRES_URL` the database tests are skipped, unless `CI` is set,
//! in which case they fail.

mod account;
mod account_sql;
mod audit;
mod cases;
mod category;
mod error;
mod export;
mod org;
mod query;
mod rollup;
mod rows;
mod session;
mod stats;
mod timing;

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use chrono::Utc;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Connection, PgConnection};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_store::{StoreError, StoreResult, SystemStore};

use crate::error::db;

/// Largest pool a store opens with [`PgStore::connect`].
const POOL_SIZE: u32 = 10;
/// Pool size of a per-test store: tests run in parallel, each with its own pool.
const TEST_POOL_SIZE: u32 = 5;

/// The PostgreSQL store: a connection pool and the schema it works in.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
    /// Take sqlx's advisory lock while migrating (off for private test schemas, where
    /// nobody else can race us and the database-wide lock would serialise the tests).
    lock_migrations: bool,
    /// The private schema made by [`PgStore::connect_fresh_schema`], if any.
    schema: Option<String>,
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`). Does not migrate: call
    /// [`SystemStore::migrate`].
    pub async fn connect(url: &str) -> StoreResult<PgStore> {
        let options = PgConnectOptions::from_str(url).map_err(db)?;
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .connect_with(options)
            .await
            .map_err(db)?;
        Ok(PgStore {
            pool,
            lock_migrations: true,
            schema: None,
        })
    }

    /// For tests: creates a new, uniquely named schema `zz_test_<random>` in the database
    /// at `url`, points every pooled connection's `search_path` at it and migrates it, so
    /// the store starts empty and isolated from every other store on that database.
    pub async fn connect_fresh_schema(url: &str) -> StoreResult<PgStore> {
        let options = PgConnectOptions::from_str(url).map_err(db)?;
        let schema = fresh_schema_name();
        {
            let mut conn = PgConnection::connect_with(&options).await.map_err(db)?;
            // The name is ours (`zz_test_` and hex digits), so it is safe to splice.
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                .execute(&mut conn)
                .await
                .map_err(db)?;
            conn.close().await.map_err(db)?;
        }
        let options = options.options([("search_path", schema.as_str())]);
        let pool = PgPoolOptions::new()
            .max_connections(TEST_POOL_SIZE)
            .connect_with(options)
            .await
            .map_err(db)?;
        let store = PgStore {
            pool,
            lock_migrations: false,
            schema: Some(schema),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// The private schema of a store made by [`PgStore::connect_fresh_schema`].
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// The connection pool, for diagnostics and tests.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

/// A schema name no other store uses: process id, time and a counter, as hex.
fn fresh_schema_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    // Mix so that names differ in their leading characters too.
    let mixed = (nanos as u64) ^ (u64::from(std::process::id()) << 40) ^ n.rotate_left(17);
    format!(
        "zz_test_{:016x}{:08x}{:04x}",
        mixed,
        std::process::id(),
        n & 0xffff
    )
}

#[async_trait]
impl SystemStore for PgStore {
    async fn migrate(&self) -> StoreResult<()> {
        let mut migrator = sqlx::migrate!();
        migrator.set_locking(self.lock_migrations);
        migrator.run(&self.pool).await.map_err(StoreError::backend)
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    fn backend_name(&self) -> &'static str {
        "postgres"
    }

    async fn get_setting(&self, key: &str) -> StoreResult<Option<serde_json::Value>> {
        let value: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        value
            .map(|v| serde_json::from_str(&v).map_err(StoreError::backend))
            .transpose()
    }

    async fn put_setting(
        &self,
        key: &str,
        value: &serde_json::Value,
        audit: NewAuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, \
             updated_at = EXCLUDED.updated_at",
        )
        .bind(key)
        .bind(value.to_string())
        .bind(Utc::now())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        audit::append(&mut tx, audit::default_target(audit, key)).await?;
        tx.commit().await.map_err(db)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    #[test]
    fn schema_names_are_unique_identifiers() {
        let a = super::fresh_schema_name();
        let b = super::fresh_schema_name();
        assert_ne!(a, b);
        assert!(a.starts_with("zz_test_"));
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        );
        assert!(a.len() < 63);
    }
}
