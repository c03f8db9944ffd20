//! The category code table: deployment-wide reference data, so nothing here is scoped.

use sqlx::SqliteExecutor;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::case::category::CategoryKind;
use zongzhi_store::{
    Category, CategoryPatch, CategorySeedRow, NewCategory, StoreError, StoreResult,
};

use crate::rows::{CategoryRow, all, category_cols};
use crate::util::{append_in_tx, begin_write, db, now_ts, unique_or};

/// One category by code.
pub(crate) async fn fetch<'e>(ex: impl SqliteExecutor<'e>, code: &str) -> StoreResult<Category> {
    let row: Option<CategoryRow> = sqlx::query_as(concat!(
        "SELECT ",
        category_cols!(),
        " FROM categories c WHERE c.code = ?"
    ))
    .bind(code)
    .fetch_optional(ex)
    .await
    .map_err(db)?;
    row.ok_or(StoreError::NotFound)?.into_model()
}

/// Every category, or only the active ones under an active parent; by order, then code.
pub(crate) async fn list(pool: &SqlitePool, include_inactive: bool) -> StoreResult<Vec<Category>> {
    let rows: Vec<CategoryRow> = sqlx::query_as(concat!(
        "SELECT ",
        category_cols!(),
        " FROM categories c LEFT JOIN categories p ON p.code = c.parent_code \
         WHERE ? OR (c.active AND (p.code IS NULL OR p.active)) \
         ORDER BY c.sort_order, c.code"
    ))
    .bind(include_inactive)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    all(rows, CategoryRow::into_model)
}

/// Checks the table's rules for a new row and inserts it, inside the caller's transaction.
async fn insert(
    conn: &mut SqliteConnection,
    code: &str,
    name: &str,
    parent_code: Option<&str>,
    kind: CategoryKind,
    sort_order: i64,
) -> StoreResult<()> {
    let taken: Option<String> = sqlx::query_scalar("SELECT code FROM categories WHERE code = ?")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    if taken.is_some() {
        return Err(StoreError::Conflict("category_code_taken"));
    }
    if let Some(parent) = parent_code {
        let row: Option<(Option<String>, String)> =
            sqlx::query_as("SELECT parent_code, kind FROM categories WHERE code = ?")
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
         VALUES (?, ?, ?, ?, ?, 1, ?)",
    )
    .bind(code)
    .bind(name)
    .bind(parent_code)
    .bind(kind.as_str())
    .bind(sort_order)
    .bind(now_ts())
    .execute(&mut *conn)
    .await
    .map_err(unique_or("category_code_taken"))?;
    Ok(())
}

/// Adds a category.
pub(crate) async fn create(
    pool: &SqlitePool,
    new: NewCategory,
    mut audit: NewAuditEntry,
) -> StoreResult<Category> {
    let mut tx = begin_write(pool).await?;
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
    if audit.target_id.is_none() {
        audit.target_id = Some(new.code.clone());
    }
    append_in_tx(&mut tx, audit).await?;
    let cat = fetch(&mut *tx, &new.code).await?;
    tx.commit().await.map_err(db)?;
    Ok(cat)
}

/// Edits a category.
pub(crate) async fn update(
    pool: &SqlitePool,
    code: &str,
    patch: CategoryPatch,
    audit: NewAuditEntry,
) -> StoreResult<Category> {
    let mut tx = begin_write(pool).await?;
    let cur = fetch(&mut *tx, code).await?;
    sqlx::query(
        "UPDATE categories SET name = ?, active = ?, sort_order = ?, updated_at = ? \
         WHERE code = ?",
    )
    .bind(patch.name.unwrap_or(cur.name))
    .bind(patch.active.unwrap_or(cur.active))
    .bind(patch.sort_order.unwrap_or(cur.sort_order))
    .bind(now_ts())
    .bind(code)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    append_in_tx(&mut tx, audit).await?;
    let cat = fetch(&mut *tx, code).await?;
    tx.commit().await.map_err(db)?;
    Ok(cat)
}

/// Inserts the seed into an empty table, with its audit row, in one write transaction.
pub(crate) async fn seed_if_empty(
    pool: &SqlitePool,
    rows: &[CategorySeedRow],
    audit: NewAuditEntry,
) -> StoreResult<usize> {
    // `BEGIN IMMEDIATE` holds the write lock from here, so a concurrent seeder waits and
    // then finds the table full.
    let mut tx = begin_write(pool).await?;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM categories")
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
    if n > 0 {
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
    append_in_tx(&mut tx, audit).await?;
    tx.commit().await.map_err(db)?;
    Ok(rows.len())
}
