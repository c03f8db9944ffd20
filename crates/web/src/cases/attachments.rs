//! Attachments: images and PDFs up to 20 MB, typed by their content (which must agree with
//! the file name's extension); adding them to a case and reading them back. Storage on
//! disk is [`super::storage`]'s.

use axum::body::Bytes;
use axum::http::StatusCode;
use serde_json::json;
use zongzhi_core::case::CaseStatus;
use zongzhi_core::role::Permission;
use zongzhi_store::Attachment;

use super::storage::{attachment_path, discard_unused, write_files};
use super::text::FieldErr;
use crate::auth::SessionCtx;
use crate::error::{ApiError, ApiResult, Validation};
use crate::state::AppState;

/// Largest attachment, in bytes (20 MB).
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;
/// Most files in one request.
pub const MAX_FILES_PER_REQUEST: usize = 5;
/// Longest file name, in characters.
pub const FILE_NAME_MAX: usize = 200;

/// A file as uploaded: the name the client gave and the bytes.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    /// Original file name; only its last path component is kept.
    pub file_name: String,
    /// The content.
    pub bytes: Bytes,
}

/// A file that passed the checks.
#[derive(Debug)]
pub(crate) struct CheckedFile {
    /// Cleaned file name.
    pub(crate) file_name: String,
    /// Detected type.
    pub(crate) content_type: &'static str,
    /// The content.
    pub(crate) bytes: Bytes,
}

/// The types we accept: detected from the first bytes, with the extensions each may carry.
fn sniff(b: &[u8]) -> Option<(&'static str, &'static [&'static str])> {
    if b.starts_with(b"%PDF-") {
        Some(("application/pdf", &["pdf"]))
    } else if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", &["jpg", "jpeg", "jfif"]))
    } else if b.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(("image/png", &["png"]))
    } else if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        Some(("image/gif", &["gif"]))
    } else if b.len() >= 12 && b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        Some(("image/webp", &["webp"]))
    } else {
        None
    }
}

/// The last path component of a client's file name, checked.
fn clean_name(name: &str) -> Result<String, FieldErr> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("").trim();
    if base.is_empty() || base == "." || base == ".." {
        Err(("attachment_name_required", "附件缺少文件名"))
    } else if base.chars().count() > FILE_NAME_MAX {
        Err(("attachment_name_too_long", "附件文件名不能超过200个字符"))
    } else if base.chars().any(char::is_control) {
        Err(("attachment_name_invalid", "附件文件名含有非法字符"))
    } else {
        Ok(base.to_owned())
    }
}

/// Checks one file: size, detected type, and that the name's extension agrees.
fn check(f: UploadedFile) -> Result<CheckedFile, FieldErr> {
    let file_name = clean_name(&f.file_name)?;
    if f.bytes.is_empty() {
        return Err(("attachment_empty", "附件内容为空"));
    }
    if f.bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(("attachment_too_large", "附件不能超过20MB"));
    }
    let Some((content_type, exts)) = sniff(&f.bytes) else {
        return Err((
            "attachment_type_unsupported",
            "仅支持PDF、JPEG、PNG、GIF、WebP格式的附件",
        ));
    };
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !exts.contains(&ext.as_str()) {
        return Err(("attachment_type_mismatch", "附件内容与文件扩展名不符"));
    }
    Ok(CheckedFile {
        file_name,
        content_type,
        bytes: f.bytes,
    })
}

/// Checks every file into `v`, under the field names `attachments[i]`.
pub(crate) fn check_files(v: &mut Validation, files: Vec<UploadedFile>) -> Vec<CheckedFile> {
    if files.len() > MAX_FILES_PER_REQUEST {
        v.check::<()>(
            "attachments",
            Err(("attachments_too_many", "一次最多上传5个附件")),
        );
        return Vec::new();
    }
    files
        .into_iter()
        .enumerate()
        .filter_map(|(i, f)| v.check(&format!("attachments[{i}]"), check(f)))
        .collect()
}

