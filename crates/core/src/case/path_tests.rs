//! The main path and the side paths, played as event histories.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};

use super::action::{Action, ActionKind as K};
use super::machine::{ActorCtx, CaseEvent, CaseFacts, allowed_actions, apply};
use super::payload::RouteTarget;
use super::test_support::sample;
use super::types::{CaseStatus as S, Channel, FollowUpMethod, Outcome};
use super::{CaseError, Transition};
use crate::role::Role;

const DISPATCHER: &[Role] = &[Role::Dispatcher];
const HANDLER: &[Role] = &[Role::Handler];

/// A case replayed from its events, the way storage will derive it.
struct Case {
    status: S,
    facts: CaseFacts,
    events: Vec<CaseEvent>,
}

impl Case {
    fn new() -> Self {
        Self {
            status: S::INITIAL,
            facts: CaseFacts::default(),
            events: Vec::new(),
        }
    }

    fn ctx(&self, roles: &[Role], holder: bool) -> ActorCtx {
        let ctx = if holder {
            ActorCtx::holder(roles)
        } else {
            ActorCtx::scoped(roles)
        };
        ctx.with_facts(self.facts)
    }

    fn try_act(&mut self, roles: &[Role], holder: bool, action: Action) -> Result<S, CaseError> {
        let t = apply(self.status, &action, &self.ctx(roles, holder))?;
        self.facts.record(&action);
        self.status = t.to;
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 9, 0, 0).unwrap();
        self.events.push(t.into_event(action, 1, at));
        Ok(self.status)
    }

    fn act(&mut self, roles: &[Role], holder: bool, action: Action) -> S {
        let from = self.status;
        let kind = action.kind();
        self.try_act(roles, holder, action)
            .unwrap_or_else(|e| panic!("{kind} from {from}: {e:?}"))
    }

    fn allowed(&self, roles: &[Role], holder: bool) -> Vec<K> {
        allowed_actions(self.status, &self.ctx(roles, holder))
    }

    fn route_and_accept(&mut self) {
        let to = RouteTarget::department(7, vec![8]).unwrap();
        assert_eq!(
            self.act(DISPATCHER, false, Action::route(to, None).unwrap()),
            S::Assigned
        );
        assert_eq!(
            self.act(HANDLER, true, Action::accept(None).unwrap()),
            S::InProgress
        );
    }

    fn resolve_and_verify(&mut self, passed: bool) -> S {
        let resolve = Action::resolve(Outcome::Mediated, "双方达成协议").unwrap();
        assert_eq!(self.act(HANDLER, true, resolve), S::Resolved);
        let note = (!passed).then_some("协议未履行");
        self.act(DISPATCHER, false, Action::verify(passed, note).unwrap())
    }

    fn registered() -> Self {
        let mut c = Self::new();
        let reg = Action::register(Channel::WalkIn);
        assert_eq!(c.act(&[Role::Intake], false, reg), S::Triage);
        c
    }
}

#[test]
fn main_path() {
    let mut c = Case::registered();
    c.route_and_accept();
    let progress = Action::progress("已约谈双方当事人").unwrap();
    assert_eq!(c.act(&[Role::Mediator], true, progress), S::InProgress);
    assert_eq!(c.resolve_and_verify(true), S::Verifying);
    assert_eq!(
        c.act(DISPATCHER, false, Action::close(None).unwrap()),
        S::Closed
    );
    let rating = Action::follow_up(4, FollowUpMethod::Phone, Some("满意")).unwrap();
    assert_eq!(c.act(DISPATCHER, false, rating), S::FollowedUp);
    assert_eq!(c.allowed(DISPATCHER, false), [K::Archive]);
    assert_eq!(
        c.act(DISPATCHER, false, Action::archive(None).unwrap()),
        S::Archived
    );

    let path: Vec<_> = c
        .events
        .iter()
        .map(|e| (e.from, e.action.kind(), e.to))
        .collect();
    assert_eq!(
        path,
        [
            (S::Registered, K::Register, S::Triage),
            (S::Triage, K::Route, S::Assigned),
            (S::Assigned, K::Accept, S::InProgress),
            (S::InProgress, K::Progress, S::InProgress),
            (S::InProgress, K::Resolve, S::Resolved),
            (S::Resolved, K::Verify, S::Verifying),
            (S::Verifying, K::Close, S::Closed),
            (S::Closed, K::FollowUp, S::FollowedUp),
            (S::FollowedUp, K::Archive, S::Archived),
        ]
    );
    for w in c.events.windows(2) {
        assert_eq!(w[0].to, w[1].from);
    }
    // The event's payload round-trips as JSON, tagged with the action's wire name.
    for e in &c.events {
        let json = serde_json::to_value(e).unwrap();
        assert_eq!(json["action"]["action"], e.action.kind().as_str());
        assert_eq!(serde_json::from_value::<CaseEvent>(json).unwrap(), *e);
    }
    let resolve = serde_json::to_value(&c.events[4]).unwrap();
    assert_eq!(resolve["action"]["outcome"], "mediated");
    assert_eq!(resolve["from"], "in_progress");
    assert_eq!(
        c.events[4].action.note().map(|n| n.as_str()),
        Some("双方达成协议")
    );
}

