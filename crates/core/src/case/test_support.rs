//! Valid sample actions for the tests.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};

use super::action::{Action, ActionKind as K};
use super::payload::{Note, RouteTarget};
use super::types::{Channel, FollowUpMethod, Outcome, Rating, SupervisionLevel};

/// A valid note.
pub(super) fn note(s: &str) -> Note {
    Note::parse(s, "note").unwrap()
}

/// A valid action of `kind` that passes every payload and state-dependent check.
pub(super) fn sample(kind: K) -> Action {
    let deadline = Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    match kind {
        K::Register => Action::Register {
            channel: Channel::GridReport,
        },
        K::Route => Action::Route {
            target: RouteTarget::Department {
                id: 7,
                co_handler_ids: vec![8, 9],
            },
            note: None,
        },
        K::Accept => Action::Accept { note: None },
        K::Return => Action::Return {
            reason: note("非本单位职责"),
        },
        K::RequestExtension => Action::RequestExtension {
            days: 5,
            reason: note("需现场勘验"),
        },
        K::DecideExtension => Action::DecideExtension {
            approved: true,
            note: None,
        },
        K::Progress => Action::Progress {
            note: note("已约谈双方"),
        },
        K::Resolve => Action::Resolve {
            outcome: Outcome::Mediated,
            note: note("达成调解协议"),
        },
        K::Verify => Action::Verify {
            passed: true,
            note: None,
        },
        K::Close => Action::Close { note: None },
        K::FollowUp => Action::FollowUp {
            rating: Rating::Satisfied,
            method: FollowUpMethod::Phone,
            note: None,
        },
        K::Reopen => Action::Reopen {
            reason: note("回访不满意"),
        },
        K::Archive => Action::Archive {
            note: Some(note("当事人拒绝回访")),
        },
        K::Supervise => Action::Supervise {
            level: SupervisionLevel::Key,
            note: note("限期办结"),
            new_deadline: deadline,
        },
        K::Urge => Action::Urge {
            note: note("请加快办理"),
            new_deadline: deadline,
        },
        K::Escalate => Action::Escalate {
            to_org_unit_id: 2,
            reason: note("涉及多个乡镇"),
        },
        K::SendDown => Action::SendDown {
            to_org_unit_id: 4,
            note: None,
        },
        K::Merge => Action::Merge {
            master_case_id: 99,
            note: None,
        },
        K::TriageClose => Action::TriageClose {
            outcome: Outcome::Answered,
            answer: note("已当场答复"),
        },
    }
}
