//! Actions on a case: parse the request into a domain `Action`, let the state machine
//! decide, project the new state and append the event (with its audit row) in one store
//! call guarded by the version the caller saw.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use zongzhi_core::calendar::WorkCalendar;
use zongzhi_core::case::{ActionKind, ProjectEnv, allowed_actions, apply};
use zongzhi_core::role::Permission;
use zongzhi_store::{Case, CaseUpdate, NewCaseEvent};

use super::payload::parse_action;
use super::{actor_ctx, case_error, not_allowed};
use crate::auth::SessionCtx;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// An action on a case: the JSON body of `POST /api/v1/cases/{id}/actions` and the
/// console's action forms. Which fields an action takes is listed on `action`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ActionRequest {
    /// `route` (`department_id` + optional `co_handler_ids`, or `org_unit_id`; `note`),
    /// `accept` (`note`?), `return` (`note` = reason), `request_extension` (`days` 1–60,
    /// `note` = reason), `decide_extension` (`approved`, `note` required when denied),
    /// `progress` (`note`), `resolve` (`outcome`, `note`), `verify` (`passed`, `note`
    /// required when failed), `close` (`note`?), `follow_up` (`rating` 1–5, `method`,
    /// `note`?), `reopen` (`note` = reason), `archive` (`note`; required without a
    /// follow-up), `supervise` (`level`, `note`, `new_deadline`), `urge` (`note`,
    /// `new_deadline`), `escalate` (`to_org_unit_id`, `note` = reason), `send_down`
    /// (`to_org_unit_id`, `note`?), `merge` (`master_case_id`, `note`?), `triage_close`
    /// (`outcome`, `note` = answer), `register`.
    pub action: String,
    /// The case's `version` as last read; another answers 409 `stale_version`.
    pub version: i64,
    /// Note, reason or answer (also accepted as `reason` or `answer`), up to 2000
    /// characters.
    #[serde(alias = "reason", alias = "answer")]
    pub note: Option<String>,
    /// `route`: the lead department.
    pub department_id: Option<i64>,
    /// `route`: a lower-tier center instead of a department.
    pub org_unit_id: Option<i64>,
    /// `route`: co-handling departments (协办), distinct, at most 20.
    pub co_handler_ids: Option<Vec<i64>>,
    /// `resolve`, `triage_close`: `mediated`, `partially_resolved`,
    /// `referred_to_litigation`, `answered`, `rejected`, `transferred`.
    pub outcome: Option<String>,
    /// `verify`: whether the resolution holds up.
    pub passed: Option<bool>,
    /// `decide_extension`: approved or denied.
    pub approved: Option<bool>,
    /// `follow_up`: 1 (非常不满意) to 5 (非常满意).
    pub rating: Option<u8>,
    /// `follow_up`: `phone`, `sms`, `visit`, `online`.
    pub method: Option<String>,
    /// `request_extension`: days, 1–60.
    pub days: Option<u16>,
    /// `supervise`: `general`, `key`, `listed`.
    pub level: Option<String>,
    /// `supervise`, `urge`: the new deadline, in the future.
    pub new_deadline: Option<DateTime<Utc>>,
    /// `escalate`, `send_down`: the center to hand the case to.
    pub to_org_unit_id: Option<i64>,
    /// `merge`: the master case.
    pub master_case_id: Option<i64>,
}

/// The event's payload without its free text: what an audit row may say about an action
/// (ids, codes, flags, dates).
fn audit_detail(action: &serde_json::Value, from: &str, to: &str) -> serde_json::Value {
    let mut d = match action {
        serde_json::Value::Object(m) => m.clone(),
        _ => serde_json::Map::new(),
    };
    for k in ["note", "reason", "answer"] {
        d.remove(k);
    }
    d.insert("from".into(), from.into());
    d.insert("to".into(), to.into());
    serde_json::Value::Object(d)
}

/// Takes an action on a case the caller may see. The state machine decides whether the
/// caller may take it now (409 `action_not_allowed` with `allowed_actions` otherwise); the
/// store writes the event only if the case is still at `req.version` (409
/// `stale_version` otherwise, writing nothing).
pub async fn act_as(
    state: &AppState,
    ctx: &SessionCtx,
    case_id: i64,
    req: ActionRequest,
) -> ApiResult<Case> {
    ctx.require(Permission::ReadCases)?;
    let kind = match req.action.trim() {
        "" => Err(("action_required", "请选择操作")),
        a => ActionKind::parse(a).ok_or(("action_invalid", "操作类型无效")),
    }
    .map_err(|(c, m)| ApiError::field("action", c, m))?;
    if req.version <= 0 {
        return Err(ApiError::field(
            "version",
            "version_required",
            "缺少案件版本号，请刷新后重试",
        ));
    }
    let scope = ctx.scope();
    let case = state.store.get_case(&scope, case_id).await?.case;
    if case.version != req.version {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "stale_version",
        ));
    }
    let actor = actor_ctx(state, ctx, &case).await?;
    let allowed = allowed_actions(case.state.status, &actor);
    if !allowed.contains(&kind) {
        return Err(not_allowed(&allowed));
    }
    let (action, tier) = parse_action(state, ctx, &case, kind, &req).await?;
    let transition = apply(case.state.status, &action, &actor).map_err(case_error)?;
    let limits = match tier {
        Some(tier) => Some(
            crate::timing::limits_for(
                state,
                &case.category_code,
                tier,
                case.urgency,
                case.complexity,
                case.channel,
            )
            .await?,
        ),
        None => None,
    };
    let calendar = if matches!(kind, ActionKind::Route | ActionKind::DecideExtension) {
        crate::timing::load_calendar(state).await?
    } else {
        // Only routing and extensions count working time.
        WorkCalendar::new(Vec::new())
    };
    let now = state.clock.now();
    let mut next = case.state.clone();
    next.project(
        &action,
        transition.to,
        now,
        ProjectEnv {
            calendar: &calendar,
            limits,
        },
    );
    let payload = serde_json::to_value(&action).map_err(|e| ApiError::internal(&e))?;
    let audit = ctx
        .audit(&format!("case.{}", kind.as_str()), "case")
        .target(case_id)
        .detail(audit_detail(
            &payload,
            transition.from.as_str(),
            transition.to.as_str(),
        ));
    let event = NewCaseEvent {
        actor_id: Some(ctx.account.id),
        at: now,
        from_status: transition.from,
        to_status: transition.to,
        kind: kind.as_str().to_owned(),
        note: action.note().map(|n| n.as_str().to_owned()),
        payload,
    };
    let update = CaseUpdate {
        case_id,
        expected_version: req.version,
        events: vec![event],
        state: next,
    };
    Ok(state.store.apply_case_event(&scope, update, audit).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_detail_drops_text() {
        let a = serde_json::json!({"action": "resolve", "outcome": "mediated", "note": "张三"});
        let d = audit_detail(&a, "in_progress", "resolved");
        assert_eq!(
            d,
            serde_json::json!({"action": "resolve", "outcome": "mediated", "from": "in_progress", "to": "resolved"})
        );
    }

    #[test]
    fn reason_and_answer_are_note() {
        let r: ActionRequest =
            serde_json::from_str(r#"{"action": "return", "version": 3, "reason": "非本单位职责"}"#)
                .unwrap_or_default();
        assert_eq!(r.note.as_deref(), Some("非本单位职责"));
        let r: ActionRequest =
            serde_json::from_str(r#"{"action": "triage_close", "version": 1, "answer": "已答复"}"#)
                .unwrap_or_default();
        assert_eq!(r.note.as_deref(), Some("已答复"));
    }
}
