//! Reading cases: the scoped list with filters, search and cursor pagination, counts, and
//! one case with what the caller may do to it.

use std::str::FromStr;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Shanghai;
use serde::{Deserialize, Deserializer};
use zongzhi_core::case::{
    ActionKind, CaseStatus, Channel, DeadlineState, TrackingNo, allowed_actions,
};
use zongzhi_core::metrics::Metric;
use zongzhi_core::personal::{IdCardNo, PhoneNo};
use zongzhi_core::role::Permission;
use zongzhi_store::{Case, CaseDetail, CaseFilter, CaseSort, MAX_PAGE, Page, StoreError};

use super::parties::{ID_CARD_INDEX, PHONE_INDEX};
use super::{actor_ctx, may_reveal};
use crate::auth::SessionCtx;
use crate::error::{ApiResult, Validation};
use crate::state::AppState;

/// Blank is absent: a console filter form submits every field, empty ones included.
fn blank_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromStr,
    T::Err: std::fmt::Display,
{
    match Option::<String>::deserialize(d)?.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

/// A checkbox or `true`/`false`; blank is absent.
fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<String>::deserialize(d)?.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some("true" | "1" | "on") => Ok(Some(true)),
        Some("false" | "0" | "off") => Ok(Some(false)),
        Some(_) => Err(serde::de::Error::custom("expected true or false")),
    }
}

/// Filters, search and paging of the case list (the query string of `GET /api/v1/cases`
/// and the console's filters). Everything stays inside the caller's scope.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct CaseListQuery {
    /// Chinese full-text search over title, description and address.
    pub q: Option<String>,
    /// Exactly this tracking number (受理编号, e.g. `ZZ2026112100123`).
    pub tracking_no: Option<String>,
    /// Statuses, comma-separated (`triage,assigned`).
    pub status: Option<String>,
    /// Category code; a first-level code also matches its children.
    pub category: Option<String>,
    /// Channel.
    pub channel: Option<String>,
    /// Location in this org unit's subtree (also accepted as `under`, the statistics
    /// pages' name for it).
    #[serde(alias = "under", deserialize_with = "blank_none")]
    pub org_unit: Option<i64>,
    /// Led or co-handled now by this department.
    #[serde(deserialize_with = "blank_none")]
    pub department: Option<i64>,
    /// Responsible center (责任综治中心) is exactly this org unit.
    #[serde(deserialize_with = "blank_none")]
    pub center: Option<i64>,
    /// Reported on or after this local (Asia/Shanghai) date.
    #[serde(deserialize_with = "blank_none")]
    pub from: Option<NaiveDate>,
    /// Reported on or before this local date.
    #[serde(deserialize_with = "blank_none")]
    pub to: Option<NaiveDate>,
    /// Only cases now overdue (超期).
    #[serde(deserialize_with = "flag")]
    pub overdue: Option<bool>,
    /// Only cases now in warning (预警, not yet overdue).
    #[serde(deserialize_with = "flag")]
    pub warning: Option<bool>,
    /// Only cases under 督办 now (`true`) or not (`false`).
    #[serde(deserialize_with = "flag")]
    pub supervised: Option<bool>,
    /// Only cases held now by my department (handlers) or by my unit as a lower-tier
    /// center.
    #[serde(deserialize_with = "flag")]
    pub mine: Option<bool>,
    /// Only cases I registered (`true`).
    #[serde(deserialize_with = "flag")]
    pub mine_registered: Option<bool>,
    /// A party's 居民身份证号, exact (matched by blind index; never stored or logged).
    pub party_id_card: Option<String>,
    /// A party's mobile number, exact (matched by blind index; never stored or logged).
    pub party_phone: Option<String>,
    /// `newest` (default), `oldest` or `due` (soonest deadline first).
    pub sort: Option<String>,
    /// Cursor from the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–500 (default 50).
    #[serde(deserialize_with = "blank_none")]
    pub limit: Option<i64>,
    /// Only the cases a statistics figure counts (`received`, `closed`, `resolved`,
    /// `on_time`, `satisfied`, `overdue`, `supervised`, `reopened`, …): with `org_unit`,
    /// `from`, `to` (and `category`/`channel`/`lead_department`) the list behind a number.
    pub metric: Option<String>,
    /// Led now (or last) by exactly this department, as in the department statistics.
    #[serde(deserialize_with = "blank_none")]
    pub lead_department: Option<i64>,
}

