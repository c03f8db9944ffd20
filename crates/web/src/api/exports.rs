//! `/api/v1/exports`: background exports (台账/报表导出) — request, list, status, download.
//! Thin handlers over [`crate::exports`].

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::exports::{self, ExportRequest, ExportView};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

/// `POST /api/v1/exports`
#[utoipa::path(post, path = "/api/v1/exports", tag = "exports", description = "Queues an export in the caller's scope: `ledger` (矛盾纠纷排查化解台账, xlsx), `cases` (the filtered case list, xlsx), `daily` / `weekly` / `monthly` reports (xlsx or pdf). Rows are counted first: none → 422 `export_empty`, more than 1,000,000 → 422 `export_too_large`; pdf for a ledger or list → 422 `unsupported_format`; a bad date or period → 422 `invalid_period`; an org unit outside the caller's scope → 404. Report periods default: daily = yesterday (or `from`), weekly = the 7 days ending `to` (default yesterday), monthly = the month of `from` (default the last whole month). The job runs in the background with the requester's scope as it is then; poll `GET /api/v1/exports/{id}`. Needs `export_cases`; audited (`export.create`).", request_body = ExportRequest, responses((status = 202, description = "Queued", body = ExportView), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Org unit not found or out of scope", body = crate::error::Problem), (status = 422, description = "Invalid request, empty or too large", body = crate::error::Problem)))]
pub async fn create_export(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(req): ApiJson<ExportRequest>,
) -> ApiResult<Response> {
    let job = exports::create_export_as(&state, &user, &req).await?;
    let location = HeaderValue::from_str(&format!("/api/v1/exports/{}", job.id))
        .map_err(|e| ApiError::internal(&e))?;
    Ok(super::audited((
        StatusCode::ACCEPTED,
        [(header::LOCATION, location)],
        Json(ExportView::new(&job)),
    )))
}

/// `GET /api/v1/exports`
#[utoipa::path(get, path = "/api/v1/exports", tag = "exports", description = "The caller's own export jobs, newest first (at most 50).", responses((status = 200, description = "My exports", body = Vec<ExportView>), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem)))]
pub async fn list_exports(
    State(state): State<AppState>,
    user: CurrentUser,
) -> ApiResult<Json<Vec<ExportView>>> {
    let jobs = exports::list_exports_as(&state, &user).await?;
    Ok(Json(jobs.iter().map(ExportView::new).collect()))
}

/// `GET /api/v1/exports/{id}`
#[utoipa::path(get, path = "/api/v1/exports/{id}", tag = "exports", description = "One of the caller's export jobs: status (`queued`, `running`, `done`, `failed`), progress 0–100, and `download_url` once done. Anyone else's job is 404.", params(("id" = i64, Path, description = "Job id")), responses((status = 200, description = "The job", body = ExportView), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found", body = crate::error::Problem)))]
pub async fn get_export(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ExportView>> {
    let job = exports::get_export_as(&state, &user, id).await?;
    Ok(Json(ExportView::new(&job)))
}

/// `GET /api/v1/exports/{id}/download`
#[utoipa::path(get, path = "/api/v1/exports/{id}/download", tag = "exports", description = "Downloads a finished export (owner only; anyone else's is 404), with its Chinese file name in `Content-Disposition` (`filename*=UTF-8''…`, RFC 5987), e.g. `矛盾纠纷排查化解台账_东湖区_20261101-20261122.xlsx`. Audited (`export.download`). Not done yet → 409 `export_not_ready`.", params(("id" = i64, Path, description = "Job id")), responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found", body = crate::error::Problem), (status = 409, description = "Not done yet", body = crate::error::Problem)))]
pub async fn download_export(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let file = exports::open_download_as(&state, &user, id).await?;
    Ok(super::audited(file.into_response()))
}
