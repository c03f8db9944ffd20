//! Why an action on a case, or a case value, was refused.

use super::action::ActionKind;
use super::types::{CaseStatus, Channel};

/// Why an action or a value was refused. [`CaseError::NotAllowed`] is the API's 409 and
/// carries what the caller may do instead; the rest are invalid input (422) or, for
/// [`CaseError::ChannelNotPermitted`], a refusal (403).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// The state machine does not allow this action for this caller in this status.
    #[error("action {action} is not allowed in status {status}")]
    NotAllowed {
        /// The case's current status.
        status: CaseStatus,
        /// What was attempted.
        action: ActionKind,
        /// What the caller may do instead (possibly nothing).
        allowed: Vec<ActionKind>,
    },
    /// The caller's roles may not register a case arriving by this channel.
    #[error("this role may not register cases from channel {channel}")]
    ChannelNotPermitted {
        /// The channel asked for.
        channel: Channel,
    },
    /// A required text is empty.
    #[error("{field} is required")]
    Required {
        /// The payload field.
        field: &'static str,
    },
    /// A text is longer than allowed.
    #[error("{field} is longer than {max} characters")]
    TooLong {
        /// The payload field.
        field: &'static str,
        /// The maximum in characters.
        max: usize,
    },
    /// A text holds control characters.
    #[error("{field} contains control characters")]
    BadText {
        /// The payload field.
        field: &'static str,
    },
    /// An id is not positive.
    #[error("{field} must be a positive id")]
    BadId {
        /// The payload field.
        field: &'static str,
    },
    /// Co-handlers repeat each other or the lead, or are too many.
    #[error("co-handlers must be distinct, differ from the lead and number at most 20")]
    BadCoHandlers,
    /// Extension days out of range.
    #[error("extension must be 1 to 60 days")]
    BadExtensionDays,
    /// A rating outside 1–5.
    #[error("rating must be 1 to 5")]
    BadRating,
    /// A new deadline that is not in the future.
    #[error("new deadline must be in the future")]
    DeadlineInPast,
    /// A case merged into itself.
    #[error("a case cannot be merged into itself")]
    SelfMerge,
    /// Archiving a closed case without a follow-up needs the reason it was waived.
    #[error("archiving without a follow-up needs the reason it was waived")]
    WaiverReasonRequired,
    /// Not a tracking number `ZZyyyymmddNNNNN`.
    #[error("tracking number must be ZZ, a date yyyymmdd and a 5-digit sequence")]
    BadTrackingNo,
    /// Not a category code (1–16 of `A-Z 0-9 -`, starting with a letter).
    #[error("category code must be 1 to 16 of A-Z, 0-9 and -")]
    BadCategoryCode,
}

impl CaseError {
    /// Stable error code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAllowed { .. } => "action_not_allowed",
            Self::ChannelNotPermitted { .. } => "channel_not_permitted",
            Self::Required { .. } => "field_required",
            Self::TooLong { .. } => "field_too_long",
            Self::BadText { .. } => "field_invalid_chars",
            Self::BadId { .. } => "id_invalid",
            Self::BadCoHandlers => "co_handlers_invalid",
            Self::BadExtensionDays => "extension_days_invalid",
            Self::BadRating => "rating_invalid",
            Self::DeadlineInPast => "deadline_in_past",
            Self::SelfMerge => "merge_into_self",
            Self::WaiverReasonRequired => "follow_up_waiver_reason_required",
            Self::BadTrackingNo => "tracking_no_invalid",
            Self::BadCategoryCode => "category_code_invalid",
        }
    }

    /// Chinese message for the console.
    pub fn message_zh(&self) -> &'static str {
        match self {
            Self::NotAllowed { .. } => "案件当前状态下不允许该操作",
            Self::ChannelNotPermitted { .. } => "无权登记该来源渠道的案件",
            Self::Required { field } => match *field {
                "reason" => "请填写理由",
                "answer" => "请填写答复内容",
                _ => "请填写说明",
            },
            Self::TooLong { .. } => "内容过长",
            Self::BadText { .. } => "内容含有非法控制字符",
            Self::BadId { .. } => "编号无效",
            Self::BadCoHandlers => "协办单位不能重复、不能与主办单位相同，且不超过20个",
            Self::BadExtensionDays => "延期天数须为1至60天",
            Self::BadRating => "评价须为1至5级",
            Self::DeadlineInPast => "新的办理期限须晚于当前时间",
            Self::SelfMerge => "案件不能合并到自身",
            Self::WaiverReasonRequired => "未经回访归档须说明理由",
            Self::BadTrackingNo => "受理编号格式应为ZZ+8位日期+5位序号",
            Self::BadCategoryCode => "分类代码须为1至16位大写字母、数字或连字符",
        }
    }

    /// The payload field the error is about, if one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Required { field }
            | Self::TooLong { field, .. }
            | Self::BadText { field }
            | Self::BadId { field } => Some(field),
            Self::ChannelNotPermitted { .. } => Some("channel"),
            Self::BadCoHandlers => Some("co_handler_ids"),
            Self::BadExtensionDays => Some("days"),
            Self::BadRating => Some("rating"),
            Self::DeadlineInPast => Some("new_deadline"),
            Self::SelfMerge => Some("master_case_id"),
            Self::WaiverReasonRequired => Some("note"),
            Self::BadTrackingNo => Some("tracking_no"),
            Self::BadCategoryCode => Some("code"),
            Self::NotAllowed { .. } => None,
        }
    }

    /// The HTTP status the API answers with: 409 for [`CaseError::NotAllowed`], 403 for
    /// [`CaseError::ChannelNotPermitted`], 422 otherwise.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::NotAllowed { .. } => 409,
            Self::ChannelNotPermitted { .. } => 403,
            _ => 422,
        }
    }

    /// For [`CaseError::NotAllowed`], the actions the caller may take instead.
    pub fn allowed(&self) -> &[ActionKind] {
        match self {
            Self::NotAllowed { allowed, .. } => allowed,
            _ => &[],
        }
    }
}
