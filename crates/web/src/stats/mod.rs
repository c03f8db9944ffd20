//! The statistics service (统计分析): what the JSON API, the console pages and the report
//! exports ask of the rollups. Every function takes the caller's [`Scope`] (a background job
//! passes the requester's), so it runs with or without a request; the store applies the
//! scope in SQL, and [`resolve`] refuses a unit outside it.
//!
//! A figure counts the cases *received* in the period (local date of `reported_at`) located
//! in the unit's subtree, in their state now (see `zongzhi_core::metrics`).

mod query;
mod rebuild;
mod service;
mod views;

pub use query::{StatsQuery, StatsScope, resolve};
pub use rebuild::{ensure_rollups, rebuild_audit};
pub use service::{
    Granularity, breakdown, child_units, departments, figures, map, summary, total, trend, units,
};
pub use views::*;
