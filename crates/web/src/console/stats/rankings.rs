//! 考核排名 (`/stats/rankings`): the child units and the departments of the selected unit
//! ranked by 按期办结率, 化解率, 满意率 or 超期数. Ties share a rank (1, 2, 2, 4); a unit
//! without a value (no cases, or no denominator) shows “—” and comes last.

use std::cmp::Ordering;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use zongzhi_core::role::Permission;

use super::overview::Row;
use super::params::{Selection, StatsQuery};
use super::picker::{Offers, Picker};
use super::source;
use super::view::{self, Fig};
use super::{Crumb, Tab, breadcrumbs, tabs_for};
use crate::auth::CurrentUser;
use crate::console::admin::opts;
use crate::console::{ConsoleResult, Layout, render};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::stats::Figures;

/// The orders offered: key, label, figure, whether higher is better.
const SORTS: [(&str, &str, Fig, bool); 4] = [
    ("on_time_rate", "按期办结率", view::ON_TIME, true),
    ("resolution_rate", "化解率", view::RESOLUTION, true),
    ("satisfaction_rate", "满意率", view::SATISFACTION, true),
    ("overdue", "超期数（少者在前）", view::OVERDUE, false),
];

/// The columns of both tables.
const COLUMNS: [Fig; 6] = [
    view::ON_TIME,
    view::RESOLUTION,
    view::SATISFACTION,
    view::OVERDUE,
    view::RECEIVED,
    view::CLOSED,
];

/// A ranked row.
pub(super) struct Ranked {
    /// `1`, `2`, `2`, `4` … or `—`.
    pub rank: String,
    /// Top three get a mark.
    pub medal: bool,
    /// The row.
    pub row: Row,
    /// Unit of a department row.
    pub sub: String,
}

#[derive(Template)]
#[template(path = "stats/rankings.html")]
struct RankingsPage {
    layout: Layout,
    tabs: Vec<Tab>,
    picker: Picker,
    crumbs: Vec<Crumb>,
    unit_name: String,
    period_text: String,
    sort_label: &'static str,
    sort_index: usize,
    columns: Vec<&'static str>,
    units: Vec<Ranked>,
    departments: Vec<Ranked>,
    idle_departments: Vec<String>,
    shown: bool,
}

/// One entry to rank.
struct Entry {
    counters: Figures,
    row: Row,
    sub: String,
}

