//! The export worker: claims a job with a lease, runs it as its requester (scope derived
//! from the account as it is now), writes the file through a temporary name and a rename,
//! and ends the job. Logs ids and counts only.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use zongzhi_core::account::AccountStatus;
use zongzhi_core::role::{Permission, Scope, roles_grant};
use zongzhi_store::{Account, ExportJob, ExportOutcome, OrgUnit, StoreError};

use super::{
    ExportFormat, ExportKind, ExportParams, LEASE_SECONDS, MAX_ATTEMPTS, RETRY_DELAY_SECONDS,
    exports_dir, reports, table,
};
use crate::state::AppState;

/// Why a run stopped.
#[derive(Debug)]
pub(crate) enum JobError {
    /// Will not get better by retrying: the job fails with this code now.
    Permanent(&'static str),
    /// Worth another attempt (database or disk trouble); the cause is logged.
    Transient(anyhow::Error),
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> Self {
        Self::Transient(e.into())
    }
}

impl From<std::io::Error> for JobError {
    fn from(e: std::io::Error) -> Self {
        Self::Transient(e.into())
    }
}

impl From<zongzhi_report::ReportError> for JobError {
    fn from(e: zongzhi_report::ReportError) -> Self {
        Self::Transient(e.into())
    }
}

impl From<tokio::task::JoinError> for JobError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Transient(e.into())
    }
}

/// What a running job knows: the job, its requester now, and where its file goes.
pub(crate) struct JobCtx<'a> {
    pub state: &'a AppState,
    pub job: &'a ExportJob,
    pub kind: ExportKind,
    pub format: ExportFormat,
    pub params: ExportParams,
    pub account: Account,
    pub scope: Scope,
    /// The exported subtree's root, read in the requester's scope.
    pub unit: OrgUnit,
    /// The temporary file this job (and only this job) writes.
    pub tmp: PathBuf,
}

impl JobCtx<'_> {
    /// Records progress and extends the lease.
    pub async fn progress(&self, rows: i64, progress: i32) -> Result<(), JobError> {
        let lease_until = self.state.clock.now() + lease();
        self.state
            .store
            .update_export_progress(self.job.id, rows, progress.clamp(0, 99), lease_until)
            .await?;
        Ok(())
    }
}

fn lease() -> TimeDelta {
    TimeDelta::seconds(LEASE_SECONDS)
}

/// How long a job given back after a transient failure waits before its next attempt.
fn retry_delay() -> TimeDelta {
    TimeDelta::seconds(RETRY_DELAY_SECONDS)
}

/// The requester as they are now: a disabled or deleted account, a lost permission or a
/// unit no longer in their scope is `scope_lost`.
async fn requester(
    state: &AppState,
    job: &ExportJob,
    unit: i64,
) -> Result<(Account, Scope, OrgUnit), JobError> {
    let account = match state.store.get_account_by_id(job.account_id).await {
        Ok(a) => a,
        Err(StoreError::NotFound) => return Err(JobError::Permanent("scope_lost")),
        Err(e) => return Err(e.into()),
    };
    if account.status != AccountStatus::Active
        || !roles_grant(&account.roles, Permission::ExportCases)
    {
        return Err(JobError::Permanent("scope_lost"));
    }
    let scope = Scope {
        org_unit_id: account.org_unit_id,
        org_path: account.org_path.clone(),
        department_id: account.department_id,
    };
    match state.store.get_org_unit(&scope, unit).await {
        Ok(u) => Ok((account, scope, u)),
        Err(StoreError::NotFound) => Err(JobError::Permanent("scope_lost")),
        Err(e) => Err(e.into()),
    }
}

