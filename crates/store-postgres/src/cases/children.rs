//! Multi-row inserts of a case's children (events, parties, attachments, department
//! links) through `UNNEST`, one statement per table for a whole batch.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use zongzhi_core::case::{CaseId, CaseState};
use zongzhi_store::{NewAttachment, NewCaseEvent, NewParty, StoreResult};

use super::case_db;

/// The department links of a state: the lead, then its co-handlers (each once).
pub(crate) fn department_links(s: &CaseState) -> Vec<(i64, bool)> {
    let mut out: Vec<(i64, bool)> = Vec::new();
    if let Some(lead) = s.holder_department_id() {
        out.push((lead, true));
        for &co in s.co_handler_ids() {
            if !out.iter().any(|(d, _)| *d == co) {
                out.push((co, false));
            }
        }
    }
    out
}

/// Events to append.
#[derive(Default)]
pub(crate) struct EventBatch {
    case_id: Vec<i64>,
    seq: Vec<i64>,
    actor_id: Vec<Option<i64>>,
    at: Vec<DateTime<Utc>>,
    from_status: Vec<&'static str>,
    to_status: Vec<&'static str>,
    kind: Vec<String>,
    note: Vec<Option<String>>,
    payload: Vec<serde_json::Value>,
}

impl EventBatch {
    /// Adds `events` to case `case_id`, numbered from `first_seq`.
    pub(crate) fn push_all(&mut self, case_id: CaseId, first_seq: i64, events: &[NewCaseEvent]) {
        for (seq, e) in (first_seq..).zip(events) {
            self.case_id.push(case_id);
            self.seq.push(seq);
            self.actor_id.push(e.actor_id);
            self.at.push(e.at);
            self.from_status.push(e.from_status.as_str());
            self.to_status.push(e.to_status.as_str());
            self.kind.push(e.kind.clone());
            self.note.push(e.note.clone());
            self.payload.push(e.payload.clone());
        }
    }

    /// Inserts the batch.
    pub(crate) async fn insert(self, conn: &mut PgConnection) -> StoreResult<()> {
        if self.case_id.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO case_events (case_id, seq, actor_id, at, from_status, to_status, \
             kind, note, payload) \
             SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::int8[], $4::timestamptz[], \
             $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[])",
        )
        .bind(self.case_id)
        .bind(self.seq)
        .bind(self.actor_id)
        .bind(self.at)
        .bind(self.from_status)
        .bind(self.to_status)
        .bind(self.kind)
        .bind(self.note)
        .bind(self.payload)
        .execute(&mut *conn)
        .await
        .map_err(case_db)?;
        Ok(())
    }
}

/// Parties to insert.
#[derive(Default)]
pub(crate) struct PartyBatch {
    case_id: Vec<i64>,
    role: Vec<&'static str>,
    name: Vec<String>,
    id_card: [Vec<Option<String>>; 3],
    phone: [Vec<Option<String>>; 3],
}

/// Pushes (encrypted, index, masked) of an optional triple onto three columns.
fn push_triple(cols: &mut [Vec<Option<String>>; 3], v: Option<&(String, String, String)>) {
    let [a, b, c] = cols;
    a.push(v.map(|t| t.0.clone()));
    b.push(v.map(|t| t.1.clone()));
    c.push(v.map(|t| t.2.clone()));
}

impl PartyBatch {
    /// Adds the parties of case `case_id`, in order.
    pub(crate) fn push_all(&mut self, case_id: CaseId, parties: &[NewParty]) {
        for p in parties {
            self.case_id.push(case_id);
            self.role.push(p.role.as_str());
            self.name.push(p.name.clone());
            push_triple(&mut self.id_card, p.id_card.as_ref());
            push_triple(&mut self.phone, p.phone.as_ref());
        }
    }

