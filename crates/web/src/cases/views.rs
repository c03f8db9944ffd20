//! Response types of the case API, kept apart from storage rows. Enumerations travel as
//! their snake_case codes, ratings as integers 1–5, times as RFC 3339 UTC. Parties'
//! identifiers appear masked only.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zongzhi_store::{Attachment, Case, CaseDetail, CaseEventRow, CaseRef, Party};

use super::read::CaseWithActions;
use super::targets::RouteTargets;
use crate::api::views::{DepartmentView, OrgUnitView};

/// A case as listed, and as answered by intake and actions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    /// Id.
    pub id: i64,
    /// 一案一码, e.g. `ZZ2026112100123`.
    pub tracking_no: String,
    /// Send it back with the next action (optimistic concurrency).
    pub version: i64,
    /// Channel code.
    pub channel: String,
    /// Category code.
    pub category_code: String,
    /// Category name.
    pub category_name: String,
    /// `normal`, `urgent`, `critical`.
    pub urgency: String,
    /// `simple`, `complex`, `difficult`.
    pub complexity: String,
    /// Title.
    pub title: String,
    /// When it happened.
    pub occurred_at: Option<DateTime<Utc>>,
    /// When it was reported.
    pub reported_at: DateTime<Utc>,
    /// Address.
    pub address: Option<String>,
    /// Location unit.
    pub org_unit_id: i64,
    /// Location unit's name.
    pub org_unit_name: String,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lng: Option<f64>,
    /// 涉及人数.
    pub people_involved: Option<i32>,
    /// 涉及金额, yuan.
    pub amount_yuan: Option<f64>,
    /// `registered`, `triage`, `assigned`, `in_progress`, `resolved`, `verifying`,
    /// `closed`, `followed_up`, `archived`.
    pub status: String,
    /// Responsible center.
    pub center_unit_id: i64,
    /// Its name.
    pub center_unit_name: String,
    /// Lead department (主办), when routed to a department.
    pub holder_department_id: Option<i64>,
    /// Its name.
    pub holder_department_name: Option<String>,
    /// Lower-tier center holding it, when routed to one.
    pub holder_unit_id: Option<i64>,
    /// Its name.
    pub holder_unit_name: Option<String>,
    /// Co-handling departments (协办).
    pub co_handler_ids: Vec<i64>,
    /// 签收 deadline.
    pub accept_deadline: Option<DateTime<Utc>>,
    /// 办结 deadline.
    pub finish_deadline: Option<DateTime<Utc>>,
    /// The deadline running now.
    pub due_at: Option<DateTime<Utc>>,
    /// `normal`, `warning` (预警) or `overdue` (超期).
    pub deadline_state: String,
    /// Was ever overdue.
    pub ever_overdue: bool,
    /// An extension request awaits a decision.
    pub extension_pending: bool,
    /// Days asked for by that request.
    pub pending_extension_days: Option<u16>,
    /// 签收 time.
    pub accepted_at: Option<DateTime<Utc>>,
    /// 办结 time.
    pub resolved_at: Option<DateTime<Utc>>,
    /// 结案 time.
    pub closed_at: Option<DateTime<Utc>>,
    /// 归档 time.
    pub archived_at: Option<DateTime<Utc>>,
    /// Outcome code.
    pub outcome: Option<String>,
    /// Rating of the last follow-up, 1–5.
    pub rating: Option<u8>,
    /// `general`, `key`, `listed` while under 督办.
    pub supervision_level: Option<String>,
    /// Master case of a merged duplicate.
    pub master_case_id: Option<i64>,
    /// Times reopened.
    pub reopen_count: i32,
    /// Registered at.
    pub created_at: DateTime<Utc>,
    /// Last event at.
    pub updated_at: DateTime<Utc>,
}

