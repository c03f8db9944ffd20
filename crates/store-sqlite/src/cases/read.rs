//! Reading one case with everything its page shows, and the deadline job's candidates.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqlitePool;
use sqlx::{FromRow as _, Row as _};
use sqlx::{QueryBuilder, Sqlite};
use zongzhi_core::case::{CaseId, CaseStatus};
use zongzhi_core::role::Scope;
use zongzhi_store::{CaseDetail, DeadlineCandidate, Party, StoreError, StoreResult};

use super::rows::{AttachmentRow, CaseRefRow, EventRow, PartyRow};
use super::{fetch_many, fetch_one, push_visible};
use crate::rows::all;
use crate::util::{db, ts};

/// Ids per `IN (…)` list: far below SQLite's parameter limit.
const PARTY_CHUNK: usize = 500;

/// The parties of those of `ids` that `scope` may see, by case, in registration order.
pub(crate) async fn parties(
    pool: &SqlitePool,
    scope: &Scope,
    ids: &[CaseId],
) -> StoreResult<HashMap<CaseId, Vec<Party>>> {
    let mut out: HashMap<CaseId, Vec<Party>> = HashMap::new();
    for chunk in ids.chunks(PARTY_CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new(
            "SELECT p.case_id, p.id, p.role, p.name, p.id_card_enc, p.id_card_masked, \
             p.phone_enc, p.phone_masked FROM case_parties p JOIN cases c ON c.id = p.case_id \
             WHERE p.case_id IN (",
        );
        let mut sep = qb.separated(", ");
        for id in chunk {
            sep.push_bind(*id);
        }
        qb.push(")");
        push_visible(&mut qb, scope);
        qb.push(" ORDER BY p.case_id, p.id");
        let rows: Vec<(CaseId, PartyRow)> = qb
            .build()
            .fetch_all(pool)
            .await
            .map_err(db)?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get(0).map_err(db)?,
                    PartyRow::from_row(r).map_err(db)?,
                ))
            })
            .collect::<StoreResult<_>>()?;
        for (case_id, row) in rows {
            out.entry(case_id).or_default().push(row.into_model()?);
        }
    }
    Ok(out)
}

/// One case `scope` may see, with parties, attachments, events, co-handlers, master and
/// merged duplicates. Read in one transaction so the parts agree.
pub(crate) async fn get(pool: &SqlitePool, scope: &Scope, id: CaseId) -> StoreResult<CaseDetail> {
    let mut tx = pool.begin().await.map_err(db)?;
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT c.id FROM cases c WHERE c.id = ");
    qb.push_bind(id);
    push_visible(&mut qb, scope);
    let seen: Option<i64> = qb
        .build_query_scalar()
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
    if seen.is_none() {
        return Err(StoreError::NotFound);
    }
    let case = fetch_one(&mut tx, id).await?;
    let parties: Vec<PartyRow> = sqlx::query_as(
        "SELECT id, role, name, id_card_enc, id_card_masked, phone_enc, phone_masked \
         FROM case_parties WHERE case_id = ? ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let attachments: Vec<AttachmentRow> = sqlx::query_as(
        "SELECT id, content_hash, file_name, content_type, size_bytes, uploaded_by, \
         uploaded_at FROM case_attachments WHERE case_id = ? ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let events: Vec<EventRow> = sqlx::query_as(
        "SELECT e.seq, e.actor_id, a.display_name AS actor_name, e.at, e.from_status, \
         e.to_status, e.kind, e.note, e.payload FROM case_events e \
         LEFT JOIN accounts a ON a.id = e.actor_id WHERE e.case_id = ? ORDER BY e.seq",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let co_handlers: Vec<(i64, String)> = sqlx::query_as(
        "SELECT d.id, d.name FROM case_departments cd JOIN departments d \
         ON d.id = cd.department_id WHERE cd.case_id = ? AND cd.active AND NOT cd.lead \
         ORDER BY d.id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    // The master is read whatever the scope: whoever sees the duplicate follows it.
    let master = match case.state.master_case_id {
        Some(m) => {
            let row: Option<CaseRefRow> =
                sqlx::query_as("SELECT id, tracking_no, title, status FROM cases WHERE id = ?")
                    .bind(m)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db)?;
            row.map(CaseRefRow::into_model).transpose()?
        }
        None => None,
    };
    let merged: Vec<CaseRefRow> = sqlx::query_as(
        "SELECT id, tracking_no, title, status FROM cases WHERE master_case_id = ? ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(CaseDetail {
        case,
        parties: all(parties, PartyRow::into_model)?,
        attachments: all(attachments, AttachmentRow::into_model)?,
        events: all(events, EventRow::into_model)?,
        co_handlers,
        master,
        merged: all(merged, CaseRefRow::into_model)?,
    })
}

/// Whether any attachment row references `hash`.
pub(crate) async fn hash_in_use(pool: &SqlitePool, hash: &str) -> StoreResult<bool> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM case_attachments WHERE content_hash = ? LIMIT 1")
            .bind(hash)
            .fetch_optional(pool)
            .await
            .map_err(db)?;
    Ok(found.is_some())
}

/// Open cases with a deadline mark due at `now`, soonest due first.
pub(crate) async fn deadline_candidates(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<DeadlineCandidate>> {
    let now = ts(now);
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM cases WHERE due_at IS NOT NULL AND status IN (?, ?) \
         AND ((deadline_state <> 'overdue' AND due_at < ?) \
         OR (deadline_state = 'normal' AND warn_at <= ?)) \
         ORDER BY due_at, id LIMIT ?",
    )
    .bind(CaseStatus::Assigned.as_str())
    .bind(CaseStatus::InProgress.as_str())
    .bind(&now)
    .bind(&now)
    .bind(limit.max(0))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let mut conn = pool.acquire().await.map_err(db)?;
    let cases = fetch_many(&mut conn, &ids).await?;
    Ok(cases
        .into_iter()
        .map(|c| DeadlineCandidate {
            case_id: c.id,
            version: c.version,
            state: c.state,
        })
        .collect())
}
