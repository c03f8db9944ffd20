//! The conformance suite: behaviour every backend must show. Each backend's
//! `tests/conformance.rs` expands [`crate::conformance_suite!`] once:
//!
//! ```text
//! zongzhi_store::conformance_suite!(async { SqliteStore::open_temp().await.expect("temp db") });
//! zongzhi_store::conformance_suite!(common::fresh_store()); // -> Option<(PgStore, Guard)>
//! ```
//!
//! The expression is evaluated and awaited once per test, so every test gets a fresh store.
//! It must give a [`Fixture`]: `(store, guard)` (the guard lives until the test ends, e.g. a
//! temporary directory or schema) or `Option<(store, guard)>` where `None` skips the test
//! (e.g. no database configured). The macro runs `migrate()` before each test function and
//! expands to one `#[tokio::test(flavor = "multi_thread", worker_threads = 2)]` per function,
//! in modules named like the suite's (`org::create_and_get`, `scope::town_scope_accounts` …).
//! The calling crate needs `tokio` (macros, rt-multi-thread) as a (dev-)dependency.
//!
//! The tests assume a fresh database: audit `seq` starts at 1 and codes such as `3399` are
//! free. Helpers ([`seed_tree`], [`verified_chain`] …) are public for backend-specific tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod accounts;
pub mod audit;
pub mod case_deadline;
pub mod case_filters;
pub mod case_fixture;
pub mod case_list;
pub mod case_scope;
pub mod case_search;
pub mod case_writes;
pub mod cases;
pub mod categories;
pub mod credentials;
pub mod departments;
pub mod org;
pub mod rollup_props;
pub mod scope;
pub mod scope_writes;
mod seed;
pub mod sessions;
pub mod system;
pub mod timing;

pub use seed::{Tree, seed_tree};

use zongzhi_core::account::{AccountStatus, DisplayName, Username};
use zongzhi_core::audit::{AuditEntry, AuditOutcome, ChainVerifier, NewAuditEntry};
use zongzhi_core::org::{DepartmentKind, OrgCode, OrgLevel, UnitName};
use zongzhi_core::role::{Role, Scope};

use chrono::{DateTime, SubsecRound, Utc};

use crate::{
    Account, AuditFilter, Department, NewAccount, NewDepartment, NewOrgUnit, OrgUnit, Session,
    SessionStage, Store,
};

/// What a backend's constructor expression may evaluate to: `(store, guard)` or
/// `Option<(store, guard)>` (`None` skips the test).
pub trait Fixture {
    /// The store under test.
    type Store: Store;
    /// Kept alive for the duration of the test.
    type Guard;
    /// Splits the fixture; `None` means skip.
    fn into_parts(self) -> Option<(Self::Store, Self::Guard)>;
}

impl<S: Store, G> Fixture for (S, G) {
    type Store = S;
    type Guard = G;
    fn into_parts(self) -> Option<(S, G)> {
        Some(self)
    }
}

impl<S: Store, G> Fixture for Option<(S, G)> {
    type Store = S;
    type Guard = G;
    fn into_parts(self) -> Option<(S, G)> {
        self
    }
}