#[test]
fn return_goes_back_to_triage() {
    let mut c = Case::registered();
    let to = RouteTarget::org_unit(3).unwrap();
    assert_eq!(
        c.act(DISPATCHER, false, Action::route(to, None).unwrap()),
        S::Assigned
    );
    assert_eq!(c.allowed(HANDLER, true), [K::Accept, K::Return]);
    assert_eq!(
        c.act(HANDLER, true, Action::return_with("非本单位职责").unwrap()),
        S::Triage
    );
    c.route_and_accept();
    // Once signed for, a return is no longer possible.
    let e = c
        .try_act(HANDLER, true, Action::return_with("x").unwrap())
        .unwrap_err();
    assert_eq!(e.allowed(), [K::RequestExtension, K::Progress, K::Resolve]);
}

#[test]
fn extension_request_and_decision_keep_in_progress() {
    let mut c = Case::registered();
    c.route_and_accept();
    let ask = || Action::request_extension(10, "需等待鉴定结论").unwrap();
    assert_eq!(c.act(HANDLER, true, ask()), S::InProgress);
    assert!(c.facts.extension_pending);
    assert!(!c.allowed(HANDLER, true).contains(&K::RequestExtension));
    assert!(c.try_act(HANDLER, true, ask()).is_err());
    assert!(c.allowed(DISPATCHER, false).contains(&K::DecideExtension));
    let deny = Action::decide_extension(false, Some("理由不充分")).unwrap();
    assert_eq!(c.act(DISPATCHER, false, deny), S::InProgress);
    assert!(!c.allowed(DISPATCHER, false).contains(&K::DecideExtension));
    assert_eq!(c.act(HANDLER, true, ask()), S::InProgress);
    let approve = Action::decide_extension(true, None).unwrap();
    assert_eq!(c.act(DISPATCHER, false, approve), S::InProgress);
}

#[test]
fn failed_verification_reopens() {
    let mut c = Case::registered();
    c.route_and_accept();
    assert_eq!(c.resolve_and_verify(false), S::Verifying);
    assert_eq!(
        c.allowed(DISPATCHER, false),
        [K::Verify, K::Reopen, K::Supervise, K::Urge]
    );
    assert!(
        c.try_act(DISPATCHER, false, Action::close(None).unwrap())
            .is_err()
    );
    assert_eq!(
        c.act(DISPATCHER, false, Action::reopen("核查不通过").unwrap()),
        S::Triage
    );
    c.route_and_accept();
    assert_eq!(c.resolve_and_verify(true), S::Verifying);
    assert!(!c.allowed(DISPATCHER, false).contains(&K::Reopen));
    assert_eq!(
        c.act(DISPATCHER, false, Action::close(None).unwrap()),
        S::Closed
    );
}

#[test]
fn dissatisfied_follow_up_may_reopen() {
    for (rating, may_reopen) in [(1, true), (2, true), (3, false), (4, false), (5, false)] {
        let mut c = Case::registered();
        c.route_and_accept();
        c.resolve_and_verify(true);
        c.act(DISPATCHER, false, Action::close(None).unwrap());
        let f = Action::follow_up(rating, FollowUpMethod::Visit, None).unwrap();
        assert_eq!(c.act(DISPATCHER, false, f), S::FollowedUp);
        let reopen = c.try_act(DISPATCHER, false, Action::reopen("群众不满意").unwrap());
        assert_eq!(reopen.is_ok(), may_reopen, "rating {rating}");
        if may_reopen {
            assert_eq!(c.status, S::Triage);
            assert_eq!(c.facts, CaseFacts::default());
        }
    }
}

