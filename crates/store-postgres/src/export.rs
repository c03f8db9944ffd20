//! Background export jobs. Workers on any instance claim with `FOR UPDATE SKIP LOCKED`, so
//! two never take the same job, and hold a lease that a crashed worker's job outlives.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::FromRow;
use zongzhi_core::account::AccountId;
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_store::{
    ExportJob, ExportOutcome, ExportStatus, ExportStore, NewExportJob, StoreError, StoreResult,
};

use crate::PgStore;
use crate::audit::{append, default_target};
use crate::cases::parse_enum;
use crate::error::db;
use crate::rows::convert;

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
    params: serde_json::Value,
    status: String,
    progress: i32,
    rows_written: i64,
    total_rows: i64,
    file_name: Option<String>,
    file_size: Option<i64>,
    error: Option<String>,
    attempts: i32,
    lease_until: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

impl ExportRow {
    fn into_model(self) -> StoreResult<ExportJob> {
        Ok(ExportJob {
            id: self.id,
            account_id: self.account_id,
            kind: self.kind,
            format: self.format,
            params: self.params,
            status: parse_enum("export status", &self.status, ExportStatus::parse)?,
            progress: self.progress,
            rows_written: self.rows_written,
            total_rows: self.total_rows,
            file_name: self.file_name,
            file_size: self.file_size,
            error: self.error,
            attempts: self.attempts,
            lease_until: self.lease_until,
            created_at: self.created_at,
            started_at: self.started_at,
            finished_at: self.finished_at,
        })
    }
}

/// `rows_affected` 0 means no such job.
fn found(done: sqlx::postgres::PgQueryResult) -> StoreResult<()> {
    if done.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

#[async_trait]
impl ExportStore for PgStore {
    async fn create_export_job(
        &self,
        job: NewExportJob,
        audit: NewAuditEntry,
    ) -> StoreResult<ExportJob> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let row: ExportRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO export_jobs (account_id, kind, format, params, status, progress, \
             rows_written, total_rows, attempts, created_at) \
             VALUES ($1, $2, $3, $4, $5, 0, 0, $6, 0, $7) RETURNING {EXPORT_COLS}"
        )))
        .bind(job.account_id)
        .bind(&job.kind)
        .bind(&job.format)
        .bind(&job.params)
        .bind(ExportStatus::Queued.as_str())
        .bind(job.total_rows)
        .bind(job.created_at)
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
        append(&mut tx, default_target(audit, row.id)).await?;
        tx.commit().await.map_err(db)?;
        row.into_model()
    }

    async fn get_export_job(&self, account_id: AccountId, id: i64) -> StoreResult<ExportJob> {
        let row: Option<ExportRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {EXPORT_COLS} FROM export_jobs WHERE id = $1 AND account_id = $2"
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
            "SELECT {EXPORT_COLS} FROM export_jobs WHERE account_id = $1 \
             ORDER BY id DESC LIMIT $2"
        )))
        .bind(account_id)
        .bind(limit.max(0))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        convert(rows, ExportRow::into_model)
    }

    async fn claim_export_job(
        &self,
        now: DateTime<Utc>,
        lease: TimeDelta,
        max_attempts: i32,
    ) -> StoreResult<Option<ExportJob>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Jobs whose last attempt's lease ran out are given up. SKIP LOCKED: a job another
        // worker is claiming right now is theirs to decide.
        sqlx::query(
            "UPDATE export_jobs SET status = 'failed', error = $1, finished_at = $2, \
             lease_until = NULL \
             WHERE id IN (SELECT id FROM export_jobs WHERE status = 'running' \
               AND lease_until <= $2 AND attempts >= $3 ORDER BY id FOR UPDATE SKIP LOCKED)",
        )
        .bind(GAVE_UP)
        .bind(now)
        .bind(max_attempts)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let row: Option<ExportRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE export_jobs SET status = 'running', lease_until = $2, \
             attempts = attempts + 1, started_at = $1 \
             WHERE id = (SELECT id FROM export_jobs WHERE status = 'queued' \
               OR (status = 'running' AND lease_until <= $1 AND attempts < $3) \
               ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING {EXPORT_COLS}"
        )))
        .bind(now)
        .bind(now + lease)
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
            "UPDATE export_jobs SET rows_written = $2, progress = $3, lease_until = $4 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(rows_written)
        .bind(progress.clamp(0, 100))
        .bind(lease_until)
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
                "UPDATE export_jobs SET status = 'done', progress = 100, rows_written = $2, \
                 file_name = $3, file_size = $4, error = NULL, lease_until = NULL, \
                 finished_at = $5 WHERE id = $1",
            )
            .bind(id)
            .bind(rows)
            .bind(file_name)
            .bind(file_size)
            .bind(at),
            ExportOutcome::Failed { error } => sqlx::query(
                "UPDATE export_jobs SET status = 'failed', error = $2, lease_until = NULL, \
                 finished_at = $3 WHERE id = $1",
            )
            .bind(id)
            .bind(error)
            .bind(at),
        }
        .execute(&self.pool)
        .await
        .map_err(db)?;
        found(done)
    }
}
