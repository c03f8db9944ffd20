//! The case row as a projection of its events.
//!
//! [`CaseState`] holds every column of a case that events change. [`CaseState::project`]
//! applies one permitted action (the state machine has already said yes) and
//! [`CaseState::mark`] one deadline mark raised by the background job; storage writes the
//! result in the same transaction as the event. Because the fold is pure, the demo
//! generator, the store and the tests all derive the row the same way.
//!
//! Deadlines: `route` starts two clocks from the table's limits — 签收 (accept) and 办结
//! (finish). While [`CaseStatus::Assigned`] the accept deadline is due, while
//! [`CaseStatus::InProgress`] the finish deadline. 预警 turns on when
//! [`WARN_FRACTION`] of the time to the due deadline has passed. An approved extension moves
//! the finish deadline by the requested days (in the finish limit's unit) and clears the
//! warning; 督办/催办 set a new deadline but leave a raised 超期 standing, so a late case
//! stays visibly late until it is resolved, returned or rerouted.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::CaseId;
use super::action::Action;
use super::limits::{Limit, LimitUnit};
use super::machine::CaseFacts;
use super::payload::RouteTarget;
use super::types::{CaseStatus, Outcome, Rating, SupervisionLevel};
use crate::calendar::WorkCalendar;
use crate::org::{DepartmentId, OrgUnitId};

/// Share of the time to a deadline after which it shows 预警: 4/5.
pub const WARN_FRACTION: (i32, i32) = (4, 5);

code_enum! {
    /// Where the running deadline stands (预警 yellow, 超期 red).
    DeadlineState {
        /// Within the limit, or no clock running.
        Normal = "normal", "正常";
        /// Most of the limit is spent.
        Warning = "warning", "预警";
        /// The limit has passed.
        Overdue = "overdue", "超期";
    }
}

code_enum! {
    /// A mark the deadline job raises; recorded as a system event.
    DeadlineMark {
        /// 预警: most of the limit is spent.
        Warning = "deadline_warning", "临期预警";
        /// 超期: the limit has passed (an automatic 督办 follows).
        Overdue = "deadline_overdue", "超期";
    }
}

/// Who currently holds a routed case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Holder {
    /// A department as lead (主办) with co-handlers (协办).
    Department {
        /// Lead department.
        id: DepartmentId,
        /// Co-handling departments.
        co_handler_ids: Vec<DepartmentId>,
    },
    /// A lower-tier center.
    OrgUnit {
        /// The center's org unit.
        id: OrgUnitId,
    },
}

impl From<&RouteTarget> for Holder {
    fn from(t: &RouteTarget) -> Self {
        match t {
            RouteTarget::Department { id, co_handler_ids } => Self::Department {
                id: *id,
                co_handler_ids: co_handler_ids.clone(),
            },
            RouteTarget::OrgUnit { id } => Self::OrgUnit { id: *id },
        }
    }
}

/// What projecting an action needs beyond the case: the calendar, and for `route` the
/// `(accept, finish)` limits looked up in the time-limit table for the target's tier.
#[derive(Debug, Clone, Copy)]
pub struct ProjectEnv<'a> {
    /// Working-time calendar.
    pub calendar: &'a WorkCalendar,
    /// Limits for a `route`; ignored otherwise.
    pub limits: Option<(Limit, Limit)>,
}