/// When every field error is about attachments, the problem takes the first one's code
/// (`attachment_too_large` answers 413), so a client can tell what to fix without reading
/// the field list.
pub(crate) fn attachment_problem(mut e: ApiError) -> ApiError {
    let all_files =
        !e.errors.is_empty() && e.errors.iter().all(|f| f.field.starts_with("attachments"));
    if let (true, Some(first)) = (all_files, e.errors.first()) {
        e.code = first.code.clone();
        if e.code == "attachment_too_large" {
            e.status = StatusCode::PAYLOAD_TOO_LARGE;
        }
    }
    e
}

/// Adds files to a case the caller may see and write (not an archived one).
pub async fn add_attachments_as(
    state: &AppState,
    ctx: &SessionCtx,
    case_id: i64,
    files: Vec<UploadedFile>,
) -> ApiResult<Vec<Attachment>> {
    ctx.require(Permission::WriteCases)?;
    let scope = ctx.scope();
    let detail = state.store.get_case(&scope, case_id).await?;
    if detail.case.state.status == CaseStatus::Archived {
        return Err(ApiError::new(StatusCode::CONFLICT, "case_archived"));
    }
    let mut v = Validation::default();
    if files.is_empty() {
        v.check::<()>(
            "attachments",
            Err(("attachments_required", "请选择要上传的附件")),
        );
    }
    let checked = check_files(&mut v, files);
    v.finish().map_err(attachment_problem)?;
    let written = write_files(state, checked).await?;
    let audit = ctx
        .audit("case.attachment_add", "case")
        .target(case_id)
        .detail(json!({ "files": written.rows.len() }));
    let res = state
        .store
        .add_attachments(
            &scope,
            case_id,
            ctx.account.id,
            state.clock.now(),
            written.rows.clone(),
            audit,
        )
        .await;
    match res {
        Ok(rows) => Ok(rows),
        Err(e) => {
            discard_unused(state, written).await;
            Err(e.into())
        }
    }
}

/// One attachment of a case the caller may see, with its bytes.
pub async fn read_attachment_as(
    state: &AppState,
    ctx: &SessionCtx,
    case_id: i64,
    attachment_id: i64,
) -> ApiResult<(Attachment, Vec<u8>)> {
    ctx.require(Permission::ReadCases)?;
    let detail = state.store.get_case(&ctx.scope(), case_id).await?;
    let a = detail
        .attachments
        .into_iter()
        .find(|a| a.id == attachment_id)
        .ok_or_else(ApiError::not_found)?;
    let path = attachment_path(&state.config, &a.content_hash)
        .ok_or_else(|| ApiError::internal(&"stored attachment hash is malformed"))?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| ApiError::internal(&format!("reading attachment {}: {e}", a.id)))?;
    Ok((a, bytes))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn file(name: &str, bytes: &[u8]) -> UploadedFile {
        UploadedFile {
            file_name: name.to_owned(),
            bytes: Bytes::copy_from_slice(bytes),
        }
    }

    #[test]
    fn type_comes_from_content_and_must_match_the_name() {
        assert_eq!(
            check(file("a.pdf", b"%PDF-1.7 x")).unwrap().content_type,
            "application/pdf"
        );
        assert_eq!(
            check(file("C:\\x\\照片.JPG", &[0xFF, 0xD8, 0xFF, 0xE0]))
                .unwrap()
                .file_name,
            "照片.JPG"
        );
        assert_eq!(
            check(file("a.png", b"%PDF-1.7")).unwrap_err().0,
            "attachment_type_mismatch"
        );
        assert_eq!(
            check(file("a.pdf", b"MZ\x90\x00")).unwrap_err().0,
            "attachment_type_unsupported"
        );
        assert_eq!(
            check(file("a.webp", b"RIFF\0\0\0\0WEBPVP8 "))
                .unwrap()
                .content_type,
            "image/webp"
        );
        assert_eq!(
            check(file("../", b"%PDF-")).unwrap_err().0,
            "attachment_name_required"
        );
        assert_eq!(check(file("a.pdf", b"")).unwrap_err().0, "attachment_empty");
        let big = vec![b'%'; MAX_ATTACHMENT_BYTES + 1];
        assert_eq!(
            check(file("a.pdf", &big)).unwrap_err().0,
            "attachment_too_large"
        );
    }
}
