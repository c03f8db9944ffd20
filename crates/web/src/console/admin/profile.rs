//! 个人设置: the signed-in user's own details and password change.

use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::Redirect;
use serde::Deserialize;

use super::{FormErrors, fmt_time, form_errors, page};
use crate::api::audited;
use crate::api::auth::change_own_password;
use crate::auth::CurrentUser;
use crate::auth::login::clear_cookie_header;
use crate::console::{ConsoleResult, Layout};
use crate::error::ApiError;
use crate::extract::ApiForm;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin/profile.html")]
struct ProfilePage {
    layout: Layout,
    username: String,
    org_level: &'static str,
    org_path: String,
    department: Option<String>,
    phone: Option<String>,
    totp_enabled: bool,
    last_login: String,
    idle_minutes: i64,
    errors: FormErrors,
}

fn profile_page(state: &AppState, user: &CurrentUser, errors: FormErrors) -> ConsoleResult {
    let a = &user.account;
    let p = ProfilePage {
        layout: Layout::new(user, "个人设置", "profile"),
        username: a.username.clone(),
        org_level: a.org_level.label_zh(),
        org_path: a.org_path.clone(),
        department: a.department_name.clone(),
        phone: a.phone_masked.clone(),
        totp_enabled: a.totp_enabled,
        last_login: a.last_login_at.map(fmt_time).unwrap_or_default(),
        idle_minutes: state.config.security.idle_timeout_minutes,
        errors,
    };
    Ok(page(&p, &p.errors))
}

/// `GET /profile`
pub(super) async fn show(State(state): State<AppState>, user: CurrentUser) -> ConsoleResult {
    profile_page(&state, &user, FormErrors::default())
}

/// The password change form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct PasswordForm {
    current_password: String,
    new_password: String,
}

/// `POST /profile/password`: changes the own password, which ends every session of the
/// account; the user signs in again.
pub(super) async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    form: Result<ApiForm<PasswordForm>, ApiError>,
) -> ConsoleResult {
    let ApiForm(f) = form?;
    match change_own_password(&state, &user, &f.current_password, &f.new_password).await {
        Ok(()) => Ok(audited((
            [(header::SET_COOKIE, clear_cookie_header(&state))],
            Redirect::to("/login?changed=1"),
        ))),
        Err(e) => {
            let errors = form_errors(e, &["current_password", "new_password"])?;
            profile_page(&state, &user, errors)
        }
    }
}