/// Every column of a case that events change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseState {
    /// Lifecycle status.
    pub status: CaseStatus,
    /// Facts the state machine needs.
    pub facts: CaseFacts,
    /// Days asked for by the pending extension request.
    pub pending_extension_days: Option<u16>,
    /// The center responsible (where registered; moved by 提级/下派).
    pub center_unit_id: OrgUnitId,
    /// Who holds it after routing.
    pub holder: Option<Holder>,
    /// 签收 deadline.
    pub accept_deadline: Option<DateTime<Utc>>,
    /// 办结 deadline.
    pub finish_deadline: Option<DateTime<Utc>>,
    /// Unit of the finish limit (extensions count in it).
    pub finish_unit: Option<LimitUnit>,
    /// When the due deadline turns yellow.
    pub warn_at: Option<DateTime<Utc>>,
    /// Where the due deadline stands.
    pub deadline_state: DeadlineState,
    /// Was ever marked 超期 (for 超期数).
    pub ever_overdue: bool,
    /// 签收 time.
    pub accepted_at: Option<DateTime<Utc>>,
    /// 办结 time.
    pub resolved_at: Option<DateTime<Utc>>,
    /// 结案 time.
    pub closed_at: Option<DateTime<Utc>>,
    /// 归档 time.
    pub archived_at: Option<DateTime<Utc>>,
    /// Result of 办结 / 直接办结.
    pub outcome: Option<Outcome>,
    /// Rating of the last 回访.
    pub rating: Option<Rating>,
    /// Highest 督办 level while open.
    pub supervision_level: Option<SupervisionLevel>,
    /// Master case of a merged duplicate.
    pub master_case_id: Option<CaseId>,
    /// Times reopened (重办).
    pub reopen_count: i32,
    /// 登记 time: the start of the time to accept and to close (stored as `created_at`).
    pub registered_at: Option<DateTime<Utc>>,
    /// Was ever under 督办 (for 督办数; `supervision_level` clears when the case ends).
    pub ever_supervised: bool,
    /// Whether the last 办结 came within the finish limit (按期办结): decided at 办结, while
    /// the deadline is still known; cleared by 重办.
    pub on_time: Option<bool>,
    /// Working minutes from 登记 to the first 签收.
    pub accept_minutes: Option<i64>,
    /// Working minutes from 登记 to 结案; cleared by 重办.
    pub close_minutes: Option<i64>,
}

impl CaseState {
    /// A case just created at `center_unit_id`, before any event.
    pub fn new(center_unit_id: OrgUnitId) -> Self {
        Self {
            status: CaseStatus::INITIAL,
            facts: CaseFacts::default(),
            pending_extension_days: None,
            center_unit_id,
            holder: None,
            accept_deadline: None,
            finish_deadline: None,
            finish_unit: None,
            warn_at: None,
            deadline_state: DeadlineState::Normal,
            ever_overdue: false,
            accepted_at: None,
            resolved_at: None,
            closed_at: None,
            archived_at: None,
            outcome: None,
            rating: None,
            supervision_level: None,
            master_case_id: None,
            reopen_count: 0,
            registered_at: None,
            ever_supervised: false,
            on_time: None,
            accept_minutes: None,
            close_minutes: None,
        }
    }

    /// The deadline now running: 签收 while assigned, 办结 while in progress.
    pub fn due_at(&self) -> Option<DateTime<Utc>> {
        match self.status {
            CaseStatus::Assigned => self.accept_deadline,
            CaseStatus::InProgress => self.finish_deadline,
            _ => None,
        }
    }

    /// The department leading the case, if routed to one.
    pub fn holder_department_id(&self) -> Option<DepartmentId> {
        match &self.holder {
            Some(Holder::Department { id, .. }) => Some(*id),
            _ => None,
        }
    }

    /// The lower-tier center holding the case, if routed to one.
    pub fn holder_unit_id(&self) -> Option<OrgUnitId> {
        match &self.holder {
            Some(Holder::OrgUnit { id }) => Some(*id),
            _ => None,
        }
    }

    /// Co-handling departments.
    pub fn co_handler_ids(&self) -> &[DepartmentId] {
        match &self.holder {
            Some(Holder::Department { co_handler_ids, .. }) => co_handler_ids,
            _ => &[],
        }
    }

