//! 办理时限: the time-limit table with its matchers and limits, creation, editing and
//! 启用/停用 for the system administrator (rules are never deleted).

use askama::Template;
use axum::extract::State;
use axum::response::Redirect;
use zongzhi_core::case::limits::Limit;
use zongzhi_core::case::{Channel, Complexity, Urgency};
use zongzhi_core::org::OrgLevel;
use zongzhi_store::{Category, TimeLimitRow};

use super::{FormErrors, NoticeQuery, Opt, fmt_time, form_errors, opts, page};
use crate::api::audited;
use crate::auth::CurrentUser;
use crate::console::{ConsoleResult, Layout};
use crate::error::ApiError;
use crate::extract::{ApiForm, ApiPath, ApiQuery};
use crate::state::AppState;
use crate::timing::rules::{UNITS, unit_label, unit_str};
use crate::timing::{
    LimitView, NewTimeLimitRequest, TimeLimitPatchRequest, can_manage, create_time_limit_as,
    list_time_limits_as, update_time_limit_as,
};

const BASE: &str = "/admin/time-limits";
const TITLE: &str = "办理时限";
const KEY: &str = "time-limits";
const FIELDS: &[&str] = &[
    "category",
    "tier",
    "urgency",
    "complexity",
    "channel",
    "accept_amount",
    "accept_unit",
    "finish_amount",
    "finish_unit",
    "active",
];

/// A rule's form as submitted (kept on errors); blank matchers mean "any".
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub(super) struct RuleForm {
    category: String,
    tier: String,
    urgency: String,
    complexity: String,
    channel: String,
    accept_amount: String,
    accept_unit: String,
    finish_amount: String,
    finish_unit: String,
    /// `true`/`false` on the edit form; absent on the create form.
    active: String,
}

impl RuleForm {
    fn new_rule() -> Self {
        Self {
            accept_amount: "1".to_owned(),
            accept_unit: unit_str(UNITS[0]).to_owned(),
            finish_amount: "7".to_owned(),
            finish_unit: unit_str(UNITS[0]).to_owned(),
            ..Self::default()
        }
    }

    fn from_row(r: &TimeLimitRow) -> Self {
        let s = |v: Option<&str>| v.unwrap_or_default().to_owned();
        Self {
            category: s(r.rule.category.as_deref()),
            tier: s(r.rule.tier.map(OrgLevel::as_str)),
            urgency: s(r.rule.urgency.map(Urgency::as_str)),
            complexity: s(r.rule.complexity.map(Complexity::as_str)),
            channel: s(r.rule.channel.map(Channel::as_str)),
            accept_amount: r.rule.accept.amount.to_string(),
            accept_unit: unit_str(r.rule.accept.unit).to_owned(),
            finish_amount: r.rule.finish.amount.to_string(),
            finish_unit: unit_str(r.rule.finish.unit).to_owned(),
            active: r.active.to_string(),
        }
    }

    /// A limit from the form; a non-number becomes an out-of-range amount, so the service
    /// reports it with the unit's range.
    fn limit(amount: &str, unit: &str) -> LimitView {
        LimitView {
            amount: amount.trim().parse().unwrap_or(-1),
            unit: unit.to_owned(),
        }
    }
}

/// The select options of the rule form.
struct FormOptions {
    categories: Vec<Opt>,
    tiers: Vec<Opt>,
    urgencies: Vec<Opt>,
    complexities: Vec<Opt>,
    channels: Vec<Opt>,
    accept_units: Vec<Opt>,
    finish_units: Vec<Opt>,
}

impl FormOptions {
    fn new(cats: &[Category], f: &RuleForm) -> Self {
        let cat_items = cats
            .iter()
            .filter(|c| c.active || c.code == f.category)
            .map(|c| {
                let indent = if c.parent_code.is_some() {
                    "\u{3000}"
                } else {
                    ""
                };
                (c.code.clone(), format!("{indent}{} {}", c.code, c.name))
            });
        let units = |cur: &str| opts(UNITS.iter().map(|u| (unit_str(*u), unit_label(*u))), cur);
        Self {
            categories: opts(cat_items, &f.category),
            tiers: opts(
                OrgLevel::ALL.iter().map(|l| (l.as_str(), l.label_zh())),
                &f.tier,
            ),
            urgencies: opts(
                Urgency::ALL.iter().map(|u| (u.as_str(), u.label_zh())),
                &f.urgency,
            ),
            complexities: opts(
                Complexity::ALL.iter().map(|c| (c.as_str(), c.label_zh())),
                &f.complexity,
            ),
            channels: opts(
                Channel::ALL.iter().map(|c| (c.as_str(), c.label_zh())),
                &f.channel,
            ),
            accept_units: units(&f.accept_unit),
            finish_units: units(&f.finish_unit),
        }
    }
}

