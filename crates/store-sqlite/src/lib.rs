//! sqlite backend.
//!
//! One database file in WAL mode. Every write runs in a `BEGIN IMMEDIATE` transaction, so
//! concurrent writers queue on the busy timeout instead of failing on a lock upgrade, and
//! each appends its audit row (read and advance `audit_head`, seal, insert) inside that same
//! transaction. Scope is applied in SQL as an indexed range on `org_units.path`.

mod account_writes;
mod accounts;
mod audit;
mod cases;
mod categories;
mod departments;
mod impls;
mod org_units;
mod rows;
mod sessions;
mod stats;
mod timing;
mod util;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_store::{StoreError, StoreResult, SystemStore};

use crate::util::{append_in_tx, begin_write, db, now_ts};

/// The migrations in `crates/store-sqlite/migrations`.
static MIGRATOR: Migrator = sqlx::migrate!();

/// Connections per pool: several readers alongside the one writer WAL allows.
const POOL_SIZE: u32 = 8;

/// Keeps a temporary database's directory alive; dropping it deletes the files.
pub type TempGuard = tempfile::TempDir;

/// The sqlite implementation of every store trait.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url`, e.g. `sqlite://./data/zongzhi.db`,
    /// with WAL, foreign keys, a 10 s busy timeout and `synchronous = NORMAL`. The parent
    /// directory is created if needed. An in-memory url (`sqlite::memory:`) gets a single
    /// connection. Does not migrate: call [`SystemStore::migrate`].
    pub async fn connect(url: &str) -> StoreResult<SqliteStore> {
        let opts = SqliteConnectOptions::from_str(url).map_err(db)?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory
            && let Some(dir) = opts.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(StoreError::backend)?;
        }
        Self::with_options(opts, if in_memory { 1 } else { POOL_SIZE }).await
    }

    /// A fresh, empty database file in a new temporary directory (for tests). Not migrated.
    /// Keep the guard alive as long as the store is used.
    pub async fn open_temp() -> StoreResult<(SqliteStore, TempGuard)> {
        let dir = tempfile::tempdir().map_err(StoreError::backend)?;
        let opts = SqliteConnectOptions::new().filename(dir.path().join("zongzhi.db"));
        let store = Self::with_options(opts, POOL_SIZE).await?;
        Ok((store, dir))
    }

    async fn with_options(opts: SqliteConnectOptions, size: u32) -> StoreResult<SqliteStore> {
        let opts = opts
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .synchronous(SqliteSynchronous::Normal);
        let pool = SqlitePoolOptions::new()
            .max_connections(size)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await
            .map_err(db)?;
        Ok(SqliteStore { pool })
    }

    /// The connection pool, for backend-specific tooling and tests.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[async_trait]
impl SystemStore for SqliteStore {
    async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(StoreError::backend)?;
        // Planner statistics: without them SQLite sorts every case of a large scope for a
        // first page instead of walking the primary key. 0x10002 analyses only tables whose
        // size changed a lot since last time, so this is cheap at every start-up.
        sqlx::query("PRAGMA optimize = 0x10002")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db)
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db)
    }

    fn backend_name(&self) -> &'static str {
        "sqlite"
    }

    async fn get_setting(&self, key: &str) -> StoreResult<Option<serde_json::Value>> {
        let text: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        text.map(|t| serde_json::from_str(&t).map_err(StoreError::backend))
            .transpose()
    }

    async fn put_setting(
        &self,
        key: &str,
        value: &serde_json::Value,
        mut audit: NewAuditEntry,
    ) -> StoreResult<()> {
        let mut tx = begin_write(&self.pool).await?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
             updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value.to_string())
        .bind(now_ts())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        if audit.target_id.is_none() {
            audit.target_id = Some(key.to_owned());
        }
        append_in_tx(&mut tx, audit).await?;
        tx.commit().await.map_err(db)
    }
}