    /// Applies `action`, which [`super::apply`] permitted and which moves the case to `to`,
    /// at time `at`.
    pub fn project(&mut self, action: &Action, to: CaseStatus, at: DateTime<Utc>, env: ProjectEnv) {
        self.facts.record(action);
        self.status = to;
        match action {
            Action::Register { .. } => self.registered_at = Some(at),
            Action::Progress { .. } | Action::Verify { .. } => {}
            Action::TriageClose { outcome, .. } => {
                self.outcome = Some(*outcome);
                self.resolved_at = Some(at);
                self.closed_at = Some(at);
                // Settled at the window: no limit was running, so it is on time.
                self.on_time = Some(true);
                self.close_minutes = Some(self.minutes_since_registered(at, env.calendar));
                self.stop_clock();
            }
            Action::Route { target, .. } => {
                self.holder = Some(Holder::from(target));
                let (accept, finish) = env
                    .limits
                    .unwrap_or((Limit::working_days(1), Limit::working_days(7)));
                let cal = env.calendar;
                self.accept_deadline = Some(cal.deadline(at, accept.amount, accept.unit));
                self.finish_deadline = Some(cal.deadline(at, finish.amount, finish.unit));
                self.finish_unit = Some(finish.unit);
                self.accepted_at = None;
                self.restart_clock(at);
            }
            Action::Escalate { to_org_unit_id, .. } | Action::SendDown { to_org_unit_id, .. } => {
                self.center_unit_id = *to_org_unit_id;
                self.holder = None;
                self.stop_clock();
            }
            Action::Return { .. } => {
                self.holder = None;
                self.stop_clock();
            }
            Action::Accept { .. } => {
                self.accepted_at = Some(at);
                if self.accept_minutes.is_none() {
                    self.accept_minutes = Some(self.minutes_since_registered(at, env.calendar));
                }
                self.restart_clock(at);
            }
            Action::RequestExtension { days, .. } => self.pending_extension_days = Some(*days),
            Action::DecideExtension { approved, .. } => {
                let days = self.pending_extension_days.take().unwrap_or(0);
                if *approved && let Some(due) = self.finish_deadline {
                    let unit = self.finish_unit.unwrap_or(LimitUnit::WorkingDays);
                    let unit = if unit == LimitUnit::NaturalHours {
                        LimitUnit::NaturalDays
                    } else {
                        unit
                    };
                    let moved = env.calendar.deadline(due, u32::from(days), unit);
                    self.finish_deadline = Some(moved);
                    if moved > at {
                        self.restart_clock(at);
                    }
                }
            }
            Action::Resolve { outcome, .. } => {
                self.outcome = Some(*outcome);
                self.resolved_at = Some(at);
                // A raised 超期 stands even if 督办 later set a new deadline.
                self.on_time =
                    Some(!self.ever_overdue && self.finish_deadline.is_none_or(|due| at <= due));
                self.stop_clock();
            }
            Action::Close { .. } => {
                self.closed_at = Some(at);
                self.close_minutes = Some(self.minutes_since_registered(at, env.calendar));
            }
            Action::FollowUp { rating, .. } => self.rating = Some(*rating),
            Action::Reopen { .. } => {
                self.reopen_count += 1;
                self.holder = None;
                self.outcome = None;
                self.resolved_at = None;
                self.closed_at = None;
                self.on_time = None;
                self.close_minutes = None;
                self.stop_clock();
            }
            Action::Archive { .. } => self.archived_at = Some(at),
            Action::Merge { master_case_id, .. } => {
                self.master_case_id = Some(*master_case_id);
                self.archived_at = Some(at);
                self.stop_clock();
            }
            Action::Supervise {
                level,
                new_deadline,
                ..
            } => {
                self.supervision_level = self.supervision_level.max(Some(*level));
                self.ever_supervised = true;
                self.set_due(*new_deadline, at);
            }
            Action::Urge { new_deadline, .. } => self.set_due(*new_deadline, at),
        }
        if !self.status.is_open() {
            self.supervision_level = None;
        }
    }

    /// Raises a deadline mark (the job checked it is due); 超期 is remembered for 超期数.
    pub fn mark(&mut self, mark: DeadlineMark) {
        match mark {
            DeadlineMark::Warning => {
                if self.deadline_state == DeadlineState::Normal {
                    self.deadline_state = DeadlineState::Warning;
                }
            }
            DeadlineMark::Overdue => {
                self.deadline_state = DeadlineState::Overdue;
                self.ever_overdue = true;
            }
        }
    }

