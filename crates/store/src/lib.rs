//! Storage traits of Zongzhi.
//!
//! Every query a user can trigger takes the caller's [`Scope`] and each backend applies it
//! in SQL. Writes take the [`NewAuditEntry`] that records them and append it in the same
//! transaction, so a change and its audit row land together or not at all.
//!
//! [`conformance`] holds the one test suite that every backend runs against itself.

mod case;
mod category;
pub mod conformance;
mod error;
mod model;
mod stats;
mod timing;

pub use case::*;
pub use category::*;
pub use error::{StoreError, StoreResult};
pub use model::*;
pub use stats::*;
pub use timing::*;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use zongzhi_core::account::{AccountId, LockoutRule};
use zongzhi_core::audit::{AuditEntry, NewAuditEntry};
use zongzhi_core::calendar::DayOverride;
use zongzhi_core::case::CaseId;
use zongzhi_core::case::limits::TimeLimitRule;
use zongzhi_core::org::{DepartmentId, OrgUnitId};
use zongzhi_core::role::Scope;

/// The whole storage interface a backend provides.
pub trait Store:
    OrgStore
    + AccountStore
    + SessionStore
    + AuditStore
    + SystemStore
    + CategoryStore
    + CaseStore
    + TimingStore
    + StatsStore
    + ExportStore
{
}
impl<T> Store for T where
    T: OrgStore
        + AccountStore
        + SessionStore
        + AuditStore
        + SystemStore
        + CategoryStore
        + CaseStore
        + TimingStore
        + StatsStore
        + ExportStore
{
}

/// Schema, health and settings.
#[async_trait]
pub trait SystemStore: Send + Sync {
    /// Applies pending migrations.
    async fn migrate(&self) -> StoreResult<()>;
    /// Whether the database answers.
    async fn ping(&self) -> StoreResult<()>;
    /// `sqlite` or `postgres`.
    fn backend_name(&self) -> &'static str;
    /// Reads a setting (JSON), if set.
    async fn get_setting(&self, key: &str) -> StoreResult<Option<serde_json::Value>>;
    /// Writes a setting (JSON) with its audit row.
    async fn put_setting(
        &self,
        key: &str,
        value: &serde_json::Value,
        audit: NewAuditEntry,
    ) -> StoreResult<()>;
}

/// Org units and departments.
#[async_trait]
pub trait OrgStore: Send + Sync {
    /// Creates a unit; its parent must be inside `scope` (a root unit needs the root scope).
    async fn create_org_unit(
        &self,
        scope: &Scope,
        new: NewOrgUnit,
        audit: NewAuditEntry,
    ) -> StoreResult<OrgUnit>;
    /// One unit inside `scope`.
    async fn get_org_unit(&self, scope: &Scope, id: OrgUnitId) -> StoreResult<OrgUnit>;
    /// Units inside `scope` matching `filter`, ordered by path.
    async fn list_org_units(
        &self,
        scope: &Scope,
        filter: &OrgUnitFilter,
    ) -> StoreResult<Page<OrgUnit>>;
    /// How many units inside `scope` match `filter` (ignores the cursor and limit).
    async fn count_org_units(&self, scope: &Scope, filter: &OrgUnitFilter) -> StoreResult<i64>;
    /// Edits a unit inside `scope`.
    async fn update_org_unit(
        &self,
        scope: &Scope,
        id: OrgUnitId,
        patch: OrgUnitPatch,
        audit: NewAuditEntry,
    ) -> StoreResult<OrgUnit>;

    /// Creates a department on a unit inside `scope`.
    async fn create_department(
        &self,
        scope: &Scope,
        new: NewDepartment,
        audit: NewAuditEntry,
    ) -> StoreResult<Department>;
    /// One department whose unit is inside `scope`.
    async fn get_department(&self, scope: &Scope, id: DepartmentId) -> StoreResult<Department>;
    /// Departments inside `scope` matching `filter`.
    async fn list_departments(
        &self,
        scope: &Scope,
        filter: &DepartmentFilter,
    ) -> StoreResult<Page<Department>>;
    /// How many departments inside `scope` match `filter`.
    async fn count_departments(&self, scope: &Scope, filter: &DepartmentFilter)
    -> StoreResult<i64>;
    /// Edits a department inside `scope`.
    async fn update_department(
        &self,
        scope: &Scope,
        id: DepartmentId,
        patch: DepartmentPatch,
        audit: NewAuditEntry,
    ) -> StoreResult<Department>;
}

