//! The staff console: server-rendered Simplified Chinese pages. Handlers call the same
//! service functions as the API, so rules and scope are identical in both.

pub mod admin;
pub mod assets;
pub mod cases;
pub mod exports;
pub mod login;
pub mod stats;

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use zongzhi_core::role::{Permission, Role};

use crate::auth::SessionCtx;
use crate::error::ApiError;
use crate::state::AppState;

/// Every console route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(login::routes())
        .merge(admin::routes())
        .merge(cases::routes())
        .merge(exports::routes())
        .merge(stats::routes())
        .route("/static/{*path}", get(assets::serve))
}

/// One entry of the left menu.
#[derive(Debug, Clone)]
pub struct MenuItem {
    /// Stable key (`data-menu`).
    pub key: &'static str,
    /// Chinese label.
    pub label: &'static str,
    /// Link.
    pub href: &'static str,
}

/// The menu a user sees, by role. Only pages that exist and that the role may use.
pub fn menu_for(ctx: &SessionCtx) -> Vec<MenuItem> {
    let mut m = Vec::new();
    let item = |key, label, href| MenuItem { key, label, href };
    let case_role = ctx.can(Permission::ReadCases);
    if case_role {
        m.push(item("workbench", "工作台", "/"));
        if cases::can_register(ctx) {
            m.push(item("case-new", "事件登记", "/cases/new"));
        }
        m.push(item("cases", "事件列表", "/cases"));
        if cases::can_supervise(ctx) {
            m.push(item("supervision", "督办", "/supervision"));
        }
    }
    if ctx.can(Permission::ReadStats) {
        m.push(item("stats", "统计总图", "/stats"));
        m.push(item("stats-rankings", "考核排名", "/stats/rankings"));
        m.push(item("stats-map", "统计地图", "/stats/map"));
        m.push(item("stats-help", "指标说明", "/stats/help"));
    }
    if ctx.can(Permission::ExportCases) {
        m.push(item("exports", "台账导出", "/exports"));
    }
    if ctx.can(Permission::ReadOrg) {
        m.push(item("org-units", "组织机构", "/admin/org-units"));
        m.push(item("departments", "入驻部门", "/admin/departments"));
    }
    if ctx.can(Permission::ManageOrg) {
        m.push(item("categories", "分类代码", "/admin/categories"));
        m.push(item("time-limits", "办理时限", "/admin/time-limits"));
        m.push(item("calendar", "工作日历", "/admin/calendar"));
    }
    if ctx.can(Permission::ReadAccounts) {
        m.push(item(
            "accounts",
            if ctx.has_role(Role::SecurityAdmin) && !ctx.has_role(Role::SysAdmin) {
                "账号角色"
            } else {
                "账号管理"
            },
            "/admin/accounts",
        ));
    }
    if ctx.can(Permission::ManagePolicies) {
        m.push(item("policies", "安全策略", "/admin/policies"));
    }
    if ctx.can(Permission::ReadAudit) {
        m.push(item("audit", "审计日志", "/admin/audit"));
    }
    m.push(item("profile", "个人设置", "/profile"));
    m
}

/// What the layout shows around every signed-in page.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Page title.
    pub title: String,
    /// Display name in the header.
    pub user_name: String,
    /// Unit name in the header.
    pub unit_name: String,
    /// Role labels in the header.
    pub role_labels: String,
    /// The menu.
    pub menu: Vec<MenuItem>,
    /// Key of the current menu entry.
    pub active: &'static str,
    /// CSRF token for forms.
    pub csrf: String,
    /// A one-line notice (after a successful action).
    pub notice: Option<String>,
}

impl Layout {
    /// The layout for `ctx` on the page `active`.
    pub fn new(ctx: &SessionCtx, title: &str, active: &'static str) -> Self {
        Self {
            title: title.to_owned(),
            user_name: ctx.account.display_name.clone(),
            unit_name: ctx.account.org_unit_name.clone(),
            role_labels: ctx
                .account
                .roles
                .iter()
                .map(|r| r.label_zh())
                .collect::<Vec<_>>()
                .join("、"),
            menu: menu_for(ctx),
            active,
            csrf: ctx.session.csrf_token.clone(),
            notice: None,
        }
    }

    /// Adds a notice.
    pub fn with_notice(mut self, n: Option<String>) -> Self {
        self.notice = n;
        self
    }
}

/// Renders a template, or a plain 500 page if rendering fails.
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template render failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<h1>系统内部错误</h1>".to_owned()),
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    message: String,
}

/// A Chinese error page for `e` (never internal details).
pub fn error_page(e: &ApiError) -> Response {
    let page = ErrorPage {
        status: e.status.as_u16(),
        message: e.detail_zh(),
    };
    let mut res = render(&page);
    *res.status_mut() = e.status;
    res
}

/// Console errors render as Chinese pages.
pub struct ConsoleError(pub ApiError);

impl From<ApiError> for ConsoleError {
    fn from(e: ApiError) -> Self {
        Self(e)
    }
}

impl From<zongzhi_store::StoreError> for ConsoleError {
    fn from(e: zongzhi_store::StoreError) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        error_page(&self.0)
    }
}

/// Result of console handlers.
pub type ConsoleResult<T = Response> = Result<T, ConsoleError>;

/// Fallback: 404 as a Chinese page (the API has its own problem+json fallback).
pub async fn not_found() -> Response {
    error_page(&ApiError::not_found())
}
