//! Events applied to a case (by a user or the deadline job) and uploads.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool, QueryBuilder};
use zongzhi_core::account::AccountId;
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::case::{CaseId, CaseState};
use zongzhi_core::role::Scope;
use zongzhi_store::{
    Attachment, Case, CaseUpdate, NewAttachment, NewCaseEvent, StoreError, StoreResult,
};

use super::batch::StateCols;
use super::children::{AttachmentBatch, DeptBatch, EventBatch};
use super::rows::{ATTACHMENT_COLS, AttachmentRow, CASE_SELECT, CaseRow};
use super::{case_db, fetch_case, push_visible};
use crate::audit::{append, default_target};
use crate::error::db;
use crate::rollup;

/// Path of org unit `id`, or `missing` as an invalid reference.
async fn unit_path(conn: &mut PgConnection, id: i64, missing: &'static str) -> StoreResult<String> {
    let path: Option<String> = sqlx::query_scalar("SELECT path FROM org_units WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    path.ok_or(StoreError::InvalidReference(missing))
}

/// Checks what a new state references and returns the paths to copy into the case row:
/// (center, holder unit). `case_id` is the case being changed (`None` while creating it),
/// `old_master` its master before the change; the master is checked only when it changes,
/// and must be visible to `scope` (if any), not merged itself and not the case.
pub(crate) async fn check_refs(
    conn: &mut PgConnection,
    scope: Option<&Scope>,
    case_id: Option<CaseId>,
    old_master: Option<CaseId>,
    state: &CaseState,
    center_code: &'static str,
) -> StoreResult<(String, Option<String>)> {
    if let Some(lead) = state.holder_department_id() {
        let found: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM departments WHERE id = $1)")
                .bind(lead)
                .fetch_one(&mut *conn)
                .await
                .map_err(db)?;
        if !found {
            return Err(StoreError::InvalidReference("department_id"));
        }
    }
    let mut co: Vec<i64> = state.co_handler_ids().to_vec();
    co.sort_unstable();
    co.dedup();
    if !co.is_empty() {
        let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM departments WHERE id = ANY($1)")
            .bind(&co)
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
        if usize::try_from(found).ok() != Some(co.len()) {
            return Err(StoreError::InvalidReference("co_handler_ids"));
        }
    }
    let holder_path = match state.holder_unit_id() {
        Some(id) => Some(unit_path(conn, id, "org_unit_id").await?),
        None => None,
    };
    let center_path = unit_path(conn, state.center_unit_id, center_code).await?;
    if let Some(master) = state.master_case_id
        && Some(master) != old_master
    {
        if Some(master) == case_id {
            return Err(StoreError::InvalidReference("master_case_id"));
        }
        // FOR SHARE: the master cannot itself be merged away before this commits.
        let mut qb =
            QueryBuilder::new("SELECT c.master_case_id IS NULL FROM cases c WHERE c.id = ");
        qb.push_bind(master);
        if let Some(scope) = scope {
            push_visible(&mut qb, scope);
        }
        qb.push(" FOR SHARE OF c");
        let unmerged: Option<bool> = qb
            .build_query_scalar()
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
        if unmerged != Some(true) {
            return Err(StoreError::InvalidReference("master_case_id"));
        }
    }
    Ok((center_path, holder_path))
}

/// The next event number of a case. Callers hold the case row's lock, so concurrent
/// writers to the same case number their events one after another.
async fn next_seq(conn: &mut PgConnection, case_id: CaseId) -> StoreResult<i64> {
    let max: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM case_events WHERE case_id = $1")
            .bind(case_id)
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
    Ok(max + 1)
}

/// Appends `events` to a case whose row lock the caller holds.
async fn append_events(
    conn: &mut PgConnection,
    case_id: CaseId,
    events: &[NewCaseEvent],
) -> StoreResult<()> {
    let first = next_seq(conn, case_id).await?;
    let mut batch = EventBatch::default();
    batch.push_all(case_id, first, events);
    batch.insert(conn).await
}

