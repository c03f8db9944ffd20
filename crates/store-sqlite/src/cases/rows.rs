//! Case rows as selected and the encoding of a [`CaseState`] into columns.

use zongzhi_core::case::limits::LimitUnit;
use zongzhi_core::case::{
    CaseFacts, CaseState, CaseStatus, Channel, Complexity, DeadlineState, Holder, Outcome,
    PartyRole, Rating, SupervisionLevel, Urgency,
};
use zongzhi_core::org::DepartmentId;
use zongzhi_store::{Attachment, Case, CaseEventRow, CaseRef, Party, StoreResult};

use crate::util::{corrupt, parse_ts, parse_ts_opt, ts};

/// Columns of a case, from [`case_from!`].
macro_rules! case_cols {
    () => {
        "c.id, c.tracking_no, c.version, c.channel, c.category_code, \
         cat.name AS category_name, c.urgency, c.complexity, c.title, c.description, \
         c.occurred_at, c.reported_at, c.address, c.org_unit_id, o.name AS org_unit_name, \
         c.org_path, c.lat, c.lng, c.people_involved, c.amount_fen, c.status, \
         c.center_unit_id, cu.name AS center_unit_name, c.holder_department_id, \
         hd.name AS holder_department_name, c.holder_unit_id, hu.name AS holder_unit_name, \
         c.accept_deadline, c.finish_deadline, c.finish_unit, c.warn_at, c.deadline_state, \
         c.ever_overdue, c.extension_pending, c.pending_extension_days, \
         c.verification_passed, c.last_rating, c.rating, c.accepted_at, c.resolved_at, \
         c.closed_at, c.archived_at, c.outcome, c.supervision_level, c.master_case_id, \
         c.reopen_count, c.ever_supervised, c.on_time, c.accept_minutes, c.close_minutes, \
         c.created_by, c.created_at, c.updated_at"
    };
}

/// The joins behind [`case_cols!`].
macro_rules! case_from {
    () => {
        " FROM cases c JOIN categories cat ON cat.code = c.category_code \
         JOIN org_units o ON o.id = c.org_unit_id \
         JOIN org_units cu ON cu.id = c.center_unit_id \
         LEFT JOIN departments hd ON hd.id = c.holder_department_id \
         LEFT JOIN org_units hu ON hu.id = c.holder_unit_id "
    };
}

/// Every column a [`CaseState`] is stored in, in the order [`StateCols::bind`] binds them.
macro_rules! state_col_names {
    () => {
        "status, center_unit_id, center_path, holder_department_id, holder_unit_id, \
         holder_path, accept_deadline, finish_deadline, finish_unit, due_at, warn_at, \
         deadline_state, ever_overdue, extension_pending, pending_extension_days, \
         verification_passed, last_rating, rating, accepted_at, resolved_at, closed_at, \
         archived_at, outcome, supervision_level, master_case_id, reopen_count, \
         ever_supervised, on_time, accept_minutes, close_minutes"
    };
}

/// The values of [`state_col_names!`]: the paths are looked up from the unit ids, so they
/// always agree with `org_units`.
macro_rules! state_values {
    () => {
        "?, ?, (SELECT path FROM org_units WHERE id = ?), ?, ?, \
         (SELECT path FROM org_units WHERE id = ?), \
         ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
    };
}

/// `SET` assignments of [`state_col_names!`], bound like [`state_values!`].
macro_rules! state_set {
    () => {
        "status = ?, center_unit_id = ?, \
         center_path = (SELECT path FROM org_units WHERE id = ?), \
         holder_department_id = ?, holder_unit_id = ?, \
         holder_path = (SELECT path FROM org_units WHERE id = ?), \
         accept_deadline = ?, finish_deadline = ?, finish_unit = ?, due_at = ?, warn_at = ?, \
         deadline_state = ?, ever_overdue = ?, extension_pending = ?, \
         pending_extension_days = ?, verification_passed = ?, last_rating = ?, rating = ?, \
         accepted_at = ?, resolved_at = ?, closed_at = ?, archived_at = ?, outcome = ?, \
         supervision_level = ?, master_case_id = ?, reopen_count = ?, ever_supervised = ?, \
         on_time = ?, accept_minutes = ?, close_minutes = ?"
    };
}

pub(crate) use {case_cols, case_from, state_col_names, state_set, state_values};

