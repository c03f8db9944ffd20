//! The time-limit table and the working-time calendar: rows and inputs of
//! [`crate::TimingStore`].
//!
//! Both are deployment-wide reference data like the category table (every unit works on
//! the same calendar and limits), read unscoped and written by the system administrator.
//! Limit rules are never deleted, only deactivated; calendar entries may be removed (the
//! audit row keeps what was there) because the weekday rule is the default.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zongzhi_core::calendar::DayOverride;
use zongzhi_core::case::limits::TimeLimitRule;

/// A row of the time-limit table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeLimitRow {
    /// Id.
    pub id: i64,
    /// The rule.
    pub rule: TimeLimitRule<String>,
    /// Whether it applies (rows are never deleted).
    pub active: bool,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

/// A dated calendar entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalendarRow {
    /// The entry.
    pub day: DayOverride,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

/// Which calendar entries to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct CalendarFilter {
    /// On or after.
    pub from: Option<NaiveDate>,
    /// On or before.
    pub to: Option<NaiveDate>,
}
