//! 地图 (`/stats/map`): the grid polygons coloured by 受理量 with the cases as points, drawn
//! by `static/map.js` from `/api/v1/stats/map` (no internet tiles). The page itself renders
//! the areas with the most cases as a table, so the numbers show without JavaScript.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use zongzhi_core::metrics::Metric;
use zongzhi_core::org::OrgLevel;
use zongzhi_core::role::Permission;
use zongzhi_store::{MAX_PAGE, OrgUnit, OrgUnitFilter};

use super::overview::script_json;
use super::params::{Selection, StatsQuery};
use super::picker::{Offers, Picker};
use super::source::{self, Area};
use super::view::thousands;
use super::{Crumb, Tab, breadcrumbs, tabs_for};
use crate::auth::{CurrentUser, SessionCtx};
use crate::console::admin::href;
use crate::console::{ConsoleError, ConsoleResult, Layout, render};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;

/// Areas listed under the map.
const TOP: usize = 10;

/// A row of the list under the map.
pub(super) struct AreaRow {
    /// Unit id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// 受理量, linked.
    pub received: String,
    /// Its cases.
    pub received_href: String,
    /// 在办.
    pub open: String,
    /// Open cases.
    pub open_href: String,
    /// 超期.
    pub overdue: String,
    /// Overdue cases.
    pub overdue_href: String,
}

#[derive(Template)]
#[template(path = "stats/map.html")]
struct MapPage {
    layout: Layout,
    tabs: Vec<Tab>,
    picker: Picker,
    crumbs: Vec<Crumb>,
    unit_name: String,
    period_text: String,
    api: String,
    cases_base: String,
    areas: usize,
    with_cases: usize,
    top: Vec<AreaRow>,
    names_json: String,
    shown: bool,
}

/// Every unit of `level` under `under` in the caller's scope, page by page.
async fn units_at(
    state: &AppState,
    ctx: &SessionCtx,
    under: i64,
    level: OrgLevel,
) -> Result<Vec<OrgUnit>, ConsoleError> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let f = OrgUnitFilter {
            under: Some(under),
            level: Some(level),
            cursor,
            limit: Some(MAX_PAGE),
            ..Default::default()
        };
        let page = state.store.list_org_units(&ctx.scope(), &f).await?;
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

/// How many levels of ancestors name an area (`望江街道 新华社区 第1网格`).
const NAME_DEPTH: usize = 2;

/// Names that say where an area is: up to two ancestors below the unit shown, then its own
/// name (`望江街道 新华社区 第1网格` on the city's map, `第1网格` on a village's), since grid
/// and village names repeat across the tree.
async fn full_names(
    state: &AppState,
    ctx: &SessionCtx,
    shown: (i64, OrgLevel),
    level: OrgLevel,
) -> Result<HashMap<i64, String>, ConsoleError> {
    let (under, shown_level) = shown;
    let at = |l: OrgLevel| OrgLevel::ALL.iter().position(|x| *x == l).unwrap_or(0);
    let top = (at(shown_level) + 1).max(at(level).saturating_sub(NAME_DEPTH));
    // (id → (parent id, name)) of every unit from `top` down to the areas' level.
    let mut units: HashMap<i64, (Option<i64>, String)> = HashMap::new();
    let mut areas = Vec::new();
    for l in OrgLevel::ALL.iter().take(at(level) + 1).skip(top) {
        for u in units_at(state, ctx, under, *l).await? {
            if *l == level {
                areas.push(u.id);
            }
            units.insert(u.id, (u.parent_id, u.name));
        }
    }
    Ok(areas
        .into_iter()
        .map(|id| {
            let mut parts = Vec::new();
            let mut next = Some(id);
            while let Some((parent, name)) = next.and_then(|i| units.get(&i)) {
                parts.push(name.as_str());
                next = *parent;
            }
            parts.reverse();
            (id, parts.join(" "))
        })
        .collect())
}

fn area_row(a: &Area, sel: &Selection) -> AreaRow {
    AreaRow {
        id: a.id,
        name: a.name.clone(),
        received: thousands(a.received),
        received_href: sel.cases_href(a.id, Metric::Received, &[]),
        open: thousands(a.open),
        open_href: sel.cases_href(a.id, Metric::Open, &[]),
        overdue: thousands(a.overdue),
        overdue_href: sel.cases_href(a.id, Metric::Overdue, &[]),
    }
}

/// `GET /stats/map`
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
        channel: false,
    };
    let picker = Picker::new(&state, "/stats/map", &sel, offers, &[]).await?;
    let mut p = MapPage {
        layout: Layout::new(&user, "统计地图", "stats-map"),
        tabs: tabs_for("map", &sel),
        picker,
        crumbs: Vec::new(),
        unit_name: user.account.org_unit_name.clone(),
        period_text: String::new(),
        api: String::new(),
        cases_base: String::new(),
        areas: 0,
        with_cases: 0,
        top: Vec::new(),
        names_json: "{}".to_owned(),
        shown: false,
    };
    let Some(period) = sel.period.filter(|_| sel.is_valid()) else {
        let mut res = render(&p);
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    };
    let scope = source::resolve(&state, &user, &sel).await?;
    let unit = scope.unit.clone();
    let (level, mut areas) = source::areas(&state, &scope).await?;
    let names = full_names(&state, &user, (unit.id, unit.level), level).await?;
    for a in &mut areas {
        if let Some(n) = names.get(&a.id) {
            a.name.clone_from(n);
        }
    }
    let by_id: BTreeMap<String, &String> = names.iter().map(|(k, v)| (k.to_string(), v)).collect();
    p.names_json = script_json(&serde_json::json!(by_id));
    p.crumbs = breadcrumbs(&state, &user, &sel, "/stats/map", unit.id, &[]).await?;
    p.unit_name = unit.name.clone();
    p.period_text = format!("{} 至 {}", period.from, period.to);
    let (from, to) = (period.from.to_string(), period.to.to_string());
    p.api = href(
        "/api/v1/stats/map",
        &[
            ("org_unit", &unit.id.to_string()),
            ("from", &from),
            ("to", &to),
            ("category", &sel.category),
        ],
    );
    // The grid's id is appended as `under` by map.js.
    p.cases_base = href(
        "/cases",
        &[
            ("from", &from),
            ("to", &to),
            ("metric", Metric::Received.as_str()),
            ("category", &sel.category),
        ],
    );
    p.areas = areas.len();
    p.with_cases = areas.iter().filter(|a| a.received > 0).count();
    areas.sort_by(|a, b| b.received.cmp(&a.received).then(a.id.cmp(&b.id)));
    p.top = areas
        .iter()
        .filter(|a| a.received > 0)
        .take(TOP)
        .map(|a| area_row(a, &sel))
        .collect();
    p.shown = true;
    Ok(render(&p))
}
