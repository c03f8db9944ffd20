//! Reading the case forms: multipart bodies with files, and the case a typed reference
//! (id or 事件编号) points to.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::StatusCode;
use zongzhi_core::case::TrackingNo;

use super::views::Fields;
use crate::auth::SessionCtx;
use crate::cases::{CaseListQuery, UploadedFile, list_cases_as};
use crate::console::admin::Opt;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The text fields and files of a multipart form. A file input left empty arrives as a
/// part with an empty name and no bytes; it is dropped.
pub(super) async fn read_multipart(
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult<(Fields, Vec<UploadedFile>)> {
    let mut mp = mp.map_err(|r| multipart_error(r.status()))?;
    let mut fields = Vec::new();
    let mut files = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(e.status())),
        };
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file_name) => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| multipart_error(e.status()))?;
                if !(file_name.is_empty() && bytes.is_empty()) {
                    files.push(UploadedFile { file_name, bytes });
                }
            }
            None => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| multipart_error(e.status()))?;
                fields.push((name, text));
            }
        }
    }
    Ok((Fields(fields), files))
}

fn multipart_error(status: StatusCode) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
    } else {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_form")
    }
}

/// What a typed case reference means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CaseRef {
    /// Nothing typed.
    Blank,
    /// Neither an id nor a 事件编号.
    Malformed,
    /// A 事件编号 that matches no case the user may see.
    Unknown,
    /// The case's id.
    Id(i64),
}

/// The case `text` names: its id, or its 事件编号 (`ZZ2026112100123`) among the cases the
/// user may see (one exact lookup on the tracking-number index).
pub(super) async fn find_case(
    state: &AppState,
    ctx: &SessionCtx,
    text: &str,
) -> ApiResult<CaseRef> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(CaseRef::Blank);
    }
    if let Ok(id) = text.parse::<i64>() {
        return Ok(if id > 0 {
            CaseRef::Id(id)
        } else {
            CaseRef::Malformed
        });
    }
    let Ok(no) = TrackingNo::parse(text) else {
        return Ok(CaseRef::Malformed);
    };
    let q = CaseListQuery {
        tracking_no: Some(no.as_str().to_owned()),
        limit: Some(1),
        ..CaseListQuery::default()
    };
    let page = list_cases_as(state, ctx, &q).await?;
    Ok(page
        .items
        .first()
        .map_or(CaseRef::Unknown, |c| CaseRef::Id(c.id)))
}

/// One `<optgroup>` of the category select: a first-level category and its children.
#[derive(Debug, Clone)]
pub(super) struct CatGroup {
    /// Group label (`矛盾纠纷 · 婚姻家庭`).
    pub label: String,
    /// The first-level code itself, then its children.
    pub options: Vec<Opt>,
}

/// The active category table as option groups, `current` selected. The first-level code
/// is offered too, labelled with `top_suffix` (a filter on it matches its children; a case
/// filed under it is not further classified).
pub(super) async fn category_groups(
    state: &AppState,
    current: &str,
    top_suffix: &str,
) -> ApiResult<Vec<CatGroup>> {
    let mut cats = state.store.list_categories(false).await?;
    cats.sort_by(|a, b| (a.sort_order, &a.code).cmp(&(b.sort_order, &b.code)));
    let opt = |code: &str, label: String| Opt {
        selected: code == current,
        value: code.to_owned(),
        label,
    };
    Ok(cats
        .iter()
        .filter(|c| c.parent_code.is_none())
        .map(|top| {
            let mut options = vec![opt(&top.code, format!("{}{top_suffix}", top.name))];
            options.extend(
                cats.iter()
                    .filter(|c| c.parent_code.as_deref() == Some(top.code.as_str()))
                    .map(|c| opt(&c.code, c.name.clone())),
            );
            CatGroup {
                label: format!("{} · {}", top.kind.label_zh(), top.name),
                options,
            }
        })
        .collect())
}