impl From<Case> for CaseView {
    fn from(c: Case) -> Self {
        let s = c.state;
        Self {
            id: c.id,
            tracking_no: c.tracking_no,
            version: c.version,
            channel: c.channel.as_str().to_owned(),
            category_code: c.category_code,
            category_name: c.category_name,
            urgency: c.urgency.as_str().to_owned(),
            complexity: c.complexity.as_str().to_owned(),
            title: c.title,
            occurred_at: c.occurred_at,
            reported_at: c.reported_at,
            address: c.address,
            org_unit_id: c.org_unit_id,
            org_unit_name: c.org_unit_name,
            lat: c.lat,
            lng: c.lng,
            people_involved: c.people_involved,
            amount_yuan: c.amount_fen.map(|f| f as f64 / 100.0),
            status: s.status.as_str().to_owned(),
            center_unit_id: s.center_unit_id,
            center_unit_name: c.center_unit_name,
            holder_department_id: s.holder_department_id(),
            holder_department_name: c.holder_department_name,
            holder_unit_id: s.holder_unit_id(),
            holder_unit_name: c.holder_unit_name,
            co_handler_ids: s.co_handler_ids().to_vec(),
            accept_deadline: s.accept_deadline,
            finish_deadline: s.finish_deadline,
            due_at: s.due_at(),
            deadline_state: s.deadline_state.as_str().to_owned(),
            ever_overdue: s.ever_overdue,
            extension_pending: s.facts.extension_pending,
            pending_extension_days: s.pending_extension_days,
            accepted_at: s.accepted_at,
            resolved_at: s.resolved_at,
            closed_at: s.closed_at,
            archived_at: s.archived_at,
            outcome: s.outcome.map(|o| o.as_str().to_owned()),
            rating: s.rating.map(|r| r.value()),
            supervision_level: s.supervision_level.map(|l| l.as_str().to_owned()),
            master_case_id: s.master_case_id,
            reopen_count: s.reopen_count,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A party, identifiers masked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartyView {
    /// Id (for an audited reveal).
    pub id: i64,
    /// `applicant`, `respondent`, `reporter`, `third_party`.
    pub role: String,
    /// Name.
    pub name: String,
    /// ID number, masked (`110***********1234`).
    pub id_card_masked: Option<String>,
    /// Mobile number, masked (`138****5678`).
    pub phone_masked: Option<String>,
}

impl From<Party> for PartyView {
    fn from(p: Party) -> Self {
        Self {
            id: p.id,
            role: p.role.as_str().to_owned(),
            name: p.name,
            id_card_masked: p.id_card_masked,
            phone_masked: p.phone_masked,
        }
    }
}

/// An attachment's metadata; the bytes are at `url`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    /// Id.
    pub id: i64,
    /// Original file name.
    pub file_name: String,
    /// Detected content type.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// Uploaded by (account id).
    pub uploaded_by: Option<i64>,
    /// Uploaded at.
    pub uploaded_at: DateTime<Utc>,
    /// Where to download it.
    pub url: String,
}

impl AttachmentView {
    /// The view of attachment `a` of case `case_id`.
    pub fn new(case_id: i64, a: Attachment) -> Self {
        Self {
            url: format!("/api/v1/cases/{case_id}/attachments/{}", a.id),
            id: a.id,
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            uploaded_by: a.uploaded_by,
            uploaded_at: a.uploaded_at,
        }
    }
}

/// Who did something.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActorView {
    /// Account id.
    pub id: i64,
    /// Display name.
    pub name: Option<String>,
}

/// One entry of the history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventView {
    /// Position in the history, from 1.
    pub seq: i64,
    /// `register`, `route` … or a system kind (`deadline_warning`, `deadline_overdue`,
    /// `attachment_added`).
    pub kind: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Status before.
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// Who; `null` for the system (the deadline job).
    pub actor: Option<ActorView>,
    /// Note, reason or answer.
    pub note: Option<String>,
    /// The action's payload.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

impl From<CaseEventRow> for EventView {
    fn from(e: CaseEventRow) -> Self {
        Self {
            seq: e.seq,
            kind: e.kind,
            at: e.at,
            from_status: e.from_status.as_str().to_owned(),
            to_status: e.to_status.as_str().to_owned(),
            actor: e.actor_id.map(|id| ActorView {
                id,
                name: e.actor_name,
            }),
            note: e.note,
            payload: e.payload,
        }
    }
}

/// A department by id and name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DepartmentRef {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// Another case, briefly.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseRefView {
    /// Id.
    pub id: i64,
    /// Tracking number.
    pub tracking_no: String,
    /// Title.
    pub title: String,
    /// Status code.
    pub status: String,
}

impl From<CaseRef> for CaseRefView {
    fn from(r: CaseRef) -> Self {
        Self {
            id: r.id,
            tracking_no: r.tracking_no,
            title: r.title,
            status: r.status.as_str().to_owned(),
        }
    }
}

/// A case with everything its page shows and what the caller may do now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseDetailView {
    /// The case.
    #[serde(flatten)]
    pub case: CaseView,
    /// Description.
    pub description: String,
    /// Parties, identifiers masked.
    pub parties: Vec<PartyView>,
    /// Attachments, oldest first.
    pub attachments: Vec<AttachmentView>,
    /// History, oldest first.
    pub events: Vec<EventView>,
    /// Co-handling departments.
    pub co_handlers: Vec<DepartmentRef>,
    /// The master case, for a merged duplicate (follow its progress there).
    pub master: Option<CaseRefView>,
    /// Duplicates merged into this case.
    pub merged: Vec<CaseRefView>,
    /// Actions the caller may take now (`action` values of `POST …/actions`).
    pub allowed_actions: Vec<String>,
    /// Whether the caller may reveal parties' identifiers.
    pub can_reveal: bool,
}

impl From<CaseWithActions> for CaseDetailView {
    fn from(c: CaseWithActions) -> Self {
        let CaseDetail {
            case,
            parties,
            attachments,
            events,
            co_handlers,
            master,
            merged,
        } = c.detail;
        let id = case.id;
        let description = case.description.clone();
        Self {
            case: case.into(),
            description,
            parties: parties.into_iter().map(Into::into).collect(),
            attachments: attachments
                .into_iter()
                .map(|a| AttachmentView::new(id, a))
                .collect(),
            events: events.into_iter().map(Into::into).collect(),
            co_handlers: co_handlers
                .into_iter()
                .map(|(id, name)| DepartmentRef { id, name })
                .collect(),
            master: master.map(Into::into),
            merged: merged.into_iter().map(Into::into).collect(),
            allowed_actions: super::action_names(&c.allowed_actions),
            can_reveal: c.can_reveal,
        }
    }
}

/// Where a case may be routed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RouteTargetsView {
    /// Departments of the responsible center and the centers above it.
    pub departments: Vec<DepartmentView>,
    /// Lower-tier centers directly below the responsible center.
    pub units: Vec<OrgUnitView>,
}

impl From<RouteTargets> for RouteTargetsView {
    fn from(t: RouteTargets) -> Self {
        Self {
            departments: t.departments.into_iter().map(Into::into).collect(),
            units: t.units.into_iter().map(Into::into).collect(),
        }
    }
}
