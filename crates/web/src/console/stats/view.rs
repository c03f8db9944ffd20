//! Figures as the pages show them: formatted numbers that link to the cases behind them,
//! KPI cards with 环比/同比, and the figure kinds (counts, rates, averages).

use zongzhi_core::metrics::{Metric, Period};

use super::params::Selection;
use crate::stats::Figures;

/// One count of `c` by metric.
pub(super) fn count(c: &Figures, m: Metric) -> i64 {
    c.counters.count(m)
}

/// What a figure is.
#[derive(Debug, Clone, Copy)]
pub(super) enum Kind {
    /// A count of cases.
    Count(Metric),
    /// `num ÷ den`, as the service computed it.
    Rate(Metric, Metric, fn(&Figures) -> Option<f64>),
    /// Average working days over the cases of the metric, as the service computed it.
    AvgDays(Metric, fn(&Figures) -> Option<f64>),
}

/// A figure of the overview and the tables.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fig {
    /// Stable key (`data-kpi`), the API's field name.
    pub key: &'static str,
    /// Chinese label.
    pub label: &'static str,
    /// What it is.
    pub kind: Kind,
    /// A rise is good (`Some(true)`), bad (`Some(false)`), or neither.
    pub up_is_good: Option<bool>,
}

const fn fig(key: &'static str, label: &'static str, kind: Kind, up: Option<bool>) -> Fig {
    Fig {
        key,
        label,
        kind,
        up_is_good: up,
    }
}

/// 受理量.
pub(super) const RECEIVED: Fig = fig("received", "受理量", Kind::Count(Metric::Received), None);
/// 办结率.
pub(super) const COMPLETION: Fig = fig(
    "completion_rate",
    "办结率",
    Kind::Rate(Metric::Closed, Metric::Received, |f| f.completion_rate),
    Some(true),
);
/// 化解率.
pub(super) const RESOLUTION: Fig = fig(
    "resolution_rate",
    "化解率",
    Kind::Rate(Metric::Resolved, Metric::Closed, |f| f.resolution_rate),
    Some(true),
);
/// 按期办结率.
pub(super) const ON_TIME: Fig = fig(
    "on_time_rate",
    "按期办结率",
    Kind::Rate(Metric::OnTime, Metric::Closed, |f| f.on_time_rate),
    Some(true),
);
/// 满意率.
pub(super) const SATISFACTION: Fig = fig(
    "satisfaction_rate",
    "满意率",
    Kind::Rate(Metric::Satisfied, Metric::Rated, |f| f.satisfaction_rate),
    Some(true),
);
/// 超期数.
pub(super) const OVERDUE: Fig = fig(
    "overdue",
    "超期数",
    Kind::Count(Metric::Overdue),
    Some(false),
);
/// 督办数.
pub(super) const SUPERVISED: Fig = fig(
    "supervised",
    "督办数",
    Kind::Count(Metric::Supervised),
    Some(false),
);
/// 重办率.
pub(super) const REOPEN: Fig = fig(
    "reopen_rate",
    "重办率",
    Kind::Rate(Metric::Reopened, Metric::Closed, |f| f.reopen_rate),
    Some(false),
);
/// 平均签收用时.
pub(super) const AVG_ACCEPT: Fig = fig(
    "avg_accept_days",
    "平均签收用时",
    Kind::AvgDays(Metric::Accepted, |f| f.avg_accept_days),
    Some(false),
);
/// 平均办结用时.
pub(super) const AVG_CLOSE: Fig = fig(
    "avg_close_days",
    "平均办结用时",
    Kind::AvgDays(Metric::Closed, |f| f.avg_close_days),
    Some(false),
);
/// 办结 (a count column of the tables).
pub(super) const CLOSED: Fig = fig("closed", "办结", Kind::Count(Metric::Closed), None);

