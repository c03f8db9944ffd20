//! Background export jobs. A worker claims inside a `BEGIN IMMEDIATE` transaction (SQLite
//! has one writer), and holds a lease that a crashed worker's job outlives.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::FromRow;
use zongzhi_core::account::AccountId;
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_store::{
    ExportJob, ExportOutcome, ExportStatus, ExportStore, NewExportJob, StoreError, StoreResult,
};

use crate::SqliteStore;
use crate::cases::rows::code;
use crate::util::{append_in_tx, begin_write, corrupt, db, parse_ts, parse_ts_opt, ts};

/// Columns of [`ExportRow`].
const EXPORT_COLS: &str = "id, account_id, kind, format, params, status, progress, \
     rows_written, total_rows, file_name, file_size, error, attempts, lease_until, created_at, \
     started_at, finished_at";

/// The error code of a job given up after its last attempt.
const GAVE_UP: &str = "export_failed";

/// An `export_jobs` row.
#[derive(FromRow)]
struct ExportRow {
    id: i64,
    account_id: i64,
    kind: String,
    format: String,
    params: String,
    status: String,
    progress: i32,
    rows_written: i64,
    total_rows: i64,
    file_name: Option<String>,
    file_size: Option<i64>,
    error: Option<String>,
    attempts: i32,
    lease_until: Option<String>,
    created_at: String,
    started_at: Option<String>,
    finished_at: Option<String>,
}

impl ExportRow {
    fn into_model(self) -> StoreResult<ExportJob> {
        Ok(ExportJob {
            id: self.id,
            account_id: self.account_id,
            kind: self.kind,
            format: self.format,
            params: serde_json::from_str(&self.params)
                .map_err(|_| corrupt(format!("export {} params", self.id)))?,
            status: code(&self.status, "export status", ExportStatus::parse)?,
            progress: self.progress,
            rows_written: self.rows_written,
            total_rows: self.total_rows,
            file_name: self.file_name,
            file_size: self.file_size,
            error: self.error,
            attempts: self.attempts,
            lease_until: parse_ts_opt(self.lease_until.as_deref())?,
            created_at: parse_ts(&self.created_at)?,
            started_at: parse_ts_opt(self.started_at.as_deref())?,
            finished_at: parse_ts_opt(self.finished_at.as_deref())?,
        })
    }
}

/// `rows_affected` 0 means no such job.
fn found(done: sqlx::sqlite::SqliteQueryResult) -> StoreResult<()> {
    if done.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

#[async_trait]
impl ExportStore for SqliteStore {
    async fn create_export_job(
        &self,
        job: NewExportJob,
        mut audit: NewAuditEntry,
    ) -> StoreResult<ExportJob> {
        let mut tx = begin_write(&self.pool).await?;
        let row: ExportRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO export_jobs (account_id, kind, format, params, status, progress, \
             rows_written, total_rows, attempts, created_at) \
             VALUES (?, ?, ?, ?, ?, 0, 0, ?, 0, ?) RETURNING {EXPORT_COLS}"
        )))
        .bind(job.account_id)
        .bind(&job.kind)
        .bind(&job.format)
        .bind(job.params.to_string())
        .bind(ExportStatus::Queued.as_str())
        .bind(job.total_rows)
        .bind(ts(job.created_at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if e.as_database_error()
                .is_some_and(|d| d.is_foreign_key_violation())
            {
                StoreError::InvalidReference("account")
            } else {
                db(e)
            }
        })?;
        if audit.target_id.is_none() {
            audit.target_id = Some(row.id.to_string());
        }
        append_in_tx(&mut tx, audit).await?;
        tx.commit().await.map_err(db)?;
        row.into_model()
    }

    async fn get_export_job(&self, account_id: AccountId, id: i64) -> StoreResult<ExportJob> {
        let row: Option<ExportRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {EXPORT_COLS} FROM export_jobs WHERE id = ? AND account_id = ?"
        )))
        .bind(id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.ok_or(StoreError::NotFound)?.into_model()
    }

    async fn list_export_jobs(
        &self,
        account_id: AccountId,
        limit: i64,
    ) -> StoreResult<Vec<ExportJob>> {
        let rows: Vec<ExportRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {EXPORT_COLS} FROM export_jobs WHERE account_id = ? \
             ORDER BY id DESC LIMIT ?"
        )))
        .bind(account_id)
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(ExportRow::into_model).collect()
    }

    async fn claim_export_job(
        &self,
        now: DateTime<Utc>,
        lease: TimeDelta,
        max_attempts: i32,
    ) -> StoreResult<Option<ExportJob>> {
        let mut tx = begin_write(&self.pool).await?;
        // Jobs whose last attempt's lease ran out are given up.
        sqlx::query(
            "UPDATE export_jobs SET status = 'failed', error = ?, finished_at = ?, \
             lease_until = NULL \
             WHERE status = 'running' AND lease_until <= ? AND attempts >= ?",
        )
        .bind(GAVE_UP)
        .bind(ts(now))
        .bind(ts(now))
        .bind(max_attempts)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let row: Option<ExportRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE export_jobs SET status = 'running', lease_until = ?, \
             attempts = attempts + 1, started_at = ? \
             WHERE id = (SELECT id FROM export_jobs WHERE status = 'queued' \
               OR (status = 'running' AND lease_until <= ? AND attempts < ?) \
               ORDER BY id LIMIT 1) \
             RETURNING {EXPORT_COLS}"
        )))
        .bind(ts(now + lease))
        .bind(ts(now))
        .bind(ts(now))
        .bind(max_attempts)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        row.map(ExportRow::into_model).transpose()
    }

    async fn update_export_progress(
        &self,
        id: i64,
        rows_written: i64,
        progress: i32,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE export_jobs SET rows_written = ?, progress = ?, lease_until = ? WHERE id = ?",
        )
        .bind(rows_written)
        .bind(progress.clamp(0, 100))
        .bind(ts(lease_until))
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        found(done)
    }

    async fn finish_export_job(
        &self,
        id: i64,
        outcome: ExportOutcome,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let done = match outcome {
            ExportOutcome::Done {
                file_name,
                file_size,
                rows,
            } => sqlx::query(
                "UPDATE export_jobs SET status = 'done', progress = 100, rows_written = ?, \
                 file_name = ?, file_size = ?, error = NULL, lease_until = NULL, \
                 finished_at = ? WHERE id = ?",
            )
            .bind(rows)
            .bind(file_name)
            .bind(file_size)
            .bind(ts(at))
            .bind(id),
            ExportOutcome::Failed { error } => sqlx::query(
                "UPDATE export_jobs SET status = 'failed', error = ?, lease_until = NULL, \
                 finished_at = ? WHERE id = ?",
            )
            .bind(error)
            .bind(ts(at))
            .bind(id),
        }
        .execute(&self.pool)
        .await
        .map_err(db)?;
        found(done)
    }
}
