//! Cases, their events, parties and attachments: rows and inputs of [`crate::CaseStore`].
//!
//! The `cases` row is a projection: every column that events change is a
//! [`CaseState`], computed by the caller with `CaseState::project` and written by the store in
//! the same transaction as the event (and its audit row). The store adds what only it can:
//! the tracking number, the version, org paths for scope, and the joined names.
//!
//! Who may see a case ([`crate::CaseStore`] applies it in SQL): a caller whose scope has a
//! department (`Scope::department_id`, a department handler) sees the cases that department
//! leads or co-handles now, or has ever held (`case_departments`); everyone else sees a case
//! when its location unit, its responsible center or the lower-tier center holding it is in
//! their subtree.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zongzhi_core::account::AccountId;
use zongzhi_core::case::{
    CaseId, CaseState, CaseStatus, Channel, Complexity, DeadlineState, PartyRole, SupervisionLevel,
    Urgency,
};
use zongzhi_core::org::{DepartmentId, OrgUnitId};

/// A case as stored, with the names a list or a page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// Id.
    pub id: CaseId,
    /// 一案一码, e.g. `ZZ2026112100123`.
    pub tracking_no: String,
    /// Optimistic-concurrency version; every event increments it.
    pub version: i64,
    /// How it arrived.
    pub channel: Channel,
    /// Category code (second or first level).
    pub category_code: String,
    /// Category name.
    pub category_name: String,
    /// 紧急程度.
    pub urgency: Urgency,
    /// 复杂程度.
    pub complexity: Complexity,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// When it happened, if known.
    pub occurred_at: Option<DateTime<Utc>>,
    /// When it was reported.
    pub reported_at: DateTime<Utc>,
    /// Address text.
    pub address: Option<String>,
    /// Location unit (village/grid/town …).
    pub org_unit_id: OrgUnitId,
    /// Location unit's name.
    pub org_unit_name: String,
    /// Location unit's path.
    pub org_path: String,
    /// Latitude (WGS-84).
    pub lat: Option<f64>,
    /// Longitude (WGS-84).
    pub lng: Option<f64>,
    /// 涉及人数.
    pub people_involved: Option<i32>,
    /// 涉及金额 in fen (0.01 yuan).
    pub amount_fen: Option<i64>,
    /// Every event-driven column.
    pub state: CaseState,
    /// Responsible center's name.
    pub center_unit_name: String,
    /// Lead department's name.
    pub holder_department_name: Option<String>,
    /// Holding lower-tier center's name.
    pub holder_unit_name: Option<String>,
    /// Who registered it.
    pub created_by: Option<AccountId>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last event at.
    pub updated_at: DateTime<Utc>,
}

/// A short reference to another case (master or merged duplicate).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseRef {
    /// Id.
    pub id: CaseId,
    /// Tracking number.
    pub tracking_no: String,
    /// Title.
    pub title: String,
    /// Status.
    pub status: CaseStatus,
}

/// A case with everything its page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseDetail {
    /// The case.
    pub case: Case,
    /// Parties (sensitive fields encrypted; the web layer masks or reveals).
    pub parties: Vec<Party>,
    /// Attachments, oldest first.
    pub attachments: Vec<Attachment>,
    /// The history, oldest first.
    pub events: Vec<CaseEventRow>,
    /// Co-handling departments (id, name).
    pub co_handlers: Vec<(DepartmentId, String)>,
    /// The master case, for a merged duplicate. Shown to whoever sees the duplicate: the
    /// reporter follows the master's progress through it.
    pub master: Option<CaseRef>,
    /// Duplicates merged into this case.
    pub merged: Vec<CaseRef>,
}

/// A party (当事人) as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Party {
    /// Id.
    pub id: i64,
    /// Role in the case.
    pub role: PartyRole,
    /// Name.
    pub name: String,
    /// ID number, encrypted.
    pub id_card_enc: Option<String>,
    /// ID number, masked.
    pub id_card_masked: Option<String>,
    /// Phone, encrypted.
    pub phone_enc: Option<String>,
    /// Phone, masked.
    pub phone_masked: Option<String>,
}

