//! 日报: the day's figures against the day before, new cases by category, and the open cases
//! overdue or under 督办 now.

use super::data::Data;
use super::fmt::{case_table, change, kpis, rate, time};
use super::{LIST_CASES, category_table, day_label, org_name};
use crate::exports::worker::JobError;
use zongzhi_core::metrics::Period;
use zongzhi_report::{ReportDoc, Section};

/// The 日报 of `day` (a one-day period).
pub(super) async fn build(d: &Data<'_>, day: Period) -> Result<ReportDoc, JobError> {
    let prev = day.previous();
    let (c, b) = (d.total(day).await?, d.total(prev).await?);
    let (cats, cats_before) = (d.by_category(day).await?, d.by_category(prev).await?);
    let (overdue, overdue_total) = d.open_cases(true, LIST_CASES).await?;
    let (supervised, supervised_total) = d.open_cases(false, LIST_CASES).await?;

    let mut doc = ReportDoc::new("综治中心日报");
    doc.org_name = org_name(d);
    doc.period_label = day_label(day.from);
    doc.generated_at_label = time(d.now());

    let mut summary = format!(
        "{}，{}共受理矛盾纠纷等事件{}件，较前日{}（前日{}件）；其中已办结{}件，办结率{}，在办{}件。",
        day_label(day.from),
        d.unit().name,
        c.received,
        change(c.received, b.received),
        b.received,
        c.closed,
        rate(c.completion_rate()),
        c.open,
    );
    summary.push_str(&format!(
        "截至报告生成时，辖区在办事件中已超期{overdue_total}件、督办中{supervised_total}件。"
    ));
    let mut overview = Section::new("一、今日概况").paragraph(summary);
    for k in kpis(&c, &[("较前日", &b)]) {
        overview = overview.kpi(k);
    }
    doc.sections.push(overview);
    doc.sections
        .push(Section::new("二、新增事件分类").table(category_table(
            "表1 当日新增事件分类",
            &cats,
            &cats_before,
            "前日",
            usize::MAX,
        )));
    doc.sections
        .push(Section::new("三、超期事件").table(case_table(
            "表2 在办超期事件",
            &overdue,
            overdue_total,
        )));
    doc.sections
        .push(Section::new("四、督办事件").table(case_table(
            "表3 督办中事件",
            &supervised,
            supervised_total,
        )));
    Ok(doc)
}
