//! CSV exports of org units, departments and accounts, streamed page by page from the
//! store so scope applies in SQL exactly as for lists. Each export is audited.

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

fn csv_response(name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        body,
    )
        .into_response()
}

fn writer() -> csv::Writer<Vec<u8>> {
    // UTF-8 BOM so spreadsheet programs read the Chinese correctly.
    csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec())
}

fn finish(w: csv::Writer<Vec<u8>>) -> ApiResult<Vec<u8>> {
    w.into_inner().map_err(|e| ApiError::internal(&e))
}

async fn audit(state: &AppState, ctx: &SessionCtx, what: &str, rows: usize) -> ApiResult<()> {
    let e = ctx
        .audit(&format!("{what}.export"), what)
        .detail(json!({ "rows": rows }));
    state.store.append_audit(e).await?;
    Ok(())
}

fn too_many() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "export_too_large",
    )
}

/// `GET /api/v1/org-units/export`
#[utoipa::path(get, path = "/api/v1/org-units/export", tag = "org-units", params(OrgUnitQuery), responses((status = 200, description = "CSV", content_type = "text/csv", body = String), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn org_units(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<OrgUnitQuery>,
) -> ApiResult<Response> {
    user.require(Permission::ReadOrg)?;
    let mut filter = q.filter()?;
    filter.limit = Some(zongzhi_store::MAX_PAGE);
    let mut w = writer();
    let csv_err = |e: csv::Error| ApiError::internal(&e);
    w.write_record(["ID", "上级ID", "层级", "代码", "名称", "路径", "状态"])
        .map_err(csv_err)?;
    let mut rows = 0;
    loop {
        let page = state.store.list_org_units(&user.scope(), &filter).await?;
        for u in &page.items {
            rows += 1;
            w.write_record([
                u.id.to_string(),
                u.parent_id.map(|p| p.to_string()).unwrap_or_default(),
                u.level.label_zh().to_owned(),
                u.code.clone(),
                u.name.clone(),
                u.path.clone(),
                if u.active { "启用" } else { "停用" }.to_owned(),
            ])
            .map_err(csv_err)?;
        }
        if rows > MAX_ROWS {
            return Err(too_many());
        }
        match page.next_cursor {
            Some(c) => filter.cursor = Some(c),
            None => break,
        }
    }
    audit(&state, &user, "org_unit", rows).await?;
    Ok(csv_response("org-units", finish(w)?))
}

/// `GET /api/v1/departments/export`
#[utoipa::path(get, path = "/api/v1/departments/export", tag = "departments", params(DepartmentQuery), responses((status = 200, description = "CSV", content_type = "text/csv", body = String), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn departments(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<DepartmentQuery>,
) -> ApiResult<Response> {
    user.require(Permission::ReadOrg)?;
    let mut filter = q.filter();
    filter.limit = Some(zongzhi_store::MAX_PAGE);
    let mut w = writer();
    let csv_err = |e: csv::Error| ApiError::internal(&e);
    w.write_record(["ID", "名称", "入驻方式", "所属单位", "状态"])
        .map_err(csv_err)?;
    let mut rows = 0;
    loop {
        let page = state.store.list_departments(&user.scope(), &filter).await?;
        for d in &page.items {
            rows += 1;
            w.write_record([
                d.id.to_string(),
                d.name.clone(),
                d.kind.label_zh().to_owned(),
                d.org_unit_name.clone(),
                if d.active { "启用" } else { "停用" }.to_owned(),
            ])
            .map_err(csv_err)?;
        }
        if rows > MAX_ROWS {
            return Err(too_many());
        }
        match page.next_cursor {
            Some(c) => filter.cursor = Some(c),
            None => break,
        }
    }
    audit(&state, &user, "department", rows).await?;
    Ok(csv_response("departments", finish(w)?))
}

/// `GET /api/v1/accounts/export` (phones masked)
#[utoipa::path(get, path = "/api/v1/accounts/export", tag = "accounts", params(AccountQuery), responses((status = 200, description = "CSV", content_type = "text/csv", body = String), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn accounts(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<AccountQuery>,
) -> ApiResult<Response> {
    user.require(Permission::ReadAccounts)?;
    let mut filter = q.filter(&state)?;
    filter.limit = Some(zongzhi_store::MAX_PAGE);
    let mut w = writer();
    let csv_err = |e: csv::Error| ApiError::internal(&e);
    w.write_record([
        "ID",
        "用户名",
        "姓名",
        "所属单位",
        "部门",
        "角色",
        "状态",
        "手机号",
    ])
    .map_err(csv_err)?;
    let mut rows = 0;
    loop {
        let page = state.store.list_accounts(&user.scope(), &filter).await?;
        for a in &page.items {
            rows += 1;
            let roles: Vec<&str> = a.roles.iter().map(|r| r.label_zh()).collect();
            w.write_record([
                a.id.to_string(),
                a.username.clone(),
                a.display_name.clone(),
                a.org_unit_name.clone(),
                a.department_name.clone().unwrap_or_default(),
                roles.join("、"),
                if a.status == zongzhi_core::account::AccountStatus::Active {
                    "启用"
                } else {
                    "停用"
                }
                .to_owned(),
                a.phone_masked.clone().unwrap_or_default(),
            ])
            .map_err(csv_err)?;
        }
        if rows > MAX_ROWS {
            return Err(too_many());
        }
        match page.next_cursor {
            Some(c) => filter.cursor = Some(c),
            None => break,
        }
    }
    audit(&state, &user, "account", rows).await?;
    Ok(csv_response("accounts", finish(w)?))
}
