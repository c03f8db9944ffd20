//! 入驻部门: the department list with filters and export, creation, detail and edit.

use askama::Template;
use axum::extract::State;
use axum::response::Redirect;
use zongzhi_core::org::{DepartmentKind, OrgLevel};
use zongzhi_core::role::{Permission, Scope};
use zongzhi_store::Department;

use super::{
    FormErrors, NoticeQuery, Opt, Pager, fmt_time, form_errors, href, id_text, opts, page,
    parse_id, text, unit_options, unit_pairs,
};
use crate::api::audited;
use crate::api::org::{
    DepartmentPatchRequest, DepartmentQuery, NewDepartmentRequest, create_department_as,
    update_department_as,
};
use crate::auth::CurrentUser;
use crate::console::{ConsoleResult, Layout};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiForm, ApiPath, ApiQuery};
use crate::state::AppState;

const BASE: &str = "/admin/departments";
const TITLE: &str = "入驻部门";
const KEY: &str = "departments";
/// Units with a center that departments are stationed in.
const HOST_LEVELS: [OrgLevel; 3] = [OrgLevel::City, OrgLevel::County, OrgLevel::Town];
const CREATE_FIELDS: &[&str] = &["org_unit_id", "name", "kind"];
const EDIT_FIELDS: &[&str] = &["name", "kind", "active"];

/// The create form as submitted (kept on errors).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct CreateForm {
    org_unit_id: String,
    name: String,
    kind: String,
}

fn kind_opts(current: &str) -> Vec<Opt> {
    opts(
        DepartmentKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_zh())),
        current,
    )
}

#[derive(Template)]
#[template(path = "admin/departments.html")]
struct ListPage {
    layout: Layout,
    q: String,
    under: String,
    unit_filter: Vec<Opt>,
    filter_errors: FormErrors,
    rows: Vec<Department>,
    pager: Pager,
    export: String,
    can_manage: bool,
    form: CreateForm,
    units: Vec<Opt>,
    kinds: Vec<Opt>,
    errors: FormErrors,
}

async fn fetch(
    state: &AppState,
    scope: &Scope,
    q: &DepartmentQuery,
) -> ApiResult<(Vec<Department>, Option<String>, i64)> {
    let filter = q.filter();
    let page = state.store.list_departments(scope, &filter).await?;
    let total = state.store.count_departments(scope, &filter).await?;
    Ok((page.items, page.next_cursor, total))
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    q: &DepartmentQuery,
    notice: Option<String>,
    form: CreateForm,
    errors: FormErrors,
) -> ConsoleResult {
    user.require(Permission::ReadOrg)?;
    let scope = user.scope();
    let (qs, under, org_unit, limit) = (
        text(q.q.as_ref()),
        id_text(q.under),
        id_text(q.org_unit),
        id_text(q.limit),
    );
    let pairs = [
        ("q", qs.as_str()),
        ("under", under.as_str()),
        ("org_unit", org_unit.as_str()),
    ];
    let mut filter_errors = FormErrors::default();
    let (rows, pager) = match fetch(state, &scope, q).await {
        Ok((rows, next, total)) => {
            let mut links = pairs.to_vec();
            links.push(("limit", limit.as_str()));
            let pager = Pager::new(BASE, &links, total, q.cursor.as_deref(), next);
            (rows, pager)
        }
        Err(e) => {
            filter_errors = form_errors(e, &["q", "org_unit"])?;
            (Vec::new(), Pager::empty())
        }
    };
    let hosts = unit_pairs(&unit_options(state, &scope, &HOST_LEVELS).await?);
    let can_manage = user.can(Permission::ManageOrg);
    let p = ListPage {
        layout: Layout::new(user, TITLE, KEY).with_notice(notice),
        q: qs.clone(),
        under: under.clone(),
        unit_filter: opts(hosts.clone(), &org_unit),
        filter_errors,
        rows,
        pager,
        export: href("/api/v1/departments/export", &pairs),
        can_manage,
        units: if can_manage {
            opts(hosts, &form.org_unit_id)
        } else {
            Vec::new()
        },
        kinds: kind_opts(&form.kind),
        form,
        errors,
    };
    Ok(page(&p, &p.errors))
}

