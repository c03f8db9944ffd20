//! Numbers as the reports print them, and the tables and key figures every report shares.

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;
use zongzhi_core::metrics::Counters;
use zongzhi_report::{Kpi, Table};
use zongzhi_store::Case;

use crate::stats::Figures;

/// `96.5%`, or `—` when there is no denominator.
pub(crate) fn rate(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// `2.3天`, or `—`.
pub(crate) fn days(d: Option<f64>) -> String {
    d.map_or_else(|| "—".to_owned(), |d| format!("{d:.1}天"))
}

/// Change of a count against a base: `+12.5%`, `-3.0%`, `持平`, or `新增` from zero.
#[allow(clippy::cast_precision_loss)]
pub(crate) fn change(now: i64, before: i64) -> String {
    if now == before {
        "持平".to_owned()
    } else if before == 0 {
        "新增".to_owned()
    } else {
        format!("{:+.1}%", (now - before) as f64 * 100.0 / before as f64)
    }
}

/// Change of a rate in percentage points: `+2.1个百分点`.
pub(crate) fn change_pts(now: Option<f64>, before: Option<f64>) -> String {
    match (now, before) {
        (Some(a), Some(b)) if (a - b).abs() < 0.0005 => "持平".to_owned(),
        (Some(a), Some(b)) => format!("{:+.1}个百分点", (a - b) * 100.0),
        _ => "—".to_owned(),
    }
}

/// A local date-time to the minute.
pub(crate) fn time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// The key figures of a period with their comparisons (`vs` = label and figures of each
/// base, e.g. `("较前日", …)`, `("环比", …)`, `("同比", …)`).
pub(crate) fn kpis(c: &Counters, vs: &[(&str, &Counters)]) -> Vec<Kpi> {
    let count = |label: &str, f: fn(&Counters) -> i64| {
        let note = vs
            .iter()
            .map(|(l, b)| format!("{l} {}", change(f(c), f(b))))
            .collect::<Vec<_>>()
            .join("，");
        Kpi::new(label, format!("{} 件", f(c))).note(note)
    };
    let ratio = |label: &str, f: fn(&Counters) -> Option<f64>| {
        let note = vs
            .iter()
            .map(|(l, b)| format!("{l} {}", change_pts(f(c), f(b))))
            .collect::<Vec<_>>()
            .join("，");
        Kpi::new(label, rate(f(c))).note(note)
    };
    vec![
        count("受理量", |c| c.received),
        count("已办结", |c| c.closed),
        count("在办", |c| c.open),
        ratio("办结率", Counters::completion_rate),
        ratio("化解率", Counters::resolution_rate),
        ratio("按期办结率", Counters::on_time_rate),
        ratio("满意率", Counters::satisfaction_rate),
        count("超期", |c| c.overdue),
        count("督办", |c| c.supervised),
        Kpi::new("平均办结用时", days(c.avg_close_days())),
    ]
}

/// The figures of a ranking row, after its name columns.
pub(crate) fn figure_cells(f: &Figures) -> Vec<String> {
    vec![
        f.received.to_string(),
        f.closed.to_string(),
        rate(f.completion_rate),
        rate(f.resolution_rate),
        rate(f.on_time_rate),
        rate(f.satisfaction_rate),
        f.overdue.to_string(),
        f.supervised.to_string(),
        days(f.avg_close_days),
    ]
}

/// Headers matching [`figure_cells`].
pub(crate) const FIGURE_HEADERS: [&str; 9] = [
    "受理量",
    "办结",
    "办结率",
    "化解率",
    "按期办结率",
    "满意率",
    "超期",
    "督办",
    "平均办结用时",
];

/// A list of open cases to act on (overdue or supervised).
pub(crate) fn case_table(caption: &str, cases: &[Case], total: i64) -> Table {
    let mut t =
        Table::new(["编号", "标题", "属地", "主办", "状态", "期限", "督办"]).caption(caption);
    for c in cases {
        let holder = c
            .holder_department_name
            .as_deref()
            .or(c.holder_unit_name.as_deref())
            .unwrap_or(&c.center_unit_name);
        t = t.row([
            c.tracking_no.clone(),
            c.title.clone(),
            c.org_unit_name.clone(),
            holder.to_owned(),
            c.state.status.label_zh().to_owned(),
            c.state.due_at().map(time).unwrap_or_default(),
            c.state
                .supervision_level
                .map(|l| l.label_zh().to_owned())
                .unwrap_or_default(),
        ]);
    }
    if cases.is_empty() {
        t = t.note("无。");
    } else if total > cases.len() as i64 {
        t = t.note(format!(
            "共{total}件，此处列出期限最近的{}件，完整清单请导出事件清单。",
            cases.len()
        ));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_naturally() {
        assert_eq!(change(12, 10), "+20.0%");
        assert_eq!(change(9, 10), "-10.0%");
        assert_eq!(change(3, 3), "持平");
        assert_eq!(change(3, 0), "新增");
        assert_eq!(rate(Some(0.9651)), "96.5%");
        assert_eq!(rate(None), "—");
        assert_eq!(change_pts(Some(0.5), Some(0.45)), "+5.0个百分点");
    }
}
