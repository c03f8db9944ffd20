//! The columns of the ledger (矛盾纠纷排查化解台账) and of the case list, and one case as a
//! row of each. Dates go out as real dates; parties as names and masked phones only.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Asia::Shanghai;
use zongzhi_core::case::DeadlineState;
use zongzhi_report::xlsx::{Cell, CellKind, Column};
use zongzhi_store::Case;

use super::ExportKind;

/// Characters of 纠纷简要情况 kept (title + description).
const SUMMARY_CHARS: usize = 300;

fn local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&Shanghai).naive_local()
}

fn local_date(t: DateTime<Utc>) -> NaiveDate {
    local(t).date()
}

/// The table's title and columns.
pub(crate) fn columns(kind: ExportKind) -> Vec<Column> {
    let c = |h: &str, k| Column::new(h, k);
    match kind {
        ExportKind::Cases => vec![
            c("编号", CellKind::Text).width(18.0),
            c("标题", CellKind::Text).width(30.0),
            c("类别", CellKind::Text).width(16.0),
            c("渠道", CellKind::Text).width(12.0),
            c("状态", CellKind::Text).width(10.0),
            c("属地", CellKind::Text).width(14.0),
            c("主办", CellKind::Text).width(20.0),
            c("登记时间", CellKind::DateTime),
            c("期限", CellKind::DateTime),
            c("预警/超期", CellKind::Text).width(10.0),
            c("督办", CellKind::Text).width(10.0),
        ],
        _ => vec![
            c("序号", CellKind::Integer).width(7.0),
            c("登记编号(一案一码)", CellKind::Text).width(18.0),
            c("登记日期", CellKind::Date),
            c("来源渠道", CellKind::Text).width(12.0),
            c("事件类别", CellKind::Text).width(16.0),
            c("纠纷简要情况", CellKind::Text).width(48.0),
            c("当事人", CellKind::Text).width(28.0),
            c("涉及人数", CellKind::Integer),
            c("涉及金额(元)", CellKind::Money),
            c("发生地点", CellKind::Text).width(24.0),
            c("属地", CellKind::Text).width(14.0),
            c("责任单位/主办部门", CellKind::Text).width(26.0),
            c("办理状态", CellKind::Text).width(10.0),
            c("化解结果", CellKind::Text).width(16.0),
            c("是否按期", CellKind::Text).width(10.0),
            c("办结日期", CellKind::Date),
            c("回访满意度", CellKind::Text).width(12.0),
            c("督办情况", CellKind::Text).width(12.0),
            c("备注", CellKind::Text).width(20.0),
        ],
    }
}

/// Who leads the case now: the lead department or the lower-tier center holding it.
fn holder(c: &Case) -> Option<&str> {
    c.holder_department_name
        .as_deref()
        .or(c.holder_unit_name.as_deref())
}

fn supervision(c: &Case) -> String {
    match c.state.supervision_level {
        Some(l) => l.label_zh().to_owned(),
        None if c.state.ever_supervised => "曾督办".to_owned(),
        None => String::new(),
    }
}

fn text(s: impl Into<String>) -> Cell {
    let s = s.into();
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s)
    }
}

/// 纠纷简要情况: the title, then the description, cut to a readable length.
fn summary(c: &Case) -> String {
    let mut s = c.title.trim().to_owned();
    let d = c
        .description
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if !d.is_empty() {
        s.push('：');
        s.push_str(&d);
    }
    match s.char_indices().nth(SUMMARY_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// 是否按期: decided at 办结; an open case already past its deadline shows 已超期.
fn on_time(c: &Case) -> &'static str {
    match c.state.on_time {
        Some(true) => "是",
        Some(false) => "否",
        None if c.state.deadline_state == DeadlineState::Overdue => "已超期",
        None => "",
    }
}

fn remarks(c: &Case) -> String {
    let mut r = Vec::new();
    if c.state.master_case_id.is_some() {
        r.push("已并案".to_owned());
    }
    if c.state.reopen_count > 0 {
        r.push(format!("重办{}次", c.state.reopen_count));
    }
    if c.state.ever_overdue && c.state.on_time.is_some() {
        r.push("曾超期".to_owned());
    }
    r.join("；")
}

/// One ledger row (`n` is the 序号; `parties` names with masked phones).
pub(crate) fn ledger_row(n: i64, c: &Case, parties: &str) -> Vec<Cell> {
    let registered = c.state.registered_at.unwrap_or(c.created_at);
    let responsible = match holder(c) {
        Some(h) if h != c.center_unit_name => format!("{}/{}", c.center_unit_name, h),
        _ => c.center_unit_name.clone(),
    };
    vec![
        Cell::Int(n),
        Cell::Text(c.tracking_no.clone()),
        Cell::Date(local_date(registered)),
        Cell::Text(c.channel.label_zh().to_owned()),
        Cell::Text(c.category_name.clone()),
        Cell::Text(summary(c)),
        text(parties),
        c.people_involved.into(),
        c.amount_fen.map(|f| f as f64 / 100.0).into(),
        text(c.address.clone().unwrap_or_default()),
        Cell::Text(c.org_unit_name.clone()),
        Cell::Text(responsible),
        Cell::Text(c.state.status.label_zh().to_owned()),
        text(c.state.outcome.map(|o| o.label_zh()).unwrap_or_default()),
        text(on_time(c)),
        c.state.closed_at.map(local_date).into(),
        text(c.state.rating.map(|r| r.label_zh()).unwrap_or_default()),
        text(supervision(c)),
        text(remarks(c)),
    ]
}

/// One row of the case list.
pub(crate) fn case_row(c: &Case) -> Vec<Cell> {
    let registered = c.state.registered_at.unwrap_or(c.created_at);
    let mark = match c.state.deadline_state {
        DeadlineState::Normal => "",
        s => s.label_zh(),
    };
    vec![
        Cell::Text(c.tracking_no.clone()),
        Cell::Text(c.title.clone()),
        Cell::Text(c.category_name.clone()),
        Cell::Text(c.channel.label_zh().to_owned()),
        Cell::Text(c.state.status.label_zh().to_owned()),
        Cell::Text(c.org_unit_name.clone()),
        text(holder(c).unwrap_or_default()),
        Cell::DateTime(local(registered)),
        c.state.due_at().map(local).into(),
        text(mark),
        text(supervision(c)),
    ]
}
