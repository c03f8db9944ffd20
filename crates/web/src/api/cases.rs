//! `/api/v1/cases`: intake (JSON or multipart with files), the scoped list and count, one
//! case with its history and allowed actions, actions, attachments and the audited reveal
//! of a party's identifiers. Thin handlers over [`crate::cases`].

use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::views::PageView;
use crate::auth::CurrentUser;
use crate::cases::views::{AttachmentView, CaseDetailView, CaseView, RouteTargetsView};
use crate::cases::{
    self, ActionRequest, CaseListQuery, MAX_ATTACHMENT_BYTES, MAX_FILES_PER_REQUEST,
    NewCaseRequest, RevealedParty, UploadedFile,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// Largest multipart body: the most files at the largest size, plus the case JSON.
pub const MAX_UPLOAD_BODY: usize = MAX_FILES_PER_REQUEST * MAX_ATTACHMENT_BYTES + 1024 * 1024;

/// One uploaded file: a part with a file name and binary content.
#[derive(utoipa::ToSchema)]
#[schema(content_media_type = "application/octet-stream")]
#[allow(dead_code)]
pub struct FilePart(String);

/// `POST /api/v1/cases` as `multipart/form-data`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct NewCaseUpload {
    /// The case: a `NewCaseRequest` as JSON text.
    #[schema(content_media_type = "application/json")]
    case: String,
    /// Files (repeat the part), at most 5, each at most 20 MB: PDF, JPEG, PNG, GIF or
    /// WebP, with a file name whose extension matches the content.
    #[schema(required = false)]
    files: Vec<FilePart>,
}

/// `POST /api/v1/cases/{id}/attachments` body.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct AttachmentUpload {
    /// Files (repeat the part), at most 5, each at most 20 MB: PDF, JPEG, PNG, GIF or
    /// WebP, with a file name whose extension matches the content.
    files: Vec<FilePart>,
}

/// A count.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CountView {
    /// How many cases match.
    pub count: i64,
}

fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
    } else {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_multipart")
    }
}

/// Reads one file part, refusing it as soon as it grows past the limit.
async fn read_file(mut field: Field<'_>, index: usize) -> ApiResult<UploadedFile> {
    let file_name = field.file_name().unwrap_or_default().to_owned();
    let mut buf = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if buf.len() + chunk.len() > MAX_ATTACHMENT_BYTES {
            return Err(
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "attachment_too_large").with_field(
                    &format!("attachments[{index}]"),
                    "attachment_too_large",
                    "附件不能超过20MB",
                ),
            );
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(UploadedFile {
        file_name,
        bytes: Bytes::from(buf),
    })
}

/// The `case` JSON part (if any) and the `files` parts of a multipart body.
async fn read_multipart(mut mp: Multipart) -> ApiResult<(Option<Bytes>, Vec<UploadedFile>)> {
    let mut case = None;
    let mut files = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("case") => case = Some(field.bytes().await.map_err(multipart_error)?),
            Some("files" | "files[]" | "file") => {
                if files.len() == MAX_FILES_PER_REQUEST {
                    return Err(ApiError::field(
                        "attachments",
                        "attachments_too_many",
                        "一次最多上传5个附件",
                    ));
                }
                files.push(read_file(field, files.len()).await?);
            }
            // Unknown parts are drained and ignored, like unknown JSON members.
            _ => {}
        }
    }
    Ok((case, files))
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"))
}

fn parse_case_json(bytes: &[u8]) -> ApiResult<NewCaseRequest> {
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
        }
        _ => ApiError::new(StatusCode::BAD_REQUEST, "malformed_json"),
    })
}

/// A JSON body under the ordinary body limit (the route's own limit is raised for files).
async fn read_json(req: Request, limit: usize) -> ApiResult<NewCaseRequest> {
    let json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
    if !json {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ));
    }
    let bytes = axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"))?;
    parse_case_json(&bytes)
}

