//! The store traits on [`SqliteStore`], delegating to the per-table modules.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use zongzhi_core::account::{AccountId, LockoutRule};
use zongzhi_core::audit::{AuditEntry, NewAuditEntry};
use zongzhi_core::calendar::DayOverride;
use zongzhi_core::case::CaseId;
use zongzhi_core::case::limits::TimeLimitRule;
use zongzhi_core::org::{DepartmentId, OrgUnitId};
use zongzhi_core::role::Scope;
use zongzhi_store::{
    Account, AccountFilter, AccountPatch, AccountStore, Attachment, AuditFilter, AuditStore,
    CalendarFilter, CalendarRow, Case, CaseDetail, CaseFilter, CaseStore, CaseUpdate, Category,
    CategoryPatch, CategorySeedRow, CategoryStore, CreatedCase, DeadlineCandidate, Department,
    DepartmentFilter, DepartmentPatch, ImportedCase, LoginFailureState, LoginRecord, NewAccount,
    NewAttachment, NewCase, NewCategory, NewDepartment, NewOrgUnit, OrgStore, OrgUnit,
    OrgUnitFilter, OrgUnitPatch, Page, Session, SessionStage, SessionStore, StoreResult,
    TimeLimitRow, TimingStore,
};

use crate::{
    SqliteStore, account_writes, accounts, audit, cases, categories, departments, org_units,
    sessions, timing,
};

#[async_trait]
impl OrgStore for SqliteStore {
    async fn create_org_unit(
        &self,
        scope: &Scope,
        new: NewOrgUnit,
        audit: NewAuditEntry,
    ) -> StoreResult<OrgUnit> {
        org_units::create(&self.pool, scope, new, audit).await
    }

    async fn get_org_unit(&self, scope: &Scope, id: OrgUnitId) -> StoreResult<OrgUnit> {
        org_units::fetch(&self.pool, scope, id).await
    }

    async fn list_org_units(
        &self,
        scope: &Scope,
        filter: &OrgUnitFilter,
    ) -> StoreResult<Page<OrgUnit>> {
        org_units::list(&self.pool, scope, filter).await
    }

    async fn count_org_units(&self, scope: &Scope, filter: &OrgUnitFilter) -> StoreResult<i64> {
        org_units::count(&self.pool, scope, filter).await
    }

    async fn update_org_unit(
        &self,
        scope: &Scope,
        id: OrgUnitId,
        patch: OrgUnitPatch,
        audit: NewAuditEntry,
    ) -> StoreResult<OrgUnit> {
        org_units::update(&self.pool, scope, id, patch, audit).await
    }

    async fn create_department(
        &self,
        scope: &Scope,
        new: NewDepartment,
        audit: NewAuditEntry,
    ) -> StoreResult<Department> {
        departments::create(&self.pool, scope, new, audit).await
    }

    async fn get_department(&self, scope: &Scope, id: DepartmentId) -> StoreResult<Department> {
        departments::fetch(&self.pool, scope, id).await
    }

    async fn list_departments(
        &self,
        scope: &Scope,
        filter: &DepartmentFilter,
    ) -> StoreResult<Page<Department>> {
        departments::list(&self.pool, scope, filter).await
    }

    async fn count_departments(
        &self,
        scope: &Scope,
        filter: &DepartmentFilter,
    ) -> StoreResult<i64> {
        departments::count(&self.pool, scope, filter).await
    }

    async fn update_department(
        &self,
        scope: &Scope,
        id: DepartmentId,
        patch: DepartmentPatch,
        audit: NewAuditEntry,
    ) -> StoreResult<Department> {
        departments::update(&self.pool, scope, id, patch, audit).await
    }
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_account(
        &self,
        scope: &Scope,
        new: NewAccount,
        audit: NewAuditEntry,
    ) -> StoreResult<Account> {
        account_writes::create(&self.pool, scope, new, audit).await
    }

    async fn get_account(&self, scope: &Scope, id: AccountId) -> StoreResult<Account> {
        accounts::fetch(&self.pool, scope, id).await
    }

    async fn list_accounts(
        &self,
        scope: &Scope,
        filter: &AccountFilter,
    ) -> StoreResult<Page<Account>> {
        accounts::list(&self.pool, scope, filter).await
    }

    async fn count_accounts(&self, scope: &Scope, filter: &AccountFilter) -> StoreResult<i64> {
        accounts::count(&self.pool, scope, filter).await
    }