/// A case row with its joined names.
#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    pub(crate) id: i64,
    tracking_no: String,
    version: i64,
    channel: String,
    category_code: String,
    category_name: String,
    urgency: String,
    complexity: String,
    title: String,
    description: String,
    occurred_at: Option<String>,
    reported_at: String,
    address: Option<String>,
    org_unit_id: i64,
    org_unit_name: String,
    org_path: String,
    lat: Option<f64>,
    lng: Option<f64>,
    people_involved: Option<i32>,
    amount_fen: Option<i64>,
    status: String,
    center_unit_id: i64,
    center_unit_name: String,
    holder_department_id: Option<i64>,
    holder_department_name: Option<String>,
    holder_unit_id: Option<i64>,
    holder_unit_name: Option<String>,
    accept_deadline: Option<String>,
    finish_deadline: Option<String>,
    finish_unit: Option<String>,
    warn_at: Option<String>,
    deadline_state: String,
    ever_overdue: bool,
    extension_pending: bool,
    pending_extension_days: Option<i64>,
    verification_passed: Option<bool>,
    last_rating: Option<String>,
    rating: Option<String>,
    accepted_at: Option<String>,
    resolved_at: Option<String>,
    closed_at: Option<String>,
    archived_at: Option<String>,
    outcome: Option<String>,
    supervision_level: Option<String>,
    master_case_id: Option<i64>,
    reopen_count: i32,
    ever_supervised: bool,
    on_time: Option<bool>,
    accept_minutes: Option<i64>,
    close_minutes: Option<i64>,
    created_by: Option<i64>,
    created_at: String,
    updated_at: String,
}

impl CaseRow {
    /// Into the model type; `co_handlers` are the active co-handling departments.
    pub(crate) fn into_model(self, co_handlers: Vec<DepartmentId>) -> StoreResult<Case> {
        let status = code(&self.status, "case status", CaseStatus::parse)?;
        let holder = match (self.holder_department_id, self.holder_unit_id) {
            (Some(id), _) => Some(Holder::Department {
                id,
                co_handler_ids: co_handlers,
            }),
            (None, Some(id)) => Some(Holder::OrgUnit { id }),
            (None, None) => None,
        };
        let pending = self
            .pending_extension_days
            .map(|d| u16::try_from(d).map_err(|_| corrupt(format!("extension days {d}"))))
            .transpose()?;
        let state = CaseState {
            status,
            facts: CaseFacts {
                is_merged: self.master_case_id.is_some(),
                extension_pending: self.extension_pending,
                verification_passed: self.verification_passed,
                last_rating: opt_code(self.last_rating.as_deref(), "rating", Rating::parse)?,
            },
            pending_extension_days: pending,
            center_unit_id: self.center_unit_id,
            holder,
            accept_deadline: parse_ts_opt(self.accept_deadline.as_deref())?,
            finish_deadline: parse_ts_opt(self.finish_deadline.as_deref())?,
            finish_unit: opt_code(self.finish_unit.as_deref(), "limit unit", parse_unit)?,
            warn_at: parse_ts_opt(self.warn_at.as_deref())?,
            deadline_state: code(&self.deadline_state, "deadline state", DeadlineState::parse)?,
            ever_overdue: self.ever_overdue,
            accepted_at: parse_ts_opt(self.accepted_at.as_deref())?,
            resolved_at: parse_ts_opt(self.resolved_at.as_deref())?,
            closed_at: parse_ts_opt(self.closed_at.as_deref())?,
            archived_at: parse_ts_opt(self.archived_at.as_deref())?,
            outcome: opt_code(self.outcome.as_deref(), "outcome", Outcome::parse)?,
            rating: opt_code(self.rating.as_deref(), "rating", Rating::parse)?,
            supervision_level: opt_code(
                self.supervision_level.as_deref(),
                "supervision level",
                SupervisionLevel::parse,
            )?,
            master_case_id: self.master_case_id,
            reopen_count: self.reopen_count,
            // 登记 is the case's creation: one column serves both.
            registered_at: Some(parse_ts(&self.created_at)?),
            ever_supervised: self.ever_supervised,
            on_time: self.on_time,
            accept_minutes: self.accept_minutes,
            close_minutes: self.close_minutes,
        };
        Ok(Case {
            id: self.id,
            tracking_no: self.tracking_no,
            version: self.version,
            channel: code(&self.channel, "channel", Channel::parse)?,
            category_code: self.category_code,
            category_name: self.category_name,
            urgency: code(&self.urgency, "urgency", Urgency::parse)?,
            complexity: code(&self.complexity, "complexity", Complexity::parse)?,
            title: self.title,
            description: self.description,
            occurred_at: parse_ts_opt(self.occurred_at.as_deref())?,
            reported_at: parse_ts(&self.reported_at)?,
            address: self.address,
            org_unit_id: self.org_unit_id,
            org_unit_name: self.org_unit_name,
            org_path: self.org_path,
            lat: self.lat,
            lng: self.lng,
            people_involved: self.people_involved,
            amount_fen: self.amount_fen,
            state,
            center_unit_name: self.center_unit_name,
            holder_department_name: self.holder_department_name,
            holder_unit_name: self.holder_unit_name,
            created_by: self.created_by,
            created_at: parse_ts(&self.created_at)?,
            updated_at: parse_ts(&self.updated_at)?,
        })
    }
}

