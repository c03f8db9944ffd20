//! 分类代码: the two-level category code table, grouped by first level, with rename,
//! 启用/停用 and creation for the system administrator.

use askama::Template;
use axum::extract::State;
use axum::response::Redirect;
use zongzhi_core::case::category::CategoryKind;
use zongzhi_core::role::Permission;
use zongzhi_store::Category;

use super::{FormErrors, NoticeQuery, Opt, form_errors, opts, page};
use crate::api::audited;
use crate::api::categories::{
    CategoryPatchRequest, NAME_MAX, NewCategoryRequest, can_manage, create_category_as,
    list_categories_as, update_category_as,
};
use crate::auth::CurrentUser;
use crate::console::{ConsoleResult, Layout};
use crate::error::ApiError;
use crate::extract::{ApiForm, ApiPath, ApiQuery};
use crate::state::AppState;

const BASE: &str = "/admin/categories";
const TITLE: &str = "分类代码";
const KEY: &str = "categories";
const CREATE_FIELDS: &[&str] = &["code", "name", "parent_code", "kind"];

/// The create form as submitted (kept on errors).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct CreateForm {
    code: String,
    name: String,
    parent_code: String,
    kind: String,
}

/// The rename form of one row.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct RenameForm {
    name: String,
}

/// The 启用/停用 button of one row.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct StatusForm {
    active: String,
}

/// A rename that failed, re-shown on its row.
#[derive(Debug, Default)]
struct Rename {
    code: String,
    name: String,
    errors: FormErrors,
}

/// One table row.
#[derive(Debug)]
struct Row {
    code: String,
    name: String,
    kind: &'static str,
    sort_order: i64,
    active: bool,
    /// Second level (indented under its first-level row).
    child: bool,
    /// Active itself but hidden because its first-level row is not.
    hidden_by_parent: bool,
    /// The rename field's value (the failed input on error).
    rename_value: String,
    /// The rename error beside the field.
    rename_error: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/categories.html")]
struct ListPage {
    layout: Layout,
    rows: Vec<Row>,
    show_inactive: bool,
    can_manage: bool,
    name_max: usize,
    /// Page-level message of a failed row action (rename, 启用/停用).
    row_errors: FormErrors,
    form: CreateForm,
    parents: Vec<Opt>,
    kinds: Vec<Opt>,
    errors: FormErrors,
}

/// First-level rows in table order, each followed by its children in table order; a child
/// whose parent is missing from the list (never expected) goes last.
fn grouped(cats: Vec<Category>, rename: Option<&Rename>) -> Vec<Row> {
    let row = |c: &Category, parent_active: bool| {
        let editing = rename.filter(|r| r.code == c.code);
        Row {
            code: c.code.clone(),
            name: c.name.clone(),
            kind: c.kind.label_zh(),
            sort_order: c.sort_order,
            active: c.active,
            child: c.parent_code.is_some(),
            hidden_by_parent: c.active && !parent_active,
            rename_value: editing.map_or_else(|| c.name.clone(), |r| r.name.clone()),
            rename_error: editing.and_then(|r| r.errors.get("name").map(str::to_owned)),
        }
    };
    let mut out = Vec::with_capacity(cats.len());
    for top in cats.iter().filter(|c| c.parent_code.is_none()) {
        out.push(row(top, true));
        for child in cats
            .iter()
            .filter(|c| c.parent_code.as_deref() == Some(top.code.as_str()))
        {
            out.push(row(child, top.active));
        }
    }
    for orphan in cats.iter().filter(|c| {
        c.parent_code
            .as_deref()
            .is_some_and(|p| !cats.iter().any(|t| t.code == p && t.parent_code.is_none()))
    }) {
        out.push(row(orphan, true));
    }
    out
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<String>,
    form: CreateForm,
    errors: FormErrors,
    rename: Option<Rename>,
    row_errors: FormErrors,
) -> ConsoleResult {
    let show_inactive = user.can(Permission::ManageOrg);
    let cats = list_categories_as(state, user, show_inactive).await?;
    let manage = can_manage(user);
    let parents = if manage {
        let tops = cats
            .iter()
            .filter(|c| c.parent_code.is_none() && c.active)
            .map(|c| (c.code.clone(), format!("{} {}", c.code, c.name)));
        opts(tops, &form.parent_code)
    } else {
        Vec::new()
    };
    let kinds = opts(
        CategoryKind::ALL.iter().map(|k| (k.as_str(), k.label_zh())),
        &form.kind,
    );
    let p = ListPage {
        layout: Layout::new(user, TITLE, KEY).with_notice(notice),
        rows: grouped(cats, rename.as_ref()),
        show_inactive,
        can_manage: manage,
        name_max: NAME_MAX,
        row_errors: rename.map_or(row_errors, |r| r.errors),
        form,
        parents,
        kinds,
        errors,
    };
    let status = if p.errors.summary().is_some() {
        &p.errors
    } else {
        &p.row_errors
    };
    Ok(page(&p, status))
}

/// `GET /admin/categories`
pub(super) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    n: Result<ApiQuery<NoticeQuery>, ApiError>,
) -> ConsoleResult {
    let ApiQuery(n) = n?;
    list_page(
        &state,
        &user,
        n.text(),
        CreateForm::default(),
        FormErrors::default(),
        None,
        FormErrors::default(),
    )
    .await
}

