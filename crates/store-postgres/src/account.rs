//! Accounts and their credentials.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use zongzhi_core::account::{AccountId, AccountStatus, LockoutRule};
use zongzhi_core::audit::NewAuditEntry;
use zongzhi_core::role::Scope;
use zongzhi_store::{
    Account, AccountFilter, AccountPatch, AccountStore, LoginFailureState, LoginRecord, NewAccount,
    Page, StoreError, StoreResult, page_limit,
};

use crate::PgStore;
use crate::account_sql::{
    account, department_in_scope, end_sessions, lock_in_scope, push_filter, update_by_id,
};
use crate::audit::{append, default_target};
use crate::error::db;
use crate::org::unit_in_scope;
use crate::query::{IdCursor, empty_page, finish_page, id_cursor, push_limit};
use crate::rows::{ACCOUNT_SELECT, AccountRow, convert, roles_text};

#[async_trait]
impl AccountStore for PgStore {
    async fn create_account(
        &self,
        scope: &Scope,
        new: NewAccount,
        audit: NewAuditEntry,
    ) -> StoreResult<Account> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        if !unit_in_scope(&mut tx, scope, new.org_unit_id).await? {
            return Err(StoreError::InvalidReference("org_unit"));
        }
        if let Some(d) = new.department_id
            && !department_in_scope(&mut tx, scope, d).await?
        {
            return Err(StoreError::InvalidReference("department"));
        }
        let now = Utc::now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (username, display_name, org_unit_id, department_id, roles, \
             status, password_hash, phone_enc, phone_index, phone_masked, failed_logins, \
             totp_enabled, must_change_password, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $9, 0, FALSE, $10, $11, $11) \
             RETURNING id",
        )
        .bind(new.username.as_str())
        .bind(new.display_name.as_str())
        .bind(new.org_unit_id)
        .bind(new.department_id)
        .bind(roles_text(&new.roles))
        .bind(&new.password_hash)
        .bind(&new.phone_enc)
        .bind(&new.phone_index)
        .bind(&new.phone_masked)
        .bind(new.must_change_password)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        let created = account(&mut tx, None, id).await?;
        append(&mut tx, default_target(audit, id)).await?;
        tx.commit().await.map_err(db)?;
        Ok(created)
    }

    async fn get_account(&self, scope: &Scope, id: AccountId) -> StoreResult<Account> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        account(&mut conn, Some(scope), id).await
    }

    async fn list_accounts(
        &self,
        scope: &Scope,
        filter: &AccountFilter,
    ) -> StoreResult<Page<Account>> {
        let limit = page_limit(filter.limit);
        let cursor = match id_cursor(filter.cursor.as_deref()) {
            IdCursor::Start => None,
            IdCursor::After(c) => Some(c),
            IdCursor::Invalid => return Ok(empty_page()),
        };
        let mut qb = QueryBuilder::new(ACCOUNT_SELECT);
        push_filter(&mut qb, scope, filter);
        if let Some(c) = cursor {
            qb.push(" AND a.id > ").push_bind(c);
        }
        qb.push(" ORDER BY a.id");
        push_limit(&mut qb, limit);
        let rows: Vec<AccountRow> = qb
            .build_query_as()
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        let items = convert(rows, AccountRow::into_model)?;
        Ok(finish_page(items, limit, |a| a.id.to_string()))
    }

    async fn count_accounts(&self, scope: &Scope, filter: &AccountFilter) -> StoreResult<i64> {
        let mut qb = QueryBuilder::new(
            "SELECT COUNT(*) FROM accounts a JOIN org_units o ON o.id = a.org_unit_id",
        );
        push_filter(&mut qb, scope, filter);
        qb.build_query_scalar()
            .fetch_one(&self.pool)
            .await
            .map_err(db)
    }

    async fn update_account(
        &self,
        scope: &Scope,
        id: AccountId,
        patch: AccountPatch,
        audit: NewAuditEntry,
    ) -> StoreResult<Account> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        lock_in_scope(&mut tx, scope, id).await?;
        if let Some(unit) = patch.org_unit_id
            && !unit_in_scope(&mut tx, scope, unit).await?
        {
            return Err(StoreError::InvalidReference("org_unit"));
        }
        if let Some(Some(d)) = patch.department_id
            && !department_in_scope(&mut tx, scope, d).await?
        {
            return Err(StoreError::InvalidReference("department"));
        }
        let mut qb = QueryBuilder::new("UPDATE accounts SET updated_at = ");
        qb.push_bind(Utc::now());
        if let Some(name) = &patch.display_name {
            qb.push(", display_name = ")
                .push_bind(name.as_str().to_owned());
        }
        if let Some(unit) = patch.org_unit_id {
            qb.push(", org_unit_id = ").push_bind(unit);
        }
        if let Some(dept) = patch.department_id {
            qb.push(", department_id = ").push_bind(dept);
        }
        if let Some(roles) = &patch.roles {
            qb.push(", roles = ").push_bind(roles_text(roles));
        }
        if let Some(status) = patch.status {
            qb.push(", status = ").push_bind(status.as_str());
        }
        if let Some(phone) = patch.phone {
            let (enc, idx, masked) = match phone {
                Some((e, i, m)) => (Some(e), Some(i), Some(m)),
                None => (None, None, None),
            };
            qb.push(", phone_enc = ")
                .push_bind(enc)
                .push(", phone_index = ")
                .push_bind(idx)
                .push(", phone_masked = ")
                .push_bind(masked);
        }
        qb.push(" WHERE id = ").push_bind(id);
        qb.build().execute(&mut *tx).await.map_err(db)?;
        let updated = account(&mut tx, None, id).await?;
        if updated.status == AccountStatus::Disabled {
            end_sessions(&mut tx, id).await?;
        }
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(updated)
    }

    async fn set_password(
        &self,
        scope: &Scope,
        id: AccountId,
        password_hash: &str,
        must_change: bool,
        audit: NewAuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        lock_in_scope(&mut tx, scope, id).await?;
        update_by_id(
            &mut tx,
            "UPDATE accounts SET password_hash = $2, must_change_password = $3, \
             failed_logins = 0, locked_until = NULL, updated_at = $4 WHERE id = $1 RETURNING id",
            id,
            |q| {
                q.bind(password_hash.to_owned())
                    .bind(must_change)
                    .bind(Utc::now())
            },
        )
        .await?;
        end_sessions(&mut tx, id).await?;
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(db)
    }

    async fn unlock_account(
        &self,
        scope: &Scope,
        id: AccountId,
        audit: NewAuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        lock_in_scope(&mut tx, scope, id).await?;
        update_by_id(
            &mut tx,
            "UPDATE accounts SET failed_logins = 0, locked_until = NULL, updated_at = $2 \
             WHERE id = $1 RETURNING id",
            id,
            |q| q.bind(Utc::now()),
        )
        .await?;
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(db)
    }

    async fn find_login(&self, username: &str) -> StoreResult<Option<LoginRecord>> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let found: Option<(i64, String)> =
            sqlx::query_as("SELECT id, password_hash FROM accounts WHERE username = $1")
                .bind(username)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?;
        let Some((id, password_hash)) = found else {
            return Ok(None);
        };
        let account = account(&mut conn, None, id).await?;
        Ok(Some(LoginRecord {
            account,
            password_hash,
        }))
    }

    async fn get_account_by_id(&self, id: AccountId) -> StoreResult<Account> {
        let mut conn = self.pool.acquire().await.map_err(db)?;
        account(&mut conn, None, id).await
    }

    async fn record_login_failure(
        &self,
        id: AccountId,
        now: DateTime<Utc>,
        rule: LockoutRule,
        audit: NewAuditEntry,
    ) -> StoreResult<LoginFailureState> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let before: Option<i64> = sqlx::query_scalar(
            "SELECT failed_logins FROM accounts WHERE id = $1 FOR NO KEY UPDATE",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let (failed_logins, locked_until) =
            rule.after_failure(before.ok_or(StoreError::NotFound)?, now);
        // A failure that does not lock leaves an existing lock alone.
        sqlx::query(
            "UPDATE accounts SET failed_logins = $2, locked_until = COALESCE($3, locked_until), \
             updated_at = $4 WHERE id = $1",
        )
        .bind(id)
        .bind(failed_logins)
        .bind(locked_until)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(LoginFailureState {
            failed_logins,
            locked_until,
        })
    }

    async fn record_login_success(
        &self,
        id: AccountId,
        now: DateTime<Utc>,
        audit: NewAuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        update_by_id(
            &mut tx,
            "UPDATE accounts SET failed_logins = 0, last_login_at = $2, updated_at = $3 \
             WHERE id = $1 RETURNING id",
            id,
            |q| q.bind(now).bind(Utc::now()),
        )
        .await?;
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(db)
    }

    async fn set_totp(
        &self,
        id: AccountId,
        secret_enc: Option<String>,
        enabled: bool,
        audit: NewAuditEntry,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        update_by_id(
            &mut tx,
            "UPDATE accounts SET totp_secret_enc = $2, totp_enabled = $3, updated_at = $4 \
             WHERE id = $1 RETURNING id",
            id,
            |q| q.bind(secret_enc).bind(enabled).bind(Utc::now()),
        )
        .await?;
        append(&mut tx, audit).await?;
        tx.commit().await.map_err(db)
    }

    async fn use_totp_step(&self, id: AccountId, step: i64) -> StoreResult<bool> {
        let r = sqlx::query(
            "UPDATE accounts SET totp_last_step = $2 \
             WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(id)
        .bind(step)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(r.rows_affected() == 1)
    }

    async fn get_totp_secret(&self, id: AccountId) -> StoreResult<Option<String>> {
        let row: Option<Option<String>> =
            sqlx::query_scalar("SELECT totp_secret_enc FROM accounts WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        row.ok_or(StoreError::NotFound)
    }
}