/// The KPI cards of the overview, in order.
pub(super) const KPIS: [Fig; 10] = [
    RECEIVED,
    COMPLETION,
    RESOLUTION,
    ON_TIME,
    SATISFACTION,
    OVERDUE,
    SUPERVISED,
    REOPEN,
    AVG_ACCEPT,
    AVG_CLOSE,
];

impl Fig {
    /// The value: a count, a ratio (0..1) or working days; `None` without a denominator.
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    pub fn value(&self, c: &Figures) -> Option<f64> {
        match self.kind {
            Kind::Count(m) => Some(count(c, m) as f64),
            Kind::Rate(.., get) | Kind::AvgDays(_, get) => get(c),
        }
    }

    /// The value as shown (`85.3%`, `1,204`, `1.25`), `—` without one.
    pub fn text(&self, c: &Figures) -> String {
        match (self.kind, self.value(c)) {
            (_, None) => "—".to_owned(),
            (Kind::Count(m), Some(_)) => thousands(count(c, m)),
            (Kind::Rate(..), Some(v)) => format!("{:.1}%", v * 100.0),
            (Kind::AvgDays(..), Some(v)) => days(v),
        }
    }

    /// Unit after the number.
    pub fn unit(&self) -> &'static str {
        match self.kind {
            Kind::Count(_) => "件",
            Kind::Rate(..) => "",
            Kind::AvgDays(..) => "工作日",
        }
    }

    /// The metric whose cases the main number opens: the count itself, a rate's numerator,
    /// an average's cases.
    pub fn metric(&self) -> Metric {
        match self.kind {
            Kind::Count(m) | Kind::Rate(m, ..) | Kind::AvgDays(m, _) => m,
        }
    }

    /// The figure as a linked table cell for unit `under` (`extra`: more query pairs).
    pub fn cell(
        &self,
        c: &Figures,
        sel: &Selection,
        under: i64,
        extra: &[(&'static str, String)],
    ) -> Cell {
        let title = match self.kind {
            Kind::Count(m) => format!("{}：{} 件", m.label_zh(), count(c, m)),
            Kind::Rate(n, d, _) => format!(
                "{} {} ÷ {} {}",
                n.label_zh(),
                count(c, n),
                d.label_zh(),
                count(c, d)
            ),
            Kind::AvgDays(m, _) => format!("按 {} 件{}事件平均", count(c, m), m.label_zh()),
        };
        Cell {
            text: self.text(c),
            href: sel.cases_href(under, self.metric(), extra),
            title,
            empty: self.value(c).is_none(),
        }
    }
}

/// A number as shown: `12,345`.
pub(super) fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Working days as shown: two decimals under 10, one above.
fn days(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.1}")
    }
}

/// A figure in a table: its text, the cases behind it, a tooltip.
#[derive(Debug, Clone)]
pub(super) struct Cell {
    /// Shown text.
    pub text: String,
    /// Link to the cases.
    pub href: String,
    /// Tooltip (numerator and denominator).
    pub title: String,
    /// No value (`—`).
    pub empty: bool,
}

/// A change against an earlier period.
#[derive(Debug, Clone)]
pub(super) struct Delta {
    /// `▲`, `▼` or empty.
    pub arrow: &'static str,
    /// `2.5个百分点`, `12.0%`, `持平`, `—`.
    pub amount: String,
    /// `▲2.5个百分点` (arrow and amount).
    pub text: String,
    /// CSS classes: `up`/`down`/`flat`/`none`, plus `good`/`bad`.
    pub class: &'static str,
    /// The earlier period and its value.
    pub title: String,
}

