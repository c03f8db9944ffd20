//! 账号管理: the account list with filters and export, and the new-account form.

use askama::Template;
use axum::extract::State;
use axum::response::Redirect;
use zongzhi_core::org::OrgLevel;
use zongzhi_core::role::{Permission, Role};
use zongzhi_store::Account;

use super::{
    FormErrors, NoticeQuery, Opt, Pager, department_pairs, form_errors, href, id_text, opts, page,
    parse_id, text, unit_options, unit_pairs,
};
use crate::api::accounts::{AccountQuery, NewAccountRequest, create_account_as};
use crate::api::audited;
use crate::auth::{CurrentUser, SessionCtx};
use crate::console::{ConsoleResult, Layout};
use crate::error::ApiError;
use crate::extract::{ApiForm, ApiQuery};
use crate::state::AppState;

pub(super) const BASE: &str = "/admin/accounts";
pub(super) const TITLE: &str = "账号管理";
pub(super) const KEY: &str = "accounts";
const CREATE_FIELDS: &[&str] = &[
    "username",
    "display_name",
    "password",
    "org_unit_id",
    "department_id",
    "roles",
    "phone",
];

/// A role checkbox.
#[derive(Debug, Clone)]
pub(super) struct RoleBox {
    /// Role id.
    pub value: &'static str,
    /// Chinese label.
    pub label: &'static str,
    /// Whether ticked.
    pub checked: bool,
    /// One of the three admin roles.
    pub admin: bool,
}

/// Checkboxes of `roles`, ticked where the id is in `checked`.
pub(super) fn role_boxes(
    roles: impl IntoIterator<Item = Role>,
    checked: &[String],
) -> Vec<RoleBox> {
    roles
        .into_iter()
        .map(|r| RoleBox {
            value: r.as_str(),
            label: r.label_zh(),
            checked: checked.iter().any(|c| c == r.as_str()),
            admin: r.is_admin(),
        })
        .collect()
}

/// All values of `name` in a submitted form (checkboxes repeat their name).
pub(super) fn all_of(pairs: &[(String, String)], name: &str) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The first value of `name` in a submitted form.
pub(super) fn one_of(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// An account row with its lock state now.
pub(super) struct Row {
    /// The account.
    pub a: Account,
    /// Locked at this moment.
    pub locked: bool,
}

#[derive(Template)]
#[template(path = "admin/accounts.html")]
struct ListPage {
    layout: Layout,
    q: String,
    phone: String,
    under: String,
    role_filter: Vec<Opt>,
    status_filter: Vec<Opt>,
    filter_errors: FormErrors,
    rows: Vec<Row>,
    pager: Pager,
    export: String,
    can_create: bool,
}

/// `GET /admin/accounts`
pub(super) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    q: Result<ApiQuery<AccountQuery>, ApiError>,
    n: Result<ApiQuery<NoticeQuery>, ApiError>,
) -> ConsoleResult {
    let ApiQuery(q) = q?;
    let ApiQuery(n) = n?;
    user.require(Permission::ReadAccounts)?;
    let scope = user.scope();
    let (qs, role, status, phone, under, limit) = (
        text(q.q.as_ref()),
        text(q.role.as_ref()),
        text(q.status.as_ref()),
        text(q.phone.as_ref()),
        id_text(q.under),
        id_text(q.limit),
    );
    let pairs = [
        ("q", qs.as_str()),
        ("role", role.as_str()),
        ("status", status.as_str()),
        ("phone", phone.as_str()),
        ("under", under.as_str()),
    ];
    let now = state.clock.now();
    let fetched = async {
        let filter = q.filter(&state)?;
        let page = state.store.list_accounts(&scope, &filter).await?;
        let total = state.store.count_accounts(&scope, &filter).await?;
        Ok::<_, ApiError>((page, total))
    }
    .await;
    let mut filter_errors = FormErrors::default();
    let (rows, pager) = match fetched {
        Ok((page, total)) => {
            let mut links = pairs.to_vec();
            links.push(("limit", limit.as_str()));
            let pager = Pager::new(BASE, &links, total, q.cursor.as_deref(), page.next_cursor);
            let rows = page
                .items
                .into_iter()
                .map(|a| Row {
                    locked: a.is_locked(now),
                    a,
                })
                .collect();
            (rows, pager)
        }
        Err(e) => {
            filter_errors = form_errors(e, &["q", "role", "status", "phone"])?;
            (Vec::new(), Pager::empty())
        }
    };
    let p = ListPage {
        layout: Layout::new(&user, TITLE, KEY).with_notice(n.text()),
        role_filter: opts(Role::ALL.iter().map(|r| (r.as_str(), r.label_zh())), &role),
        status_filter: opts([("active", "启用"), ("disabled", "停用")], &status),
        q: qs.clone(),
        phone: phone.clone(),
        under: under.clone(),
        filter_errors,
        rows,
        pager,
        export: href("/api/v1/accounts/export", &pairs),
        can_create: user.can(Permission::ManageAccounts),
    };
    Ok(page(&p, &FormErrors::default()))
}

