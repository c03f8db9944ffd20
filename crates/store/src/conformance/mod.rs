//! The conformance suite: behaviour every backend must show. Each backend's
//! `tests/conformance.rs` expands [`crate::conformance_suite!`] with a constructor of a
//! fresh, migrated store.
