//! Account writes, each with its audit row in the same transaction.

use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use zongzhi_core::account::{AccountId, AccountStatus, LockoutRule};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::role::Scope;
use zongzhi_store::{
    Account, AccountPatch, LoginFailureState, NewAccount, StoreError, StoreResult,
};

use crate::accounts::{fetch, fetch_any, require_in_scope};
use crate::rows::encode_roles;
use crate::util::{append_in_tx, begin_write, db, now_ts, ts, unique_or};
use crate::{departments, org_units};

async fn check_refs(
    conn: &mut SqliteConnection,
    scope: &Scope,
    unit: Option<i64>,
    dept: Option<i64>,
) -> StoreResult<()> {
    if let Some(u) = unit
        && !org_units::in_scope(&mut *conn, scope, u).await?
    {
        return Err(StoreError::InvalidReference("org_unit"));
    }
    if let Some(d) = dept
        && !departments::in_scope(&mut *conn, scope, d).await?
    {
        return Err(StoreError::InvalidReference("department"));
    }
    Ok(())
}

/// Ends every session of an account inside the caller's transaction.
async fn end_sessions(conn: &mut SqliteConnection, id: AccountId) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE account_id = ?")
        .bind(id)
        .execute(conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// Creates an account on a unit (and department) inside `scope`.
pub(crate) async fn create(
    pool: &SqlitePool,
    scope: &Scope,
    new: NewAccount,
    mut audit: NewAuditEntry,
) -> StoreResult<Account> {
    let mut tx = begin_write(pool).await?;
    check_refs(&mut tx, scope, Some(new.org_unit_id), new.department_id).await?;
    let now = now_ts();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO accounts (username, display_name, org_unit_id, department_id, roles, \
         status, password_hash, phone_enc, phone_index, phone_masked, failed_logins, \
         totp_enabled, must_change_password, created_at, updated_at) \
         VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, 0, 0, ?, ?, ?) RETURNING id",
    )
    .bind(new.username.as_str())
    .bind(new.display_name.as_str())
    .bind(new.org_unit_id)
    .bind(new.department_id)
    .bind(encode_roles(&new.roles))
    .bind(&new.password_hash)
    .bind(&new.phone_enc)
    .bind(&new.phone_index)
    .bind(&new.phone_masked)
    .bind(new.must_change_password)
    .bind(&now)
    .bind(&now)
    .fetch_one(&mut *tx)
    .await
    .map_err(unique_or("username_taken"))?;
    if audit.target_id.is_none() {
        audit.target_id = Some(id.to_string());
    }
    append_in_tx(&mut tx, audit).await?;
    let account = fetch(&mut *tx, scope, id).await?;
    tx.commit().await.map_err(db)?;
    Ok(account)
}

/// Edits an account inside `scope`; disabling it ends its sessions.
pub(crate) async fn update(
    pool: &SqlitePool,
    scope: &Scope,
    id: AccountId,
    patch: AccountPatch,
    audit: NewAuditEntry,
) -> StoreResult<Account> {
    let mut tx = begin_write(pool).await?;
    let cur = fetch(&mut *tx, scope, id).await?;
    check_refs(
        &mut tx,
        scope,
        patch.org_unit_id,
        patch.department_id.flatten(),
    )
    .await?;
    let display_name = patch
        .display_name
        .map_or(cur.display_name, |d| d.as_str().to_owned());
    let roles = encode_roles(&patch.roles.unwrap_or(cur.roles));
    let status = patch.status.unwrap_or(cur.status);
    sqlx::query(
        "UPDATE accounts SET display_name = ?, org_unit_id = ?, department_id = ?, roles = ?, \
         status = ?, updated_at = ? WHERE id = ?",
    )
    .bind(display_name)
    .bind(patch.org_unit_id.unwrap_or(cur.org_unit_id))
    .bind(patch.department_id.unwrap_or(cur.department_id))
    .bind(roles)
    .bind(status.as_str())
    .bind(now_ts())
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    if let Some(phone) = patch.phone {
        let (enc, index, masked) = match phone {
            Some((e, i, m)) => (Some(e), Some(i), Some(m)),
            None => (None, None, None),
        };
        sqlx::query(
            "UPDATE accounts SET phone_enc = ?, phone_index = ?, phone_masked = ? WHERE id = ?",
        )
        .bind(enc)
        .bind(index)
        .bind(masked)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
    }
    if status == AccountStatus::Disabled {
        end_sessions(&mut tx, id).await?;
    }
    append_in_tx(&mut tx, audit).await?;
    let account = fetch(&mut *tx, scope, id).await?;
    tx.commit().await.map_err(db)?;
    Ok(account)
}

