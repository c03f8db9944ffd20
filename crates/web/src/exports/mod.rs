//! Background exports (台账导出): the standard ledger 矛盾纠纷排查化解台账 and filtered case
//! lists as XLSX, and the 日报 / 周研判 / 月调度 reports as XLSX or PDF.
//!
//! A request is validated and counted in the caller's scope at once
//! ([`create_export_as`]), then queued as an `export_jobs` row together with its audit row.
//! The worker ([`spawn_export_worker`], [`run_once`]) claims a job with a lease, derives the
//! requester's scope again from their account *as it is then* (a disabled account, a lost
//! permission or a unit now outside their scope fails the job with `scope_lost`), streams
//! the cases page by page into the XLSX writer (constant memory) and writes the file under
//! `<data_dir>/exports/` through a temporary file and a rename. Transient errors give the
//! job back (its lease ends a few seconds later) for another attempt, up to [`MAX_ATTEMPTS`]; then it
//! fails with `export_failed`.
//!
//! Finished files stay on disk until an administrator removes them: nothing deletes them
//! silently (there is no clean-up job yet).

mod download;
mod filter;
mod kind;
mod names;
mod parties;
mod reports;
mod request;
mod rows;
mod service;
mod table;
mod worker;

pub use download::{ExportFile, open_download_as};
pub use kind::{ExportFormat, ExportKind};
pub use names::download_name;
pub use request::{ExportParams, ExportRequest};
pub use service::{ExportView, create_export_as, get_export_as, list_exports_as};
pub use worker::{run_once, spawn_export_worker};

/// Most rows one ledger or case list may hold.
pub const MAX_ROWS: i64 = 1_000_000;

/// Claims of one job before it fails for good.
pub const MAX_ATTEMPTS: i32 = 3;

/// How long a claim holds a job without news from its worker (renewed every page).
pub const LEASE_SECONDS: i64 = 120;

/// Seconds a job waits after a transient failure before it is claimed again.
pub const RETRY_DELAY_SECONDS: i64 = 10;

/// Jobs a user's list shows.
pub const LIST_LIMIT: i64 = 50;

/// The directory finished exports live in.
pub fn exports_dir(state: &crate::state::AppState) -> std::path::PathBuf {
    state.config.data_dir.join("exports")
}
