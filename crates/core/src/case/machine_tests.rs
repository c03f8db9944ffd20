//! Exhaustive checks of the state machine against an independently written table:
//! every status × action kind × role set × holder/scope flag × case facts.
#![allow(clippy::unwrap_used)]

use super::action::{Action, ActionKind as K};
use super::machine::{ActorCtx, CaseFacts, allowed_actions, apply};
use super::payload::RouteTarget;
use super::test_support::{note, sample};
use super::types::{CaseStatus as S, Channel, Rating};
use super::{CaseError, Transition};
use crate::role::Role;

/// The lifecycle, written out row by row: (from, kind, to).
const TABLE: &[(S, K, S)] = &[
    (S::Registered, K::Register, S::Triage),
    (S::Triage, K::TriageClose, S::Closed),
    (S::Triage, K::Route, S::Assigned),
    (S::Assigned, K::Route, S::Assigned),
    (S::Triage, K::Escalate, S::Triage),
    (S::Assigned, K::Escalate, S::Triage),
    (S::InProgress, K::Escalate, S::Triage),
    (S::Triage, K::SendDown, S::Triage),
    (S::Assigned, K::SendDown, S::Triage),
    (S::InProgress, K::SendDown, S::Triage),
    (S::Registered, K::Merge, S::Archived),
    (S::Triage, K::Merge, S::Archived),
    (S::Assigned, K::Merge, S::Archived),
    (S::InProgress, K::Merge, S::Archived),
    (S::Assigned, K::Accept, S::InProgress),
    (S::Assigned, K::Return, S::Triage),
    (S::InProgress, K::Progress, S::InProgress),
    (S::InProgress, K::RequestExtension, S::InProgress),
    (S::InProgress, K::DecideExtension, S::InProgress),
    (S::InProgress, K::Resolve, S::Resolved),
    (S::Resolved, K::Verify, S::Verifying),
    (S::Verifying, K::Verify, S::Verifying),
    (S::Verifying, K::Close, S::Closed),
    (S::Verifying, K::Reopen, S::Triage),
    (S::FollowedUp, K::Reopen, S::Triage),
    (S::Closed, K::FollowUp, S::FollowedUp),
    (S::Closed, K::Archive, S::Archived),
    (S::FollowedUp, K::Archive, S::Archived),
    (S::Registered, K::Supervise, S::Registered),
    (S::Triage, K::Supervise, S::Triage),
    (S::Assigned, K::Supervise, S::Assigned),
    (S::InProgress, K::Supervise, S::InProgress),
    (S::Resolved, K::Supervise, S::Resolved),
    (S::Verifying, K::Supervise, S::Verifying),
    (S::Registered, K::Urge, S::Registered),
    (S::Triage, K::Urge, S::Triage),
    (S::Assigned, K::Urge, S::Assigned),
    (S::InProgress, K::Urge, S::InProgress),
    (S::Resolved, K::Urge, S::Resolved),
    (S::Verifying, K::Urge, S::Verifying),
];

/// Guards on the case's facts, written out.
fn guard(from: S, kind: K, f: &CaseFacts) -> bool {
    !f.is_merged
        && match (from, kind) {
            (_, K::RequestExtension) => !f.extension_pending,
            (_, K::DecideExtension) => f.extension_pending,
            (S::Verifying, K::Close) => f.verification_passed == Some(true),
            (S::Verifying, K::Reopen) => f.verification_passed == Some(false),
            (S::FollowedUp, K::Reopen) => f.last_rating.is_some_and(|r| r.value() <= 2),
            _ => true,
        }
}

