//! Time limits (办理时限) and the working-time calendar (工作日历): the service functions
//! the API, the console and the case service share, and the background deadline job.
//!
//! Both tables are deployment-wide reference data like the category code table: every case
//! worker reads them (a case page shows its deadline and why), and only a system
//! administrator at the top of the tree edits them, because a change applies to every unit.
//! Limit rules are never deleted, only deactivated; calendar entries may be removed, since
//! the weekday rule is the default and the audit row keeps what was there.

pub mod calendar;
pub mod clock;
pub mod deadlines;
pub mod http;
pub mod rules;

pub use calendar::{
    CalendarDayView, PutCalendarDayRequest, list_calendar_as, put_calendar_day_as,
    remove_calendar_day_as,
};
pub use clock::{OffsetClock, clock_from_config};
pub use deadlines::{run_deadline_pass, spawn_deadline_job};
pub use rules::{
    LimitView, NewTimeLimitRequest, TimeLimitPatchRequest, TimeLimitView, create_time_limit_as,
    list_time_limits_as, update_time_limit_as,
};

use zongzhi_core::calendar::WorkCalendar;
use zongzhi_core::case::limits::{Limit, LimitQuery, default_limit, pick};
use zongzhi_core::case::{Channel, Complexity, Urgency, category};
use zongzhi_core::org::OrgLevel;
use zongzhi_store::{CalendarFilter, Store, StoreError, StoreResult};

use crate::auth::SessionCtx;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The working-time calendar in force: weekdays work, weekends rest, with the stored
/// entries (seeded from the builtin 2024–2027 table, then edited by the administrator) on top.
pub async fn load_calendar(state: &AppState) -> ApiResult<WorkCalendar> {
    Ok(calendar_from_store(state.store.as_ref()).await?)
}

/// [`load_calendar`] straight from a store (for the deadline job, which has no caller).
pub async fn calendar_from_store(store: &dyn Store) -> StoreResult<WorkCalendar> {
    let rows = store.list_calendar(CalendarFilter::default()).await?;
    Ok(WorkCalendar::new(rows.into_iter().map(|r| r.day)))
}

/// The `(accept, finish)` limits of a case: the most specific active rule of the table
/// ([`zongzhi_core::case::limits::pick`]), or the built-in defaults when none matches.
///
/// A second-level category also matches rules on its first-level code; the parent comes
/// from the stored code table (an administrator may have added the code), else from the
/// code's `D12-…` form.
pub async fn limits_for(
    state: &AppState,
    category: &str,
    tier: OrgLevel,
    urgency: Urgency,
    complexity: Complexity,
    channel: Channel,
) -> ApiResult<(Limit, Limit)> {
    let rules: Vec<_> = state
        .store
        .list_time_limits()
        .await?
        .into_iter()
        .filter(|r| r.active)
        .map(|r| r.rule)
        .collect();
    let parent = match state.store.get_category(category).await {
        Ok(c) => c.parent_code,
        Err(StoreError::NotFound) => category::parent_of(category).map(str::to_owned),
        Err(e) => return Err(e.into()),
    };
    let q = LimitQuery {
        category: Some(category),
        category_parent: parent.as_deref(),
        tier,
        urgency,
        complexity,
        channel,
    };
    Ok(match pick(&rules, &q) {
        Some(r) => (r.accept, r.finish),
        None => default_limit(Some(category), tier, urgency, complexity, channel),
    })
}

/// Whether `ctx` may read the limits and the calendar: every case worker (deadlines are
/// shown on cases), and the system administrator who maintains them.
pub fn can_read(ctx: &SessionCtx) -> bool {
    crate::api::categories::can_read(ctx)
}

/// Whether `ctx` may edit them: `ManageOrg` at the top of the tree, as for the category
/// table (a county's system admin may not change the whole deployment's deadlines).
pub fn can_manage(ctx: &SessionCtx) -> bool {
    crate::api::categories::can_manage(ctx)
}

pub(crate) fn require_read(ctx: &SessionCtx) -> ApiResult<()> {
    if can_read(ctx) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

pub(crate) fn require_manage(ctx: &SessionCtx) -> ApiResult<()> {
    if can_manage(ctx) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}
