//! A fresh SQLite database in a temporary directory, with the demo jurisdiction, beside a
//! raw database with the same settings.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use sqlx::sqlite::SqlitePool;
use zongzhi_core::clock::SystemClock;
use zongzhi_core::role::Scope;
use zongzhi_crypto::{Algorithm, BlindIndex, FieldCipher, Keys};
use zongzhi_store::{AccountFilter, OrgUnitFilter, Store, SystemStore};
use zongzhi_store_sqlite::SqliteStore;
use zongzhi_web::{AppState, Config};

/// Everything a benchmark runs against.
pub struct Bench {
    /// Keeps the temporary directory alive (none when `--dir` was given).
    _tmp: Option<tempfile::TempDir>,
    /// Where the database files are.
    pub dir: PathBuf,
    /// The store, for its pool.
    pub sqlite: Arc<SqliteStore>,
    /// The application state the demo generator and the store calls use.
    pub state: AppState,
    /// The raw reference database.
    pub raw: SqlitePool,
    /// Materialized path of every org unit.
    pub paths: HashMap<i64, String>,
}

impl Bench {
    /// Opens the databases under `dir` (a fresh temporary directory when `None`) and seeds
    /// the demo jurisdiction (without its case history).
    pub async fn open(dir: Option<&Path>) -> anyhow::Result<Bench> {
        let (tmp, dir) = match dir {
            Some(d) => {
                std::fs::create_dir_all(d)?;
                (None, d.to_path_buf())
            }
            None => {
                let t = tempfile::tempdir()?;
                let d = t.path().to_path_buf();
                (Some(t), d)
            }
        };
        let url = format!("sqlite://{}", dir.join("zongzhi.db").display());
        let sqlite = Arc::new(SqliteStore::connect(&url).await?);
        sqlite.migrate().await?;
        let mut config = Config::default();
        config.demo.cases = 0;
        let keys = Keys::generate();
        let state = AppState {
            store: sqlite.clone(),
            config: Arc::new(config),
            cipher: FieldCipher::new(Algorithm::Sm4Gcm, &keys),
            index: BlindIndex::new(&keys),
            clock: Arc::new(SystemClock),
        };
        zongzhi_web::demo::seed_if_empty(&state, Some("Bench!2026pass"))
            .await
            .context("seeding the demo jurisdiction")?;
        let raw = crate::raw::open(&dir.join("raw.db")).await?;
        let units = state
            .store
            .list_org_units(
                &root(),
                &OrgUnitFilter {
                    limit: Some(500),
                    ..OrgUnitFilter::default()
                },
            )
            .await?;
        let paths = units.items.into_iter().map(|u| (u.id, u.path)).collect();
        Ok(Bench {
            _tmp: tmp,
            dir,
            sqlite,
            state,
            raw,
            paths,
        })
    }

    /// The store.
    pub fn store(&self) -> &dyn Store {
        self.state.store.as_ref()
    }

    /// The scope of the demo account `username`.
    pub async fn scope_of(&self, username: &str) -> anyhow::Result<Scope> {
        let f = AccountFilter {
            q: Some(username.to_owned()),
            limit: Some(50),
            ..AccountFilter::default()
        };
        let page = self.store().list_accounts(&root(), &f).await?;
        let a = page
            .items
            .into_iter()
            .find(|a| a.username == username)
            .with_context(|| format!("no account {username}"))?;
        Ok(Scope {
            org_unit_id: a.org_unit_id,
            org_path: a.org_path,
            department_id: a.department_id,
        })
    }
}

/// The whole tree.
pub fn root() -> Scope {
    Scope::subtree(0, "/")
}
