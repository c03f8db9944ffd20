//! The lifecycle state machine. Only it decides which actions are allowed.
//!
//! | from            | action                      | to          | who                      |
//! |-----------------|-----------------------------|-------------|--------------------------|
//! | Registered      | register                    | Triage      | Intake, GridWorker¹      |
//! | Triage          | triage_close                | Closed      | Intake, Dispatcher       |
//! | Triage/Assigned | route (Assigned: 改派)      | Assigned    | Dispatcher               |
//! | Triage/Assigned/InProgress | escalate, send_down | Triage  | Dispatcher               |
//! | Registered…InProgress | merge                 | Archived    | Dispatcher               |
//! | Assigned        | accept                      | InProgress  | Handler/Mediator, holder |
//! | Assigned        | return                      | Triage      | Handler/Mediator, holder |
//! | InProgress      | progress                    | InProgress  | Handler/Mediator, holder |
//! | InProgress      | request_extension²          | InProgress  | Handler/Mediator, holder |
//! | InProgress      | decide_extension³           | InProgress  | Dispatcher               |
//! | InProgress      | resolve                     | Resolved    | Handler/Mediator, holder |
//! | Resolved/Verifying | verify (pass or fail)    | Verifying   | Dispatcher               |
//! | Verifying       | close (last verify passed)  | Closed      | Dispatcher               |
//! | Verifying       | reopen (last verify failed) | Triage      | Dispatcher               |
//! | Closed          | follow_up                   | FollowedUp  | Dispatcher               |
//! | FollowedUp      | reopen (rating 1–2)         | Triage      | Dispatcher               |
//! | FollowedUp      | archive                     | Archived    | Dispatcher               |
//! | Closed          | archive (waiver reason)     | Archived    | Dispatcher               |
//! | any open⁴       | supervise, urge             | unchanged   | Dispatcher, Leader       |
//!
//! ¹ a grid worker only for `grid_report` and `screening`. ² when none is pending.
//! ³ when one is pending. ⁴ Registered to Verifying.
//! Everyone but a holder must have the case in scope; nothing is allowed on a merged case;
//! the three admin roles may do nothing. A caller's allowed actions are the union over
//! their roles.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::action::{Action, ActionKind};
use super::error::CaseError;
use super::types::{CaseStatus, Channel, Rating};
use crate::account::AccountId;
use crate::role::Role;

/// Facts about a case, beyond its status, that decide what may happen next. All follow from
/// the event history: fold it with [`CaseFacts::record`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    /// Merged into a master case: readable, but nothing more may happen.
    pub is_merged: bool,
    /// An extension request awaits a decision.
    pub extension_pending: bool,
    /// The verdict of the last verification since the case was last (re)opened.
    pub verification_passed: Option<bool>,
    /// The rating of the last follow-up since the case was last (re)opened.
    pub last_rating: Option<Rating>,
}

impl CaseFacts {
    /// Updates the facts after `action` has been applied.
    pub fn record(&mut self, action: &Action) {
        match action {
            Action::Merge { .. } => self.is_merged = true,
            Action::RequestExtension { .. } => self.extension_pending = true,
            Action::DecideExtension { .. } => self.extension_pending = false,
            Action::Verify { passed, .. } => self.verification_passed = Some(*passed),
            Action::FollowUp { rating, .. } => self.last_rating = Some(*rating),
            Action::Reopen { .. }
            | Action::Return { .. }
            | Action::Escalate { .. }
            | Action::SendDown { .. }
            | Action::Resolve { .. } => {
                self.extension_pending = false;
                self.verification_passed = None;
                self.last_rating = None;
            }
            _ => {}
        }
    }
}

/// The caller as seen from one case, and the case's facts; built by the layer that loaded
/// both, so the machine needs no I/O.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActorCtx {
    /// The caller's roles.
    pub roles: Vec<Role>,
    /// The case's org unit (the center that owns it: where it was registered, or where
    /// `escalate`/`send_down` moved it) is the caller's unit or below it. For `register`,
    /// the unit the new case will belong to.
    pub in_scope: bool,
    /// The case currently sits with the caller's department, or with the caller's
    /// lower-tier center it was routed to.
    pub is_holder: bool,
    /// What the history says about the case.
    pub case: CaseFacts,
}

impl ActorCtx {
    /// A caller with `roles` who has the case in scope but does not hold it.
    pub fn scoped(roles: &[Role]) -> Self {
        Self {
            roles: roles.to_vec(),
            in_scope: true,
            ..Self::default()
        }
    }

    /// A caller with `roles` whose department or unit holds the case.
    pub fn holder(roles: &[Role]) -> Self {
        Self {
            roles: roles.to_vec(),
            is_holder: true,
            ..Self::default()
        }
    }

    /// The same caller, with the case's facts.
    pub fn with_facts(mut self, case: CaseFacts) -> Self {
        self.case = case;
        self
    }
}

/// A permitted change: what the event records as from-state, to-state and kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// Status before.
    pub from: CaseStatus,
    /// Status after (equal to `from` for progress, extensions, supervise and urge).
    pub to: CaseStatus,
    /// What happened.
    pub kind: ActionKind,
}

impl Transition {
    /// The event to append for this transition.
    pub fn into_event(self, action: Action, actor_id: AccountId, at: DateTime<Utc>) -> CaseEvent {
        CaseEvent {
            actor_id,
            at,
            from: self.from,
            to: self.to,
            action,
        }
    }
}

