//! Event writes: an action or a deadline mark, and attachment uploads.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use sqlx::{QueryBuilder, Sqlite};
use zongzhi_core::account::AccountId;
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::case::{CaseId, CaseStatus};
use zongzhi_core::role::Scope;
use zongzhi_store::{
    Attachment, Case, CaseUpdate, NewAttachment, NewCaseEvent, StoreError, StoreResult,
};

use super::create::{UPDATE_STATE, insert_attachment, insert_events, sync_departments};
use super::refs::check_state;
use super::rows::{StateCols, bind_state, code};
use super::{current, fetch_one, push_visible};
use crate::util::{append_in_tx, begin_write, db, ts};

/// Applies `update` to a case `scope` may see (`None`: the system, unscoped).
pub(crate) async fn apply(
    pool: &SqlitePool,
    scope: Option<&Scope>,
    update: CaseUpdate,
    mut audit: NewAuditEntry,
) -> StoreResult<Case> {
    let Some(last) = update.events.last() else {
        return Err(StoreError::InvalidReference("events"));
    };
    let updated_at = ts(last.at);
    let id = update.case_id;
    let mut tx = begin_write(pool).await?;
    let cur = current(&mut tx, scope, id).await?;
    if cur.version != update.expected_version {
        return Err(StoreError::Conflict("stale_version"));
    }
    check_state(&mut tx, &update.state, "org_unit_id").await?;
    // The row as it was, for the rollup delta (read inside the write lock).
    let before = fetch_one(&mut tx, id).await?;
    if let Some(master) = update.state.master_case_id
        && cur.master_case_id != Some(master)
    {
        check_master(&mut tx, scope, id, master).await?;
    }
    let state = StateCols::new(&update.state);
    let done = bind_state!(sqlx::query(UPDATE_STATE), &state)
        .bind(&updated_at)
        .bind(id)
        .bind(update.expected_version)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("stale_version"));
    }
    sync_departments(&mut tx, id, &update.state, false).await?;
    let after = max_seq(&mut tx, id).await?;
    insert_events(&mut tx, id, after, &update.events).await?;
    if audit.target_id.is_none() {
        audit.target_id = Some(id.to_string());
    }
    append_in_tx(&mut tx, audit).await?;
    let case = fetch_one(&mut tx, id).await?;
    crate::stats::apply_delta(&mut tx, Some(&before), Some(&case)).await?;
    tx.commit().await.map_err(db)?;
    Ok(case)
}

/// A new master must exist, be visible, not be merged itself and not be the case.
async fn check_master(
    conn: &mut SqliteConnection,
    scope: Option<&Scope>,
    id: CaseId,
    master: CaseId,
) -> StoreResult<()> {
    if master == id {
        return Err(StoreError::InvalidReference("master_case_id"));
    }
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT c.id FROM cases c WHERE c.id = ");
    qb.push_bind(master);
    qb.push(" AND c.master_case_id IS NULL");
    if let Some(scope) = scope {
        push_visible(&mut qb, scope);
    }
    let found: Option<i64> = qb
        .build_query_scalar()
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    if found.is_none() {
        return Err(StoreError::InvalidReference("master_case_id"));
    }
    Ok(())
}

async fn max_seq(conn: &mut SqliteConnection, id: CaseId) -> StoreResult<i64> {
    let max: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM case_events WHERE case_id = ?")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .map_err(db)?;
    Ok(max.unwrap_or(0))
}

/// Adds attachments with one `attachment_added` event each, leaving the version alone.
pub(crate) async fn add_attachments(
    pool: &SqlitePool,
    scope: &Scope,
    case_id: CaseId,
    actor_id: AccountId,
    at: DateTime<Utc>,
    files: Vec<NewAttachment>,
    mut audit: NewAuditEntry,
) -> StoreResult<Vec<Attachment>> {
    let mut tx = begin_write(pool).await?;
    let cur = current(&mut tx, Some(scope), case_id).await?;
    let status = code(&cur.status, "case status", CaseStatus::parse)?;
    let at_text = ts(at);
    let mut out = Vec::with_capacity(files.len());
    let mut events = Vec::with_capacity(files.len());
    for f in files {
        let id = insert_attachment(&mut tx, case_id, &f, Some(actor_id), &at_text).await?;
        events.push(NewCaseEvent {
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
        });
        out.push(Attachment {
            id,
            content_hash: f.content_hash,
            file_name: f.file_name,
            content_type: f.content_type,
            size_bytes: f.size_bytes,
            uploaded_by: Some(actor_id),
            uploaded_at: crate::util::parse_ts(&at_text)?,
        });
    }
    let after = max_seq(&mut tx, case_id).await?;
    insert_events(&mut tx, case_id, after, &events).await?;
    if audit.target_id.is_none() {
        audit.target_id = Some(case_id.to_string());
    }
    append_in_tx(&mut tx, audit).await?;
    tx.commit().await.map_err(db)?;
    Ok(out)
}
