//! `/api/v1/org-units` and `/api/v1/departments`, all within the caller's scope.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use zongzhi_core::org::{DepartmentKind, OrgCode, OrgLevel, UnitName};
use zongzhi_core::role::Permission;
use zongzhi_store::{
    Department, DepartmentFilter, DepartmentPatch, NewDepartment, NewOrgUnit, OrgUnit,
    OrgUnitFilter, OrgUnitPatch,
};

use super::views::{DepartmentView, OrgUnitView, PageView};
use crate::auth::{CurrentUser, SessionCtx};
use crate::error::{ApiError, ApiResult, Validation};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Query of the org unit list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct OrgUnitQuery {
    /// Name or code contains.
    pub q: Option<String>,
    /// Only this unit's subtree.
    pub under: Option<i64>,
    /// Only children of this unit.
    pub parent: Option<i64>,
    /// Only this level.
    pub level: Option<String>,
    /// Cursor.
    pub cursor: Option<String>,
    /// Page size (1–500).
    pub limit: Option<i64>,
}

impl OrgUnitQuery {
    /// The store filter.
    pub fn filter(&self) -> ApiResult<OrgUnitFilter> {
        let level = match self.level.as_deref().filter(|s| !s.is_empty()) {
            Some(l) => Some(
                OrgLevel::parse(l)
                    .ok_or_else(|| ApiError::field("level", "org_level_invalid", "层级无效"))?,
            ),
            None => None,
        };
        Ok(OrgUnitFilter {
            under: self.under,
            parent_id: self.parent,
            level,
            q: self.q.clone().filter(|s| !s.trim().is_empty()),
            cursor: self.cursor.clone().filter(|s| !s.is_empty()),
            limit: self.limit,
        })
    }
}

/// `GET /api/v1/org-units`
#[utoipa::path(get, path = "/api/v1/org-units", tag = "org-units", params(OrgUnitQuery), responses((status = 200, description = "Org units in scope", body = PageView<OrgUnitView>), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn list_org_units(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<OrgUnitQuery>,
) -> ApiResult<Json<PageView<OrgUnitView>>> {
    user.require(Permission::ReadOrg)?;
    let filter = q.filter()?;
    let scope = user.scope();
    let page = state.store.list_org_units(&scope, &filter).await?;
    let total = state.store.count_org_units(&scope, &filter).await?;
    Ok(Json(PageView {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
        total,
    }))
}

/// `GET /api/v1/org-units/{id}`
#[utoipa::path(get, path = "/api/v1/org-units/{id}", tag = "org-units", params(("id" = i64, Path, description = "Id")), responses((status = 200, description = "Org unit", body = OrgUnitView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn get_org_unit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<OrgUnitView>> {
    user.require(Permission::ReadOrg)?;
    Ok(Json(
        state.store.get_org_unit(&user.scope(), id).await?.into(),
    ))
}

/// New org unit.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewOrgUnitRequest {
    /// Parent unit.
    pub parent_id: i64,
    /// Level, directly below the parent's.
    pub level: String,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Boundary as GeoJSON geometry.
    pub geojson: Option<serde_json::Value>,
}

fn parse_geojson(
    v: Option<&serde_json::Value>,
) -> Result<Option<String>, (&'static str, &'static str)> {
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(g)
            if g.get("type")
                .and_then(|t| t.as_str())
                .is_some_and(|t| t == "Polygon" || t == "MultiPolygon") =>
        {
            Ok(Some(g.to_string()))
        }
        Some(_) => Err((
            "geojson_invalid",
            "边界须为 GeoJSON Polygon 或 MultiPolygon",
        )),
    }
}

