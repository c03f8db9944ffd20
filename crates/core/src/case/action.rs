//! What can be done to a case: the action kinds and each action's typed, validated payload.
//!
//! Build actions with the constructors on [`Action`] (`Action::resolve`, `Action::return_with`
//! …; they validate and answer a [`CaseError`] naming the field); a deserialised action is
//! validated again by [`crate::case::machine::apply`] through [`Action::validate`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::CaseId;
use super::error::CaseError;
use super::payload::{Note, RouteTarget, positive};
use super::types::{Channel, FollowUpMethod, Outcome, Rating, SupervisionLevel};
use crate::org::OrgUnitId;

code_enum! {
    /// The kind of an action, as it travels in the API (`action` field) and the event log.
    ActionKind {
        /// 登记受理
        Register = "register", "登记受理";
        /// 分流交办 (or 改派 before it was signed for)
        Route = "route", "分流交办";
        /// 签收
        Accept = "accept", "签收";
        /// 退回
        Return = "return", "退回";
        /// 申请延期
        RequestExtension = "request_extension", "申请延期";
        /// 审批延期
        DecideExtension = "decide_extension", "审批延期";
        /// 办理进展
        Progress = "progress", "办理进展";
        /// 办结
        Resolve = "resolve", "办结";
        /// 核查
        Verify = "verify", "核查";
        /// 结案
        Close = "close", "结案";
        /// 回访
        FollowUp = "follow_up", "回访";
        /// 重办
        Reopen = "reopen", "重办";
        /// 归档
        Archive = "archive", "归档";
        /// 督办
        Supervise = "supervise", "督办";
        /// 催办
        Urge = "urge", "催办";
        /// 提级
        Escalate = "escalate", "提级";
        /// 下派
        SendDown = "send_down", "下派";
        /// 合并
        Merge = "merge", "合并";
        /// 直接办结 (at intake or triage, including 先行调解)
        TriageClose = "triage_close", "直接办结";
    }
}

/// An action with its payload. Serialised with an `action` tag equal to its
/// [`ActionKind::as_str`]; this is the event's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// 登记受理: take the case in; it goes to 待分流.
    Register {
        /// How it arrived.
        channel: Channel,
    },
    /// 分流交办 to a department or lower-tier center (改派 while still unsigned).
    Route {
        /// Where to.
        target: RouteTarget,
        /// Instructions to the holder.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<Note>,
    },
    /// 签收.
    Accept {
        /// Optional remark.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<Note>,
    },
    /// 退回 with a reason; back to 待分流.
    Return {
        /// Why (e.g. 非本单位职责).
        reason: Note,
    },
    /// 申请延期.
    RequestExtension {
        /// Days asked for, 1–60, in the day unit of the case's finish limit.
        days: u16,
        /// Why.
        reason: Note,
    },
    /// 审批延期.
    DecideExtension {
        /// Approved or denied.
        approved: bool,
        /// Remark; required for a denial.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<Note>,
    },
    /// 办理进展.
    Progress {
        /// What was done.
        note: Note,
    },
    /// 办结.
    Resolve {
        /// The result.
        outcome: Outcome,
        /// How it was handled.
        note: Note,
    },
    /// 核查.
    Verify {
        /// Whether the resolution holds up.
        passed: bool,
        /// Findings; required when it did not pass.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<Note>,
    },
    /// 结案.
    Close {
        /// Optional remark.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<Note>,
    },
    /// 回访.
    FollowUp {
        /// The party's rating.
        rating: Rating,
        /// How the follow-up was made.
        method: FollowUpMethod,
        /// What the party said.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<Note>,
    },
    /// 重办; back to 待分流.
    Reopen {
        /// Why.
        reason: Note,
    },
    /// 归档.
    Archive {
        /// Remark; from 已结案 (no follow-up) the reason the follow-up was waived.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<Note>,
    },
    /// 督办.
    Supervise {
        /// 一般/重点/挂牌.
        level: SupervisionLevel,
        /// The instruction.
        note: Note,
        /// The deadline from now on.
        new_deadline: DateTime<Utc>,
    },
    /// 催办.
    Urge {
        /// The reminder.
        note: Note,
        /// The deadline from now on.
        new_deadline: DateTime<Utc>,
    },
    /// 提级: hand the case to a higher-tier center, which triages it.
    Escalate {
        /// The higher-tier center.
        to_org_unit_id: OrgUnitId,
        /// Why.
        reason: Note,
    },
    /// 下派: hand the case to a lower-tier center, which triages it.
    SendDown {
        /// The lower-tier center.
        to_org_unit_id: OrgUnitId,
        /// Instructions.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<Note>,
    },
    /// 合并 into a master case; this one is archived and stays readable.
    Merge {
        /// The case this one duplicates.
        master_case_id: CaseId,
        /// Remark.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<Note>,
    },
    /// 直接办结 at intake or triage (answered, or 先行调解).
    TriageClose {
        /// The result.
        outcome: Outcome,
        /// The reply given, or the result of the mediation at intake.
        answer: Note,
    },
}

