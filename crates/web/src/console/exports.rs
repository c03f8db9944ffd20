//! 台账导出: request a ledger, case list or report, and follow my jobs (a small script polls
//! `GET /api/v1/exports/{id}` for the ones still running) until a 下载 link appears.
//!
//! The case list's 导出 button opens this page with its filters in the query string, so
//! the form starts from the list the user was looking at.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use zongzhi_core::case::{CaseStatus, Channel};
use zongzhi_core::metrics::Metric;
use zongzhi_core::org::OrgLevel;
use zongzhi_core::role::Permission;

use super::admin::{Opt, fmt_time, opts, unit_options, unit_pairs};
use super::{ConsoleError, ConsoleResult, Layout, render};
use crate::auth::SessionCtx;
use crate::error::ApiError;
use crate::exports::{
    ExportFormat, ExportKind, ExportRequest, ExportView, create_export_as, list_exports_as,
};
use crate::extract::{ApiForm, ApiQuery};
use crate::messages::zh_message;
use crate::state::AppState;

/// Export routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/exports", get(page).post(create))
}

/// The form's fields as submitted (every value text; blank is absent).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ExportForm {
    kind: String,
    format: String,
    org_unit: String,
    from: String,
    to: String,
    q: String,
    status: String,
    category: String,
    channel: String,
    metric: String,
    lead_department: String,
    overdue: String,
    warning: String,
    supervised: String,
    mine: String,
    mine_registered: String,
    /// Case list filters an export does not take (shown as a note when present).
    party_id_card: String,
    party_phone: String,
    tracking_no: String,
    department: String,
    center: String,
    /// The job just created (after the redirect).
    created: String,
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

fn flag(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "1" | "on" => Some(true),
        "false" | "0" | "off" => Some(false),
        _ => None,
    }
}

/// An id field: blank is absent, anything else that is no number names no unit (404).
fn id(s: &str) -> Option<i64> {
    opt(s).map(|v| v.parse().unwrap_or(-1))
}

impl ExportForm {
    fn request(&self) -> ExportRequest {
        ExportRequest {
            kind: self.kind.trim().to_owned(),
            format: opt(&self.format),
            org_unit: id(&self.org_unit),
            from: opt(&self.from),
            to: opt(&self.to),
            q: opt(&self.q),
            status: opt(&self.status),
            category: opt(&self.category),
            channel: opt(&self.channel),
            metric: opt(&self.metric),
            lead_department: id(&self.lead_department),
            overdue: flag(&self.overdue),
            warning: flag(&self.warning),
            supervised: flag(&self.supervised),
            mine: flag(&self.mine),
            mine_registered: flag(&self.mine_registered),
        }
    }

    /// Whether the case list sent filters that an export leaves out.
    fn dropped_filters(&self) -> bool {
        [
            &self.party_id_card,
            &self.party_phone,
            &self.tracking_no,
            &self.department,
            &self.center,
        ]
        .iter()
        .any(|s| !s.trim().is_empty())
    }
}

/// Errors beside the fields and one line on top.
#[derive(Debug, Default)]
struct FormErrors {
    fields: Vec<(String, String)>,
    summary: Option<String>,
}

impl FormErrors {
    fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    fn from_api(e: &ApiError) -> Self {
        let mut out = Self::default();
        for f in &e.errors {
            if out.get(&f.field).is_none() {
                out.fields.push((f.field.clone(), f.message.clone()));
            }
        }
        if e.code == "not_found" {
            out.fields
                .push(("org_unit".to_owned(), zh_message("not_found").to_owned()));
        }
        out.summary = Some(if e.errors.is_empty() {
            zh_message(&e.code).to_owned()
        } else {
            zh_message("validation_failed").to_owned()
        });
        out
    }
}

/// One of my jobs in the list.
struct JobRow {
    view: ExportView,
    kind_label: &'static str,
    format_label: &'static str,
    created_at: String,
    pending: bool,
    is_report: bool,
    size_label: String,
}

impl JobRow {
    fn new(view: ExportView) -> Self {
        let size_label = view
            .file_size
            .map(|b| {
                if b >= 1024 * 1024 {
                    format!("{:.1} MB", b as f64 / 1024.0 / 1024.0)
                } else {
                    format!("{:.1} KB", b as f64 / 1024.0)
                }
            })
            .unwrap_or_default();
        Self {
            kind_label: ExportKind::parse(&view.kind).map_or("", ExportKind::label_zh),
            format_label: ExportFormat::parse(&view.format).map_or("", ExportFormat::label_zh),
            created_at: fmt_time(view.created_at),
            pending: matches!(view.status.as_str(), "queued" | "running"),
            is_report: ExportKind::parse(&view.kind).is_some_and(ExportKind::is_report),
            size_label,
            view,
        }
    }
}