#[test]
fn merged_cases_are_frozen() {
    for steps in 0..3 {
        let mut c = Case::registered();
        if steps >= 1 {
            c.act(DISPATCHER, false, sample(K::Route));
        }
        if steps >= 2 {
            c.act(HANDLER, true, sample(K::Accept));
        }
        let merge = Action::merge(99, 100, Some("重复反映")).unwrap();
        assert_eq!(c.act(DISPATCHER, false, merge), S::Archived);
        assert!(c.facts.is_merged);
        assert_frozen(&c);
    }
    assert_eq!(Action::merge(5, 5, None), Err(CaseError::SelfMerge));
}

#[test]
fn triage_close_at_intake_and_by_dispatcher() {
    let mut c = Case::registered();
    let intake = [Role::Intake];
    assert_eq!(c.allowed(&intake, false), [K::TriageClose]);
    let answer = Action::triage_close(Outcome::Answered, "已当场解答政策").unwrap();
    assert_eq!(c.act(&intake, false, answer), S::Closed);
    assert_eq!(c.allowed(DISPATCHER, false), [K::FollowUp, K::Archive]);
    let waive = Action::archive(Some("咨询类，当场答复")).unwrap();
    assert_eq!(c.act(DISPATCHER, false, waive), S::Archived);

    let mut c = Case::registered();
    let mediated = Action::triage_close(Outcome::Mediated, "先行调解成功").unwrap();
    assert_eq!(c.act(DISPATCHER, false, mediated), S::Closed);
}

#[test]
fn escalate_and_send_down_re_route() {
    let mut c = Case::registered();
    c.route_and_accept();
    c.act(
        HANDLER,
        true,
        Action::request_extension(3, "待补材料").unwrap(),
    );
    let up = Action::escalate(2, "涉及多个乡镇，提级县级包案").unwrap();
    assert_eq!(c.act(DISPATCHER, false, up), S::Triage);
    assert!(!c.facts.extension_pending);
    let down = Action::send_down(4, Some("属地办理")).unwrap();
    assert_eq!(c.act(DISPATCHER, false, down), S::Triage);
    c.route_and_accept();
    assert_eq!(c.act(DISPATCHER, false, sample(K::SendDown)), S::Triage);
    assert_eq!(
        Action::escalate(0, "x"),
        Err(CaseError::BadId {
            field: "to_org_unit_id"
        })
    );
}

#[test]
fn leaders_only_supervise_and_urge() {
    let mut c = Case::registered();
    let leader = [Role::Leader];
    assert_eq!(c.allowed(&leader, false), [K::Supervise, K::Urge]);
    let e = c.try_act(&leader, false, sample(K::Route)).unwrap_err();
    assert_eq!(e.allowed(), [K::Supervise, K::Urge]);
    assert_eq!(c.act(&leader, false, sample(K::Supervise)), S::Triage);
    c.route_and_accept();
    assert_eq!(c.act(&leader, false, sample(K::Urge)), S::InProgress);
    let t = apply(S::InProgress, &sample(K::Urge), &c.ctx(&leader, false));
    assert_eq!(
        t,
        Ok(Transition {
            from: S::InProgress,
            to: S::InProgress,
            kind: K::Urge
        })
    );
}

#[test]
fn archived_allows_nothing() {
    let mut c = Case::registered();
    c.act(DISPATCHER, false, sample(K::TriageClose));
    c.act(DISPATCHER, false, sample(K::Archive));
    assert_frozen(&c);
}

fn assert_frozen(c: &Case) {
    assert_eq!(c.status, S::Archived);
    for role in Role::ALL {
        for holder in [false, true] {
            let mut ctx = c.ctx(&[role], holder);
            ctx.in_scope = true;
            ctx.is_holder = true;
            assert!(allowed_actions(c.status, &ctx).is_empty());
            for &kind in K::ALL {
                let e = apply(c.status, &sample(kind), &ctx).unwrap_err();
                assert_eq!(e.code(), "action_not_allowed");
                assert!(e.allowed().is_empty());
            }
        }
    }
}
