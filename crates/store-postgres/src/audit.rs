//! The hash-chained audit log.

use async_trait::async_trait;
use chrono::Utc;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use zongzhi_core::audit::{AuditEntry, NewAuditEntry};
use zongzhi_store::{AuditFilter, AuditStore, Page, StoreResult, page_limit};

use crate::PgStore;
use crate::error::db;
use crate::query::{IdCursor, empty_page, finish_page, id_cursor, push_limit};
use crate::rows::{AUDIT_COLS, AuditRow, convert};

/// Appends `entry` as the next row of the chain, inside the caller's transaction.
///
/// Locks the `audit_head` row until the transaction ends, so appends from every
/// connection (and every app instance) are numbered and chained one after another.
pub(crate) async fn append(
    conn: &mut PgConnection,
    entry: NewAuditEntry,
) -> StoreResult<AuditEntry> {
    let (last_seq, last_hash): (i64, String) =
        sqlx::query_as("SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE")
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
    let e = entry.seal(last_seq + 1, Utc::now(), &last_hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor_username, action, target_type, \
         target_id, outcome, ip, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(e.seq)
    .bind(e.at)
    .bind(e.actor_id)
    .bind(&e.actor_username)
    .bind(&e.action)
    .bind(&e.target_type)
    .bind(&e.target_id)
    .bind(e.outcome.as_str())
    .bind(&e.ip)
    .bind(&e.detail)
    .bind(&e.prev_hash)
    .bind(&e.hash)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    sqlx::query("UPDATE audit_head SET last_seq = $1, last_hash = $2 WHERE id = 1")
        .bind(e.seq)
        .bind(&e.hash)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(e)
}

/// Fills in the target id of an audit row the caller left without one: the id of a newly
/// created thing (which the caller could not know in advance) or a setting's key. A target
/// id set by the caller is kept.
pub(crate) fn default_target(mut audit: NewAuditEntry, id: impl ToString) -> NewAuditEntry {
    if audit.target_id.is_none() {
        audit.target_id = Some(id.to_string());
    }
    audit
}

/// Pushes ` WHERE …` for `filter` (cursor excluded).
fn push_filter(qb: &mut QueryBuilder<Postgres>, filter: &AuditFilter) {
    qb.push(" WHERE TRUE");
    if let Some(actor) = &filter.actor {
        qb.push(" AND actor_username = ").push_bind(actor.clone());
    }
    if let Some(prefix) = &filter.action_prefix {
        qb.push(" AND starts_with(action, ")
            .push_bind(prefix.clone())
            .push(")");
    }
    if let Some(outcome) = filter.outcome {
        qb.push(" AND outcome = ").push_bind(outcome.as_str());
    }
    if let Some(from) = filter.from {
        qb.push(" AND at >= ").push_bind(from);
    }
    if let Some(to) = filter.to {
        qb.push(" AND at < ").push_bind(to);
    }
}

#[async_trait]
impl AuditStore for PgStore {
    async fn append_audit(&self, entry: NewAuditEntry) -> StoreResult<AuditEntry> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let e = append(&mut tx, entry).await?;
        tx.commit().await.map_err(db)?;
        Ok(e)
    }

    async fn list_audit(&self, filter: &AuditFilter) -> StoreResult<Page<AuditEntry>> {
        let limit = page_limit(filter.limit);
        let cursor = match id_cursor(filter.cursor.as_deref()) {
            IdCursor::Start => None,
            IdCursor::After(c) => Some(c),
            IdCursor::Invalid => return Ok(empty_page()),
        };
        let mut qb = QueryBuilder::new(format!("SELECT {AUDIT_COLS} FROM audit_log"));
        push_filter(&mut qb, filter);
        if let Some(c) = cursor {
            qb.push(" AND seq < ").push_bind(c);
        }
        qb.push(" ORDER BY seq DESC");
        push_limit(&mut qb, limit);
        let rows: Vec<AuditRow> = qb
            .build_query_as()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let items = convert(rows, AuditRow::into_model)?;
        Ok(finish_page(items, limit, |e| e.seq.to_string()))
    }

    async fn count_audit(&self, filter: &AuditFilter) -> StoreResult<i64> {
        let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM audit_log");
        push_filter(&mut qb, filter);
        qb.build_query_scalar()
            .fetch_one(&self.pool)
            .await
            .map_err(db)
    }

    async fn audit_chain(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {AUDIT_COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
        )))
        .bind(after)
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        convert(rows, AuditRow::into_model)
    }
}
