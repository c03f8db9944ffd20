//! Metric definitions (统计指标), in one place, exactly as DOMAIN.md defines them.
//!
//! Every figure is a cohort count over the cases **received in a period** (by the local date
//! of `reported_at`) whose location lies in an org subtree, taken in their state now:
//!
//! | metric | definition |
//! |---|---|
//! | 受理量 `received` | cases received (a duplicate merged into a master counts once: not at all itself) |
//! | 办结率 `completion_rate` | `closed` (已结案, incl. 回访/归档) ÷ `received` |
//! | 化解率 `resolution_rate` | `resolved` (outcome 调解成功 or 部分化解) ÷ `closed` |
//! | 按期办结率 `on_time_rate` | `on_time` (closed, 办结 within the finish limit and never 超期) ÷ `closed` |
//! | 满意率 `satisfaction_rate` | `satisfied` (非常满意, 满意, 基本满意) ÷ `rated` (any 回访 rating) |
//! | 重办率 `reopen_rate` | `reopened` (reopened at least once) ÷ `closed` |
//! | 平均签收用时 | working minutes from 登记 to the first 签收, averaged over `accepted` |
//! | 平均办结用时 | working minutes from 登记 to 结案, averaged over `closed` |
//! | 超期数 `overdue` | cases ever marked 超期 |
//! | 督办数 `supervised` | cases ever under 督办 (manual or automatic) |
//!
//! [`Counters`] holds the additive parts; [`Counters::of`] is one case's contribution, which
//! the rollup tables ([`rollup`]) sum by day × org unit × category × channel × department.
//! Rates are derived at read time and are `None` when their denominator is zero.

mod period;
pub mod rollup;
#[cfg(test)]
mod tests;

pub use period::{Period, PeriodError};

use serde::{Deserialize, Serialize};

use crate::case::{CaseState, Outcome, Rating};

crate::case::code_enum! {
    /// A counted metric, for "the cases behind this number": each one is a predicate on a
    /// case row that the stores apply in SQL exactly as [`Counters::of`] counts it (merged
    /// duplicates never match).
    Metric {
        /// 受理量.
        Received = "received", "受理";
        /// 在办.
        Open = "open", "在办";
        /// 已结案.
        Closed = "closed", "办结";
        /// 化解.
        Resolved = "resolved", "化解";
        /// 按期办结.
        OnTime = "on_time", "按期办结";
        /// 已签收.
        Accepted = "accepted", "已签收";
        /// 已回访评价.
        Rated = "rated", "已评价";
        /// 满意.
        Satisfied = "satisfied", "满意";
        /// 超期.
        Overdue = "overdue", "超期";
        /// 督办.
        Supervised = "supervised", "督办";
        /// 重办.
        Reopened = "reopened", "重办";
    }
}

/// Minutes in a day, for averages shown in (working) days.
const MINUTES_PER_DAY: f64 = 24.0 * 60.0;

/// The additive parts of every metric, for one case or summed over many.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Counters {
    /// 受理量.
    pub received: i64,
    /// Still open (在办).
    pub open: i64,
    /// 已结案 (closed, followed up or archived).
    pub closed: i64,
    /// Closed with a 化解 outcome (调解成功, 部分化解).
    pub resolved: i64,
    /// Closed within the limit.
    pub on_time: i64,
    /// Signed for at least once (签收).
    pub accepted: i64,
    /// Rated at 回访.
    pub rated: i64,
    /// Rated 非常满意, 满意 or 基本满意.
    pub satisfied: i64,
    /// Ever 超期.
    pub overdue: i64,
    /// Ever under 督办.
    pub supervised: i64,
    /// Reopened (重办) at least once.
    pub reopened: i64,
    /// Sum of working minutes from 登记 to first 签收 over `accepted`.
    pub accept_minutes: i64,
    /// Sum of working minutes from 登记 to 结案 over `closed`.
    pub close_minutes: i64,
}

impl Counters {
    /// All zero.
    pub const ZERO: Self = Self {
        received: 0,
        open: 0,
        closed: 0,
        resolved: 0,
        on_time: 0,
        accepted: 0,
        rated: 0,
        satisfied: 0,
        overdue: 0,
        supervised: 0,
        reopened: 0,
        accept_minutes: 0,
        close_minutes: 0,
    };

    /// One case's contribution, from its projected state. A duplicate merged into a master
    /// contributes nothing: the master carries the matter.
    pub fn of(state: &CaseState) -> Self {
        if state.master_case_id.is_some() {
            return Self::ZERO;
        }
        let closed = state.closed_at.is_some();
        let accepted = state.accept_minutes.is_some();
        let flag = |b: bool| i64::from(b);
        Self {
            received: 1,
            open: flag(state.status.is_open()),
            closed: flag(closed),
            resolved: flag(closed && state.outcome.is_some_and(Outcome::counts_as_resolved)),
            on_time: flag(closed && state.on_time == Some(true)),
            accepted: flag(accepted),
            rated: flag(state.rating.is_some()),
            satisfied: flag(state.rating.is_some_and(Rating::is_satisfied)),
            overdue: flag(state.ever_overdue),
            supervised: flag(state.ever_supervised),
            reopened: flag(state.reopen_count > 0),
            accept_minutes: state.accept_minutes.unwrap_or(0),
            close_minutes: if closed {
                state.close_minutes.unwrap_or(0)
            } else {
                0
            },
        }
    }

