//! The statistics reads over the rollups (see the module docs of [`super`]).

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, Days, NaiveDate};
use zongzhi_core::case::Channel;
use zongzhi_core::metrics::Counters;
use zongzhi_core::metrics::rollup::RollupDim;
use zongzhi_core::org::OrgLevel;
use zongzhi_store::{
    CaseFilter, DepartmentFilter, MAX_PAGE, OrgUnit, OrgUnitFilter, RollupGroup, RollupQuery,
    RollupRow,
};

use super::query::StatsScope;
use super::views::{
    BreakdownRow, BreakdownView, DepartmentRef, DepartmentRow, DepartmentsView, Figures, MapPoint,
    MapView, PeriodFigures, SummaryView, TrendPoint, TrendView, UnitRef, UnitRow, UnitsView,
};
use crate::error::ApiResult;
use crate::state::AppState;

/// Most points a map gets.
const MAX_POINTS: i64 = 2_000;

/// Trend buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// One point a day.
    Day,
    /// Monday-based weeks.
    Week,
    /// Calendar months.
    Month,
}

impl Granularity {
    /// The default for a period of `days`: days up to two months, weeks up to a year.
    pub fn for_days(days: i64) -> Self {
        match days {
            ..=62 => Self::Day,
            63..=366 => Self::Week,
            _ => Self::Month,
        }
    }

