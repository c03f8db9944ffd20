//! 组织机构: the org unit list with filters and export, creation, detail and edit.

use askama::Template;
use axum::extract::State;
use axum::response::Redirect;
use serde::Deserialize;
use zongzhi_core::org::OrgLevel;
use zongzhi_core::role::{Permission, Scope};
use zongzhi_store::{OrgUnit, OrgUnitFilter, StoreError};

use super::{
    FormErrors, NoticeQuery, Opt, Pager, fmt_time, form_errors, href, id_text, level_opts, page,
    parse_id, text, unit_options, unit_pairs,
};
use crate::api::audited;
use crate::api::org::{
    NewOrgUnitRequest, OrgUnitPatchRequest, OrgUnitQuery, create_org_unit_as, update_org_unit_as,
};
use crate::auth::CurrentUser;
use crate::console::{ConsoleResult, Layout};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiForm, ApiPath, ApiQuery};
use crate::state::AppState;

const BASE: &str = "/admin/org-units";
const TITLE: &str = "组织机构";
const KEY: &str = "org-units";
/// Units that may have children: everything above a grid.
const PARENT_LEVELS: [OrgLevel; 4] = [
    OrgLevel::City,
    OrgLevel::County,
    OrgLevel::Town,
    OrgLevel::Village,
];
/// Levels a new unit may have (the root city exists already).
const CHILD_LEVELS: [OrgLevel; 4] = [
    OrgLevel::County,
    OrgLevel::Town,
    OrgLevel::Village,
    OrgLevel::Grid,
];
const CREATE_FIELDS: &[&str] = &["parent_id", "level", "code", "name"];
const EDIT_FIELDS: &[&str] = &["name", "active"];

/// The create form as submitted (kept on errors).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CreateForm {
    parent_id: String,
    level: String,
    code: String,
    name: String,
}

#[derive(Template)]
#[template(path = "admin/org_units.html")]
struct ListPage {
    layout: Layout,
    q: String,
    parent: String,
    under: String,
    level_filter: Vec<Opt>,
    filter_errors: FormErrors,
    rows: Vec<OrgUnit>,
    pager: Pager,
    export: String,
    can_manage: bool,
    form: CreateForm,
    parents: Vec<Opt>,
    levels: Vec<Opt>,
    errors: FormErrors,
}

async fn fetch(
    state: &AppState,
    scope: &Scope,
    q: &OrgUnitQuery,
) -> ApiResult<(Vec<OrgUnit>, Option<String>, i64)> {
    let filter: OrgUnitFilter = q.filter()?;
    let page = state.store.list_org_units(scope, &filter).await?;
    let total = state.store.count_org_units(scope, &filter).await?;
    Ok((page.items, page.next_cursor, total))
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    q: &OrgUnitQuery,
    notice: Option<String>,
    form: CreateForm,
    errors: FormErrors,
) -> ConsoleResult {
    user.require(Permission::ReadOrg)?;
    let scope = user.scope();
    let (qs, level, parent, under, limit) = (
        text(q.q.as_ref()),
        text(q.level.as_ref()),
        id_text(q.parent),
        id_text(q.under),
        id_text(q.limit),
    );
    let pairs = [
        ("q", qs.as_str()),
        ("level", level.as_str()),
        ("parent", parent.as_str()),
        ("under", under.as_str()),
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
            filter_errors = form_errors(e, &["q", "level"])?;
            (Vec::new(), Pager::empty())
        }
    };
    let can_manage = user.can(Permission::ManageOrg);
    let parents = if can_manage {
        let units = unit_options(state, &scope, &PARENT_LEVELS).await?;
        super::opts(unit_pairs(&units), &form.parent_id)
    } else {
        Vec::new()
    };
    let p = ListPage {
        layout: Layout::new(user, TITLE, KEY).with_notice(notice),
        level_filter: level_opts(&OrgLevel::ALL, &level),
        q: qs.clone(),
        parent: parent.clone(),
        under: under.clone(),
        filter_errors,
        rows,
        pager,
        export: href("/api/v1/org-units/export", &pairs),
        can_manage,
        parents,
        levels: level_opts(&CHILD_LEVELS, &form.level),
        form,
        errors,
    };
    Ok(page(&p, &p.errors))
}

/// `GET /admin/org-units`
pub(super) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    q: Result<ApiQuery<OrgUnitQuery>, ApiError>,
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

/// `POST /admin/org-units`: creates a unit (ManageOrg).
pub(super) async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Result<ApiForm<CreateForm>, ApiError>,
) -> ConsoleResult {
    let ApiForm(f) = form?;
    let parent = parse_id(&f.parent_id);
    let req = NewOrgUnitRequest {
        // No parent chosen: 0 matches no unit, so the store refuses it after the other
        // fields were checked; the message below replaces its generic one.
        parent_id: parent.unwrap_or(0),
        level: f.level.clone(),
        code: f.code.clone(),
        name: f.name.clone(),
        geojson: None,
    };
    match create_org_unit_as(&state, &user, req).await {
        Ok(u) => Ok(audited(Redirect::to(&format!(
            "{BASE}/{}?notice=created",
            u.id
        )))),
        Err(e) => {
            let mut errors = form_errors(e, CREATE_FIELDS)?;
            if parent.is_none() {
                errors.set("parent_id", "请选择上级单位");
            }
            let q = OrgUnitQuery::default();
            list_page(&state, &user, &q, None, f, errors).await
        }
    }
}

/// The edit form as submitted (kept on errors).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct EditForm {
    name: String,
    active: String,
}

#[derive(Template)]
#[template(path = "admin/org_unit.html")]
struct DetailPage {
    layout: Layout,
    unit: OrgUnit,
    parent_name: Option<String>,
    created_at: String,
    children: String,
    departments: String,
    accounts: Option<String>,
    can_manage: bool,
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
    let scope = user.scope();
    let unit = state.store.get_org_unit(&scope, id).await?;
    // The parent of the user's own unit is outside the scope: show no name then.
    let parent_name = match unit.parent_id {
        Some(pid) => match state.store.get_org_unit(&scope, pid).await {
            Ok(p) => Some(p.name),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let form = form.unwrap_or_else(|| EditForm {
        name: unit.name.clone(),
        active: unit.active.to_string(),
    });
    let p = DetailPage {
        layout: Layout::new(user, TITLE, KEY).with_notice(notice),
        parent_name,
        created_at: fmt_time(unit.created_at),
        children: format!("{BASE}?parent={id}"),
        departments: format!("/admin/departments?under={id}"),
        accounts: user
            .can(Permission::ReadAccounts)
            .then(|| format!("/admin/accounts?under={id}")),
        can_manage: user.can(Permission::ManageOrg),
        unit,
        form,
        errors,
    };
    Ok(page(&p, &p.errors))
}

/// `GET /admin/org-units/{id}`
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

/// `POST /admin/org-units/{id}`: renames, enables or disables a unit (ManageOrg).
pub(super) async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
    form: Result<ApiForm<EditForm>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let ApiForm(f) = form?;
    let req = OrgUnitPatchRequest {
        name: Some(f.name.clone()),
        active: match f.active.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        geojson: None,
    };
    match update_org_unit_as(&state, &user, id, req).await {
        Ok(u) => Ok(audited(Redirect::to(&format!(
            "{BASE}/{}?notice=updated",
            u.id
        )))),
        Err(e) => {
            let errors = form_errors(e, EDIT_FIELDS)?;
            detail_page(&state, &user, id, None, Some(f), errors).await
        }
    }
}