/// Accounts and their credentials.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates an account on a unit (and department) inside `scope`.
    async fn create_account(
        &self,
        scope: &Scope,
        new: NewAccount,
        audit: NewAuditEntry,
    ) -> StoreResult<Account>;
    /// One account whose unit is inside `scope`.
    async fn get_account(&self, scope: &Scope, id: AccountId) -> StoreResult<Account>;
    /// Accounts inside `scope` matching `filter`, ordered by id.
    async fn list_accounts(
        &self,
        scope: &Scope,
        filter: &AccountFilter,
    ) -> StoreResult<Page<Account>>;
    /// How many accounts inside `scope` match `filter`.
    async fn count_accounts(&self, scope: &Scope, filter: &AccountFilter) -> StoreResult<i64>;
    /// Edits an account inside `scope`. Disabling it also ends its sessions.
    async fn update_account(
        &self,
        scope: &Scope,
        id: AccountId,
        patch: AccountPatch,
        audit: NewAuditEntry,
    ) -> StoreResult<Account>;
    /// Replaces the password hash of an account inside `scope`, clears its lock and ends
    /// its sessions.
    async fn set_password(
        &self,
        scope: &Scope,
        id: AccountId,
        password_hash: &str,
        must_change: bool,
        audit: NewAuditEntry,
    ) -> StoreResult<()>;
    /// Clears the lock and failure count of an account inside `scope`.
    async fn unlock_account(
        &self,
        scope: &Scope,
        id: AccountId,
        audit: NewAuditEntry,
    ) -> StoreResult<()>;

    /// Credentials for sign-in, by username. Not scoped: identity, not data access.
    async fn find_login(&self, username: &str) -> StoreResult<Option<LoginRecord>>;
    /// The account behind a session. Not scoped: identity, not data access.
    async fn get_account_by_id(&self, id: AccountId) -> StoreResult<Account>;
    /// Counts a failed sign-in, locking the account at the limit; returns the new state.
    async fn record_login_failure(
        &self,
        id: AccountId,
        now: DateTime<Utc>,
        rule: LockoutRule,
        audit: NewAuditEntry,
    ) -> StoreResult<LoginFailureState>;
    /// Clears the failure count and stamps the last sign-in.
    async fn record_login_success(
        &self,
        id: AccountId,
        now: DateTime<Utc>,
        audit: NewAuditEntry,
    ) -> StoreResult<()>;
    /// Sets (or clears) the encrypted TOTP secret and whether it is confirmed.
    async fn set_totp(
        &self,
        id: AccountId,
        secret_enc: Option<String>,
        enabled: bool,
        audit: NewAuditEntry,
    ) -> StoreResult<()>;
    /// Records that TOTP time step `step` was used to sign in; `false` when that step (or a
    /// later one) was already used, i.e. the code is a replay (RFC 6238 §5.2).
    async fn use_totp_step(&self, id: AccountId, step: i64) -> StoreResult<bool>;
    /// The encrypted TOTP secret of an account, if any.
    async fn get_totp_secret(&self, id: AccountId) -> StoreResult<Option<String>>;
}

/// Signed-in sessions.
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session.
    async fn create_session(&self, s: &Session) -> StoreResult<()>;
    /// A session by the hash of its cookie token.
    async fn get_session(&self, token_hash: &str) -> StoreResult<Option<Session>>;
    /// Marks activity, extending the idle timeout.
    async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Moves a session to another stage (e.g. after the second factor).
    async fn set_session_stage(&self, token_hash: &str, stage: SessionStage) -> StoreResult<()>;
    /// Ends a session.
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Ends every session of an account.
    async fn delete_sessions_for(&self, account_id: AccountId) -> StoreResult<()>;
}

/// The two-level category code table (事件分类代码表).
///
/// Not scoped: the table is deployment-wide reference data that every unit classifies
/// against (see [`Category`]), so any signed-in case worker reads all of it and only the
/// system administrator writes it. Rows are never deleted, only deactivated.
#[async_trait]
pub trait CategoryStore: Send + Sync {
    /// Every category ordered by `sort_order`, then code. Without `include_inactive`, only
    /// active rows whose parent (if any) is active too: deactivating a first-level row
    /// hides its children without touching them.
    async fn list_categories(&self, include_inactive: bool) -> StoreResult<Vec<Category>>;
    /// One category by code, active or not.
    async fn get_category(&self, code: &str) -> StoreResult<Category>;
    /// Adds a category. A second-level row's parent must exist and be first-level
    /// (`InvalidReference("parent_code")`) and share its kind (`InvalidReference("kind")`);
    /// a code already present, even deactivated, is `Conflict("category_code_taken")`.
    /// A missing audit `target_id` is filled with the code.
    async fn create_category(
        &self,
        new: NewCategory,
        audit: NewAuditEntry,
    ) -> StoreResult<Category>;
    /// Edits a category (rename, reorder, deactivate or reactivate).
    async fn update_category(
        &self,
        code: &str,
        patch: CategoryPatch,
        audit: NewAuditEntry,
    ) -> StoreResult<Category>;
    /// Inserts `rows` (parents before children, same rules as [`Self::create_category`])
    /// and appends `audit`, all in one transaction, when the table is empty; returns how
    /// many rows were inserted. A table with any row (even deactivated) is left alone, with
    /// no audit row, and 0 is returned. Safe to call at every start-up and from several
    /// instances at once.
    async fn seed_categories_if_empty(
        &self,
        rows: &[CategorySeedRow],
        audit: NewAuditEntry,
    ) -> StoreResult<usize>;
}

