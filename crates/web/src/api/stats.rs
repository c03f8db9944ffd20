//! `/api/v1/stats/*`: statistics of an org subtree over a period (统计分析), from the
//! rollup tables, in the caller's scope. Thin handlers: authenticate, authorise
//! (`ReadStats`), validate ([`stats::resolve`]), read.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use zongzhi_core::metrics::rollup::RollupDim;
use zongzhi_core::role::Permission;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::stats::{
    self, BreakdownView, DepartmentsView, Granularity, MapView, StatsQuery, StatsScope,
    SummaryView, TrendView, UnitsView,
};

/// Authorises and validates the common query.
async fn scoped(state: &AppState, user: &CurrentUser, q: &StatsQuery) -> ApiResult<StatsScope> {
    user.require(Permission::ReadStats)?;
    stats::resolve(state, &user.scope(), q).await
}

/// `GET /api/v1/stats/summary`
#[utoipa::path(get, path = "/api/v1/stats/summary", tag = "stats", params(StatsQuery),
    description = "KPIs of the cases received in the period (local dates, inclusive; default the last 30 days) and located in the org unit's subtree (default: the caller's unit), in their state now: received, closed, resolved, completion/resolution/on-time/satisfaction rates, overdue, supervised … with the previous period (环比) and the same period a year earlier (同比). Definitions: zongzhi_core::metrics. A unit outside the caller's scope is 404.",
    responses((status = 200, description = "Summary", body = SummaryView),
        (status = 401, description = "Not signed in", body = crate::error::Problem),
        (status = 403, description = "Forbidden", body = crate::error::Problem),
        (status = 404, description = "Unknown org unit or outside scope", body = crate::error::Problem),
        (status = 422, description = "invalid_period, unsupported_filter, invalid_reference", body = crate::error::Problem)))]
pub async fn summary(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<SummaryView>> {
    let s = scoped(&state, &user, &q).await?;
    Ok(Json(stats::summary(&state, &s).await?))
}

/// Query of the trend.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct TrendQuery {
    /// `day`, `week` or `month`; default: days up to 62 days, weeks up to a year, else months.
    pub granularity: Option<String>,
    /// Org unit id; default: the caller's own unit.
    pub org_unit: Option<i64>,
    /// First day, `YYYY-MM-DD` (inclusive).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (inclusive).
    pub to: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Only this channel.
    pub channel: Option<String>,
}

/// The common part of a query with extra fields (serde's `flatten` cannot parse numbers
/// from a query string).
macro_rules! common {
    ($q:expr) => {
        StatsQuery {
            org_unit: $q.org_unit,
            from: $q.from.clone(),
            to: $q.to.clone(),
            category: $q.category.clone(),
            channel: $q.channel.clone(),
        }
    };
}

/// `GET /api/v1/stats/trend`
#[utoipa::path(get, path = "/api/v1/stats/trend", tag = "stats", params(TrendQuery),
    description = "The period in zero-filled buckets (day, Monday-based week or month; a bucket starts no earlier than the period), each with every figure of the summary.",
    responses((status = 200, description = "Trend", body = TrendView),
        (status = 403, description = "Forbidden", body = crate::error::Problem),
        (status = 404, description = "Unknown org unit or outside scope", body = crate::error::Problem),
        (status = 422, description = "Bad period or granularity", body = crate::error::Problem)))]
pub async fn trend(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<TrendQuery>,
) -> ApiResult<Json<TrendView>> {
    let g = match q
        .granularity
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some("day") => Some(Granularity::Day),
        Some("week") => Some(Granularity::Week),
        Some("month") => Some(Granularity::Month),
        Some(_) => {
            return Err(ApiError::field(
                "granularity",
                "invalid_granularity",
                "粒度须为 day、week 或 month",
            ));
        }
    };
    let s = scoped(&state, &user, &common!(q)).await?;
    Ok(Json(stats::trend(&state, &s, g).await?))
}

