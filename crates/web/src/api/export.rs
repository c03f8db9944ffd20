//! CSV exports of org units, departments and accounts, read page by page from the store
//! so scope applies in SQL exactly as for lists. Each export is audited.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use zongzhi_core::role::Permission;

use super::accounts::AccountQuery;
use super::org::{DepartmentQuery, OrgUnitQuery};
use crate::auth::{CurrentUser, SessionCtx};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

/// Most rows one export may hold; past that, narrow the filter.
const MAX_ROWS: usize = 200_000;

/// One page of a list, owned so handlers stay `Send`.
type PageFuture<T> = std::pin::Pin<
    Box<
        dyn std::future::Future<Output = zongzhi_store::StoreResult<zongzhi_store::Page<T>>> + Send,
    >,
>;

/// Pages through a scoped list until the end (or the row cap), returning every row.
async fn all_pages<T, F>(mut fetch: F) -> ApiResult<Vec<T>>
where
    F: FnMut(Option<String>) -> PageFuture<T>,
{
    let mut rows = Vec::new();
    let mut cursor = None;
    loop {
        let page = fetch(cursor).await?;
        rows.extend(page.items);
        if rows.len() > MAX_ROWS {
            return Err(ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "export_too_large",
            ));
        }
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(rows),
        }
    }
}

/// Writes a CSV (with a BOM so spreadsheet programs read the Chinese), audits the export
/// and answers it as a download.
async fn csv_download<const N: usize>(
    state: &AppState,
    ctx: &SessionCtx,
    what: &str,
    columns: [&str; N],
    rows: impl Iterator<Item = [String; N]>,
) -> ApiResult<Response> {
    let csv_err = |e: csv::Error| ApiError::internal(&e);
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    w.write_record(columns).map_err(csv_err)?;
    let mut count = 0;
    for r in rows {
        w.write_record(r).map_err(csv_err)?;
        count += 1;
    }
    let body = w.into_inner().map_err(|e| ApiError::internal(&e))?;
    let audit = ctx
        .audit(&format!("{what}.export"), what)
        .detail(json!({ "rows": count }));
    state.store.append_audit(audit).await?;
    let name = format!("{}.csv", what.replace('_', "-"));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

fn active_zh(active: bool) -> String {
    if active { "启用" } else { "停用" }.to_owned()
}

/// `GET /api/v1/org-units/export`
#[utoipa::path(get, path = "/api/v1/org-units/export", tag = "org-units", params(OrgUnitQuery), responses((status = 200, description = "CSV", content_type = "text/csv", body = String), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn org_units(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<OrgUnitQuery>,
) -> ApiResult<Response> {
    user.require(Permission::ReadOrg)?;
    let (scope, mut filter) = (user.scope(), q.filter()?);
    filter.limit = Some(zongzhi_store::MAX_PAGE);
    let rows = all_pages(|cursor| {
        let (store, scope, mut f) = (state.store.clone(), scope.clone(), filter.clone());
        f.cursor = cursor;
        Box::pin(async move { store.list_org_units(&scope, &f).await })
    })
    .await?;
    let header = ["ID", "上级ID", "层级", "代码", "名称", "路径", "状态"];
    let lines = rows.into_iter().map(|u| {
        [
            u.id.to_string(),
            u.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            u.level.label_zh().to_owned(),
            u.code,
            u.name,
            u.path,
            active_zh(u.active),
        ]
    });
    csv_download(&state, &user, "org_unit", header, lines).await
}

/// `GET /api/v1/departments/export`
#[utoipa::path(get, path = "/api/v1/departments/export", tag = "departments", params(DepartmentQuery), responses((status = 200, description = "CSV", content_type = "text/csv", body = String), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn departments(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<DepartmentQuery>,
) -> ApiResult<Response> {
    user.require(Permission::ReadOrg)?;
    let (scope, mut filter) = (user.scope(), q.filter());
    filter.limit = Some(zongzhi_store::MAX_PAGE);
    let rows = all_pages(|cursor| {
        let (store, scope, mut f) = (state.store.clone(), scope.clone(), filter.clone());
        f.cursor = cursor;
        Box::pin(async move { store.list_departments(&scope, &f).await })
    })
    .await?;
    let header = ["ID", "名称", "入驻方式", "所属单位", "状态"];
    let lines = rows.into_iter().map(|d| {
        [
            d.id.to_string(),
            d.name,
            d.kind.label_zh().to_owned(),
            d.org_unit_name,
            active_zh(d.active),
        ]
    });
    csv_download(&state, &user, "department", header, lines).await
}

/// `GET /api/v1/accounts/export` (phones masked)
#[utoipa::path(get, path = "/api/v1/accounts/export", tag = "accounts", params(AccountQuery), responses((status = 200, description = "CSV", content_type = "text/csv", body = String), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn accounts(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<AccountQuery>,
) -> ApiResult<Response> {
    user.require(Permission::ReadAccounts)?;
    let (scope, mut filter) = (user.scope(), q.filter(&state)?);
    filter.limit = Some(zongzhi_store::MAX_PAGE);
    let rows = all_pages(|cursor| {
        let (store, scope, mut f) = (state.store.clone(), scope.clone(), filter.clone());
        f.cursor = cursor;
        Box::pin(async move { store.list_accounts(&scope, &f).await })
    })
    .await?;
    let header = [
        "ID",
        "用户名",
        "姓名",
        "所属单位",
        "部门",
        "角色",
        "状态",
        "手机号",
    ];
    let lines = rows.into_iter().map(|a| {
        let roles: Vec<&str> = a.roles.iter().map(|r| r.label_zh()).collect();
        [
            a.id.to_string(),
            a.username,
            a.display_name,
            a.org_unit_name,
            a.department_name.unwrap_or_default(),
            roles.join("、"),
            active_zh(a.status == zongzhi_core::account::AccountStatus::Active),
            a.phone_masked.unwrap_or_default(),
        ]
    });
    csv_download(&state, &user, "account", header, lines).await
}