/// Who may do what: (role, needs to hold the case (else: needs it in scope), kinds).
const ROLES: &[(Role, bool, &[K])] = &[
    (Role::Intake, false, &[K::Register, K::TriageClose]),
    (Role::GridWorker, false, &[K::Register]),
    (
        Role::Dispatcher,
        false,
        &[
            K::TriageClose,
            K::Route,
            K::Escalate,
            K::SendDown,
            K::Merge,
            K::DecideExtension,
            K::Verify,
            K::Close,
            K::Reopen,
            K::FollowUp,
            K::Archive,
            K::Supervise,
            K::Urge,
        ],
    ),
    (
        Role::Handler,
        true,
        &[
            K::Accept,
            K::Return,
            K::Progress,
            K::RequestExtension,
            K::Resolve,
        ],
    ),
    (
        Role::Mediator,
        true,
        &[
            K::Accept,
            K::Return,
            K::Progress,
            K::RequestExtension,
            K::Resolve,
        ],
    ),
    (Role::Leader, false, &[K::Supervise, K::Urge]),
    (Role::SysAdmin, false, &[]),
    (Role::SecurityAdmin, false, &[]),
    (Role::Auditor, false, &[]),
];

fn expected(status: S, ctx: &ActorCtx) -> Vec<K> {
    K::ALL
        .iter()
        .copied()
        .filter(|&k| {
            TABLE.iter().any(|&(f, tk, _)| f == status && tk == k) && guard(status, k, &ctx.case)
        })
        .filter(|k| {
            ctx.roles.iter().any(|r| {
                ROLES.iter().any(|(role, holder, kinds)| {
                    role == r
                        && kinds.contains(k)
                        && if *holder { ctx.is_holder } else { ctx.in_scope }
                })
            })
        })
        .collect()
}

fn role_sets() -> Vec<Vec<Role>> {
    let mut sets: Vec<Vec<Role>> = Role::ALL.iter().map(|&r| vec![r]).collect();
    for (i, &a) in Role::ALL.iter().enumerate() {
        for &b in &Role::ALL[i + 1..] {
            sets.push(vec![a, b]);
        }
    }
    sets.push(Vec::new());
    sets
}

fn all_facts() -> Vec<CaseFacts> {
    let mut out = Vec::new();
    for is_merged in [false, true] {
        for extension_pending in [false, true] {
            for verification_passed in [None, Some(true), Some(false)] {
                for last_rating in [None, Some(Rating::Dissatisfied), Some(Rating::Satisfied)] {
                    out.push(CaseFacts {
                        is_merged,
                        extension_pending,
                        verification_passed,
                        last_rating,
                    });
                }
            }
        }
    }
    out
}

