//! TOTP (RFC 6238) second factor: enrollment and checking. Secrets are stored encrypted.

use axum::http::StatusCode;
use serde_json::json;
use totp_rs::{Algorithm, Builder, Secret, Totp};
use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};
use zongzhi_store::SessionStage;

use super::login::stage_after_totp;
use super::session::SessionCtx;
use crate::error::ApiError;
use crate::state::AppState;

const AAD: &[u8] = b"account.totp_secret";

/// What an enrolling user needs to set up an authenticator app.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Enrollment {
    /// Base32 secret.
    pub secret: String,
    /// `otpauth://` URL (for a QR code).
    pub otpauth_url: String,
}

fn build(secret: Vec<u8>, username: &str) -> Result<Totp, ApiError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_secret(secret)
        .with_account_name(username.to_owned())
        .with_issuer(Some("Zongzhi"))
        .build()
        .map_err(|e| ApiError::internal(&e))
}

/// The pending secret of an enrolling user, created (and stored encrypted) on first call.
pub async fn enrollment(state: &AppState, ctx: &SessionCtx) -> Result<Enrollment, ApiError> {
    if ctx.session.stage != SessionStage::NeedsEnrollment {
        return Err(ApiError::new(StatusCode::CONFLICT, "totp_already_enrolled"));
    }
    let secret = match state.store.get_totp_secret(ctx.account.id).await? {
        Some(enc) => decrypt(state, &enc)?,
        None => {
            let s = Secret::generate().to_base32();
            let enc = state
                .cipher
                .encrypt(&s, AAD)
                .map_err(|e| ApiError::internal(&e))?;
            let audit = ctx
                .audit("auth.totp_secret_issued", "account")
                .target(ctx.account.id);
            state
                .store
                .set_totp(ctx.account.id, Some(enc), false, audit)
                .await?;
            s
        }
    };
    let bytes = Secret::try_from_base32(&secret).map_err(|e| ApiError::internal(&e))?;
    let totp = build(bytes.as_bytes().to_vec(), &ctx.account.username)?;
    let otpauth_url = totp.to_url().map_err(|e| ApiError::internal(&e))?;
    Ok(Enrollment {
        secret,
        otpauth_url,
    })
}

fn decrypt(state: &AppState, enc: &str) -> Result<String, ApiError> {
    state
        .cipher
        .decrypt(enc, AAD)
        .map_err(|e| ApiError::internal(&e))
}

/// Whether `code` is right now and not a replay; the matched time step is then spent.
async fn code_matches(state: &AppState, ctx: &SessionCtx, code: &str) -> Result<bool, ApiError> {
    let Some(enc) = state.store.get_totp_secret(ctx.account.id).await? else {
        return Ok(false);
    };
    let secret = decrypt(state, &enc)?;
    let bytes = Secret::try_from_base32(&secret).map_err(|e| ApiError::internal(&e))?;
    let totp = build(bytes.as_bytes().to_vec(), &ctx.account.username)?;
    let now = u64::try_from(state.clock.now().timestamp()).unwrap_or(0);
    let Some(step) = totp.check(code.trim(), now) else {
        return Ok(false);
    };
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    Ok(state.store.use_totp_step(ctx.account.id, step).await?)
}

/// Confirms enrollment with a first code, or checks the code of an enrolled user; on
/// success the session moves on. Wrong codes count towards the lockout.
pub async fn verify(
    state: &AppState,
    ctx: &SessionCtx,
    code: &str,
    ip: Option<String>,
) -> Result<SessionStage, ApiError> {
    let enrolling = match ctx.session.stage {
        SessionStage::NeedsEnrollment => true,
        SessionStage::NeedsTotp => false,
        _ => return Err(ApiError::new(StatusCode::CONFLICT, "totp_not_expected")),
    };
    let now = state.clock.now();
    let acct = &ctx.account;
    if !code_matches(state, ctx, code).await? {
        let audit = NewAuditEntry::new("auth.totp", "session", AuditOutcome::Failure)
            .by(Some(acct.id), &acct.username)
            .ip(ip)
            .detail(json!({ "enrolling": enrolling }));
        let st = state
            .store
            .record_login_failure(
                acct.id,
                now,
                crate::policy::current(state).await?.lockout_rule(),
                audit,
            )
            .await?;
        if st.locked_until.is_some() {
            state.store.delete_sessions_for(acct.id).await?;
            return Err(ApiError::new(StatusCode::FORBIDDEN, "account_locked"));
        }
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "totp_invalid"));
    }
    let audit = NewAuditEntry::new(
        if enrolling {
            "auth.totp_enrolled"
        } else {
            "auth.totp"
        },
        "session",
        AuditOutcome::Success,
    )
    .by(Some(acct.id), &acct.username)
    .ip(ip);
    if enrolling {
        let enc = state.store.get_totp_secret(acct.id).await?;
        state.store.set_totp(acct.id, enc, true, audit).await?;
    } else {
        state.store.append_audit(audit).await?;
    }
    let stage = stage_after_totp(acct);
    state
        .store
        .set_session_stage(&ctx.session.token_hash, stage)
        .await?;
    Ok(stage)
}
