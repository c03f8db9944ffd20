//! 月调度: the month's figures with 环比/同比, the assessment (考核) ranking of the units below
//! and of the departments, categories, and the open cases to dispatch.

use std::cmp::Reverse;

use chrono::Datelike;
use zongzhi_core::metrics::{Counters, Period};
use zongzhi_report::{ReportDoc, Section, Table};

use super::data::Data;
use super::fmt::{FIGURE_HEADERS, case_table, change, figure_cells, kpis, rate, time};
use super::{LIST_CASES, bases, category_table, org_name};
use crate::exports::worker::JobError;
use crate::stats::{Figures, figures};

/// Ranking order of the assessment: on-time rate, then completion rate, then fewer
/// overdue cases, then more cases; rows without closed cases last.
fn assessment_key(f: &Figures) -> (Reverse<i64>, Reverse<i64>, i64, Reverse<i64>) {
    let per_mille = |r: Option<f64>| r.map_or(-1, |r| (r * 1000.0).round() as i64);
    (
        Reverse(per_mille(f.on_time_rate)),
        Reverse(per_mille(f.completion_rate)),
        f.overdue,
        Reverse(f.received),
    )
}

/// A ranking table; `total` adds a 合计 row.
fn ranking(
    caption: &str,
    first: &str,
    rows: Vec<(String, Figures)>,
    total: Option<&Counters>,
) -> Table {
    let mut headers = vec!["排名", first];
    headers.extend(FIGURE_HEADERS);
    let mut t = Table::new(headers)
        .caption(caption)
        .numeric([0, 2, 3, 4, 5, 6, 7, 8, 9]);
    if rows.is_empty() {
        return t.note("本期无数据。");
    }
    for (i, (name, f)) in rows.into_iter().enumerate() {
        let mut cells = vec![(i + 1).to_string(), name];
        cells.extend(figure_cells(&f));
        t = t.row(cells);
    }
    match total {
        Some(c) => {
            let mut cells = vec![String::new(), "合计".to_owned()];
            cells.extend(figure_cells(&figures(*c)));
            t.row(cells).with_total_row()
        }
        None => t,
    }
}

/// The 月调度 of the month `p`.
pub(super) async fn build(d: &Data<'_>, p: Period) -> Result<ReportDoc, JobError> {
    let (prev, year_ago) = bases(p);
    let (c, b, y) = (
        d.total(p).await?,
        d.total(prev).await?,
        d.total(year_ago).await?,
    );
    let (cats, cats_before) = (d.by_category(p).await?, d.by_category(prev).await?);
    let mut units: Vec<(String, Figures)> = d
        .children(p)
        .await?
        .into_iter()
        .map(|u| (u.org_unit.name, u.figures))
        .collect();
    units.sort_by_key(|(n, f)| (assessment_key(f), n.clone()));
    let mut depts: Vec<(String, Figures)> = d
        .departments(p)
        .await?
        .into_iter()
        .filter(|r| r.figures.received > 0)
        .map(|r| (r.department.name, r.figures))
        .collect();
    depts.sort_by_key(|(n, f)| (assessment_key(f), n.clone()));
    let (overdue, overdue_total) = d.open_cases(true, LIST_CASES).await?;
    let (supervised, supervised_total) = d.open_cases(false, LIST_CASES).await?;

    let mut doc = ReportDoc::new("月调度报告");
    doc.org_name = org_name(d);
    doc.period_label = format!("{}年{}月", p.from.year(), p.from.month());
    doc.generated_at_label = time(d.now());

    let mut overview = Section::new("一、总体情况").paragraph(format!(
        "本月共受理事件{}件，环比{}，同比{}；已办结{}件，办结率{}，按期办结率{}，化解率{}，满意率{}。\
         本月受理事件中超期{}件、督办{}件；当前在办超期{}件、督办中{}件，列入本期调度。",
        c.received,
        change(c.received, b.received),
        change(c.received, y.received),
        c.closed,
        rate(c.completion_rate()),
        rate(c.on_time_rate()),
        rate(c.resolution_rate()),
        rate(c.satisfaction_rate()),
        c.overdue,
        c.supervised,
        overdue_total,
        supervised_total,
    ));
    for k in kpis(&c, &[("环比", &b), ("同比", &y)]) {
        overview = overview.kpi(k);
    }
    doc.sections.push(overview);
    doc.sections.push(
        Section::new("二、单位考核排名")
            .paragraph("按按期办结率、办结率、超期数依次排名；无办结事件的单位列后。合计含本级直接受理的事件。")
            .table(ranking("表1 下级单位考核排名", "单位", units, Some(&c))),
    );
    doc.sections.push(
        Section::new("三、部门考核排名")
            .paragraph("本单位及下级入驻部门中本月有主办事件的部门。")
            .table(ranking("表2 责任部门考核排名", "部门", depts, None)),
    );
    doc.sections
        .push(Section::new("四、事件分类").table(category_table(
            "表3 事件分类",
            &cats,
            &cats_before,
            "上月",
            usize::MAX,
        )));
    doc.sections.push(
        Section::new("五、待调度事项")
            .table(case_table("表4 在办超期事件", &overdue, overdue_total))
            .table(case_table("表5 督办中事件", &supervised, supervised_total)),
    );
    Ok(doc)
}
