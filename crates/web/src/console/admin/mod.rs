//! 系统管理 pages: org units, departments, accounts, category codes, audit log, policies,
//! profile.
//!
//! Every page calls the same service functions and query structs as the JSON API, so
//! rules, validation and scope are identical; reads go through the store with the
//! user's scope.

mod account_detail;
mod accounts;
mod audit;
mod calendar;
mod categories;
mod departments;
mod org;
mod policies;
mod profile;
mod time_limits;

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use zongzhi_core::org::OrgLevel;
use zongzhi_core::role::Scope;
use zongzhi_store::{DepartmentFilter, MAX_PAGE, OrgUnit, OrgUnitFilter};

use super::{ConsoleError, render};
use crate::error::ApiError;
use crate::messages::zh_message;
use crate::state::AppState;

/// Admin routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/org-units", get(org::list).post(org::create))
        .route("/admin/org-units/{id}", get(org::detail).post(org::update))
        .route(
            "/admin/departments",
            get(departments::list).post(departments::create),
        )
        .route(
            "/admin/departments/{id}",
            get(departments::detail).post(departments::update),
        )
        .route("/admin/accounts", get(accounts::list))
        .route(
            "/admin/accounts/new",
            get(accounts::new_page).post(accounts::create),
        )
        .route(
            "/admin/accounts/{id}",
            get(account_detail::detail).post(account_detail::update_profile),
        )
        .route("/admin/accounts/{id}/status", post(account_detail::status))
        .route(
            "/admin/accounts/{id}/password",
            post(account_detail::reset_password),
        )
        .route("/admin/accounts/{id}/unlock", post(account_detail::unlock))
        .route(
            "/admin/accounts/{id}/phone",
            post(account_detail::reveal_phone),
        )
        .route("/admin/accounts/{id}/roles", post(account_detail::roles))
        .route(
            "/admin/categories",
            get(categories::list).post(categories::create),
        )
        .route("/admin/categories/{code}", post(categories::rename))
        .route("/admin/categories/{code}/status", post(categories::status))
        .route(
            "/admin/time-limits",
            get(time_limits::list).post(time_limits::create),
        )
        .route(
            "/admin/time-limits/{id}",
            get(time_limits::detail).post(time_limits::update),
        )
        .route("/admin/time-limits/{id}/status", post(time_limits::status))
        .route("/admin/calendar", get(calendar::show).post(calendar::save))
        .route("/admin/audit", get(audit::list))
        .route("/admin/policies", get(policies::show).post(policies::save))
        .route("/profile", get(profile::show))
        .route("/profile/password", post(profile::change_password))
}

/// `?notice=<code>` after a redirect; only known codes are shown, never free text.
#[derive(Debug, Default, Deserialize)]
pub(super) struct NoticeQuery {
    notice: Option<String>,
}

impl NoticeQuery {
    /// The Chinese text of the notice code, if known.
    fn text(&self) -> Option<String> {
        let t = match self.notice.as_deref()? {
            "created" => "已创建",
            "updated" => "已保存修改",
            "unchanged" => "未作修改",
            "enabled" => "已启用",
            "disabled" => "已停用",
            "password_reset" => "密码已重置，用户下次登录须修改密码",
            "unlocked" => "账号已解锁",
            "roles" => "角色已更新",
            _ => return None,
        };
        Some(t.to_owned())
    }
}

/// Field errors of a submitted form, shown beside each field, plus one page-level message.
#[derive(Debug, Default, Clone)]
pub(super) struct FormErrors {
    fields: Vec<(String, String)>,
    general: Option<String>,
    status: Option<StatusCode>,
}

impl FormErrors {
    /// The message for `field`, if it failed.
    pub(super) fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// The page-level message, if any.
    pub(super) fn summary(&self) -> Option<&str> {
        self.general.as_deref()
    }