/// Runs a claimed job to its file; answers the outcome to record.
async fn run_job(state: &AppState, job: &ExportJob) -> Result<ExportOutcome, JobError> {
    let (Some(kind), Some(format)) = (
        ExportKind::parse(&job.kind),
        ExportFormat::parse(&job.format),
    ) else {
        return Err(JobError::Permanent("export_failed"));
    };
    let params: ExportParams = serde_json::from_value(job.params.clone())
        .map_err(|_| JobError::Permanent("export_failed"))?;
    let (account, scope, unit) = requester(state, job, params.org_unit_id).await?;
    let dir = exports_dir(state);
    tokio::fs::create_dir_all(&dir).await?;
    let ext = format.as_str();
    let ctx = JobCtx {
        state,
        job,
        kind,
        format,
        params,
        account,
        scope,
        unit,
        tmp: dir.join(format!(".{}.part.{ext}", job.id)),
    };
    let rows = if kind.is_report() {
        reports::write(&ctx).await?
    } else {
        table::write(&ctx).await?
    };
    let file_name = format!("{}-{:016x}.{ext}", job.id, rand::random::<u64>());
    let path = dir.join(&file_name);
    tokio::fs::rename(&ctx.tmp, &path).await?;
    let file_size = tokio::fs::metadata(&path).await?.len();
    Ok(ExportOutcome::Done {
        file_name,
        file_size: i64::try_from(file_size).unwrap_or(i64::MAX),
        rows,
    })
}

/// Removes a job's temporary file if a failed run left one.
async fn remove_tmp(dir: &Path, id: i64) {
    for ext in ["xlsx", "pdf"] {
        let _ = tokio::fs::remove_file(dir.join(format!(".{id}.part.{ext}"))).await;
    }
}

/// Claims and runs one job, if any is waiting; answers its id. A transient failure gives
/// the job back (its lease ends [`RETRY_DELAY_SECONDS`] later) for the next attempt; after
/// [`MAX_ATTEMPTS`] the store fails it with `export_failed` on the next claim.
pub async fn run_once(state: &AppState) -> anyhow::Result<Option<i64>> {
    let now: DateTime<Utc> = state.clock.now();
    let Some(job) = state
        .store
        .claim_export_job(now, lease(), MAX_ATTEMPTS)
        .await?
    else {
        return Ok(None);
    };
    let id = job.id;
    match run_job(state, &job).await {
        Ok(outcome) => {
            if let ExportOutcome::Done {
                rows, file_size, ..
            } = &outcome
            {
                tracing::info!(job = id, rows, bytes = file_size, "export done");
            }
            state
                .store
                .finish_export_job(id, outcome, state.clock.now())
                .await?;
        }
        Err(JobError::Permanent(code)) => {
            tracing::warn!(job = id, code, "export failed");
            remove_tmp(&exports_dir(state), id).await;
            let outcome = ExportOutcome::Failed {
                error: code.to_owned(),
            };
            state
                .store
                .finish_export_job(id, outcome, state.clock.now())
                .await?;
        }
        Err(JobError::Transient(e)) => {
            tracing::warn!(job = id, attempt = job.attempts, error = %e, "export attempt failed; will retry");
            remove_tmp(&exports_dir(state), id).await;
            state
                .store
                .update_export_progress(id, 0, 0, state.clock.now() + retry_delay())
                .await?;
        }
    }
    Ok(Some(id))
}

/// Runs queued jobs every `config.jobs.export_interval_seconds` (not at all when 0) until
/// the runtime shuts down; each pass runs jobs until none is waiting. A failing or
/// panicking pass is logged and the next one runs on time.
pub fn spawn_export_worker(state: AppState) -> tokio::task::JoinHandle<()> {
    let secs = state.config.jobs.export_interval_seconds;
    tokio::spawn(async move {
        if secs == 0 {
            tracing::info!("export worker disabled on this instance");
            return;
        }
        let mut tick = tokio::time::interval(Duration::from_secs(secs));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let s = state.clone();
            // Its own task, so that even a panic leaves the worker running.
            let pass = tokio::spawn(async move {
                let mut ran = 0usize;
                while run_once(&s).await?.is_some() {
                    ran += 1;
                }
                anyhow::Ok(ran)
            });
            match pass.await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "export pass failed; retrying next interval")
                }
                Err(e) => {
                    tracing::error!(error = %e, "export pass panicked; retrying next interval")
                }
            }
        }
    })
}