/// Creates an org unit (system admin).
pub async fn create_org_unit_as(
    state: &AppState,
    ctx: &SessionCtx,
    req: NewOrgUnitRequest,
) -> ApiResult<OrgUnit> {
    ctx.require(Permission::ManageOrg)?;
    let mut v = Validation::default();
    let level = v.check(
        "level",
        OrgLevel::parse(&req.level).ok_or(("org_level_invalid", "层级无效")),
    );
    let code = v.check(
        "code",
        OrgCode::parse(&req.code).map_err(|e| (e.code(), e.message_zh())),
    );
    let name = v.check(
        "name",
        UnitName::parse(&req.name).map_err(|e| (e.code(), e.message_zh())),
    );
    let geojson = v.check("geojson", parse_geojson(req.geojson.as_ref()));
    v.finish()?;
    let (Some(level), Some(code), Some(name), Some(geojson)) = (level, code, name, geojson) else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ));
    };
    let audit = ctx.audit("org_unit.create", "org_unit").detail(
        json!({ "code": code.as_str(), "level": level.as_str(), "parent_id": req.parent_id }),
    );
    let new = NewOrgUnit {
        parent_id: Some(req.parent_id),
        level,
        code,
        name,
        geojson,
    };
    Ok(state
        .store
        .create_org_unit(&ctx.scope(), new, audit)
        .await?)
}

/// `POST /api/v1/org-units`
#[utoipa::path(post, path = "/api/v1/org-units", tag = "org-units", request_body = NewOrgUnitRequest, responses((status = 201, description = "Created", body = OrgUnitView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn create_org_unit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<NewOrgUnitRequest>,
) -> ApiResult<Response> {
    let unit = create_org_unit_as(&state, &user, req).await?;
    Ok(super::audited((
        StatusCode::CREATED,
        Json(OrgUnitView::from(unit)),
    )))
}

/// Changes to an org unit.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct OrgUnitPatchRequest {
    /// New name.
    pub name: Option<String>,
    /// Enable or disable.
    pub active: Option<bool>,
    /// New boundary.
    pub geojson: Option<serde_json::Value>,
}

/// Edits an org unit (system admin).
pub async fn update_org_unit_as(
    state: &AppState,
    ctx: &SessionCtx,
    id: i64,
    req: OrgUnitPatchRequest,
) -> ApiResult<OrgUnit> {
    ctx.require(Permission::ManageOrg)?;
    let name = match req.name.as_deref() {
        Some(n) => Some(
            UnitName::parse(n).map_err(|e| ApiError::field("name", e.code(), e.message_zh()))?,
        ),
        None => None,
    };
    let geojson = match &req.geojson {
        Some(v) => Some(parse_geojson(Some(v)).map_err(|(c, m)| ApiError::field("geojson", c, m))?),
        None => None,
    };
    let audit = ctx.audit("org_unit.update", "org_unit").target(id).detail(
        json!({ "name": name.is_some(), "active": req.active, "geojson": geojson.is_some() }),
    );
    let patch = OrgUnitPatch {
        name,
        geojson,
        active: req.active,
    };
    Ok(state
        .store
        .update_org_unit(&ctx.scope(), id, patch, audit)
        .await?)
}

/// `PATCH /api/v1/org-units/{id}`
#[utoipa::path(patch, path = "/api/v1/org-units/{id}", tag = "org-units", params(("id" = i64, Path, description = "Id")), request_body = OrgUnitPatchRequest, responses((status = 200, description = "Updated", body = OrgUnitView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn update_org_unit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<OrgUnitPatchRequest>,
) -> ApiResult<Response> {
    let unit = update_org_unit_as(&state, &user, id, req).await?;
    Ok(super::audited(Json(OrgUnitView::from(unit))))
}

/// Query of the department list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct DepartmentQuery {
    /// Name contains.
    pub q: Option<String>,
    /// Only departments in this unit's subtree.
    pub under: Option<i64>,
    /// Only departments of exactly this unit.
    pub org_unit: Option<i64>,
    /// Cursor.
    pub cursor: Option<String>,
    /// Page size (1–500).
    pub limit: Option<i64>,
}

impl DepartmentQuery {
    /// The store filter.
    pub fn filter(&self) -> DepartmentFilter {
        DepartmentFilter {
            under: self.under,
            org_unit_id: self.org_unit,
            q: self.q.clone().filter(|s| !s.trim().is_empty()),
            cursor: self.cursor.clone().filter(|s| !s.is_empty()),
            limit: self.limit,
        }
    }
}

/// `GET /api/v1/departments`
#[utoipa::path(get, path = "/api/v1/departments", tag = "departments", params(DepartmentQuery), responses((status = 200, description = "Departments in scope", body = PageView<DepartmentView>), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn list_departments(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<DepartmentQuery>,
) -> ApiResult<Json<PageView<DepartmentView>>> {
    user.require(Permission::ReadOrg)?;
    let filter = q.filter();
    let scope = user.scope();
    let page = state.store.list_departments(&scope, &filter).await?;
    let total = state.store.count_departments(&scope, &filter).await?;
    Ok(Json(PageView {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
        total,
    }))
}

