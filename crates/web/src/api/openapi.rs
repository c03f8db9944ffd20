//! The OpenAPI 3.1 document, generated from the handlers' annotations and served at
//! `/api/v1/openapi.json`.

use axum::Json;
use utoipa::OpenApi;

use super::{accounts, audit, auth, cases, categories, export, org};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Zongzhi API",
        description = "综治中心平台 JSON API. Errors are RFC 9457 problem+json with a stable `code`. State-changing requests echo the sign-in `csrf_token` in `X-CSRF-Token`."
    ),
    paths(
        auth::login,
        auth::logout,
        auth::totp_enrollment,
        auth::totp_verify,
        auth::me,
        auth::me_password,
        org::list_org_units,
        org::get_org_unit,
        org::create_org_unit,
        org::update_org_unit,
        org::list_departments,
        org::get_department,
        org::create_department,
        org::update_department,
        accounts::list_accounts,
        accounts::get_account,
        accounts::create_account,
        accounts::update_account,
        accounts::reset_password,
        accounts::unlock,
        accounts::reveal_phone,
        export::org_units,
        export::departments,
        export::accounts,
        categories::list_categories,
        categories::create_category,
        categories::update_category,
        crate::timing::http::list_time_limits,
        crate::timing::http::create_time_limit,
        crate::timing::http::update_time_limit,
        crate::timing::http::list_calendar,
        crate::timing::http::put_calendar_day,
        crate::timing::http::remove_calendar_day,
        cases::create_case,
        cases::list_cases,
        cases::count_cases,
        cases::get_case,
        cases::act,
        cases::route_targets,
        cases::add_attachments,
        cases::download_attachment,
        cases::reveal_party,
        crate::api::exports::create_export,
        crate::api::exports::list_exports,
        crate::api::exports::get_export,
        crate::api::exports::download_export,
        crate::api::stats::summary,
        crate::api::stats::trend,
        crate::api::stats::breakdown,
        crate::api::stats::units,
        crate::api::stats::departments,
        crate::api::stats::map,
        audit::list_audit,
        crate::policy::get_policy,
        crate::policy::put_policy,
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError))
)]
pub struct ApiDoc;

/// `GET /api/v1/openapi.json`
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
