//! `/api/v1/categories`: the two-level category code table (事件分类代码表).
//!
//! The table is deployment-wide reference data (not scoped): every case worker reads it to
//! classify cases, and only a system administrator at the top of the tree edits it, since a
//! change applies to every unit. Rows are never deleted: `PATCH … {"active": false}`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::json;
use zongzhi_core::case::category::CategoryKind;
use zongzhi_core::role::Permission;
use zongzhi_store::{Category, CategoryPatch, NewCategory, StoreError};

use crate::auth::{CurrentUser, SessionCtx};
use crate::error::{ApiError, ApiResult, Validation};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Longest category name, in characters.
pub const NAME_MAX: usize = 32;
/// Largest sort order.
pub const SORT_MAX: i64 = 999_999;

/// A category. The list is flat: a second-level row names its first-level row in
/// `parent_code`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CategoryView {
    /// `D01` (first level) or `D01-01` (second level).
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// The first-level code above a second-level row; `null` for a first-level row.
    pub parent_code: Option<String>,
    /// `dispute` (矛盾纠纷) or `demand` (群众诉求).
    pub kind: String,
    /// Whether offered for new cases.
    pub active: bool,
    /// Display order (ties by code).
    pub sort_order: i64,
}

impl From<Category> for CategoryView {
    fn from(c: Category) -> Self {
        Self {
            code: c.code,
            name: c.name,
            parent_code: c.parent_code,
            kind: c.kind.as_str().to_owned(),
            active: c.active,
            sort_order: c.sort_order,
        }
    }
}

/// Whether `ctx` may read the table: case workers classify with it, the system admin
/// maintains it.
pub fn can_read(ctx: &SessionCtx) -> bool {
    ctx.can(Permission::ReadCases) || ctx.can(Permission::ManageOrg)
}

/// Whether `ctx` may edit the table: `ManageOrg` at the top of the tree (a county's system
/// admin may not change what the whole deployment classifies with).
pub fn can_manage(ctx: &SessionCtx) -> bool {
    ctx.can(Permission::ManageOrg) && !ctx.account.org_path.trim_matches('/').contains('/')
}

fn require_manage(ctx: &SessionCtx) -> ApiResult<()> {
    if can_manage(ctx) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

/// Query of the category list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct CategoryQuery {
    /// Also list deactivated rows (and the children of deactivated rows); system admins only.
    pub include_inactive: Option<bool>,
}

/// The categories `ctx` may see (see [`CategoryQuery`]).
pub async fn list_categories_as(
    state: &AppState,
    ctx: &SessionCtx,
    include_inactive: bool,
) -> ApiResult<Vec<Category>> {
    if !can_read(ctx) || (include_inactive && !ctx.can(Permission::ManageOrg)) {
        return Err(ApiError::forbidden());
    }
    Ok(state.store.list_categories(include_inactive).await?)
}

/// `GET /api/v1/categories`
#[utoipa::path(get, path = "/api/v1/categories", tag = "categories", params(CategoryQuery), description = "The whole category code table as one flat list ordered by `sort_order`, then `code`: first-level rows have `parent_code: null`, second-level rows name their first-level row in `parent_code` (group by it to build the tree). Not paginated and not scoped (deployment-wide reference data). By default only active rows under an active parent; `include_inactive=true` (system admins) lists every row.", responses((status = 200, description = "Categories", body = Vec<CategoryView>), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem)))]
pub async fn list_categories(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<CategoryQuery>,
) -> ApiResult<Json<Vec<CategoryView>>> {
    let rows = list_categories_as(&state, &user, q.include_inactive.unwrap_or(false)).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// `A01` … `Z99`, optionally followed by `-01` … `-99`.
fn code_shape(s: &str) -> bool {
    let b = s.as_bytes();
    let first = |b: &[u8]| {
        b.len() == 3 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit)
    };
    match b.len() {
        3 => first(b),
        6 => first(&b[..3]) && b[3] == b'-' && b[4..].iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// Validates a code against its parent: `D21` alone, `D01-05` under `D01`.
fn parse_code(code: &str, parent: Option<&str>) -> Result<String, (&'static str, &'static str)> {
    let code = code.trim();
    if !code_shape(code) {
        return Err((
            "category_code_invalid",
            "分类代码格式应为一个大写字母加两位数字（如 D21），二级分类再加“-”和两位数字（如 D01-05）",
        ));
    }
    match parent {
        None if code.contains('-') => Err((
            "category_code_level",
            "一级分类代码不含“-”（如 D21）；二级分类请选择上级分类",
        )),
        Some(p) if code.split_once('-').map(|(head, _)| head) != Some(p) => Err((
            "category_code_level",
            "二级分类代码须为上级分类代码加“-”和两位数字（如 D01-05）",
        )),
        _ => Ok(code.to_owned()),
    }
}

/// Validates a parent code: an existing first-level code is checked by the store.
fn parse_parent(s: Option<&str>) -> Result<Option<String>, (&'static str, &'static str)> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(p) if code_shape(p) && !p.contains('-') => Ok(Some(p.to_owned())),
        Some(_) => Err(("parent_invalid", "上级分类须为一级分类")),
    }
}

