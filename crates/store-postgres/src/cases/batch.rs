//! Multi-row case inserts through `UNNEST` of one array per column: a whole batch of cases
//! is one statement (one round trip), whether it holds one case (intake) or hundreds
//! (import). The children follow in [`super::children`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use zongzhi_core::case::CaseState;
use zongzhi_store::{NewCase, StoreResult};

use super::{case_db, unit_str};

/// The stored form of a [`CaseState`]'s columns.
pub(crate) struct StateCols {
    pub(crate) status: &'static str,
    pub(crate) center_unit_id: i64,
    pub(crate) holder_department_id: Option<i64>,
    pub(crate) holder_unit_id: Option<i64>,
    pub(crate) accept_deadline: Option<DateTime<Utc>>,
    pub(crate) finish_deadline: Option<DateTime<Utc>>,
    pub(crate) finish_unit: Option<&'static str>,
    pub(crate) due_at: Option<DateTime<Utc>>,
    pub(crate) warn_at: Option<DateTime<Utc>>,
    pub(crate) deadline_state: &'static str,
    pub(crate) ever_overdue: bool,
    pub(crate) extension_pending: bool,
    pub(crate) pending_extension_days: Option<i32>,
    pub(crate) verification_passed: Option<bool>,
    pub(crate) last_rating: Option<&'static str>,
    pub(crate) rating: Option<&'static str>,
    pub(crate) accepted_at: Option<DateTime<Utc>>,
    pub(crate) resolved_at: Option<DateTime<Utc>>,
    pub(crate) closed_at: Option<DateTime<Utc>>,
    pub(crate) archived_at: Option<DateTime<Utc>>,
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
    /// The columns of `s`.
    pub(crate) fn of(s: &CaseState) -> Self {
        Self {
            status: s.status.as_str(),
            center_unit_id: s.center_unit_id,
            holder_department_id: s.holder_department_id(),
            holder_unit_id: s.holder_unit_id(),
            accept_deadline: s.accept_deadline,
            finish_deadline: s.finish_deadline,
            finish_unit: s.finish_unit.map(unit_str),
            due_at: s.due_at(),
            warn_at: s.warn_at,
            deadline_state: s.deadline_state.as_str(),
            ever_overdue: s.ever_overdue,
            extension_pending: s.facts.extension_pending,
            pending_extension_days: s.pending_extension_days.map(i32::from),
            verification_passed: s.facts.verification_passed,
            // The facts' rating: the one the state machine reads (cleared on reopen).
            last_rating: s.facts.last_rating.map(|r| r.as_str()),
            rating: s.rating.map(|r| r.as_str()),
            accepted_at: s.accepted_at,
            resolved_at: s.resolved_at,
            closed_at: s.closed_at,
            archived_at: s.archived_at,
            outcome: s.outcome.map(|o| o.as_str()),
            supervision_level: s.supervision_level.map(|l| l.as_str()),
            master_case_id: s.master_case_id,
            reopen_count: s.reopen_count,
            ever_supervised: s.ever_supervised,
            on_time: s.on_time,
            accept_minutes: s.accept_minutes,
            close_minutes: s.close_minutes,
        }
    }
}

/// Org paths copied into a case row for scope filtering.
pub(crate) struct CasePaths {
    /// Location unit's path.
    pub(crate) org: String,
    /// Responsible center's path.
    pub(crate) center: String,
    /// Holding lower-tier center's path.
    pub(crate) holder: Option<String>,
}

/// Columns of a case insert, in bind order, with their array types.
const CASE_COLUMNS: [(&str, &str); 51] = [
    ("tracking_no", "text"),
    ("channel", "text"),
    ("category_code", "text"),
    ("urgency", "text"),
    ("complexity", "text"),
    ("title", "text"),
    ("description", "text"),
    ("occurred_at", "timestamptz"),
    ("reported_at", "timestamptz"),
    ("address", "text"),
    ("org_unit_id", "int8"),
    ("org_path", "text"),
    ("lat", "float8"),
    ("lng", "float8"),
    ("people_involved", "int4"),
    ("amount_fen", "int8"),
    ("status", "text"),
    ("center_unit_id", "int8"),
    ("center_path", "text"),
    ("holder_department_id", "int8"),
    ("holder_unit_id", "int8"),
    ("holder_path", "text"),
    ("accept_deadline", "timestamptz"),
    ("finish_deadline", "timestamptz"),
    ("finish_unit", "text"),
    ("due_at", "timestamptz"),
    ("warn_at", "timestamptz"),
    ("deadline_state", "text"),
    ("ever_overdue", "bool"),
    ("extension_pending", "bool"),
    ("pending_extension_days", "int4"),
    ("verification_passed", "bool"),
    ("last_rating", "text"),
    ("rating", "text"),
    ("accepted_at", "timestamptz"),
    ("resolved_at", "timestamptz"),
    ("closed_at", "timestamptz"),
    ("archived_at", "timestamptz"),
    ("outcome", "text"),
    ("supervision_level", "text"),
    ("master_case_id", "int8"),
    ("reopen_count", "int4"),
    ("ever_supervised", "bool"),
    ("on_time", "bool"),
    ("accept_minutes", "int8"),
    ("close_minutes", "int8"),
    ("created_by", "int8"),
    ("idempotency_key", "text"),
    ("created_at", "timestamptz"),
    ("updated_at", "timestamptz"),
    ("search_terms", "text"),
];

