//! The common query of every statistics read, validated into a [`StatsScope`].

use axum::http::StatusCode;
use chrono::{Days, NaiveDate};
use serde::Deserialize;
use zongzhi_core::calendar::local_day;
use zongzhi_core::case::Channel;
use zongzhi_core::metrics::rollup::RollupDim;
use zongzhi_core::metrics::{Period, PeriodError};
use zongzhi_core::org::OrgUnitId;
use zongzhi_core::role::Scope;
use zongzhi_store::{OrgUnit, StoreError};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Days in the default period (the last 30 days ending today).
const DEFAULT_DAYS: u64 = 30;

/// Which unit, period and slice a statistics read is about (query string of
/// `/api/v1/stats/*`).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct StatsQuery {
    /// Org unit id; default: the caller's own unit.
    pub org_unit: Option<OrgUnitId>,
    /// First day, `YYYY-MM-DD` (local date, inclusive); default: 29 days before `to`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (inclusive); default: today (Asia/Shanghai).
    pub to: Option<String>,
    /// Only this category (a first-level code includes its children).
    pub category: Option<String>,
    /// Only this channel (`walk_in`, `phone`, …); not together with `category`.
    pub channel: Option<String>,
}

/// A validated statistics read: the unit (in scope), the period and the slice.
#[derive(Debug, Clone)]
pub struct StatsScope {
    /// The caller's scope (applied again by the store in SQL).
    pub scope: Scope,
    /// The unit whose subtree is counted.
    pub unit: OrgUnit,
    /// The period.
    pub period: Period,
    /// The rollup slice: `all`, or one category / channel, or (a department handler) their
    /// own department.
    pub dim: RollupDim,
    /// The slice's value.
    pub value: Option<String>,
}

impl StatsScope {
    /// The same read over another period (环比, 同比).
    pub fn with_period(&self, period: Period) -> Self {
        Self {
            period,
            ..self.clone()
        }
    }

    /// The same read for another unit (drill-down), already loaded in scope.
    pub fn with_unit(&self, unit: OrgUnit) -> Self {
        Self {
            unit,
            ..self.clone()
        }
    }
}

/// A 422 with a stable `code` and a Chinese message beside `field`.
fn invalid(code: &str, field: &str, message: &str) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code).with_field(field, code, message)
}

fn parse_day(field: &str, s: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        invalid(
            "invalid_period",
            field,
            "日期格式应为 YYYY-MM-DD（如 2026-11-01）",
        )
    })
}

fn period_error(e: PeriodError) -> ApiError {
    let msg = match e {
        PeriodError::Reversed => "开始日期不能晚于结束日期",
        PeriodError::TooLong => "统计周期不能超过十年",
        PeriodError::OutOfRange => "日期须在2000年至2100年之间",
    };
    invalid("invalid_period", "from", msg)
}

fn nonblank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Validates `q` for a caller with `scope`: the period (422 `invalid_period`), the unit
/// (unknown or outside the scope: 404, never revealing which), the slice.
pub async fn resolve(state: &AppState, scope: &Scope, q: &StatsQuery) -> ApiResult<StatsScope> {
    let today = local_day(state.clock.now());
    let to = nonblank(&q.to).map(|s| parse_day("to", s)).transpose()?;
    let from = nonblank(&q.from)
        .map(|s| parse_day("from", s))
        .transpose()?;
    let to = to.unwrap_or(today);
    let from = match from {
        Some(f) => f,
        None => to
            .checked_sub_days(Days::new(DEFAULT_DAYS - 1))
            .unwrap_or(to),
    };
    let period = Period::new(from, to).map_err(period_error)?;
    let unit_id = q.org_unit.unwrap_or(scope.org_unit_id);
    let unit = match state.store.get_org_unit(scope, unit_id).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Err(ApiError::not_found()),
        Err(e) => return Err(e.into()),
    };
    let (dim, value) = if let Some(d) = scope.department_id {
        // A department handler's figures are their department's cases.
        (RollupDim::Department, Some(d.to_string()))
    } else {
        match (nonblank(&q.category), nonblank(&q.channel)) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "unsupported_filter",
                    "channel",
                    "统计不支持同时按事件分类和来源渠道筛选，请只选其一",
                ));
            }
            (Some(code), None) => {
                if state.store.get_category(code).await.is_err() {
                    return Err(invalid("invalid_reference", "category", "事件分类不存在"));
                }
                (RollupDim::Category, Some(code.to_owned()))
            }
            (None, Some(ch)) => match Channel::parse(ch) {
                Some(c) => (RollupDim::Channel, Some(c.as_str().to_owned())),
                None => {
                    return Err(invalid("invalid_reference", "channel", "来源渠道无效"));
                }
            },
            (None, None) => (RollupDim::All, None),
        }
    };
    Ok(StatsScope {
        scope: scope.clone(),
        unit,
        period,
        dim,
        value,
    })
}
