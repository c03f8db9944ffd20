//! Validating constructors of [`Action`]: each answers a [`CaseError`] naming the field.

use chrono::{DateTime, Utc};

use super::CaseId;
use super::action::Action;
use super::error::CaseError;
use super::payload::{Note, RouteTarget};
use super::types::{Channel, FollowUpMethod, Outcome, Rating, SupervisionLevel};
use crate::org::OrgUnitId;

impl Action {
    fn checked(self) -> Result<Self, CaseError> {
        self.validate()?;
        Ok(self)
    }

    /// 登记受理 of a case arriving by `channel`.
    pub fn register(channel: Channel) -> Self {
        Self::Register { channel }
    }

    /// 分流交办 to `target`.
    pub fn route(target: RouteTarget, note: Option<&str>) -> Result<Self, CaseError> {
        let note = Note::parse_opt(note, "note")?;
        Self::Route { target, note }.checked()
    }

    /// 签收.
    pub fn accept(note: Option<&str>) -> Result<Self, CaseError> {
        Ok(Self::Accept {
            note: Note::parse_opt(note, "note")?,
        })
    }

    /// 退回; `reason` is required.
    pub fn return_with(reason: &str) -> Result<Self, CaseError> {
        Ok(Self::Return {
            reason: Note::parse(reason, "reason")?,
        })
    }

    /// 申请延期 by 1–60 days; `reason` is required.
    pub fn request_extension(days: u16, reason: &str) -> Result<Self, CaseError> {
        let reason = Note::parse(reason, "reason")?;
        Self::RequestExtension { days, reason }.checked()
    }

    /// 审批延期; a denial needs a note.
    pub fn decide_extension(approved: bool, note: Option<&str>) -> Result<Self, CaseError> {
        let note = Note::parse_opt(note, "note")?;
        Self::DecideExtension { approved, note }.checked()
    }

    /// 办理进展; `note` is required.
    pub fn progress(note: &str) -> Result<Self, CaseError> {
        Ok(Self::Progress {
            note: Note::parse(note, "note")?,
        })
    }

    /// 办结 with `outcome`; `note` is required.
    pub fn resolve(outcome: Outcome, note: &str) -> Result<Self, CaseError> {
        Ok(Self::Resolve {
            outcome,
            note: Note::parse(note, "note")?,
        })
    }

    /// 核查; a failure needs a note.
    pub fn verify(passed: bool, note: Option<&str>) -> Result<Self, CaseError> {
        let note = Note::parse_opt(note, "note")?;
        Self::Verify { passed, note }.checked()
    }

    /// 结案.
    pub fn close(note: Option<&str>) -> Result<Self, CaseError> {
        Ok(Self::Close {
            note: Note::parse_opt(note, "note")?,
        })
    }

    /// 回访 with `rating` 1–5 by `method`.
    pub fn follow_up(
        rating: u8,
        method: FollowUpMethod,
        note: Option<&str>,
    ) -> Result<Self, CaseError> {
        Ok(Self::FollowUp {
            rating: Rating::from_value(rating)?,
            method,
            note: Note::parse_opt(note, "note")?,
        })
    }

    /// 重办; `reason` is required.
    pub fn reopen(reason: &str) -> Result<Self, CaseError> {
        Ok(Self::Reopen {
            reason: Note::parse(reason, "reason")?,
        })
    }

    /// 归档; archiving a closed case that had no follow-up needs the reason as `note`.
    pub fn archive(note: Option<&str>) -> Result<Self, CaseError> {
        Ok(Self::Archive {
            note: Note::parse_opt(note, "note")?,
        })
    }

    /// 督办 at `level`; `new_deadline` must be after `now`.
    pub fn supervise(
        level: SupervisionLevel,
        note: &str,
        new_deadline: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Self, CaseError> {
        let note = Note::parse(note, "note")?;
        future(new_deadline, now)?;
        Ok(Self::Supervise {
            level,
            note,
            new_deadline,
        })
    }

    /// 催办; `new_deadline` must be after `now`.
    pub fn urge(
        note: &str,
        new_deadline: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Self, CaseError> {
        let note = Note::parse(note, "note")?;
        future(new_deadline, now)?;
        Ok(Self::Urge { note, new_deadline })
    }

    /// 提级 to the higher-tier center `to_org_unit_id`; `reason` is required.
    pub fn escalate(to_org_unit_id: OrgUnitId, reason: &str) -> Result<Self, CaseError> {
        let reason = Note::parse(reason, "reason")?;
        Self::Escalate {
            to_org_unit_id,
            reason,
        }
        .checked()
    }

    /// 下派 to the lower-tier center `to_org_unit_id`.
    pub fn send_down(to_org_unit_id: OrgUnitId, note: Option<&str>) -> Result<Self, CaseError> {
        let note = Note::parse_opt(note, "note")?;
        Self::SendDown {
            to_org_unit_id,
            note,
        }
        .checked()
    }

    /// 合并 case `case_id` into `master_case_id`.
    pub fn merge(
        master_case_id: CaseId,
        case_id: CaseId,
        note: Option<&str>,
    ) -> Result<Self, CaseError> {
        if master_case_id == case_id {
            return Err(CaseError::SelfMerge);
        }
        let note = Note::parse_opt(note, "note")?;
        Self::Merge {
            master_case_id,
            note,
        }
        .checked()
    }

    /// 直接办结 with `outcome`; `answer` (the reply or the mediation result) is required.
    pub fn triage_close(outcome: Outcome, answer: &str) -> Result<Self, CaseError> {
        Ok(Self::TriageClose {
            outcome,
            answer: Note::parse(answer, "answer")?,
        })
    }
}

fn future(deadline: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), CaseError> {
    if deadline > now {
        Ok(())
    } else {
        Err(CaseError::DeadlineInPast)
    }
}
