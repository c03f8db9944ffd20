//! How a case travels: registered at a center, triaged (closed at once, sent down, escalated
//! or routed to a department or a lower-tier center), signed for or returned, worked with
//! progress notes, extensions, 催办 and 督办, resolved, verified, closed, followed up and
//! archived — with the rates a real center sees (a few returns and reopenings, some late
//! cases, about nine in ten followed-up parties satisfied). Every step goes through
//! [`Sim::act`], so the state machine checks each one for the account taking it.

use anyhow::{Context, bail};
use chrono::{DateTime, TimeDelta, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use zongzhi_core::case::limits::default_limit;
use zongzhi_core::case::{
    Action, CaseStatus, Channel, Complexity, FollowUpMethod, Holder, Outcome, RouteTarget,
    SupervisionLevel, Urgency,
};
use zongzhi_core::org::{OrgLevel, OrgUnitId};
use zongzhi_core::role::Role;

use super::catalog::{Group, weighted};
use super::notes;
use super::people::pick;
use super::sim::{Sim, Who};
use super::slots::Slots;
use super::worktime::{exp, minutes, office_after};
use super::world::{Staff, Unit, World};

/// What the flow needs to know about the case.
pub(super) struct Spec<'a> {
    pub group: &'a Group,
    pub code: &'static str,
    pub channel: Channel,
    pub urgency: Urgency,
    pub complexity: Complexity,
    pub village: &'a Unit,
    pub town: &'a Unit,
    pub county: &'a Unit,
    pub people: i32,
}

/// The flow of one case.
pub(super) struct Flow<'a, 'c> {
    pub(super) world: &'a World,
    pub(super) spec: &'a Spec<'a>,
    pub(super) slots: &'a Slots,
    pub(super) sim: Sim<'c>,
    /// Times reopened so far.
    pub(super) rounds: u32,
    /// Returned once already (a case is returned at most once).
    pub(super) returned: bool,
    /// Moved between tiers already (escalated or sent down).
    pub(super) moved: bool,
    /// Had an extension request already.
    pub(super) extended: bool,
    /// Centers that triaged it.
    pub(super) triaged: Vec<OrgUnitId>,
    /// The target that returned it, not to be chosen again.
    pub(super) excluded: Option<RouteTarget>,
}

impl<'a, 'c> Flow<'a, 'c> {
    /// A flow for a case already registered in `sim`.
    pub(super) fn new(
        world: &'a World,
        spec: &'a Spec<'a>,
        slots: &'a Slots,
        sim: Sim<'c>,
    ) -> Self {
        Self {
            world,
            spec,
            slots,
            sim,
            rounds: 0,
            returned: false,
            moved: false,
            extended: false,
            triaged: Vec::new(),
            excluded: None,
        }
    }

    pub(super) fn urgent(&self) -> bool {
        self.spec.urgency != Urgency::Normal
    }

    /// When a desk worker gets to the next step, about `mean_hours` of office time later.
    pub(super) fn desk(&self, rng: &mut StdRng, mean_hours: f64) -> DateTime<Utc> {
        if self.urgent() {
            minutes(self.sim.last, exp(rng, mean_hours * 12.0, 5.0))
        } else {
            office_after(self.sim.cal(), self.sim.last, exp(rng, mean_hours, 5.0))
        }
    }

