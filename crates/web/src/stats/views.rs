//! JSON views of the statistics (`/api/v1/stats/*`), separate from the rollup rows.

use serde::Serialize;
use zongzhi_core::metrics::Counters;
use zongzhi_store::OrgUnit;

/// Every figure of a slice: the counts and the rates derived from them (`null` when the
/// denominator is zero). Definitions: `zongzhi_core::metrics` and the console's 指标说明.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// 受理量.
    pub received: i64,
    /// 在办 (not yet closed).
    pub open: i64,
    /// 办结 (已结案, incl. 回访/归档).
    pub closed: i64,
    /// 化解 (closed with 调解成功 or 部分化解).
    pub resolved: i64,
    /// 按期办结.
    pub on_time: i64,
    /// Signed for (签收) at least once.
    pub accepted: i64,
    /// Rated at 回访.
    pub rated: i64,
    /// Rated 非常满意, 满意 or 基本满意.
    pub satisfied: i64,
    /// 超期 (ever).
    pub overdue: i64,
    /// 督办 (ever).
    pub supervised: i64,
    /// 重办 (reopened at least once).
    pub reopened: i64,
    /// 办结率 = closed ÷ received.
    pub completion_rate: Option<f64>,
    /// 化解率 = resolved ÷ closed.
    pub resolution_rate: Option<f64>,
    /// 按期办结率 = on_time ÷ closed.
    pub on_time_rate: Option<f64>,
    /// 满意率 = satisfied ÷ rated.
    pub satisfaction_rate: Option<f64>,
    /// 重办率 = reopened ÷ closed.
    pub reopen_rate: Option<f64>,
    /// 平均签收用时 (working days from 登记 to the first 签收).
    pub avg_accept_days: Option<f64>,
    /// 平均办结用时 (working days from 登记 to 结案).
    pub avg_close_days: Option<f64>,
    /// The counters the figures come from.
    #[serde(skip)]
    #[schema(ignore)]
    pub counters: Counters,
}

impl From<Counters> for Figures {
    fn from(c: Counters) -> Self {
        Self {
            received: c.received,
            open: c.open,
            closed: c.closed,
            resolved: c.resolved,
            on_time: c.on_time,
            accepted: c.accepted,
            rated: c.rated,
            satisfied: c.satisfied,
            overdue: c.overdue,
            supervised: c.supervised,
            reopened: c.reopened,
            completion_rate: c.completion_rate(),
            resolution_rate: c.resolution_rate(),
            on_time_rate: c.on_time_rate(),
            satisfaction_rate: c.satisfaction_rate(),
            reopen_rate: c.reopen_rate(),
            avg_accept_days: c.avg_accept_days(),
            avg_close_days: c.avg_close_days(),
            counters: c,
        }
    }
}

/// An org unit as statistics name it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UnitRef {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Tier (`city` … `grid`).
    pub level: String,
    /// Materialized path.
    pub path: String,
}

impl From<&OrgUnit> for UnitRef {
    fn from(u: &OrgUnit) -> Self {
        Self {
            id: u.id,
            name: u.name.clone(),
            level: u.level.as_str().to_owned(),
            path: u.path.clone(),
        }
    }
}

/// Figures of a comparison period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PeriodFigures {
    /// First day.
    pub from: String,
    /// Last day (inclusive).
    pub to: String,
    /// Figures.
    #[serde(flatten)]
    pub figures: Figures,
}

/// `GET /api/v1/stats/summary`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SummaryView {
    /// The unit.
    pub org_unit: UnitRef,
    /// First day.
    pub from: String,
    /// Last day (inclusive).
    pub to: String,
    /// Figures of the period.
    #[serde(flatten)]
    pub figures: Figures,
    /// 环比: the period of the same length just before (the previous month for a month).
    pub previous: PeriodFigures,
    /// 同比: the same dates a year earlier.
    pub year_ago: PeriodFigures,
}

/// One bucket of a trend.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrendPoint {
    /// First day of the bucket (`YYYY-MM-DD`), clipped to the period.
    pub start: String,
    /// Axis label (`11-03`, `2026-11`).
    pub label: String,
    /// Figures.
    #[serde(flatten)]
    pub figures: Figures,
}

/// `GET /api/v1/stats/trend`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TrendView {
    /// `day`, `week` or `month`.
    pub granularity: String,
    /// Every bucket of the period, zero-filled, oldest first.
    pub points: Vec<TrendPoint>,
}

/// One row of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BreakdownRow {
    /// Category code, channel id or department id.
    pub key: String,
    /// Chinese label.
    pub label: String,
    /// Figures.
    #[serde(flatten)]
    pub figures: Figures,
}

/// `GET /api/v1/stats/breakdown`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BreakdownView {
    /// `category`, `channel` or `department`.
    pub dim: String,
    /// Rows by 受理量, largest first.
    pub rows: Vec<BreakdownRow>,
}

/// One child unit.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UnitRow {
    /// The unit.
    pub org_unit: UnitRef,
    /// Whether units lie below it (drill further).
    pub has_children: bool,
    /// Figures.
    #[serde(flatten)]
    pub figures: Figures,
}

/// `GET /api/v1/stats/units`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct UnitsView {
    /// The unit whose children these are.
    pub parent: UnitRef,
    /// Every child, zero rows included, in tree order.
    pub rows: Vec<UnitRow>,
}

/// A department as statistics name it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DepartmentRef {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The unit it belongs to.
    pub org_unit_name: String,
}

/// One department row.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DepartmentRow {
    /// The department.
    pub department: DepartmentRef,
    /// Figures of the cases it leads (located in the unit's subtree).
    #[serde(flatten)]
    pub figures: Figures,
}

/// `GET /api/v1/stats/departments`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DepartmentsView {
    /// Every department under the unit, by 受理量.
    pub rows: Vec<DepartmentRow>,
}

/// A case on the map.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MapPoint {
    /// Case id.
    pub id: i64,
    /// Tracking number.
    pub tracking_no: String,
    /// Title.
    pub title: String,
    /// Category code.
    pub category_code: String,
    /// Status.
    pub status: String,
    /// Latitude (WGS-84).
    pub lat: f64,
    /// Longitude (WGS-84).
    pub lng: f64,
}

/// `GET /api/v1/stats/map`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct MapView {
    /// The level drawn (`grid` normally).
    pub level: String,
    /// GeoJSON FeatureCollection of the units at that level under the unit, each feature's
    /// properties `{id, name, level, received, open, overdue}`.
    #[schema(value_type = Object)]
    pub units: serde_json::Value,
    /// Cases with coordinates, newest first.
    pub points: Vec<MapPoint>,
    /// More cases matched than were sent.
    pub points_truncated: bool,
}