/// Expands to one `#[tokio::test]` per conformance test, grouped in modules named like the
/// suite's modules (`org::create_and_get` …). `$make` is an expression (typically an
/// `async { … }` block) that is awaited to give a fresh [`Fixture`].
#[macro_export]
macro_rules! conformance_suite {
    ($make:expr) => {
        $crate::__conformance_tests! { ($make)
            system {
                ping_and_backend_name,
                migrate_is_idempotent,
                settings_round_trip,
            }
            org {
                create_and_get,
                level_rules,
                code_taken,
                missing_parent,
                paths_nest,
                pagination,
                limit_is_clamped,
                search_escapes_wildcards,
                hostile_text_verbatim,
                update_fields,
                filters,
            }
            departments {
                create_get_update,
                name_taken,
                bad_unit,
                list_filter_paginate,
            }
            accounts {
                create_and_get,
                username_taken,
                bad_references,
                list_filters,
                pagination,
                update_fields,
            }
            credentials {
                disable_ends_sessions,
                set_password_ends_sessions_and_clears_lock,
                five_failures_lock,
                unlock,
                login_success,
                totp,
                totp_steps_are_single_use,
            }
            sessions {
                round_trip,
                touch_and_stage,
                delete,
            }
            audit {
                append_and_verify,
                every_write_audits_once,
                failed_write_leaves_nothing,
                list_filters,
                list_pagination,
                concurrent_appends,
            }
            scope {
                town_scope_org_units,
                town_scope_departments,
                town_scope_accounts,
                county_and_root_scopes,
                prefix_sibling_is_outside,
            }
            scope_writes {
                town_scope_org_writes,
                town_scope_account_writes,
            }
            categories {
                seed_then_list,
                create_child,
                two_level_rule,
                duplicate_code,
                deactivate_hides,
                writes_audit_once,
                failed_write_appends_none,
                concurrent_seed,
            }
            cases {
                create_and_get,
                tracking_numbers,
                idempotency_key_replay,
                import_batch,
            }
            case_writes {
                invalid_references,
                stale_version,
                concurrent_apply,
                add_attachments,
            }
            case_scope {
                org_scopes,
                department_scope,
                lower_center_scope,
            }
            case_list {
                filters,
                sorts_and_pages,
            }
            case_filters {
                tracking_no_and_created_by,
            }
            case_search {
                full_text_search,
            }
            case_deadline {
                candidates_and_marks,
            }
            timing {
                seed_once,
                limit_rules,
                calendar_days,
            }
            rollup_props {
                rebuild_equals_incremental,
            }
        }
    };
}

/// Implementation detail of [`conformance_suite!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    (($make:expr) $($module:ident { $($name:ident),* $(,)? })*) => {
        $(
            mod $module {
                #[allow(unused_imports)]
                use super::*;
                $(
                    #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        let fixture = $make.await;
                        let Some((store, _guard)) =
                            $crate::conformance::Fixture::into_parts(fixture)
                        else {
                            ::std::eprintln!("skipped: no store configured");
                            return;
                        };
                        if let Err(e) = $crate::SystemStore::migrate(&store).await {
                            ::std::panic!("migrate failed: {e:?}");
                        }
                        $crate::conformance::$module::$name(&store).await;
                    }
                )*
            }
        )*
    };
}

/// The scope covering the whole tree (system operations, seeding).
pub fn root() -> Scope {
    Scope::subtree(0, "/")
}

/// The scope of a unit's subtree.
pub fn scope_of(unit: &OrgUnit) -> Scope {
    Scope::subtree(unit.id, unit.path.clone())
}

/// An audit entry for a test write.
pub fn audit(action: &str) -> NewAuditEntry {
    NewAuditEntry::new(action, "test", AuditOutcome::Success).by(Some(1), "tester")
}

/// Parses an org code (panics on bad input).
pub fn code(s: &str) -> OrgCode {
    OrgCode::parse(s).unwrap()
}

/// Parses a unit name (panics on bad input).
pub fn uname(s: &str) -> UnitName {
    UnitName::parse(s).unwrap()
}

/// Parses a username (panics on bad input).
pub fn user(s: &str) -> Username {
    Username::parse(s).unwrap()
}

/// Parses a display name (panics on bad input).
pub fn display(s: &str) -> DisplayName {
    DisplayName::parse(s).unwrap()
}

/// Input for a unit.
pub fn new_unit(parent: Option<&OrgUnit>, level: OrgLevel, c: &str, name: &str) -> NewOrgUnit {
    NewOrgUnit {
        parent_id: parent.map(|p| p.id),
        level,
        code: code(c),
        name: uname(name),
        geojson: None,
    }
}

/// Creates a unit with the root scope.
pub async fn mk_unit(
    store: &dyn Store,
    parent: Option<&OrgUnit>,
    level: OrgLevel,
    c: &str,
    name: &str,
) -> OrgUnit {
    store
        .create_org_unit(
            &root(),
            new_unit(parent, level, c, name),
            audit("org_unit.create"),
        )
        .await
        .unwrap()
}

