//! Signed-in sessions.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use zongzhi_core::account::AccountId;
use zongzhi_store::{Session, SessionStage, SessionStore, StoreResult};

use crate::PgStore;
use crate::account_sql::end_sessions;
use crate::error::db;
use crate::rows::{SESSION_COLS, SessionRow};

#[async_trait]
impl SessionStore for PgStore {
    async fn create_session(&self, s: &Session) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, stage, created_at, \
             last_seen_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&s.token_hash)
        .bind(s.account_id)
        .bind(&s.csrf_token)
        .bind(s.stage.as_str())
        .bind(s.created_at)
        .bind(s.last_seen_at)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn get_session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        let row: Option<SessionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SESSION_COLS} FROM sessions WHERE token_hash = $1"
        )))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(SessionRow::into_model).transpose()
    }

    async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn set_session_stage(&self, token_hash: &str, stage: SessionStage) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET stage = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(stage.as_str())
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn delete_sessions_for(&self, account_id: AccountId) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        end_sessions(&mut conn, account_id).await
    }
}
