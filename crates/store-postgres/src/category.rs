//! The category code table: deployment-wide reference data, so nothing here is scoped.

use async_trait::async_trait;
use chrono::Utc;
use sqlx::PgConnection;
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::case::category::CategoryKind;
use zongzhi_store::{
    Category, CategoryPatch, CategorySeedRow, CategoryStore, NewCategory, StoreError, StoreResult,
};

use crate::PgStore;
use crate::audit::{append, default_target};
use crate::error::db;
use crate::rows::{CATEGORY_COLS, CategoryRow, convert};

/// One category by code.
async fn fetch(conn: &mut PgConnection, code: &str) -> StoreResult<Category> {
    let row: Option<CategoryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {CATEGORY_COLS} FROM categories c WHERE c.code = $1"
    )))
    .bind(code)
    .fetch_optional(conn)
    .await
    .map_err(db)?;
    row.ok_or(StoreError::NotFound)?.into_model()
}

/// Checks the table's rules for a new row and inserts it, inside the caller's transaction.
async fn insert(
    conn: &mut PgConnection,
    code: &str,
    name: &str,
    parent_code: Option<&str>,
    kind: CategoryKind,
    sort_order: i64,
) -> StoreResult<()> {
    let taken: Option<String> = sqlx::query_scalar("SELECT code FROM categories WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    if taken.is_some() {
        return Err(StoreError::Conflict("category_code_taken"));
    }
    if let Some(parent) = parent_code {
        // FOR SHARE: the parent cannot change under us before the insert commits.
        let row: Option<(Option<String>, String)> =
            sqlx::query_as("SELECT parent_code, kind FROM categories WHERE code = $1 FOR SHARE")
                .bind(parent)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?;
        match row {
            // Two levels only: the parent must itself be first-level.
            None | Some((Some(_), _)) => return Err(StoreError::InvalidReference("parent_code")),
            Some((None, k)) if k != kind.as_str() => {
                return Err(StoreError::InvalidReference("kind"));
            }
            Some(_) => {}
        }
    }
    sqlx::query(
        "INSERT INTO categories (code, name, parent_code, kind, sort_order, active, updated_at) \
         VALUES ($1, $2, $3, $4, $5, TRUE, $6)",
    )
    .bind(code)
    .bind(name)
    .bind(parent_code)
    .bind(kind.as_str())
    .bind(sort_order)
    .bind(Utc::now())
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

#[async_trait]
impl CategoryStore for PgStore {
    async fn list_categories(&self, include_inactive: bool) -> StoreResult<Vec<Category>> {
        let rows: Vec<CategoryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CATEGORY_COLS} FROM categories c \
             LEFT JOIN categories p ON p.code = c.parent_code \
             WHERE $1 OR (c.active AND (p.code IS NULL OR p.active)) \
             ORDER BY c.sort_order, c.code"
        )))
        .bind(include_inactive)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        convert(rows, CategoryRow::into_model)
    }

    async fn get_category(&self, code: &str) -> StoreResult<Category> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        fetch(&mut conn, code).await
    }

    async fn create_category(
        &self,
        new: NewCategory,
        audit: NewAuditEntry,
    ) -> StoreResult<Category> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let sort_order = match new.sort_order {
            Some(s) => s,
            None => {
                let max: Option<i64> = sqlx::query_scalar("SELECT MAX(sort_order) FROM categories")
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db)?;
                max.unwrap_or(0).saturating_add(10)
            }
        };
        insert(
            &mut tx,
            &new.code,
            &new.name,
            new.parent_code.as_deref(),
            new.kind,
            sort_order,
        )
        .await?;
        append(&mut tx, default_target(audit, &new.code)).await?;
        let cat = fetch(&mut tx, &new.code).await?;
        tx.commit().await.map_err(db)?;
        Ok(cat)
    }

    async fn update_category(
        &self,
        code: &str,
        patch: CategoryPatch,
        audit: NewAuditEntry,
    ) -> StoreResult<Category> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let row: Option<CategoryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE categories AS c SET \
             name = COALESCE($2, c.name), \
             active = COALESCE($3, c.active), \
             sort_order = COALESCE($4, c.sort_order), \
             updated_at = $5 \
             WHERE c.code = $1 RETURNING {CATEGORY_COLS}"
        )))
        .bind(code)
        .bind(patch.name)
        .bind(patch.active)
        .bind(patch.sort_order)
        .bind(Utc::now())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let cat = row.ok_or(StoreError::NotFound)?.into_model()?;
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(cat)
    }

    async fn seed_categories_if_empty(
        &self,
        rows: &[CategorySeedRow],
        audit: NewAuditEntry,
    ) -> StoreResult<usize> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Serialises seeders (several instances starting at once): the second waits here,
        // then finds the table full. Plain reads are not blocked.
        sqlx::query("LOCK TABLE categories IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let any: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM categories)")
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        if any {
            return Ok(0);
        }
        for r in rows {
            insert(
                &mut tx,
                &r.code,
                &r.name,
                r.parent_code.as_deref(),
                r.kind,
                r.sort_order,
            )
            .await?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(rows.len())
    }
}
