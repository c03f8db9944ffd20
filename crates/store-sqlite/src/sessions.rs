//! Sessions (not audited here: the web layer audits sign-in and sign-out).

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqlitePool;
use zongzhi_core::account::AccountId;
use zongzhi_store::{Session, SessionStage, StoreError, StoreResult};

use crate::rows::SessionRow;
use crate::util::{db, ts};

/// Stores a new session.
pub(crate) async fn create(pool: &SqlitePool, s: &Session) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, csrf_token, stage, created_at, \
         last_seen_at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&s.token_hash)
    .bind(s.account_id)
    .bind(&s.csrf_token)
    .bind(s.stage.as_str())
    .bind(ts(s.created_at))
    .bind(ts(s.last_seen_at))
    .execute(pool)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict("session_exists")
        }
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            StoreError::InvalidReference("account")
        }
        _ => db(e),
    })?;
    Ok(())
}

/// A session by token hash.
pub(crate) async fn get(pool: &SqlitePool, token_hash: &str) -> StoreResult<Option<Session>> {
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT token_hash, account_id, csrf_token, stage, created_at, last_seen_at \
         FROM sessions WHERE token_hash = ?",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    row.map(SessionRow::into_model).transpose()
}

/// Marks activity.
pub(crate) async fn touch(
    pool: &SqlitePool,
    token_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?")
        .bind(ts(now))
        .bind(token_hash)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

/// Moves a session to another stage.
pub(crate) async fn set_stage(
    pool: &SqlitePool,
    token_hash: &str,
    stage: SessionStage,
) -> StoreResult<()> {
    sqlx::query("UPDATE sessions SET stage = ? WHERE token_hash = ?")
        .bind(stage.as_str())
        .bind(token_hash)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

/// Ends one session.
pub(crate) async fn delete(pool: &SqlitePool, token_hash: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
        .bind(token_hash)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}

/// Ends every session of an account.
pub(crate) async fn delete_for(pool: &SqlitePool, account_id: AccountId) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE account_id = ?")
        .bind(account_id)
        .execute(pool)
        .await
        .map_err(db)?;
    Ok(())
}
