//! The time-limit table (办理时限): list, create and edit rules. Rules are never deleted:
//! `PATCH … {"active": false}` takes one out of use and keeps its history readable.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::json;
use zongzhi_core::case::limits::{Limit, LimitUnit, TimeLimitRule};
use zongzhi_core::case::{Channel, Complexity, Urgency};
use zongzhi_core::org::OrgLevel;
use zongzhi_store::{StoreError, TimeLimitRow};

use super::{require_manage, require_read};
use crate::auth::SessionCtx;
use crate::error::{ApiError, ApiResult, Validation};
use crate::state::AppState;

/// Largest amount per unit: a year of working days, natural days or hours.
pub fn max_amount(unit: LimitUnit) -> u32 {
    match unit {
        LimitUnit::WorkingDays => 250,
        LimitUnit::NaturalDays => 365,
        LimitUnit::NaturalHours => 8760,
    }
}

/// Chinese name of a unit.
pub fn unit_label(unit: LimitUnit) -> &'static str {
    match unit {
        LimitUnit::WorkingDays => "工作日",
        LimitUnit::NaturalHours => "小时",
        LimitUnit::NaturalDays => "自然日",
    }
}

/// Stable identifier of a unit (as serde writes it).
pub fn unit_str(unit: LimitUnit) -> &'static str {
    match unit {
        LimitUnit::WorkingDays => "working_days",
        LimitUnit::NaturalHours => "natural_hours",
        LimitUnit::NaturalDays => "natural_days",
    }
}

/// Every unit, in display order.
pub const UNITS: [LimitUnit; 3] = [
    LimitUnit::WorkingDays,
    LimitUnit::NaturalHours,
    LimitUnit::NaturalDays,
];

/// Parses a unit identifier.
pub fn parse_unit(s: &str) -> Option<LimitUnit> {
    UNITS.into_iter().find(|u| unit_str(*u) == s)
}

/// An amount of time.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LimitView {
    /// How many units (0 working days = by the end of the same day).
    pub amount: i64,
    /// `working_days` (工作日, on the working-time calendar), `natural_hours` (小时) or
    /// `natural_days` (自然日).
    pub unit: String,
}

impl From<Limit> for LimitView {
    fn from(l: Limit) -> Self {
        Self {
            amount: i64::from(l.amount),
            unit: unit_str(l.unit).to_owned(),
        }
    }
}

/// A rule of the time-limit table. `null` matchers match anything; the most specific
/// matching active rule applies (urgency over channel over category over tier over
/// complexity; ties go to the lower id).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimeLimitView {
    /// Id.
    pub id: i64,
    /// Category code (a first-level code also matches its second-level codes).
    pub category: Option<String>,
    /// Tier of the handling unit: `city`, `county`, `town`, `village`, `grid`.
    pub tier: Option<String>,
    /// `normal`, `urgent`, `critical`.
    pub urgency: Option<String>,
    /// `simple`, `complex`, `difficult`.
    pub complexity: Option<String>,
    /// Channel, e.g. `hotline_12345`, `petition`.
    pub channel: Option<String>,
    /// Time to sign for (签收), or for urgent cases to act.
    pub accept: LimitView,
    /// Time to finish (办结).
    pub finish: LimitView,
    /// Whether the rule applies (rules are never deleted).
    pub active: bool,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

impl From<TimeLimitRow> for TimeLimitView {
    fn from(r: TimeLimitRow) -> Self {
        Self {
            id: r.id,
            category: r.rule.category,
            tier: r.rule.tier.map(|t| t.as_str().to_owned()),
            urgency: r.rule.urgency.map(|u| u.as_str().to_owned()),
            complexity: r.rule.complexity.map(|c| c.as_str().to_owned()),
            channel: r.rule.channel.map(|c| c.as_str().to_owned()),
            accept: r.rule.accept.into(),
            finish: r.rule.finish.into(),
            active: r.active,
            updated_at: r.updated_at,
        }
    }
}

