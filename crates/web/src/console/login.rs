//! Console sign-in pages: password, TOTP enrollment and check, forced password change,
//! sign-out, and the home page.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use zongzhi_core::role::Permission;
use zongzhi_store::SessionStage;

use super::{ConsoleResult, render};
use crate::api::auth::change_own_password;
use crate::auth::login::{clear_cookie_header, session_cookie_header, sign_in};
use crate::auth::session::cookie_value;
use crate::auth::{CurrentUser, LOGIN_CSRF_COOKIE, PartialUser, random_token, secure_eq, totp};
use crate::error::ApiError;
use crate::extract::{ApiForm, ClientIp};
use crate::middleware::{Actor, Audited};
use crate::state::AppState;

/// Sign-in routes and the home page.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login_submit))
        .route("/login/totp", get(totp_page).post(totp_submit))
        .route("/login/totp/enroll", get(enroll_page).post(totp_submit))
        .route("/login/password", get(password_page).post(password_submit))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    username: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct LoginNotice {
    expired: Option<String>,
    changed: Option<String>,
}

fn login_form(
    username: &str,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Response {
    let csrf = random_token();
    let page = LoginPage {
        csrf: csrf.clone(),
        username: username.to_owned(),
        error,
        notice,
    };
    let mut res = render(&page);
    *res.status_mut() = status;
    if let Ok(v) =
        format!("{LOGIN_CSRF_COOKIE}={csrf}; Path=/login; HttpOnly; SameSite=Strict").parse()
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn login_page(Query(n): Query<LoginNotice>) -> Response {
    let notice = if n.expired.is_some() {
        Some("登录已超时，请重新登录".to_owned())
    } else if n.changed.is_some() {
        Some("密码已修改，请使用新密码登录".to_owned())
    } else {
        None
    };
    login_form("", None, notice, StatusCode::OK)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

fn stage_home(stage: SessionStage) -> &'static str {
    match stage {
        SessionStage::Full => "/",
        SessionStage::NeedsTotp => "/login/totp",
        SessionStage::NeedsEnrollment => "/login/totp/enroll",
        SessionStage::NeedsPasswordChange => "/login/password",
    }
}

async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ClientIp(ip): ClientIp,
    form: Result<ApiForm<LoginForm>, ApiError>,
) -> Response {
    let Ok(ApiForm(f)) = form else {
        return login_form(
            "",
            Some("表单内容无效".to_owned()),
            None,
            StatusCode::BAD_REQUEST,
        );
    };
    let cookie = cookie_value(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if cookie.is_empty() || !secure_eq(&cookie, &f.csrf_token) {
        return login_form(
            &f.username,
            Some(crate::messages::zh_message("csrf_failed").to_owned()),
            None,
            StatusCode::FORBIDDEN,
        );
    }
    match sign_in(&state, &f.username, &f.password, ip).await {
        Ok(s) => {
            let actor = Actor {
                id: s.account.id,
                username: s.account.username.clone(),
            };
            (
                [(header::SET_COOKIE, session_cookie_header(&state, &s.token))],
                Extension(Audited),
                Extension(actor),
                Redirect::to(stage_home(s.session.stage)),
            )
                .into_response()
        }
        Err(e) => {
            let res = login_form(&f.username, Some(e.detail_zh()), None, e.status);
            (Extension(Audited), res).into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpPage {
    csrf: String,
    username: String,
    secret: Option<String>,
    action: &'static str,
    error: Option<String>,
}

async fn enroll_page(
    State(state): State<AppState>,
    PartialUser(ctx): PartialUser,
) -> ConsoleResult {
    if ctx.session.stage != SessionStage::NeedsEnrollment {
        return Ok(Redirect::to(stage_home(ctx.session.stage)).into_response());
    }
    let e = totp::enrollment(&state, &ctx).await?;
    Ok(render(&TotpPage {
        csrf: ctx.session.csrf_token.clone(),
        username: ctx.account.username.clone(),
        secret: Some(e.secret),
        action: "/login/totp/enroll",
        error: None,
    }))
}

async fn totp_page(PartialUser(ctx): PartialUser) -> Response {
    if ctx.session.stage != SessionStage::NeedsTotp {
        return Redirect::to(stage_home(ctx.session.stage)).into_response();
    }
    render(&TotpPage {
        csrf: ctx.session.csrf_token.clone(),
        username: ctx.account.username.clone(),
        secret: None,
        action: "/login/totp",
        error: None,
    })
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn totp_submit(
    State(state): State<AppState>,
    PartialUser(ctx): PartialUser,
    ClientIp(ip): ClientIp,
    ApiForm(f): ApiForm<CodeForm>,
) -> ConsoleResult {
    match totp::verify(&state, &ctx, &f.code, ip).await {
        Ok(stage) => Ok((Extension(Audited), Redirect::to(stage_home(stage))).into_response()),
        Err(e) if e.code == "account_locked" => {
            let res = login_form(&ctx.account.username, Some(e.detail_zh()), None, e.status);
            Ok((
                Extension(Audited),
                [(header::SET_COOKIE, clear_cookie_header(&state))],
                res,
            )
                .into_response())
        }
        Err(e) if e.code == "totp_invalid" => {
            let enrolling = ctx.session.stage == SessionStage::NeedsEnrollment;
            let secret = if enrolling {
                Some(totp::enrollment(&state, &ctx).await?.secret)
            } else {
                None
            };
            let mut res = render(&TotpPage {
                csrf: ctx.session.csrf_token.clone(),
                username: ctx.account.username.clone(),
                secret,
                action: if enrolling {
                    "/login/totp/enroll"
                } else {
                    "/login/totp"
                },
                error: Some(e.detail_zh()),
            });
            *res.status_mut() = e.status;
            Ok((Extension(Audited), res).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    csrf: String,
    error: Option<String>,
}

async fn password_page(PartialUser(ctx): PartialUser) -> Response {
    render(&PasswordPage {
        csrf: ctx.session.csrf_token.clone(),
        error: None,
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

async fn password_submit(
    State(state): State<AppState>,
    PartialUser(ctx): PartialUser,
    ApiForm(f): ApiForm<PasswordForm>,
) -> Response {
    match change_own_password(&state, &ctx, &f.current_password, &f.new_password).await {
        Ok(()) => (
            Extension(Audited),
            [(header::SET_COOKIE, clear_cookie_header(&state))],
            Redirect::to("/login?changed=1"),
        )
            .into_response(),
        Err(e) => {
            let mut res = render(&PasswordPage {
                csrf: ctx.session.csrf_token.clone(),
                error: Some(e.detail_zh()),
            });
            *res.status_mut() = e.status;
            res
        }
    }
}

async fn logout(State(state): State<AppState>, user: Option<PartialUser>) -> ConsoleResult {
    if let Some(PartialUser(ctx)) = user {
        crate::api::auth::logout(State(state.clone()), PartialUser(ctx)).await?;
    }
    Ok((
        Extension(Audited),
        [(header::SET_COOKIE, clear_cookie_header(&state))],
        Redirect::to("/login"),
    )
        .into_response())
}

/// `GET /`: the case workbench (工作台) for case roles; admin roles have none and go to
/// their first page.
async fn home(State(state): State<AppState>, user: CurrentUser) -> ConsoleResult {
    if !user.can(Permission::ReadCases) {
        let first = super::menu_for(&user)
            .first()
            .map(|m| m.href)
            .unwrap_or("/profile");
        return Ok(Redirect::to(first).into_response());
    }
    super::cases::workbench::page(&state, &user).await
}