fn nonblank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Start of a local date, in UTC.
fn local_start(d: NaiveDate) -> Option<DateTime<Utc>> {
    Shanghai
        .from_local_datetime(&d.and_hms_opt(0, 0, 0)?)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

impl CaseListQuery {
    /// The store filter for `ctx`, every bad parameter reported at once.
    pub async fn filter(&self, state: &AppState, ctx: &SessionCtx) -> ApiResult<CaseFilter> {
        let mut v = Validation::default();
        let statuses = match nonblank(&self.status) {
            None => Vec::new(),
            Some(s) => v
                .check(
                    "status",
                    s.split(',')
                        .map(str::trim)
                        .filter(|x| !x.is_empty())
                        .map(|x| CaseStatus::parse(x).ok_or(("status_invalid", "案件状态无效")))
                        .collect::<Result<Vec<_>, _>>(),
                )
                .unwrap_or_default(),
        };
        let category = match nonblank(&self.category) {
            None => None,
            Some(c) => match state.store.get_category(c).await {
                Ok(cat) => Some(cat.code),
                Err(StoreError::NotFound) => {
                    v.check("category", Err(("category_invalid", "事件分类不存在")))
                }
                Err(e) => return Err(e.into()),
            },
        };
        let channel = nonblank(&self.channel).and_then(|c| {
            v.check(
                "channel",
                Channel::parse(c).ok_or(("channel_invalid", "来源渠道无效")),
            )
        });
        let positive = |field: &'static str, x: Option<i64>, v: &mut Validation| {
            x.and_then(|id| {
                v.check(
                    field,
                    if id > 0 {
                        Ok(id)
                    } else {
                        Err(("id_invalid", "编号无效"))
                    },
                )
            })
        };
        let under = positive("org_unit", self.org_unit, &mut v);
        let lead_department_id = positive("lead_department", self.lead_department, &mut v);
        let metric = nonblank(&self.metric).and_then(|m| {
            v.check(
                "metric",
                Metric::parse(m).ok_or(("metric_invalid", "统计指标无效")),
            )
        });
        let center_unit_id = positive("center", self.center, &mut v);
        let tracking_no = nonblank(&self.tracking_no).and_then(|t| {
            v.check(
                "tracking_no",
                TrackingNo::parse(t).map_err(|e| (e.code(), e.message_zh())),
            )
        });
        // Exact values only, compared by the blind index the intake stores: the plain
        // numbers go no further than this function.
        let party_id_card_index = nonblank(&self.party_id_card).and_then(|s| {
            v.check(
                "party_id_card",
                IdCardNo::parse(s).map_err(|e| (e.code(), e.message_zh())),
            )
            .map(|c| state.index.compute(ID_CARD_INDEX, c.as_str()))
        });
        let party_phone_index = nonblank(&self.party_phone).and_then(|s| {
            v.check(
                "party_phone",
                PhoneNo::parse(s).map_err(|e| (e.code(), e.message_zh())),
            )
            .map(|p| state.index.compute(PHONE_INDEX, p.as_str()))
        });
        let created_by = (self.mine_registered == Some(true)).then_some(ctx.account.id);
        let mut department_id = positive("department", self.department, &mut v);
        let mut holder_unit_id = None;
        if self.mine == Some(true) {
            match ctx.account.department_id {
                Some(d) if department_id.is_some_and(|x| x != d) => {
                    v.check::<()>(
                        "department",
                        Err(("department_conflicts_mine", "“我的”已限定为本部门")),
                    );
                }
                Some(d) => department_id = Some(d),
                None => holder_unit_id = Some(ctx.account.org_unit_id),
            }
        }
        let from = self.from.and_then(local_start);
        let to = self
            .to
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .and_then(local_start);
        if let (Some(f), Some(t)) = (self.from, self.to)
            && f > t
        {
            v.check::<()>("to", Err(("period_invalid", "结束日期不能早于开始日期")));
        }
        let deadline_state = match (self.overdue, self.warning) {
            (Some(true), Some(true)) => v.check(
                "warning",
                Err((
                    "deadline_filter_conflict",
                    "“已超期”与“即将超期”不能同时选择",
                )),
            ),
            (Some(true), _) => Some(DeadlineState::Overdue),
            (_, Some(true)) => Some(DeadlineState::Warning),
            _ => None,
        };
        let sort = match nonblank(&self.sort) {
            None | Some("newest") => Some(CaseSort::Newest),
            Some("oldest") => Some(CaseSort::Oldest),
            Some("due") => Some(CaseSort::DueSoonest),
            Some(_) => v.check("sort", Err(("sort_invalid", "排序方式无效"))),
        };
        let limit = self.limit.and_then(|l| {
            v.check(
                "limit",
                if (1..=MAX_PAGE).contains(&l) {
                    Ok(l)
                } else {
                    Err(("limit_invalid", "每页条数须为1至500"))
                },
            )
        });
        v.finish()?;
        Ok(CaseFilter {
            q: nonblank(&self.q).map(str::to_owned),
            tracking_no: tracking_no.map(|t| t.as_str().to_owned()),
            statuses,
            category,
            channel,
            under,
            department_id,
            holder_unit_id,
            center_unit_id,
            from,
            to,
            deadline_state,
            supervised: self.supervised,
            party_id_card_index,
            party_phone_index,
            created_by,
            sort: sort.unwrap_or_default(),
            cursor: nonblank(&self.cursor).map(str::to_owned),
            limit,
            metric,
            lead_department_id,
            ..Default::default()
        })
    }
}