    pub(super) fn dispatcher(&self) -> anyhow::Result<&'a Staff> {
        self.world
            .staff_above(self.sim.state.center_unit_id, Role::Dispatcher)
            .context("no dispatcher for the case's center")
    }

    pub(super) fn holder(&self) -> anyhow::Result<&'a Staff> {
        match &self.sim.state.holder {
            Some(Holder::Department { id, .. }) => self.world.dept_holder(*id),
            Some(Holder::OrgUnit { id }) => self.world.unit_holder(*id),
            None => None,
        }
        .context("no handler for the case's holder")
    }

    /// Runs the case until it is archived or its next step lies after "now".
    pub(super) fn run(mut self, rng: &mut StdRng) -> anyhow::Result<Sim<'c>> {
        for _ in 0..80 {
            if self.sim.stopped {
                break;
            }
            match self.sim.state.status {
                CaseStatus::Triage => self.triage(rng)?,
                CaseStatus::Assigned => self.accept(rng)?,
                CaseStatus::InProgress => self.work(rng)?,
                CaseStatus::Resolved => self.verify(rng)?,
                CaseStatus::Verifying => self.close_or_reopen(rng)?,
                CaseStatus::Closed => self.follow_up(rng)?,
                CaseStatus::FollowedUp => self.archive_or_reopen(rng)?,
                CaseStatus::Archived | CaseStatus::Registered => break,
            }
        }
        let now = self.sim.now();
        self.sim.marks_until(rng, now)?;
        Ok(self.sim)
    }

    fn triage(&mut self, rng: &mut StdRng) -> anyhow::Result<()> {
        let center_id = self.sim.state.center_unit_id;
        let center = self.world.unit(center_id).context("center unit")?;
        let disp = self.dispatcher()?;
        let first = self.rounds == 0 && !self.triaged.contains(&center_id);
        self.triaged.push(center_id);
        let at = self.desk(rng, 1.5);
        let g = self.spec.group;
        let cx = self.spec.complexity;
        let close_p = match (center.level, g.demand, cx) {
            (_, true, _) if g.code == "Q01" => 0.75,
            (OrgLevel::Village, false, Complexity::Difficult) => 0.0,
            (OrgLevel::Village, false, _) => 0.55,
            (_, true, _) => 0.25,
            (OrgLevel::Town, false, Complexity::Simple) => 0.25,
            (OrgLevel::Town, false, _) => 0.06,
            _ => 0.0,
        };
        if first && rng.random_bool(close_p) {
            let outcome = if g.demand && !rng.random_bool(0.1) {
                Outcome::Answered
            } else if !g.demand && rng.random_bool(0.85) {
                Outcome::Mediated
            } else {
                Outcome::Answered
            };
            let answer = notes::triage_close(rng, outcome, center.level == OrgLevel::Village);
            let action = Action::triage_close(outcome, answer)?;
            self.sim.act(rng, Who::Scoped(disp), action, at, None)?;
            return Ok(());
        }
        let up = |w: &World, lvl| w.ancestor(center_id, lvl).and_then(|u| u.parent_id);
        match center.level {
            OrgLevel::Village => {
                let to = up(self.world, OrgLevel::Village).unwrap_or(self.spec.town.id);
                let action = Action::escalate(to, notes::escalate(true))?;
                self.moved = true;
                self.sim.act(rng, Who::Scoped(disp), action, at, None)?;
            }
            OrgLevel::Town
                if !self.moved && cx == Complexity::Difficult && rng.random_bool(0.35) =>
            {
                let to = up(self.world, OrgLevel::Town).unwrap_or(self.spec.county.id);
                let action = Action::escalate(to, notes::escalate(false))?;
                self.moved = true;
                self.sim.act(rng, Who::Scoped(disp), action, at, None)?;
            }
            OrgLevel::County | OrgLevel::City
                if first
                    && !self.moved
                    && cx != Complexity::Difficult
                    && !matches!(self.spec.channel, Channel::WalkIn)
                    && self
                        .world
                        .staff_at(self.spec.town.id, Role::Dispatcher)
                        .is_some()
                    && rng.random_bool(0.4) =>
            {
                let action = Action::send_down(self.spec.town.id, Some(notes::SEND_DOWN))?;
                self.moved = true;
                self.sim.act(rng, Who::Scoped(disp), action, at, None)?;
            }
            _ => self.route(rng, center, disp, at)?,
        }
        Ok(())
    }

    /// Where a center sends the case, and the tier whose limits apply.
    fn target(&self, rng: &mut StdRng, center: &Unit) -> Option<(RouteTarget, OrgLevel)> {
        let w = self.world;
        let kw = self.spec.group.depts;
        let excluded = self.excluded.as_ref();
        let ok = |t: &RouteTarget| Some(t) != excluded;
        let dept = |unit: OrgUnitId, rng: &mut StdRng| -> Option<RouteTarget> {
            let found = w.depts_matching(unit, kw);
            let found: Vec<_> = found
                .into_iter()
                .filter(|d| {
                    ok(&RouteTarget::Department {
                        id: d.id,
                        co_handler_ids: vec![],
                    })
                })
                .collect();
            let lead = if rng.random_bool(0.75) {
                found.first()
            } else {
                found.get(rng.random_range(0..found.len().max(1)))
            }?;
            let co = found
                .iter()
                .find(|d| d.id != lead.id)
                .filter(|_| rng.random_bool(0.15))
                .map(|d| vec![d.id])
                .unwrap_or_default();
            RouteTarget::department(lead.id, co).ok()
        };
        let unit_target = |u: &Unit| -> Option<RouteTarget> {
            let t = RouteTarget::OrgUnit { id: u.id };
            (w.unit_holder(u.id).is_some() && ok(&t)).then_some(t)
        };
        let (village, town, county) = (self.spec.village, self.spec.town, self.spec.county);
        let mut choices: Vec<(Option<RouteTarget>, OrgLevel)> = Vec::new();
        match center.level {
            OrgLevel::Town | OrgLevel::Village => {
                if self.spec.complexity == Complexity::Simple && rng.random_bool(0.45) {
                    choices.push((unit_target(village), OrgLevel::Village));
                }
                choices.push((dept(center.id, rng), OrgLevel::Town));
                choices.push((dept(county.id, rng), OrgLevel::County));
                choices.push((unit_target(village), OrgLevel::Village));
            }
            _ => {
                if rng.random_bool(0.2) {
                    choices.push((unit_target(town), OrgLevel::Town));
                }
                choices.push((dept(center.id, rng), center.level));
                choices.push((unit_target(town), OrgLevel::Town));
                choices.push((dept(town.id, rng), OrgLevel::Town));
            }
        }
        choices.into_iter().find_map(|(t, lvl)| t.map(|t| (t, lvl)))
    }

    fn route(
        &mut self,
        rng: &mut StdRng,
        center: &Unit,
        disp: &Staff,
        at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let Some((target, tier)) = self.target(rng, center) else {
            bail!("no route target under {}", center.code);
        };
        let s = self.spec;
        let limits = default_limit(Some(s.code), tier, s.urgency, s.complexity, s.channel);
        let note = rng.random_bool(0.6).then(|| pick(rng, notes::ROUTE));
        let action = Action::route(target, note)?;
        self.sim
            .act(rng, Who::Scoped(disp), action, at, Some(limits))?;
        Ok(())
    }

    fn accept(&mut self, rng: &mut StdRng) -> anyhow::Result<()> {
        let holder = self.holder()?;
        if !self.returned && rng.random_bool(0.04) {
            self.returned = true;
            self.excluded = self.route_target();
            let at = self.desk(rng, 3.0);
            let action = Action::return_with(pick(rng, notes::RETURN))?;
            self.sim.act(rng, Who::Holder(holder), action, at, None)?;
            return Ok(());
        }
        let at = match self.sim.state.accept_deadline {
            Some(due) if rng.random_bool(0.04) => {
                let late = if self.urgent() {
                    minutes(due, rng.random_range(10.0..240.0))
                } else {
                    office_after(self.sim.cal(), due, rng.random_range(0.5..10.0))
                };
                late.max(self.sim.last)
            }
            _ => self.desk(rng, 2.0),
        };
        let remark = rng.random_bool(0.3).then_some("已签收，安排专人办理。");
        self.sim
            .act(rng, Who::Holder(holder), Action::accept(remark)?, at, None)?;
        Ok(())
    }

    fn route_target(&self) -> Option<RouteTarget> {
        match &self.sim.state.holder {
            Some(Holder::Department { id, .. }) => Some(RouteTarget::Department {
                id: *id,
                co_handler_ids: vec![],
            }),
            Some(Holder::OrgUnit { id }) => Some(RouteTarget::OrgUnit { id: *id }),
            None => None,
        }
    }
}

