//! The event timeline of 事件详情: who, when, from → to, what, and the note, with the
//! payload's facts (outcome, rating, new deadline …) in words.

use std::collections::HashMap;

use zongzhi_core::case::{Action, RouteTarget};
use zongzhi_store::{CaseDetail, CaseEventRow, StoreError};

use super::views::{fmt_min, kind_label};
use crate::cases::whole_tree;
use crate::error::ApiResult;
use crate::state::AppState;

/// One entry of the timeline.
#[derive(Debug, Clone)]
pub(super) struct EventItem {
    /// 北京时间.
    pub at: String,
    /// Who (`系统` for the deadline job).
    pub actor: String,
    /// Kind code (`route`, `deadline_overdue` …), for styling.
    pub kind: String,
    /// Kind label.
    pub label: &'static str,
    /// Status label before.
    pub from: &'static str,
    /// Status label after.
    pub to: &'static str,
    /// The status changed.
    pub changed: bool,
    /// Facts from the payload, in words.
    pub detail: String,
    /// The note.
    pub note: String,
}

/// Names of the departments and units the case's history may mention, from what the page
/// already knows (holder, co-handlers, center, and the forms' choices).
#[derive(Debug, Default)]
pub(super) struct Names {
    /// Department names by id.
    pub departments: HashMap<i64, String>,
    /// Org unit names by id.
    pub units: HashMap<i64, String>,
}

impl Names {
    /// The names `detail` carries.
    pub fn of(detail: &CaseDetail) -> Self {
        let c = &detail.case;
        let mut n = Self::default();
        n.units
            .insert(c.state.center_unit_id, c.center_unit_name.clone());
        n.units.insert(c.org_unit_id, c.org_unit_name.clone());
        if let (Some(id), Some(name)) = (c.state.holder_department_id(), &c.holder_department_name)
        {
            n.departments.insert(id, name.clone());
        }
        if let (Some(id), Some(name)) = (c.state.holder_unit_id(), &c.holder_unit_name) {
            n.units.insert(id, name.clone());
        }
        for (id, name) in &detail.co_handlers {
            n.departments.insert(*id, name.clone());
        }
        n
    }

    /// Looks up the departments and units the history mentions that the page did not
    /// know (an earlier route, a 提级 target): names of reference rows, read outside the
    /// user's subtree as the service does for its targets.
    pub async fn fill(&mut self, state: &AppState, d: &CaseDetail) -> ApiResult<()> {
        let all = whole_tree();
        for e in &d.events {
            let Ok(action) = serde_json::from_value::<Action>(e.payload.clone()) else {
                continue;
            };
            let (depts, units): (Vec<i64>, Vec<i64>) = match action {
                Action::Route {
                    target: RouteTarget::Department { id, co_handler_ids },
                    ..
                } => ([vec![id], co_handler_ids].concat(), Vec::new()),
                Action::Route {
                    target: RouteTarget::OrgUnit { id },
                    ..
                }
                | Action::Escalate {
                    to_org_unit_id: id, ..
                }
                | Action::SendDown {
                    to_org_unit_id: id, ..
                } => (Vec::new(), vec![id]),
                _ => continue,
            };
            for id in depts {
                if !self.departments.contains_key(&id)
                    && let Some(x) = found(state.store.get_department(&all, id).await)?
                {
                    self.departments.insert(id, x.name);
                }
            }
            for id in units {
                if !self.units.contains_key(&id)
                    && let Some(x) = found(state.store.get_org_unit(&all, id).await)?
                {
                    self.units.insert(id, x.name);
                }
            }
        }
        Ok(())
    }

    fn department(&self, id: i64) -> String {
        self.departments
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("部门#{id}"))
    }

    fn unit(&self, id: i64) -> String {
        self.units
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("单位#{id}"))
    }
}

/// A row, or `None` if it no longer exists.
fn found<T>(r: Result<T, StoreError>) -> ApiResult<Option<T>> {
    match r {
        Ok(x) => Ok(Some(x)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The payload's facts in words.
fn detail(e: &CaseEventRow, names: &Names, detail: &CaseDetail) -> String {
    let Ok(action) = serde_json::from_value::<Action>(e.payload.clone()) else {
        return e
            .payload
            .get("file_name")
            .and_then(|v| v.as_str())
            .map(|f| format!("文件：{f}"))
            .unwrap_or_default();
    };
    match action {
        Action::Register { channel } => format!("来源：{}", channel.label_zh()),
        Action::Route { target, .. } => match target {
            RouteTarget::Department { id, co_handler_ids } => {
                let mut s = format!("主办：{}", names.department(id));
                if !co_handler_ids.is_empty() {
                    let co: Vec<String> = co_handler_ids
                        .iter()
                        .map(|d| names.department(*d))
                        .collect();
                    s.push_str(&format!("；协办：{}", co.join("、")));
                }
                s
            }
            RouteTarget::OrgUnit { id } => format!("交办下级中心：{}", names.unit(id)),
        },
        Action::RequestExtension { days, .. } => format!("申请延期 {days} 天"),
        Action::DecideExtension { approved, .. } => if approved {
            "批准延期"
        } else {
            "不批准延期"
        }
        .to_owned(),
        Action::Resolve { outcome, .. } | Action::TriageClose { outcome, .. } => {
            format!("结果：{}", outcome.label_zh())
        }
        Action::Verify { passed, .. } => if passed {
            "核查通过"
        } else {
            "核查不通过"
        }
        .to_owned(),
        Action::FollowUp { rating, method, .. } => format!(
            "评价：{}（{}分）；方式：{}",
            rating.label_zh(),
            rating.value(),
            method.label_zh()
        ),
        Action::Supervise {
            level,
            new_deadline,
            ..
        } => format!("{}；新期限：{}", level.label_zh(), fmt_min(new_deadline)),
        Action::Urge { new_deadline, .. } => format!("新期限：{}", fmt_min(new_deadline)),
        Action::Escalate { to_org_unit_id, .. } => {
            format!("提级至：{}", names.unit(to_org_unit_id))
        }
        Action::SendDown { to_org_unit_id, .. } => {
            format!("下派至：{}", names.unit(to_org_unit_id))
        }
        Action::Merge { master_case_id, .. } => match &detail.master {
            Some(m) if m.id == master_case_id => format!("并入主案件：{}", m.tracking_no),
            _ => format!("并入主案件 #{master_case_id}"),
        },
        Action::Accept { .. }
        | Action::Return { .. }
        | Action::Progress { .. }
        | Action::Close { .. }
        | Action::Reopen { .. }
        | Action::Archive { .. } => String::new(),
    }
}

/// The timeline of `d`, newest first.
pub(super) fn items(d: &CaseDetail, names: &Names) -> Vec<EventItem> {
    d.events
        .iter()
        .rev()
        .map(|e| EventItem {
            at: fmt_min(e.at),
            actor: match (&e.actor_id, &e.actor_name) {
                (None, _) => "系统".to_owned(),
                (Some(_), Some(n)) => n.clone(),
                (Some(id), None) => format!("用户#{id}"),
            },
            kind: e.kind.clone(),
            label: kind_label(&e.kind),
            from: e.from_status.label_zh(),
            to: e.to_status.label_zh(),
            changed: e.from_status != e.to_status,
            detail: detail(e, names, d),
            note: e.note.clone().unwrap_or_default(),
        })
        .collect()
}
