//! One case with everything its page shows.

use std::collections::HashMap;

use sqlx::{FromRow as _, PgPool, Postgres, QueryBuilder, Row as _};
use zongzhi_core::case::CaseId;
use zongzhi_core::role::Scope;
use zongzhi_store::{CaseDetail, Party, StoreResult};

use super::rows::{
    ATTACHMENT_COLS, AttachmentRow, CASE_REF_COLS, CaseRefRow, EventRow, PARTY_COLS, PartyRow,
};
use super::{fetch_case, push_visible};
use crate::error::db;
use crate::rows::convert;

/// [`zongzhi_store::CaseStore::case_parties`]: one query for all of `ids`, scoped in SQL.
pub(crate) async fn case_parties(
    pool: &PgPool,
    scope: &Scope,
    ids: &[CaseId],
) -> StoreResult<HashMap<CaseId, Vec<Party>>> {
    let mut qb = QueryBuilder::<Postgres>::new(
        "SELECT p.case_id, p.id, p.role, p.name, p.id_card_enc, p.id_card_masked, \
         p.phone_enc, p.phone_masked FROM case_parties p JOIN cases c ON c.id = p.case_id \
         WHERE p.case_id = ANY(",
    );
    qb.push_bind(ids.to_vec()).push(")");
    push_visible(&mut qb, scope);
    qb.push(" ORDER BY p.case_id, p.id");
    let rows = qb.build().fetch_all(pool).await.map_err(db)?;
    let mut out: HashMap<CaseId, Vec<Party>> = HashMap::new();
    for r in &rows {
        let case_id: CaseId = r.try_get(0).map_err(db)?;
        let party = PartyRow::from_row(r).map_err(db)?.into_model()?;
        out.entry(case_id).or_default().push(party);
    }
    Ok(out)
}

/// [`zongzhi_store::CaseStore::get_case`].
pub(crate) async fn get_case(pool: &PgPool, scope: &Scope, id: CaseId) -> StoreResult<CaseDetail> {
    // One snapshot for the case and its children.
    let mut tx = pool.begin().await.map_err(db)?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    let case = fetch_case(&mut tx, Some(scope), id).await?;
    let parties: Vec<PartyRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {PARTY_COLS} FROM case_parties WHERE case_id = $1 ORDER BY id"
    )))
    .bind(id)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let attachments: Vec<AttachmentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {ATTACHMENT_COLS} FROM case_attachments WHERE case_id = $1 ORDER BY id"
    )))
    .bind(id)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let events: Vec<EventRow> = sqlx::query_as(
        "SELECT e.seq, e.actor_id, a.display_name AS actor_name, e.at, e.from_status, \
         e.to_status, e.kind, e.note, e.payload \
         FROM case_events e LEFT JOIN accounts a ON a.id = e.actor_id \
         WHERE e.case_id = $1 ORDER BY e.seq",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    let co_handlers: Vec<(i64, String)> = sqlx::query_as(
        "SELECT x.department_id, d.name FROM case_departments x \
         JOIN departments d ON d.id = x.department_id \
         WHERE x.case_id = $1 AND x.active AND NOT x.lead ORDER BY x.department_id",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    // The master is shown whatever the scope: the reporter follows its progress.
    let master = match case.state.master_case_id {
        Some(m) => {
            let row: Option<CaseRefRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {CASE_REF_COLS} FROM cases c WHERE c.id = $1"
            )))
            .bind(m)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
            row.map(CaseRefRow::into_model).transpose()?
        }
        None => None,
    };
    let merged: Vec<CaseRefRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_REF_COLS} FROM cases c WHERE c.master_case_id = $1 ORDER BY c.id"
    )))
    .bind(id)
    .fetch_all(&mut *tx)
    .await
    .map_err(db)?;
    tx.commit().await.map_err(db)?;
    Ok(CaseDetail {
        case,
        parties: convert(parties, PartyRow::into_model)?,
        attachments: attachments
            .into_iter()
            .map(AttachmentRow::into_model)
            .collect(),
        events: convert(events, EventRow::into_model)?,
        co_handlers,
        master,
        merged: convert(merged, CaseRefRow::into_model)?,
    })
}