    async fn update_account(
        &self,
        scope: &Scope,
        id: AccountId,
        patch: AccountPatch,
        audit: NewAuditEntry,
    ) -> StoreResult<Account> {
        account_writes::update(&self.pool, scope, id, patch, audit).await
    }

    async fn set_password(
        &self,
        scope: &Scope,
        id: AccountId,
        password_hash: &str,
        must_change: bool,
        audit: NewAuditEntry,
    ) -> StoreResult<()> {
        account_writes::set_password(&self.pool, scope, id, password_hash, must_change, audit).await
    }

    async fn unlock_account(
        &self,
        scope: &Scope,
        id: AccountId,
        audit: NewAuditEntry,
    ) -> StoreResult<()> {
        account_writes::unlock(&self.pool, scope, id, audit).await
    }

    async fn find_login(&self, username: &str) -> StoreResult<Option<LoginRecord>> {
        accounts::find_login(&self.pool, username).await
    }

    async fn get_account_by_id(&self, id: AccountId) -> StoreResult<Account> {
        accounts::fetch_any(&self.pool, id).await
    }

    async fn record_login_failure(
        &self,
        id: AccountId,
        now: DateTime<Utc>,
        rule: LockoutRule,
        audit: NewAuditEntry,
    ) -> StoreResult<LoginFailureState> {
        account_writes::login_failure(&self.pool, id, now, rule, audit).await
    }

    async fn record_login_success(
        &self,
        id: AccountId,
        now: DateTime<Utc>,
        audit: NewAuditEntry,
    ) -> StoreResult<()> {
        account_writes::login_success(&self.pool, id, now, audit).await
    }

    async fn set_totp(
        &self,
        id: AccountId,
        secret_enc: Option<String>,
        enabled: bool,
        audit: NewAuditEntry,
    ) -> StoreResult<()> {
        account_writes::set_totp(&self.pool, id, secret_enc, enabled, audit).await
    }

    async fn use_totp_step(&self, id: AccountId, step: i64) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE accounts SET totp_last_step = ? \
             WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
        )
        .bind(step)
        .bind(id)
        .bind(step)
        .execute(&self.pool)
        .await
        .map_err(zongzhi_store::StoreError::backend)?;
        Ok(r.rows_affected() == 1)
    }

    async fn get_totp_secret(&self, id: AccountId) -> StoreResult<Option<String>> {
        accounts::totp_secret(&self.pool, id).await
    }
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn create_session(&self, s: &Session) -> StoreResult<()> {
        sessions::create(&self.pool, s).await
    }

    async fn get_session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        sessions::get(&self.pool, token_hash).await
    }

    async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<()> {
        sessions::touch(&self.pool, token_hash, now).await
    }

    async fn set_session_stage(&self, token_hash: &str, stage: SessionStage) -> StoreResult<()> {
        sessions::set_stage(&self.pool, token_hash, stage).await
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sessions::delete(&self.pool, token_hash).await
    }

    async fn delete_sessions_for(&self, account_id: AccountId) -> StoreResult<()> {
        sessions::delete_for(&self.pool, account_id).await
    }
}

#[async_trait]
impl AuditStore for SqliteStore {
    async fn append_audit(&self, entry: NewAuditEntry) -> StoreResult<AuditEntry> {
        audit::append(&self.pool, entry).await
    }

    async fn list_audit(&self, filter: &AuditFilter) -> StoreResult<Page<AuditEntry>> {
        audit::list(&self.pool, filter).await
    }

    async fn count_audit(&self, filter: &AuditFilter) -> StoreResult<i64> {
        audit::count(&self.pool, filter).await
    }

    async fn audit_chain(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        audit::chain(&self.pool, after, limit).await
    }
}

#[async_trait]
impl CategoryStore for SqliteStore {
    async fn list_categories(&self, include_inactive: bool) -> StoreResult<Vec<Category>> {
        categories::list(&self.pool, include_inactive).await
    }

    async fn get_category(&self, code: &str) -> StoreResult<Category> {
        categories::fetch(&self.pool, code).await
    }

    async fn create_category(
        &self,
        new: NewCategory,
        audit: NewAuditEntry,
    ) -> StoreResult<Category> {
        categories::create(&self.pool, new, audit).await
    }

