//! The case's enumerations and its tracking number (一案一码).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::error::CaseError;
use crate::org::OrgLevel;

code_enum! {
    /// How a case reached the center (`Channel` in DOMAIN.md).
    Channel {
        /// 来访
        WalkIn = "walk_in", "来访";
        /// 来电
        Phone = "phone", "来电";
        /// 网格上报
        GridReport = "grid_report", "网格上报";
        /// 12345热线
        Hotline12345 = "hotline_12345", "12345热线";
        /// 110非警务警情
        Police110 = "police_110", "110非警务警情";
        /// 信访
        Petition = "petition", "信访";
        /// 网上/群众端
        Online = "online", "网上/群众端";
        /// 部门移交
        Transfer = "transfer", "部门移交";
        /// 排查发现
        Screening = "screening", "排查发现";
        /// 网络舆情
        PublicOpinion = "public_opinion", "网络舆情";
        /// 上级交办
        Assigned = "assigned", "上级交办";
    }
}

code_enum! {
    /// Where a case stands in its lifecycle (`CaseStatus` in DOMAIN.md).
    ///
    /// 退回 and 重办 are not statuses but events (`return`, `reopen`) that lead back to
    /// [`CaseStatus::Triage`]; the event log tells a returned or reopened case apart.
    CaseStatus {
        /// 登记: exists but not yet taken in (public page, import); the initial state.
        Registered = "registered", "待受理";
        /// 待分流: taken in, waiting for a dispatcher.
        Triage = "triage", "待分流";
        /// 已交办: routed; the holder has not signed for it yet.
        Assigned = "assigned", "已交办";
        /// 办理中: signed for and being handled.
        InProgress = "in_progress", "办理中";
        /// 已办结: the holder reported an outcome; waiting for verification.
        Resolved = "resolved", "已办结";
        /// 核查中: verified (passed or failed); waiting for 结案 or 重办.
        Verifying = "verifying", "核查中";
        /// 已结案: closed; waiting for the follow-up.
        Closed = "closed", "已结案";
        /// 已回访: the follow-up recorded a rating.
        FollowedUp = "followed_up", "已回访";
        /// 已归档: final.
        Archived = "archived", "已归档";
    }
}

impl CaseStatus {
    /// The state a case starts in.
    pub const INITIAL: CaseStatus = CaseStatus::Registered;

    /// Still being worked: 督办/催办 apply, deadlines run, overdue warnings fire.
    pub fn is_open(self) -> bool {
        !matches!(self, Self::Closed | Self::FollowedUp | Self::Archived)
    }

    /// Nothing can happen any more.
    pub fn is_terminal(self) -> bool {
        self == Self::Archived
    }

    /// Counts as 办结 for 办结率 (closed or later). Merged duplicates (archived by `merge`)
    /// must be left out of both sides of the ratio by the caller.
    pub fn counts_as_closed(self) -> bool {
        !self.is_open()
    }
}

code_enum! {
    /// 紧急程度.
    Urgency {
        /// 一般
        Normal = "normal", "一般";
        /// 紧急
        Urgent = "urgent", "紧急";
        /// 特急
        Critical = "critical", "特急";
    }
}

code_enum! {
    /// 复杂程度; decides the default handling tier.
    Complexity {
        /// 简单: 简易事村社办.
        Simple = "simple", "简单";
        /// 复杂: 复杂事镇街调.
        Complex = "complex", "复杂";
        /// 疑难: 疑难事县级包案.
        Difficult = "difficult", "疑难";
    }
}

impl Complexity {
    /// The tier that handles a case of this complexity by default.
    pub fn default_tier(self) -> OrgLevel {
        match self {
            Self::Simple => OrgLevel::Village,
            Self::Complex => OrgLevel::Town,
            Self::Difficult => OrgLevel::County,
        }
    }
}

code_enum! {
    /// 办结结果 (`Outcome` in DOMAIN.md).
    Outcome {
        /// 调解成功
        Mediated = "mediated", "调解成功";
        /// 部分化解
        PartiallyResolved = "partially_resolved", "部分化解";
        /// 调解不成已引导诉讼/仲裁
        ReferredToLitigation = "referred_to_litigation", "调解不成已引导诉讼/仲裁";
        /// 已答复
        Answered = "answered", "已答复";
        /// 不予受理 (the note gives the reason)
        Rejected = "rejected", "不予受理";
        /// 已移交
        Transferred = "transferred", "已移交";
    }
}

impl Outcome {
    /// Counts as 化解 for 化解率: only 调解成功 and 部分化解 (DOMAIN.md, "Lifecycle").
    pub fn counts_as_resolved(self) -> bool {
        matches!(self, Self::Mediated | Self::PartiallyResolved)
    }
}

code_enum! {
    /// 回访方式.
    FollowUpMethod {
        /// 电话
        Phone = "phone", "电话";
        /// 短信
        Sms = "sms", "短信";
        /// 上门
        Visit = "visit", "上门";
        /// 网上
        Online = "online", "网上";
    }
}

code_enum! {
    /// 督办级别.
    SupervisionLevel {
        /// 一般督办
        General = "general", "一般督办";
        /// 重点督办
        Key = "key", "重点督办";
        /// 挂牌督办
        Listed = "listed", "挂牌督办";
    }
}

code_enum! {
    /// A party's role in a case (当事人身份).
    PartyRole {
        /// 申请人
        Applicant = "applicant", "申请人";
        /// 被申请人
        Respondent = "respondent", "被申请人";
        /// 反映人
        Reporter = "reporter", "反映人";
        /// 第三人
        ThirdParty = "third_party", "第三人";
    }
}

