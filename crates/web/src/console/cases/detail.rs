//! 事件详情: header, fields, parties (masked; an audited 查看 reveals them once),
//! attachments with an upload form, merge links, the timeline, and the action panel.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::response::Redirect;
use serde::Deserialize;
use zongzhi_core::case::{ActionKind, CaseStatus, DeadlineState, SupervisionLevel};
use zongzhi_core::role::Permission;
use zongzhi_store::{Case, CaseRef};

use super::action_forms::{self, ActionForm, Posted};
use super::form::read_multipart;
use super::timeline::{self, EventItem, Names};
use super::views::{Errors, fmt_min, fmt_opt, form_errors, holder_name, page, yuan};
use crate::api::audited;
use crate::auth::CurrentUser;
use crate::cases::{RevealedParty, add_attachments_as, get_case_as, reveal_party_as};
use crate::console::{ConsoleResult, Layout};
use crate::error::ApiError;
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

/// A party as shown: masked, or revealed once after an audited 查看.
pub(super) struct PartyItem {
    /// Id.
    pub id: i64,
    /// Role label.
    pub role: &'static str,
    /// Name.
    pub name: String,
    /// ID number (masked unless revealed).
    pub id_card: String,
    /// Phone (masked unless revealed).
    pub phone: String,
    /// Shown in full now.
    pub revealed: bool,
    /// Has something to reveal.
    pub has_secret: bool,
}

/// An attachment as listed.
pub(super) struct AttachmentItem {
    /// Download link (the API route, same session).
    pub url: String,
    /// File name.
    pub name: String,
    /// `PDF` / `图片`.
    pub kind: &'static str,
    /// Size in KB/MB.
    pub size: String,
    /// Uploaded at.
    pub at: String,
}

#[derive(Template)]
#[template(path = "cases/detail.html")]
struct DetailPage {
    layout: Layout,
    c: Case,
    status: CaseStatus,
    deadline: DeadlineState,
    supervision: Option<SupervisionLevel>,
    accept_deadline: String,
    finish_deadline: String,
    due: String,
    holder: String,
    co_handlers: String,
    occurred: String,
    reported: String,
    created: String,
    updated: String,
    amount: String,
    outcome: String,
    rating: String,
    parties: Vec<PartyItem>,
    can_reveal: bool,
    attachments: Vec<AttachmentItem>,
    can_upload: bool,
    upload_errors: Errors,
    master: Option<CaseRef>,
    merged: Vec<CaseRef>,
    events: Vec<EventItem>,
    actions: Vec<ActionForm>,
    action_error: Option<String>,
    errors: Errors,
}

/// What a re-render after a POST carries besides the case.
#[derive(Default)]
pub(super) struct Extras {
    /// A one-line notice.
    pub notice: Option<String>,
    /// A failed action form.
    pub posted: Option<Posted>,
    /// A party just revealed.
    pub revealed: Option<RevealedParty>,
    /// Errors of the upload form.
    pub upload_errors: Errors,
}

fn size_text(bytes: i64) -> String {
    #[allow(clippy::cast_precision_loss)]
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / 1024.0 / 1024.0)
    } else {
        format!("{:.0} KB", (b / 1024.0).max(1.0))
    }
}

