//! Rollups: [`Counters`] summed by day × org unit × one dimension, kept in step with every
//! case write so that a city's year costs what a village's week costs.
//!
//! A case counts on the local date it was reported, once at **every level** of its location's
//! path (city, county, town, village, grid) and, at each level, once per [`RollupDim`]: in
//! the total row and in its category's, channel's and lead department's rows. A dashboard
//! query therefore reads the rows of exactly one unit (`unit_path = …`), never a subtree
//! scan. When an event changes a case, the store subtracts the old contribution and adds the
//! new one ([`delta`]) in the same transaction; `zongzhi rollup rebuild` sums [`rows_of`]
//! over every case, and the two must always agree.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Counters;
use crate::calendar::local_day;
use crate::case::{CaseState, Channel};
use crate::org::DepartmentId;

crate::case::code_enum! {
    /// The dimension a rollup row is sliced by.
    RollupDim {
        /// The unit's total (value `""`).
        All = "all", "合计";
        /// By category code (value: the case's own code, first or second level).
        Category = "category", "事件分类";
        /// By channel (value: `Channel::as_str`).
        Channel = "channel", "来源渠道";
        /// By lead department (value: the department id); cases without one have no row.
        Department = "department", "责任部门";
    }
}

/// The key of one rollup row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RollupKey {
    /// The org unit's materialized path (an ancestor-or-self of the case's location).
    pub unit_path: String,
    /// Dimension.
    pub dim: RollupDim,
    /// Dimension value (`""` for [`RollupDim::All`]).
    pub value: String,
    /// Local date the cases were reported.
    pub day: NaiveDate,
}

/// What of a case its rollup rows depend on.
#[derive(Debug, Clone, PartialEq)]
pub struct RollupSource {
    /// Location path (`cases.org_path`).
    pub org_path: String,
    /// Reported at.
    pub reported_at: DateTime<Utc>,
    /// Category code.
    pub category_code: String,
    /// Channel.
    pub channel: Channel,
    /// Lead department now (or last).
    pub department_id: Option<DepartmentId>,
    /// The case's contribution.
    pub counters: Counters,
}

impl RollupSource {
    /// The source of a case row.
    pub fn new(
        org_path: &str,
        reported_at: DateTime<Utc>,
        category_code: &str,
        channel: Channel,
        state: &CaseState,
    ) -> Self {
        Self {
            org_path: org_path.to_owned(),
            reported_at,
            category_code: category_code.to_owned(),
            channel,
            department_id: state.holder_department_id(),
            counters: Counters::of(state),
        }
    }
}

/// Every ancestor-or-self path of a materialized path: `/1/2/3/` → `/1/`, `/1/2/`, `/1/2/3/`.
pub fn ancestor_paths(path: &str) -> Vec<&str> {
    path.char_indices()
        .filter(|(i, c)| *c == '/' && *i > 0)
        .map(|(i, _)| &path[..=i])
        .collect()
}

/// The rollup rows one case contributes to (none if it contributes nothing).
pub fn rows_of(src: &RollupSource) -> Vec<(RollupKey, Counters)> {
    if src.counters.is_zero() {
        return Vec::new();
    }
    let day = local_day(src.reported_at);
    let mut slices = vec![
        (RollupDim::All, String::new()),
        (RollupDim::Category, src.category_code.clone()),
        (RollupDim::Channel, src.channel.as_str().to_owned()),
    ];
    if let Some(d) = src.department_id {
        slices.push((RollupDim::Department, d.to_string()));
    }
    let mut out = Vec::new();
    for unit_path in ancestor_paths(&src.org_path) {
        for (dim, value) in &slices {
            out.push((
                RollupKey {
                    unit_path: unit_path.to_owned(),
                    dim: *dim,
                    value: value.clone(),
                    day,
                },
                src.counters,
            ));
        }
    }
    out
}

/// What to add to each rollup row when a case goes from `old` to `new` (`None`: not
/// there). Rows whose change is zero are left out; keys come out sorted, so every writer
/// touches rows in the same order (no deadlocks between concurrent PostgreSQL writers).
pub fn delta(old: Option<&RollupSource>, new: Option<&RollupSource>) -> Vec<(RollupKey, Counters)> {
    let mut acc: BTreeMap<RollupKey, Counters> = BTreeMap::new();
    if let Some(old) = old {
        for (k, c) in rows_of(old) {
            let e = acc.entry(k).or_default();
            *e = e.minus(&c);
        }
    }
    if let Some(new) = new {
        for (k, c) in rows_of(new) {
            let e = acc.entry(k).or_default();
            *e = e.plus(&c);
        }
    }
    acc.into_iter().filter(|(_, c)| !c.is_zero()).collect()
}

/// Adds many deltas into one map (bulk import, rebuild).
pub fn accumulate(
    acc: &mut BTreeMap<RollupKey, Counters>,
    rows: impl IntoIterator<Item = (RollupKey, Counters)>,
) {
    for (k, c) in rows {
        let e = acc.entry(k).or_default();
        *e = e.plus(&c);
    }
}
