//! One case's history as the real system would have written it: every action is checked
//! by the domain state machine ([`zongzhi_core::case::apply`]) for the acting account and
//! folded with [`CaseState::project`]; between actions, the marks the deadline job would
//! have raised (预警, 超期 with its automatic 督办) are inserted at the time the job would have
//! raised them, exactly as `crate::timing::deadlines` writes them. Nothing after "now"
//! happens: a case whose next step lies in the future stays where it is.

use anyhow::anyhow;
use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::json;
use zongzhi_core::calendar::WorkCalendar;
use zongzhi_core::case::limits::Limit;
use zongzhi_core::case::{
    Action, ActorCtx, CaseState, DeadlineMark, Note, ProjectEnv, SupervisionLevel, apply,
};
use zongzhi_core::org::OrgUnitId;
use zongzhi_core::role::Role;
use zongzhi_store::NewCaseEvent;

use super::world::Staff;
use crate::timing::deadlines::{AUTO_SUPERVISE_DAYS, AUTO_SUPERVISE_NOTE};

/// Who takes an action, and how the state machine sees them.
#[derive(Debug, Clone, Copy)]
pub(super) enum Who<'a> {
    /// An account that has the case in scope (clerk, dispatcher, leader).
    Scoped(&'a Staff),
    /// The account of the department or lower-tier center holding the case.
    Holder(&'a Staff),
    /// The deadline job.
    System,
}

/// A case's history being written.
pub(super) struct Sim<'c> {
    cal: &'c WorkCalendar,
    now: DateTime<Utc>,
    /// The projection so far.
    pub state: CaseState,
    /// The events so far, oldest first.
    pub events: Vec<NewCaseEvent>,
    /// Time of the last event.
    pub last: DateTime<Utc>,
    /// The next step lay after "now": nothing more happens.
    pub stopped: bool,
}

impl<'c> Sim<'c> {
    /// A case created at `center`; no event before `start`, none after `now`.
    pub(super) fn new(
        cal: &'c WorkCalendar,
        now: DateTime<Utc>,
        center: OrgUnitId,
        start: DateTime<Utc>,
    ) -> Self {
        Self {
            cal,
            now,
            state: CaseState::new(center),
            events: Vec::new(),
            last: start,
            stopped: false,
        }
    }

    /// The calendar.
    pub(super) fn cal(&self) -> &'c WorkCalendar {
        self.cal
    }

    /// "Now": the end of the history.
    pub(super) fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Takes `action` at `at` (not before the last event): raises the marks due by then,
    /// then applies it. Answers `false`, doing nothing more, when `at` is after "now" (the
    /// history ends there) or an earlier step already was.
    pub(super) fn act(
        &mut self,
        rng: &mut StdRng,
        who: Who<'_>,
        action: Action,
        at: DateTime<Utc>,
        limits: Option<(Limit, Limit)>,
    ) -> anyhow::Result<bool> {
        if self.stopped {
            return Ok(false);
        }
        let at = at.max(self.last);
        if at > self.now {
            self.marks_until(rng, self.now)?;
            self.stopped = true;
            return Ok(false);
        }
        self.marks_until(rng, at)?;
        self.apply(who, action, at, limits)?;
        Ok(true)
    }

    fn apply(
        &mut self,
        who: Who<'_>,
        action: Action,
        at: DateTime<Utc>,
        limits: Option<(Limit, Limit)>,
    ) -> anyhow::Result<()> {
        let (actor, ctx) = match who {
            Who::Scoped(s) => (Some(s.id), ActorCtx::scoped(&s.roles)),
            Who::Holder(s) => (Some(s.id), ActorCtx::holder(&s.roles)),
            Who::System => (None, ActorCtx::scoped(&[Role::Dispatcher])),
        };
        let ctx = ctx.with_facts(self.state.facts);
        let tr = apply(self.state.status, &action, &ctx).map_err(|e| {
            anyhow!(
                "the state machine refused {} in {}: {e:?}",
                action.kind(),
                self.state.status
            )
        })?;
        let env = ProjectEnv {
            calendar: self.cal,
            limits,
        };
        self.state.project(&action, tr.to, at, env);
        self.events.push(NewCaseEvent {
            actor_id: actor,
            at,
            from_status: tr.from,
            to_status: tr.to,
            kind: tr.kind.as_str().to_owned(),
            note: action.note().map(|n| n.as_str().to_owned()),
            payload: serde_json::to_value(&action)?,
        });
        self.last = at;
        Ok(())
    }

    /// Raises every mark due by `t`, each a few seconds after it fell due (the job runs
    /// every minute), with the automatic 督办 after 超期.
    pub(super) fn marks_until(&mut self, rng: &mut StdRng, t: DateTime<Utc>) -> anyhow::Result<()> {
        // At most a warning and an overdue per clock phase; the bound is only a guard.
        for _ in 0..4 {
            let Some(mark) = self.state.due_mark(t) else {
                break;
            };
            let due_at = self.state.due_at();
            let trigger = match mark {
                DeadlineMark::Warning => self.state.warn_at,
                DeadlineMark::Overdue => due_at,
            }
            .unwrap_or(t);
            let at = (trigger + TimeDelta::seconds(rng.random_range(5..60)))
                .max(self.last)
                .min(t.max(self.last));
            let status = self.state.status;
            self.state.mark(mark);
            self.events.push(NewCaseEvent {
                actor_id: None,
                at,
                from_status: status,
                to_status: status,
                kind: mark.as_str().to_owned(),
                note: None,
                payload: json!({ "due_at": due_at }),
            });
            self.last = at;
            if mark == DeadlineMark::Overdue {
                let action = Action::Supervise {
                    level: SupervisionLevel::General,
                    note: Note::parse(AUTO_SUPERVISE_NOTE, "note")?,
                    new_deadline: self.cal.add_working_days(at, AUTO_SUPERVISE_DAYS),
                };
                self.apply(Who::System, action, at, None)?;
            }
        }
        Ok(())
    }
}