#[test]
fn every_status_action_role_and_flag() {
    let mut checked = 0usize;
    let mut succeeded = 0usize;
    for &status in S::ALL {
        for roles in role_sets() {
            for in_scope in [false, true] {
                for is_holder in [false, true] {
                    for case in all_facts() {
                        let ctx = ActorCtx {
                            roles: roles.clone(),
                            in_scope,
                            is_holder,
                            case,
                        };
                        let allowed = allowed_actions(status, &ctx);
                        assert_eq!(allowed, expected(status, &ctx), "{status} {ctx:?}");
                        for &kind in K::ALL {
                            checked += 1;
                            match apply(status, &sample(kind), &ctx) {
                                Ok(Transition { from, to, kind: k }) => {
                                    succeeded += 1;
                                    assert!(allowed.contains(&kind), "{status} {kind} {ctx:?}");
                                    assert_eq!((from, k), (status, kind));
                                    let row = TABLE.iter().find(|r| r.0 == status && r.1 == kind);
                                    assert_eq!(row.map(|r| r.2), Some(to));
                                }
                                Err(e) => {
                                    assert!(!allowed.contains(&kind), "{status} {kind} {e:?}");
                                    assert_eq!(
                                        e,
                                        CaseError::NotAllowed {
                                            status,
                                            action: kind,
                                            allowed: allowed.clone(),
                                        }
                                    );
                                    assert_eq!(e.http_status(), 409);
                                    assert_eq!(e.allowed(), allowed.as_slice());
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // 9 statuses × 46 role sets × 4 flag pairs × 36 fact sets × 19 kinds.
    assert_eq!(checked, 9 * 46 * 4 * 36 * 19);
    assert!(succeeded > 10_000, "{succeeded}");
}

#[test]
fn admins_and_strangers_may_do_nothing() {
    for &status in S::ALL {
        for case in all_facts() {
            for admin in [Role::SysAdmin, Role::SecurityAdmin, Role::Auditor] {
                let ctx = ActorCtx {
                    roles: vec![admin],
                    in_scope: true,
                    is_holder: true,
                    case,
                };
                assert!(allowed_actions(status, &ctx).is_empty());
            }
            let stranger = ActorCtx {
                roles: Role::ALL.to_vec(),
                case,
                ..ActorCtx::default()
            };
            assert!(allowed_actions(status, &stranger).is_empty());
        }
    }
}

#[test]
fn supervise_and_urge_keep_an_open_status() {
    for &status in S::ALL {
        let ctx = ActorCtx::scoped(&[Role::Leader]);
        for kind in [K::Supervise, K::Urge] {
            let r = apply(status, &sample(kind), &ctx);
            if status.is_open() {
                assert_eq!(r.map(|t| t.to), Ok(status));
            } else {
                assert!(matches!(r, Err(CaseError::NotAllowed { .. })));
            }
        }
    }
}

#[test]
fn grid_workers_register_only_their_channels() {
    let grid = ActorCtx::scoped(&[Role::GridWorker]);
    for &channel in Channel::ALL {
        let r = apply(S::Registered, &Action::register(channel), &grid);
        if matches!(channel, Channel::GridReport | Channel::Screening) {
            assert_eq!(r.map(|t| t.to), Ok(S::Triage));
        } else {
            let e = r.unwrap_err();
            assert_eq!(e, CaseError::ChannelNotPermitted { channel });
            assert_eq!((e.http_status(), e.field()), (403, Some("channel")));
        }
        let both = ActorCtx::scoped(&[Role::GridWorker, Role::Intake]);
        assert!(apply(S::Registered, &Action::register(channel), &both).is_ok());
        let intake = ActorCtx::scoped(&[Role::Intake]);
        assert!(apply(S::Registered, &Action::register(channel), &intake).is_ok());
    }
}

#[test]
fn archive_without_follow_up_needs_a_reason() {
    let d = ActorCtx::scoped(&[Role::Dispatcher]);
    let bare = Action::archive(Some("  ")).unwrap();
    assert_eq!(
        apply(S::Closed, &bare, &d),
        Err(CaseError::WaiverReasonRequired)
    );
    assert_eq!(
        apply(S::FollowedUp, &bare, &d).map(|t| t.to),
        Ok(S::Archived)
    );
    let waived = Action::archive(Some("匿名反映，无法回访")).unwrap();
    assert_eq!(apply(S::Closed, &waived, &d).map(|t| t.to), Ok(S::Archived));
}

#[test]
fn state_is_checked_before_the_payload() {
    let h = ActorCtx::holder(&[Role::Handler]);
    let bad = Action::RequestExtension {
        days: 0,
        reason: note("x"),
    };
    assert_eq!(
        apply(S::InProgress, &bad, &h),
        Err(CaseError::BadExtensionDays)
    );
    let e = apply(S::Assigned, &bad, &h).unwrap_err();
    assert_eq!(e.allowed(), [K::Accept, K::Return]);
    let d = ActorCtx::scoped(&[Role::Dispatcher]);
    let self_route = Action::Route {
        target: RouteTarget::Department {
            id: 3,
            co_handler_ids: vec![3],
        },
        note: None,
    };
    assert_eq!(
        apply(S::Triage, &self_route, &d),
        Err(CaseError::BadCoHandlers)
    );
    let deny = Action::DecideExtension {
        approved: false,
        note: None,
    };
    let pending = CaseFacts {
        extension_pending: true,
        ..CaseFacts::default()
    };
    let d = d.with_facts(pending);
    assert_eq!(
        apply(S::InProgress, &deny, &d),
        Err(CaseError::Required { field: "note" })
    );
}
