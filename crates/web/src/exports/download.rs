//! Downloading a finished export: the owner only, audited, streamed from disk.

use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::io::{AsyncRead, ReadBuf};
use zongzhi_store::ExportStatus;

use super::names::content_disposition;
use super::{ExportFormat, ExportView, exports_dir, get_export_as};
use crate::auth::SessionCtx;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Bytes read from disk per chunk.
const CHUNK: usize = 64 * 1024;

/// A finished export, opened for download.
#[derive(Debug)]
pub struct ExportFile {
    /// The open file.
    pub file: tokio::fs::File,
    /// Its size.
    pub size: u64,
    /// The name the download carries.
    pub download_name: String,
    /// An ASCII name for clients that cannot read `filename*` (`ledger-12.xlsx`).
    pub ascii_name: String,
    /// Content type.
    pub content_type: &'static str,
}

/// Whether a stored file name is one the worker writes (`<id>-<hex>.<ext>`): never a path.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && !name.starts_with('.')
}

/// Opens one of the caller's finished exports and audits the download (`export.download`).
/// Anyone else's job is 404; a job not done yet is 409 `export_not_ready`.
pub async fn open_download_as(
    state: &AppState,
    ctx: &SessionCtx,
    id: i64,
) -> ApiResult<ExportFile> {
    let job = get_export_as(state, ctx, id).await?;
    if job.status != ExportStatus::Done {
        return Err(ApiError::new(StatusCode::CONFLICT, "export_not_ready"));
    }
    let Some(name) = job.file_name.as_deref().filter(|n| safe_name(n)) else {
        return Err(ApiError::not_found());
    };
    let path: PathBuf = exports_dir(state).join(name);
    let file = match tokio::fs::File::open(&path).await {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(job = id, "export file missing on disk");
            return Err(ApiError::new(StatusCode::NOT_FOUND, "export_file_missing"));
        }
        Err(e) => return Err(ApiError::internal(&e)),
    };
    let size = file
        .metadata()
        .await
        .map_err(|e| ApiError::internal(&e))?
        .len();
    let view = ExportView::new(&job);
    let audit = ctx
        .audit("export.download", "export_job")
        .target(job.id)
        .detail(json!({ "kind": job.kind, "format": job.format, "bytes": size }));
    state.store.append_audit(audit).await?;
    Ok(ExportFile {
        file,
        size,
        download_name: view.file_name,
        ascii_name: format!("{}-{}.{}", job.kind, job.id, job.format),
        content_type: ExportFormat::parse(&job.format)
            .unwrap_or(ExportFormat::Xlsx)
            .content_type(),
    })
}

/// The file's bytes as a stream of chunks.
struct FileStream {
    file: tokio::fs::File,
    buf: Vec<u8>,
}

impl futures_core::Stream for FileStream {
    type Item = std::io::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        this.buf.resize(CHUNK, 0);
        let mut rb = ReadBuf::new(&mut this.buf);
        match Pin::new(&mut this.file).poll_read(cx, &mut rb) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) => {
                let n = rb.filled().len();
                if n == 0 {
                    Poll::Ready(None)
                } else {
                    Poll::Ready(Some(Ok(Bytes::copy_from_slice(&this.buf[..n]))))
                }
            }
        }
    }
}

impl IntoResponse for ExportFile {
    fn into_response(self) -> Response {
        let disposition =
            HeaderValue::from_str(&content_disposition(&self.download_name, &self.ascii_name))
                .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
        let body = Body::from_stream(FileStream {
            file: self.file,
            buf: Vec::new(),
        });
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(self.content_type),
                ),
                (header::CONTENT_DISPOSITION, disposition),
                (header::CONTENT_LENGTH, HeaderValue::from(self.size)),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-store"),
                ),
            ],
            body,
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn only_worker_names_are_served() {
        assert!(safe_name("12-0a1b2c3d4e5f6071.xlsx"));
        assert!(!safe_name("../zongzhi.db"));
        assert!(!safe_name(".12.part"));
        assert!(!safe_name("a/b.xlsx"));
        assert!(!safe_name(""));
    }
}