/// `POST /api/v1/cases`
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", description = "Registers a case (登记受理: it starts in `triage`). Send JSON, or `multipart/form-data` with a `case` part holding the JSON and `files` parts (each ≤ 20 MB, PDF/JPEG/PNG/GIF/WebP by content, matching the file's extension; `attachment_too_large` 413, `attachment_type_mismatch` 422). With an `Idempotency-Key` header (≤ 100 printable ASCII characters) a repeated request answers 200 with the case created first and writes nothing. Field errors name `parties[0].id_card_no`, `attachments[1]` … Needs `write_cases`; a grid worker may register `grid_report` and `screening` only.", params(("Idempotency-Key" = Option<String>, Header, description = "Client's unique key for this intake")), request_body(content((NewCaseRequest = "application/json"), (NewCaseUpload = "multipart/form-data"))), responses((status = 201, description = "Registered", body = CaseView), (status = 200, description = "Already registered with this Idempotency-Key", body = CaseView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 413, description = "Attachment or body too large", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn create_case(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    req: Request,
) -> ApiResult<Response> {
    let key = headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .map(str::to_owned)
                .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "idempotency_key_invalid"))
        })
        .transpose()?;
    let (body, files) = if is_multipart(&headers) {
        let mp = Multipart::from_request(req, &state)
            .await
            .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "invalid_multipart"))?;
        let (case, files) = read_multipart(mp).await?;
        let case = case
            .ok_or_else(|| ApiError::field("case", "case_part_required", "缺少事件信息（case）"))?;
        (parse_case_json(&case)?, files)
    } else {
        (
            read_json(req, state.config.max_body_bytes).await?,
            Vec::new(),
        )
    };
    let created = cases::create_case_as(&state, &user, body, key, files).await?;
    let location = HeaderValue::from_str(&format!("/api/v1/cases/{}", created.case.id))
        .map_err(|e| ApiError::internal(&e))?;
    let view = CaseView::from(created.case);
    if created.replayed {
        // Nothing was written: the request-audit layer records the replay.
        return Ok((StatusCode::OK, [(header::LOCATION, location)], Json(view)).into_response());
    }
    Ok(super::audited((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(view),
    )))
}

/// `GET /api/v1/cases`
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", description = "Cases the caller may see, newest first by default, with search, filters and cursor pagination; `total` counts every match.", params(CaseListQuery), responses((status = 200, description = "Cases in scope", body = PageView<CaseView>), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 422, description = "Invalid filter", body = crate::error::Problem)))]
pub async fn list_cases(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<CaseListQuery>,
) -> ApiResult<Json<PageView<CaseView>>> {
    let page = cases::list_cases_as(&state, &user, &q).await?;
    let total = cases::count_cases_as(&state, &user, &q).await?;
    Ok(Json(PageView {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
        total,
    }))
}

/// `GET /api/v1/cases/count`
#[utoipa::path(get, path = "/api/v1/cases/count", tag = "cases", description = "How many cases the caller may see match the filters (cursor, limit and sort ignored).", params(CaseListQuery), responses((status = 200, description = "Count", body = CountView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 422, description = "Invalid filter", body = crate::error::Problem)))]
pub async fn count_cases(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<CaseListQuery>,
) -> ApiResult<Json<CountView>> {
    Ok(Json(CountView {
        count: cases::count_cases_as(&state, &user, &q).await?,
    }))
}

