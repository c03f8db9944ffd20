//! The JSON API under `/api/v1`: one route table, thin handlers.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod categories;
pub mod export;
pub mod exports;
pub mod openapi;
pub mod org;
pub mod stats;
pub mod views;

use axum::Extension;
use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::error::ApiError;
use crate::middleware::Audited;
use crate::state::AppState;

/// Marks a response as audited by its handler (the change and its audit row were one
/// transaction), so the request-audit layer does not write a second row.
pub fn audited(r: impl IntoResponse) -> Response {
    (Extension(Audited), r).into_response()
}

/// Every API route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi::openapi_json))
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/auth/totp/enrollment", get(auth::totp_enrollment))
        .route("/api/v1/auth/totp", post(auth::totp_verify))
        .route("/api/v1/me", get(auth::me))
        .route("/api/v1/me/password", post(auth::me_password))
        .route(
            "/api/v1/org-units",
            get(org::list_org_units).post(org::create_org_unit),
        )
        .route("/api/v1/org-units/export", get(export::org_units))
        .route(
            "/api/v1/org-units/{id}",
            get(org::get_org_unit).patch(org::update_org_unit),
        )
        .route(
            "/api/v1/departments",
            get(org::list_departments).post(org::create_department),
        )
        .route("/api/v1/departments/export", get(export::departments))
        .route(
            "/api/v1/departments/{id}",
            get(org::get_department).patch(org::update_department),
        )
        .route(
            "/api/v1/accounts",
            get(accounts::list_accounts).post(accounts::create_account),
        )
        .route("/api/v1/accounts/export", get(export::accounts))
        .route(
            "/api/v1/accounts/{id}",
            get(accounts::get_account).patch(accounts::update_account),
        )
        .route(
            "/api/v1/accounts/{id}/password",
            post(accounts::reset_password),
        )
        .route("/api/v1/accounts/{id}/unlock", post(accounts::unlock))
        .route("/api/v1/accounts/{id}/phone", get(accounts::reveal_phone))
        .route(
            "/api/v1/categories",
            get(categories::list_categories).post(categories::create_category),
        )
        .route(
            "/api/v1/categories/{code}",
            axum::routing::patch(categories::update_category),
        )
        .route(
            "/api/v1/time-limits",
            get(crate::timing::http::list_time_limits).post(crate::timing::http::create_time_limit),
        )
        .route(
            "/api/v1/time-limits/{id}",
            axum::routing::patch(crate::timing::http::update_time_limit),
        )
        .route("/api/v1/calendar", get(crate::timing::http::list_calendar))
        .route(
            "/api/v1/calendar/{date}",
            axum::routing::put(crate::timing::http::put_calendar_day)
                .delete(crate::timing::http::remove_calendar_day),
        )
        .route(
            "/api/v1/cases",
            get(cases::list_cases)
                .post(cases::create_case)
                .layer(axum::extract::DefaultBodyLimit::max(cases::MAX_UPLOAD_BODY)),
        )
        .route("/api/v1/cases/count", get(cases::count_cases))
        .route("/api/v1/cases/{id}", get(cases::get_case))
        .route("/api/v1/cases/{id}/actions", post(cases::act))
        .route(
            "/api/v1/cases/{id}/route-targets",
            get(cases::route_targets),
        )
        .route(
            "/api/v1/cases/{id}/attachments",
            post(cases::add_attachments)
                .layer(axum::extract::DefaultBodyLimit::max(cases::MAX_UPLOAD_BODY)),
        )
        .route(
            "/api/v1/cases/{id}/attachments/{attachment_id}",
            get(cases::download_attachment),
        )
        .route(
            "/api/v1/cases/{id}/parties/{party_id}/reveal",
            post(cases::reveal_party),
        )
        .route(
            "/api/v1/exports",
            get(exports::list_exports).post(exports::create_export),
        )
        .route("/api/v1/exports/{id}", get(exports::get_export))
        .route(
            "/api/v1/exports/{id}/download",
            get(exports::download_export),
        )
        .route("/api/v1/stats/summary", get(stats::summary))
        .route("/api/v1/stats/trend", get(stats::trend))
        .route("/api/v1/stats/breakdown", get(stats::breakdown))
        .route("/api/v1/stats/units", get(stats::units))
        .route("/api/v1/stats/departments", get(stats::departments))
        .route("/api/v1/stats/map", get(stats::map))
        .route("/api/v1/audit", get(audit::list_audit))
        .route(
            "/api/v1/security-policy",
            get(crate::policy::get_policy).put(crate::policy::put_policy),
        )
        .route("/api/v1/{*rest}", axum::routing::any(not_found))
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}