/// A new rule. Absent, `null` or empty matchers match anything.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewTimeLimitRequest {
    /// An existing category code.
    pub category: Option<String>,
    /// `city`, `county`, `town`, `village` or `grid`.
    pub tier: Option<String>,
    /// `normal`, `urgent` or `critical`.
    pub urgency: Option<String>,
    /// `simple`, `complex` or `difficult`.
    pub complexity: Option<String>,
    /// A channel identifier.
    pub channel: Option<String>,
    /// Time to sign for: working days 0–250, natural days 1–365 or hours 1–8760.
    pub accept: LimitView,
    /// Time to finish, in the same ranges; not shorter than `accept` when both share a unit.
    pub finish: LimitView,
}

/// `Some(None)` for an explicit `null`, so a PATCH can tell "match anything" from "leave".
fn nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Changes to a rule: absent fields stay; a matcher set to `null` or `""` matches anything.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct TimeLimitPatchRequest {
    /// Category code, or `null` for any.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub category: Option<Option<String>>,
    /// Tier, or `null` for any.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub tier: Option<Option<String>>,
    /// Urgency, or `null` for any.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub urgency: Option<Option<String>>,
    /// Complexity, or `null` for any.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub complexity: Option<Option<String>>,
    /// Channel, or `null` for any.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub channel: Option<Option<String>>,
    /// New time to sign for.
    pub accept: Option<LimitView>,
    /// New time to finish.
    pub finish: Option<LimitView>,
    /// Take the rule into or out of use.
    pub active: Option<bool>,
}

type FieldResult<T> = Result<T, (&'static str, &'static str)>;

/// A matcher: blank means "any".
fn matcher<T>(
    s: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    err: (&'static str, &'static str),
) -> FieldResult<Option<T>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => parse(s).map(Some).ok_or(err),
    }
}

fn parse_tier(s: Option<&str>) -> FieldResult<Option<OrgLevel>> {
    matcher(s, OrgLevel::parse, ("tier_invalid", "层级无效"))
}

fn parse_urgency(s: Option<&str>) -> FieldResult<Option<Urgency>> {
    matcher(s, Urgency::parse, ("urgency_invalid", "紧急程度无效"))
}

fn parse_complexity(s: Option<&str>) -> FieldResult<Option<Complexity>> {
    matcher(s, Complexity::parse, ("complexity_invalid", "复杂程度无效"))
}

fn parse_channel(s: Option<&str>) -> FieldResult<Option<Channel>> {
    matcher(s, Channel::parse, ("channel_invalid", "渠道无效"))
}

/// Checks a category matcher against the stored code table (so that its error comes with
/// every other one).
async fn parse_category(
    state: &AppState,
    s: Option<&str>,
) -> ApiResult<FieldResult<Option<String>>> {
    let Some(code) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(Ok(None));
    };
    if code.chars().count() > 16 {
        return Ok(Err(CATEGORY_UNKNOWN));
    }
    match state.store.get_category(code).await {
        Ok(c) => Ok(Ok(Some(c.code))),
        Err(StoreError::NotFound) => Ok(Err(CATEGORY_UNKNOWN)),
        Err(e) => Err(e.into()),
    }
}

const CATEGORY_UNKNOWN: (&str, &str) = ("category_unknown", "分类代码不存在");

/// Validates one limit, recording errors on `<field>.amount` / `<field>.unit`.
pub fn check_limit(v: &mut Validation, field: &str, l: &LimitView) -> Option<Limit> {
    let unit = v.check(
        &format!("{field}.unit"),
        parse_unit(l.unit.trim()).ok_or(("unit_invalid", "请选择单位：工作日、小时或自然日")),
    );
    let unit = unit?;
    let min = if unit == LimitUnit::WorkingDays { 0 } else { 1 };
    let max = max_amount(unit);
    let msg = match unit {
        LimitUnit::WorkingDays => "工作日数须为0至250的整数（0表示当日）",
        LimitUnit::NaturalDays => "自然日数须为1至365的整数",
        LimitUnit::NaturalHours => "小时数须为1至8760的整数",
    };
    let amount = v.check(
        &format!("{field}.amount"),
        u32::try_from(l.amount)
            .ok()
            .filter(|a| (min..=max).contains(a))
            .ok_or(("amount_invalid", msg)),
    )?;
    Some(Limit { amount, unit })
}