    async fn update_category(
        &self,
        code: &str,
        patch: CategoryPatch,
        audit: NewAuditEntry,
    ) -> StoreResult<Category> {
        categories::update(&self.pool, code, patch, audit).await
    }

    async fn seed_categories_if_empty(
        &self,
        rows: &[CategorySeedRow],
        audit: NewAuditEntry,
    ) -> StoreResult<usize> {
        categories::seed_if_empty(&self.pool, rows, audit).await
    }
}

#[async_trait]
impl CaseStore for SqliteStore {
    async fn create_case(
        &self,
        scope: &Scope,
        new: NewCase,
        audit: NewAuditEntry,
    ) -> StoreResult<CreatedCase> {
        cases::create(&self.pool, scope, new, audit).await
    }

    async fn get_case(&self, scope: &Scope, id: CaseId) -> StoreResult<CaseDetail> {
        cases::get(&self.pool, scope, id).await
    }

    async fn case_parties(
        &self,
        scope: &Scope,
        ids: &[CaseId],
    ) -> StoreResult<std::collections::HashMap<CaseId, Vec<zongzhi_store::Party>>> {
        cases::parties(&self.pool, scope, ids).await
    }

    async fn list_cases(&self, scope: &Scope, filter: &CaseFilter) -> StoreResult<Page<Case>> {
        cases::list(&self.pool, scope, filter).await
    }

    async fn count_cases(&self, scope: &Scope, filter: &CaseFilter) -> StoreResult<i64> {
        cases::count(&self.pool, scope, filter).await
    }

    async fn apply_case_event(
        &self,
        scope: &Scope,
        update: CaseUpdate,
        audit: NewAuditEntry,
    ) -> StoreResult<Case> {
        cases::apply(&self.pool, Some(scope), update, audit).await
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
        cases::add_attachments(&self.pool, scope, case_id, actor_id, at, files, audit).await
    }

    async fn attachment_hash_in_use(&self, content_hash: &str) -> StoreResult<bool> {
        cases::hash_in_use(&self.pool, content_hash).await
    }

    async fn import_cases(
        &self,
        cases: Vec<ImportedCase>,
        audit: NewAuditEntry,
    ) -> StoreResult<usize> {
        cases::import(&self.pool, cases, audit).await
    }

    async fn deadline_candidates(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<DeadlineCandidate>> {
        cases::deadline_candidates(&self.pool, now, limit).await
    }

    async fn apply_system_event(
        &self,
        update: CaseUpdate,
        audit: NewAuditEntry,
    ) -> StoreResult<Case> {
        cases::apply(&self.pool, None, update, audit).await
    }
}

#[async_trait]
impl TimingStore for SqliteStore {
    async fn list_time_limits(&self) -> StoreResult<Vec<TimeLimitRow>> {
        timing::list_limits(&self.pool).await
    }

    async fn create_time_limit(
        &self,
        rule: TimeLimitRule<String>,
        audit: NewAuditEntry,
    ) -> StoreResult<TimeLimitRow> {
        timing::create_limit(&self.pool, rule, audit).await
    }

    async fn update_time_limit(
        &self,
        id: i64,
        rule: TimeLimitRule<String>,
        active: bool,
        audit: NewAuditEntry,
    ) -> StoreResult<TimeLimitRow> {
        timing::update_limit(&self.pool, id, rule, active, audit).await
    }

    async fn seed_time_limits_if_empty(
        &self,
        rules: &[TimeLimitRule<String>],
        audit: NewAuditEntry,
    ) -> StoreResult<usize> {
        timing::seed_limits_if_empty(&self.pool, rules, audit).await
    }

    async fn list_calendar(&self, filter: CalendarFilter) -> StoreResult<Vec<CalendarRow>> {
        timing::list_calendar(&self.pool, filter).await
    }

    async fn put_calendar_day(
        &self,
        day: DayOverride,
        audit: NewAuditEntry,
    ) -> StoreResult<CalendarRow> {
        timing::put_day(&self.pool, day, audit).await
    }

    async fn remove_calendar_day(
        &self,
        date: chrono::NaiveDate,
        audit: NewAuditEntry,
    ) -> StoreResult<()> {
        timing::remove_day(&self.pool, date, audit).await
    }

    async fn seed_calendar_if_empty(
        &self,
        days: &[DayOverride],
        audit: NewAuditEntry,
    ) -> StoreResult<usize> {
        timing::seed_calendar_if_empty(&self.pool, days, audit).await
    }
}
