//! 审计日志: the auditor reads the hash-chained log, filtered and paged.

use askama::Template;
use axum::extract::State;
use zongzhi_core::audit::{AuditEntry, AuditOutcome};
use zongzhi_core::role::Permission;

use super::{FormErrors, Opt, Pager, fmt_time, form_errors, id_text, opts, page, text};
use crate::api::audit::AuditQuery;
use crate::auth::CurrentUser;
use crate::console::{ConsoleResult, Layout};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;

const BASE: &str = "/admin/audit";

/// Chinese label of an action code, for the known ones.
pub(super) fn action_label(action: &str) -> Option<&'static str> {
    let label = match action {
        "auth.login" => "登录",
        "auth.logout" => "退出",
        "auth.totp" => "动态验证码",
        "auth.totp_enrolled" => "绑定动态验证码",
        "auth.totp_secret_issued" => "签发动态验证码密钥",
        "account.create" => "创建账号",
        "account.update" => "修改账号",
        "account.password_reset" => "重置密码",
        "account.password_change" => "修改密码",
        "account.unlock" => "解锁账号",
        "account.phone_reveal" => "查看完整手机号",
        "org_unit.create" => "新建组织机构",
        "org_unit.update" => "修改组织机构",
        "department.create" => "新增入驻部门",
        "department.update" => "修改入驻部门",
        "org_unit.export" => "导出组织机构",
        "department.export" => "导出入驻部门",
        "account.export" => "导出账号",
        "system.demo_seeded" => "初始化演示数据",
        a if a.ends_with(".export") => "导出",
        a if a.starts_with("http.") => "请求",
        _ => return None,
    };
    Some(label)
}

/// One row as shown.
struct Row {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    label: Option<&'static str>,
    target: String,
    ok: bool,
    outcome: &'static str,
    ip: String,
    detail: String,
}

impl From<AuditEntry> for Row {
    fn from(e: AuditEntry) -> Self {
        let target = match &e.target_id {
            Some(id) => format!("{}#{id}", e.target_type),
            None => e.target_type.clone(),
        };
        // Stored as JSON text; re-serialised compactly (null shows as nothing).
        let detail = match serde_json::from_str::<serde_json::Value>(&e.detail) {
            Ok(serde_json::Value::Null) => String::new(),
            Ok(v) => v.to_string(),
            Err(_) => e.detail.clone(),
        };
        Self {
            seq: e.seq,
            at: fmt_time(e.at),
            label: action_label(&e.action),
            actor: e.actor_username,
            action: e.action,
            target,
            ok: e.outcome == AuditOutcome::Success,
            outcome: e.outcome.label_zh(),
            ip: e.ip.unwrap_or_default(),
            detail,
        }
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    layout: Layout,
    actor: String,
    action: String,
    outcomes: Vec<Opt>,
    from: String,
    to: String,
    filter_errors: FormErrors,
    rows: Vec<Row>,
    pager: Pager,
}

/// `GET /admin/audit` (ReadAudit)
pub(super) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    q: Result<ApiQuery<AuditQuery>, ApiError>,
) -> ConsoleResult {
    user.require(Permission::ReadAudit)?;
    let ApiQuery(q) = q?;
    let (actor, action, outcome, from, to, limit) = (
        text(q.actor.as_ref()),
        text(q.action.as_ref()),
        text(q.outcome.as_ref()),
        text(q.from.as_ref()),
        text(q.to.as_ref()),
        id_text(q.limit),
    );
    let fetched = async {
        let filter = q.filter()?;
        let page = state.store.list_audit(&filter).await?;
        let total = state.store.count_audit(&filter).await?;
        Ok::<_, ApiError>((page, total))
    }
    .await;
    let mut filter_errors = FormErrors::default();
    let (rows, pager) = match fetched {
        Ok((page, total)) => {
            let links = [
                ("actor", actor.as_str()),
                ("action", action.as_str()),
                ("outcome", outcome.as_str()),
                ("from", from.as_str()),
                ("to", to.as_str()),
                ("limit", limit.as_str()),
            ];
            let pager = Pager::new(BASE, &links, total, q.cursor.as_deref(), page.next_cursor);
            (page.items.into_iter().map(Row::from).collect(), pager)
        }
        Err(e) => {
            filter_errors = form_errors(e, &["actor", "action", "outcome", "from", "to"])?;
            (Vec::new(), Pager::empty())
        }
    };
    let outcomes = [
        AuditOutcome::Success,
        AuditOutcome::Failure,
        AuditOutcome::Denied,
    ];
    let p = AuditPage {
        layout: Layout::new(&user, "审计日志", "audit"),
        outcomes: opts(
            outcomes.iter().map(|o| (o.as_str(), o.label_zh())),
            &outcome,
        ),
        actor,
        action,
        from,
        to,
        filter_errors,
        rows,
        pager,
    };
    Ok(page(&p, &FormErrors::default()))
}

#[cfg(test)]
mod tests {
    use super::action_label;

    #[test]
    fn known_actions_have_chinese_labels() {
        assert_eq!(action_label("auth.login"), Some("登录"));
        assert_eq!(action_label("account.phone_reveal"), Some("查看完整手机号"));
        assert_eq!(action_label("case.export"), Some("导出"));
        assert_eq!(action_label("http.post"), Some("请求"));
        assert_eq!(action_label("something.else"), None);
    }
}
