//! `/api/v1/audit`: the auditor reads the log, and nobody else.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use zongzhi_core::audit::{AuditEntry, AuditOutcome};
use zongzhi_core::role::Permission;
use zongzhi_store::AuditFilter;

use super::views::PageView;
use crate::auth::CurrentUser;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

/// Query of the audit log.
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Actor username.
    pub actor: Option<String>,
    /// Action prefix, e.g. `auth.`.
    pub action: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: Option<String>,
    /// From this date (Asia/Shanghai, inclusive), `YYYY-MM-DD`.
    pub from: Option<String>,
    /// To this date (inclusive).
    pub to: Option<String>,
    /// Cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

fn day_start(s: &str, field: &str) -> ApiResult<DateTime<Utc>> {
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| ApiError::field(field, "date_invalid", "日期格式应为 YYYY-MM-DD"))?;
    let local = d
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| ApiError::field(field, "date_invalid", "日期无效"))?;
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&local)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| ApiError::field(field, "date_invalid", "日期无效"))
}

impl AuditQuery {
    /// The store filter.
    pub fn filter(&self) -> ApiResult<AuditFilter> {
        let ne = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
        let outcome = match ne(&self.outcome) {
            Some(o) => Some(
                AuditOutcome::parse(&o)
                    .ok_or_else(|| ApiError::field("outcome", "outcome_invalid", "结果无效"))?,
            ),
            None => None,
        };
        let from = ne(&self.from).map(|s| day_start(&s, "from")).transpose()?;
        let to = ne(&self.to)
            .map(|s| day_start(&s, "to").map(|t| t + chrono::Duration::days(1)))
            .transpose()?;
        if let (Some(f), Some(t)) = (from, to)
            && f >= t
        {
            return Err(ApiError::field(
                "to",
                "period_invalid",
                "结束日期不能早于开始日期",
            ));
        }
        Ok(AuditFilter {
            actor: ne(&self.actor).map(|s| s.trim().to_ascii_lowercase()),
            action_prefix: ne(&self.action),
            outcome,
            from,
            to,
            cursor: ne(&self.cursor),
            limit: self.limit,
        })
    }
}

/// An audit row.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEntryView {
    /// Position in the chain.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Actor id.
    pub actor_id: Option<i64>,
    /// Actor username.
    pub actor_username: String,
    /// Action.
    pub action: String,
    /// Target kind.
    pub target_type: String,
    /// Target id.
    pub target_id: Option<String>,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// Client address.
    pub ip: Option<String>,
    /// Detail (JSON).
    pub detail: serde_json::Value,
    /// Chain hash.
    pub hash: String,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        Self {
            seq: e.seq,
            at: e.at,
            actor_id: e.actor_id,
            actor_username: e.actor_username,
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            outcome: e.outcome.as_str().to_owned(),
            ip: e.ip,
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
            hash: e.hash,
        }
    }
}

/// `GET /api/v1/audit`
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), responses((status = 200, description = "Audit rows, newest first", body = PageView<AuditEntryView>), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn list_audit(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<PageView<AuditEntryView>>> {
    user.require(Permission::ReadAudit)?;
    let filter = q.filter()?;
    let page = state.store.list_audit(&filter).await?;
    let total = state.store.count_audit(&filter).await?;
    Ok(Json(PageView {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
        total,
    }))
}