/// The `INSERT … SELECT … FROM UNNEST(…)` of [`CaseBatch::insert`].
fn case_insert_sql() -> String {
    let names: Vec<&str> = CASE_COLUMNS.iter().map(|(n, _)| *n).collect();
    let unnest: Vec<String> = CASE_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (_, t))| format!("${}::{t}[]", i + 1))
        .collect();
    let select: Vec<String> = names
        .iter()
        .map(|n| {
            if *n == "search_terms" {
                "to_tsvector('simple', t.search_terms)".to_owned()
            } else {
                format!("t.{n}")
            }
        })
        .collect();
    format!(
        "INSERT INTO cases (version, {}) SELECT 1, {} FROM UNNEST({}) WITH ORDINALITY \
         AS t({}, ord) ORDER BY t.ord RETURNING id, tracking_no",
        names.join(", "),
        select.join(", "),
        unnest.join(", "),
        names.join(", "),
    )
}

/// Cases to insert, one array per column.
#[derive(Default)]
pub(crate) struct CaseBatch {
    tracking_no: Vec<String>,
    channel: Vec<&'static str>,
    category_code: Vec<String>,
    urgency: Vec<&'static str>,
    complexity: Vec<&'static str>,
    title: Vec<String>,
    description: Vec<String>,
    occurred_at: Vec<Option<DateTime<Utc>>>,
    reported_at: Vec<DateTime<Utc>>,
    address: Vec<Option<String>>,
    org_unit_id: Vec<i64>,
    org_path: Vec<String>,
    lat: Vec<Option<f64>>,
    lng: Vec<Option<f64>>,
    people_involved: Vec<Option<i32>>,
    amount_fen: Vec<Option<i64>>,
    status: Vec<&'static str>,
    center_unit_id: Vec<i64>,
    center_path: Vec<String>,
    holder_department_id: Vec<Option<i64>>,
    holder_unit_id: Vec<Option<i64>>,
    holder_path: Vec<Option<String>>,
    accept_deadline: Vec<Option<DateTime<Utc>>>,
    finish_deadline: Vec<Option<DateTime<Utc>>>,
    finish_unit: Vec<Option<&'static str>>,
    due_at: Vec<Option<DateTime<Utc>>>,
    warn_at: Vec<Option<DateTime<Utc>>>,
    deadline_state: Vec<&'static str>,
    ever_overdue: Vec<bool>,
    extension_pending: Vec<bool>,
    pending_extension_days: Vec<Option<i32>>,
    verification_passed: Vec<Option<bool>>,
    last_rating: Vec<Option<&'static str>>,
    rating: Vec<Option<&'static str>>,
    accepted_at: Vec<Option<DateTime<Utc>>>,
    resolved_at: Vec<Option<DateTime<Utc>>>,
    closed_at: Vec<Option<DateTime<Utc>>>,
    archived_at: Vec<Option<DateTime<Utc>>>,
    outcome: Vec<Option<&'static str>>,
    supervision_level: Vec<Option<&'static str>>,
    master_case_id: Vec<Option<i64>>,
    reopen_count: Vec<i32>,
    ever_supervised: Vec<bool>,
    on_time: Vec<Option<bool>>,
    accept_minutes: Vec<Option<i64>>,
    close_minutes: Vec<Option<i64>>,
    created_by: Vec<Option<i64>>,
    idempotency_key: Vec<Option<String>>,
    created_at: Vec<DateTime<Utc>>,
    updated_at: Vec<DateTime<Utc>>,
    search_terms: Vec<String>,
}