/// `GET /api/v1/departments/{id}`
#[utoipa::path(get, path = "/api/v1/departments/{id}", tag = "departments", params(("id" = i64, Path, description = "Id")), responses((status = 200, description = "Department", body = DepartmentView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn get_department(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<DepartmentView>> {
    user.require(Permission::ReadOrg)?;
    Ok(Json(
        state.store.get_department(&user.scope(), id).await?.into(),
    ))
}

/// New department.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewDepartmentRequest {
    /// Unit it is stationed at.
    pub org_unit_id: i64,
    /// Name.
    pub name: String,
    /// `resident`, `rotating` or `liaison`.
    pub kind: String,
}

/// Creates a department (system admin).
pub async fn create_department_as(
    state: &AppState,
    ctx: &SessionCtx,
    req: NewDepartmentRequest,
) -> ApiResult<Department> {
    ctx.require(Permission::ManageOrg)?;
    let mut v = Validation::default();
    let name = v.check(
        "name",
        UnitName::parse(&req.name).map_err(|e| (e.code(), e.message_zh())),
    );
    let kind = v.check(
        "kind",
        DepartmentKind::parse(&req.kind).ok_or(("department_kind_invalid", "入驻方式无效")),
    );
    v.finish()?;
    let (Some(name), Some(kind)) = (name, kind) else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ));
    };
    let audit = ctx
        .audit("department.create", "department")
        .detail(json!({ "org_unit_id": req.org_unit_id, "kind": kind.as_str() }));
    let new = NewDepartment {
        org_unit_id: req.org_unit_id,
        name,
        kind,
    };
    Ok(state
        .store
        .create_department(&ctx.scope(), new, audit)
        .await?)
}

/// `POST /api/v1/departments`
#[utoipa::path(post, path = "/api/v1/departments", tag = "departments", request_body = NewDepartmentRequest, responses((status = 201, description = "Created", body = DepartmentView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn create_department(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<NewDepartmentRequest>,
) -> ApiResult<Response> {
    let d = create_department_as(&state, &user, req).await?;
    Ok(super::audited((
        StatusCode::CREATED,
        Json(DepartmentView::from(d)),
    )))
}

/// Changes to a department.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct DepartmentPatchRequest {
    /// New name.
    pub name: Option<String>,
    /// New kind.
    pub kind: Option<String>,
    /// Enable or disable.
    pub active: Option<bool>,
}

/// Edits a department (system admin).
pub async fn update_department_as(
    state: &AppState,
    ctx: &SessionCtx,
    id: i64,
    req: DepartmentPatchRequest,
) -> ApiResult<Department> {
    ctx.require(Permission::ManageOrg)?;
    let name = match req.name.as_deref() {
        Some(n) => Some(
            UnitName::parse(n).map_err(|e| ApiError::field("name", e.code(), e.message_zh()))?,
        ),
        None => None,
    };
    let kind =
        match req.kind.as_deref() {
            Some(k) => Some(DepartmentKind::parse(k).ok_or_else(|| {
                ApiError::field("kind", "department_kind_invalid", "入驻方式无效")
            })?),
            None => None,
        };
    let audit = ctx.audit("department.update", "department")
        .target(id)
        .detail(json!({ "name": name.is_some(), "kind": kind.map(|k| k.as_str()), "active": req.active }));
    let patch = DepartmentPatch {
        name,
        kind,
        active: req.active,
    };
    Ok(state
        .store
        .update_department(&ctx.scope(), id, patch, audit)
        .await?)
}

/// `PATCH /api/v1/departments/{id}`
#[utoipa::path(patch, path = "/api/v1/departments/{id}", tag = "departments", params(("id" = i64, Path, description = "Id")), request_body = DepartmentPatchRequest, responses((status = 200, description = "Updated", body = DepartmentView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn update_department(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<DepartmentPatchRequest>,
) -> ApiResult<Response> {
    let d = update_department_as(&state, &user, id, req).await?;
    Ok(super::audited(Json(DepartmentView::from(d))))
}