/// A short reference row (`id, tracking_no, title, status`).
#[derive(sqlx::FromRow)]
pub(crate) struct CaseRefRow {
    id: i64,
    tracking_no: String,
    title: String,
    status: String,
}

impl CaseRefRow {
    /// Into the model type.
    pub(crate) fn into_model(self) -> StoreResult<CaseRef> {
        Ok(CaseRef {
            id: self.id,
            tracking_no: self.tracking_no,
            title: self.title,
            status: code(&self.status, "case status", CaseStatus::parse)?,
        })
    }
}

/// A party row.
#[derive(sqlx::FromRow)]
pub(crate) struct PartyRow {
    id: i64,
    role: String,
    name: String,
    id_card_enc: Option<String>,
    id_card_masked: Option<String>,
    phone_enc: Option<String>,
    phone_masked: Option<String>,
}

impl PartyRow {
    /// Into the model type.
    pub(crate) fn into_model(self) -> StoreResult<Party> {
        Ok(Party {
            id: self.id,
            role: code(&self.role, "party role", PartyRole::parse)?,
            name: self.name,
            id_card_enc: self.id_card_enc,
            id_card_masked: self.id_card_masked,
            phone_enc: self.phone_enc,
            phone_masked: self.phone_masked,
        })
    }
}

/// An attachment row.
#[derive(sqlx::FromRow)]
pub(crate) struct AttachmentRow {
    id: i64,
    content_hash: String,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    uploaded_by: Option<i64>,
    uploaded_at: String,
}

impl AttachmentRow {
    /// Into the model type.
    pub(crate) fn into_model(self) -> StoreResult<Attachment> {
        Ok(Attachment {
            id: self.id,
            content_hash: self.content_hash,
            file_name: self.file_name,
            content_type: self.content_type,
            size_bytes: self.size_bytes,
            uploaded_by: self.uploaded_by,
            uploaded_at: parse_ts(&self.uploaded_at)?,
        })
    }
}

/// An event row with its actor's name.
#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    seq: i64,
    actor_id: Option<i64>,
    actor_name: Option<String>,
    at: String,
    from_status: String,
    to_status: String,
    kind: String,
    note: Option<String>,
    payload: String,
}

impl EventRow {
    /// Into the model type.
    pub(crate) fn into_model(self) -> StoreResult<CaseEventRow> {
        Ok(CaseEventRow {
            seq: self.seq,
            actor_id: self.actor_id,
            actor_name: self.actor_name,
            at: parse_ts(&self.at)?,
            from_status: code(&self.from_status, "case status", CaseStatus::parse)?,
            to_status: code(&self.to_status, "case status", CaseStatus::parse)?,
            kind: self.kind,
            note: self.note,
            payload: serde_json::from_str(&self.payload).map_err(|_| corrupt("event payload"))?,
        })
    }
}

/// A [`CaseState`] as column values.
pub(crate) struct StateCols {
    pub(crate) status: &'static str,
    pub(crate) center_unit_id: i64,
    pub(crate) holder_department_id: Option<i64>,
    pub(crate) holder_unit_id: Option<i64>,
    pub(crate) accept_deadline: Option<String>,
    pub(crate) finish_deadline: Option<String>,
    pub(crate) finish_unit: Option<&'static str>,
    pub(crate) due_at: Option<String>,
    pub(crate) warn_at: Option<String>,
    pub(crate) deadline_state: &'static str,
    pub(crate) ever_overdue: bool,
    pub(crate) extension_pending: bool,
    pub(crate) pending_extension_days: Option<i64>,
    pub(crate) verification_passed: Option<bool>,
    pub(crate) last_rating: Option<&'static str>,
    pub(crate) rating: Option<&'static str>,
    pub(crate) accepted_at: Option<String>,
    pub(crate) resolved_at: Option<String>,
    pub(crate) closed_at: Option<String>,
    pub(crate) archived_at: Option<String>,
    pub(crate) outcome: Option<&'static str>,
    pub(crate) supervision_level: Option<&'static str>,
    pub(crate) master_case_id: Option<i64>,
    pub(crate) reopen_count: i32,
    pub(crate) ever_supervised: bool,
    pub(crate) on_time: Option<bool>,
    pub(crate) accept_minutes: Option<i64>,
    pub(crate) close_minutes: Option<i64>,
}