/// `fig` now against `before` (over `period`), labelled `what` (环比/同比).
pub(super) fn delta(
    fig: &Fig,
    now: &Figures,
    before: &Figures,
    period: &Period,
    what: &str,
) -> Delta {
    let (a, b) = (fig.value(now), fig.value(before));
    let title = format!(
        "{what}期间 {} 至 {}：{}{}",
        period.from,
        period.to,
        fig.text(before),
        if fig.value(before).is_some() {
            fig.unit()
        } else {
            ""
        }
    );
    let change = match (fig.kind, a, b) {
        (Kind::Rate(..), Some(a), Some(b)) => Some(((a - b) * 100.0, "个百分点")),
        (_, Some(a), Some(b)) if b != 0.0 => Some(((a - b) / b * 100.0, "%")),
        _ => None,
    };
    let Some((d, unit)) = change else {
        return Delta {
            arrow: "",
            amount: "—".to_owned(),
            text: "—".to_owned(),
            class: "none",
            title,
        };
    };
    let rounded = (d * 10.0).round() / 10.0;
    if rounded == 0.0 {
        return Delta {
            arrow: "",
            amount: "持平".to_owned(),
            text: "持平".to_owned(),
            class: "flat",
            title,
        };
    }
    let up = rounded > 0.0;
    let class = match (up, fig.up_is_good) {
        (true, Some(true)) | (false, Some(false)) => {
            if up {
                "up good"
            } else {
                "down good"
            }
        }
        (true, Some(false)) | (false, Some(true)) => {
            if up {
                "up bad"
            } else {
                "down bad"
            }
        }
        (true, None) => "up",
        (false, None) => "down",
    };
    let arrow = if up { "▲" } else { "▼" };
    let amount = format!("{:.1}{unit}", rounded.abs());
    Delta {
        arrow,
        text: format!("{arrow}{amount}"),
        amount,
        class,
        title,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    use zongzhi_core::metrics::Counters;

    fn counters(received: i64, closed: i64, resolved: i64) -> Figures {
        Counters {
            received,
            closed,
            resolved,
            ..Counters::ZERO
        }
        .into()
    }

    #[test]
    fn each_figure_is_the_services() {
        let c = Counters {
            received: 9,
            closed: 7,
            resolved: 5,
            on_time: 4,
            accepted: 8,
            rated: 6,
            satisfied: 5,
            reopened: 1,
            accept_minutes: 8 * 600,
            close_minutes: 7 * 3000,
            ..Counters::ZERO
        };
        let f = Figures::from(c);
        assert_eq!(COMPLETION.value(&f), c.completion_rate());
        assert_eq!(RESOLUTION.value(&f), c.resolution_rate());
        assert_eq!(ON_TIME.value(&f), c.on_time_rate());
        assert_eq!(SATISFACTION.value(&f), c.satisfaction_rate());
        assert_eq!(REOPEN.value(&f), c.reopen_rate());
        assert_eq!(AVG_ACCEPT.value(&f), c.avg_accept_days());
        assert_eq!(AVG_CLOSE.value(&f), c.avg_close_days());
        assert_eq!(RECEIVED.value(&f), Some(9.0));
        assert_eq!(COMPLETION.metric(), Metric::Closed);
        assert_eq!(AVG_ACCEPT.metric(), Metric::Accepted);
    }

    #[test]
    fn figures_format_and_compare() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(-1000), "-1,000");
        let now = counters(200, 150, 120);
        let before = counters(100, 50, 40);
        assert_eq!(RECEIVED.text(&now), "200");
        assert_eq!(COMPLETION.text(&now), "75.0%");
        assert_eq!(COMPLETION.text(&Counters::ZERO.into()), "—");
        let p = Period::new(
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
        )
        .unwrap();
        let d = delta(&RECEIVED, &now, &before, &p, "环比");
        assert_eq!((d.text.as_str(), d.class), ("▲100.0%", "up"));
        let d = delta(&COMPLETION, &now, &before, &p, "环比");
        assert_eq!((d.text.as_str(), d.class), ("▲25.0个百分点", "up good"));
        let d = delta(&RESOLUTION, &now, &before, &p, "同比");
        assert_eq!((d.text.as_str(), d.class), ("持平", "flat"));
        let d = delta(&OVERDUE, &now, &Counters::ZERO.into(), &p, "同比");
        assert_eq!(d.text, "—");
        assert!(d.title.starts_with("同比期间 2026-01-01 至 2026-01-31"));
    }
}