/// Input for a party: the caller encrypts, indexes and masks.
#[derive(Debug, Clone)]
pub struct NewParty {
    /// Role.
    pub role: PartyRole,
    /// Name.
    pub name: String,
    /// ID number: (encrypted, blind index, masked).
    pub id_card: Option<(String, String, String)>,
    /// Phone: (encrypted, blind index, masked).
    pub phone: Option<(String, String, String)>,
}

/// An attachment as stored; the bytes live on disk under their content hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attachment {
    /// Id.
    pub id: i64,
    /// SM3 of the content, hex: the file's name on disk.
    pub content_hash: String,
    /// Original file name.
    pub file_name: String,
    /// Content type as detected from the bytes.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// Uploaded by.
    pub uploaded_by: Option<AccountId>,
    /// Uploaded at.
    pub uploaded_at: DateTime<Utc>,
}

/// Input for an attachment whose file is already on disk.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    /// SM3 of the content, hex.
    pub content_hash: String,
    /// Original file name.
    pub file_name: String,
    /// Detected content type.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
}

/// One history entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseEventRow {
    /// Position in the case's history, from 1.
    pub seq: i64,
    /// Who acted; `None` for the system (deadline job).
    pub actor_id: Option<AccountId>,
    /// Actor's display name (`系统` for the system is the web layer's business).
    pub actor_name: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// Status before.
    pub from_status: CaseStatus,
    /// Status after.
    pub to_status: CaseStatus,
    /// `register`, `route` … or a system kind (`deadline_warning`, `deadline_overdue`,
    /// `attachment_added`).
    pub kind: String,
    /// The event's note.
    pub note: Option<String>,
    /// The payload: the serialised action for actions, kind-specific JSON otherwise.
    pub payload: serde_json::Value,
}

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewCaseEvent {
    /// Who; `None` for the system.
    pub actor_id: Option<AccountId>,
    /// When.
    pub at: DateTime<Utc>,
    /// Status before.
    pub from_status: CaseStatus,
    /// Status after.
    pub to_status: CaseStatus,
    /// Kind (see [`CaseEventRow::kind`]).
    pub kind: String,
    /// Note.
    pub note: Option<String>,
    /// Payload.
    pub payload: serde_json::Value,
}

/// Input for a new case, already validated, with its first events and the state they lead
/// to.
#[derive(Debug, Clone)]
pub struct NewCase {
    /// Local (Asia/Shanghai) date for the tracking number; the store allocates the next
    /// number of that day.
    pub tracking_date: chrono::NaiveDate,
    /// Channel.
    pub channel: Channel,
    /// An existing, active category code (`InvalidReference("category_code")`).
    pub category_code: String,
    /// Urgency.
    pub urgency: Urgency,
    /// Complexity.
    pub complexity: Complexity,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// When it happened.
    pub occurred_at: Option<DateTime<Utc>>,
    /// When it was reported.
    pub reported_at: DateTime<Utc>,
    /// Address.
    pub address: Option<String>,
    /// Location unit, inside the caller's scope (`InvalidReference("org_unit_id")`).
    pub org_unit_id: OrgUnitId,
    /// Latitude.
    pub lat: Option<f64>,
    /// Longitude.
    pub lng: Option<f64>,
    /// 涉及人数.
    pub people_involved: Option<i32>,
    /// 涉及金额, fen.
    pub amount_fen: Option<i64>,
    /// Parties.
    pub parties: Vec<NewParty>,
    /// Attachments already written to disk.
    pub attachments: Vec<NewAttachment>,
    /// Segmented search text (title, description, address), space-separated terms.
    pub search_terms: String,
    /// Who registers it.
    pub created_by: Option<AccountId>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// The client's `Idempotency-Key`; unique per creator.
    pub idempotency_key: Option<String>,
    /// The first events (at least `register`).
    pub events: Vec<NewCaseEvent>,
    /// The state after them; its `center_unit_id` must exist (`InvalidReference`).
    pub state: CaseState,
}

