//! 指标说明: every metric's definition in Chinese, exactly as `zongzhi_core::metrics` defines
//! it (its module doc), so nobody argues about what a number means. The counted metrics come
//! from [`Metric::ALL`] with an exhaustive `match`: a new metric does not compile until it is
//! explained here.

use askama::Template;
use zongzhi_core::metrics::Metric;
use zongzhi_core::role::Permission;

use super::Tab;
use crate::auth::CurrentUser;
use crate::console::{ConsoleResult, Layout, render};

/// One row of the definitions table.
pub(super) struct Definition {
    /// Anchor id (`metric-received`).
    pub id: String,
    /// Chinese name.
    pub name: &'static str,
    /// API field name (`received`, `completion_rate`).
    pub field: &'static str,
    /// How it is computed.
    pub formula: &'static str,
    /// Notes: what counts, what does not.
    pub note: &'static str,
}

/// What a counted metric means (the numerators and denominators of the rates).
fn counted(m: Metric) -> (&'static str, &'static str) {
    match m {
        Metric::Received => (
            "期间内受理的事件数",
            "按受理日期统计；被合并到主件的重复事件不计（由主件计一次）。",
        ),
        Metric::Open => (
            "上述事件中目前仍在办理的事件数",
            "状态为待受理、待分流、已交办、办理中、已办结、核查中之一。",
        ),
        Metric::Closed => (
            "上述事件中已结案的事件数",
            "含已回访、已归档；被重新办理（重办）后不再算已结案，直至再次结案。",
        ),
        Metric::Resolved => (
            "已结案且办理结果为“调解成功”或“部分化解”的事件数",
            "“调解不成已引导诉讼/仲裁”“已答复”“不予受理”“已移交”不算化解。",
        ),
        Metric::OnTime => (
            "已结案、在办结时限内办结且从未超期的事件数",
            "在受理窗口当场调处结案的视为按期；一旦超期，之后延期或督办改期也不再算按期。",
        ),
        Metric::Accepted => ("至少被签收过一次的事件数", "平均签收用时的分母。"),
        Metric::Rated => (
            "已回访且有满意度评价的事件数",
            "按最近一次回访的评价计；满意率的分母。",
        ),
        Metric::Satisfied => (
            "评价为非常满意、满意或基本满意的事件数",
            "“非常满意”也计入满意（按12345通行做法理解“满意”为满意一档）。",
        ),
        Metric::Overdue => (
            "曾被标记为超期的事件数",
            "超期标记一经产生即保留，办结后仍计入。",
        ),
        Metric::Supervised => (
            "曾被督办的事件数",
            "人工督办与超期后的自动督办都计入，督办结束后仍计入。",
        ),
        Metric::Reopened => ("至少被重新办理（重办）一次的事件数", "重办率的分子。"),
    }
}

/// The derived figures: rates and average times.
const DERIVED: [(&str, &str, &str, &str, &str); 7] = [
    (
        "completion_rate",
        "办结率",
        "completion_rate",
        "办结（已结案，含已回访、已归档）÷ 受理量",
        "分母为零时显示“—”。",
    ),
    (
        "resolution_rate",
        "化解率",
        "resolution_rate",
        "化解（办理结果为调解成功或部分化解）÷ 已结案",
        "分母是已结案的事件，不是受理量。",
    ),
    (
        "on_time_rate",
        "按期办结率",
        "on_time_rate",
        "按期办结（已结案，在办结时限内办结且从未超期）÷ 已结案",
        "",
    ),
    (
        "satisfaction_rate",
        "满意率",
        "satisfaction_rate",
        "满意（非常满意、满意、基本满意）÷ 已回访评价（任一回访评价）",
        "未回访或回访未评价的事件不进入分母。",
    ),
    (
        "reopen_rate",
        "重办率",
        "reopen_rate",
        "重办（至少重新办理一次）÷ 已结案",
        "",
    ),
    (
        "avg_accept_days",
        "平均签收用时",
        "avg_accept_days",
        "从登记到首次签收的工作时间之和 ÷ 已签收事件数",
        "以工作日表示（1个工作日 = 工作日内的24小时）；工作时间的计算见下文。",
    ),
    (
        "avg_close_days",
        "平均办结用时",
        "avg_close_days",
        "从登记到结案的工作时间之和 ÷ 已结案事件数",
        "以工作日表示；重办的事件按其最后一次结案计算。",
    ),
];

#[derive(Template)]
#[template(path = "stats/help.html")]
struct HelpPage {
    layout: Layout,
    tabs: Vec<Tab>,
    counted: Vec<Definition>,
    derived: Vec<Definition>,
}

/// The counted metrics' definitions, in [`Metric::ALL`] order.
pub(super) fn counted_definitions() -> Vec<Definition> {
    Metric::ALL
        .iter()
        .map(|m| {
            let (formula, note) = counted(*m);
            Definition {
                id: format!("metric-{}", m.as_str()),
                name: m.label_zh(),
                field: m.as_str(),
                formula,
                note,
            }
        })
        .collect()
}

/// The rates' and averages' definitions.
pub(super) fn derived_definitions() -> Vec<Definition> {
    DERIVED
        .iter()
        .map(|(id, name, field, formula, note)| Definition {
            id: format!("metric-{id}"),
            name,
            field,
            formula,
            note,
        })
        .collect()
}

/// `GET /stats/help`
pub(super) async fn page(user: CurrentUser) -> ConsoleResult {
    user.require(Permission::ReadStats)?;
    let p = HelpPage {
        layout: Layout::new(&user, "指标说明", "stats-help"),
        tabs: super::tabs("help"),
        counted: counted_definitions(),
        derived: derived_definitions(),
    };
    Ok(render(&p))
}