/// `GET /admin/departments`
pub(super) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    q: Result<ApiQuery<DepartmentQuery>, ApiError>,
    n: Result<ApiQuery<NoticeQuery>, ApiError>,
) -> ConsoleResult {
    let ApiQuery(q) = q?;
    let ApiQuery(n) = n?;
    list_page(
        &state,
        &user,
        &q,
        n.text(),
        CreateForm::default(),
        FormErrors::default(),
    )
    .await
}

/// `POST /admin/departments`: creates a department (ManageOrg).
pub(super) async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Result<ApiForm<CreateForm>, ApiError>,
) -> ConsoleResult {
    let ApiForm(f) = form?;
    let unit = parse_id(&f.org_unit_id);
    let req = NewDepartmentRequest {
        // No unit chosen: 0 matches none, so the store refuses it after the other checks.
        org_unit_id: unit.unwrap_or(0),
        name: f.name.clone(),
        kind: f.kind.clone(),
    };
    match create_department_as(&state, &user, req).await {
        Ok(d) => Ok(audited(Redirect::to(&format!(
            "{BASE}/{}?notice=created",
            d.id
        )))),
        Err(e) => {
            let mut errors = form_errors(e, CREATE_FIELDS)?;
            if unit.is_none() {
                errors.set("org_unit_id", "请选择所属单位");
            }
            let q = DepartmentQuery::default();
            list_page(&state, &user, &q, None, f, errors).await
        }
    }
}

/// The edit form as submitted (kept on errors).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct EditForm {
    name: String,
    kind: String,
    active: String,
}

#[derive(Template)]
#[template(path = "admin/department.html")]
struct DetailPage {
    layout: Layout,
    dept: Department,
    created_at: String,
    accounts: Option<String>,
    can_manage: bool,
    kinds: Vec<Opt>,
    form: EditForm,
    errors: FormErrors,
}

async fn detail_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    notice: Option<String>,
    form: Option<EditForm>,
    errors: FormErrors,
) -> ConsoleResult {
    user.require(Permission::ReadOrg)?;
    let dept = state.store.get_department(&user.scope(), id).await?;
    let form = form.unwrap_or_else(|| EditForm {
        name: dept.name.clone(),
        kind: dept.kind.as_str().to_owned(),
        active: dept.active.to_string(),
    });
    let p = DetailPage {
        layout: Layout::new(user, TITLE, KEY).with_notice(notice),
        created_at: fmt_time(dept.created_at),
        accounts: user
            .can(Permission::ReadAccounts)
            .then(|| format!("/admin/accounts?under={}", dept.org_unit_id)),
        can_manage: user.can(Permission::ManageOrg),
        kinds: kind_opts(&form.kind),
        dept,
        form,
        errors,
    };
    Ok(page(&p, &p.errors))
}

/// `GET /admin/departments/{id}`
pub(super) async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
    n: Result<ApiQuery<NoticeQuery>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let ApiQuery(n) = n?;
    detail_page(&state, &user, id, n.text(), None, FormErrors::default()).await
}

/// `POST /admin/departments/{id}`: edits a department (ManageOrg).
pub(super) async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
    form: Result<ApiForm<EditForm>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let ApiForm(f) = form?;
    let req = DepartmentPatchRequest {
        name: Some(f.name.clone()),
        kind: Some(f.kind.clone()),
        active: match f.active.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
    };
    match update_department_as(&state, &user, id, req).await {
        Ok(d) => Ok(audited(Redirect::to(&format!(
            "{BASE}/{}?notice=updated",
            d.id
        )))),
        Err(e) => {
            let errors = form_errors(e, EDIT_FIELDS)?;
            detail_page(&state, &user, id, None, Some(f), errors).await
        }
    }
}
