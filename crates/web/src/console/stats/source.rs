//! Where the pages get their figures: the stats service (`crate::stats`), the same functions
//! the JSON API calls, so the console shows exactly the API's numbers in the caller's scope.
//! This module only turns the page's [`Selection`] into the service's query and its answers
//! into the small shapes the templates need.

use chrono::NaiveDate;
use zongzhi_core::metrics::Period;
use zongzhi_core::metrics::rollup::RollupDim;
use zongzhi_core::org::OrgLevel;

use super::params::Selection;
use crate::auth::SessionCtx;
use crate::console::ConsoleError;
use crate::error::ApiError;
use crate::state::AppState;
use crate::stats::{self, Figures, StatsQuery, StatsScope};

/// A unit as the pages name it.
#[derive(Debug, Clone)]
pub(super) struct UnitRef {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Tier.
    pub level: OrgLevel,
}

/// 总图 totals with 环比 and 同比.
#[derive(Debug, Clone)]
pub(super) struct Summary {
    /// The unit.
    pub unit: UnitRef,
    /// This period.
    pub now: Figures,
    /// 环比 period and figures.
    pub previous: (Period, Figures),
    /// 同比 period and figures.
    pub year_ago: (Period, Figures),
}

/// One point of the trend.
#[derive(Debug, Clone)]
pub(super) struct Point {
    /// First day of the bucket.
    pub start: NaiveDate,
    /// Axis label.
    pub label: String,
    /// Figures.
    pub counters: Figures,
}

/// The trend: granularity (`day`, `week`, `month`) and zero-filled points.
#[derive(Debug, Clone)]
pub(super) struct Trend {
    /// `day`, `week` or `month`.
    pub granularity: String,
    /// Points, oldest first.
    pub points: Vec<Point>,
}

/// One row of a breakdown by category or channel.
#[derive(Debug, Clone)]
pub(super) struct Keyed {
    /// Category code or channel.
    pub key: String,
    /// Chinese label.
    pub label: String,
    /// Figures.
    pub counters: Figures,
}

/// One child unit.
#[derive(Debug, Clone)]
pub(super) struct Child {
    /// The unit.
    pub unit: UnitRef,
    /// Whether it has units below it.
    pub has_children: bool,
    /// Figures.
    pub counters: Figures,
}

/// One department.
#[derive(Debug, Clone)]
pub(super) struct Dept {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// The unit it belongs to.
    pub unit_name: String,
    /// Figures.
    pub counters: Figures,
}

/// A map area (grid) with its counts.
#[derive(Debug, Clone)]
pub(super) struct Area {
    /// Unit id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// 受理量.
    pub received: i64,
    /// 在办.
    pub open: i64,
    /// 超期.
    pub overdue: i64,
}

/// A breakdown dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dim {
    /// By category (first level; a category filter's children).
    Category,
    /// By channel.
    Channel,
}

fn unit_ref(u: &stats::UnitRef) -> UnitRef {
    UnitRef {
        id: u.id,
        name: u.name.clone(),
        level: OrgLevel::parse(&u.level).unwrap_or(OrgLevel::Grid),
    }
}

fn day(s: &str) -> Result<NaiveDate, ConsoleError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| ApiError::internal(&"a malformed date from the stats service").into())
}

fn period(from: &str, to: &str) -> Result<Period, ConsoleError> {
    Period::new(day(from)?, day(to)?)
        .map_err(|_| ApiError::internal(&"a malformed date from the stats service").into())
}

/// The service's read for the page's selection (checked by the page already): the unit in
/// the caller's scope (404 otherwise), the period and the slice.
pub(super) async fn resolve(
    state: &AppState,
    ctx: &SessionCtx,
    sel: &Selection,
) -> Result<StatsScope, ConsoleError> {
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let q = StatsQuery {
        org_unit: sel.org_unit,
        from: sel.period.map(|p| p.from.to_string()),
        to: sel.period.map(|p| p.to.to_string()),
        category: nonempty(&sel.category),
        channel: nonempty(&sel.channel),
    };
    Ok(stats::resolve(state, &ctx.scope(), &q).await?)
}

/// 总图 totals with 环比 and 同比.
pub(super) async fn summary(state: &AppState, s: &StatsScope) -> Result<Summary, ConsoleError> {
    let v = stats::summary(state, s).await?;
    Ok(Summary {
        unit: unit_ref(&v.org_unit),
        now: v.figures,
        previous: (
            period(&v.previous.from, &v.previous.to)?,
            v.previous.figures,
        ),
        year_ago: (
            period(&v.year_ago.from, &v.year_ago.to)?,
            v.year_ago.figures,
        ),
    })
}

/// The trend over the period (the service's default granularity).
pub(super) async fn trend(state: &AppState, s: &StatsScope) -> Result<Trend, ConsoleError> {
    let v = stats::trend(state, s, None).await?;
    Ok(Trend {
        granularity: v.granularity,
        points: v
            .points
            .into_iter()
            .map(|p| {
                Ok(Point {
                    start: day(&p.start)?,
                    label: p.label,
                    counters: p.figures,
                })
            })
            .collect::<Result<_, ConsoleError>>()?,
    })
}

/// A breakdown by category (first level; a category filter's children) or channel.
pub(super) async fn breakdown(
    state: &AppState,
    s: &StatsScope,
    dim: Dim,
) -> Result<Vec<Keyed>, ConsoleError> {
    let dim = match dim {
        Dim::Category => RollupDim::Category,
        Dim::Channel => RollupDim::Channel,
    };
    Ok(stats::breakdown(state, s, dim)
        .await?
        .rows
        .into_iter()
        .map(|r| Keyed {
            key: r.key,
            label: r.label,
            counters: r.figures,
        })
        .collect())
}

/// The unit shown and its children (every child, zero rows included).
pub(super) async fn units(
    state: &AppState,
    s: &StatsScope,
) -> Result<(UnitRef, Vec<Child>), ConsoleError> {
    let v = stats::units(state, s).await?;
    Ok((
        unit_ref(&v.parent),
        v.rows
            .iter()
            .map(|r| Child {
                unit: unit_ref(&r.org_unit),
                has_children: r.has_children,
                counters: r.figures,
            })
            .collect(),
    ))
}

/// Departments under the unit.
pub(super) async fn departments(
    state: &AppState,
    s: &StatsScope,
) -> Result<Vec<Dept>, ConsoleError> {
    Ok(stats::departments(state, s)
        .await?
        .rows
        .into_iter()
        .map(|r| Dept {
            id: r.department.id,
            name: r.department.name,
            unit_name: r.department.org_unit_name,
            counters: r.figures,
        })
        .collect())
}

/// The map's areas (the lowest level with boundaries under the unit) and their level.
pub(super) async fn areas(
    state: &AppState,
    s: &StatsScope,
) -> Result<(OrgLevel, Vec<Area>), ConsoleError> {
    let v = stats::map(state, s).await?;
    let level = OrgLevel::parse(&v.level).unwrap_or(OrgLevel::Grid);
    let features = v.units["features"].as_array().cloned().unwrap_or_default();
    let n = |p: &serde_json::Value, k: &str| p[k].as_i64().unwrap_or(0);
    Ok((
        level,
        features
            .iter()
            .map(|f| &f["properties"])
            .map(|p| Area {
                id: n(p, "id"),
                name: p["name"].as_str().unwrap_or_default().to_owned(),
                received: n(p, "received"),
                open: n(p, "open"),
                overdue: n(p, "overdue"),
            })
            .collect(),
    ))
}