/// One entry of a case's history: who, when, from-state, to-state, and the action with its
/// payload (its note is [`Action::note`]). Never edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    /// Who acted.
    pub actor_id: AccountId,
    /// When.
    pub at: DateTime<Utc>,
    /// Status before.
    pub from: CaseStatus,
    /// Status after.
    pub to: CaseStatus,
    /// The action and its payload.
    pub action: Action,
}

/// Where `kind` leads from `status` given the case's facts, regardless of who asks; `None`
/// if it cannot happen at all.
pub fn next_status(status: CaseStatus, kind: ActionKind, case: &CaseFacts) -> Option<CaseStatus> {
    use ActionKind as K;
    use CaseStatus as S;
    if case.is_merged {
        return None;
    }
    let dissatisfied = case.last_rating.is_some_and(Rating::is_dissatisfied);
    match (status, kind) {
        (S::Registered, K::Register) => Some(S::Triage),
        (S::Triage, K::TriageClose) => Some(S::Closed),
        (S::Triage | S::Assigned, K::Route) => Some(S::Assigned),
        (S::Triage | S::Assigned | S::InProgress, K::Escalate | K::SendDown) => Some(S::Triage),
        (S::Registered | S::Triage | S::Assigned | S::InProgress, K::Merge) => Some(S::Archived),
        (S::Assigned, K::Accept) => Some(S::InProgress),
        (S::Assigned, K::Return) => Some(S::Triage),
        (S::InProgress, K::Progress) => Some(S::InProgress),
        (S::InProgress, K::RequestExtension) if !case.extension_pending => Some(S::InProgress),
        (S::InProgress, K::DecideExtension) if case.extension_pending => Some(S::InProgress),
        (S::InProgress, K::Resolve) => Some(S::Resolved),
        (S::Resolved | S::Verifying, K::Verify) => Some(S::Verifying),
        (S::Verifying, K::Close) if case.verification_passed == Some(true) => Some(S::Closed),
        (S::Verifying, K::Reopen) if case.verification_passed == Some(false) => Some(S::Triage),
        (S::FollowedUp, K::Reopen) if dissatisfied => Some(S::Triage),
        (S::Closed, K::FollowUp) => Some(S::FollowedUp),
        (S::Closed | S::FollowedUp, K::Archive) => Some(S::Archived),
        (s, K::Supervise | K::Urge) if s.is_open() => Some(s),
        _ => None,
    }
}

/// Whether `role` may take actions of `kind` on the case described by `ctx`, whatever its
/// status.
pub fn role_may(role: Role, kind: ActionKind, ctx: &ActorCtx) -> bool {
    use ActionKind as K;
    match role {
        Role::Intake => ctx.in_scope && matches!(kind, K::Register | K::TriageClose),
        Role::GridWorker => ctx.in_scope && kind == K::Register,
        Role::Dispatcher => {
            ctx.in_scope
                && matches!(
                    kind,
                    K::TriageClose
                        | K::Route
                        | K::Escalate
                        | K::SendDown
                        | K::Merge
                        | K::DecideExtension
                        | K::Verify
                        | K::Close
                        | K::Reopen
                        | K::FollowUp
                        | K::Archive
                        | K::Supervise
                        | K::Urge
                )
        }
        Role::Handler | Role::Mediator => {
            ctx.is_holder
                && matches!(
                    kind,
                    K::Accept | K::Return | K::Progress | K::RequestExtension | K::Resolve
                )
        }
        Role::Leader => ctx.in_scope && matches!(kind, K::Supervise | K::Urge),
        Role::SysAdmin | Role::SecurityAdmin | Role::Auditor => false,
    }
}

/// The channels a grid worker may register: what they find on their rounds.
pub fn grid_worker_channel(channel: Channel) -> bool {
    matches!(channel, Channel::GridReport | Channel::Screening)
}

/// What the caller may do to a case in `status`, in [`ActionKind::ALL`] order.
pub fn allowed_actions(status: CaseStatus, ctx: &ActorCtx) -> Vec<ActionKind> {
    ActionKind::ALL
        .iter()
        .copied()
        .filter(|&k| next_status(status, k, &ctx.case).is_some())
        .filter(|&k| ctx.roles.iter().any(|&r| role_may(r, k, ctx)))
        .collect()
}

/// Decides whether `action` may happen to a case in `status` for the caller in `ctx`, and
/// where it leads. [`CaseError::NotAllowed`] (409) lists what is allowed instead; payload
/// errors (422) come after that check.
pub fn apply(status: CaseStatus, action: &Action, ctx: &ActorCtx) -> Result<Transition, CaseError> {
    let kind = action.kind();
    let to = match next_status(status, kind, &ctx.case) {
        Some(to) if ctx.roles.iter().any(|&r| role_may(r, kind, ctx)) => to,
        _ => {
            return Err(CaseError::NotAllowed {
                status,
                action: kind,
                allowed: allowed_actions(status, ctx),
            });
        }
    };
    action.validate()?;
    match action {
        Action::Register { channel }
            if !grid_worker_channel(*channel)
                && !ctx
                    .roles
                    .iter()
                    .any(|&r| r != Role::GridWorker && role_may(r, kind, ctx)) =>
        {
            return Err(CaseError::ChannelNotPermitted { channel: *channel });
        }
        Action::Archive { note: None } if status == CaseStatus::Closed => {
            return Err(CaseError::WaiverReasonRequired);
        }
        _ => {}
    }
    Ok(Transition {
        from: status,
        to,
        kind,
    })
}
