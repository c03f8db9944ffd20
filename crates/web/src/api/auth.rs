//! `/api/v1/auth/*` and `/api/v1/me`: sign-in for scripts and the console.

use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use zongzhi_core::account::{NewPassword, Username};

use super::views::MeView;
use crate::auth::login::{clear_cookie_header, session_cookie_header, sign_in};
use crate::auth::password::{hash_password, verify_password};
use crate::auth::totp::{self, Enrollment};
use crate::auth::{CurrentUser, PartialUser};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ClientIp};
use crate::middleware::{Actor, Audited};
use crate::state::AppState;

/// Sign-in request.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

/// Sign-in answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    /// Send back in `X-CSRF-Token` on every state-changing request.
    pub csrf_token: String,
    /// `full`, `needs_totp`, `needs_enrollment` or `needs_password_change`.
    pub stage: String,
    /// The user.
    pub user: MeView,
}

/// `POST /api/v1/auth/login`
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, responses((status = 200, description = "Signed in (maybe partly)", body = LoginResponse), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: Result<ApiJson<LoginRequest>, ApiError>,
) -> Response {
    let result = match body {
        Ok(ApiJson(req)) => sign_in(&state, &req.username, &req.password, ip).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(s) => {
            let actor = Actor {
                id: s.account.id,
                username: s.account.username.clone(),
            };
            let body = LoginResponse {
                csrf_token: s.session.csrf_token.clone(),
                stage: s.session.stage.as_str().to_owned(),
                user: MeView::from(&s.account),
            };
            (
                [(header::SET_COOKIE, session_cookie_header(&state, &s.token))],
                Extension(Audited),
                Extension(actor),
                Json(body),
            )
                .into_response()
        }
        // sign_in audits every attempt it judges; malformed bodies fall to the request audit.
        Err(e)
            if e.code == "invalid_body"
                || e.code == "malformed_json"
                || e.code == "unsupported_media_type"
                || e.code == "body_too_large" =>
        {
            e.into_response()
        }
        Err(e) => (Extension(Audited), e).into_response(),
    }
}

/// `POST /api/v1/auth/logout`
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204, description = "Signed out"), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    PartialUser(ctx): PartialUser,
) -> ApiResult<Response> {
    state.store.delete_session(&ctx.session.token_hash).await?;
    let audit = ctx.audit("auth.logout", "session");
    state.store.append_audit(audit).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear_cookie_header(&state))],
        Extension(Audited),
    )
        .into_response())
}

/// `GET /api/v1/auth/totp/enrollment`: the secret to enroll (admin roles, first sign-in).
#[utoipa::path(get, path = "/api/v1/auth/totp/enrollment", tag = "auth", responses((status = 200, description = "Secret to enroll", body = Enrollment), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn totp_enrollment(
    State(state): State<AppState>,
    PartialUser(ctx): PartialUser,
) -> ApiResult<Json<Enrollment>> {
    Ok(Json(totp::enrollment(&state, &ctx).await?))
}

/// TOTP code.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TotpRequest {
    /// Six digits from the authenticator.
    pub code: String,
}

/// Stage after the second factor.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StageResponse {
    /// New stage.
    pub stage: String,
}

/// `POST /api/v1/auth/totp`: the second factor, or the first code that confirms enrollment.
#[utoipa::path(post, path = "/api/v1/auth/totp", tag = "auth", request_body = TotpRequest, responses((status = 200, description = "Second factor accepted", body = StageResponse), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn totp_verify(
    State(state): State<AppState>,
    PartialUser(ctx): PartialUser,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<TotpRequest>,
) -> Response {
    match totp::verify(&state, &ctx, &req.code, ip).await {
        Ok(stage) => (
            Extension(Audited),
            Json(StageResponse {
                stage: stage.as_str().to_owned(),
            }),
        )
            .into_response(),
        Err(e) => (Extension(Audited), e).into_response(),
    }
}

/// `GET /api/v1/me`
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", responses((status = 200, description = "The signed-in user", body = MeView), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn me(user: CurrentUser) -> Json<MeView> {
    Json(MeView::from(&user.account))
}

/// Own password change.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ChangePassword {
    /// Current password.
    pub current_password: String,
    /// New password (policy applies).
    pub new_password: String,
}

/// Changes the signed-in user's own password (also completes a forced change).
pub async fn change_own_password(
    state: &AppState,
    ctx: &crate::auth::SessionCtx,
    current: &str,
    new: &str,
) -> ApiResult<()> {
    use zongzhi_store::SessionStage;
    if !matches!(
        ctx.session.stage,
        SessionStage::Full | SessionStage::NeedsPasswordChange
    ) {
        return Err(ApiError::forbidden());
    }
    let username = Username::parse(&ctx.account.username).map_err(|_| ApiError::forbidden())?;
    let new_pw = NewPassword::parse_with(
        new,
        &username,
        crate::policy::current(state).await?.password_min_length,
    )
    .map_err(|e| ApiError::field("new_password", e.code(), e.message_zh()))?;
    let rec = state
        .store
        .find_login(&ctx.account.username)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if !verify_password(current.to_owned(), rec.password_hash).await? {
        return Err(ApiError::field(
            "current_password",
            "invalid_credentials",
            "当前密码不正确",
        ));
    }
    let hash = hash_password(new_pw.expose().to_owned()).await?;
    let audit = ctx
        .audit("account.password_change", "account")
        .target(ctx.account.id);
    // Own unit scope: the account is always inside it.
    state
        .store
        .set_password(&ctx.scope(), ctx.account.id, &hash, false, audit)
        .await?;
    Ok(())
}

/// `POST /api/v1/me/password`: ends all sessions; sign in again.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = ChangePassword, responses((status = 204, description = "Changed; sign in again"), (status = 400, description = "Bad request", body = crate::error::Problem), (status = 401, description = "Not signed in", body = crate::error::Problem), (status = 403, description = "Forbidden", body = crate::error::Problem), (status = 404, description = "Not found or out of scope", body = crate::error::Problem), (status = 409, description = "Conflict", body = crate::error::Problem), (status = 422, description = "Invalid input", body = crate::error::Problem)))]
pub async fn me_password(
    State(state): State<AppState>,
    PartialUser(ctx): PartialUser,
    ApiJson(req): ApiJson<ChangePassword>,
) -> ApiResult<Response> {
    change_own_password(&state, &ctx, &req.current_password, &req.new_password).await?;
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear_cookie_header(&state))],
        Extension(Audited),
    )
        .into_response())
}
