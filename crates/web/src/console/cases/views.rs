//! What the case pages show: rows of case lists, times in 北京时间, badges, and the errors of
//! a submitted form.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use zongzhi_core::case::{ActionKind, CaseStatus, DeadlineState, SupervisionLevel, Urgency};
use zongzhi_store::Case;

use crate::console::{ConsoleError, render};
use crate::error::ApiError;
use crate::messages::zh_message;

/// Shown when another clerk acted first (409 `stale_version`).
pub(super) const STALE: &str = "事件已被他人更新，请刷新后重试";

/// A time as 北京时间 `YYYY-MM-DD HH:MM`.
pub(super) fn fmt_min(t: DateTime<Utc>) -> String {
    t.with_timezone(&Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// An optional time as [`fmt_min`], or empty.
pub(super) fn fmt_opt(t: Option<DateTime<Utc>>) -> String {
    t.map(fmt_min).unwrap_or_default()
}

/// Parses a `datetime-local` value (北京时间, minutes or seconds); blank is `Ok(None)`.
pub(super) fn parse_local(s: &str) -> Result<Option<DateTime<Utc>>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .map_err(|_| ())?;
    Shanghai
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| Some(t.with_timezone(&Utc)))
        .ok_or(())
}

/// Amount in fen as yuan text (`1234.50`).
pub(super) fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

/// Label of an event kind: an action's, or a system event's.
pub(super) fn kind_label(kind: &str) -> &'static str {
    if let Some(k) = ActionKind::parse(kind) {
        return k.label_zh();
    }
    match kind {
        "deadline_warning" => "临期预警",
        "deadline_overdue" => "超期",
        "attachment_added" => "上传附件",
        _ => "其他",
    }
}

/// One case in a list.
#[derive(Debug, Clone)]
pub(super) struct CaseRow {
    /// Id.
    pub id: i64,
    /// 事件编号.
    pub tracking_no: String,
    /// Title.
    pub title: String,
    /// Category name.
    pub category: String,
    /// Status.
    pub status: CaseStatus,
    /// Urgency.
    pub urgency: Urgency,
    /// The running deadline, formatted; empty when none runs.
    pub due: String,
    /// 预警 / 超期.
    pub deadline: DeadlineState,
    /// 督办 level, while supervised.
    pub supervision: Option<SupervisionLevel>,
    /// Responsible center.
    pub center: String,
    /// Who holds it (department or lower-tier center), empty if nobody.
    pub holder: String,
    /// Reported at, formatted.
    pub reported: String,
}

impl CaseRow {
    /// The row of `c`.
    pub fn new(c: &Case) -> Self {
        let s = &c.state;
        Self {
            id: c.id,
            tracking_no: c.tracking_no.clone(),
            title: c.title.clone(),
            category: c.category_name.clone(),
            status: s.status,
            urgency: c.urgency,
            due: fmt_opt(s.due_at()),
            deadline: s.deadline_state,
            supervision: s.supervision_level,
            center: c.center_unit_name.clone(),
            holder: holder_name(c),
            reported: fmt_min(c.reported_at),
        }
    }
}

/// The holder's name: the lead department, or the lower-tier center.
pub(super) fn holder_name(c: &Case) -> String {
    c.holder_department_name
        .clone()
        .or_else(|| c.holder_unit_name.clone())
        .unwrap_or_default()
}

/// Errors of a submitted form: field messages shown beside each field (by field name as the
/// service reports it, e.g. `parties[0].id_card_no`) and one message on top.
#[derive(Debug, Default, Clone)]
pub(super) struct Errors {
    fields: Vec<(String, String)>,
    general: Option<String>,
    status: Option<StatusCode>,
}

