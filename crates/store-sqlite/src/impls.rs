//! The store traits on [`SqliteStore`], delegating to the per-table modules.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use zongzhi_core::account::{AccountId, LockoutRule};
use zongzhi_core::audit::{AuditEntry, NewAuditEntry};
use zongzhi_core::org::{DepartmentId, OrgUnitId};
use zongzhi_core::role::Scope;
use zongzhi_store::{
    Account, AccountFilter, AccountPatch, AccountStore, AuditFilter, AuditStore, Category,
    CategoryPatch, CategorySeedRow, CategoryStore, Department, DepartmentFilter, DepartmentPatch,
    LoginFailureState, LoginRecord, NewAccount, NewCategory, NewDepartment, NewOrgUnit, OrgStore,
    OrgUnit, OrgUnitFilter, OrgUnitPatch, Page, Session, SessionStage, SessionStore, StoreResult,
};

use crate::{
    SqliteStore, account_writes, accounts, audit, categories, departments, org_units, sessions,
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