/// What a rule's fields are before checking: each matcher as text.
struct Draft<'a> {
    category: Option<&'a str>,
    tier: Option<&'a str>,
    urgency: Option<&'a str>,
    complexity: Option<&'a str>,
    channel: Option<&'a str>,
    accept: &'a LimitView,
    finish: &'a LimitView,
}

/// Every field error of `d` at once, or the rule.
async fn validate(state: &AppState, d: Draft<'_>) -> ApiResult<TimeLimitRule<String>> {
    let mut v = Validation::default();
    let category = v.check("category", parse_category(state, d.category).await?);
    let tier = v.check("tier", parse_tier(d.tier));
    let urgency = v.check("urgency", parse_urgency(d.urgency));
    let complexity = v.check("complexity", parse_complexity(d.complexity));
    let channel = v.check("channel", parse_channel(d.channel));
    let accept = check_limit(&mut v, "accept", d.accept);
    let finish = check_limit(&mut v, "finish", d.finish);
    if let (Some(a), Some(f)) = (accept, finish)
        && a.unit == f.unit
        && a.amount > f.amount
    {
        v.check::<()>(
            "accept.amount",
            Err(("accept_after_finish", "签收时限不能长于办结时限")),
        );
    }
    v.finish()?;
    match (category, tier, urgency, complexity, channel, accept, finish) {
        (
            Some(category),
            Some(tier),
            Some(urgency),
            Some(complexity),
            Some(channel),
            Some(accept),
            Some(finish),
        ) => Ok(TimeLimitRule {
            category,
            tier,
            urgency,
            complexity,
            channel,
            accept,
            finish,
        }),
        _ => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        )),
    }
}

/// Whether two rules match exactly the same cases.
fn same_matchers(a: &TimeLimitRule<String>, b: &TimeLimitRule<String>) -> bool {
    a.category == b.category
        && a.tier == b.tier
        && a.urgency == b.urgency
        && a.complexity == b.complexity
        && a.channel == b.channel
}

/// An active rule with the same matchers would make one of the two dead (the earlier
/// always wins), so it is refused with a pointer to the one to edit instead.
fn refuse_duplicate(
    rows: &[TimeLimitRow],
    rule: &TimeLimitRule<String>,
    except: Option<i64>,
) -> ApiResult<()> {
    match rows
        .iter()
        .find(|r| r.active && Some(r.id) != except && same_matchers(&r.rule, rule))
    {
        Some(other) => Err(ApiError::field(
            "matchers",
            "time_limit_duplicate",
            &format!(
                "已有匹配条件完全相同的启用规则（编号 {}），请修改该规则或先停用它",
                other.id
            ),
        )),
        None => Ok(()),
    }
}

/// Every rule, active or not, by id (case workers and the system admin).
pub async fn list_time_limits_as(
    state: &AppState,
    ctx: &SessionCtx,
) -> ApiResult<Vec<TimeLimitRow>> {
    require_read(ctx)?;
    Ok(state.store.list_time_limits().await?)
}

/// The store's refusals as field errors.
fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::InvalidReference(_) => {
            ApiError::field("category", CATEGORY_UNKNOWN.0, CATEGORY_UNKNOWN.1)
        }
        other => other.into(),
    }
}

/// Adds a rule (system admin at the top of the tree).
pub async fn create_time_limit_as(
    state: &AppState,
    ctx: &SessionCtx,
    req: NewTimeLimitRequest,
) -> ApiResult<TimeLimitRow> {
    require_manage(ctx)?;
    let rule = validate(
        state,
        Draft {
            category: req.category.as_deref(),
            tier: req.tier.as_deref(),
            urgency: req.urgency.as_deref(),
            complexity: req.complexity.as_deref(),
            channel: req.channel.as_deref(),
            accept: &req.accept,
            finish: &req.finish,
        },
    )
    .await?;
    let rows = state.store.list_time_limits().await?;
    refuse_duplicate(&rows, &rule, None)?;
    let audit = ctx
        .audit("time_limit.create", "time_limit")
        .detail(json!({ "rule": rule }));
    state
        .store
        .create_time_limit(rule, audit)
        .await
        .map_err(store_error)
}

