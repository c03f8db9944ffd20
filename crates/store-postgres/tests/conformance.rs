//! The shared conformance suite, run against PostgreSQL.
//!
//! Needs `ZONGZHI_TEST_POSTGRES_URL` (see `scripts/pg-test-server`); each test gets its own
//! schema. Without the variable the tests are skipped, except in CI where they fail.

mod common;

zongzhi_store::conformance_suite!(common::fresh_store());