impl StateCols {
    /// Encodes `s`.
    pub(crate) fn new(s: &CaseState) -> Self {
        let t = |v: Option<chrono::DateTime<chrono::Utc>>| v.map(ts);
        Self {
            status: s.status.as_str(),
            center_unit_id: s.center_unit_id,
            holder_department_id: s.holder_department_id(),
            holder_unit_id: s.holder_unit_id(),
            accept_deadline: t(s.accept_deadline),
            finish_deadline: t(s.finish_deadline),
            finish_unit: s.finish_unit.map(unit_str),
            due_at: t(s.due_at()),
            warn_at: t(s.warn_at),
            deadline_state: s.deadline_state.as_str(),
            ever_overdue: s.ever_overdue,
            extension_pending: s.facts.extension_pending,
            pending_extension_days: s.pending_extension_days.map(i64::from),
            verification_passed: s.facts.verification_passed,
            last_rating: s.facts.last_rating.map(Rating::as_str),
            rating: s.rating.map(Rating::as_str),
            accepted_at: t(s.accepted_at),
            resolved_at: t(s.resolved_at),
            closed_at: t(s.closed_at),
            archived_at: t(s.archived_at),
            outcome: s.outcome.map(Outcome::as_str),
            supervision_level: s.supervision_level.map(SupervisionLevel::as_str),
            master_case_id: s.master_case_id,
            reopen_count: s.reopen_count,
            ever_supervised: s.ever_supervised,
            on_time: s.on_time,
            accept_minutes: s.accept_minutes,
            close_minutes: s.close_minutes,
        }
    }
}

/// Binds a [`StateCols`] onto a query (plain or scalar) for [`state_values!`] /
/// [`state_set!`].
macro_rules! bind_state {
    ($q:expr, $s:expr) => {{
        let s: &$crate::cases::rows::StateCols = $s;
        $q.bind(s.status)
            .bind(s.center_unit_id)
            .bind(s.center_unit_id)
            .bind(s.holder_department_id)
            .bind(s.holder_unit_id)
            .bind(s.holder_unit_id)
            .bind(s.accept_deadline.clone())
            .bind(s.finish_deadline.clone())
            .bind(s.finish_unit)
            .bind(s.due_at.clone())
            .bind(s.warn_at.clone())
            .bind(s.deadline_state)
            .bind(s.ever_overdue)
            .bind(s.extension_pending)
            .bind(s.pending_extension_days)
            .bind(s.verification_passed)
            .bind(s.last_rating)
            .bind(s.rating)
            .bind(s.accepted_at.clone())
            .bind(s.resolved_at.clone())
            .bind(s.closed_at.clone())
            .bind(s.archived_at.clone())
            .bind(s.outcome)
            .bind(s.supervision_level)
            .bind(s.master_case_id)
            .bind(s.reopen_count)
            .bind(s.ever_supervised)
            .bind(s.on_time)
            .bind(s.accept_minutes)
            .bind(s.close_minutes)
    }};
}

pub(crate) use bind_state;

/// A limit unit as stored: its snake_case serde name.
pub(crate) fn unit_str(u: LimitUnit) -> &'static str {
    match u {
        LimitUnit::WorkingDays => "working_days",
        LimitUnit::NaturalHours => "natural_hours",
        LimitUnit::NaturalDays => "natural_days",
    }
}

/// Parses a stored limit unit.
pub(crate) fn parse_unit(s: &str) -> Option<LimitUnit> {
    [
        LimitUnit::WorkingDays,
        LimitUnit::NaturalHours,
        LimitUnit::NaturalDays,
    ]
    .into_iter()
    .find(|u| unit_str(*u) == s)
}

/// Decodes a stored enumeration.
pub(crate) fn code<T>(s: &str, what: &str, parse: impl Fn(&str) -> Option<T>) -> StoreResult<T> {
    parse(s).ok_or_else(|| corrupt(format!("{what} {s:?}")))
}

/// Decodes an optional stored enumeration.
pub(crate) fn opt_code<T>(
    s: Option<&str>,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> StoreResult<Option<T>> {
    s.map(|s| code(s, what, parse)).transpose()
}
