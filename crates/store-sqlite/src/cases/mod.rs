//! Cases: creation, events, reads, lists and bulk import.
//!
//! Visibility is one SQL condition ([`push_visible`]) added to every read and write: a
//! department handler sees the cases in `case_departments` for their department; everyone
//! else sees a case whose location, responsible center or holding center path lies in the
//! scope's `[lo, hi)` range, written as plain range comparisons so each path index can
//! serve it.

mod create;
mod import;
mod list;
mod read;
mod refs;
pub(crate) mod rows;
mod write;

pub(crate) use create::create;
pub(crate) use import::import;
pub(crate) use list::{count, list, points};
pub(crate) use read::{deadline_candidates, get, hash_in_use, parties};
pub(crate) use write::{add_attachments, apply};

use std::collections::HashMap;

use sqlx::sqlite::SqliteConnection;
use sqlx::{QueryBuilder, Sqlite};
use zongzhi_core::case::CaseId;
use zongzhi_core::role::Scope;
use zongzhi_store::{Case, StoreError, StoreResult};

use crate::util::{db, range};
use rows::{CaseRow, case_cols, case_from};

/// Pushes ` AND <the case c is visible to scope>`.
pub(crate) fn push_visible(qb: &mut QueryBuilder<Sqlite>, scope: &Scope) {
    if let Some(dept) = scope.department_id {
        qb.push(" AND c.id IN (SELECT case_id FROM case_departments WHERE department_id = ")
            .push_bind(dept)
            .push(")");
        return;
    }
    let (lo, hi) = range(scope);
    // Every path starts with `/`: the root scope needs no condition, and leaving it out
    // lets the planner walk the primary key in list order.
    if lo == "/" {
        return;
    }
    qb.push(" AND (");
    for (i, col) in ["c.org_path", "c.center_path", "c.holder_path"]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            qb.push(" OR ");
        }
        qb.push(format!("({col} >= "))
            .push_bind(lo.clone())
            .push(format!(" AND {col} < "))
            .push_bind(hi.clone())
            .push(")");
    }
    qb.push(")");
}

/// The bits of a visible case a write needs, or `NotFound`.
pub(crate) struct Current {
    /// Version.
    pub(crate) version: i64,
    /// Status as stored.
    pub(crate) status: String,
    /// Master case.
    pub(crate) master_case_id: Option<CaseId>,
}

/// Reads [`Current`] for case `id` if `scope` (when given) may see it.
pub(crate) async fn current(
    conn: &mut SqliteConnection,
    scope: Option<&Scope>,
    id: CaseId,
) -> StoreResult<Current> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT c.version, c.status, c.master_case_id FROM cases c WHERE c.id = ",
    );
    qb.push_bind(id);
    if let Some(scope) = scope {
        push_visible(&mut qb, scope);
    }
    let row: Option<(i64, String, Option<i64>)> = qb
        .build_query_as()
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    let (version, status, master_case_id) = row.ok_or(StoreError::NotFound)?;
    Ok(Current {
        version,
        status,
        master_case_id,
    })
}

/// The cases with these ids (no scope check), in the order of `ids`; missing ids are
/// skipped.
pub(crate) async fn fetch_many(
    conn: &mut SqliteConnection,
    ids: &[CaseId],
) -> StoreResult<Vec<Case>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut qb = QueryBuilder::<Sqlite>::new(concat!("SELECT ", case_cols!(), case_from!()));
    qb.push(" WHERE c.id IN (");
    push_ids(&mut qb, ids);
    qb.push(")");
    let rows: Vec<CaseRow> = qb
        .build_query_as()
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT case_id, department_id FROM case_departments \
         WHERE active AND NOT lead AND case_id IN (",
    );
    push_ids(&mut qb, ids);
    qb.push(") ORDER BY case_id, department_id");
    let co: Vec<(i64, i64)> = qb
        .build_query_as()
        .fetch_all(&mut *conn)
        .await
        .map_err(db)?;
    let mut co_by_case: HashMap<i64, Vec<i64>> = HashMap::new();
    for (case_id, dept) in co {
        co_by_case.entry(case_id).or_default().push(dept);
    }
    let mut by_id: HashMap<i64, CaseRow> = rows.into_iter().map(|r| (r.id, r)).collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(row) = by_id.remove(id) {
            out.push(row.into_model(co_by_case.remove(id).unwrap_or_default())?);
        }
    }
    Ok(out)
}

/// One case by id (no scope check), or `NotFound`.
pub(crate) async fn fetch_one(conn: &mut SqliteConnection, id: CaseId) -> StoreResult<Case> {
    fetch_many(conn, &[id])
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

fn push_ids(qb: &mut QueryBuilder<Sqlite>, ids: &[CaseId]) {
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
}
