//! What the reports read: the statistics service (`crate::stats`, the same figures as the
//! statistics pages and `/api/v1/stats/*`, run with the requester's scope), the hotspot
//! units, and short lists of open cases to act on.

use std::collections::HashMap;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use zongzhi_core::case::{CaseStatus, DeadlineState};
use zongzhi_core::metrics::rollup::RollupDim;
use zongzhi_core::metrics::{Counters, Period};
use zongzhi_core::org::OrgLevel;
use zongzhi_store::{
    Case, CaseFilter, CaseSort, MAX_PAGE, OrgUnit, OrgUnitFilter, RollupGroup, RollupQuery,
    StoreResult,
};

use crate::error::ApiError;
use crate::exports::worker::{JobCtx, JobError};
use crate::stats::{
    self, BreakdownRow, DepartmentRow, Granularity, StatsQuery, StatsScope, TrendPoint, UnitRow,
};

/// Most units whose names one lookup pages through.
const MAX_NAME_PAGES: usize = 20;

/// A statistics error as a job error: the unit gone from the requester's scope is
/// `scope_lost`; anything else is worth another attempt.
fn job_error(e: ApiError) -> JobError {
    if e.status == StatusCode::NOT_FOUND {
        JobError::Permanent("scope_lost")
    } else {
        JobError::Transient(anyhow::anyhow!("statistics read failed: {}", e.code))
    }
}

/// The tier above `level`, if any.
fn parent_level(level: OrgLevel) -> Option<OrgLevel> {
    let i = OrgLevel::ALL.iter().position(|l| *l == level)?;
    i.checked_sub(1).and_then(|i| OrgLevel::ALL.get(i).copied())
}

/// A report's reads, for one job and its period.
pub(crate) struct Data<'a> {
    ctx: &'a JobCtx<'a>,
    stats: StatsScope,
}

impl<'a> Data<'a> {
    /// The statistics read of the job's unit and `period`, resolved as the API resolves it
    /// (the unit in the requester's scope; a department handler's own department).
    pub async fn new(ctx: &'a JobCtx<'a>, period: Period) -> Result<Self, JobError> {
        let q = StatsQuery {
            org_unit: Some(ctx.unit.id),
            from: Some(period.from.to_string()),
            to: Some(period.to.to_string()),
            ..Default::default()
        };
        let stats = stats::resolve(ctx.state, &ctx.scope, &q)
            .await
            .map_err(job_error)?;
        Ok(Self { ctx, stats })
    }

    /// The exported unit.
    pub fn unit(&self) -> &OrgUnit {
        &self.ctx.unit
    }

    /// When the report is generated.
    pub fn now(&self) -> DateTime<Utc> {
        self.ctx.state.clock.now()
    }

    fn at(&self, p: Period) -> StatsScope {
        self.stats.with_period(p)
    }

    /// The unit's figures for the period.
    pub async fn total(&self, p: Period) -> Result<Counters, JobError> {
        stats::total(self.ctx.state, &self.at(p))
            .await
            .map_err(job_error)
    }

    /// Zero-filled figures per day.
    pub async fn by_day(&self, p: Period) -> Result<Vec<TrendPoint>, JobError> {
        let t = stats::trend(self.ctx.state, &self.at(p), Some(Granularity::Day))
            .await
            .map_err(job_error)?;
        Ok(t.points)
    }

    /// Figures per first-level category, largest first.
    pub async fn by_category(&self, p: Period) -> Result<Vec<BreakdownRow>, JobError> {
        let b = stats::breakdown(self.ctx.state, &self.at(p), RollupDim::Category)
            .await
            .map_err(job_error)?;
        Ok(b.rows)
    }

    /// Every child unit with its figures (zero rows included), in tree order.
    pub async fn children(&self, p: Period) -> Result<Vec<UnitRow>, JobError> {
        let u = stats::units(self.ctx.state, &self.at(p))
            .await
            .map_err(job_error)?;
        Ok(u.rows)
    }

    /// Every department under the unit with the figures of the cases it leads.
    pub async fn departments(&self, p: Period) -> Result<Vec<DepartmentRow>, JobError> {
        let d = stats::departments(self.ctx.state, &self.at(p))
            .await
            .map_err(job_error)?;
        Ok(d.rows)
    }

    /// Units of `level` under the unit with their figures (units without cases left out).
    pub async fn at_level(
        &self,
        level: OrgLevel,
        p: Period,
    ) -> StoreResult<Vec<(String, Counters)>> {
        let q = RollupQuery {
            unit_path: self.ctx.unit.path.clone(),
            dim: self.stats.dim,
            value: self.stats.value.clone(),
            from: p.from,
            to: p.to,
            group: RollupGroup::Level(level),
        };
        let rows = self
            .ctx
            .state
            .store
            .query_rollups(&self.ctx.scope, &q)
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let filter = OrgUnitFilter {
            under: Some(self.ctx.unit.id),
            level: Some(level),
            limit: Some(MAX_PAGE),
            ..Default::default()
        };
        let units = self.units(filter).await?;
        // Grids repeat their names (第1网格 in every village): prefix the parent's name.
        let parents: HashMap<i64, String> = match parent_level(level) {
            Some(up) => {
                let filter = OrgUnitFilter {
                    under: Some(self.ctx.unit.id),
                    level: Some(up),
                    limit: Some(MAX_PAGE),
                    ..Default::default()
                };
                self.units(filter)
                    .await?
                    .into_iter()
                    .map(|u| (u.id, u.name))
                    .collect()
            }
            None => HashMap::new(),
        };
        let names: HashMap<String, String> = units
            .into_iter()
            .map(|u| {
                let parent = u.parent_id.and_then(|p| parents.get(&p));
                let name = match parent {
                    Some(p) => format!("{p}{}", u.name),
                    None => u.name,
                };
                (u.path, name)
            })
            .collect();
        Ok(rows
            .into_iter()
            .map(|r| {
                let name = names.get(&r.key).cloned().unwrap_or_else(|| r.key.clone());
                (name, r.counters)
            })
            .collect())
    }

    /// Units matching `filter` in the requester's scope (a bounded number of pages).
    async fn units(&self, mut filter: OrgUnitFilter) -> StoreResult<Vec<OrgUnit>> {
        let mut out = Vec::new();
        for _ in 0..MAX_NAME_PAGES {
            let page = self
                .ctx
                .state
                .store
                .list_org_units(&self.ctx.scope, &filter)
                .await?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) => filter.cursor = Some(c),
                None => break,
            }
        }
        Ok(out)
    }

    /// Open cases in the unit now overdue (`overdue`) or under 督办 (`!overdue`), soonest
    /// due first, at most `limit`, and how many there are in all.
    pub async fn open_cases(&self, overdue: bool, limit: i64) -> StoreResult<(Vec<Case>, i64)> {
        let open: Vec<CaseStatus> = CaseStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.is_open())
            .collect();
        let filter = CaseFilter {
            under: Some(self.ctx.unit.id),
            statuses: open,
            deadline_state: overdue.then_some(DeadlineState::Overdue),
            supervised: (!overdue).then_some(true),
            sort: CaseSort::DueSoonest,
            limit: Some(limit.clamp(1, MAX_PAGE)),
            ..Default::default()
        };
        let store = &self.ctx.state.store;
        let total = store.count_cases(&self.ctx.scope, &filter).await?;
        let page = store.list_cases(&self.ctx.scope, &filter).await?;
        Ok((page.items, total))
    }
}
