//! Rollup reads for statistics, map points, and background export jobs: rows and inputs of
//! [`crate::StatsStore`] and [`crate::ExportStore`].
//!
//! The rollup tables (`case_rollups`) are maintained by every case write in the same
//! transaction (see `zongzhi_core::metrics::rollup`). Reads are scoped in SQL: only rows
//! whose `unit_path` lies in the caller's subtree, and for a department handler
//! (`Scope::department_id`) only the `department` rows of their own department.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zongzhi_core::account::AccountId;
use zongzhi_core::case::{CaseId, CaseStatus};
use zongzhi_core::metrics::Counters;
use zongzhi_core::metrics::rollup::{RollupDim, RollupKey};
use zongzhi_core::org::OrgLevel;

/// How to group the rollup rows a [`RollupQuery`] selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollupGroup {
    /// One row, key `""`: the total (also when nothing matched: all zero).
    Total,
    /// By day, key `YYYY-MM-DD`, days without cases left out, ascending.
    Day,
    /// By dimension value, key = the value (category code, channel, department id).
    Value,
    /// The units one level below `unit_path`, key = the child's path, `unit_path`'s own
    /// rows excluded; children without cases left out.
    Children,
    /// Every unit of this level under `unit_path` (e.g. all grids of a town, for the map),
    /// key = the unit's path.
    Level(OrgLevel),
}

/// A rollup read.
#[derive(Debug, Clone, PartialEq)]
pub struct RollupQuery {
    /// The unit whose rows to read (for `Children`/`Level`: the subtree's root).
    pub unit_path: String,
    /// The dimension.
    pub dim: RollupDim,
    /// Only this value of the dimension. For [`RollupDim::Category`] a first-level code
    /// (`D01`) also matches its children (`D01-03`).
    pub value: Option<String>,
    /// First day (inclusive, local date of `reported_at`).
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// Grouping.
    pub group: RollupGroup,
}

/// One grouped result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RollupRow {
    /// Group key (see [`RollupGroup`]).
    pub key: String,
    /// Summed counters.
    pub counters: Counters,
}

/// A case as a point on the map.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CasePoint {
    /// Case id.
    pub id: CaseId,
    /// Tracking number.
    pub tracking_no: String,
    /// Title.
    pub title: String,
    /// Category code.
    pub category_code: String,
    /// Status.
    pub status: CaseStatus,
    /// Latitude (WGS-84).
    pub lat: f64,
    /// Longitude (WGS-84).
    pub lng: f64,
}

/// A stored rollup row, for comparing incremental maintenance with a rebuild.
pub type RollupEntry = (RollupKey, Counters);

/// Lifecycle of a background export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    /// Waiting for a worker.
    Queued,
    /// A worker holds its lease and is writing the file.
    Running,
    /// The file is ready.
    Done,
    /// Gave up (after retries, or a permanent error).
    Failed,
}

impl ExportStatus {
    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    /// Parses [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Queued, Self::Running, Self::Done, Self::Failed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    /// Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Queued => "排队中",
            Self::Running => "生成中",
            Self::Done => "已完成",
            Self::Failed => "失败",
        }
    }
}

/// A new export request (the job runs later with the requester's scope as it is then).
#[derive(Debug, Clone, PartialEq)]
pub struct NewExportJob {
    /// Requested by.
    pub account_id: AccountId,
    /// `ledger` | `cases` | `daily` | `weekly` | `monthly`.
    pub kind: String,
    /// `xlsx` | `pdf`.
    pub format: String,
    /// The validated request (filters, org unit, period) as JSON.
    pub params: serde_json::Value,
    /// Rows expected (counted in scope at request time), for progress.
    pub total_rows: i64,
    /// Requested at.
    pub created_at: DateTime<Utc>,
}

/// A background export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportJob {
    /// Id.
    pub id: i64,
    /// Requested by.
    pub account_id: AccountId,
    /// Kind.
    pub kind: String,
    /// Format.
    pub format: String,
    /// The request.
    pub params: serde_json::Value,
    /// Status.
    pub status: ExportStatus,
    /// 0–100.
    pub progress: i32,
    /// Rows written so far.
    pub rows_written: i64,
    /// Rows expected.
    pub total_rows: i64,
    /// The finished file's name under `<data_dir>/exports/` (done only).
    pub file_name: Option<String>,
    /// The finished file's size.
    pub file_size: Option<i64>,
    /// Stable error code (failed only), never internal text.
    pub error: Option<String>,
    /// Claims so far (retries).
    pub attempts: i32,
    /// The running worker's lease ends (a crashed worker's job is claimed again after it).
    pub lease_until: Option<DateTime<Utc>>,
    /// Requested at.
    pub created_at: DateTime<Utc>,
    /// Last claimed at.
    pub started_at: Option<DateTime<Utc>>,
    /// Done or failed at.
    pub finished_at: Option<DateTime<Utc>>,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportOutcome {
    /// The file is written.
    Done {
        /// File name under `<data_dir>/exports/`.
        file_name: String,
        /// Bytes.
        file_size: i64,
        /// Rows written.
        rows: i64,
    },
    /// Give up with a stable code.
    Failed {
        /// e.g. `export_failed`, `scope_lost`.
        error: String,
    },
}
