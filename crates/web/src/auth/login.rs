//! Sign-in as one service used by the API and the console: password, lockout, stage.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::json;
use zongzhi_core::account::AccountStatus;
use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};
use zongzhi_store::{Account, Session, SessionStage};

use super::password::{burn_verify, verify_password};
use super::{random_token, token_hash};
use crate::error::ApiError;
use crate::state::AppState;

/// A new session: the cookie token (shown once) and the stored row.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Goes in the cookie; only its hash is stored.
    pub token: String,
    /// The stored session.
    pub session: Session,
    /// Its account.
    pub account: Account,
}

/// What a typed-in username may safely be recorded as.
fn typed_username(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// Checks a username and password and opens a session in the right stage.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    ip: Option<String>,
) -> Result<NewSession, ApiError> {
    let now = state.clock.now();
    let policy = crate::policy::current(state).await?;
    let typed = typed_username(username);
    let fail = |reason: &str| {
        NewAuditEntry::new("auth.login", "session", AuditOutcome::Failure)
            .ip(ip.clone())
            .detail(json!({ "reason": reason }))
    };
    let Some(rec) = state
        .store
        .find_login(&typed.trim().to_ascii_lowercase())
        .await?
    else {
        burn_verify(password.to_owned()).await;
        state
            .store
            .append_audit(fail("unknown_user").by(None, &typed))
            .await?;
        return Err(invalid_credentials());
    };
    let acct = rec.account;
    let by = |e: NewAuditEntry| e.by(Some(acct.id), &acct.username);
    if acct.is_locked(now) {
        state.store.append_audit(by(fail("locked"))).await?;
        return Err(locked(acct.locked_until));
    }
    if !verify_password(password.to_owned(), rec.password_hash).await? {
        let st = state
            .store
            .record_login_failure(
                acct.id,
                now,
                policy.lockout_rule(),
                by(fail("bad_password")),
            )
            .await?;
        return Err(match st.locked_until {
            Some(until) => locked(Some(until)),
            None => invalid_credentials().with_extra(
                "remaining_attempts",
                json!(policy.max_failed_logins - st.failed_logins),
            ),
        });
    }
    if acct.status != AccountStatus::Active {
        state.store.append_audit(by(fail("disabled"))).await?;
        return Err(ApiError::new(StatusCode::FORBIDDEN, "account_disabled"));
    }
    let stage = stage_after_password(&acct);
    let ok = NewAuditEntry::new("auth.login", "session", AuditOutcome::Success)
        .ip(ip)
        .detail(json!({ "stage": stage.as_str() }));
    state
        .store
        .record_login_success(acct.id, now, by(ok))
        .await?;
    open_session(state, acct, stage, now).await
}

/// The stage a session starts in once the password is right.
fn stage_after_password(acct: &Account) -> SessionStage {
    let needs_totp = acct.roles.iter().any(|r| r.requires_totp());
    if needs_totp && acct.totp_enabled {
        SessionStage::NeedsTotp
    } else if needs_totp {
        SessionStage::NeedsEnrollment
    } else if acct.must_change_password {
        SessionStage::NeedsPasswordChange
    } else {
        SessionStage::Full
    }
}

/// The stage after the second factor (or its enrollment) succeeded.
pub fn stage_after_totp(acct: &Account) -> SessionStage {
    if acct.must_change_password {
        SessionStage::NeedsPasswordChange
    } else {
        SessionStage::Full
    }
}

async fn open_session(
    state: &AppState,
    account: Account,
    stage: SessionStage,
    now: DateTime<Utc>,
) -> Result<NewSession, ApiError> {
    let token = random_token();
    let session = Session {
        token_hash: token_hash(&token),
        account_id: account.id,
        csrf_token: random_token(),
        stage,
        created_at: now,
        last_seen_at: now,
    };
    state.store.create_session(&session).await?;
    Ok(NewSession {
        token,
        session,
        account,
    })
}

fn invalid_credentials() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_credentials")
}

fn locked(until: Option<DateTime<Utc>>) -> ApiError {
    let e = ApiError::new(StatusCode::FORBIDDEN, "account_locked");
    match until {
        Some(t) => e.with_extra("locked_until", json!(t.to_rfc3339())),
        None => e,
    }
}

/// `Set-Cookie` value for a session token.
pub fn session_cookie_header(state: &AppState, token: &str) -> String {
    let secure = if state.config.security.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Strict{secure}",
        super::SESSION_COOKIE
    )
}

/// `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie_header(state: &AppState) -> String {
    let secure = if state.config.security.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}",
        super::SESSION_COOKIE
    )
}