/// One table row, in words; `None` matchers match anything.
#[derive(Debug)]
struct Row {
    id: i64,
    category: Option<String>,
    tier: Option<&'static str>,
    urgency: Option<&'static str>,
    complexity: Option<&'static str>,
    channel: Option<&'static str>,
    accept: String,
    finish: String,
    active: bool,
    updated_at: String,
}

/// `3 工作日`.
pub(super) fn limit_text(l: Limit) -> String {
    format!("{} {}", l.amount, unit_label(l.unit))
}

fn category_text(cats: &[Category], code: &str) -> String {
    match cats.iter().find(|c| c.code == code) {
        Some(c) => format!("{} {}", c.code, c.name),
        None => code.to_owned(),
    }
}

fn row(r: &TimeLimitRow, cats: &[Category]) -> Row {
    Row {
        id: r.id,
        category: r.rule.category.as_deref().map(|c| category_text(cats, c)),
        tier: r.rule.tier.map(OrgLevel::label_zh),
        urgency: r.rule.urgency.map(Urgency::label_zh),
        complexity: r.rule.complexity.map(Complexity::label_zh),
        channel: r.rule.channel.map(Channel::label_zh),
        accept: limit_text(r.rule.accept),
        finish: limit_text(r.rule.finish),
        active: r.active,
        updated_at: fmt_time(r.updated_at),
    }
}

#[derive(Template)]
#[template(path = "admin/time_limits.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    can_manage: bool,
    row_errors: FormErrors,
    form: RuleForm,
    sel: FormOptions,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "admin/time_limit.html")]
struct EditPage {
    layout: Layout,
    r: Row,
    can_manage: bool,
    form: RuleForm,
    sel: FormOptions,
    errors: FormErrors,
}

/// The service's field names (`accept.amount`) as the form's (`accept_amount`).
fn form_error(mut e: ApiError) -> Result<FormErrors, crate::console::ConsoleError> {
    for f in &mut e.errors {
        f.field = f.field.replace('.', "_");
    }
    form_errors(e, FIELDS)
}

async fn categories(state: &AppState) -> ConsoleResult<Vec<Category>> {
    Ok(state.store.list_categories(true).await?)
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<String>,
    form: RuleForm,
    errors: FormErrors,
    row_errors: FormErrors,
) -> ConsoleResult {
    let rules = list_time_limits_as(state, user).await?;
    let cats = categories(state).await?;
    let p = ListPage {
        layout: Layout::new(user, TITLE, KEY).with_notice(notice),
        rows: rules.iter().map(|r| row(r, &cats)).collect(),
        can_manage: can_manage(user),
        row_errors,
        sel: FormOptions::new(&cats, &form),
        form,
        errors,
    };
    let status = if p.errors.summary().is_some() {
        &p.errors
    } else {
        &p.row_errors
    };
    Ok(page(&p, status))
}

/// `GET /admin/time-limits`
pub(super) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    n: Result<ApiQuery<NoticeQuery>, ApiError>,
) -> ConsoleResult {
    let ApiQuery(n) = n?;
    let (f, e) = (RuleForm::new_rule(), FormErrors::default());
    list_page(&state, &user, n.text(), f, e, FormErrors::default()).await
}