/// Query of a breakdown.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct BreakdownQuery {
    /// `category` (first level; with `category=` given, its second-level children),
    /// `channel` or `department`.
    pub dim: Option<String>,
    /// Org unit id; default: the caller's own unit.
    pub org_unit: Option<i64>,
    /// First day, `YYYY-MM-DD` (inclusive).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (inclusive).
    pub to: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Only this channel.
    pub channel: Option<String>,
}

/// `GET /api/v1/stats/breakdown`
#[utoipa::path(get, path = "/api/v1/stats/breakdown", tag = "stats", params(BreakdownQuery),
    description = "The period's figures by category, channel or lead department, largest 受理量 first.",
    responses((status = 200, description = "Breakdown", body = BreakdownView),
        (status = 403, description = "Forbidden", body = crate::error::Problem),
        (status = 404, description = "Unknown org unit or outside scope", body = crate::error::Problem),
        (status = 422, description = "Bad dim or period", body = crate::error::Problem)))]
pub async fn breakdown(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<BreakdownQuery>,
) -> ApiResult<Json<BreakdownView>> {
    let dim = match q.dim.as_deref().map(str::trim) {
        Some("category") | None | Some("") => RollupDim::Category,
        Some("channel") => RollupDim::Channel,
        Some("department") => RollupDim::Department,
        Some(_) => {
            return Err(ApiError::field(
                "dim",
                "invalid_dim",
                "维度须为 category、channel 或 department",
            ));
        }
    };
    let s = scoped(&state, &user, &common!(q)).await?;
    Ok(Json(stats::breakdown(&state, &s, dim).await?))
}

/// `GET /api/v1/stats/units`
#[utoipa::path(get, path = "/api/v1/stats/units", tag = "stats", params(StatsQuery),
    description = "Every unit directly below the org unit (zero rows included) with its figures: the drill-down (city → county → town → village → grid) and the unit ranking (考核).",
    responses((status = 200, description = "Child units", body = UnitsView),
        (status = 403, description = "Forbidden", body = crate::error::Problem),
        (status = 404, description = "Unknown org unit or outside scope", body = crate::error::Problem),
        (status = 422, description = "Bad period", body = crate::error::Problem)))]
pub async fn units(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<UnitsView>> {
    let s = scoped(&state, &user, &q).await?;
    Ok(Json(stats::units(&state, &s).await?))
}

/// `GET /api/v1/stats/departments`
#[utoipa::path(get, path = "/api/v1/stats/departments", tag = "stats", params(StatsQuery),
    description = "Every department under the org unit with the figures of the cases it leads (located in the unit's subtree): the department ranking (考核). A department handler sees only their own department.",
    responses((status = 200, description = "Departments", body = DepartmentsView),
        (status = 403, description = "Forbidden", body = crate::error::Problem),
        (status = 404, description = "Unknown org unit or outside scope", body = crate::error::Problem),
        (status = 422, description = "Bad period", body = crate::error::Problem)))]
pub async fn departments(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<DepartmentsView>> {
    let s = scoped(&state, &user, &q).await?;
    Ok(Json(stats::departments(&state, &s).await?))
}

/// `GET /api/v1/stats/map`
#[utoipa::path(get, path = "/api/v1/stats/map", tag = "stats", params(StatsQuery),
    description = "The polygons (GeoJSON) of the lowest level under the org unit that has them — normally grids — with 受理量/在办/超期 per polygon for the heat layer, and the cases with coordinates (newest first, at most 2,000).",
    responses((status = 200, description = "Map data", body = MapView),
        (status = 403, description = "Forbidden", body = crate::error::Problem),
        (status = 404, description = "Unknown org unit or outside scope", body = crate::error::Problem),
        (status = 422, description = "Bad period", body = crate::error::Problem)))]
pub async fn map(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<MapView>> {
    let s = scoped(&state, &user, &q).await?;
    Ok(Json(stats::map(&state, &s).await?))
}