/// Replaces the password hash, clears the lock and ends every session.
pub(crate) async fn set_password(
    pool: &SqlitePool,
    scope: &Scope,
    id: AccountId,
    password_hash: &str,
    must_change: bool,
    audit: NewAuditEntry,
) -> StoreResult<()> {
    let mut tx = begin_write(pool).await?;
    require_in_scope(&mut *tx, scope, id).await?;
    sqlx::query(
        "UPDATE accounts SET password_hash = ?, must_change_password = ?, failed_logins = 0, \
         locked_until = NULL, updated_at = ? WHERE id = ?",
    )
    .bind(password_hash)
    .bind(must_change)
    .bind(now_ts())
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    end_sessions(&mut tx, id).await?;
    append_in_tx(&mut tx, audit).await?;
    tx.commit().await.map_err(db)
}

/// Clears the lock and the failure count.
pub(crate) async fn unlock(
    pool: &SqlitePool,
    scope: &Scope,
    id: AccountId,
    audit: NewAuditEntry,
) -> StoreResult<()> {
    let mut tx = begin_write(pool).await?;
    require_in_scope(&mut *tx, scope, id).await?;
    sqlx::query(
        "UPDATE accounts SET failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?",
    )
    .bind(now_ts())
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    append_in_tx(&mut tx, audit).await?;
    tx.commit().await.map_err(db)
}

/// Counts a failed sign-in; the limit locks the account.
pub(crate) async fn login_failure(
    pool: &SqlitePool,
    id: AccountId,
    now: DateTime<Utc>,
    rule: LockoutRule,
    audit: NewAuditEntry,
) -> StoreResult<LoginFailureState> {
    let mut tx = begin_write(pool).await?;
    let before = fetch_any(&mut *tx, id).await?.failed_logins;
    let (failed_logins, locked_until) = rule.after_failure(before, now);
    sqlx::query(
        "UPDATE accounts SET failed_logins = ?, locked_until = COALESCE(?, locked_until), \
         updated_at = ? WHERE id = ?",
    )
    .bind(failed_logins)
    .bind(locked_until.map(ts))
    .bind(now_ts())
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    append_in_tx(&mut tx, audit).await?;
    tx.commit().await.map_err(db)?;
    Ok(LoginFailureState {
        failed_logins,
        locked_until,
    })
}

/// Runs one unscoped `UPDATE … WHERE id = ?` (id bound last) with its audit row.
async fn update_by_id(
    pool: &SqlitePool,
    id: AccountId,
    audit: NewAuditEntry,
    query: sqlx::query::Query<'_, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>,
) -> StoreResult<()> {
    let mut tx = begin_write(pool).await?;
    let done = query.bind(id).execute(&mut *tx).await.map_err(db)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    append_in_tx(&mut tx, audit).await?;
    tx.commit().await.map_err(db)
}

/// Clears the failure count and stamps the sign-in.
pub(crate) async fn login_success(
    pool: &SqlitePool,
    id: AccountId,
    now: DateTime<Utc>,
    audit: NewAuditEntry,
) -> StoreResult<()> {
    let q = sqlx::query(
        "UPDATE accounts SET failed_logins = 0, last_login_at = ?, updated_at = ? WHERE id = ?",
    )
    .bind(ts(now))
    .bind(now_ts());
    update_by_id(pool, id, audit, q).await
}

/// Sets or clears the TOTP secret.
pub(crate) async fn set_totp(
    pool: &SqlitePool,
    id: AccountId,
    secret_enc: Option<String>,
    enabled: bool,
    audit: NewAuditEntry,
) -> StoreResult<()> {
    let q = sqlx::query(
        "UPDATE accounts SET totp_secret_enc = ?, totp_enabled = ?, updated_at = ? WHERE id = ?",
    )
    .bind(secret_enc)
    .bind(enabled)
    .bind(now_ts());
    update_by_id(pool, id, audit, q).await
}