impl CaseBatch {
    /// Adds a case (version 1; updated at its last event).
    pub(crate) fn push(
        &mut self,
        tracking_no: String,
        n: &NewCase,
        paths: CasePaths,
        idempotency_key: Option<String>,
    ) {
        let s = StateCols::of(&n.state);
        self.tracking_no.push(tracking_no);
        self.channel.push(n.channel.as_str());
        self.category_code.push(n.category_code.clone());
        self.urgency.push(n.urgency.as_str());
        self.complexity.push(n.complexity.as_str());
        self.title.push(n.title.clone());
        self.description.push(n.description.clone());
        self.occurred_at.push(n.occurred_at);
        self.reported_at.push(n.reported_at);
        self.address.push(n.address.clone());
        self.org_unit_id.push(n.org_unit_id);
        self.org_path.push(paths.org);
        self.lat.push(n.lat);
        self.lng.push(n.lng);
        self.people_involved.push(n.people_involved);
        self.amount_fen.push(n.amount_fen);
        self.status.push(s.status);
        self.center_unit_id.push(s.center_unit_id);
        self.center_path.push(paths.center);
        self.holder_department_id.push(s.holder_department_id);
        self.holder_unit_id.push(s.holder_unit_id);
        self.holder_path.push(paths.holder);
        self.accept_deadline.push(s.accept_deadline);
        self.finish_deadline.push(s.finish_deadline);
        self.finish_unit.push(s.finish_unit);
        self.due_at.push(s.due_at);
        self.warn_at.push(s.warn_at);
        self.deadline_state.push(s.deadline_state);
        self.ever_overdue.push(s.ever_overdue);
        self.extension_pending.push(s.extension_pending);
        self.pending_extension_days.push(s.pending_extension_days);
        self.verification_passed.push(s.verification_passed);
        self.last_rating.push(s.last_rating);
        self.rating.push(s.rating);
        self.accepted_at.push(s.accepted_at);
        self.resolved_at.push(s.resolved_at);
        self.closed_at.push(s.closed_at);
        self.archived_at.push(s.archived_at);
        self.outcome.push(s.outcome);
        self.supervision_level.push(s.supervision_level);
        self.master_case_id.push(s.master_case_id);
        self.reopen_count.push(s.reopen_count);
        self.ever_supervised.push(s.ever_supervised);
        self.on_time.push(s.on_time);
        self.accept_minutes.push(s.accept_minutes);
        self.close_minutes.push(s.close_minutes);
        self.created_by.push(n.created_by);
        self.idempotency_key.push(idempotency_key);
        self.created_at.push(n.created_at);
        let updated = n.events.iter().map(|e| e.at).max().unwrap_or(n.created_at);
        self.updated_at.push(updated);
        self.search_terms.push(n.search_terms.clone());
    }

    /// Inserts the batch; returns each tracking number's new id.
    pub(crate) async fn insert(self, conn: &mut PgConnection) -> StoreResult<HashMap<String, i64>> {
        if self.tracking_no.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(case_insert_sql()))
            .bind(self.tracking_no)
            .bind(self.channel)
            .bind(self.category_code)
            .bind(self.urgency)
            .bind(self.complexity)
            .bind(self.title)
            .bind(self.description)
            .bind(self.occurred_at)
            .bind(self.reported_at)
            .bind(self.address)
            .bind(self.org_unit_id)
            .bind(self.org_path)
            .bind(self.lat)
            .bind(self.lng)
            .bind(self.people_involved)
            .bind(self.amount_fen)
            .bind(self.status)
            .bind(self.center_unit_id)
            .bind(self.center_path)
            .bind(self.holder_department_id)
            .bind(self.holder_unit_id)
            .bind(self.holder_path)
            .bind(self.accept_deadline)
            .bind(self.finish_deadline)
            .bind(self.finish_unit)
            .bind(self.due_at)
            .bind(self.warn_at)
            .bind(self.deadline_state)
            .bind(self.ever_overdue)
            .bind(self.extension_pending)
            .bind(self.pending_extension_days)
            .bind(self.verification_passed)
            .bind(self.last_rating)
            .bind(self.rating)
            .bind(self.accepted_at)
            .bind(self.resolved_at)
            .bind(self.closed_at)
            .bind(self.archived_at)
            .bind(self.outcome)
            .bind(self.supervision_level)
            .bind(self.master_case_id)
            .bind(self.reopen_count)
            .bind(self.ever_supervised)
            .bind(self.on_time)
            .bind(self.accept_minutes)
            .bind(self.close_minutes)
            .bind(self.created_by)
            .bind(self.idempotency_key)
            .bind(self.created_at)
            .bind(self.updated_at)
            .bind(self.search_terms)
            .fetch_all(&mut *conn)
            .await
            .map_err(case_db)?;
        Ok(rows.into_iter().map(|(id, no)| (no, id)).collect())
    }
}
