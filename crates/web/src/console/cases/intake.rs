//! 事件登记: the intake form (multipart, with parties and attachments). What was typed is
//! kept on errors, each message beside its field; files must be chosen again.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::Redirect;
use zongzhi_core::case::machine::grid_worker_channel;
use zongzhi_core::case::{Channel, Complexity, PartyRole, Urgency};
use zongzhi_core::org::OrgLevel;
use zongzhi_core::role::Role;

use super::can_register;
use super::form::{CatGroup, category_groups, read_multipart};
use super::views::{Errors, Fields, form_errors, page, parse_local};
use crate::api::audited;
use crate::auth::{CurrentUser, random_token};
use crate::cases::{
    MAX_FILES_PER_REQUEST, NewCaseRequest, PartyRequest, UploadedFile, create_case_as,
};
use crate::console::admin::{Opt, opts, unit_options, unit_pairs};
use crate::console::{ConsoleResult, Layout};
use crate::error::ApiError;
use crate::state::AppState;

/// Party rows always offered (the form shows 3, and 3 more folded away).
const PARTY_ROWS: usize = 6;
/// Highest party row index read from a submitted form.
const MAX_PARTY_ROWS: usize = 50;

/// One party row of the form, with its errors.
pub(super) struct PartyRow {
    /// Row index (`parties[i].…`).
    pub i: usize,
    /// Typed name.
    pub name: String,
    /// Role options.
    pub roles: Vec<Opt>,
    /// Typed ID number.
    pub id_card_no: String,
    /// Typed phone.
    pub phone: String,
    /// Errors of name, role, ID number, phone.
    pub errors: [Option<String>; 4],
    /// Folded away (rows after the third, unless filled).
    pub extra: bool,
}

#[derive(Template)]
#[template(path = "cases/new.html")]
struct NewPage {
    layout: Layout,
    f: Fields,
    channels: Vec<Opt>,
    categories: Vec<CatGroup>,
    urgencies: Vec<Opt>,
    complexities: Vec<Opt>,
    units: Vec<Opt>,
    parties: Vec<PartyRow>,
    extra_open: bool,
    attachment_errors: Vec<String>,
    had_files: bool,
    max_files: usize,
    errors: Errors,
}

/// The channels the user may register: a grid worker only what a round finds.
fn channels(user: &CurrentUser) -> Vec<Channel> {
    let any = user
        .account
        .roles
        .iter()
        .any(|&r| r != Role::GridWorker && super::can_register_as(r));
    Channel::ALL
        .iter()
        .copied()
        .filter(|&c| any || grid_worker_channel(c))
        .collect()
}