/// Cases the caller may see matching `q`, one page.
pub async fn list_cases_as(
    state: &AppState,
    ctx: &SessionCtx,
    q: &CaseListQuery,
) -> ApiResult<Page<Case>> {
    ctx.require(Permission::ReadCases)?;
    let filter = q.filter(state, ctx).await?;
    Ok(state.store.list_cases(&ctx.scope(), &filter).await?)
}

/// How many cases the caller may see match `q` (cursor, limit and sort ignored).
pub async fn count_cases_as(
    state: &AppState,
    ctx: &SessionCtx,
    q: &CaseListQuery,
) -> ApiResult<i64> {
    ctx.require(Permission::ReadCases)?;
    let filter = q.filter(state, ctx).await?;
    Ok(state.store.count_cases(&ctx.scope(), &filter).await?)
}

/// A case with what the caller may do to it now.
#[derive(Debug, Clone)]
pub struct CaseWithActions {
    /// The case, parties (encrypted and masked), attachments, events, co-handlers and
    /// merge links.
    pub detail: CaseDetail,
    /// What the caller may do now, in display order.
    pub allowed_actions: Vec<ActionKind>,
    /// Whether the caller may reveal parties' identifiers.
    pub can_reveal: bool,
}

/// One case the caller may see (404 otherwise).
pub async fn get_case_as(
    state: &AppState,
    ctx: &SessionCtx,
    id: i64,
) -> ApiResult<CaseWithActions> {
    ctx.require(Permission::ReadCases)?;
    let detail = state.store.get_case(&ctx.scope(), id).await?;
    let actor = actor_ctx(state, ctx, &detail.case).await?;
    let allowed_actions = allowed_actions(detail.case.state.status, &actor);
    Ok(CaseWithActions {
        detail,
        allowed_actions,
        can_reveal: may_reveal(ctx),
    })
}
