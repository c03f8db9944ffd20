//! Posting the action forms of 事件详情: the form becomes the API's `ActionRequest`, the
//! service decides; a refusal re-renders the page with the form open and its errors.

use axum::extract::State;
use axum::response::Redirect;
use zongzhi_core::case::ActionKind;

use super::action_forms::Posted;
use super::detail::{Extras, render_page};
use super::form::{CaseRef, find_case};
use super::views::{Errors, Fields, form_errors, parse_local};
use crate::api::audited;
use crate::auth::CurrentUser;
use crate::cases::{ActionRequest, act_as};
use crate::console::ConsoleResult;
use crate::error::ApiError;
use crate::extract::{ApiForm, ApiPath};
use crate::state::AppState;

fn id(f: &Fields, name: &str) -> Option<i64> {
    f.opt(name).and_then(|s| s.parse().ok())
}

fn yes_no(f: &Fields, name: &str) -> Option<bool> {
    match f.opt(name).as_deref() {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    }
}

/// The request a form describes, and the fields that could not even be read.
async fn request(
    state: &AppState,
    user: &CurrentUser,
    f: &Fields,
) -> Result<(ActionRequest, Errors), ApiError> {
    let mut errors = Errors::default();
    let days = f.opt("days");
    let parsed_days = days.as_deref().and_then(|d| d.parse::<u16>().ok());
    if days.is_some() && parsed_days.is_none() {
        errors.set("days", "延期天数须为1至60的整数");
    }
    let rating = f.opt("rating");
    let parsed_rating = rating.as_deref().and_then(|r| r.parse::<u8>().ok());
    if rating.is_some() && parsed_rating.is_none() {
        errors.set("rating", "满意度评价无效");
    }
    let new_deadline = match parse_local(&f.one("new_deadline")) {
        Ok(t) => t,
        Err(()) => {
            errors.set("new_deadline", "期限格式无效");
            None
        }
    };
    let master_case_id = match find_case(state, user, &f.one("master_case")).await? {
        CaseRef::Blank => None,
        CaseRef::Id(id) => Some(id),
        CaseRef::Malformed => {
            errors.set(
                "master_case",
                "请输入事件编号（如 ZZ2026112100123）或事件ID",
            );
            None
        }
        CaseRef::Unknown => {
            errors.set("master_case", "未找到该事件编号，或不在您的管辖范围内");
            None
        }
    };
    let co: Vec<i64> = f
        .all("co_handler_ids")
        .iter()
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let req = ActionRequest {
        action: f.one("action"),
        version: f.one("version").trim().parse().unwrap_or(0),
        note: f.opt("note"),
        department_id: id(f, "department_id"),
        org_unit_id: id(f, "org_unit_id"),
        co_handler_ids: (!co.is_empty()).then_some(co),
        outcome: f.opt("outcome"),
        passed: yes_no(f, "passed"),
        approved: yes_no(f, "approved"),
        rating: parsed_rating,
        method: f.opt("method"),
        days: parsed_days,
        level: f.opt("level"),
        new_deadline,
        to_org_unit_id: id(f, "to_org_unit_id"),
        master_case_id,
    };
    Ok((req, errors))
}

/// `POST /cases/{id}/actions`: takes one action (`action`, `version` and its fields).
pub(super) async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
    form: Result<ApiForm<Vec<(String, String)>>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let ApiForm(pairs) = form?;
    let f = Fields(pairs);
    let (req, mut errors) = request(&state, &user, &f).await?;
    let kind = req.action.clone();
    if errors.is_empty() {
        match act_as(&state, &user, id, req).await {
            Ok(_) => {
                let notice = ActionKind::parse(&kind).map_or("done", ActionKind::as_str);
                return Ok(audited(Redirect::to(&format!(
                    "/cases/{id}?notice={notice}"
                ))));
            }
            Err(e) => {
                errors = form_errors(e)?;
                errors.rename(|n| {
                    if n == "master_case_id" {
                        "master_case"
                    } else {
                        n
                    }
                    .to_owned()
                });
            }
        }
    }
    let x = Extras {
        posted: Some(Posted {
            kind,
            fields: f,
            errors,
        }),
        ..Extras::default()
    };
    render_page(&state, &user, id, x).await
}
