//! The audit log: standalone appends, filtered listing and chain reads.

use sqlx::sqlite::SqlitePool;
use sqlx::{QueryBuilder, Sqlite};
use zongzhi_core::audit::{AuditEntry, NewAuditEntry};
use zongzhi_store::{AuditFilter, Page, StoreResult, page_limit};

use crate::rows::{AuditRow, all};
use crate::util::{append_in_tx, begin_write, db, empty, page, ts};

const COLS: &str = "SELECT seq, at, actor_id, actor_username, action, target_type, target_id, \
                    outcome, ip, detail, prev_hash, hash FROM audit_log WHERE 1 = 1";

/// Appends one row in its own transaction.
pub(crate) async fn append(pool: &SqlitePool, entry: NewAuditEntry) -> StoreResult<AuditEntry> {
    let mut tx = begin_write(pool).await?;
    let sealed = append_in_tx(&mut tx, entry).await?;
    tx.commit().await.map_err(db)?;
    Ok(sealed)
}

fn push_filter(qb: &mut QueryBuilder<Sqlite>, f: &AuditFilter) {
    if let Some(actor) = &f.actor {
        qb.push(" AND actor_username = ").push_bind(actor.clone());
    }
    if let Some(prefix) = &f.action_prefix {
        let n = i64::try_from(prefix.chars().count()).unwrap_or(i64::MAX);
        qb.push(" AND substr(action, 1, ").push_bind(n);
        qb.push(") = ").push_bind(prefix.clone());
    }
    if let Some(outcome) = f.outcome {
        qb.push(" AND outcome = ").push_bind(outcome.as_str());
    }
    if let Some(from) = f.from {
        qb.push(" AND at >= ").push_bind(ts(from));
    }
    if let Some(to) = f.to {
        qb.push(" AND at < ").push_bind(ts(to));
    }
}

/// Rows matching `f`, newest first.
pub(crate) async fn list(pool: &SqlitePool, f: &AuditFilter) -> StoreResult<Page<AuditEntry>> {
    let cursor = match f.cursor.as_deref().map(str::parse::<i64>) {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(_)) => return Ok(empty()),
    };
    let limit = page_limit(f.limit);
    let mut qb = QueryBuilder::<Sqlite>::new(COLS);
    push_filter(&mut qb, f);
    if let Some(c) = cursor {
        qb.push(" AND seq < ").push_bind(c);
    }
    qb.push(" ORDER BY seq DESC LIMIT ").push_bind(limit + 1);
    let rows: Vec<AuditRow> = qb.build_query_as().fetch_all(pool).await.map_err(db)?;
    let items = all(rows, AuditRow::into_model)?;
    Ok(page(items, limit, |e| e.seq.to_string()))
}

/// How many rows match `f`.
pub(crate) async fn count(pool: &SqlitePool, f: &AuditFilter) -> StoreResult<i64> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM audit_log WHERE 1 = 1");
    push_filter(&mut qb, f);
    qb.build_query_scalar().fetch_one(pool).await.map_err(db)
}

/// Rows after `after`, oldest first.
pub(crate) async fn chain(
    pool: &SqlitePool,
    after: i64,
    limit: i64,
) -> StoreResult<Vec<AuditEntry>> {
    let mut qb = QueryBuilder::<Sqlite>::new(COLS);
    qb.push(" AND seq > ").push_bind(after);
    qb.push(" ORDER BY seq LIMIT ").push_bind(limit.max(0));
    let rows: Vec<AuditRow> = qb.build_query_as().fetch_all(pool).await.map_err(db)?;
    all(rows, AuditRow::into_model)
}
