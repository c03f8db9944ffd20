//! Statistics over a year: the 统计总图 (overview) and the 考核排名 (rankings) page of a
//! village, a town, a county and the city user, read through the stats service from the
//! rollups, beside the same figures computed by hand with `GROUP BY` over the raw `cases`
//! table of the same database in the same run.
//!
//! The overview is what `/stats` reads: the period's totals with 环比 and 同比 (three
//! totals), the trend, the category and the channel breakdowns and the child units. The
//! rankings page reads the child units and the departments. The raw side answers the same
//! questions with one scan-and-aggregate query each over the cases received in the period
//! (by the `reported_at` index) whose location lies in the unit's subtree.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use sqlx::Row as _;
use zongzhi_core::calendar::local_day;
use zongzhi_core::case::{CaseStatus, Outcome, Rating};
use zongzhi_core::metrics::Counters;
use zongzhi_core::metrics::rollup::RollupDim;
use zongzhi_core::org::subtree_range;
use zongzhi_web::stats::{self, StatsQuery, StatsScope};

use crate::setup::Bench;
use crate::stats::{Row, ms, percentile};

/// The users measured: (label, demo account).
const USERS: &[(&str, &str)] = &[
    ("village", "village_worker"),
    ("town", "town_dispatcher"),
    ("county", "county_dispatcher"),
    ("city", "city_dispatcher"),
];

/// Days in the measured period (a year ending today).
const PERIOD_DAYS: u64 = 365;

/// A page measured.
#[derive(Debug, Clone, Copy)]
enum Page {
    /// 统计总图.
    Overview,
    /// 考核排名.
    Rankings,
}

impl Page {
    fn label(self) -> &'static str {
        match self {
            Page::Overview => "overview (总图)",
            Page::Rankings => "rankings (考核)",
        }
    }
}

/// The overview or rankings through the stats service; returns the period's total and the
/// child units' 受理量 by path, for the comparison with the raw side.
async fn ours(
    b: &Bench,
    s: &StatsScope,
    page: Page,
) -> anyhow::Result<(Option<Counters>, BTreeMap<String, i64>)> {
    let state = &b.state;
    let mut total = None;
    if let Page::Overview = page {
        let summary = stats::summary(state, s).await.map_err(api)?;
        total = Some(summary.figures.counters);
        stats::trend(state, s, None).await.map_err(api)?;
        stats::breakdown(state, s, RollupDim::Category)
            .await
            .map_err(api)?;
        stats::breakdown(state, s, RollupDim::Channel)
            .await
            .map_err(api)?;
    }
    let units = stats::units(state, s).await.map_err(api)?;
    if let Page::Rankings = page {
        stats::departments(state, s).await.map_err(api)?;
    }
    let children = units
        .rows
        .into_iter()
        .filter(|r| r.figures.received > 0)
        .map(|r| (r.org_unit.path, r.figures.received))
        .collect();
    Ok((total, children))
}

/// The stats service's errors are HTTP problems; here they end the run.
fn api(e: zongzhi_web::error::ApiError) -> anyhow::Error {
    anyhow::anyhow!("stats service: {e:?}")
}

/// SQL string literals of `items`, comma-separated (fixed identifiers, never input).
fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The 13 counter sums over `cases c`, in [`Counters`] field order, as DOMAIN.md defines
/// them (merged duplicates are excluded by the `WHERE` clause).
fn counter_sums() -> String {
    let open = list(
        CaseStatus::ALL
            .iter()
            .filter(|s| s.is_open())
            .map(|s| s.as_str()),
    );
    let resolved = list(
        Outcome::ALL
            .iter()
            .filter(|o| o.counts_as_resolved())
            .map(|o| o.as_str()),
    );
    let satisfied = list(
        Rating::ALL
            .iter()
            .filter(|r| r.is_satisfied())
            .map(|r| r.as_str()),
    );
    let closed = "c.closed_at IS NOT NULL";
    [
        "COUNT(*)".to_owned(),
        format!("SUM(c.status IN ({open}))"),
        format!("SUM({closed})"),
        format!("SUM({closed} AND c.outcome IN ({resolved}))"),
        format!("SUM({closed} AND c.on_time = 1)"),
        "SUM(c.accept_minutes IS NOT NULL)".to_owned(),
        "SUM(c.rating IS NOT NULL)".to_owned(),
        format!("SUM(c.rating IN ({satisfied}))"),
        "SUM(c.ever_overdue = 1)".to_owned(),
        "SUM(c.ever_supervised = 1)".to_owned(),
        "SUM(c.reopen_count > 0)".to_owned(),
        "SUM(COALESCE(c.accept_minutes, 0))".to_owned(),
        format!("SUM(CASE WHEN {closed} THEN COALESCE(c.close_minutes, 0) ELSE 0 END)"),
    ]
    .map(|e| format!("COALESCE({e}, 0)"))
    .join(", ")
}

/// Counters from the 13 columns starting at `at`.
fn counters_at(row: &sqlx::sqlite::SqliteRow, at: usize) -> anyhow::Result<Counters> {
    let v = |i: usize| row.try_get::<i64, _>(at + i);
    Ok(Counters {
        received: v(0)?,
        open: v(1)?,
        closed: v(2)?,
        resolved: v(3)?,
        on_time: v(4)?,
        accepted: v(5)?,
        rated: v(6)?,
        satisfied: v(7)?,
        overdue: v(8)?,
        supervised: v(9)?,
        reopened: v(10)?,
        accept_minutes: v(11)?,
        close_minutes: v(12)?,
    })
}