/// A follow-up rating: about nine in ten satisfied (3–5).
pub(super) fn rating(rng: &mut StdRng) -> u8 {
    const W: [(u8, u32); 5] = [(5, 40), (4, 34), (3, 14), (2, 8), (1, 4)];
    W[weighted(rng, &W, |(_, w)| f64::from(*w))].0
}

/// How a follow-up was made.
pub(super) fn follow_up_method(rng: &mut StdRng) -> FollowUpMethod {
    const W: [(FollowUpMethod, u32); 4] = [
        (FollowUpMethod::Phone, 70),
        (FollowUpMethod::Sms, 12),
        (FollowUpMethod::Visit, 10),
        (FollowUpMethod::Online, 8),
    ];
    W[weighted(rng, &W, |(_, w)| f64::from(*w))].0
}

/// The outcome of 办结.
pub(super) fn outcome(rng: &mut StdRng, demand: bool) -> Outcome {
    use Outcome::*;
    let w: &[(Outcome, u32)] = if demand {
        &[
            (Answered, 72),
            (Mediated, 8),
            (PartiallyResolved, 6),
            (Transferred, 10),
            (Rejected, 4),
        ]
    } else {
        &[
            (Mediated, 60),
            (PartiallyResolved, 14),
            (ReferredToLitigation, 12),
            (Answered, 6),
            (Rejected, 2),
            (Transferred, 6),
        ]
    };
    w.get(weighted(rng, w, |(_, n)| f64::from(*n)))
        .map_or(Answered, |(o, _)| *o)
}

/// A 督办 level for a manual supervision.
pub(super) fn manual_level(rng: &mut StdRng) -> SupervisionLevel {
    if rng.random_bool(0.25) {
        SupervisionLevel::Listed
    } else if rng.random_bool(0.7) {
        SupervisionLevel::Key
    } else {
        SupervisionLevel::General
    }
}

/// Seconds between two instants, at least one.
pub(super) fn span_secs(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_seconds().max(1)
}

/// `from` plus `fraction` of `span` seconds.
pub(super) fn frac(from: DateTime<Utc>, span: i64, fraction: f64) -> DateTime<Utc> {
    from + TimeDelta::seconds((span as f64 * fraction) as i64)
}