/// Validates a name: 1–32 characters, no control characters.
pub fn parse_name(s: &str) -> Result<String, (&'static str, &'static str)> {
    let s = s.trim();
    let n = s.chars().count();
    if n == 0 || n > NAME_MAX || s.chars().any(char::is_control) {
        Err(("name_invalid", "名称须为1至32个字符"))
    } else {
        Ok(s.to_owned())
    }
}

fn parse_sort(v: Option<i64>) -> Result<Option<i64>, (&'static str, &'static str)> {
    match v {
        Some(n) if !(0..=SORT_MAX).contains(&n) => {
            Err(("sort_order_invalid", "排序号须为0至999999的整数"))
        }
        other => Ok(other),
    }
}

/// The store's structural refusals as field errors.
fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::InvalidReference("parent_code") => ApiError::field(
            "parent_code",
            "invalid_reference",
            "上级分类不存在或不是一级分类（分类只有两级）",
        ),
        StoreError::InvalidReference("kind") => {
            ApiError::field("kind", "category_kind_mismatch", "类型须与上级分类一致")
        }
        other => other.into(),
    }
}

/// New category.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct NewCategoryRequest {
    /// `D21` for a first-level row, `<parent>-NN` (e.g. `D01-05`) for a second-level row;
    /// matches `^[A-Z][0-9]{2}(-[0-9]{2})?$`. Never reused.
    pub code: String,
    /// Name, 1–32 characters.
    pub name: String,
    /// An existing first-level code, for a second-level row.
    pub parent_code: Option<String>,
    /// `dispute` or `demand`; required for a first-level row, defaults to the parent's
    /// (and must equal it) for a second-level row.
    pub kind: Option<String>,
    /// Display order 0–999999; default: after every existing row.
    pub sort_order: Option<i64>,
}

/// Adds a category (system admin at the top of the tree).
pub async fn create_category_as(
    state: &AppState,
    ctx: &SessionCtx,
    req: NewCategoryRequest,
) -> ApiResult<Category> {
    require_manage(ctx)?;
    let mut v = Validation::default();
    let parent = v.check("parent_code", parse_parent(req.parent_code.as_deref()));
    let code = match &parent {
        Some(p) => v.check("code", parse_code(&req.code, p.as_deref())),
        // The parent is bad: check the code's shape only.
        None => v.check(
            "code",
            parse_code(&req.code, req.code.split_once('-').map(|x| x.0)),
        ),
    };
    let name = v.check("name", parse_name(&req.name));
    let kind = match req.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => v.check(
            "kind",
            CategoryKind::parse(k)
                .map(Some)
                .ok_or(("category_kind_invalid", "类型无效")),
        ),
        None if matches!(parent, Some(None)) => {
            v.check::<Option<CategoryKind>>("kind", Err(("category_kind_required", "请选择类型")))
        }
        None => Some(None),
    };
    let sort_order = v.check("sort_order", parse_sort(req.sort_order));
    v.finish()?;
    let (Some(parent), Some(code), Some(name), Some(kind), Some(sort_order)) =
        (parent, code, name, kind, sort_order)
    else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ));
    };
    let kind = match (kind, &parent) {
        (Some(k), _) => k,
        // A second-level row takes its parent's kind.
        (None, Some(p)) => match state.store.get_category(p).await {
            Ok(c) => c.kind,
            Err(StoreError::NotFound) => {
                return Err(store_error(StoreError::InvalidReference("parent_code")));
            }
            Err(e) => return Err(e.into()),
        },
        (None, None) => {
            return Err(ApiError::field(
                "kind",
                "category_kind_required",
                "请选择类型",
            ));
        }
    };
    let audit = ctx
        .audit("category.create", "category")
        .target(&code)
        .detail(json!({
            "code": code,
            "name": name,
            "parent_code": parent,
            "kind": kind.as_str(),
        }));
    let new = NewCategory {
        code,
        name,
        parent_code: parent,
        kind,
        sort_order,
    };
    state
        .store
        .create_category(new, audit)
        .await
        .map_err(store_error)
}