impl Action {
    /// Longest extension one request may ask for, in days.
    pub const MAX_EXTENSION_DAYS: u16 = 60;

    /// The action's kind.
    pub fn kind(&self) -> ActionKind {
        use ActionKind as K;
        match self {
            Self::Register { .. } => K::Register,
            Self::Route { .. } => K::Route,
            Self::Accept { .. } => K::Accept,
            Self::Return { .. } => K::Return,
            Self::RequestExtension { .. } => K::RequestExtension,
            Self::DecideExtension { .. } => K::DecideExtension,
            Self::Progress { .. } => K::Progress,
            Self::Resolve { .. } => K::Resolve,
            Self::Verify { .. } => K::Verify,
            Self::Close { .. } => K::Close,
            Self::FollowUp { .. } => K::FollowUp,
            Self::Reopen { .. } => K::Reopen,
            Self::Archive { .. } => K::Archive,
            Self::Supervise { .. } => K::Supervise,
            Self::Urge { .. } => K::Urge,
            Self::Escalate { .. } => K::Escalate,
            Self::SendDown { .. } => K::SendDown,
            Self::Merge { .. } => K::Merge,
            Self::TriageClose { .. } => K::TriageClose,
        }
    }

    /// The event's note: the action's main text (note, reason or answer), if any.
    pub fn note(&self) -> Option<&Note> {
        match self {
            Self::Register { .. } => None,
            Self::Route { note, .. }
            | Self::Accept { note }
            | Self::DecideExtension { note, .. }
            | Self::Verify { note, .. }
            | Self::Close { note }
            | Self::FollowUp { note, .. }
            | Self::Archive { note }
            | Self::SendDown { note, .. }
            | Self::Merge { note, .. } => note.as_ref(),
            Self::Return { reason }
            | Self::RequestExtension { reason, .. }
            | Self::Reopen { reason }
            | Self::Escalate { reason, .. } => Some(reason),
            Self::Progress { note }
            | Self::Resolve { note, .. }
            | Self::Supervise { note, .. }
            | Self::Urge { note, .. } => Some(note),
            Self::TriageClose { answer, .. } => Some(answer),
        }
    }

    /// Checks what the types alone do not: ids, co-handlers, extension days, and the note a
    /// denial or a failed verification needs.
    pub fn validate(&self) -> Result<(), CaseError> {
        match self {
            Self::Route { target, .. } => target.validate(),
            Self::RequestExtension { days, .. } => {
                if (1..=Self::MAX_EXTENSION_DAYS).contains(days) {
                    Ok(())
                } else {
                    Err(CaseError::BadExtensionDays)
                }
            }
            Self::DecideExtension {
                approved: false,
                note: None,
            }
            | Self::Verify {
                passed: false,
                note: None,
            } => Err(CaseError::Required { field: "note" }),
            Self::Escalate { to_org_unit_id, .. } | Self::SendDown { to_org_unit_id, .. } => {
                positive(*to_org_unit_id, "to_org_unit_id")
            }
            Self::Merge { master_case_id, .. } => positive(*master_case_id, "master_case_id"),
            _ => Ok(()),
        }
    }
}