/// A follow-up rating on the 12345 five-level scale. Travels as its number, 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub enum Rating {
    /// 1 非常不满意
    VeryDissatisfied = 1,
    /// 2 不满意
    Dissatisfied = 2,
    /// 3 基本满意
    BasicallySatisfied = 3,
    /// 4 满意
    Satisfied = 4,
    /// 5 非常满意
    VerySatisfied = 5,
}

impl Rating {
    /// Every rating, worst first.
    pub const ALL: &'static [Rating] = &[
        Self::VeryDissatisfied,
        Self::Dissatisfied,
        Self::BasicallySatisfied,
        Self::Satisfied,
        Self::VerySatisfied,
    ];

    /// The rating for `n` (1–5).
    pub fn from_value(n: u8) -> Result<Self, CaseError> {
        Self::ALL
            .iter()
            .copied()
            .find(|r| r.value() == n)
            .ok_or(CaseError::BadRating)
    }

    /// The number, 1 (非常不满意) to 5 (非常满意).
    pub fn value(self) -> u8 {
        self as u8
    }

    /// Stable snake_case name (the API uses the number; this is for storage and logs).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VeryDissatisfied => "very_dissatisfied",
            Self::Dissatisfied => "dissatisfied",
            Self::BasicallySatisfied => "basically_satisfied",
            Self::Satisfied => "satisfied",
            Self::VerySatisfied => "very_satisfied",
        }
    }

    /// Parses the name or the number (`"4"`).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == s || s.parse::<u8>().ok() == Some(r.value()))
    }

    /// Chinese label for the console.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::VeryDissatisfied => "非常不满意",
            Self::Dissatisfied => "不满意",
            Self::BasicallySatisfied => "基本满意",
            Self::Satisfied => "满意",
            Self::VerySatisfied => "非常满意",
        }
    }

    /// Counts as satisfied for 满意率: 基本满意, 满意 **and** 非常满意 (3–5).
    ///
    /// DOMAIN.md ("Statistics") writes 满意率 = (满意 + 基本满意) ÷ rated over a scale that also
    /// has 非常满意; read literally, the best rating would lower the rate. We read 满意 there as
    /// the satisfied group, as 12345 practice does, and count 非常满意 too.
    pub fn is_satisfied(self) -> bool {
        self.value() >= 3
    }

    /// 不满意 or 非常不满意 (1–2): the follow-up may reopen the case (重办).
    pub fn is_dissatisfied(self) -> bool {
        !self.is_satisfied()
    }
}

impl TryFrom<u8> for Rating {
    type Error = CaseError;

    fn try_from(n: u8) -> Result<Self, CaseError> {
        Self::from_value(n)
    }
}

impl From<Rating> for u8 {
    fn from(r: Rating) -> u8 {
        r.value()
    }
}

/// A tracking number (受理编号, 一案一码): `ZZ` + `yyyymmdd` + a 5-digit daily sequence,
/// e.g. `ZZ2026112100123` is case 123 of 21 November 2026. Travels as that text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TrackingNo {
    text: String,
    date: NaiveDate,
    seq: u32,
}

impl TrackingNo {
    /// The fixed prefix.
    pub const PREFIX: &'static str = "ZZ";
    /// The highest daily sequence number.
    pub const MAX_SEQ: u32 = 99_999;
    /// Length of the text.
    pub const LEN: usize = 15;

    /// The number of case `seq` (1–99999) registered on `date` (year 1–9999).
    pub fn format(date: NaiveDate, seq: u32) -> Result<Self, CaseError> {
        if !(1..=Self::MAX_SEQ).contains(&seq) || !(1..=9999).contains(&date.year()) {
            return Err(CaseError::BadTrackingNo);
        }
        let text = format!(
            "{}{:04}{:02}{:02}{:05}",
            Self::PREFIX,
            date.year(),
            date.month(),
            date.day(),
            seq
        );
        Ok(Self { text, date, seq })
    }

    /// Parses a number as typed (surrounding blanks and a lower-case prefix are accepted).
    pub fn parse(s: &str) -> Result<Self, CaseError> {
        let s = s.trim().to_ascii_uppercase();
        let digits = s
            .strip_prefix(Self::PREFIX)
            .filter(|d| d.len() == Self::LEN - 2 && d.bytes().all(|b| b.is_ascii_digit()))
            .ok_or(CaseError::BadTrackingNo)?;
        let num = |r: std::ops::Range<usize>| digits.get(r).and_then(|d| d.parse::<u32>().ok());
        let (Some(y), Some(m), Some(d), Some(seq)) = (num(0..4), num(4..6), num(6..8), num(8..13))
        else {
            return Err(CaseError::BadTrackingNo);
        };
        let date = i32::try_from(y)
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, m, d))
            .ok_or(CaseError::BadTrackingNo)?;
        Self::format(date, seq)
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The registration date it encodes.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The daily sequence number it encodes.
    pub fn seq(&self) -> u32 {
        self.seq
    }
}

impl std::fmt::Display for TrackingNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl TryFrom<String> for TrackingNo {
    type Error = CaseError;

    fn try_from(s: String) -> Result<Self, CaseError> {
        Self::parse(&s)
    }
}

impl From<TrackingNo> for String {
    fn from(t: TrackingNo) -> String {
        t.text
    }
}