#[derive(Template)]
#[template(path = "exports/index.html")]
struct ExportsPage {
    layout: Layout,
    kinds: Vec<Opt>,
    formats: Vec<Opt>,
    units: Vec<Opt>,
    statuses: Vec<Opt>,
    categories: Vec<Opt>,
    channels: Vec<Opt>,
    f: ExportForm,
    metric_label: String,
    overdue: bool,
    warning: bool,
    mine: bool,
    mine_registered: bool,
    supervised: bool,
    dropped: bool,
    errors: FormErrors,
    jobs: Vec<JobRow>,
}

async fn render_page(
    state: &AppState,
    user: &SessionCtx,
    mut f: ExportForm,
    errors: FormErrors,
    notice: Option<String>,
) -> ConsoleResult {
    if f.kind.trim().is_empty() {
        f.kind = ExportKind::Ledger.as_str().to_owned();
    }
    if f.org_unit.trim().is_empty() {
        f.org_unit = user.account.org_unit_id.to_string();
    }
    let units = unit_pairs(&unit_options(state, &user.scope(), &OrgLevel::ALL).await?);
    let mut cats = state.store.list_categories(false).await?;
    cats.sort_by_key(|c| (c.sort_order, c.code.clone()));
    let cat_pairs = cats.iter().map(|c| {
        let label = if c.parent_code.is_some() {
            format!("\u{3000}{}", c.name)
        } else {
            format!("{}（含下级）", c.name)
        };
        (c.code.clone(), label)
    });
    let mut status_pairs: Vec<(String, String)> = CaseStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.label_zh().to_owned()))
        .collect();
    let open = CaseStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(",");
    status_pairs.push((open, "未结案（全部在办）".to_owned()));
    if !f.status.is_empty() && !status_pairs.iter().any(|(v, _)| *v == f.status) {
        status_pairs.push((f.status.clone(), f.status.clone()));
    }
    let jobs = list_exports_as(state, user).await?;
    let page = ExportsPage {
        layout: Layout::new(user, "台账导出", "exports").with_notice(notice),
        kinds: opts(
            ExportKind::ALL.iter().map(|k| (k.as_str(), k.label_zh())),
            f.kind.trim(),
        ),
        formats: opts(
            [ExportFormat::Xlsx, ExportFormat::Pdf]
                .iter()
                .map(|x| (x.as_str(), x.label_zh())),
            if f.format.trim().is_empty() {
                "xlsx"
            } else {
                f.format.trim()
            },
        ),
        units: opts(units, f.org_unit.trim()),
        statuses: opts(status_pairs, &f.status),
        categories: opts(cat_pairs, f.category.trim()),
        channels: opts(
            Channel::ALL.iter().map(|c| (c.as_str(), c.label_zh())),
            f.channel.trim(),
        ),
        metric_label: Metric::parse(f.metric.trim())
            .map(|m| m.label_zh().to_owned())
            .unwrap_or_default(),
        overdue: flag(&f.overdue) == Some(true),
        warning: flag(&f.warning) == Some(true),
        mine: flag(&f.mine) == Some(true),
        mine_registered: flag(&f.mine_registered) == Some(true),
        supervised: flag(&f.supervised) == Some(true),
        dropped: f.dropped_filters(),
        errors,
        jobs: jobs
            .iter()
            .map(|j| JobRow::new(ExportView::new(j)))
            .collect(),
        f,
    };
    Ok(render(&page))
}

/// `GET /exports`
async fn page(
    State(state): State<AppState>,
    user: crate::auth::CurrentUser,
    q: Result<ApiQuery<ExportForm>, ApiError>,
) -> ConsoleResult {
    let ApiQuery(f) = q?;
    user.require(Permission::ExportCases)?;
    let notice = opt(&f.created).map(|_| "已提交导出，生成完成后可在下方下载".to_owned());
    render_page(&state, &user, f, FormErrors::default(), notice).await
}

/// `POST /exports`
async fn create(
    State(state): State<AppState>,
    user: crate::auth::CurrentUser,
    form: Result<ApiForm<ExportForm>, ApiError>,
) -> ConsoleResult {
    let ApiForm(f) = form?;
    user.require(Permission::ExportCases)?;
    match create_export_as(&state, &user, &f.request()).await {
        Ok(job) => Ok(crate::api::audited(Redirect::to(&format!(
            "/exports?created={}",
            job.id
        )))),
        Err(e) if matches!(e.status.as_u16(), 404 | 422) => {
            let errors = FormErrors::from_api(&e);
            let mut res: Response = render_page(&state, &user, f, errors, None).await?;
            *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(res)
        }
        Err(e) => Err(ConsoleError(e)),
    }
}
