//! Zongzhi's domain core: types and rules with no I/O.
//!
//! The storage, web and CLI layers depend on this crate; it depends on none of them.

pub mod account;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod clock;
pub mod metrics;
pub mod org;
pub mod personal;
pub mod role;
