//! Checks that the rows a case state names exist, with the error code of each.

use sqlx::sqlite::SqliteConnection;
use sqlx::{QueryBuilder, Sqlite};
use zongzhi_core::case::CaseState;
use zongzhi_core::org::OrgUnitId;
use zongzhi_store::{StoreError, StoreResult};

use crate::util::db;

/// Whether org unit `id` exists.
pub(crate) async fn unit_exists(conn: &mut SqliteConnection, id: OrgUnitId) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM org_units WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    Ok(found.is_some())
}

/// Checks the lead department, co-handlers, holding unit and center of `state`; a missing
/// center is `InvalidReference(center_code)`.
pub(crate) async fn check_state(
    conn: &mut SqliteConnection,
    state: &CaseState,
    center_code: &'static str,
) -> StoreResult<()> {
    if let Some(lead) = state.holder_department_id() {
        let co = state.co_handler_ids();
        let mut ids: Vec<i64> = std::iter::once(lead).chain(co.iter().copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT id FROM departments WHERE id IN (");
        let mut sep = qb.separated(", ");
        for id in &ids {
            sep.push_bind(*id);
        }
        qb.push(")");
        let found: Vec<i64> = qb
            .build_query_scalar()
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
        if !found.contains(&lead) {
            return Err(StoreError::InvalidReference("department_id"));
        }
        if co.iter().any(|c| !found.contains(c)) {
            return Err(StoreError::InvalidReference("co_handler_ids"));
        }
    }
    if let Some(unit) = state.holder_unit_id()
        && !unit_exists(conn, unit).await?
    {
        return Err(StoreError::InvalidReference("org_unit_id"));
    }
    if !unit_exists(conn, state.center_unit_id).await? {
        return Err(StoreError::InvalidReference(center_code));
    }
    Ok(())
}