/// `GET /api/v1/cases/{id}`
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", description = "One case with its parties (identifiers masked), attachments, history and the actions the caller may take now.", params(("id" = i64, Path, description = "Case id")), responses((status = 200, description = "Case", body = CaseDetailView), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem)))]
pub async fn get_case(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<CaseDetailView>> {
    Ok(Json(cases::get_case_as(&state, &user, id).await?.into()))
}

/// `POST /api/v1/cases/{id}/actions`
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "cases", description = "Takes an action. Only the state machine decides what is allowed: otherwise 409 `action_not_allowed` with `allowed_actions`. A `version` other than the case's answers 409 `stale_version` and writes nothing.", params(("id" = i64, Path, description = "Case id")), request_body = ActionRequest, responses((status = 200, description = "The case after the action", body = CaseView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Not allowed now, or stale version", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn act(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ActionRequest>,
) -> ApiResult<Response> {
    let case = cases::act_as(&state, &user, id, req).await?;
    Ok(super::audited(Json(CaseView::from(case))))
}

/// `GET /api/v1/cases/{id}/route-targets`
#[utoipa::path(get, path = "/api/v1/cases/{id}/route-targets", tag = "cases", description = "Departments (of the responsible center and the centers above it) and lower-tier centers the case may be routed to.", params(("id" = i64, Path, description = "Case id")), responses((status = 200, description = "Targets", body = RouteTargetsView), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem)))]
pub async fn route_targets(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RouteTargetsView>> {
    Ok(Json(
        cases::route_targets_as(&state, &user, id).await?.into(),
    ))
}

/// `POST /api/v1/cases/{id}/attachments`
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", tag = "cases", description = "Adds files to a case (not an archived one); each is recorded as an `attachment_added` event without changing the case's version.", params(("id" = i64, Path, description = "Case id")), request_body(content = AttachmentUpload, content_type = "multipart/form-data"), responses((status = 201, description = "Added", body = Vec<AttachmentView>), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Case archived", body = crate::error::Problem), (status = 413, description = "Attachment or body too large", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn add_attachments(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<i64>,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Response> {
    let mp = mp
        .map_err(|_| ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"))?;
    let (_, files) = read_multipart(mp).await?;
    let rows = cases::add_attachments_as(&state, &user, id, files).await?;
    let views: Vec<AttachmentView> = rows
        .into_iter()
        .map(|a| AttachmentView::new(id, a))
        .collect();
    Ok(super::audited((StatusCode::CREATED, Json(views))))
}

/// `filename*` of RFC 6266 / 8187: UTF-8, percent-encoded outside attr-char.
fn content_disposition(file_name: &str) -> String {
    content_disposition_with(file_name, file_name)
}

/// `Content-Disposition: attachment` naming `file_name` (RFC 5987 `filename*`, so Chinese
/// names survive) with `fallback` made safe for the plain `filename` old clients read.
pub(crate) fn content_disposition_with(file_name: &str, fallback: &str) -> String {
    let fallback: String = fallback
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// `GET /api/v1/cases/{id}/attachments/{attachment_id}`
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments/{attachment_id}", tag = "cases", description = "Downloads an attachment of a case the caller may see (always as a download, never rendered inline).", params(("id" = i64, Path, description = "Case id"), ("attachment_id" = i64, Path, description = "Attachment id")), responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem)))]
pub async fn download_attachment(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, attachment_id)): ApiPath<(i64, i64)>,
) -> ApiResult<Response> {
    let (a, bytes) = cases::read_attachment_as(&state, &user, id, attachment_id).await?;
    let header_value = |s: &str| HeaderValue::from_str(s).map_err(|e| ApiError::internal(&e));
    Ok((
        [
            (header::CONTENT_TYPE, header_value(&a.content_type)?),
            (
                header::CONTENT_DISPOSITION,
                header_value(&content_disposition(&a.file_name))?,
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// `POST /api/v1/cases/{id}/parties/{party_id}/reveal`
#[utoipa::path(post, path = "/api/v1/cases/{id}/parties/{party_id}/reveal", tag = "cases", description = "A party's ID and phone numbers in full; every reveal is audited (`case.party.reveal`). Case workers with `write_cases` except grid workers.", params(("id" = i64, Path, description = "Case id"), ("party_id" = i64, Path, description = "Party id")), responses((status = 200, description = "Full identifiers (audited)", body = RevealedParty), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem)))]
pub async fn reveal_party(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, party_id)): ApiPath<(i64, i64)>,
) -> ApiResult<Response> {
    let p = cases::reveal_party_as(&state, &user, id, party_id).await?;
    Ok(super::audited(Json(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_encodes_names() {
        assert_eq!(
            content_disposition("现场照片 1.jpg"),
            "attachment; filename=\"____ 1.jpg\"; filename*=UTF-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87%201.jpg"
        );
        assert!(content_disposition("a\"b.pdf").contains("filename=\"a_b.pdf\""));
    }
}