/// A case created, or found again by its idempotency key.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedCase {
    /// The case.
    pub case: Case,
    /// `true` when the key had been used: nothing was written.
    pub replayed: bool,
}

/// Events applied to a case, with the state they lead to.
#[derive(Debug, Clone)]
pub struct CaseUpdate {
    /// The case.
    pub case_id: CaseId,
    /// The version the caller saw; another is `Conflict("stale_version")`.
    pub expected_version: i64,
    /// The events, in order (usually one; the deadline job writes 超期 and its automatic
    /// 督办 together). At least one.
    pub events: Vec<NewCaseEvent>,
    /// The state after them. Referenced departments, units and the master case must exist
    /// (`InvalidReference("department_id" | "co_handler_ids" | "org_unit_id" |
    /// "master_case_id")`); the master must be visible to the caller, not merged and not
    /// the case itself.
    pub state: CaseState,
}

/// A fully formed historical case for bulk import (demo data, migrations from other
/// systems): the store writes it as given, including its tracking number.
#[derive(Debug, Clone)]
pub struct ImportedCase {
    /// Tracking number, unique (`Conflict("tracking_no_taken")`).
    pub tracking_no: String,
    /// Everything else as for a new case (its `tracking_date` and `idempotency_key` are
    /// ignored).
    pub case: NewCase,
}

/// What the deadline job needs to know about a case whose mark may be due.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineCandidate {
    /// The case.
    pub case_id: CaseId,
    /// Its version.
    pub version: i64,
    /// Its state.
    pub state: CaseState,
}

/// Sort order of a case list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSort {
    /// Newest first (by id).
    #[default]
    Newest,
    /// Oldest first.
    Oldest,
    /// Soonest due first; cases without a running deadline last.
    DueSoonest,
}

/// Filter for listing and counting cases (always inside the caller's scope).
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Chinese full-text query over title, description and address.
    pub q: Option<String>,
    /// Exactly this tracking number (一案一码; answered from the unique index).
    pub tracking_no: Option<String>,
    /// Any of these statuses (empty: all).
    pub statuses: Vec<CaseStatus>,
    /// Category code; a first-level code also matches its children.
    pub category: Option<String>,
    /// Channel.
    pub channel: Option<Channel>,
    /// Location in this unit's subtree.
    pub under: Option<OrgUnitId>,
    /// Led or co-handled by this department now.
    pub department_id: Option<DepartmentId>,
    /// Held now by this lower-tier center.
    pub holder_unit_id: Option<OrgUnitId>,
    /// Responsible center is exactly this unit.
    pub center_unit_id: Option<OrgUnitId>,
    /// Reported at or after.
    pub from: Option<DateTime<Utc>>,
    /// Reported before.
    pub to: Option<DateTime<Utc>>,
    /// Only cases in this deadline state.
    pub deadline_state: Option<DeadlineState>,
    /// Only cases ever marked overdue (`true`) or never (`false`).
    pub ever_overdue: Option<bool>,
    /// Only cases under 督办 now (`true`) or not (`false`).
    pub supervised: Option<bool>,
    /// Only this supervision level.
    pub supervision_level: Option<SupervisionLevel>,
    /// A party's ID number, by blind index.
    pub party_id_card_index: Option<String>,
    /// A party's phone, by blind index.
    pub party_phone_index: Option<String>,
    /// Registered by this account (`cases.created_by`).
    pub created_by: Option<AccountId>,
    /// Only cases a metric counts (the cases behind a statistics figure; see
    /// `zongzhi_core::metrics`): excludes merged duplicates, and `closed`, `resolved`,
    /// `on_time` … as [`zongzhi_core::metrics::Counters::of`] defines them.
    pub metric: Option<zongzhi_core::metrics::Metric>,
    /// Led now (or last) by exactly this department (`cases.holder_department_id`), the
    /// department of the statistics' department slice.
    pub lead_department_id: Option<DepartmentId>,
    /// Order.
    pub sort: CaseSort,
    /// Cursor from the previous page (same filter and sort).
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}
