//! The shared conformance suite on a fresh temporary sqlite database per test.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use zongzhi_store_sqlite::SqliteStore;

zongzhi_store::conformance_suite!(async { SqliteStore::open_temp().await.expect("temp db") });