/// `POST /api/v1/categories`
#[utoipa::path(post, path = "/api/v1/categories", tag = "categories", request_body = NewCategoryRequest, responses((status = 201, description = "Created", body = CategoryView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 409, description = "Code already used (`category_code_taken`), even by a deactivated row", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn create_category(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<NewCategoryRequest>,
) -> ApiResult<Response> {
    let c = create_category_as(&state, &user, req).await?;
    Ok(super::audited((
        StatusCode::CREATED,
        Json(CategoryView::from(c)),
    )))
}

/// Changes to a category. Code, parent and kind never change; deactivate instead of
/// deleting.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CategoryPatchRequest {
    /// New name, 1–32 characters.
    pub name: Option<String>,
    /// Enable or disable.
    pub active: Option<bool>,
    /// New display order 0–999999.
    pub sort_order: Option<i64>,
}

/// Edits a category (system admin at the top of the tree).
pub async fn update_category_as(
    state: &AppState,
    ctx: &SessionCtx,
    code: &str,
    req: CategoryPatchRequest,
) -> ApiResult<Category> {
    require_manage(ctx)?;
    let mut v = Validation::default();
    let name = match req.name.as_deref() {
        Some(n) => v.check("name", parse_name(n).map(Some)),
        None => Some(None),
    };
    let sort_order = v.check("sort_order", parse_sort(req.sort_order));
    v.finish()?;
    let (Some(name), Some(sort_order)) = (name, sort_order) else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ));
    };
    let audit = ctx
        .audit("category.update", "category")
        .target(code)
        .detail(json!({ "name": name, "active": req.active, "sort_order": sort_order }));
    let patch = CategoryPatch {
        name,
        active: req.active,
        sort_order,
    };
    Ok(state.store.update_category(code, patch, audit).await?)
}

/// `PATCH /api/v1/categories/{code}`
#[utoipa::path(patch, path = "/api/v1/categories/{code}", tag = "categories", params(("code" = String, Path, description = "Category code")), request_body = CategoryPatchRequest, responses((status = 200, description = "Updated", body = CategoryView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "No such category", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn update_category(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(code): ApiPath<String>,
    ApiJson(req): ApiJson<CategoryPatchRequest>,
) -> ApiResult<Response> {
    let c = update_category_as(&state, &user, &code, req).await?;
    Ok(super::audited(Json(CategoryView::from(c))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_the_two_level_pattern() {
        for ok in ["D21", "Q06", "Z99", "A00"] {
            assert_eq!(parse_code(ok, None).as_deref(), Ok(ok));
        }
        assert_eq!(parse_code(" D01-05 ", Some("D01")).as_deref(), Ok("D01-05"));
        for bad in [
            "d21", "D1", "D211", "DD1", "D01-5", "D01-005", "D01_05", "", "D01-0a",
        ] {
            assert!(parse_code(bad, None).is_err(), "{bad}");
            assert!(parse_code(bad, Some("D01")).is_err(), "{bad}");
        }
        assert!(parse_code("D01-05", None).is_err());
        assert!(parse_code("D02-05", Some("D01")).is_err());
        assert!(parse_code("D01", Some("D01")).is_err());
        assert_eq!(parse_parent(Some(" ")), Ok(None));
        assert!(parse_parent(Some("D01-01")).is_err());
    }

    #[test]
    fn names_are_one_to_32_characters() {
        assert_eq!(parse_name(" 彩礼纠纷 ").as_deref(), Ok("彩礼纠纷"));
        assert!(parse_name("").is_err());
        assert!(parse_name("  ").is_err());
        assert!(parse_name(&"纠".repeat(33)).is_err());
        assert!(parse_name(&"纠".repeat(32)).is_ok());
        assert!(parse_name("a\u{0}b").is_err());
        assert!(parse_sort(Some(-1)).is_err());
        assert!(parse_sort(Some(1_000_000)).is_err());
        assert_eq!(parse_sort(Some(5)), Ok(Some(5)));
    }
}
