//! 周研判: the week against the week before (环比) and the same week a year ago (同比), top
//! categories, hotspots, units ranked by overdue cases, the daily trend, and a short
//! analysis written from the numbers.

use std::cmp::Reverse;

use chrono::NaiveDate;
use zongzhi_core::metrics::{Counters, Period};
use zongzhi_core::org::OrgLevel;
use zongzhi_report::{ReportDoc, Section, Table};

use super::data::Data;
use super::fmt::{change, kpis, rate, time};
use super::{bases, category_table, org_name, short_day};
use crate::exports::worker::JobError;
use crate::stats::{BreakdownRow, TrendPoint};

/// Rows of the hotspot and ranking tables.
const TOP: usize = 10;

/// The level whose units are the hotspots: grids, or the children of a grid's parent.
fn hotspot_level(unit: OrgLevel) -> Option<OrgLevel> {
    (unit != OrgLevel::Grid).then_some(OrgLevel::Grid)
}

/// The 周研判 of the 7 days `p`.
pub(super) async fn build(d: &Data<'_>, p: Period) -> Result<ReportDoc, JobError> {
    let (prev, year_ago) = bases(p);
    let (c, b, y) = (
        d.total(p).await?,
        d.total(prev).await?,
        d.total(year_ago).await?,
    );
    let (cats, cats_before) = (d.by_category(p).await?, d.by_category(prev).await?);
    let mut hotspots = match hotspot_level(d.unit().level) {
        Some(level) => d.at_level(level, p).await?,
        None => Vec::new(),
    };
    hotspots.sort_by_key(|(n, c)| (Reverse(c.received), n.clone()));
    hotspots.truncate(TOP);
    let mut units = d.children(p).await?;
    units.sort_by_key(|u| {
        (
            Reverse(u.figures.overdue),
            Reverse(u.figures.received),
            u.org_unit.path.clone(),
        )
    });
    let days = d.by_day(p).await?;

    let mut doc = ReportDoc::new("周研判报告");
    doc.org_name = org_name(d);
    doc.period_label = format!("{}至{}", short_day(p.from), short_day(p.to));
    doc.generated_at_label = time(d.now());

    let mut overview = Section::new("一、总体态势");
    for k in kpis(&c, &[("环比", &b), ("同比", &y)]) {
        overview = overview.kpi(k);
    }
    doc.sections.push(overview);
    let top_spot = hotspots.first().filter(|(_, c)| c.received > 0);
    let top_overdue = units.first().filter(|u| u.figures.overdue > 0);
    doc.sections
        .push(Section::new("二、研判分析").paragraph(analysis(
            p,
            (&c, &b, &y),
            top_category(&cats, &cats_before),
            top_spot.map(|(n, c)| (n.as_str(), c.received)),
            top_overdue.map(|u| (u.org_unit.name.as_str(), u.figures.overdue)),
        )));
    doc.sections
        .push(Section::new("三、事件分类排行").table(category_table(
            "表1 事件分类（前十）",
            &cats,
            &cats_before,
            "上周",
            TOP,
        )));
    let mut spots = Table::new(["排名", "区域", "受理量", "在办", "超期"])
        .caption("表2 热点区域（事件最多的网格）")
        .numeric([0, 2, 3, 4]);
    for (i, (name, c)) in hotspots.iter().enumerate() {
        spots = spots.row([
            (i + 1).to_string(),
            name.clone(),
            c.received.to_string(),
            c.open.to_string(),
            c.overdue.to_string(),
        ]);
    }
    if hotspots.is_empty() {
        spots = spots.note("本期无数据。");
    }
    doc.sections.push(Section::new("四、热点区域").table(spots));
    let mut ranking = Table::new(["排名", "单位", "受理量", "超期", "超期率", "按期办结率"])
        .caption("表3 下级单位超期排名")
        .numeric([0, 2, 3, 4, 5]);
    for (i, u) in units.iter().take(TOP).enumerate() {
        let f = &u.figures;
        let overdue_rate = (f.received > 0).then(|| f.overdue as f64 / f.received as f64);
        ranking = ranking.row([
            (i + 1).to_string(),
            u.org_unit.name.clone(),
            f.received.to_string(),
            f.overdue.to_string(),
            rate(overdue_rate),
            rate(f.on_time_rate),
        ]);
    }
    if units.is_empty() {
        ranking = ranking.note("本单位无下级单位。");
    }
    doc.sections
        .push(Section::new("五、超期单位排名").table(ranking));
    doc.sections
        .push(Section::new("六、每日趋势").table(trend(&days, &c)));
    Ok(doc)
}