/// The stored `reported_at` text of local (Asia/Shanghai, UTC+8) midnight starting `d`.
fn local_midnight(d: NaiveDate) -> String {
    let utc_day = d.checked_sub_days(Days::new(1)).unwrap_or(d);
    format!("{}T16:00:00.000000Z", utc_day.format("%Y-%m-%d"))
}

/// One raw aggregate over the cases of `path`'s subtree received from `from` to `to`,
/// grouped by `key` (`None`: one total row).
async fn raw_query(
    b: &Bench,
    path: &str,
    from: NaiveDate,
    to: NaiveDate,
    key: Option<&str>,
) -> anyhow::Result<Vec<(String, Counters)>> {
    let (lo, hi) = subtree_range(path);
    let end = to.checked_add_days(Days::new(1)).unwrap_or(to);
    let key_sql = key.map_or_else(
        || "''".to_owned(),
        |k| format!("COALESCE(CAST({k} AS TEXT), '')"),
    );
    let mut sql = format!(
        "SELECT {key_sql} AS key, {} FROM cases c WHERE c.reported_at >= ? AND \
         c.reported_at < ? AND c.org_path >= ? AND c.org_path < ? AND c.master_case_id IS NULL",
        counter_sums()
    );
    if key.is_some() {
        sql.push_str(" GROUP BY 1");
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(local_midnight(from))
        .bind(local_midnight(end))
        .bind(lo)
        .bind(hi)
        .fetch_all(b.sqlite.pool())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, counters_at(r, 1)?)))
        .collect()
}

/// The same page answered by hand over `cases`.
async fn raw(
    b: &Bench,
    s: &StatsScope,
    page: Page,
) -> anyhow::Result<(Option<Counters>, BTreeMap<String, i64>)> {
    let (path, from, to) = (s.unit.path.as_str(), s.period.from, s.period.to);
    let mut total = None;
    if let Page::Overview = page {
        let t = raw_query(b, path, from, to, None).await?;
        total = t.into_iter().next().map(|(_, c)| c);
        for p in [s.period.previous(), s.period.year_ago()] {
            raw_query(b, path, p.from, p.to, None).await?;
        }
        // Local day of reported_at; category and channel as stored.
        raw_query(b, path, from, to, Some("date(c.reported_at, '+8 hours')")).await?;
        raw_query(b, path, from, to, Some("c.category_code")).await?;
        raw_query(b, path, from, to, Some("c.channel")).await?;
    }
    // The child unit's path: the org path cut after the next '/' below the unit.
    let len = path.len();
    let child = format!(
        "CASE WHEN length(c.org_path) > {len} THEN substr(c.org_path, 1, {len} + \
         instr(substr(c.org_path, {len} + 1), '/')) ELSE '' END"
    );
    let children = raw_query(b, path, from, to, Some(&child))
        .await?
        .into_iter()
        .filter(|(k, c)| !k.is_empty() && c.received > 0)
        .map(|(k, c)| (k, c.received))
        .collect();
    if let Page::Rankings = page {
        raw_query(b, path, from, to, Some("c.holder_department_id")).await?;
    }
    Ok((total, children))
}

/// Measures both pages for every user `iterations` times each way.
pub async fn run(b: &Bench, iterations: usize) -> anyhow::Result<Vec<Row>> {
    let to = local_day(b.state.clock.now());
    let from = to
        .checked_sub_days(Days::new(PERIOD_DAYS - 1))
        .unwrap_or(to);
    let mut rows = Vec::new();
    for (label, username) in USERS {
        let scope = b.scope_of(username).await?;
        let q = StatsQuery {
            from: Some(from.to_string()),
            to: Some(to.to_string()),
            ..StatsQuery::default()
        };
        let s = stats::resolve(&b.state, &scope, &q).await.map_err(api)?;
        for page in [Page::Overview, Page::Rankings] {
            // Warm both sides and check that they agree before timing.
            let (o, r) = (ours(b, &s, page).await?, raw(b, &s, page).await?);
            let mut note = format!("({} cases in the period)", received(&o, &r));
            if o != r {
                note.push_str(" FIGURES DIFFER");
            }
            let (mut t_ours, mut t_raw) = (Vec::new(), Vec::new());
            for _ in 0..iterations {
                let t = Instant::now();
                ours(b, &s, page).await?;
                t_ours.push(t.elapsed());
                let t = Instant::now();
                raw(b, &s, page).await?;
                t_raw.push(t.elapsed());
            }
            let fmt = |v: &mut Vec<Duration>| {
                let (p50, p95) = (percentile(v, 50.0), percentile(v, 95.0));
                (format!("{} / {}", ms(p50), ms(p95)), p50)
            };
            let (ours_s, ours50) = fmt(&mut t_ours);
            let (raw_s, raw50) = fmt(&mut t_raw);
            rows.push(Row {
                operation: format!("{label} {}", page.label()),
                ours: ours_s,
                raw: raw_s,
                ratio: Some(ours50.as_secs_f64() / raw50.as_secs_f64().max(1e-9)),
                note,
            });
        }
    }
    Ok(rows)
}

/// The period's 受理量 for the note (the total, or the children's sum for rankings).
fn received(
    ours: &(Option<Counters>, BTreeMap<String, i64>),
    raw: &(Option<Counters>, BTreeMap<String, i64>),
) -> i64 {
    match (ours.0, raw.0) {
        (Some(c), _) | (None, Some(c)) => c.received,
        (None, None) => ours.1.values().sum(),
    }
}
