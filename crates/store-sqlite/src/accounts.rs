//! Account reads: scoped gets, lists and counts, and the unscoped identity lookups.

use sqlx::sqlite::SqlitePool;
use sqlx::{QueryBuilder, Sqlite, SqliteExecutor};
use zongzhi_core::account::AccountId;
use zongzhi_core::role::Scope;
use zongzhi_store::{
    Account, AccountFilter, LoginRecord, Page, StoreError, StoreResult, page_limit,
};

use crate::rows::{AccountRow, LoginRow, account_cols, account_from, all};
use crate::util::{Under, contains_pattern, db, empty, page, push_scope, range, resolve_under};

/// One account whose unit is inside `scope`, or `NotFound`.
pub(crate) async fn fetch<'e>(
    ex: impl SqliteExecutor<'e>,
    scope: &Scope,
    id: AccountId,
) -> StoreResult<Account> {
    let (lo, hi) = range(scope);
    let row: Option<AccountRow> = sqlx::query_as(concat!(
        "SELECT ",
        account_cols!(),
        account_from!(),
        "WHERE a.id = ? AND o.path >= ? AND o.path < ?"
    ))
    .bind(id)
    .bind(lo)
    .bind(hi)
    .fetch_optional(ex)
    .await
    .map_err(db)?;
    row.ok_or(StoreError::NotFound)?.into_model()
}

/// `NotFound` unless the account exists and its unit is inside `scope`.
pub(crate) async fn require_in_scope<'e>(
    ex: impl SqliteExecutor<'e>,
    scope: &Scope,
    id: AccountId,
) -> StoreResult<()> {
    let (lo, hi) = range(scope);
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT a.id FROM accounts a JOIN org_units o ON o.id = a.org_unit_id \
         WHERE a.id = ? AND o.path >= ? AND o.path < ?",
    )
    .bind(id)
    .bind(lo)
    .bind(hi)
    .fetch_optional(ex)
    .await
    .map_err(db)?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}

/// Any account by id (identity, not data access).
pub(crate) async fn fetch_any<'e>(
    ex: impl SqliteExecutor<'e>,
    id: AccountId,
) -> StoreResult<Account> {
    fetch(ex, &Scope::subtree(0, "/"), id).await
}

/// Credentials by username.
pub(crate) async fn find_login(
    pool: &SqlitePool,
    username: &str,
) -> StoreResult<Option<LoginRecord>> {
    let row: Option<LoginRow> = sqlx::query_as(concat!(
        "SELECT ",
        account_cols!(),
        ", a.password_hash",
        account_from!(),
        "WHERE a.username = ?"
    ))
    .bind(username)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.map(|r| {
        Ok(LoginRecord {
            account: r.account.into_model()?,
            password_hash: r.password_hash,
        })
    })
    .transpose()
}

/// The encrypted TOTP secret.
pub(crate) async fn totp_secret(pool: &SqlitePool, id: AccountId) -> StoreResult<Option<String>> {
    let row: Option<Option<String>> =
        sqlx::query_scalar("SELECT totp_secret_enc FROM accounts WHERE id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await
            .map_err(db)?;
    row.ok_or(StoreError::NotFound)
}

fn push_filter(qb: &mut QueryBuilder<Sqlite>, scope: &Scope, under: &Under, f: &AccountFilter) {
    push_scope(qb, scope, under);
    if let Some(role) = f.role {
        qb.push(" AND instr(',' || a.roles || ',', ")
            .push_bind(format!(",{},", role.as_str()));
        qb.push(") > 0");
    }
    if let Some(status) = f.status {
        qb.push(" AND a.status = ").push_bind(status.as_str());
    }
    if let Some(q) = &f.q {
        let p = contains_pattern(q);
        qb.push(" AND (a.username LIKE ").push_bind(p.clone());
        qb.push(" ESCAPE '\\' OR a.display_name LIKE ").push_bind(p);
        qb.push(" ESCAPE '\\')");
    }
    if let Some(idx) = &f.phone_index {
        qb.push(" AND a.phone_index = ").push_bind(idx.clone());
    }
}

/// Accounts inside `scope` matching `f`, by id.
pub(crate) async fn list(
    pool: &SqlitePool,
    scope: &Scope,
    f: &AccountFilter,
) -> StoreResult<Page<Account>> {
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
        account_cols!(),
        account_from!(),
        "WHERE 1 = 1"
    ));
    push_filter(&mut qb, scope, &under, f);
    if let Some(c) = cursor {
        qb.push(" AND a.id > ").push_bind(c);
    }
    qb.push(" ORDER BY a.id LIMIT ").push_bind(limit + 1);
    let rows: Vec<AccountRow> = qb.build_query_as().fetch_all(pool).await.map_err(db)?;
    let items = all(rows, AccountRow::into_model)?;
    Ok(page(items, limit, |a| a.id.to_string()))
}

/// How many accounts inside `scope` match `f`.
pub(crate) async fn count(pool: &SqlitePool, scope: &Scope, f: &AccountFilter) -> StoreResult<i64> {
    let under = resolve_under(pool, scope, f.under).await?;
    if matches!(under, Under::Nothing) {
        return Ok(0);
    }
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT COUNT(*) FROM accounts a JOIN org_units o ON o.id = a.org_unit_id WHERE 1 = 1",
    );
    push_filter(&mut qb, scope, &under, f);
    qb.build_query_scalar().fetch_one(pool).await.map_err(db)
}
