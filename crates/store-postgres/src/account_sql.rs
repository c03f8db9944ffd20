//! Account queries shared by the [`zongzhi_store::AccountStore`] implementation.

use sqlx::{PgConnection, Postgres, QueryBuilder};
use zongzhi_core::account::AccountId;
use zongzhi_core::org::DepartmentId;
use zongzhi_core::role::Scope;
use zongzhi_store::{Account, AccountFilter, StoreError, StoreResult};

use crate::error::db;
use crate::query::{like_pattern, push_scope, push_under};
use crate::rows::{ACCOUNT_SELECT, AccountRow};

/// An account by id, inside `scope` if one is given.
pub(crate) async fn account(
    conn: &mut PgConnection,
    scope: Option<&Scope>,
    id: AccountId,
) -> StoreResult<Account> {
    let mut qb = QueryBuilder::new(ACCOUNT_SELECT);
    qb.push(" WHERE a.id = ").push_bind(id);
    if let Some(scope) = scope {
        push_scope(&mut qb, "o.path", scope);
    }
    let row: Option<AccountRow> = qb.build_query_as().fetch_optional(conn).await.map_err(db)?;
    row.ok_or(StoreError::NotFound)?.into_model()
}

/// Whether department `id` exists on a unit inside `scope`.
pub(crate) async fn department_in_scope(
    conn: &mut PgConnection,
    scope: &Scope,
    id: DepartmentId,
) -> StoreResult<bool> {
    let mut qb = QueryBuilder::new(
        "SELECT d.id FROM departments d JOIN org_units o ON o.id = d.org_unit_id WHERE d.id = ",
    );
    qb.push_bind(id);
    push_scope(&mut qb, "o.path", scope);
    let found: Option<i64> = qb
        .build_query_scalar()
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    Ok(found.is_some())
}

/// Locks account `id` for the rest of the transaction if it is inside `scope`.
pub(crate) async fn lock_in_scope(
    conn: &mut PgConnection,
    scope: &Scope,
    id: AccountId,
) -> StoreResult<()> {
    let mut qb = QueryBuilder::new(
        "SELECT a.id FROM accounts a JOIN org_units o ON o.id = a.org_unit_id WHERE a.id = ",
    );
    qb.push_bind(id);
    push_scope(&mut qb, "o.path", scope);
    qb.push(" FOR NO KEY UPDATE OF a");
    let found: Option<i64> = qb
        .build_query_scalar()
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}

/// Ends every session of an account.
pub(crate) async fn end_sessions(conn: &mut PgConnection, id: AccountId) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(id)
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// Runs an `UPDATE accounts … WHERE id = $1 RETURNING id` with `id` bound first; a
/// missing account is [`StoreError::NotFound`].
pub(crate) async fn update_by_id<'q>(
    conn: &mut PgConnection,
    sql: &'static str,
    id: AccountId,
    bind: impl FnOnce(
        sqlx::query::QueryScalar<'q, Postgres, i64, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::QueryScalar<'q, Postgres, i64, sqlx::postgres::PgArguments>,
) -> StoreResult<()> {
    let q = bind(sqlx::query_scalar(sql).bind(id));
    let found: Option<i64> = q.fetch_optional(conn).await.map_err(db)?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}

/// Pushes ` WHERE …` for listing or counting accounts (cursor excluded).
pub(crate) fn push_filter(qb: &mut QueryBuilder<Postgres>, scope: &Scope, f: &AccountFilter) {
    qb.push(" WHERE TRUE");
    push_scope(qb, "o.path", scope);
    if let Some(under) = f.under {
        push_under(qb, "o.path", scope, under);
    }
    if let Some(role) = f.role {
        qb.push(" AND ")
            .push_bind(role.as_str())
            .push(" = ANY(string_to_array(a.roles, ','))");
    }
    if let Some(status) = f.status {
        qb.push(" AND a.status = ").push_bind(status.as_str());
    }
    if let Some(q) = &f.q {
        let p = like_pattern(q);
        qb.push(" AND (a.username ILIKE ")
            .push_bind(p.clone())
            .push(" ESCAPE '\\' OR a.display_name ILIKE ")
            .push_bind(p)
            .push(" ESCAPE '\\')");
    }
    if let Some(idx) = &f.phone_index {
        qb.push(" AND a.phone_index = ").push_bind(idx.clone());
    }
}