    /// Stable identifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    /// The first day of `d`'s bucket.
    fn bucket(self, d: NaiveDate) -> NaiveDate {
        match self {
            Self::Day => d,
            Self::Week => d
                .checked_sub_days(Days::new(u64::from(d.weekday().num_days_from_monday())))
                .unwrap_or(d),
            Self::Month => d.with_day(1).unwrap_or(d),
        }
    }
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The rollup rows of `s`'s unit, slice and period, grouped as asked.
async fn rows(
    state: &AppState,
    s: &StatsScope,
    dim: RollupDim,
    value: Option<String>,
    group: RollupGroup,
) -> ApiResult<Vec<RollupRow>> {
    let q = RollupQuery {
        unit_path: s.unit.path.clone(),
        dim,
        value,
        from: s.period.from,
        to: s.period.to,
        group,
    };
    Ok(state.store.query_rollups(&s.scope, &q).await?)
}

/// The period's counters for the unit and slice.
pub async fn total(state: &AppState, s: &StatsScope) -> ApiResult<Counters> {
    let r = rows(state, s, s.dim, s.value.clone(), RollupGroup::Total).await?;
    Ok(r.into_iter().map(|r| r.counters).sum())
}

/// KPIs with 环比 and 同比.
pub async fn summary(state: &AppState, s: &StatsScope) -> ApiResult<SummaryView> {
    let now = total(state, s).await?;
    let compare = |p: zongzhi_core::metrics::Period| async move {
        let c = total(state, &s.with_period(p)).await?;
        ApiResult::Ok(PeriodFigures {
            from: day(p.from),
            to: day(p.to),
            figures: c.into(),
        })
    };
    Ok(SummaryView {
        org_unit: UnitRef::from(&s.unit),
        from: day(s.period.from),
        to: day(s.period.to),
        figures: now.into(),
        previous: compare(s.period.previous()).await?,
        year_ago: compare(s.period.year_ago()).await?,
    })
}

/// The period in zero-filled buckets.
pub async fn trend(
    state: &AppState,
    s: &StatsScope,
    granularity: Option<Granularity>,
) -> ApiResult<TrendView> {
    let g = granularity.unwrap_or(Granularity::for_days(s.period.days()));
    let bucket = |d: NaiveDate| g.bucket(d).max(s.period.from);
    let mut points: BTreeMap<NaiveDate, Counters> = BTreeMap::new();
    for d in s.period.iter_days() {
        points.entry(bucket(d)).or_default();
    }
    for r in rows(state, s, s.dim, s.value.clone(), RollupGroup::Day).await? {
        if let Ok(d) = NaiveDate::parse_from_str(&r.key, "%Y-%m-%d") {
            let e = points.entry(bucket(d)).or_default();
            *e = e.plus(&r.counters);
        }
    }
    Ok(TrendView {
        granularity: g.as_str().to_owned(),
        points: points
            .into_iter()
            .map(|(start, c)| TrendPoint {
                start: day(start),
                label: match g {
                    Granularity::Month => start.format("%Y-%m").to_string(),
                    _ => start.format("%m-%d").to_string(),
                },
                figures: c.into(),
            })
            .collect(),
    })
}

/// By category (first level, or a filtered first-level code's children), channel or
/// department, largest first.
pub async fn breakdown(
    state: &AppState,
    s: &StatsScope,
    dim: RollupDim,
) -> ApiResult<BreakdownView> {
    // A slice filter of the same dimension narrows the breakdown; another dimension's
    // filter cannot be crossed with it in the rollups, so it is ignored here.
    let value = (s.dim == dim).then(|| s.value.clone()).flatten();
    let group_children = dim == RollupDim::Category && value.is_some();
    let mut by: BTreeMap<String, Counters> = BTreeMap::new();
    for r in rows(state, s, dim, value, RollupGroup::Value).await? {
        let key = match dim {
            RollupDim::Category if !group_children => {
                r.key.split('-').next().unwrap_or_default().to_owned()
            }
            _ => r.key,
        };
        let e = by.entry(key).or_default();
        *e = e.plus(&r.counters);
    }
    let labels = labels(state, s, dim).await?;
    let mut out: Vec<BreakdownRow> = by
        .into_iter()
        .map(|(key, c)| BreakdownRow {
            label: labels.get(&key).cloned().unwrap_or_else(|| key.clone()),
            key,
            figures: c.into(),
        })
        .collect();
    out.sort_by(|a, b| {
        b.figures
            .received
            .cmp(&a.figures.received)
            .then(a.key.cmp(&b.key))
    });
    Ok(BreakdownView {
        dim: dim.as_str().to_owned(),
        rows: out,
    })
}

/// Chinese labels of a dimension's values.
async fn labels(
    state: &AppState,
    s: &StatsScope,
    dim: RollupDim,
) -> ApiResult<BTreeMap<String, String>> {
    Ok(match dim {
        RollupDim::All => BTreeMap::new(),
        RollupDim::Category => state
            .store
            .list_categories(true)
            .await?
            .into_iter()
            .map(|c| (c.code, c.name))
            .collect(),
        RollupDim::Channel => Channel::ALL
            .iter()
            .map(|c| (c.as_str().to_owned(), c.label_zh().to_owned()))
            .collect(),
        RollupDim::Department => departments_under(state, s)
            .await?
            .into_iter()
            .map(|d| (d.id.to_string(), d.name))
            .collect(),
    })
}

async fn departments_under(
    state: &AppState,
    s: &StatsScope,
) -> ApiResult<Vec<zongzhi_store::Department>> {
    let f = DepartmentFilter {
        under: Some(s.unit.id),
        limit: Some(MAX_PAGE),
        ..Default::default()
    };
    Ok(state.store.list_departments(&s.scope, &f).await?.items)
}

/// The units directly below `s.unit` in the caller's scope.
pub async fn child_units(state: &AppState, s: &StatsScope) -> ApiResult<Vec<OrgUnit>> {
    let f = OrgUnitFilter {
        parent_id: Some(s.unit.id),
        limit: Some(MAX_PAGE),
        ..Default::default()
    };
    Ok(state.store.list_org_units(&s.scope, &f).await?.items)
}

/// Every child unit with its figures (drill-down, unit ranking).
pub async fn units(state: &AppState, s: &StatsScope) -> ApiResult<UnitsView> {
    let kids = child_units(state, s).await?;
    let by: BTreeMap<String, Counters> =
        rows(state, s, s.dim, s.value.clone(), RollupGroup::Children)
            .await?
            .into_iter()
            .map(|r| (r.key, r.counters))
            .collect();
    // Which children have children of their own: one query for the next level down.
    let mut parents = HashSet::new();
    if let Some(next) = kids.first().and_then(|k| next_level(k.level)) {
        let f = OrgUnitFilter {
            under: Some(s.unit.id),
            level: Some(next),
            limit: Some(MAX_PAGE),
            ..Default::default()
        };
        for g in state.store.list_org_units(&s.scope, &f).await?.items {
            parents.extend(g.parent_id);
        }
    }
    Ok(UnitsView {
        parent: UnitRef::from(&s.unit),
        rows: kids
            .iter()
            .map(|k| UnitRow {
                org_unit: UnitRef::from(k),
                has_children: parents.contains(&k.id),
                figures: by.get(&k.path).copied().unwrap_or_default().into(),
            })
            .collect(),
    })
}

/// The tier below `level`.
fn next_level(level: OrgLevel) -> Option<OrgLevel> {
    OrgLevel::ALL
        .iter()
        .skip_while(|l| **l != level)
        .nth(1)
        .copied()
}

/// Every department under the unit with the figures of the cases it leads, by 受理量.
pub async fn departments(state: &AppState, s: &StatsScope) -> ApiResult<DepartmentsView> {
    let by: BTreeMap<String, Counters> = rows(
        state,
        s,
        RollupDim::Department,
        (s.dim == RollupDim::Department)
            .then(|| s.value.clone())
            .flatten(),
        RollupGroup::Value,
    )
    .await?
    .into_iter()
    .map(|r| (r.key, r.counters))
    .collect();
    let own = s.scope.department_id;
    let mut rows: Vec<DepartmentRow> = departments_under(state, s)
        .await?
        .into_iter()
        .filter(|d| own.is_none_or(|o| o == d.id))
        .map(|d| DepartmentRow {
            figures: by
                .get(&d.id.to_string())
                .copied()
                .unwrap_or_default()
                .into(),
            department: DepartmentRef {
                id: d.id,
                name: d.name,
                org_unit_name: d.org_unit_name,
            },
        })
        .collect();
    rows.sort_by_key(|r| std::cmp::Reverse(r.figures.received));
    Ok(DepartmentsView { rows })
}

/// The map: the lowest level with polygons under the unit (normally grids) with their
/// counts, and the cases with coordinates.
pub async fn map(state: &AppState, s: &StatsScope) -> ApiResult<MapView> {
    let mut level = s.unit.level;
    let mut areas: Vec<OrgUnit> = Vec::new();
    let mut l = Some(s.unit.level);
    while let Some(lv) = l {
        let f = OrgUnitFilter {
            under: Some(s.unit.id),
            level: Some(lv),
            limit: Some(MAX_PAGE),
            ..Default::default()
        };
        let found: Vec<OrgUnit> = state
            .store
            .list_org_units(&s.scope, &f)
            .await?
            .items
            .into_iter()
            .filter(|u| u.geojson.is_some())
            .collect();
        if !found.is_empty() {
            level = lv;
            areas = found;
        }
        l = next_level(lv);
    }
    let by: BTreeMap<String, Counters> =
        rows(state, s, s.dim, s.value.clone(), RollupGroup::Level(level))
            .await?
            .into_iter()
            .map(|r| (r.key, r.counters))
            .collect();
    let features: Vec<serde_json::Value> = areas
        .iter()
        .filter_map(|u| {
            let geometry: serde_json::Value = serde_json::from_str(u.geojson.as_deref()?).ok()?;
            // A stored Feature or a bare geometry.
            let geometry = geometry.get("geometry").cloned().unwrap_or(geometry);
            let c = by.get(&u.path).copied().unwrap_or_default();
            Some(serde_json::json!({
                "type": "Feature",
                "id": u.id,
                "properties": {
                    "id": u.id, "name": u.name, "level": u.level.as_str(),
                    "received": c.received, "open": c.open, "overdue": c.overdue,
                },
                "geometry": geometry,
            }))
        })
        .collect();
    let (from, to) = s.period.utc_range();
    let filter = CaseFilter {
        under: Some(s.unit.id),
        from: Some(from),
        to: Some(to),
        category: (s.dim == RollupDim::Category)
            .then(|| s.value.clone())
            .flatten(),
        channel: (s.dim == RollupDim::Channel)
            .then(|| s.value.as_deref().and_then(Channel::parse))
            .flatten(),
        lead_department_id: s.scope.department_id,
        metric: Some(zongzhi_core::metrics::Metric::Received),
        limit: Some(MAX_POINTS + 1),
        ..Default::default()
    };
    let mut pts = state.store.case_points(&s.scope, &filter).await?;
    let truncated = i64::try_from(pts.len()).unwrap_or(i64::MAX) > MAX_POINTS;
    pts.truncate(usize::try_from(MAX_POINTS).unwrap_or(0));
    Ok(MapView {
        level: level.as_str().to_owned(),
        units: serde_json::json!({ "type": "FeatureCollection", "features": features }),
        points: pts
            .into_iter()
            .map(|p| MapPoint {
                id: p.id,
                tracking_no: p.tracking_no,
                title: p.title,
                category_code: p.category_code,
                status: p.status.as_str().to_owned(),
                lat: p.lat,
                lng: p.lng,
            })
            .collect(),
        points_truncated: truncated,
    })
}

/// Figures as the views carry them (for callers building their own rows).
pub fn figures(c: Counters) -> Figures {
    c.into()
}