/// [`zongzhi_store::CaseStore::apply_case_event`] (`scope` set) and
/// [`zongzhi_store::CaseStore::apply_system_event`] (`None`).
pub(crate) async fn apply(
    pool: &PgPool,
    scope: Option<&Scope>,
    u: CaseUpdate,
    audit: NewAuditEntry,
) -> StoreResult<Case> {
    let mut tx = pool.begin().await.map_err(db)?;
    // Visibility first, without a lock: the version check below is what serialises writers.
    let mut qb = QueryBuilder::new("SELECT c.master_case_id FROM cases c WHERE c.id = ");
    qb.push_bind(u.case_id);
    if let Some(scope) = scope {
        push_visible(&mut qb, scope);
    }
    let old_master: Option<Option<i64>> = qb
        .build_query_scalar()
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    let old_master = old_master.ok_or(StoreError::NotFound)?;
    let (center_path, holder_path) = check_refs(
        &mut tx,
        scope,
        Some(u.case_id),
        old_master,
        &u.state,
        "org_unit_id",
    )
    .await?;
    // The row as it is, locked: under READ COMMITTED a second writer of the same version
    // blocks here, then re-checks `version` against the committed row and finds nothing.
    // Its rollup contribution is what this write takes away.
    let mut qb = QueryBuilder::new(CASE_SELECT);
    qb.push(" WHERE c.id = ")
        .push_bind(u.case_id)
        .push(" AND c.version = ")
        .push_bind(u.expected_version)
        .push(" FOR UPDATE OF c");
    let old: Option<CaseRow> = qb
        .build_query_as()
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    let old = old
        .ok_or(StoreError::Conflict("stale_version"))?
        .into_model()?;
    let s = StateCols::of(&u.state);
    let updated_at = u.events.iter().map(|e| e.at).max().unwrap_or_else(Utc::now);
    let done = sqlx::query(
        "UPDATE cases SET status = $3, center_unit_id = $4, center_path = $5, \
         holder_department_id = $6, holder_unit_id = $7, holder_path = $8, \
         accept_deadline = $9, finish_deadline = $10, finish_unit = $11, due_at = $12, \
         warn_at = $13, deadline_state = $14, ever_overdue = $15, extension_pending = $16, \
         pending_extension_days = $17, verification_passed = $18, last_rating = $19, \
         rating = $20, accepted_at = $21, resolved_at = $22, closed_at = $23, \
         archived_at = $24, outcome = $25, supervision_level = $26, master_case_id = $27, \
         reopen_count = $28, updated_at = $29, ever_supervised = $30, on_time = $31, \
         accept_minutes = $32, close_minutes = $33, version = version + 1 \
         WHERE id = $1 AND version = $2",
    )
    .bind(u.case_id)
    .bind(u.expected_version)
    .bind(s.status)
    .bind(s.center_unit_id)
    .bind(center_path)
    .bind(s.holder_department_id)
    .bind(s.holder_unit_id)
    .bind(holder_path)
    .bind(s.accept_deadline)
    .bind(s.finish_deadline)
    .bind(s.finish_unit)
    .bind(s.due_at)
    .bind(s.warn_at)
    .bind(s.deadline_state)
    .bind(s.ever_overdue)
    .bind(s.extension_pending)
    .bind(s.pending_extension_days)
    .bind(s.verification_passed)
    .bind(s.last_rating)
    .bind(s.rating)
    .bind(s.accepted_at)
    .bind(s.resolved_at)
    .bind(s.closed_at)
    .bind(s.archived_at)
    .bind(s.outcome)
    .bind(s.supervision_level)
    .bind(s.master_case_id)
    .bind(s.reopen_count)
    .bind(updated_at)
    .bind(s.ever_supervised)
    .bind(s.on_time)
    .bind(s.accept_minutes)
    .bind(s.close_minutes)
    .execute(&mut *tx)
    .await
    .map_err(case_db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict("stale_version"));
    }
    sqlx::query("UPDATE case_departments SET active = FALSE WHERE case_id = $1 AND active")
        .bind(u.case_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    let mut links = DeptBatch::default();
    links.push_state(u.case_id, &u.state);
    links.upsert(&mut tx).await?;
    append_events(&mut tx, u.case_id, &u.events).await?;
    // Unscoped: an escalation may move the case out of the actor's sight, which is not a
    // reason to undo it.
    let case = fetch_case(&mut tx, None, u.case_id).await?;
    rollup::apply_delta(
        &mut tx,
        Some(&rollup::source_of(&old)),
        Some(&rollup::source_of(&case)),
    )
    .await?;
    append(&mut tx, default_target(audit, u.case_id)).await?;
    tx.commit().await.map_err(db)?;
    Ok(case)
}

/// [`zongzhi_store::CaseStore::add_attachments`].
pub(crate) async fn add_attachments(
    pool: &PgPool,
    scope: &Scope,
    case_id: CaseId,
    actor_id: AccountId,
    at: DateTime<Utc>,
    files: Vec<NewAttachment>,
    audit: NewAuditEntry,
) -> StoreResult<Vec<Attachment>> {
    let mut tx = pool.begin().await.map_err(db)?;
    // The row lock (not the version) orders these events with concurrent actions.
    let mut qb = QueryBuilder::new("SELECT c.status FROM cases c WHERE c.id = ");
    qb.push_bind(case_id);
    push_visible(&mut qb, scope);
    qb.push(" FOR UPDATE OF c");
    let status: Option<String> = qb
        .build_query_scalar()
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    let status = status.ok_or(StoreError::NotFound)?;
    let status = super::parse_enum(
        "case status",
        &status,
        zongzhi_core::case::CaseStatus::parse,
    )?;
    let mut batch = AttachmentBatch::default();
    batch.push_all(case_id, &files, Some(actor_id), at);
    let ids = batch.insert(&mut tx).await?;
    let events: Vec<NewCaseEvent> = ids
        .iter()
        .zip(&files)
        .map(|(id, f)| NewCaseEvent {
            actor_id: Some(actor_id),
            at,
            from_status: status,
            to_status: status,
            kind: "attachment_added".to_owned(),
            note: Some(f.file_name.clone()),
            payload: json!({
                "attachment_id": id,
                "file_name": f.file_name,
                "content_hash": f.content_hash,
            }),
        })
        .collect();
    append_events(&mut tx, case_id, &events).await?;
    append(&mut tx, default_target(audit, case_id)).await?;
    let rows: Vec<AttachmentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ATTACHMENT_COLS} FROM case_attachments WHERE id = ANY($1) ORDER BY id"
    )))
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(rows.into_iter().map(AttachmentRow::into_model).collect())
}