    /// The mark due at `now`, if any: what the deadline job should raise next.
    pub fn due_mark(&self, now: DateTime<Utc>) -> Option<DeadlineMark> {
        let due = self.due_at()?;
        if self.deadline_state != DeadlineState::Overdue && due < now {
            Some(DeadlineMark::Overdue)
        } else if self.deadline_state == DeadlineState::Normal
            && self.warn_at.is_some_and(|w| w <= now)
        {
            Some(DeadlineMark::Warning)
        } else {
            None
        }
    }

    /// Working minutes from 登记 to `at` (0 when the registration time is unknown).
    fn minutes_since_registered(&self, at: DateTime<Utc>, cal: &WorkCalendar) -> i64 {
        self.registered_at
            .map_or(0, |r| cal.working_minutes_between(r, at))
    }

    fn set_due(&mut self, deadline: DateTime<Utc>, at: DateTime<Utc>) {
        if self.status == CaseStatus::Assigned {
            self.accept_deadline = Some(deadline);
        } else {
            self.finish_deadline = Some(deadline);
        }
        self.warn_at = self.due_at().map(|d| warn_time(at, d));
    }

    /// A new clock phase: the due deadline starts fresh.
    fn restart_clock(&mut self, at: DateTime<Utc>) {
        self.deadline_state = DeadlineState::Normal;
        self.warn_at = self.due_at().map(|d| warn_time(at, d));
    }

    fn stop_clock(&mut self) {
        self.deadline_state = DeadlineState::Normal;
        self.warn_at = None;
        self.pending_extension_days = None;
        if !matches!(self.status, CaseStatus::Assigned | CaseStatus::InProgress) {
            self.accept_deadline = None;
            self.finish_deadline = None;
            self.finish_unit = None;
        }
    }
}

