//! Org units and departments.

use async_trait::async_trait;
use chrono::Utc;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::org::{DepartmentId, OrgLevel, OrgUnitId, check_level, child_path};
use zongzhi_core::role::Scope;
use zongzhi_store::{
    Department, DepartmentFilter, DepartmentPatch, NewDepartment, NewOrgUnit, OrgStore, OrgUnit,
    OrgUnitFilter, OrgUnitPatch, Page, StoreError, StoreResult, page_limit,
};

use crate::PgStore;
use crate::audit::{append, default_target};
use crate::error::db;
use crate::query::{
    IdCursor, empty_page, finish_page, id_cursor, like_pattern, push_limit, push_scope, push_under,
};
use crate::rows::{DEPT_SELECT, DepartmentRow, ORG_COLS, OrgUnitRow, convert};

/// Whether unit `id` exists inside `scope`.
pub(crate) async fn unit_in_scope(
    conn: &mut PgConnection,
    scope: &Scope,
    id: OrgUnitId,
) -> StoreResult<bool> {
    let mut qb = QueryBuilder::new("SELECT o.id FROM org_units o WHERE o.id = ");
    qb.push_bind(id);
    push_scope(&mut qb, "o.path", scope);
    let found: Option<i64> = qb
        .build_query_scalar()
        .fetch_optional(conn)
        .await
        .map_err(db)?;
    Ok(found.is_some())
}

/// A department by id, inside `scope`.
async fn department(
    conn: &mut PgConnection,
    scope: &Scope,
    id: DepartmentId,
) -> StoreResult<Department> {
    let mut qb = QueryBuilder::new(DEPT_SELECT);
    qb.push(" WHERE d.id = ").push_bind(id);
    push_scope(&mut qb, "o.path", scope);
    let row: Option<DepartmentRow> = qb.build_query_as().fetch_optional(conn).await.map_err(db)?;
    row.ok_or(StoreError::NotFound)?.into_model()
}

/// Pushes ` WHERE …` for listing or counting units (cursor excluded).
fn push_unit_filter(qb: &mut QueryBuilder<Postgres>, scope: &Scope, f: &OrgUnitFilter) {
    qb.push(" WHERE TRUE");
    push_scope(qb, "o.path", scope);
    if let Some(under) = f.under {
        push_under(qb, "o.path", scope, under);
    }
    if let Some(parent) = f.parent_id {
        qb.push(" AND o.parent_id = ").push_bind(parent);
    }
    if let Some(level) = f.level {
        qb.push(" AND o.level = ").push_bind(level.as_str());
    }
    if let Some(q) = &f.q {
        let p = like_pattern(q);
        qb.push(" AND (o.name ILIKE ")
            .push_bind(p.clone())
            .push(" ESCAPE '\\' OR o.code ILIKE ")
            .push_bind(p)
            .push(" ESCAPE '\\')");
    }
}

/// Pushes ` WHERE …` for listing or counting departments (cursor excluded).
fn push_dept_filter(qb: &mut QueryBuilder<Postgres>, scope: &Scope, f: &DepartmentFilter) {
    qb.push(" WHERE TRUE");
    push_scope(qb, "o.path", scope);
    if let Some(under) = f.under {
        push_under(qb, "o.path", scope, under);
    }
    if let Some(unit) = f.org_unit_id {
        qb.push(" AND d.org_unit_id = ").push_bind(unit);
    }
    if let Some(q) = &f.q {
        qb.push(" AND d.name ILIKE ")
            .push_bind(like_pattern(q))
            .push(" ESCAPE '\\'");
    }
}