/// The patch's value for a matcher, or the current one as text.
fn merged<'a, T>(
    patch: &'a Option<Option<String>>,
    current: &'a Option<T>,
    text: impl Fn(&'a T) -> &'a str,
) -> Option<&'a str> {
    match patch {
        Some(v) => v.as_deref(),
        None => current.as_ref().map(text),
    }
}

/// Edits a rule (system admin at the top of the tree).
pub async fn update_time_limit_as(
    state: &AppState,
    ctx: &SessionCtx,
    id: i64,
    req: TimeLimitPatchRequest,
) -> ApiResult<TimeLimitRow> {
    require_manage(ctx)?;
    let rows = state.store.list_time_limits().await?;
    let Some(current) = rows.iter().find(|r| r.id == id) else {
        return Err(ApiError::not_found());
    };
    let cur = &current.rule;
    let accept = req.accept.clone().unwrap_or_else(|| cur.accept.into());
    let finish = req.finish.clone().unwrap_or_else(|| cur.finish.into());
    let rule = validate(
        state,
        Draft {
            category: merged(&req.category, &cur.category, String::as_str),
            tier: merged(&req.tier, &cur.tier, |t| t.as_str()),
            urgency: merged(&req.urgency, &cur.urgency, |u| u.as_str()),
            complexity: merged(&req.complexity, &cur.complexity, |c| c.as_str()),
            channel: merged(&req.channel, &cur.channel, |c| c.as_str()),
            accept: &accept,
            finish: &finish,
        },
    )
    .await?;
    let active = req.active.unwrap_or(current.active);
    if active {
        refuse_duplicate(&rows, &rule, Some(id))?;
    }
    let audit = ctx
        .audit("time_limit.update", "time_limit")
        .target(id)
        .detail(json!({
            "before": { "rule": current.rule, "active": current.active },
            "after": { "rule": rule, "active": active },
        }));
    state
        .store
        .update_time_limit(id, rule, active, audit)
        .await
        .map_err(store_error)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn lv(amount: i64, unit: &str) -> LimitView {
        LimitView {
            amount,
            unit: unit.to_owned(),
        }
    }

    #[test]
    fn limits_are_checked_per_unit() {
        let mut v = Validation::default();
        assert_eq!(
            check_limit(&mut v, "accept", &lv(0, "working_days")),
            Some(Limit::working_days(0))
        );
        assert_eq!(
            check_limit(&mut v, "accept", &lv(8760, "natural_hours")),
            Some(Limit::hours(8760))
        );
        assert!(v.finish().is_ok());
        let mut v = Validation::default();
        assert_eq!(check_limit(&mut v, "a", &lv(0, "natural_days")), None);
        assert_eq!(check_limit(&mut v, "b", &lv(251, "working_days")), None);
        assert_eq!(check_limit(&mut v, "c", &lv(-1, "natural_hours")), None);
        assert_eq!(check_limit(&mut v, "d", &lv(1, "weeks")), None);
        let e = v.finish().unwrap_err();
        let fields: Vec<_> = e.errors.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["a.amount", "b.amount", "c.amount", "d.unit"]);
    }

    #[test]
    fn matchers_treat_blank_as_any() {
        assert_eq!(parse_tier(Some(" ")), Ok(None));
        assert_eq!(parse_tier(Some("town")), Ok(Some(OrgLevel::Town)));
        assert!(parse_tier(Some("province")).is_err());
        assert_eq!(parse_channel(None), Ok(None));
        assert!(parse_urgency(Some("asap")).is_err());
        assert_eq!(
            parse_complexity(Some("difficult")),
            Ok(Some(Complexity::Difficult))
        );
        for u in UNITS {
            assert_eq!(parse_unit(unit_str(u)), Some(u));
            let json = serde_json::to_value(u).unwrap();
            assert_eq!(json.as_str(), Some(unit_str(u)), "same spelling as serde");
        }
    }
}
