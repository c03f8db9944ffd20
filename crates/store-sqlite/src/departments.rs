//! Departments, scoped through their unit's path.

use sqlx::sqlite::SqlitePool;
use sqlx::{QueryBuilder, Sqlite, SqliteExecutor};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::org::DepartmentId;
use zongzhi_core::role::Scope;
use zongzhi_store::{
    Department, DepartmentFilter, DepartmentPatch, NewDepartment, Page, StoreError, StoreResult,
    page_limit,
};

use crate::org_units;
use crate::rows::{DepartmentRow, all, dept_cols};
use crate::util::{
    Under, append_in_tx, begin_write, contains_pattern, db, empty, now_ts, page, push_scope, range,
    resolve_under, unique_or,
};

/// One department whose unit is inside `scope`, or `NotFound`.
pub(crate) async fn fetch<'e>(
    ex: impl SqliteExecutor<'e>,
    scope: &Scope,
    id: DepartmentId,
) -> StoreResult<Department> {
    let (lo, hi) = range(scope);
    let row: Option<DepartmentRow> = sqlx::query_as(concat!(
        "SELECT ",
        dept_cols!(),
        " FROM departments d JOIN org_units o ON o.id = d.org_unit_id \
         WHERE d.id = ? AND o.path >= ? AND o.path < ?"
    ))
    .bind(id)
    .bind(lo)
    .bind(hi)
    .fetch_optional(ex)
    .await
    .map_err(db)?;
    row.ok_or(StoreError::NotFound)?.into_model()
}

/// Whether a department's unit is inside `scope`.
pub(crate) async fn in_scope<'e>(
    ex: impl SqliteExecutor<'e>,
    scope: &Scope,
    id: DepartmentId,
) -> StoreResult<bool> {
    let (lo, hi) = range(scope);
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT d.id FROM departments d JOIN org_units o ON o.id = d.org_unit_id \
         WHERE d.id = ? AND o.path >= ? AND o.path < ?",
    )
    .bind(id)
    .bind(lo)
    .bind(hi)
    .fetch_optional(ex)
    .await
    .map_err(db)?;
    Ok(found.is_some())
}

/// Creates a department on a unit inside `scope`.
pub(crate) async fn create(
    pool: &SqlitePool,
    scope: &Scope,
    new: NewDepartment,
    mut audit: NewAuditEntry,
) -> StoreResult<Department> {
    let mut tx = begin_write(pool).await?;
    if !org_units::in_scope(&mut *tx, scope, new.org_unit_id).await? {
        return Err(StoreError::InvalidReference("org_unit"));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO departments (org_unit_id, name, kind, active, created_at) \
         VALUES (?, ?, ?, 1, ?) RETURNING id",
    )
    .bind(new.org_unit_id)
    .bind(new.name.as_str())
    .bind(new.kind.as_str())
    .bind(now_ts())
    .fetch_one(&mut *tx)
    .await
    .map_err(unique_or("department_name_taken"))?;
    if audit.target_id.is_none() {
        audit.target_id = Some(id.to_string());
    }
    append_in_tx(&mut tx, audit).await?;
    let dept = fetch(&mut *tx, scope, id).await?;
    tx.commit().await.map_err(db)?;
    Ok(dept)
}

/// Edits a department inside `scope`.
pub(crate) async fn update(
    pool: &SqlitePool,
    scope: &Scope,
    id: DepartmentId,
    patch: DepartmentPatch,
    audit: NewAuditEntry,
) -> StoreResult<Department> {
    let mut tx = begin_write(pool).await?;
    let cur = fetch(&mut *tx, scope, id).await?;
    let name = patch.name.map_or(cur.name, |n| n.as_str().to_owned());
    let kind = patch.kind.unwrap_or(cur.kind);
    let active = patch.active.unwrap_or(cur.active);
    sqlx::query("UPDATE departments SET name = ?, kind = ?, active = ? WHERE id = ?")
        .bind(name)
        .bind(kind.as_str())
        .bind(active)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(unique_or("department_name_taken"))?;
    append_in_tx(&mut tx, audit).await?;
    let dept = fetch(&mut *tx, scope, id).await?;
    tx.commit().await.map_err(db)?;
    Ok(dept)
}

fn push_filter(qb: &mut QueryBuilder<Sqlite>, scope: &Scope, under: &Under, f: &DepartmentFilter) {
    push_scope(qb, scope, under);
    if let Some(uid) = f.org_unit_id {
        qb.push(" AND d.org_unit_id = ").push_bind(uid);
    }
    if let Some(q) = &f.q {
        qb.push(" AND d.name LIKE ").push_bind(contains_pattern(q));
        qb.push(" ESCAPE '\\'");
    }
}

/// Departments inside `scope` matching `f`, by id.
pub(crate) async fn list(
    pool: &SqlitePool,
    scope: &Scope,
    f: &DepartmentFilter,
) -> StoreResult<Page<Department>> {
    let under = resolve_under(pool, scope, f.under).await?;
    let cursor = match f.cursor.as_deref().map(str::parse::<i64>) {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(_)) => return Ok(empty()),
    };
    if matches!(under, Under::Nothing) {
        return Ok(empty());
    }
    let limit = page_limit(f.limit);
    let mut qb = QueryBuilder::<Sqlite>::new(concat!(
        "SELECT ",
        dept_cols!(),
        " FROM departments d JOIN org_units o ON o.id = d.org_unit_id WHERE 1 = 1"
    ));
    push_filter(&mut qb, scope, &under, f);
    if let Some(c) = cursor {
        qb.push(" AND d.id > ").push_bind(c);
    }
    qb.push(" ORDER BY d.id LIMIT ").push_bind(limit + 1);
    let rows: Vec<DepartmentRow> = qb.build_query_as().fetch_all(pool).await.map_err(db)?;
    let items = all(rows, DepartmentRow::into_model)?;
    Ok(page(items, limit, |d| d.id.to_string()))
}

/// How many departments inside `scope` match `f`.
pub(crate) async fn count(
    pool: &SqlitePool,
    scope: &Scope,
    f: &DepartmentFilter,
) -> StoreResult<i64> {
    let under = resolve_under(pool, scope, f.under).await?;
    if matches!(under, Under::Nothing) {
        return Ok(0);
    }
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT COUNT(*) FROM departments d JOIN org_units o ON o.id = d.org_unit_id WHERE 1 = 1",
    );
    push_filter(&mut qb, scope, &under, f);
    qb.build_query_scalar().fetch_one(pool).await.map_err(db)
}
