//! Row shapes of cases and their children, and the text forms of their enumerations.

use chrono::{DateTime, Utc};
use sqlx::FromRow;
use zongzhi_core::calendar::LimitUnit;
use zongzhi_core::case::{
    CaseFacts, CaseState, CaseStatus, Channel, Complexity, DeadlineState, Holder, Outcome,
    PartyRole, Rating, SupervisionLevel, Urgency,
};
use zongzhi_store::{Attachment, Case, CaseEventRow, CaseRef, Party, StoreResult};

use crate::error::bad_value;

/// `SELECT … FROM` for [`CaseRow`] (case `c` with its names); add `WHERE`.
pub(crate) const CASE_SELECT: &str = "SELECT c.id, c.tracking_no, c.version, c.channel, \
     c.category_code, cat.name AS category_name, c.urgency, c.complexity, c.title, \
     c.description, c.occurred_at, c.reported_at, c.address, c.org_unit_id, \
     lo.name AS org_unit_name, c.org_path, c.lat, c.lng, c.people_involved, c.amount_fen, \
     c.status, c.center_unit_id, cu.name AS center_unit_name, c.holder_department_id, \
     hd.name AS holder_department_name, c.holder_unit_id, hu.name AS holder_unit_name, \
     c.accept_deadline, c.finish_deadline, c.finish_unit, c.warn_at, c.deadline_state, \
     c.ever_overdue, c.extension_pending, c.pending_extension_days, c.verification_passed, \
     c.last_rating, c.rating, c.accepted_at, c.resolved_at, c.closed_at, c.archived_at, c.outcome, \
     c.supervision_level, c.master_case_id, c.reopen_count, c.ever_supervised, c.on_time, \
     c.accept_minutes, c.close_minutes, c.created_by, c.created_at, c.updated_at, \
     ARRAY(SELECT x.department_id FROM case_departments x WHERE x.case_id = c.id \
           AND x.active AND NOT x.lead ORDER BY x.department_id) AS co_handler_ids \
     FROM cases c \
     JOIN categories cat ON cat.code = c.category_code \
     JOIN org_units lo ON lo.id = c.org_unit_id \
     JOIN org_units cu ON cu.id = c.center_unit_id \
     LEFT JOIN departments hd ON hd.id = c.holder_department_id \
     LEFT JOIN org_units hu ON hu.id = c.holder_unit_id";

/// `SELECT … FROM cases c` for [`CaseRow`] without the joins: names empty, co-handlers
/// left out. Enough for the state and the rollup source of every case (the rebuild).
pub(crate) const CASE_STATE_SELECT: &str = "SELECT c.id, c.tracking_no, c.version, c.channel, \
     c.category_code, '' AS category_name, c.urgency, c.complexity, c.title, \
     c.description, c.occurred_at, c.reported_at, c.address, c.org_unit_id, \
     '' AS org_unit_name, c.org_path, c.lat, c.lng, c.people_involved, c.amount_fen, \
     c.status, c.center_unit_id, '' AS center_unit_name, c.holder_department_id, \
     NULL::text AS holder_department_name, c.holder_unit_id, NULL::text AS holder_unit_name, \
     c.accept_deadline, c.finish_deadline, c.finish_unit, c.warn_at, c.deadline_state, \
     c.ever_overdue, c.extension_pending, c.pending_extension_days, c.verification_passed, \
     c.last_rating, c.rating, c.accepted_at, c.resolved_at, c.closed_at, c.archived_at, c.outcome, \
     c.supervision_level, c.master_case_id, c.reopen_count, c.ever_supervised, c.on_time, \
     c.accept_minutes, c.close_minutes, c.created_by, c.created_at, c.updated_at, \
     '{}'::int8[] AS co_handler_ids \
     FROM cases c";

/// Columns of [`CaseRefRow`], from `cases c`.
pub(crate) const CASE_REF_COLS: &str = "c.id, c.tracking_no, c.title, c.status";

/// Columns of [`PartyRow`].
pub(crate) const PARTY_COLS: &str =
    "id, role, name, id_card_enc, id_card_masked, phone_enc, phone_masked";

/// Columns of [`AttachmentRow`].
pub(crate) const ATTACHMENT_COLS: &str =
    "id, content_hash, file_name, content_type, size_bytes, uploaded_by, uploaded_at";

