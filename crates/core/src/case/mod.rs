//! Cases (事件/工单/矛盾纠纷/群众诉求): their enumerations, the actions taken on them, the
//! lifecycle state machine, the category code table and the default time limits.
//!
//! Everything here is pure: the storage and web layers load a case and its history, describe
//! the caller relative to it in an [`ActorCtx`], and ask [`machine::apply`] whether an
//! [`Action`] may happen. If it may, they append one event (actor, time, from-state,
//! to-state, note, payload = the serialised [`Action`]); the history is never edited and the
//! current state is the `to` of the last event.
//!
//! Decisions recorded here (see each item for detail):
//! - 退回 (Returned) and 重办 (Reopened) are **events**, not statuses: both send the case back
//!   to [`CaseStatus::Triage`], as DOMAIN.md's diagram draws them. A status would only hold
//!   the case until the next triage and add nothing the event log does not already say.
//! - [`CaseStatus::Registered`] is the machine's initial state: a case that exists (submitted
//!   on the public page, imported from 12345 …) but was not yet taken in; the `register`
//!   action (登记受理) moves it to 待分流. A case entered at the desk is created and
//!   registered in one go.
//! - `triage_close` (直接办结, 先行调解 at intake) goes straight to 已结案 with an outcome; no
//!   department was involved, so there is nothing to verify. Follow-up and archive still apply.
//! - Archive needs a follow-up, or (from 已结案) a written reason for waiving it.
//! - `merge` moves the duplicate to 已归档 (terminal, still readable); `is_merged` also blocks.
//! - 满意率 counts ratings 3–5 (基本满意, 满意, 非常满意); see [`Rating::is_satisfied`].

/// Declares a fieldless enum that travels as snake_case, with `ALL`, `as_str()`, `parse()`
/// and `label_zh()` in the style of [`crate::role::Role`].
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $zh:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
            serde::Serialize, serde::Deserialize,
        )]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$( Self::$variant ),+];

            /// Stable snake_case identifier used in storage and the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $code, )+
                }
            }

            /// Parses the stable identifier.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            /// Chinese label for the console.
            pub fn label_zh(self) -> &'static str {
                match self {
                    $( Self::$variant => $zh, )+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use code_enum;

pub mod action;
mod build;
pub mod category;
pub mod error;
pub mod limits;
pub mod machine;
pub mod payload;
pub mod projection;
pub mod types;

pub use action::{Action, ActionKind};
pub use error::CaseError;
pub use machine::{ActorCtx, CaseEvent, CaseFacts, Transition, allowed_actions, apply};
pub use payload::{Note, RouteTarget};
pub use projection::{CaseState, DeadlineMark, DeadlineState, Holder, ProjectEnv};
pub use types::{
    CaseStatus, Channel, Complexity, FollowUpMethod, Outcome, PartyRole, Rating, SupervisionLevel,
    TrackingNo, Urgency,
};

/// Database id of a case.
pub type CaseId = i64;

#[cfg(test)]
mod machine_tests;
#[cfg(test)]
mod path_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod types_tests;