/// `POST /admin/categories`: adds a category.
pub(super) async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Result<ApiForm<CreateForm>, ApiError>,
) -> ConsoleResult {
    let ApiForm(f) = form?;
    let req = NewCategoryRequest {
        code: f.code.clone(),
        name: f.name.clone(),
        parent_code: Some(f.parent_code.clone()).filter(|p| !p.trim().is_empty()),
        kind: Some(f.kind.clone()).filter(|k| !k.trim().is_empty()),
        sort_order: None,
    };
    match create_category_as(&state, &user, req).await {
        Ok(c) => Ok(audited(Redirect::to(&format!(
            "{BASE}?notice=created#cat-{}",
            c.code
        )))),
        Err(e) => {
            let errors = form_errors(e, CREATE_FIELDS)?;
            list_page(&state, &user, None, f, errors, None, FormErrors::default()).await
        }
    }
}

/// `POST /admin/categories/{code}`: renames a category.
pub(super) async fn rename(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<String>, ApiError>,
    form: Result<ApiForm<RenameForm>, ApiError>,
) -> ConsoleResult {
    let ApiPath(code) = path?;
    let ApiForm(f) = form?;
    let req = CategoryPatchRequest {
        name: Some(f.name.clone()),
        ..CategoryPatchRequest::default()
    };
    match update_category_as(&state, &user, &code, req).await {
        Ok(c) => Ok(audited(Redirect::to(&format!(
            "{BASE}?notice=updated#cat-{}",
            c.code
        )))),
        Err(e) => {
            let errors = form_errors(e, &["name"])?;
            let rename = Rename {
                code,
                name: f.name,
                errors,
            };
            list_page(
                &state,
                &user,
                None,
                CreateForm::default(),
                FormErrors::default(),
                Some(rename),
                FormErrors::default(),
            )
            .await
        }
    }
}

/// `POST /admin/categories/{code}/status`: 启用/停用 (never deletes).
pub(super) async fn status(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<String>, ApiError>,
    form: Result<ApiForm<StatusForm>, ApiError>,
) -> ConsoleResult {
    let ApiPath(code) = path?;
    let ApiForm(f) = form?;
    let active = match f.active.as_str() {
        "true" => true,
        "false" => false,
        _ => {
            let e = ApiError::field("active", "active_invalid", "状态无效");
            let row_errors = form_errors(e, &[])?;
            return list_page(
                &state,
                &user,
                None,
                CreateForm::default(),
                FormErrors::default(),
                None,
                row_errors,
            )
            .await;
        }
    };
    let req = CategoryPatchRequest {
        active: Some(active),
        ..CategoryPatchRequest::default()
    };
    let c = update_category_as(&state, &user, &code, req).await?;
    let notice = if active { "enabled" } else { "disabled" };
    Ok(audited(Redirect::to(&format!(
        "{BASE}?notice={notice}#cat-{}",
        c.code
    ))))
}
