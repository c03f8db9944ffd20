//! Requesting exports and reading one's own jobs (the API and the console call these).

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use zongzhi_core::calendar::local_day;
use zongzhi_core::role::Permission;
use zongzhi_store::{ExportJob, ExportStatus, NewExportJob};

use super::filter::count_filter;
use super::request::validate;
use super::{
    ExportFormat, ExportKind, ExportParams, ExportRequest, LIST_LIMIT, MAX_ROWS, download_name,
};
use crate::auth::SessionCtx;
use crate::error::{ApiError, ApiResult};
use crate::messages::zh_message;
use crate::state::AppState;

/// An export job as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportView {
    /// Job id.
    pub id: i64,
    /// `ledger`, `cases`, `daily`, `weekly` or `monthly`.
    pub kind: String,
    /// `xlsx` or `pdf`.
    pub format: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// The status in Chinese (排队中, 生成中, 已完成, 失败).
    pub status_label: String,
    /// 0–100.
    pub progress: i32,
    /// Rows written so far.
    pub rows_written: i64,
    /// Rows expected (counted in scope at request time).
    pub total_rows: i64,
    /// Requested at.
    pub created_at: DateTime<Utc>,
    /// Done or failed at.
    pub finished_at: Option<DateTime<Utc>>,
    /// Stable error code when failed (`scope_lost`, `export_failed`, `export_too_large`).
    pub error: Option<String>,
    /// The error in Chinese.
    pub error_message: Option<String>,
    /// The download's file name, e.g. `矛盾纠纷排查化解台账_东湖区_20261101-20261122.xlsx`.
    pub file_name: String,
    /// File size in bytes (done only).
    pub file_size: Option<i64>,
    /// `/api/v1/exports/{id}/download`, when done.
    pub download_url: Option<String>,
}

impl ExportView {
    /// The view of a stored job.
    pub fn new(job: &ExportJob) -> Self {
        let params: ExportParams = serde_json::from_value(job.params.clone()).unwrap_or_default();
        let file_name = match (
            ExportKind::parse(&job.kind),
            ExportFormat::parse(&job.format),
        ) {
            (Some(k), Some(f)) => download_name(k, f, &params, local_day(job.created_at)),
            _ => format!("export-{}", job.id),
        };
        let done = job.status == ExportStatus::Done;
        Self {
            id: job.id,
            kind: job.kind.clone(),
            format: job.format.clone(),
            status: job.status.as_str().to_owned(),
            status_label: job.status.label_zh().to_owned(),
            progress: if done { 100 } else { job.progress },
            rows_written: job.rows_written,
            total_rows: job.total_rows,
            created_at: job.created_at,
            finished_at: job.finished_at,
            error: job.error.clone(),
            error_message: job.error.as_deref().map(|c| zh_message(c).to_owned()),
            file_name,
            file_size: job.file_size,
            download_url: done.then(|| format!("/api/v1/exports/{}/download", job.id)),
        }
    }
}

/// Queues an export for `ctx`: validates, counts the rows in the caller's scope (none:
/// 422 `export_empty`; more than [`MAX_ROWS`]: 422 `export_too_large`), then writes the
/// job and its audit row in one transaction.
pub async fn create_export_as(
    state: &AppState,
    ctx: &SessionCtx,
    req: &ExportRequest,
) -> ApiResult<ExportJob> {
    ctx.require(Permission::ExportCases)?;
    let v = validate(state, ctx, req).await?;
    let filter = count_filter(v.kind, &v.params, &ctx.account);
    let rows = state.store.count_cases(&ctx.scope(), &filter).await?;
    if rows == 0 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "export_empty",
        ));
    }
    if !v.kind.is_report() && rows > MAX_ROWS {
        return Err(
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "export_too_large")
                .with_extra("rows", json!(rows))
                .with_extra("max_rows", json!(MAX_ROWS)),
        );
    }
    let audit = ctx.audit("export.create", "export_job").detail(json!({
        "kind": v.kind.as_str(),
        "format": v.format.as_str(),
        "filters": v.params.audit_detail(),
        "total_rows": rows,
    }));
    let job = NewExportJob {
        account_id: ctx.account.id,
        kind: v.kind.as_str().to_owned(),
        format: v.format.as_str().to_owned(),
        params: serde_json::to_value(&v.params).map_err(|e| ApiError::internal(&e))?,
        total_rows: rows,
        created_at: state.clock.now(),
    };
    Ok(state.store.create_export_job(job, audit).await?)
}

/// The caller's jobs, newest first.
pub async fn list_exports_as(state: &AppState, ctx: &SessionCtx) -> ApiResult<Vec<ExportJob>> {
    ctx.require(Permission::ExportCases)?;
    Ok(state
        .store
        .list_export_jobs(ctx.account.id, LIST_LIMIT)
        .await?)
}

/// One of the caller's jobs (404 for anyone else's).
pub async fn get_export_as(state: &AppState, ctx: &SessionCtx, id: i64) -> ApiResult<ExportJob> {
    ctx.require(Permission::ExportCases)?;
    Ok(state.store.get_export_job(ctx.account.id, id).await?)
}