/// When a clock started at `from` with deadline `due` turns yellow.
pub fn warn_time(from: DateTime<Utc>, due: DateTime<Utc>) -> DateTime<Utc> {
    if due <= from {
        return due;
    }
    let span = due - from;
    let (num, den) = WARN_FRACTION;
    let secs = span.num_seconds() / i64::from(den) * i64::from(num);
    from + TimeDelta::seconds(secs)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::case::payload::Note;
    use crate::case::types::Channel;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn env(cal: &WorkCalendar) -> ProjectEnv<'_> {
        ProjectEnv {
            calendar: cal,
            limits: Some((Limit::working_days(1), Limit::working_days(5))),
        }
    }

    fn note(s: &str) -> Note {
        Note::parse(s, "note").unwrap()
    }

    #[test]
    fn route_accept_extension_and_marks() {
        let cal = WorkCalendar::builtin();
        let mut s = CaseState::new(7);
        s.project(
            &Action::Register {
                channel: Channel::WalkIn,
            },
            CaseStatus::Triage,
            at(23, 1),
            env(&cal),
        );
        assert_eq!(s.due_at(), None);
        let route = Action::Route {
            target: RouteTarget::department(3, vec![4]).unwrap(),
            note: None,
        };
        // Monday 2026-11-23 09:00 Shanghai = 01:00 UTC.
        s.project(&route, CaseStatus::Assigned, at(23, 1), env(&cal));
        assert_eq!(s.holder_department_id(), Some(3));
        assert_eq!(s.co_handler_ids(), &[4]);
        // Accept by the end of Tuesday, Shanghai time.
        assert_eq!(
            s.due_at(),
            Some(at(24, 15) + TimeDelta::milliseconds(59 * 60_000 + 59_999))
        );
        assert_eq!(s.due_mark(at(23, 2)), None);
        assert_eq!(s.due_mark(at(24, 10)), Some(DeadlineMark::Warning));
        s.mark(DeadlineMark::Warning);
        assert_eq!(s.due_mark(at(24, 10)), None);
        assert_eq!(s.due_mark(at(25, 1)), Some(DeadlineMark::Overdue));
        s.mark(DeadlineMark::Overdue);
        assert!(s.ever_overdue);
        assert_eq!(s.due_mark(at(26, 1)), None);

        // Accepting starts the finish clock afresh.
        s.project(
            &Action::Accept { note: None },
            CaseStatus::InProgress,
            at(25, 2),
            env(&cal),
        );
        assert_eq!(s.deadline_state, DeadlineState::Normal);
        let finish = s.finish_deadline.unwrap();
        assert_eq!(s.due_at(), Some(finish));
        s.project(
            &Action::RequestExtension {
                days: 2,
                reason: note("需要补充材料"),
            },
            CaseStatus::InProgress,
            at(25, 3),
            env(&cal),
        );
        assert_eq!(s.pending_extension_days, Some(2));
        s.project(
            &Action::DecideExtension {
                approved: true,
                note: None,
            },
            CaseStatus::InProgress,
            at(25, 4),
            env(&cal),
        );
        assert_eq!(s.finish_deadline, Some(cal.add_working_days(finish, 2)));
        assert_eq!(s.pending_extension_days, None);

        s.project(
            &Action::Resolve {
                outcome: Outcome::Mediated,
                note: note("已调解"),
            },
            CaseStatus::Resolved,
            at(26, 1),
            env(&cal),
        );
        assert_eq!(s.due_at(), None);
        assert_eq!(s.due_mark(at(30, 1)), None);
        assert_eq!(s.outcome, Some(Outcome::Mediated));
        assert!(s.ever_overdue, "超期 is remembered after resolving");
        // Registered Monday 09:00, accepted Wednesday 10:00 Shanghai: two days and an hour
        // of working time (Mon 09:00 → Wed 10:00).
        assert_eq!(s.registered_at, Some(at(23, 1)));
        assert_eq!(s.accept_minutes, Some((2 * 24 + 1) * 60));
        // Overdue at accept, so not on time even though the finish deadline held.
        assert_eq!(s.on_time, Some(false));
        assert_eq!(s.close_minutes, None);
        s.project(
            &Action::Close { note: None },
            CaseStatus::Closed,
            at(27, 1),
            env(&cal),
        );
        assert_eq!(s.close_minutes, Some(4 * 24 * 60));
        s.project(
            &Action::Reopen {
                reason: note("回访不满意"),
            },
            CaseStatus::Triage,
            at(27, 2),
            env(&cal),
        );
        assert_eq!((s.on_time, s.close_minutes), (None, None));
        assert_eq!(
            s.accept_minutes,
            Some((2 * 24 + 1) * 60),
            "first 签收 is kept"
        );
    }

    #[test]
    fn supervision_keeps_overdue_and_clears_when_closed() {
        let cal = WorkCalendar::builtin();
        let mut s = CaseState::new(7);
        s.status = CaseStatus::InProgress;
        s.finish_deadline = Some(at(23, 1));
        s.mark(DeadlineMark::Overdue);
        s.project(
            &Action::Supervise {
                level: SupervisionLevel::Key,
                note: note("限期办结"),
                new_deadline: at(27, 1),
            },
            CaseStatus::InProgress,
            at(24, 1),
            env(&cal),
        );
        assert_eq!(s.finish_deadline, Some(at(27, 1)));
        assert_eq!(s.deadline_state, DeadlineState::Overdue);
        assert_eq!(s.supervision_level, Some(SupervisionLevel::Key));
        s.project(
            &Action::Supervise {
                level: SupervisionLevel::General,
                note: note("再督办"),
                new_deadline: at(27, 1),
            },
            CaseStatus::InProgress,
            at(24, 2),
            env(&cal),
        );
        assert_eq!(
            s.supervision_level,
            Some(SupervisionLevel::Key),
            "level never drops"
        );
        s.status = CaseStatus::Verifying;
        s.project(
            &Action::Close { note: None },
            CaseStatus::Closed,
            at(28, 1),
            env(&cal),
        );
        assert_eq!(s.supervision_level, None);
    }

    #[test]
    fn warn_time_is_four_fifths() {
        assert_eq!(warn_time(at(1, 0), at(1, 10)), at(1, 8));
        assert_eq!(warn_time(at(2, 0), at(1, 10)), at(1, 10));
    }
}