impl Errors {
    /// The message for `field`, if it failed.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// Every message of fields whose name starts with `prefix`.
    pub fn with_prefix(&self, prefix: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(f, _)| f.starts_with(prefix))
            .map(|(_, m)| m.as_str())
            .collect()
    }

    /// Names of the fields that failed.
    pub fn names(&self) -> Vec<&str> {
        self.fields.iter().map(|(f, _)| f.as_str()).collect()
    }

    /// The message on top of the form, if any.
    pub fn summary(&self) -> Option<&str> {
        self.general.as_deref()
    }

    /// No error at all.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_none()
    }

    /// Sets the message of `field` (keeping the first one a field got).
    pub fn set(&mut self, field: &str, message: &str) {
        if self.get(field).is_none() {
            self.fields.push((field.to_owned(), message.to_owned()));
        }
        if self.general.is_none() {
            self.general = Some(zh_message("validation_failed").to_owned());
        }
        self.status.get_or_insert(StatusCode::UNPROCESSABLE_ENTITY);
    }

    /// Renames fields with `f` (form rows that were skipped shift the service's indexes).
    pub fn rename(&mut self, f: impl Fn(&str) -> String) {
        for (name, _) in &mut self.fields {
            *name = f(name);
        }
    }

    /// The errors of a failed service call.
    pub fn from_api(e: &ApiError) -> Self {
        let mut out = Self {
            status: Some(e.status),
            ..Self::default()
        };
        for f in &e.errors {
            let name = match f.field.as_str() {
                "reason" | "answer" => "note",
                other => other,
            };
            if out.get(name).is_none() {
                out.fields.push((name.to_owned(), f.message.clone()));
            }
        }
        out.general = Some(if !out.fields.is_empty() {
            zh_message("validation_failed").to_owned()
        } else {
            match e.code.as_str() {
                "stale_version" => STALE.to_owned(),
                "action_not_allowed" => not_allowed_text(e),
                "body_too_large" => "提交内容过大：附件每个不超过20MB，一次最多5个".to_owned(),
                _ => e.detail_zh(),
            }
        });
        out
    }
}

/// 409 `action_not_allowed` in Chinese, with what the user may do instead.
fn not_allowed_text(e: &ApiError) -> String {
    let allowed: Vec<&str> = e
        .extra
        .get("allowed_actions")
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str())
                .filter_map(ActionKind::parse)
                .map(ActionKind::label_zh)
                .collect()
        })
        .unwrap_or_default();
    if allowed.is_empty() {
        "事件当前状态下您不能执行该操作，请刷新后查看".to_owned()
    } else {
        format!(
            "事件当前状态下您不能执行该操作（现可执行：{}），请刷新后查看",
            allowed.join("、")
        )
    }
}

/// Whether a failed write re-renders its form (bad input, conflict, too large) rather than
/// showing an error page (forbidden, not found, internal).
pub(super) fn is_form_error(e: &ApiError) -> bool {
    matches!(e.status.as_u16(), 400 | 409 | 413 | 422)
        || (e.status == StatusCode::FORBIDDEN && !e.errors.is_empty())
}

/// The form's errors, or an error page for anything else.
pub(super) fn form_errors(e: ApiError) -> Result<Errors, ConsoleError> {
    if is_form_error(&e) {
        Ok(Errors::from_api(&e))
    } else {
        Err(ConsoleError(e))
    }
}

/// Renders `t` with the status of the failure it shows, if any.
pub(super) fn page(t: &impl askama::Template, errors: &Errors) -> Response {
    let mut res = render(t);
    if let Some(s) = errors.status {
        *res.status_mut() = s;
    }
    res
}

/// A form's submitted fields, in order (checkboxes and multi-selects repeat their name).
#[derive(Debug, Default, Clone)]
pub(super) struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, or empty.
    pub fn one(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// The first value of `name`, trimmed, `None` when blank.
    pub fn opt(&self, name: &str) -> Option<String> {
        let v = self.one(name);
        let t = v.trim();
        (!t.is_empty()).then(|| t.to_owned())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn local_times_are_beijing_time() {
        let t = parse_local("2026-11-23T09:30").unwrap().unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-23T01:30:00+00:00");
        assert_eq!(fmt_min(t), "2026-11-23 09:30");
        assert_eq!(parse_local(" "), Ok(None));
        assert!(parse_local("tomorrow").is_err());
    }

    #[test]
    fn yuan_keeps_two_decimals() {
        assert_eq!(yuan(123_450), "1234.50");
        assert_eq!(yuan(5), "0.05");
    }

    #[test]
    fn kinds_have_labels() {
        assert_eq!(kind_label("route"), "分流交办");
        assert_eq!(kind_label("deadline_overdue"), "超期");
        assert_eq!(kind_label("attachment_added"), "上传附件");
    }
}
