//! 统计分析 pages: 总图 (`/stats`), 考核排名 (`/stats/rankings`), 地图 (`/stats/map`) and
//! 指标说明 (`/stats/help`).
//!
//! The handlers call the stats service (`crate::stats`, the same functions as
//! `/api/v1/stats/*`) through [`source`], so figures, scope and errors are the API's; the
//! KPI figures and tables are rendered on the server (numbers show without JavaScript) and
//! the charts (ECharts, `static/vendor/echarts/`, drawn by `static/stats.js` and
//! `static/map.js`) read their data from a `<script type="application/json">` block or the
//! JSON API, as the CSP allows no inline script. Every number links to the cases behind it
//! (`/cases?under=…&from=…&to=…&metric=…`).

mod help;
mod map;
mod overview;
mod params;
mod picker;
mod rankings;
mod source;
mod view;

use axum::Router;
use axum::routing::get;
use zongzhi_core::org::OrgLevel;
use zongzhi_store::StoreError;

use crate::auth::SessionCtx;
use crate::console::ConsoleError;
use crate::state::AppState;
use params::Selection;

/// 统计分析 routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/stats", get(overview::page))
        .route("/stats/rankings", get(rankings::page))
        .route("/stats/map", get(map::page))
        .route("/stats/help", get(help::page))
}

/// One tab of the 统计分析 pages.
pub(super) struct Tab {
    /// `overview`, `rankings`, `map`, `help`.
    pub key: &'static str,
    /// Chinese label.
    pub label: &'static str,
    /// Link (keeps the unit and period).
    pub href: String,
    /// The current page.
    pub active: bool,
}

const TABS: [(&str, &str, &str); 4] = [
    ("overview", "总图", "/stats"),
    ("rankings", "考核排名", "/stats/rankings"),
    ("map", "地图", "/stats/map"),
    ("help", "指标说明", "/stats/help"),
];

/// The tabs, `active` marked, plain links.
fn tabs(active: &str) -> Vec<Tab> {
    TABS.iter()
        .map(|(key, label, href)| Tab {
            key,
            label,
            href: (*href).to_owned(),
            active: *key == active,
        })
        .collect()
}

/// The tabs, linking with the unit, period and filters of `sel` (指标说明 stays plain).
fn tabs_for(active: &str, sel: &Selection) -> Vec<Tab> {
    let mut t = tabs(active);
    for tab in &mut t {
        if tab.key != "help" && sel.period.is_some() {
            tab.href = sel.page_href(&tab.href, sel.org_unit, &[]);
        }
    }
    t
}

/// One step of the breadcrumbs from the caller's unit down to the unit shown.
pub(super) struct Crumb {
    /// Unit name.
    pub name: String,
    /// Level label.
    pub level: &'static str,
    /// Link to the same page for that unit (`None` for the unit shown).
    pub href: Option<String>,
}

/// Breadcrumbs from the caller's own unit down to `unit_id` on page `base`: the chain of
/// parents, read in the caller's scope (so it stops at the caller's unit).
async fn breadcrumbs(
    state: &AppState,
    ctx: &SessionCtx,
    sel: &Selection,
    base: &str,
    unit_id: i64,
    extra: &[(&'static str, String)],
) -> Result<Vec<Crumb>, ConsoleError> {
    let scope = ctx.scope();
    let mut chain = Vec::new();
    let mut next = Some(unit_id);
    // Five tiers at most; the guard only stops a malformed tree from looping.
    while let Some(id) = next
        && chain.len() < OrgLevel::ALL.len() + 1
    {
        let unit = match state.store.get_org_unit(&scope, id).await {
            Ok(u) => u,
            Err(StoreError::NotFound) => break,
            Err(e) => return Err(e.into()),
        };
        next = (unit.id != ctx.account.org_unit_id)
            .then_some(unit.parent_id)
            .flatten();
        chain.push(unit);
    }
    chain.reverse();
    let last = chain.len().saturating_sub(1);
    Ok(chain
        .into_iter()
        .enumerate()
        .map(|(i, u)| Crumb {
            href: (i != last).then(|| {
                let target = (u.id != ctx.account.org_unit_id).then_some(u.id);
                sel.page_href(base, target, extra)
            }),
            name: u.name,
            level: u.level.label_zh(),
        })
        .collect())
}