/// `POST /admin/time-limits`: adds a rule.
pub(super) async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Result<ApiForm<RuleForm>, ApiError>,
) -> ConsoleResult {
    let ApiForm(f) = form?;
    let blank = |s: &str| Some(s.to_owned()).filter(|s| !s.trim().is_empty());
    let req = NewTimeLimitRequest {
        category: blank(&f.category),
        tier: blank(&f.tier),
        urgency: blank(&f.urgency),
        complexity: blank(&f.complexity),
        channel: blank(&f.channel),
        accept: RuleForm::limit(&f.accept_amount, &f.accept_unit),
        finish: RuleForm::limit(&f.finish_amount, &f.finish_unit),
    };
    match create_time_limit_as(&state, &user, req).await {
        Ok(r) => Ok(audited(Redirect::to(&format!(
            "{BASE}?notice=created#rule-{}",
            r.id
        )))),
        Err(e) => {
            let errors = form_error(e)?;
            list_page(&state, &user, None, f, errors, FormErrors::default()).await
        }
    }
}

async fn edit_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    notice: Option<String>,
    form: Option<RuleForm>,
    errors: FormErrors,
) -> ConsoleResult {
    let rules = list_time_limits_as(state, user).await?;
    let Some(current) = rules.iter().find(|r| r.id == id) else {
        return Err(ApiError::not_found().into());
    };
    let cats = categories(state).await?;
    let form = form.unwrap_or_else(|| RuleForm::from_row(current));
    let p = EditPage {
        layout: Layout::new(user, &format!("{TITLE} · 规则 {id}"), KEY).with_notice(notice),
        r: row(current, &cats),
        can_manage: can_manage(user),
        sel: FormOptions::new(&cats, &form),
        form,
        errors,
    };
    Ok(page(&p, &p.errors))
}

/// `GET /admin/time-limits/{id}`
pub(super) async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
    n: Result<ApiQuery<NoticeQuery>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let ApiQuery(n) = n?;
    edit_page(&state, &user, id, n.text(), None, FormErrors::default()).await
}

/// `POST /admin/time-limits/{id}`: edits a rule (every field, including 启用/停用).
pub(super) async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
    form: Result<ApiForm<RuleForm>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let ApiForm(f) = form?;
    let matcher = |s: &str| Some(Some(s.to_owned()).filter(|s| !s.trim().is_empty()));
    let active = match f.active.as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    };
    let req = TimeLimitPatchRequest {
        category: matcher(&f.category),
        tier: matcher(&f.tier),
        urgency: matcher(&f.urgency),
        complexity: matcher(&f.complexity),
        channel: matcher(&f.channel),
        accept: Some(RuleForm::limit(&f.accept_amount, &f.accept_unit)),
        finish: Some(RuleForm::limit(&f.finish_amount, &f.finish_unit)),
        active,
    };
    match update_time_limit_as(&state, &user, id, req).await {
        Ok(r) => Ok(audited(Redirect::to(&format!(
            "{BASE}?notice=updated#rule-{}",
            r.id
        )))),
        Err(e) => {
            let errors = form_error(e)?;
            edit_page(&state, &user, id, None, Some(f), errors).await
        }
    }
}

/// The 启用/停用 button of one row.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct StatusForm {
    active: String,
}

/// `POST /admin/time-limits/{id}/status`: 启用/停用 (never deletes).
pub(super) async fn status(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
    form: Result<ApiForm<StatusForm>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let ApiForm(f) = form?;
    let active = match f.active.as_str() {
        "true" => true,
        "false" => false,
        _ => {
            let e = ApiError::field("active", "active_invalid", "状态无效");
            return list_page(
                &state,
                &user,
                None,
                RuleForm::new_rule(),
                FormErrors::default(),
                form_errors(e, &[])?,
            )
            .await;
        }
    };
    let req = TimeLimitPatchRequest {
        active: Some(active),
        ..TimeLimitPatchRequest::default()
    };
    match update_time_limit_as(&state, &user, id, req).await {
        Ok(r) => {
            let notice = if active { "enabled" } else { "disabled" };
            Ok(audited(Redirect::to(&format!(
                "{BASE}?notice={notice}#rule-{}",
                r.id
            ))))
        }
        Err(e) => {
            // Activating a rule that duplicates an active one: say so above the table.
            let row_errors = form_errors(e, &[])?;
            list_page(
                &state,
                &user,
                None,
                RuleForm::new_rule(),
                FormErrors::default(),
                row_errors,
            )
            .await
        }
    }
}