/// Renders the page of case `id` for `user`.
pub(super) async fn render_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    x: Extras,
) -> ConsoleResult {
    let cw = get_case_as(state, user, id).await?;
    let d = cw.detail;
    let mut names = Names::of(&d);
    names.fill(state, &d).await?;
    let events = timeline::items(&d, &names);
    let actions =
        action_forms::build(state, user, &d.case, &cw.allowed_actions, x.posted.as_ref()).await?;
    let c = d.case;
    let s = &c.state;
    let revealed = x.revealed;
    let parties = d
        .parties
        .into_iter()
        .map(|p| {
            let shown = revealed.as_ref().filter(|r| r.id == p.id);
            PartyItem {
                id: p.id,
                role: p.role.label_zh(),
                has_secret: p.id_card_enc.is_some() || p.phone_enc.is_some(),
                id_card: shown
                    .and_then(|r| r.id_card_no.clone())
                    .or(p.id_card_masked)
                    .unwrap_or_default(),
                phone: shown
                    .and_then(|r| r.phone.clone())
                    .or(p.phone_masked)
                    .unwrap_or_default(),
                revealed: shown.is_some(),
                name: p.name,
            }
        })
        .collect();
    let attachments = d
        .attachments
        .into_iter()
        .map(|a| AttachmentItem {
            url: format!("/api/v1/cases/{}/attachments/{}", c.id, a.id),
            kind: if a.content_type == "application/pdf" {
                "PDF"
            } else {
                "图片"
            },
            size: size_text(a.size_bytes),
            at: fmt_min(a.uploaded_at),
            name: a.file_name,
        })
        .collect();
    let (action_error, errors) = match &x.posted {
        Some(p) => (p.errors.summary().map(str::to_owned), p.errors.clone()),
        None => (None, x.upload_errors.clone()),
    };
    let p = DetailPage {
        layout: Layout::new(user, "事件详情", "cases").with_notice(x.notice),
        status: s.status,
        deadline: s.deadline_state,
        supervision: s.supervision_level,
        accept_deadline: fmt_opt(s.accept_deadline),
        finish_deadline: fmt_opt(s.finish_deadline),
        due: fmt_opt(s.due_at()),
        holder: holder_name(&c),
        co_handlers: d
            .co_handlers
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        occurred: fmt_opt(c.occurred_at),
        reported: fmt_min(c.reported_at),
        created: fmt_min(c.created_at),
        updated: fmt_min(c.updated_at),
        amount: c.amount_fen.map(yuan).unwrap_or_default(),
        outcome: s
            .outcome
            .map(|o| o.label_zh().to_owned())
            .unwrap_or_default(),
        rating: s
            .rating
            .map(|r| format!("{}（{}分）", r.label_zh(), r.value()))
            .unwrap_or_default(),
        parties,
        can_reveal: cw.can_reveal,
        attachments,
        can_upload: user.can(Permission::WriteCases) && s.status != CaseStatus::Archived,
        upload_errors: x.upload_errors,
        master: d.master,
        merged: d.merged,
        events,
        actions,
        action_error,
        errors,
        c,
    };
    Ok(page(&p, &p.errors))
}

/// `?notice=<code>` after a redirect: only known codes, never free text.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Notice {
    notice: Option<String>,
}

impl Notice {
    fn text(&self, tracking_no: &str) -> Option<String> {
        match self.notice.as_deref()? {
            "registered" => Some(format!("已登记，事件编号 {tracking_no}")),
            "uploaded" => Some("附件已上传".to_owned()),
            code => ActionKind::parse(code).map(|k| format!("已完成：{}", k.label_zh())),
        }
    }
}

/// `GET /cases/{id}`
pub(super) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
    n: Result<ApiQuery<Notice>, ApiError>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let ApiQuery(n) = n?;
    let mut x = Extras::default();
    if n.notice.is_some() {
        // The notice names the tracking number, which only the case itself may supply.
        let cw = get_case_as(&state, &user, id).await?;
        x.notice = n.text(&cw.detail.case.tracking_no);
    }
    render_page(&state, &user, id, x).await
}

/// `POST /cases/{id}/attachments` (multipart): adds files to the case.
pub(super) async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<i64>, ApiError>,
    mp: Result<Multipart, MultipartRejection>,
) -> ConsoleResult {
    let ApiPath(id) = path?;
    let result = match read_multipart(mp).await {
        Ok((_, files)) => add_attachments_as(&state, &user, id, files).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(audited(Redirect::to(&format!(
            "/cases/{id}?notice=uploaded"
        )))),
        Err(e) => {
            let archived = e.code == "case_archived";
            let mut upload_errors = form_errors(e)?;
            if archived {
                upload_errors.set("attachments", "事件已归档，不能再上传附件");
            }
            let x = Extras {
                upload_errors,
                ..Extras::default()
            };
            render_page(&state, &user, id, x).await
        }
    }
}

/// `POST /cases/{id}/parties/{party_id}/reveal`: shows one party's identifiers in full,
/// once (audited by the service).
pub(super) async fn reveal(
    State(state): State<AppState>,
    user: CurrentUser,
    path: Result<ApiPath<(i64, i64)>, ApiError>,
) -> ConsoleResult {
    let ApiPath((id, party_id)) = path?;
    let revealed = reveal_party_as(&state, &user, id, party_id).await?;
    let x = Extras {
        notice: Some("已显示完整信息，本次查看已记入审计日志".to_owned()),
        revealed: Some(revealed),
        ..Extras::default()
    };
    Ok(audited(render_page(&state, &user, id, x).await?))
}