/// The stored name of a limit unit (its serde name).
pub(crate) fn unit_str(u: LimitUnit) -> &'static str {
    match u {
        LimitUnit::WorkingDays => "working_days",
        LimitUnit::NaturalHours => "natural_hours",
        LimitUnit::NaturalDays => "natural_days",
    }
}

/// Parses a stored limit unit.
pub(crate) fn parse_unit(s: &str) -> StoreResult<LimitUnit> {
    match s {
        "working_days" => Ok(LimitUnit::WorkingDays),
        "natural_hours" => Ok(LimitUnit::NaturalHours),
        "natural_days" => Ok(LimitUnit::NaturalDays),
        _ => Err(bad_value("limit unit", s)),
    }
}

/// Parses a stored enumeration with its `parse`, naming it in the error.
pub(crate) fn parse_enum<T>(
    what: &'static str,
    s: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> StoreResult<T> {
    parse(s).ok_or_else(|| bad_value(what, s))
}

fn opt_enum<T>(
    what: &'static str,
    s: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
) -> StoreResult<Option<T>> {
    s.map(|s| parse_enum(what, s, parse)).transpose()
}

/// A `cases` row with the names of what it references.
#[derive(FromRow)]
pub(crate) struct CaseRow {
    id: i64,
    tracking_no: String,
    version: i64,
    channel: String,
    category_code: String,
    category_name: String,
    urgency: String,
    complexity: String,
    title: String,
    description: String,
    occurred_at: Option<DateTime<Utc>>,
    reported_at: DateTime<Utc>,
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
    accept_deadline: Option<DateTime<Utc>>,
    finish_deadline: Option<DateTime<Utc>>,
    finish_unit: Option<String>,
    warn_at: Option<DateTime<Utc>>,
    deadline_state: String,
    ever_overdue: bool,
    extension_pending: bool,
    pending_extension_days: Option<i32>,
    verification_passed: Option<bool>,
    last_rating: Option<String>,
    rating: Option<String>,
    accepted_at: Option<DateTime<Utc>>,
    resolved_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    archived_at: Option<DateTime<Utc>>,
    outcome: Option<String>,
    supervision_level: Option<String>,
    master_case_id: Option<i64>,
    reopen_count: i32,
    ever_supervised: bool,
    on_time: Option<bool>,
    accept_minutes: Option<i64>,
    close_minutes: Option<i64>,
    created_by: Option<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    co_handler_ids: Vec<i64>,
}

impl CaseRow {
    /// The state columns as the domain's [`CaseState`].
    fn state(&self) -> StoreResult<CaseState> {
        let holder = match (self.holder_department_id, self.holder_unit_id) {
            (Some(id), _) => Some(Holder::Department {
                id,
                co_handler_ids: self.co_handler_ids.clone(),
            }),
            (None, Some(id)) => Some(Holder::OrgUnit { id }),
            (None, None) => None,
        };
        let pending_extension_days = self
            .pending_extension_days
            .map(|d| u16::try_from(d).map_err(|_| bad_value("extension days", &d.to_string())))
            .transpose()?;
        Ok(CaseState {
            status: parse_enum("case status", &self.status, CaseStatus::parse)?,
            facts: CaseFacts {
                is_merged: self.master_case_id.is_some(),
                extension_pending: self.extension_pending,
                verification_passed: self.verification_passed,
                last_rating: opt_enum("rating", self.last_rating.as_deref(), Rating::parse)?,
            },
            pending_extension_days,
            center_unit_id: self.center_unit_id,
            holder,
            accept_deadline: self.accept_deadline,
            finish_deadline: self.finish_deadline,
            finish_unit: self.finish_unit.as_deref().map(parse_unit).transpose()?,
            warn_at: self.warn_at,
            deadline_state: parse_enum(
                "deadline state",
                &self.deadline_state,
                DeadlineState::parse,
            )?,
            ever_overdue: self.ever_overdue,
            accepted_at: self.accepted_at,
            resolved_at: self.resolved_at,
            closed_at: self.closed_at,
            archived_at: self.archived_at,
            outcome: opt_enum("outcome", self.outcome.as_deref(), Outcome::parse)?,
            rating: opt_enum("rating", self.rating.as_deref(), Rating::parse)?,
            supervision_level: opt_enum(
                "supervision level",
                self.supervision_level.as_deref(),
                SupervisionLevel::parse,
            )?,
            master_case_id: self.master_case_id,
            reopen_count: self.reopen_count,
            // 登记 is when the case row was created.
            registered_at: Some(self.created_at),
            ever_supervised: self.ever_supervised,
            on_time: self.on_time,
            accept_minutes: self.accept_minutes,
            close_minutes: self.close_minutes,
        })
    }

    /// The id and version, and the decoded state (for the deadline job).
    pub(crate) fn into_candidate(self) -> StoreResult<zongzhi_store::DeadlineCandidate> {
        Ok(zongzhi_store::DeadlineCandidate {
            case_id: self.id,
            version: self.version,
            state: self.state()?,
        })
    }

    /// The stored case.
    pub(crate) fn into_model(self) -> StoreResult<Case> {
        let state = self.state()?;
        Ok(Case {
            id: self.id,
            tracking_no: self.tracking_no,
            version: self.version,
            channel: parse_enum("channel", &self.channel, Channel::parse)?,
            category_code: self.category_code,
            category_name: self.category_name,
            urgency: parse_enum("urgency", &self.urgency, Urgency::parse)?,
            complexity: parse_enum("complexity", &self.complexity, Complexity::parse)?,
            title: self.title,
            description: self.description,
            occurred_at: self.occurred_at,
            reported_at: self.reported_at,
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
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

/// A short case reference.
#[derive(FromRow)]
pub(crate) struct CaseRefRow {
    id: i64,
    tracking_no: String,
    title: String,
    status: String,
}

impl CaseRefRow {
    /// The stored reference.
    pub(crate) fn into_model(self) -> StoreResult<CaseRef> {
        Ok(CaseRef {
            id: self.id,
            tracking_no: self.tracking_no,
            title: self.title,
            status: parse_enum("case status", &self.status, CaseStatus::parse)?,
        })
    }
}

/// A `case_parties` row.
#[derive(FromRow)]
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
    /// The stored party.
    pub(crate) fn into_model(self) -> StoreResult<Party> {
        Ok(Party {
            id: self.id,
            role: parse_enum("party role", &self.role, PartyRole::parse)?,
            name: self.name,
            id_card_enc: self.id_card_enc,
            id_card_masked: self.id_card_masked,
            phone_enc: self.phone_enc,
            phone_masked: self.phone_masked,
        })
    }
}

/// A `case_attachments` row.
#[derive(FromRow)]
pub(crate) struct AttachmentRow {
    id: i64,
    content_hash: String,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    uploaded_by: Option<i64>,
    uploaded_at: DateTime<Utc>,
}

impl AttachmentRow {
    /// The stored attachment.
    pub(crate) fn into_model(self) -> Attachment {
        Attachment {
            id: self.id,
            content_hash: self.content_hash,
            file_name: self.file_name,
            content_type: self.content_type,
            size_bytes: self.size_bytes,
            uploaded_by: self.uploaded_by,
            uploaded_at: self.uploaded_at,
        }
    }
}

/// A `case_events` row with the actor's name.
#[derive(FromRow)]
pub(crate) struct EventRow {
    seq: i64,
    actor_id: Option<i64>,
    actor_name: Option<String>,
    at: DateTime<Utc>,
    from_status: String,
    to_status: String,
    kind: String,
    note: Option<String>,
    payload: serde_json::Value,
}

impl EventRow {
    /// The stored event.
    pub(crate) fn into_model(self) -> StoreResult<CaseEventRow> {
        Ok(CaseEventRow {
            seq: self.seq,
            actor_id: self.actor_id,
            actor_name: self.actor_name,
            at: self.at,
            from_status: parse_enum("case status", &self.from_status, CaseStatus::parse)?,
            to_status: parse_enum("case status", &self.to_status, CaseStatus::parse)?,
            kind: self.kind,
            note: self.note,
            payload: self.payload,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn units_round_trip_as_their_serde_names() {
        for u in [
            LimitUnit::WorkingDays,
            LimitUnit::NaturalHours,
            LimitUnit::NaturalDays,
        ] {
            let serde = serde_json::to_value(u).unwrap();
            assert_eq!(serde.as_str(), Some(unit_str(u)));
            assert_eq!(parse_unit(unit_str(u)).unwrap(), u);
        }
        assert!(parse_unit("weeks").is_err());
    }
}