/// Creates a city with the root scope.
pub async fn mk_city(store: &dyn Store, c: &str) -> OrgUnit {
    mk_unit(store, None, OrgLevel::City, c, &format!("市{c}")).await
}

/// Creates a department with the root scope.
pub async fn mk_dept(store: &dyn Store, unit: &OrgUnit, name: &str) -> Department {
    store
        .create_department(
            &root(),
            NewDepartment {
                org_unit_id: unit.id,
                name: uname(name),
                kind: DepartmentKind::Resident,
            },
            audit("department.create"),
        )
        .await
        .unwrap()
}

/// Input for an account on `unit`.
pub fn new_account(username: &str, unit: &OrgUnit, roles: &[Role]) -> NewAccount {
    NewAccount {
        username: user(username),
        display_name: display(&format!("用户{username}")),
        org_unit_id: unit.id,
        department_id: None,
        roles: roles.to_vec(),
        password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$fake${username}"),
        phone_enc: None,
        phone_index: None,
        phone_masked: None,
        must_change_password: false,
    }
}

/// Creates an account with the root scope.
pub async fn mk_account(store: &dyn Store, username: &str, unit: &OrgUnit) -> Account {
    store
        .create_account(
            &root(),
            new_account(username, unit, &[Role::Dispatcher]),
            audit("account.create"),
        )
        .await
        .unwrap()
}

/// Number of audit rows.
pub async fn audit_count(store: &dyn Store) -> i64 {
    store.count_audit(&AuditFilter::default()).await.unwrap()
}

/// The newest audit row.
pub async fn last_audit(store: &dyn Store) -> AuditEntry {
    let page = store
        .list_audit(&AuditFilter {
            limit: Some(1),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    page.items.into_iter().next().expect("an audit row")
}

/// Reads the whole chain oldest first in pages and verifies it; returns the rows.
pub async fn verified_chain(store: &dyn Store) -> Vec<AuditEntry> {
    let mut verifier = ChainVerifier::default();
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let rows = store.audit_chain(after, 37).await.unwrap();
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            if let Err(e) = verifier.check(r) {
                panic!("chain broken: {e}");
            }
        }
        after = rows.last().map(|r| r.seq).unwrap();
        all.extend(rows);
    }
    assert_eq!(verifier.verified(), all.len() as i64);
    all
}

/// Asserts a result is `Err(NotFound)`.
#[track_caller]
pub fn assert_not_found<T: std::fmt::Debug>(r: crate::StoreResult<T>) {
    match r {
        Err(crate::StoreError::NotFound) => {}
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// Asserts a result is `Err(Conflict(code))`.
#[track_caller]
pub fn assert_conflict<T: std::fmt::Debug>(r: crate::StoreResult<T>, code: &str) {
    match r {
        Err(crate::StoreError::Conflict(c)) if c == code => {}
        other => panic!("expected Conflict({code}), got {other:?}"),
    }
}

/// Asserts a result is `Err(InvalidReference(code))`.
#[track_caller]
pub fn assert_invalid_ref<T: std::fmt::Debug>(r: crate::StoreResult<T>, code: &str) {
    match r {
        Err(crate::StoreError::InvalidReference(c)) if c == code => {}
        other => panic!("expected InvalidReference({code}), got {other:?}"),
    }
}

/// Whether an account is active.
pub fn is_active(a: &Account) -> bool {
    a.status == AccountStatus::Active
}

/// Now, truncated to microseconds (what both databases keep).
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Stores a full session with token hash `token` for `account`.
pub async fn mk_session(store: &dyn Store, account: &Account, token: &str) -> Session {
    let t = now();
    let s = Session {
        token_hash: token.to_owned(),
        account_id: account.id,
        csrf_token: format!("csrf-{token}"),
        stage: SessionStage::Full,
        created_at: t,
        last_seen_at: t,
    };
    store.create_session(&s).await.unwrap();
    s
}
