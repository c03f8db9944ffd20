//! Cases: creation, the event-sourced projection, reads, lists and bulk import.
//!
//! Visibility (see `zongzhi_store::case`) is one SQL predicate on the case alias `c`
//! ([`push_visible`]), used by every read, count, list and write. Writes take the case row's
//! lock with `SELECT … WHERE version = $n FOR UPDATE` (uploads, which do not change the
//! version, without the version test), so the event sequence of a case is assigned serially
//! even with several app instances. Every case write then adds its rollup delta
//! ([`crate::rollup`], sorted keys) and only then appends its audit row, so all writers take
//! the case row, the rollup rows and the audit head in that order.

mod batch;
mod children;
mod create;
mod import;
mod list;
mod points;
mod read;
mod rows;
mod write;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, Postgres, QueryBuilder};
use zongzhi_core::account::AccountId;
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::case::CaseId;
use zongzhi_core::role::Scope;
use zongzhi_store::{
    Attachment, Case, CaseDetail, CaseFilter, CaseStore, CaseUpdate, CreatedCase,
    DeadlineCandidate, ImportedCase, NewAttachment, NewCase, Page, StoreError, StoreResult,
};

use crate::PgStore;
use crate::error::db;
use rows::CASE_SELECT;

pub(crate) use points::case_points;
pub(crate) use rows::{CASE_STATE_SELECT, CaseRow, parse_enum, parse_unit, unit_str};

/// Pushes ` AND <the case c is visible to scope>`.
///
/// A department handler sees what their department holds or has held; everyone else sees
/// a case whose location, responsible center or holding center is in their subtree (three
/// indexed path ranges).
pub(crate) fn push_visible(qb: &mut QueryBuilder<Postgres>, scope: &Scope) {
    if let Some(dept) = scope.department_id {
        qb.push(
            " AND EXISTS (SELECT 1 FROM case_departments v \
             WHERE v.case_id = c.id AND v.department_id = ",
        )
        .push_bind(dept)
        .push(")");
        return;
    }
    let (lo, hi) = scope.path_range();
    qb.push(" AND (");
    for (i, col) in ["c.org_path", "c.center_path", "c.holder_path"]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            qb.push(" OR ");
        }
        qb.push(format_args!("({col} >= "))
            .push_bind(lo.clone())
            .push(format_args!(" AND {col} < "))
            .push_bind(hi.clone())
            .push(")");
    }
    qb.push(")");
}

/// Maps a driver error from a case write: the case tables' constraints first, then the
/// backend's general mapping.
pub(crate) fn case_db(e: sqlx::Error) -> StoreError {
    if let Some(d) = e.as_database_error()
        && let Some(constraint) = d.constraint()
    {
        if d.is_unique_violation() {
            match constraint {
                "cases_tracking_no_key" => return StoreError::Conflict("tracking_no_taken"),
                "cases_idempotency_key" => return StoreError::Conflict("idempotency_key_taken"),
                _ => {}
            }
        }
        if d.is_foreign_key_violation() {
            let code = match constraint {
                "cases_category_code_fkey" => Some("category_code"),
                "cases_org_unit_id_fkey" | "cases_holder_unit_id_fkey" => Some("org_unit_id"),
                "cases_center_unit_id_fkey" => Some("center_unit_id"),
                "cases_holder_department_id_fkey" => Some("department_id"),
                "case_departments_department_id_fkey" => Some("co_handler_ids"),
                "cases_master_case_id_fkey" => Some("master_case_id"),
                "cases_created_by_fkey" => Some("created_by"),
                "case_events_actor_id_fkey" => Some("actor_id"),
                "case_attachments_uploaded_by_fkey" => Some("uploaded_by"),
                _ => None,
            };
            if let Some(code) = code {
                return StoreError::InvalidReference(code);
            }
        }
    }
    db(e)
}

/// One case by id: visible to `scope`, or any case for `None` (the system, replays).
pub(crate) async fn fetch_case(
    conn: &mut PgConnection,
    scope: Option<&Scope>,
    id: CaseId,
) -> StoreResult<Case> {
    let mut qb = QueryBuilder::new(CASE_SELECT);
    qb.push(" WHERE c.id = ").push_bind(id);
    if let Some(scope) = scope {
        push_visible(&mut qb, scope);
    }
    let row: Option<CaseRow> = qb.build_query_as().fetch_optional(conn).await.map_err(db)?;
    row.ok_or(StoreError::NotFound)?.into_model()
}

#[async_trait]
impl CaseStore for PgStore {
    async fn create_case(
        &self,
        scope: &Scope,
        new: NewCase,
        audit: NewAuditEntry,
    ) -> StoreResult<CreatedCase> {
        create::create_case(&self.pool, scope, new, audit).await
    }

    async fn get_case(&self, scope: &Scope, id: CaseId) -> StoreResult<CaseDetail> {
        read::get_case(&self.pool, scope, id).await
    }

    async fn case_parties(
        &self,
        scope: &Scope,
        ids: &[CaseId],
    ) -> StoreResult<std::collections::HashMap<CaseId, Vec<zongzhi_store::Party>>> {
        read::case_parties(&self.pool, scope, ids).await
    }

    async fn list_cases(&self, scope: &Scope, filter: &CaseFilter) -> StoreResult<Page<Case>> {
        list::list_cases(&self.pool, scope, filter).await
    }

    async fn count_cases(&self, scope: &Scope, filter: &CaseFilter) -> StoreResult<i64> {
        list::count_cases(&self.pool, scope, filter).await
    }

    async fn apply_case_event(
        &self,
        scope: &Scope,
        update: CaseUpdate,
        audit: NewAuditEntry,
    ) -> StoreResult<Case> {
        write::apply(&self.pool, Some(scope), update, audit).await
    }

    async fn add_attachments(
        &self,
        scope: &Scope,
        case_id: CaseId,
        actor_id: AccountId,
        at: DateTime<Utc>,
        files: Vec<NewAttachment>,
        audit: NewAuditEntry,
    ) -> StoreResult<Vec<Attachment>> {
        write::add_attachments(&self.pool, scope, case_id, actor_id, at, files, audit).await
    }

    async fn attachment_hash_in_use(&self, content_hash: &str) -> StoreResult<bool> {
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM case_attachments WHERE content_hash = $1)")
            .bind(content_hash)
            .fetch_one(&self.pool)
            .await
            .map_err(db)
    }

    async fn import_cases(
        &self,
        cases: Vec<ImportedCase>,
        audit: NewAuditEntry,
    ) -> StoreResult<usize> {
        import::import_cases(&self.pool, cases, audit).await
    }

    async fn deadline_candidates(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<DeadlineCandidate>> {
        list::deadline_candidates(&self.pool, now, limit).await
    }

    async fn apply_system_event(
        &self,
        update: CaseUpdate,
        audit: NewAuditEntry,
    ) -> StoreResult<Case> {
        write::apply(&self.pool, None, update, audit).await
    }
}