/// The append-only, hash-chained audit log.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends one row on its own.
    async fn append_audit(&self, entry: NewAuditEntry) -> StoreResult<AuditEntry>;
    /// Rows matching `filter`, newest first.
    async fn list_audit(&self, filter: &AuditFilter) -> StoreResult<Page<AuditEntry>>;
    /// How many rows match `filter`.
    async fn count_audit(&self, filter: &AuditFilter) -> StoreResult<i64>;
    /// Rows with `seq > after`, oldest first, at most `limit`: for verifying the chain.
    async fn audit_chain(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditEntry>>;
}

/// Cases and their history (see the module `case` docs for who sees what).
///
/// Every write takes the caller's scope, appends its events and audit row, and updates the
/// projection in one transaction; a failure leaves nothing behind.
#[async_trait]
pub trait CaseStore: Send + Sync {
    /// Creates a case with its parties, attachments and first events, allocating the next
    /// tracking number of `new.tracking_date`. The location unit must be in scope. With an
    /// idempotency key already used by the same creator, returns that case untouched
    /// (`replayed`), writing nothing.
    async fn create_case(
        &self,
        scope: &Scope,
        new: NewCase,
        audit: NewAuditEntry,
    ) -> StoreResult<CreatedCase>;
    /// One case the caller may see, with parties, attachments, events, co-handlers, the
    /// master and merged duplicates.
    async fn get_case(&self, scope: &Scope, id: CaseId) -> StoreResult<CaseDetail>;
    /// The parties of each of `ids` the caller may see, in registration order; unknown
    /// cases and cases outside the scope are absent. One read per page of a ledger instead
    /// of a `get_case` per row.
    async fn case_parties(
        &self,
        scope: &Scope,
        ids: &[CaseId],
    ) -> StoreResult<std::collections::HashMap<CaseId, Vec<Party>>>;
    /// Cases the caller may see matching `filter`.
    async fn list_cases(&self, scope: &Scope, filter: &CaseFilter) -> StoreResult<Page<Case>>;
    /// How many cases the caller may see match `filter` (ignores cursor, limit, sort).
    async fn count_cases(&self, scope: &Scope, filter: &CaseFilter) -> StoreResult<i64>;
    /// Appends the update's events to a case the caller may see and writes the new state
    /// (version + 1), if the version still matches (`Conflict("stale_version")` otherwise, writing nothing).
    async fn apply_case_event(
        &self,
        scope: &Scope,
        update: CaseUpdate,
        audit: NewAuditEntry,
    ) -> StoreResult<Case>;
    /// Adds attachments (files already on disk) to a case the caller may see, with one
    /// `attachment_added` event per file. Does not change the version: an upload never
    /// makes another clerk's action stale.
    async fn add_attachments(
        &self,
        scope: &Scope,
        case_id: CaseId,
        actor_id: AccountId,
        at: DateTime<Utc>,
        files: Vec<NewAttachment>,
        audit: NewAuditEntry,
    ) -> StoreResult<Vec<Attachment>>;
    /// Whether any attachment row references this content hash (for removing a file
    /// whose case was not written).
    async fn attachment_hash_in_use(&self, content_hash: &str) -> StoreResult<bool>;
    /// Writes historical cases as given, in one transaction with one audit row.
    async fn import_cases(
        &self,
        cases: Vec<ImportedCase>,
        audit: NewAuditEntry,
    ) -> StoreResult<usize>;
    /// Open cases whose running deadline has a mark due at `now` (warning time reached in
    /// state normal, or deadline passed and not yet overdue), oldest due first, at most
    /// `limit`. Unscoped: for the deadline job only.
    async fn deadline_candidates(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<DeadlineCandidate>>;
    /// [`Self::apply_case_event`] for the system (the deadline job): unscoped, same
    /// version check, so two instances never write the same mark twice.
    async fn apply_system_event(
        &self,
        update: CaseUpdate,
        audit: NewAuditEntry,
    ) -> StoreResult<Case>;
}

/// The time-limit table and the working-time calendar (deployment-wide, unscoped reads;
/// writes are the system administrator's).
#[async_trait]
pub trait TimingStore: Send + Sync {
    /// Every limit rule, active or not, by id.
    async fn list_time_limits(&self) -> StoreResult<Vec<TimeLimitRow>>;
    /// Adds a rule; the category, if any, must exist (`InvalidReference("category")`).
    async fn create_time_limit(
        &self,
        rule: TimeLimitRule<String>,
        audit: NewAuditEntry,
    ) -> StoreResult<TimeLimitRow>;
    /// Replaces a rule's figures and matchers and sets whether it is active.
    async fn update_time_limit(
        &self,
        id: i64,
        rule: TimeLimitRule<String>,
        active: bool,
        audit: NewAuditEntry,
    ) -> StoreResult<TimeLimitRow>;
    /// Inserts `rules` and appends `audit` in one transaction when the table is empty;
    /// returns how many were inserted (0, writing nothing, otherwise).
    async fn seed_time_limits_if_empty(
        &self,
        rules: &[TimeLimitRule<String>],
        audit: NewAuditEntry,
    ) -> StoreResult<usize>;
    /// Calendar entries in date order.
    async fn list_calendar(&self, filter: CalendarFilter) -> StoreResult<Vec<CalendarRow>>;
    /// Sets the entry for a date (insert or replace).
    async fn put_calendar_day(
        &self,
        day: DayOverride,
        audit: NewAuditEntry,
    ) -> StoreResult<CalendarRow>;
    /// Removes the entry for a date, so the weekday rule applies (`NotFound` if none).
    async fn remove_calendar_day(
        &self,
        date: chrono::NaiveDate,
        audit: NewAuditEntry,
    ) -> StoreResult<()>;
    /// Inserts `days` and appends `audit` in one transaction when the calendar is empty;
    /// returns how many were inserted.
    async fn seed_calendar_if_empty(
        &self,
        days: &[DayOverride],
        audit: NewAuditEntry,
    ) -> StoreResult<usize>;
}

/// Statistics from the rollup tables, and map points (scoped in SQL).
#[async_trait]
pub trait StatsStore: Send + Sync {
    /// Summed rollup counters for the query, grouped as it asks, over rows the caller may
    /// see (an out-of-scope `unit_path` yields nothing; [`RollupGroup::Total`] then yields
    /// one all-zero row).
    async fn query_rollups(&self, scope: &Scope, q: &RollupQuery) -> StoreResult<Vec<RollupRow>>;
    /// Cases with coordinates the caller may see matching `filter` (newest first, at most
    /// `filter.limit`, which the backend caps at 5,000).
    async fn case_points(&self, scope: &Scope, filter: &CaseFilter) -> StoreResult<Vec<CasePoint>>;
    /// Recomputes every rollup row from the cases (the projection of the event log) in one
    /// transaction, with one audit row; returns the number of rollup rows written.
    async fn rebuild_rollups(&self, audit: NewAuditEntry) -> StoreResult<u64>;
    /// Every rollup row with a non-zero counter, sorted by key (tests and the rebuild check).
    async fn dump_rollups(&self) -> StoreResult<Vec<RollupEntry>>;
}

/// Background export jobs (台账/报表导出). The job row is written in the same transaction as
/// its audit row; workers claim with a lease so two instances never run one job at once.
#[async_trait]
pub trait ExportStore: Send + Sync {
    /// Queues a job.
    async fn create_export_job(
        &self,
        job: NewExportJob,
        audit: NewAuditEntry,
    ) -> StoreResult<ExportJob>;
    /// A job of this account (`NotFound` for anyone else's).
    async fn get_export_job(&self, account_id: AccountId, id: i64) -> StoreResult<ExportJob>;
    /// This account's jobs, newest first.
    async fn list_export_jobs(
        &self,
        account_id: AccountId,
        limit: i64,
    ) -> StoreResult<Vec<ExportJob>>;
    /// Claims the oldest job that is queued, or running with an expired lease and fewer
    /// than `max_attempts` attempts: status running, `lease_until = now + lease`,
    /// attempts + 1. Jobs past `max_attempts` with an expired lease become failed
    /// (`export_failed`).
    async fn claim_export_job(
        &self,
        now: DateTime<Utc>,
        lease: chrono::TimeDelta,
        max_attempts: i32,
    ) -> StoreResult<Option<ExportJob>>;
    /// Records progress and extends the lease.
    async fn update_export_progress(
        &self,
        id: i64,
        rows_written: i64,
        progress: i32,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Ends a job.
    async fn finish_export_job(
        &self,
        id: i64,
        outcome: ExportOutcome,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
}
