//! 总图 (`/stats`): KPI cards with 环比/同比, the trend, breakdowns by category and channel,
//! and the child units' table for drilling down city → county → town → village.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use zongzhi_core::metrics::Metric;
use zongzhi_core::role::Permission;

use super::params::{Selection, StatsQuery};
use super::picker::{Offers, Picker};
use super::source::{self, Child, Dim, Keyed, Summary};
use super::view::{self, Cell, Delta, Fig, KPIS};
use super::{Crumb, Tab, breadcrumbs, tabs_for};
use crate::auth::CurrentUser;
use crate::console::{ConsoleResult, Layout, render};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::stats::Figures;

/// A part of a KPI (a rate's numerator or denominator).
pub(super) struct Part {
    /// `办结`.
    pub label: &'static str,
    /// The count, linked.
    pub cell: Cell,
}

/// A KPI card.
pub(super) struct Kpi {
    /// Stable key (`data-kpi`).
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
    /// The figure, linked to its cases.
    pub cell: Cell,
    /// Unit after the number.
    pub unit: &'static str,
    /// Numerator and denominator (rates, averages).
    pub parts: Vec<Part>,
    /// 环比.
    pub mom: Delta,
    /// 同比.
    pub yoy: Delta,
}

/// A table column: label and figure.
pub(super) const COLUMNS: [Fig; 9] = [
    view::RECEIVED,
    view::CLOSED,
    view::COMPLETION,
    view::RESOLUTION,
    view::ON_TIME,
    view::SATISFACTION,
    view::OVERDUE,
    view::SUPERVISED,
    view::AVG_CLOSE,
];

/// The columns of the breakdown tables.
const BREAK_COLUMNS: [Fig; 4] = [
    view::RECEIVED,
    view::COMPLETION,
    view::RESOLUTION,
    view::OVERDUE,
];

/// Why a department handler sees no breakdown.
const DEPARTMENT_ONLY: &str = "部门工作人员的统计只含本部门牵头办理的事件，不按分类和渠道细分";

/// Breakdown rows shown before the rest is folded away.
const SHOWN: usize = 10;

/// A row of a figures table.
pub(super) struct Row {
    /// Key (unit id, category code, channel).
    pub key: String,
    /// Name.
    pub name: String,
    /// Link on the name (drill down), if any.
    pub href: Option<String>,
    /// A unit with no units below it.
    pub leaf: bool,
    /// The figures, linked.
    pub cells: Vec<Cell>,
}

/// A breakdown card.
pub(super) struct Breakdown {
    /// `category` or `channel`.
    pub key: &'static str,
    /// Card title.
    pub title: String,
    /// Rows with cases, most first (the first [`SHOWN`]).
    pub rows: Vec<Row>,
    /// The rest, folded away.
    pub more: Vec<Row>,
    /// Why there is none (filtered out).
    pub note: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "stats/overview.html")]