    /// Sets the message of `field` (replacing any), keeping the rest.
    pub(super) fn set(&mut self, field: &str, message: &str) {
        self.fields.retain(|(f, _)| f != field);
        self.fields.push((field.to_owned(), message.to_owned()));
        if self.general.is_none() {
            self.general = Some(zh_message("validation_failed").to_owned());
        }
        if self.status.is_none() {
            self.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
        }
    }

    /// One field error.
    pub(super) fn field(field: &str, message: &str) -> Self {
        Self {
            fields: vec![(field.to_owned(), message.to_owned())],
            general: Some(zh_message("validation_failed").to_owned()),
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
        }
    }

    /// The errors of `e`: field errors on the fields of the form (`known`), everything
    /// else as the page-level message.
    pub(super) fn from_api(e: &ApiError, known: &[&str]) -> Self {
        let mut out = Self {
            status: Some(e.status),
            ..Self::default()
        };
        let mut stray = Vec::new();
        for f in &e.errors {
            let name = match f.field.as_str() {
                "parent" => "parent_id",
                "org_unit" => "org_unit_id",
                "department" => "department_id",
                other => other,
            };
            // The store refuses a level that is not directly below the parent's.
            let message = if name == "level" && f.code == "invalid_reference" {
                "层级须为上级单位的下一级".to_owned()
            } else {
                f.message.clone()
            };
            if known.contains(&name) {
                out.fields.push((name.to_owned(), message));
            } else {
                stray.push(message);
            }
        }
        let conflict = match e.code.as_str() {
            "username_taken" => Some("username"),
            "org_code_taken" => Some("code"),
            "department_name_taken" => Some("name"),
            "category_code_taken" => Some("code"),
            _ => None,
        };
        if let Some(field) = conflict.filter(|f| known.contains(f)) {
            out.fields
                .push((field.to_owned(), zh_message(&e.code).to_owned()));
        }
        out.general = if !stray.is_empty() {
            Some(stray.join("；"))
        } else if !out.fields.is_empty() {
            Some(zh_message("validation_failed").to_owned())
        } else {
            Some(e.detail_zh())
        };
        out
    }
}

/// Whether a failed write should re-render its form (bad input, conflict) rather than
/// show an error page (forbidden, not found, internal).
pub(super) fn is_form_error(e: &ApiError) -> bool {
    matches!(e.status.as_u16(), 400 | 409 | 422)
}

/// Turns an error into the form's errors, or into an error page.
pub(super) fn form_errors(e: ApiError, known: &[&str]) -> Result<FormErrors, ConsoleError> {
    if is_form_error(&e) {
        Ok(FormErrors::from_api(&e, known))
    } else {
        Err(ConsoleError(e))
    }
}

/// One `<option>` of a select.
#[derive(Debug, Clone)]
pub(super) struct Opt {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
    /// Whether selected.
    pub selected: bool,
}

/// Options with the one whose value equals `current` selected.
pub(super) fn opts<V: ToString, L: ToString>(
    items: impl IntoIterator<Item = (V, L)>,
    current: &str,
) -> Vec<Opt> {
    items
        .into_iter()
        .map(|(v, l)| {
            let value = v.to_string();
            Opt {
                selected: value == current,
                value,
                label: l.to_string(),
            }
        })
        .collect()
}

/// Level options (for filters and forms).
pub(super) fn level_opts(levels: &[OrgLevel], current: &str) -> Vec<Opt> {
    opts(levels.iter().map(|l| (l.as_str(), l.label_zh())), current)
}

/// Cursor pagination links and the total.
#[derive(Debug, Clone)]
pub(super) struct Pager {
    /// Rows matching in all.
    pub total: i64,
    /// Link to the next page.
    pub next: Option<String>,
    /// Link back to the first page (when not on it).
    pub first: Option<String>,
}