/// Ranks `entries` by `fig` (`higher_first`): valued ones in order with shared ranks for
/// ties, then the rest (“—”), those with cases before those without.
fn rank(mut entries: Vec<Entry>, fig: &Fig, higher_first: bool) -> Vec<Ranked> {
    let value = |e: &Entry| {
        if e.counters.received == 0 {
            None
        } else {
            fig.value(&e.counters)
        }
    };
    let cmp_vals = |a: f64, b: f64| {
        let o = a.partial_cmp(&b).unwrap_or(Ordering::Equal);
        if higher_first { o.reverse() } else { o }
    };
    entries.sort_by(|a, b| match (value(a), value(b)) {
        (Some(x), Some(y)) => cmp_vals(x, y).then(b.counters.received.cmp(&a.counters.received)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => b.counters.received.cmp(&a.counters.received),
    });
    let mut out = Vec::with_capacity(entries.len());
    let mut last: Option<(f64, usize)> = None;
    for (i, e) in entries.into_iter().enumerate() {
        let rank = value(&e).map(|v| match last {
            Some((lv, r)) if cmp_vals(lv, v) == Ordering::Equal => r,
            _ => {
                last = Some((v, i + 1));
                i + 1
            }
        });
        out.push(Ranked {
            rank: rank.map_or_else(|| "—".to_owned(), |r| r.to_string()),
            medal: rank.is_some_and(|r| r <= 3),
            row: e.row,
            sub: e.sub,
        });
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn entry(
    key: String,
    name: String,
    href: Option<String>,
    sub: String,
    counters: Figures,
    sel: &Selection,
    under: i64,
    extra: &[(&'static str, String)],
) -> Entry {
    Entry {
        row: super::overview::row(&COLUMNS, key, name, href, &counters, sel, under, extra),
        counters,
        sub,
    }
}

/// `GET /stats/rankings`
pub(super) async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    q: Result<ApiQuery<StatsQuery>, ApiError>,
) -> ConsoleResult {
    user.require(Permission::ReadStats)?;
    let ApiQuery(q) = q?;
    let sel = Selection::resolve(&state, &user, &q).await?;
    let sort_key = q.sort.as_deref().map(str::trim).unwrap_or_default();
    let sort_index = SORTS.iter().position(|(k, ..)| *k == sort_key).unwrap_or(0);
    let (sort_key, sort_label, sort_fig, higher_first) = SORTS[sort_index];
    let extra = [("sort", sort_key.to_owned())];
    let offers = Offers {
        category: sel.lead_department.is_none(),
        channel: false,
    };
    let mut picker = Picker::new(&state, "/stats/rankings", &sel, offers, &extra).await?;
    picker.sorts = Some(opts(SORTS.iter().map(|(k, l, ..)| (*k, *l)), sort_key));
    let mut p = RankingsPage {
        layout: Layout::new(&user, "考核排名", "stats-rankings"),
        tabs: tabs_for("rankings", &sel),
        picker,
        crumbs: Vec::new(),
        unit_name: user.account.org_unit_name.clone(),
        period_text: String::new(),
        sort_label,
        sort_index: COLUMNS
            .iter()
            .position(|f| f.key == sort_fig.key)
            .unwrap_or(0),
        columns: COLUMNS.iter().map(|f| f.label).collect(),
        units: Vec::new(),
        departments: Vec::new(),
        idle_departments: Vec::new(),
        shown: false,
    };
    let Some(period) = sel.period.filter(|_| sel.is_valid()) else {
        let mut res = render(&p);
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(res);
    };
    let scope = source::resolve(&state, &user, &sel).await?;
    let (unit, children) = source::units(&state, &scope).await?;
    let depts = source::departments(&state, &scope).await?;
    p.crumbs = breadcrumbs(&state, &user, &sel, "/stats/rankings", unit.id, &extra).await?;
    p.unit_name = unit.name.clone();
    p.period_text = format!("{} 至 {}", period.from, period.to);
    p.units = rank(
        children
            .into_iter()
            .map(|c| {
                entry(
                    c.unit.id.to_string(),
                    c.unit.name.clone(),
                    Some(sel.page_href("/stats/rankings", Some(c.unit.id), &extra)),
                    c.unit.level.label_zh().to_owned(),
                    c.counters,
                    &sel,
                    c.unit.id,
                    &[],
                )
            })
            .collect(),
        &sort_fig,
        higher_first,
    );
    // Departments without a case in the period are listed apart: a unit has dozens.
    let (depts, idle): (Vec<_>, Vec<_>) = depts.into_iter().partition(|d| d.counters.received > 0);
    p.idle_departments = idle
        .into_iter()
        .map(|d| format!("{}（{}）", d.name, d.unit_name))
        .collect();
    p.departments = rank(
        depts
            .into_iter()
            .map(|d| {
                entry(
                    d.id.to_string(),
                    d.name,
                    None,
                    d.unit_name,
                    d.counters,
                    &sel,
                    unit.id,
                    &[("lead_department", d.id.to_string())],
                )
            })
            .collect(),
        &sort_fig,
        higher_first,
    );
    p.shown = true;
    Ok(render(&p))
}

#[cfg(test)]
mod tests {
    use super::*;

    use zongzhi_core::metrics::Counters;

    fn e(name: &str, received: i64, closed: i64, on_time: i64, overdue: i64) -> Entry {
        Entry {
            counters: Counters {
                received,
                closed,
                on_time,
                overdue,
                ..Counters::ZERO
            }
            .into(),
            row: Row {
                key: name.to_owned(),
                name: name.to_owned(),
                href: None,
                leaf: false,
                cells: Vec::new(),
            },
            sub: String::new(),
        }
    }

    fn order(r: &[Ranked]) -> Vec<(String, String)> {
        r.iter()
            .map(|x| (x.rank.clone(), x.row.name.clone()))
            .collect()
    }

    #[test]
    fn ties_share_a_rank_and_empty_units_come_last() {
        let entries = vec![
            e("none", 0, 0, 0, 0),
            e("half", 10, 4, 2, 3),
            e("all", 5, 5, 5, 0),
            e("half2", 20, 2, 1, 1),
            e("open", 3, 0, 0, 1),
        ];
        let r = rank(entries, &view::ON_TIME, true);
        let want = [
            ("1", "all"),
            ("2", "half2"),
            ("2", "half"),
            ("—", "open"),
            ("—", "none"),
        ];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        assert_eq!(order(&r), want);
        let entries = vec![
            e("none", 0, 0, 0, 0),
            e("three", 10, 4, 2, 3),
            e("zero", 5, 5, 5, 0),
        ];
        let r = rank(entries, &view::OVERDUE, false);
        assert_eq!(r[0].row.name, "zero");
        assert_eq!(
            r[2].rank, "—",
            "a unit without cases is not first by 超期数"
        );
    }
}