#[async_trait]
impl OrgStore for PgStore {
    async fn create_org_unit(
        &self,
        scope: &Scope,
        new: NewOrgUnit,
        audit: NewAuditEntry,
    ) -> StoreResult<OrgUnit> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let parent: Option<(String, String)> = match new.parent_id {
            Some(pid) => {
                let mut qb =
                    QueryBuilder::new("SELECT o.path, o.level FROM org_units o WHERE o.id = ");
                qb.push_bind(pid);
                push_scope(&mut qb, "o.path", scope);
                let row: Option<(String, String)> = qb
                    .build_query_as()
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db)?;
                Some(row.ok_or(StoreError::InvalidReference("parent"))?)
            }
            // A root unit can only be made by someone whose scope is the whole tree.
            None if scope.org_path == "/" => None,
            None => return Err(StoreError::InvalidReference("parent")),
        };
        let parent_level = match &parent {
            Some((_, l)) => {
                Some(OrgLevel::parse(l).ok_or_else(|| crate::error::bad_value("org level", l))?)
            }
            None => None,
        };
        check_level(parent_level, new.level).map_err(|_| StoreError::InvalidReference("level"))?;
        let path = child_path(parent.as_ref().map(|(p, _)| p.as_str()), &new.code);
        let row: OrgUnitRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO org_units AS o (parent_id, level, code, name, path, geojson, active, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7) RETURNING {ORG_COLS}"
        )))
        .bind(new.parent_id)
        .bind(new.level.as_str())
        .bind(new.code.as_str())
        .bind(new.name.as_str())
        .bind(&path)
        .bind(&new.geojson)
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        let unit = row.into_model()?;
        append(&mut tx, default_target(audit, unit.id)).await?;
        tx.commit().await.map_err(db)?;
        Ok(unit)
    }

    async fn get_org_unit(&self, scope: &Scope, id: OrgUnitId) -> StoreResult<OrgUnit> {
        let mut qb = QueryBuilder::new(format!("SELECT {ORG_COLS} FROM org_units o WHERE o.id = "));
        qb.push_bind(id);
        push_scope(&mut qb, "o.path", scope);
        let row: Option<OrgUnitRow> = qb
            .build_query_as()
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.ok_or(StoreError::NotFound)?.into_model()
    }

    async fn list_org_units(
        &self,
        scope: &Scope,
        filter: &OrgUnitFilter,
    ) -> StoreResult<Page<OrgUnit>> {
        let limit = page_limit(filter.limit);
        let mut qb = QueryBuilder::new(format!("SELECT {ORG_COLS} FROM org_units o"));
        push_unit_filter(&mut qb, scope, filter);
        if let Some(c) = &filter.cursor {
            qb.push(" AND o.path > ").push_bind(c.clone());
        }
        qb.push(" ORDER BY o.path");
        push_limit(&mut qb, limit);
        let rows: Vec<OrgUnitRow> = qb
            .build_query_as()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let items = convert(rows, OrgUnitRow::into_model)?;
        Ok(finish_page(items, limit, |u| u.path.clone()))
    }

    async fn count_org_units(&self, scope: &Scope, filter: &OrgUnitFilter) -> StoreResult<i64> {
        let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM org_units o");
        push_unit_filter(&mut qb, scope, filter);
        qb.build_query_scalar()
            .fetch_one(&self.pool)
            .await
            .map_err(db)
    }

    async fn update_org_unit(
        &self,
        scope: &Scope,
        id: OrgUnitId,
        patch: OrgUnitPatch,
        audit: NewAuditEntry,
    ) -> StoreResult<OrgUnit> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let mut qb = QueryBuilder::new("UPDATE org_units AS o SET name = COALESCE(");
        qb.push_bind(patch.name.as_ref().map(|n| n.as_str().to_owned()))
            .push(", o.name), active = COALESCE(")
            .push_bind(patch.active)
            .push(", o.active)");
        if let Some(geojson) = patch.geojson {
            qb.push(", geojson = ").push_bind(geojson);
        }
        qb.push(" WHERE o.id = ").push_bind(id);
        push_scope(&mut qb, "o.path", scope);
        qb.push(format_args!(" RETURNING {ORG_COLS}"));
        let row: Option<OrgUnitRow> = qb
            .build_query_as()
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let unit = row.ok_or(StoreError::NotFound)?.into_model()?;
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(unit)
    }

    async fn create_department(
        &self,
        scope: &Scope,
        new: NewDepartment,
        audit: NewAuditEntry,
    ) -> StoreResult<Department> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        if !unit_in_scope(&mut tx, scope, new.org_unit_id).await? {
            return Err(StoreError::InvalidReference("org_unit"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO departments (org_unit_id, name, kind, active, created_at) \
             VALUES ($1, $2, $3, TRUE, $4) RETURNING id",
        )
        .bind(new.org_unit_id)
        .bind(new.name.as_str())
        .bind(new.kind.as_str())
        .bind(Utc::now())
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        let dept = department(&mut tx, scope, id).await?;
        append(&mut tx, default_target(audit, id)).await?;
        tx.commit().await.map_err(db)?;
        Ok(dept)
    }

    async fn get_department(&self, scope: &Scope, id: DepartmentId) -> StoreResult<Department> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        department(&mut conn, scope, id).await
    }

    async fn list_departments(
        &self,
        scope: &Scope,
        filter: &DepartmentFilter,
    ) -> StoreResult<Page<Department>> {
        let limit = page_limit(filter.limit);
        let cursor = match id_cursor(filter.cursor.as_deref()) {
            IdCursor::Start => None,
            IdCursor::After(c) => Some(c),
            IdCursor::Invalid => return Ok(empty_page()),
        };
        let mut qb = QueryBuilder::new(DEPT_SELECT);
        push_dept_filter(&mut qb, scope, filter);
        if let Some(c) = cursor {
            qb.push(" AND d.id > ").push_bind(c);
        }
        qb.push(" ORDER BY d.id");
        push_limit(&mut qb, limit);
        let rows: Vec<DepartmentRow> = qb
            .build_query_as()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let items = convert(rows, DepartmentRow::into_model)?;
        Ok(finish_page(items, limit, |d| d.id.to_string()))
    }

    async fn count_departments(
        &self,
        scope: &Scope,
        filter: &DepartmentFilter,
    ) -> StoreResult<i64> {
        let mut qb = QueryBuilder::new(
            "SELECT COUNT(*) FROM departments d JOIN org_units o ON o.id = d.org_unit_id",
        );
        push_dept_filter(&mut qb, scope, filter);
        qb.build_query_scalar()
            .fetch_one(&self.pool)
            .await
            .map_err(db)
    }

    async fn update_department(
        &self,
        scope: &Scope,
        id: DepartmentId,
        patch: DepartmentPatch,
        audit: NewAuditEntry,
    ) -> StoreResult<Department> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let mut qb = QueryBuilder::new("UPDATE departments AS d SET name = COALESCE(");
        qb.push_bind(patch.name.as_ref().map(|n| n.as_str().to_owned()))
            .push(", d.name), kind = COALESCE(")
            .push_bind(patch.kind.map(|k| k.as_str()))
            .push(", d.kind), active = COALESCE(")
            .push_bind(patch.active)
            .push(", d.active) FROM org_units o WHERE o.id = d.org_unit_id AND d.id = ")
            .push_bind(id);
        push_scope(&mut qb, "o.path", scope);
        qb.push(" RETURNING d.id");
        let found: Option<i64> = qb
            .build_query_scalar()
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        let dept = department(&mut tx, scope, id).await?;
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(dept)
    }
}