impl Pager {
    /// Links for `base` with the filter `pairs` (empty values dropped).
    pub(super) fn new(
        base: &str,
        pairs: &[(&str, &str)],
        total: i64,
        cursor: Option<&str>,
        next_cursor: Option<String>,
    ) -> Self {
        let first = cursor.filter(|c| !c.is_empty()).map(|_| href(base, pairs));
        let next = next_cursor.map(|c| {
            let mut p = pairs.to_vec();
            p.push(("cursor", c.as_str()));
            href(base, &p)
        });
        Self { total, next, first }
    }

    /// No rows (after a filter error).
    pub(super) fn empty() -> Self {
        Self {
            total: 0,
            next: None,
            first: None,
        }
    }
}

/// `base?k=v&…` with empty values dropped.
pub(super) fn href(base: &str, pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .copied()
        .collect();
    match serde_urlencoded::to_string(&kept) {
        Ok(q) if !q.is_empty() => format!("{base}?{q}"),
        _ => base.to_owned(),
    }
}

/// A form value as text (`None` → empty).
pub(super) fn text(v: Option<&String>) -> String {
    v.cloned().unwrap_or_default()
}

/// An id as text (`None` → empty).
pub(super) fn id_text(v: Option<i64>) -> String {
    v.map(|i| i.to_string()).unwrap_or_default()
}

/// Parses a selected id; empty or malformed → `None`.
pub(super) fn parse_id(s: &str) -> Option<i64> {
    s.trim().parse().ok()
}

/// A time as 北京时间 `YYYY-MM-DD HH:MM:SS`.
pub(super) fn fmt_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// Most options a unit or department select lists.
pub(super) const MAX_OPTIONS: usize = MAX_PAGE as usize;

/// Active units in `scope` on `levels` (tried in order until `MAX_OPTIONS`), sorted
/// by path, as select options labelled with their level.
pub(super) async fn unit_options(
    state: &AppState,
    scope: &Scope,
    levels: &[OrgLevel],
) -> Result<Vec<OrgUnit>, ConsoleError> {
    let mut units = Vec::new();
    for level in levels {
        if units.len() >= MAX_OPTIONS {
            break;
        }
        let filter = OrgUnitFilter {
            level: Some(*level),
            limit: Some(MAX_PAGE),
            ..Default::default()
        };
        let page = state.store.list_org_units(scope, &filter).await?;
        units.extend(page.items.into_iter().filter(|u| u.active));
    }
    units.truncate(MAX_OPTIONS);
    units.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(units)
}

/// `(id, label)` of units for a select.
pub(super) fn unit_pairs(units: &[OrgUnit]) -> Vec<(i64, String)> {
    let depth = |l: OrgLevel| OrgLevel::ALL.iter().position(|x| *x == l).unwrap_or(0);
    let top = units.iter().map(|u| depth(u.level)).min().unwrap_or(0);
    units
        .iter()
        .map(|u| {
            // Indented by level below the highest listed unit (the list is in path order).
            let indent = "\u{3000}".repeat(depth(u.level) - top);
            (u.id, format!("{indent}{} · {}", u.name, u.level.label_zh()))
        })
        .collect()
}

/// `(id, label)` of active departments in `scope` (at most `MAX_OPTIONS`).
pub(super) async fn department_pairs(
    state: &AppState,
    scope: &Scope,
) -> Result<Vec<(i64, String)>, ConsoleError> {
    let filter = DepartmentFilter {
        limit: Some(MAX_PAGE),
        ..Default::default()
    };
    let page = state.store.list_departments(scope, &filter).await?;
    Ok(page
        .items
        .into_iter()
        .filter(|d| d.active)
        .map(|d| (d.id, format!("{}（{}）", d.name, d.org_unit_name)))
        .collect())
}

/// Renders `t`; a page re-rendered after a failed write gets that failure's status.
pub(super) fn page(t: &impl askama::Template, errors: &FormErrors) -> Response {
    let mut res = render(t);
    if let Some(s) = errors.status {
        *res.status_mut() = s;
    }
    res
}