fn party_rows(f: &Fields, errors: &Errors) -> Vec<PartyRow> {
    let filled = |i: usize| {
        ["name", "id_card_no", "phone"]
            .iter()
            .any(|k| f.opt(&format!("parties[{i}].{k}")).is_some())
    };
    let last = (0..MAX_PARTY_ROWS).rev().find(|&i| filled(i));
    let n = last.map_or(0, |l| l + 1).max(PARTY_ROWS);
    (0..n)
        .map(|i| {
            let key = |k: &str| format!("parties[{i}].{k}");
            let role = f
                .opt(&key("role"))
                .unwrap_or_else(|| if i == 0 { "applicant" } else { "respondent" }.to_owned());
            let err = |k: &str| errors.get(&key(k)).map(str::to_owned);
            PartyRow {
                i,
                name: f.one(&key("name")),
                roles: opts(
                    PartyRole::ALL.iter().map(|r| (r.as_str(), r.label_zh())),
                    &role,
                ),
                id_card_no: f.one(&key("id_card_no")),
                phone: f.one(&key("phone")),
                errors: [err("name"), err("role"), err("id_card_no"), err("phone")],
                extra: i >= 3,
            }
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    mut f: Fields,
    errors: Errors,
    had_files: bool,
) -> ConsoleResult {
    if !can_register(user) {
        return Err(ApiError::forbidden().into());
    }
    let chans = channels(user);
    if f.opt("channel").is_none()
        && let Some(c) = chans.first()
    {
        f.0.push(("channel".to_owned(), c.as_str().to_owned()));
    }
    if f.opt("org_unit_id").is_none() {
        f.0.push((
            "org_unit_id".to_owned(),
            user.account.org_unit_id.to_string(),
        ));
    }
    if f.opt("idempotency_key").is_none() {
        // One key per form: a double click or a resent form registers the case once.
        f.0.push(("idempotency_key".to_owned(), random_token()));
    }
    let units = unit_pairs(&unit_options(state, &user.scope(), &OrgLevel::ALL).await?);
    let parties = party_rows(&f, &errors);
    let p = NewPage {
        layout: Layout::new(user, "事件登记", "case-new"),
        channels: opts(
            chans.iter().map(|c| (c.as_str(), c.label_zh())),
            &f.one("channel"),
        ),
        categories: category_groups(state, &f.one("category_code"), "（未细分）").await?,
        urgencies: opts(
            Urgency::ALL.iter().map(|u| (u.as_str(), u.label_zh())),
            &f.opt("urgency").unwrap_or_else(|| "normal".to_owned()),
        ),
        complexities: opts(
            Complexity::ALL.iter().map(|c| (c.as_str(), c.label_zh())),
            &f.opt("complexity").unwrap_or_else(|| "simple".to_owned()),
        ),
        units: opts(units, &f.one("org_unit_id")),
        extra_open: parties
            .iter()
            .any(|p| p.extra && (!p.name.is_empty() || p.errors.iter().any(Option::is_some))),
        parties,
        attachment_errors: errors
            .with_prefix("attachments")
            .into_iter()
            .map(str::to_owned)
            .collect(),
        had_files,
        max_files: MAX_FILES_PER_REQUEST,
        f,
        errors,
    };
    Ok(page(&p, &p.errors))
}

/// `GET /cases/new`
pub(super) async fn new_page(State(state): State<AppState>, user: CurrentUser) -> ConsoleResult {
    form_page(&state, &user, Fields::default(), Errors::default(), false).await
}

/// The request a form describes, or the fields that could not even be read.
fn request(f: &Fields) -> (NewCaseRequest, Vec<usize>, Errors) {
    let mut errors = Errors::default();
    let mut number = |field: &str, msg: &str| -> Option<String> {
        let v = f.opt(field);
        if v.as_deref().is_some_and(|s| s.parse::<f64>().is_err()) {
            errors.set(field, msg);
        }
        v
    };
    let lat = number("lat", "纬度须为数字").and_then(|s| s.parse().ok());
    let lng = number("lng", "经度须为数字").and_then(|s| s.parse().ok());
    let amount_yuan = number("amount_yuan", "涉及金额须为数字").and_then(|s| s.parse().ok());
    let people = f.opt("people_involved");
    let people_involved = people.as_deref().and_then(|s| s.parse::<i32>().ok());
    if people.is_some() && people_involved.is_none() {
        errors.set("people_involved", "涉及人数须为整数");
    }
    let mut time = |field: &str, msg: &str| match parse_local(&f.one(field)) {
        Ok(t) => t,
        Err(()) => {
            errors.set(field, msg);
            None
        }
    };
    let occurred_at = time("occurred_at", "发生时间格式无效");
    let reported_at = time("reported_at", "反映时间格式无效");
    // Blank rows are skipped; `rows[k]` is the form row of request party `k`.
    let mut rows = Vec::new();
    let mut parties = Vec::new();
    for i in 0..MAX_PARTY_ROWS {
        let key = |k: &str| format!("parties[{i}].{k}");
        let (name, id, phone) = (
            f.opt(&key("name")),
            f.opt(&key("id_card_no")),
            f.opt(&key("phone")),
        );
        if name.is_none() && id.is_none() && phone.is_none() {
            continue;
        }
        rows.push(i);
        parties.push(PartyRequest {
            name: name.unwrap_or_default(),
            id_card_no: id,
            phone,
            role: f.one(&key("role")),
        });
    }
    let req = NewCaseRequest {
        channel: f.one("channel"),
        category_code: f.one("category_code"),
        urgency: f.opt("urgency"),
        complexity: f.opt("complexity"),
        title: f.one("title"),
        description: f.one("description"),
        occurred_at,
        reported_at,
        address: f.opt("address"),
        // No unit chosen: 0, which the service reports as 请选择事发区域.
        org_unit_id: f.one("org_unit_id").trim().parse().unwrap_or(0),
        lat,
        lng,
        people_involved,
        amount_yuan,
        parties,
    };
    (req, rows, errors)
}

/// `parties[k].x` of the request as `parties[row].x` of the form.
fn form_field(name: &str, rows: &[usize]) -> String {
    let Some(rest) = name.strip_prefix("parties[") else {
        return name.to_owned();
    };
    let Some((k, tail)) = rest.split_once(']') else {
        return name.to_owned();
    };
    match k.parse::<usize>().ok().and_then(|k| rows.get(k)) {
        Some(row) => format!("parties[{row}]{tail}"),
        None => name.to_owned(),
    }
}

/// `POST /cases/new` (multipart): registers the case and opens it.
pub(super) async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    mp: Result<Multipart, MultipartRejection>,
) -> ConsoleResult {
    if !can_register(&user) {
        return Err(ApiError::forbidden().into());
    }
    let (f, files): (Fields, Vec<UploadedFile>) = match read_multipart(mp).await {
        Ok(x) => x,
        Err(e) => {
            let errors = form_errors(e)?;
            return form_page(&state, &user, Fields::default(), errors, true).await;
        }
    };
    let had_files = !files.is_empty();
    let (req, rows, errors) = request(&f);
    if !errors.is_empty() {
        return form_page(&state, &user, f, errors, had_files).await;
    }
    let key = f.opt("idempotency_key");
    match create_case_as(&state, &user, req, key, files).await {
        Ok(created) => Ok(audited(Redirect::to(&format!(
            "/cases/{}?notice=registered",
            created.case.id
        )))),
        Err(e) => {
            let mut errors = form_errors(e)?;
            errors.rename(|n| form_field(n, &rows));
            form_page(&state, &user, f, errors, had_files).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::form_field;

    #[test]
    fn party_errors_land_on_their_form_rows() {
        assert_eq!(
            form_field("parties[1].id_card_no", &[0, 2]),
            "parties[2].id_card_no"
        );
        assert_eq!(form_field("parties[5].name", &[0]), "parties[5].name");
        assert_eq!(form_field("title", &[0]), "title");
    }
}
