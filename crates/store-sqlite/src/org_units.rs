//! Org units.

use sqlx::sqlite::SqlitePool;
use sqlx::{QueryBuilder, Sqlite, SqliteExecutor};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::org::{OrgUnitId, check_level, child_path};
use zongzhi_core::role::Scope;
use zongzhi_store::{
    NewOrgUnit, OrgUnit, OrgUnitFilter, OrgUnitPatch, Page, StoreError, StoreResult, page_limit,
};

use crate::rows::{OrgUnitRow, all, org_cols};
use crate::util::{
    Under, append_in_tx, begin_write, contains_pattern, db, empty, now_ts, page, push_scope, range,
    resolve_under, unique_or,
};

/// One unit inside `scope`, or `NotFound`.
pub(crate) async fn fetch<'e>(
    ex: impl SqliteExecutor<'e>,
    scope: &Scope,
    id: OrgUnitId,
) -> StoreResult<OrgUnit> {
    let (lo, hi) = range(scope);
    let row: Option<OrgUnitRow> = sqlx::query_as(concat!(
        "SELECT ",
        org_cols!(),
        " FROM org_units o WHERE o.id = ? AND o.path >= ? AND o.path < ?"
    ))
    .bind(id)
    .bind(lo)
    .bind(hi)
    .fetch_optional(ex)
    .await
    .map_err(db)?;
    row.ok_or(StoreError::NotFound)?.into_model()
}

/// Whether a unit is inside `scope`.
pub(crate) async fn in_scope<'e>(
    ex: impl SqliteExecutor<'e>,
    scope: &Scope,
    id: OrgUnitId,
) -> StoreResult<bool> {
    let (lo, hi) = range(scope);
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM org_units WHERE id = ? AND path >= ? AND path < ?")
            .bind(id)
            .bind(lo)
            .bind(hi)
            .fetch_optional(ex)
            .await
            .map_err(db)?;
    Ok(found.is_some())
}

/// Creates a unit under a parent inside `scope` (or a root city with the root scope).
pub(crate) async fn create(
    pool: &SqlitePool,
    scope: &Scope,
    new: NewOrgUnit,
    mut audit: NewAuditEntry,
) -> StoreResult<OrgUnit> {
    let mut tx = begin_write(pool).await?;
    let parent: Option<OrgUnit> = match new.parent_id {
        Some(pid) => match fetch(&mut *tx, scope, pid).await {
            Ok(p) => Some(p),
            Err(StoreError::NotFound) => return Err(StoreError::InvalidReference("parent")),
            Err(e) => return Err(e),
        },
        None if scope.org_path == "/" => None,
        None => return Err(StoreError::InvalidReference("parent")),
    };
    check_level(parent.as_ref().map(|p| p.level), new.level)
        .map_err(|_| StoreError::InvalidReference("level"))?;
    let path = child_path(parent.as_ref().map(|p| p.path.as_str()), &new.code);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO org_units (parent_id, level, code, name, path, geojson, active, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, 1, ?) RETURNING id",
    )
    .bind(new.parent_id)
    .bind(new.level.as_str())
    .bind(new.code.as_str())
    .bind(new.name.as_str())
    .bind(&path)
    .bind(&new.geojson)
    .bind(now_ts())
    .fetch_one(&mut *tx)
    .await
    .map_err(unique_or("org_code_taken"))?;
    if audit.target_id.is_none() {
        audit.target_id = Some(id.to_string());
    }
    append_in_tx(&mut tx, audit).await?;
    let unit = fetch(&mut *tx, &Scope::subtree(0, "/"), id).await?;
    tx.commit().await.map_err(db)?;
    Ok(unit)
}

/// Edits a unit inside `scope`.
pub(crate) async fn update(
    pool: &SqlitePool,
    scope: &Scope,
    id: OrgUnitId,
    patch: OrgUnitPatch,
    audit: NewAuditEntry,
) -> StoreResult<OrgUnit> {
    let mut tx = begin_write(pool).await?;
    let cur = fetch(&mut *tx, scope, id).await?;
    let name = patch.name.map_or(cur.name, |n| n.as_str().to_owned());
    let geojson = patch.geojson.unwrap_or(cur.geojson);
    let active = patch.active.unwrap_or(cur.active);
    sqlx::query("UPDATE org_units SET name = ?, geojson = ?, active = ? WHERE id = ?")
        .bind(name)
        .bind(geojson)
        .bind(active)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    append_in_tx(&mut tx, audit).await?;
    let unit = fetch(&mut *tx, scope, id).await?;
    tx.commit().await.map_err(db)?;
    Ok(unit)
}

fn push_filter(qb: &mut QueryBuilder<Sqlite>, scope: &Scope, under: &Under, f: &OrgUnitFilter) {
    push_scope(qb, scope, under);
    if let Some(pid) = f.parent_id {
        qb.push(" AND o.parent_id = ").push_bind(pid);
    }
    if let Some(level) = f.level {
        qb.push(" AND o.level = ").push_bind(level.as_str());
    }
    if let Some(q) = &f.q {
        let p = contains_pattern(q);
        qb.push(" AND (o.name LIKE ").push_bind(p.clone());
        qb.push(" ESCAPE '\\' OR o.code LIKE ").push_bind(p);
        qb.push(" ESCAPE '\\')");
    }
}

/// Units inside `scope` matching `f`, by path.
pub(crate) async fn list(
    pool: &SqlitePool,
    scope: &Scope,
    f: &OrgUnitFilter,
) -> StoreResult<Page<OrgUnit>> {
    let under = resolve_under(pool, scope, f.under).await?;
    if matches!(under, Under::Nothing) {
        return Ok(empty());
    }
    let limit = page_limit(f.limit);
    let mut qb = QueryBuilder::<Sqlite>::new(concat!(
        "SELECT ",
        org_cols!(),
        " FROM org_units o WHERE 1 = 1"
    ));
    push_filter(&mut qb, scope, &under, f);
    if let Some(c) = &f.cursor {
        qb.push(" AND o.path > ").push_bind(c.clone());
    }
    qb.push(" ORDER BY o.path LIMIT ").push_bind(limit + 1);
    let rows: Vec<OrgUnitRow> = qb.build_query_as().fetch_all(pool).await.map_err(db)?;
    let items = all(rows, OrgUnitRow::into_model)?;
    Ok(page(items, limit, |u| u.path.clone()))
}

/// How many units inside `scope` match `f`.
pub(crate) async fn count(pool: &SqlitePool, scope: &Scope, f: &OrgUnitFilter) -> StoreResult<i64> {
    let under = resolve_under(pool, scope, f.under).await?;
    if matches!(under, Under::Nothing) {
        return Ok(0);
    }
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM org_units o WHERE 1 = 1");
    push_filter(&mut qb, scope, &under, f);
    qb.build_query_scalar().fetch_one(pool).await.map_err(db)
}