struct OverviewPage {
    layout: Layout,
    tabs: Vec<Tab>,
    picker: Picker,
    crumbs: Vec<Crumb>,
    unit_name: String,
    period_text: String,
    compare_text: String,
    kpis: Vec<Kpi>,
    columns: Vec<&'static str>,
    units: Vec<Row>,
    units_total: Option<Row>,
    breakdowns: Vec<Breakdown>,
    chart_json: String,
    shown: bool,
    /// Links to request the reports and the ledger of this unit (`ExportCases` only).
    exports: Vec<(String, &'static str)>,
}

fn kpi(fig: &Fig, s: &Summary, sel: &Selection) -> Kpi {
    let under = s.unit.id;
    let parts = match fig.kind {
        view::Kind::Rate(n, d, _) => vec![(n, n.label_zh()), (d, d.label_zh())],
        view::Kind::AvgDays(m, _) => vec![(m, m.label_zh())],
        view::Kind::Count(_) => Vec::new(),
    };
    Kpi {
        key: fig.key,
        label: fig.label,
        cell: fig.cell(&s.now, sel, under, &[]),
        unit: if fig.value(&s.now).is_some() {
            fig.unit()
        } else {
            ""
        },
        parts: parts
            .into_iter()
            .map(|(m, label)| Part {
                label,
                cell: view::Fig {
                    key: m.as_str(),
                    label,
                    kind: view::Kind::Count(m),
                    up_is_good: None,
                }
                .cell(&s.now, sel, under, &[]),
            })
            .collect(),
        mom: view::delta(fig, &s.now, &s.previous.1, &s.previous.0, "环比"),
        yoy: view::delta(fig, &s.now, &s.year_ago.1, &s.year_ago.0, "同比"),
    }
}

/// A table row of `counters` in `columns` for unit `under` (`extra`: the row's own filter).
#[allow(clippy::too_many_arguments)]
pub(super) fn row(
    columns: &[Fig],
    key: String,
    name: String,
    href: Option<String>,
    counters: &Figures,
    sel: &Selection,
    under: i64,
    extra: &[(&'static str, String)],
) -> Row {
    Row {
        key,
        name,
        href,
        leaf: false,
        cells: columns
            .iter()
            .map(|f| f.cell(counters, sel, under, extra))
            .collect(),
    }
}

fn breakdown(
    key: &'static str,
    title: &str,
    rows: Result<Vec<Keyed>, &'static str>,
    sel: &Selection,
    under: i64,
) -> Breakdown {
    let rows = match rows {
        Ok(rows) => rows,
        Err(note) => {
            return Breakdown {
                key,
                title: title.to_owned(),
                rows: Vec::new(),
                more: Vec::new(),
                note: Some(note),
            };
        }
    };
    let mut rows: Vec<Row> = rows
        .iter()
        .filter(|r| r.counters.received > 0)
        .map(|r| {
            row(
                &BREAK_COLUMNS,
                r.key.clone(),
                r.label.clone(),
                None,
                &r.counters,
                sel,
                under,
                &[(key, r.key.clone())],
            )
        })
        .collect();
    let more = rows.split_off(rows.len().min(SHOWN));
    Breakdown {
        key,
        title: title.to_owned(),
        rows,
        more,
        note: None,
    }
}

/// The charts' data: trend series and the breakdowns, each point with its cases' link.
fn chart_data(
    trend: &source::Trend,
    sel: &Selection,
    under: i64,
    cats: &[Keyed],
    chans: &[Keyed],
) -> serde_json::Value {
    let ends: Vec<String> = trend
        .points
        .iter()
        .skip(1)
        .map(|p| p.start.pred_opt().unwrap_or(p.start).to_string())
        .chain(sel.period.map(|p| p.to.to_string()))
        .collect();
    let link = |from: &str, to: &str, m: Metric| {
        sel.cases_href(
            under,
            m,
            &[("from", from.to_owned()), ("to", to.to_owned())],
        )
    };
    let series = |m: Metric| -> Vec<serde_json::Value> {
        trend
            .points
            .iter()
            .zip(&ends)
            .map(|(p, end)| {
                json!({
                    "value": view::count(&p.counters, m),
                    "href": link(&p.start.to_string(), end, m),
                })
            })
            .collect()
    };
    let bars = |dim: &'static str, rows: &[Keyed]| -> Vec<serde_json::Value> {
        rows.iter()
            .filter(|r| r.counters.received > 0)
            .map(|r| {
                json!({
                    "name": r.label,
                    "value": r.counters.received,
                    "href": sel.cases_href(under, Metric::Received, &[(dim, r.key.clone())]),
                })
            })
            .collect()
    };
    json!({
        "granularity": trend.granularity,
        "labels": trend.points.iter().map(|p| p.label.clone()).collect::<Vec<_>>(),
        "received": series(Metric::Received),
        "closed": series(Metric::Closed),
        "overdue": series(Metric::Overdue),
        "category": bars("category", cats),
        "channel": bars("channel", chans),
    })
}

/// JSON for a `<script type="application/json">` block: `<`, `>` and `&` escaped so the
/// text can never close the element.
pub(super) fn script_json(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn child_row(c: &Child, sel: &Selection) -> Row {
    let mut r = row(
        &COLUMNS,
        c.unit.id.to_string(),
        c.unit.name.clone(),
        Some(sel.page_href("/stats", Some(c.unit.id), &[])),
        &c.counters,
        sel,
        c.unit.id,
        &[],
    );
    r.leaf = !c.has_children;
    r
}

/// `GET /stats`
pub(super) async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    q: Result<ApiQuery<StatsQuery>, ApiError>,
) -> ConsoleResult {
    user.require(Permission::ReadStats)?;
    let ApiQuery(q) = q?;
    let sel = Selection::resolve(&state, &user, &q).await?;
    let offers = Offers {
        category: sel.lead_department.is_none(),
        channel: sel.lead_department.is_none(),
    };
    let picker = Picker::new(&state, "/stats", &sel, offers, &[]).await?;
    let mut p = OverviewPage {
        layout: Layout::new(&user, "统计总图", "stats"),
        tabs: tabs_for("overview", &sel),
        picker,
        crumbs: Vec::new(),
        unit_name: user.account.org_unit_name.clone(),
        period_text: String::new(),
        compare_text: String::new(),
        kpis: Vec::new(),
        columns: COLUMNS.iter().map(|f| f.label).collect(),
        units: Vec::new(),
        units_total: None,
        breakdowns: Vec::new(),
        chart_json: "{}".to_owned(),
        shown: false,
        exports: Vec::new(),
    };
    let Some(period) = sel.period.filter(|_| sel.is_valid()) else {
        let mut res = render(&p);
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    };
    let scope = source::resolve(&state, &user, &sel).await?;
    let summary = source::summary(&state, &scope).await?;
    let under = summary.unit.id;
    let (unit, children) = source::units(&state, &scope).await?;
    let trend = source::trend(&state, &scope).await?;
    // The rollups slice one dimension at a time: a channel filter has no category
    // breakdown and the other way round; a department handler's figures are their
    // department's slice, not broken down further.
    let other = "已按其他维度筛选，此项不可用";
    let cats = if sel.lead_department.is_some() {
        Err(DEPARTMENT_ONLY)
    } else if sel.channel.is_empty() {
        Ok(source::breakdown(&state, &scope, Dim::Category).await?)
    } else {
        Err(other)
    };
    let chans = if sel.lead_department.is_some() {
        Err(DEPARTMENT_ONLY)
    } else if sel.category.is_empty() {
        Ok(source::breakdown(&state, &scope, Dim::Channel).await?)
    } else {
        Err(other)
    };
    p.crumbs = breadcrumbs(&state, &user, &sel, "/stats", under, &[]).await?;
    p.unit_name = unit.name.clone();
    p.period_text = format!("{} 至 {}（{} 天）", period.from, period.to, period.days());
    p.compare_text = format!(
        "环比 {} 至 {}；同比 {} 至 {}",
        summary.previous.0.from,
        summary.previous.0.to,
        summary.year_ago.0.from,
        summary.year_ago.0.to
    );
    p.kpis = KPIS.iter().map(|f| kpi(f, &summary, &sel)).collect();
    p.units = children.iter().map(|c| child_row(c, &sel)).collect();
    if !children.is_empty() {
        p.units_total = Some(row(
            &COLUMNS,
            unit.id.to_string(),
            format!("{}合计", unit.name),
            None,
            &summary.now,
            &sel,
            under,
            &[],
        ));
    }
    let cat_title = if sel.category.is_empty() {
        "事件分类".to_owned()
    } else {
        "下级分类".to_owned()
    };
    p.chart_json = script_json(&chart_data(
        &trend,
        &sel,
        under,
        cats.as_deref().unwrap_or_default(),
        chans.as_deref().unwrap_or_default(),
    ));
    p.breakdowns = vec![
        breakdown("category", &cat_title, cats, &sel, under),
        breakdown("channel", "来源渠道", chans, &sel, under),
    ];
    if user.can(zongzhi_core::role::Permission::ExportCases) {
        let to = period.to;
        p.exports = [
            ("daily", "xlsx", "日报"),
            ("weekly", "pdf", "周研判"),
            ("monthly", "pdf", "月调度"),
            ("ledger", "xlsx", "矛盾纠纷排查化解台账"),
        ]
        .into_iter()
        .map(|(kind, format, label)| {
            let to = if kind == "ledger" {
                String::new()
            } else {
                to.to_string()
            };
            (
                format!("/exports?kind={kind}&format={format}&org_unit={under}&to={to}"),
                label,
            )
        })
        .collect();
    }
    p.shown = true;
    Ok(render(&p))
}