/// The largest first-level category: (name, count, change against last week, share).
fn top_category(
    cats: &[BreakdownRow],
    before: &[BreakdownRow],
) -> Option<(String, i64, String, f64)> {
    let total: i64 = cats.iter().map(|r| r.figures.received).sum();
    // Rows come largest first.
    let top = cats.first().filter(|r| r.figures.received > 0)?;
    let prev = before
        .iter()
        .find(|r| r.key == top.key)
        .map_or(0, |r| r.figures.received);
    let n = top.figures.received;
    Some((
        top.label.clone(),
        n,
        change(n, prev),
        n as f64 / total.max(1) as f64,
    ))
}

/// The daily trend table with the period's total.
fn trend(days: &[TrendPoint], total: &Counters) -> Table {
    let mut t = Table::new(["日期", "受理量", "办结", "在办", "超期", "督办"])
        .caption("表4 每日受理与办理情况")
        .numeric([1, 2, 3, 4, 5]);
    for point in days {
        let label = NaiveDate::parse_from_str(&point.start, "%Y-%m-%d")
            .map(short_day)
            .unwrap_or_else(|_| point.start.clone());
        let f = &point.figures;
        t = t.row([
            label,
            f.received.to_string(),
            f.closed.to_string(),
            f.open.to_string(),
            f.overdue.to_string(),
            f.supervised.to_string(),
        ]);
    }
    t.row([
        "合计".to_owned(),
        total.received.to_string(),
        total.closed.to_string(),
        total.open.to_string(),
        total.overdue.to_string(),
        total.supervised.to_string(),
    ])
    .with_total_row()
}

/// The analysis paragraph, written from the numbers.
fn analysis(
    p: Period,
    (c, b, y): (&Counters, &Counters, &Counters),
    top_cat: Option<(String, i64, String, f64)>,
    top_spot: Option<(&str, i64)>,
    top_overdue: Option<(&str, i64)>,
) -> String {
    let mut s = format!(
        "本周（{}至{}）共受理事件{}件，环比{}（上周{}件），同比{}（去年同期{}件）。",
        short_day(p.from),
        short_day(p.to),
        c.received,
        change(c.received, b.received),
        b.received,
        change(c.received, y.received),
        y.received,
    );
    s.push_str(&format!(
        "已办结{}件，办结率{}，按期办结率{}，化解率{}。",
        c.closed,
        rate(c.completion_rate()),
        rate(c.on_time_rate()),
        rate(c.resolution_rate()),
    ));
    if let Some((name, n, ch, share)) = top_cat {
        s.push_str(&format!(
            "从类别看，{name}类事件最多，共{n}件，占{}，环比{ch}。",
            rate(Some(share))
        ));
    }
    if let Some((name, n)) = top_spot {
        s.push_str(&format!(
            "从区域看，{name}事件最为集中（{n}件），建议加强排查化解。"
        ));
    }
    match top_overdue {
        Some((name, n)) => s.push_str(&format!(
            "本周受理事件中超期{}件，其中{name}最多（{n}件），需重点督促办理。",
            c.overdue
        )),
        None if c.overdue > 0 => s.push_str(&format!("本周受理事件中超期{}件。", c.overdue)),
        None => s.push_str("本周受理事件无超期。"),
    }
    if c.rated > 0 {
        s.push_str(&format!("回访满意率{}。", rate(c.satisfaction_rate())));
    }
    s
}
