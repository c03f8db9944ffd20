//! 工作台 for case roles: count cards of the queues that make sense for the user's roles,
//! each linking to 事件列表 with the same filter, and short lists of the most pressing ones.

use askama::Template;
use chrono::Datelike;
use zongzhi_core::role::Role;

use super::views::CaseRow;
use crate::auth::CurrentUser;
use crate::cases::{CaseListQuery, count_cases_as, list_cases_as};
use crate::console::admin::href;
use crate::console::{ConsoleResult, Layout, render};
use crate::error::ApiError;
use crate::state::AppState;

/// Rows in each short list.
const SHORT: i64 = 5;
/// Short lists shown at most (besides 最近登记).
const LISTS: usize = 3;

/// One queue: a count card and maybe a short list.
pub(super) struct Queue {
    /// Stable key (`data-queue`).
    pub key: &'static str,
    /// Label.
    pub label: &'static str,
    /// Colour of the card (`neutral`, `todo`, `warn`, `bad`, `ok`).
    pub tone: &'static str,
    /// Link to 事件列表 with this filter.
    pub href: String,
    /// How many.
    pub count: i64,
    /// The first few, when shown.
    pub rows: Vec<CaseRow>,
}

#[derive(Template)]
#[template(path = "cases/workbench.html")]
struct WorkbenchPage {
    layout: Layout,
    queues: Vec<Queue>,
    lists: Vec<Queue>,
    recent: Option<Queue>,
    can_register: bool,
}

/// What a queue is: key, label, tone, filter as query pairs, whether it earns a list.
type Spec = (
    &'static str,
    &'static str,
    &'static str,
    Vec<(&'static str, String)>,
    bool,
);

fn specs(user: &CurrentUser, month_start: String) -> Vec<Spec> {
    let has = |r| user.has_role(r);
    let dispatcher = has(Role::Dispatcher);
    let handler = has(Role::Handler) || has(Role::Mediator);
    let leader = has(Role::Leader);
    // Handlers see what their department (or lower-tier center) holds; dispatchers and
    // leaders everything in their scope.
    let mine = if handler && !dispatcher && !leader {
        vec![("mine", "true".to_owned())]
    } else {
        Vec::new()
    };
    let with = |pairs: &[(&'static str, &str)]| {
        let mut v: Vec<(&'static str, String)> =
            pairs.iter().map(|(k, x)| (*k, (*x).to_owned())).collect();
        v.extend(mine.clone());
        v
    };
    let mut out: Vec<Spec> = Vec::new();
    if dispatcher || has(Role::Intake) {
        // 分流 is the responsible center's job: a county dispatcher's queue is not every
        // town's triage cases in the county, only those waiting on the county center.
        out.push((
            "triage",
            "待分流",
            "todo",
            vec![
                ("status", "triage".to_owned()),
                ("center", user.account.org_unit_id.to_string()),
            ],
            true,
        ));
    }
    if dispatcher || handler {
        out.push((
            "assigned",
            "待签收",
            "todo",
            with(&[("status", "assigned")]),
            true,
        ));
        out.push((
            "in_progress",
            "办理中",
            "neutral",
            with(&[("status", "in_progress")]),
            handler,
        ));
    }
    if dispatcher || handler || leader {
        out.push((
            "warning",
            "即将超期",
            "warn",
            with(&[("warning", "true"), ("sort", "due")]),
            true,
        ));
        out.push((
            "overdue",
            "已超期",
            "bad",
            with(&[("overdue", "true"), ("sort", "due")]),
            true,
        ));
    }
    if dispatcher {
        out.push((
            "verify",
            "待核查",
            "todo",
            with(&[("status", "resolved,verifying")]),
            true,
        ));
        out.push((
            "follow_up",
            "待回访",
            "todo",
            with(&[("status", "closed")]),
            false,
        ));
    }
    if dispatcher || handler || leader {
        out.push((
            "supervised",
            "督办中",
            "bad",
            with(&[("supervised", "true"), ("sort", "due")]),
            leader,
        ));
    }
    if leader || has(Role::GridWorker) {
        let label = if leader {
            "事件总数"
        } else {
            "辖区事件"
        };
        out.push(("all", label, "neutral", Vec::new(), false));
        out.push((
            "month",
            "本月受理",
            "ok",
            vec![("from", month_start)],
            false,
        ));
    }
    out
}

fn query(pairs: &[(&str, String)]) -> Result<CaseListQuery, ApiError> {
    let text = serde_urlencoded::to_string(pairs).map_err(|e| ApiError::internal(&e))?;
    serde_urlencoded::from_str(&text).map_err(|e| ApiError::internal(&e))
}

/// The workbench of a user with case roles.
pub async fn page(state: &AppState, user: &CurrentUser) -> ConsoleResult {
    let today = state
        .clock
        .now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let month_start = today.with_day(1).unwrap_or(today).to_string();
    let mut queues = Vec::new();
    let mut lists = Vec::new();
    for (key, label, tone, pairs, listed) in specs(user, month_start) {
        let q = query(&pairs)?;
        let count = count_cases_as(state, user, &q).await?;
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let queue = Queue {
            key,
            label,
            tone,
            href: href("/cases", &refs),
            count,
            rows: Vec::new(),
        };
        if listed && count > 0 && lists.len() < LISTS {
            let short = CaseListQuery {
                limit: Some(SHORT),
                ..q
            };
            let rows = list_cases_as(state, user, &short).await?.items;
            lists.push(Queue {
                rows: rows.iter().map(CaseRow::new).collect(),
                ..queue.shallow()
            });
        }
        queues.push(queue);
    }
    // Intake clerks see what came in last (newest first, in their scope); grid workers
    // what they reported themselves.
    let recent = if user.has_role(Role::Intake) {
        let q = CaseListQuery {
            limit: Some(8),
            ..CaseListQuery::default()
        };
        let rows = list_cases_as(state, user, &q).await?.items;
        Some(Queue {
            key: "recent",
            label: "最近登记",
            tone: "neutral",
            href: "/cases".to_owned(),
            count: i64::try_from(rows.len()).unwrap_or(0),
            rows: rows.iter().map(CaseRow::new).collect(),
        })
    } else if user.has_role(Role::GridWorker) {
        let q = CaseListQuery {
            mine_registered: Some(true),
            limit: Some(8),
            ..CaseListQuery::default()
        };
        let count = count_cases_as(state, user, &q).await?;
        let rows = list_cases_as(state, user, &q).await?.items;
        Some(Queue {
            key: "mine_registered",
            label: "我的上报",
            tone: "neutral",
            href: "/cases?mine_registered=true".to_owned(),
            count,
            rows: rows.iter().map(CaseRow::new).collect(),
        })
    } else {
        None
    };
    Ok(render(&WorkbenchPage {
        layout: Layout::new(user, "工作台", "workbench"),
        queues,
        lists,
        recent,
        can_register: super::can_register(user),
    }))
}

impl Queue {
    /// The card of a queue whose rows went to a list.
    fn shallow(&self) -> Queue {
        Queue {
            key: self.key,
            label: self.label,
            tone: self.tone,
            href: self.href.clone(),
            count: self.count,
            rows: Vec::new(),
        }
    }
}