/// The new-account form as submitted (the password is never echoed back).
#[derive(Debug, Default)]
struct NewForm {
    username: String,
    display_name: String,
    org_unit_id: String,
    department_id: String,
    roles: Vec<String>,
    phone: String,
}

#[derive(Template)]
#[template(path = "admin/account_new.html")]
struct NewPage {
    layout: Layout,
    form: NewForm,
    units: Vec<Opt>,
    departments: Vec<Opt>,
    roles: Vec<RoleBox>,
    errors: FormErrors,
}

/// Roles the user may tick on a new account: business roles, and admin roles for the
/// security admin only (三员分立).
fn grantable(ctx: &SessionCtx) -> impl Iterator<Item = Role> + '_ {
    Role::ALL
        .into_iter()
        .filter(|r| !r.is_admin() || ctx.can(Permission::ManageRoles))
}

async fn new_form_page(
    state: &AppState,
    user: &CurrentUser,
    form: NewForm,
    errors: FormErrors,
) -> ConsoleResult {
    user.require(Permission::ManageAccounts)?;
    let scope = user.scope();
    let units = unit_pairs(&unit_options(state, &scope, &OrgLevel::ALL).await?);
    let departments = department_pairs(state, &scope).await?;
    let p = NewPage {
        layout: Layout::new(user, TITLE, KEY),
        units: opts(units, &form.org_unit_id),
        departments: opts(departments, &form.department_id),
        roles: role_boxes(grantable(user), &form.roles),
        form,
        errors,
    };
    Ok(page(&p, &p.errors))
}

/// `GET /admin/accounts/new`
pub(super) async fn new_page(State(state): State<AppState>, user: CurrentUser) -> ConsoleResult {
    new_form_page(&state, &user, NewForm::default(), FormErrors::default()).await
}

/// `POST /admin/accounts/new`: creates an account (ManageAccounts).
pub(super) async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Result<ApiForm<Vec<(String, String)>>, ApiError>,
) -> ConsoleResult {
    let ApiForm(pairs) = form?;
    let f = NewForm {
        username: one_of(&pairs, "username"),
        display_name: one_of(&pairs, "display_name"),
        org_unit_id: one_of(&pairs, "org_unit_id"),
        department_id: one_of(&pairs, "department_id"),
        roles: all_of(&pairs, "roles"),
        phone: one_of(&pairs, "phone"),
    };
    let unit = parse_id(&f.org_unit_id);
    let req = NewAccountRequest {
        username: f.username.clone(),
        display_name: f.display_name.clone(),
        password: one_of(&pairs, "password"),
        // No unit chosen: 0 matches none, so the store refuses it after the other checks.
        org_unit_id: unit.unwrap_or(0),
        department_id: parse_id(&f.department_id),
        roles: f.roles.clone(),
        phone: Some(f.phone.clone()),
    };
    match create_account_as(&state, &user, req).await {
        Ok(a) => Ok(audited(Redirect::to(&format!(
            "{BASE}/{}?notice=created",
            a.id
        )))),
        Err(e) => {
            let mut errors = form_errors(e, CREATE_FIELDS)?;
            if unit.is_none() {
                errors.set("org_unit_id", "请选择所属单位");
            }
            new_form_page(&state, &user, f, errors).await
        }
    }
}