    /// The count a [`Metric`] names (the cases behind it are `CaseFilter::metric`).
    pub fn count(&self, m: Metric) -> i64 {
        match m {
            Metric::Received => self.received,
            Metric::Open => self.open,
            Metric::Closed => self.closed,
            Metric::Resolved => self.resolved,
            Metric::OnTime => self.on_time,
            Metric::Accepted => self.accepted,
            Metric::Rated => self.rated,
            Metric::Satisfied => self.satisfied,
            Metric::Overdue => self.overdue,
            Metric::Supervised => self.supervised,
            Metric::Reopened => self.reopened,
        }
    }

    /// Whether every counter is zero.
    pub fn is_zero(&self) -> bool {
        *self == Self::ZERO
    }

    /// Field-wise sum.
    pub fn plus(&self, o: &Self) -> Self {
        self.zip(o, |a, b| a + b)
    }

    /// Field-wise difference.
    pub fn minus(&self, o: &Self) -> Self {
        self.zip(o, |a, b| a - b)
    }

    fn zip(&self, o: &Self, f: impl Fn(i64, i64) -> i64) -> Self {
        Self {
            received: f(self.received, o.received),
            open: f(self.open, o.open),
            closed: f(self.closed, o.closed),
            resolved: f(self.resolved, o.resolved),
            on_time: f(self.on_time, o.on_time),
            accepted: f(self.accepted, o.accepted),
            rated: f(self.rated, o.rated),
            satisfied: f(self.satisfied, o.satisfied),
            overdue: f(self.overdue, o.overdue),
            supervised: f(self.supervised, o.supervised),
            reopened: f(self.reopened, o.reopened),
            accept_minutes: f(self.accept_minutes, o.accept_minutes),
            close_minutes: f(self.close_minutes, o.close_minutes),
        }
    }

    /// The counters as `(column name, value)` pairs in storage order (the rollup tables'
    /// counter columns have exactly these names).
    pub fn columns(&self) -> [(&'static str, i64); 13] {
        [
            ("received", self.received),
            ("open", self.open),
            ("closed", self.closed),
            ("resolved", self.resolved),
            ("on_time", self.on_time),
            ("accepted", self.accepted),
            ("rated", self.rated),
            ("satisfied", self.satisfied),
            ("overdue", self.overdue),
            ("supervised", self.supervised),
            ("reopened", self.reopened),
            ("accept_minutes", self.accept_minutes),
            ("close_minutes", self.close_minutes),
        ]
    }

    /// Builds counters from values in [`Counters::columns`] order.
    pub fn from_columns(v: [i64; 13]) -> Self {
        let [
            received,
            open,
            closed,
            resolved,
            on_time,
            accepted,
            rated,
            satisfied,
            overdue,
            supervised,
            reopened,
            accept_minutes,
            close_minutes,
        ] = v;
        Self {
            received,
            open,
            closed,
            resolved,
            on_time,
            accepted,
            rated,
            satisfied,
            overdue,
            supervised,
            reopened,
            accept_minutes,
            close_minutes,
        }
    }

    /// 办结率 = closed ÷ received.
    pub fn completion_rate(&self) -> Option<f64> {
        ratio(self.closed, self.received)
    }

    /// 化解率 = resolved ÷ closed.
    pub fn resolution_rate(&self) -> Option<f64> {
        ratio(self.resolved, self.closed)
    }

    /// 按期办结率 = on_time ÷ closed.
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.on_time, self.closed)
    }

    /// 满意率 = satisfied ÷ rated.
    pub fn satisfaction_rate(&self) -> Option<f64> {
        ratio(self.satisfied, self.rated)
    }

    /// 重办率 = reopened ÷ closed.
    pub fn reopen_rate(&self) -> Option<f64> {
        ratio(self.reopened, self.closed)
    }

    /// 平均签收用时 in working days.
    pub fn avg_accept_days(&self) -> Option<f64> {
        ratio(self.accept_minutes, self.accepted).map(|m| m / MINUTES_PER_DAY)
    }

    /// 平均办结用时 in working days.
    pub fn avg_close_days(&self) -> Option<f64> {
        ratio(self.close_minutes, self.closed).map(|m| m / MINUTES_PER_DAY)
    }
}

impl std::iter::Sum for Counters {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, |a, b| a.plus(&b))
    }
}

/// `num ÷ den`, `None` when `den` is zero.
#[allow(clippy::cast_precision_loss)] // counts far below 2^52
fn ratio(num: i64, den: i64) -> Option<f64> {
    (den != 0).then(|| num as f64 / den as f64)
}