    /// Inserts the batch (ids in batch order).
    pub(crate) async fn insert(self, conn: &mut PgConnection) -> StoreResult<()> {
        if self.case_id.is_empty() {
            return Ok(());
        }
        let [ie, ii, im] = self.id_card;
        let [pe, pi, pm] = self.phone;
        sqlx::query(
            "INSERT INTO case_parties (case_id, role, name, id_card_enc, id_card_index, \
             id_card_masked, phone_enc, phone_index, phone_masked) \
             SELECT t.c, t.r, t.n, t.ie, t.ii, t.im, t.pe, t.pi, t.pm FROM UNNEST($1::int8[], \
             $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], \
             $8::text[], $9::text[]) WITH ORDINALITY AS t(c, r, n, ie, ii, im, pe, pi, pm, ord) \
             ORDER BY t.ord",
        )
        .bind(self.case_id)
        .bind(self.role)
        .bind(self.name)
        .bind(ie)
        .bind(ii)
        .bind(im)
        .bind(pe)
        .bind(pi)
        .bind(pm)
        .execute(&mut *conn)
        .await
        .map_err(case_db)?;
        Ok(())
    }
}

/// Attachments to insert.
#[derive(Default)]
pub(crate) struct AttachmentBatch {
    case_id: Vec<i64>,
    content_hash: Vec<String>,
    file_name: Vec<String>,
    content_type: Vec<String>,
    size_bytes: Vec<i64>,
    uploaded_by: Vec<Option<i64>>,
    uploaded_at: Vec<DateTime<Utc>>,
}

impl AttachmentBatch {
    /// Adds the files of case `case_id`, in order.
    pub(crate) fn push_all(
        &mut self,
        case_id: CaseId,
        files: &[NewAttachment],
        by: Option<i64>,
        at: DateTime<Utc>,
    ) {
        for f in files {
            self.case_id.push(case_id);
            self.content_hash.push(f.content_hash.clone());
            self.file_name.push(f.file_name.clone());
            self.content_type.push(f.content_type.clone());
            self.size_bytes.push(f.size_bytes);
            self.uploaded_by.push(by);
            self.uploaded_at.push(at);
        }
    }

    /// Inserts the batch; returns the new ids in batch order.
    pub(crate) async fn insert(self, conn: &mut PgConnection) -> StoreResult<Vec<i64>> {
        if self.case_id.is_empty() {
            return Ok(Vec::new());
        }
        // Ids come from the sequence in insertion (ordinality) order.
        let mut ids: Vec<i64> = sqlx::query_scalar(
            "INSERT INTO case_attachments (case_id, content_hash, file_name, content_type, \
             size_bytes, uploaded_by, uploaded_at) \
             SELECT t.c, t.h, t.f, t.t, t.s, t.b, t.a FROM UNNEST($1::int8[], $2::text[], \
             $3::text[], $4::text[], $5::int8[], $6::int8[], $7::timestamptz[]) \
             WITH ORDINALITY AS t(c, h, f, t, s, b, a, ord) ORDER BY t.ord RETURNING id",
        )
        .bind(self.case_id)
        .bind(self.content_hash)
        .bind(self.file_name)
        .bind(self.content_type)
        .bind(self.size_bytes)
        .bind(self.uploaded_by)
        .bind(self.uploaded_at)
        .fetch_all(&mut *conn)
        .await
        .map_err(case_db)?;
        ids.sort_unstable();
        Ok(ids)
    }
}

/// Department links to upsert (active), lead first.
#[derive(Default)]
pub(crate) struct DeptBatch {
    case_id: Vec<i64>,
    department_id: Vec<i64>,
    lead: Vec<bool>,
}

impl DeptBatch {
    /// Adds the links of `state` for case `case_id`.
    pub(crate) fn push_state(&mut self, case_id: CaseId, state: &CaseState) {
        for (d, lead) in department_links(state) {
            self.case_id.push(case_id);
            self.department_id.push(d);
            self.lead.push(lead);
        }
    }

    /// Upserts the batch: each link active, with its lead flag.
    pub(crate) async fn upsert(self, conn: &mut PgConnection) -> StoreResult<()> {
        if self.case_id.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO case_departments (case_id, department_id, lead, active) \
             SELECT t.c, t.d, t.l, TRUE FROM UNNEST($1::int8[], $2::int8[], $3::bool[]) \
             AS t(c, d, l) \
             ON CONFLICT (case_id, department_id) \
             DO UPDATE SET lead = EXCLUDED.lead, active = TRUE",
        )
        .bind(self.case_id)
        .bind(self.department_id)
        .bind(self.lead)
        .execute(&mut *conn)
        .await
        .map_err(case_db)?;
        Ok(())
    }
}
