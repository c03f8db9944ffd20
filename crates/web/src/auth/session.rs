//! The session layer: loads the session behind the cookie once per request, enforces the
//! idle timeout and CSRF, and hands handlers a [`CurrentUser`] (fully signed in) or a
//! [`PartialUser`] (still in the middle of sign-in).

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};
use zongzhi_core::role::{Permission, Role, Scope, roles_grant};
use zongzhi_store::{Account, Session, SessionStage};

use super::{CSRF_HEADER, SESSION_COOKIE, secure_eq, token_hash};
use crate::error::ApiError;
use crate::middleware::Actor;
use crate::state::AppState;

/// The signed-in session and its account, as loaded for this request.
#[derive(Debug, Clone)]
pub struct SessionCtx {
    /// The session row.
    pub session: Session,
    /// Its account.
    pub account: Account,
    /// The client address of this request, for audit rows.
    pub ip: Option<String>,
}

impl SessionCtx {
    /// The scope this user acts within.
    pub fn scope(&self) -> Scope {
        Scope {
            org_unit_id: self.account.org_unit_id,
            org_path: self.account.org_path.clone(),
            department_id: self.account.department_id,
        }
    }

    /// Whether the user's roles grant `p`.
    pub fn can(&self, p: Permission) -> bool {
        roles_grant(&self.account.roles, p)
    }

    /// 403 unless the user's roles grant `p`.
    pub fn require(&self, p: Permission) -> Result<(), ApiError> {
        if self.can(p) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// A successful audit row for an action by this user, with the client address.
    pub fn audit(&self, action: &str, target_type: &str) -> NewAuditEntry {
        NewAuditEntry::new(action, target_type, AuditOutcome::Success)
            .by(Some(self.account.id), &self.account.username)
            .ip(self.ip.clone())
    }

    /// Whether the user holds `r`.
    pub fn has_role(&self, r: Role) -> bool {
        self.account.roles.contains(&r)
    }
}

/// Marker put in the request when the session was found but had expired.
#[derive(Debug, Clone, Copy)]
struct Expired;

/// Reads the session cookie from request headers.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie_value(headers, SESSION_COOKIE)
}

/// Reads one cookie's value.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// Paths that take a state-changing request before any session exists.
fn csrf_exempt(path: &str) -> bool {
    // The API sign-in needs a JSON body (a cross-site form cannot send one without a
    // CORS preflight we never grant); the console sign-in checks its own double-submit
    // cookie in the handler.
    matches!(path, "/api/v1/auth/login" | "/login")
}

/// Middleware: load the session, enforce the idle timeout and CSRF.
pub async fn session_layer(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let api = is_api(&path);
    let mut ctx: Option<SessionCtx> = None;
    let ip = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    if let Some(token) = session_cookie(req.headers()) {
        match load(&state, &token, ip).await {
            Ok(Loaded::Active(c)) => ctx = Some(*c),
            Ok(Loaded::Expired) => {
                req.extensions_mut().insert(Expired);
            }
            Ok(Loaded::None) => {}
            Err(e) => return e.into_response(),
        }
    }

    let actor = ctx.as_ref().map(|c| Actor {
        id: c.account.id,
        username: c.account.username.clone(),
    });
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state
        && !csrf_exempt(&path)
        && let Some(c) = &ctx
    {
        let (req2, ok) = csrf_ok(req, &c.session.csrf_token).await;
        req = req2;
        if !ok {
            let mut res = reject(api, ApiError::new(StatusCode::FORBIDDEN, "csrf_failed"));
            if let Some(a) = actor {
                res.extensions_mut().insert(a);
            }
            return res;
        }
    }
    if let Some(c) = ctx {
        req.extensions_mut().insert(c);
    }
    let mut res = next.run(req).await;
    if let Some(a) = actor
        && res.extensions().get::<Actor>().is_none()
    {
        res.extensions_mut().insert(a);
    }
    res
}

enum Loaded {
    Active(Box<SessionCtx>),
    Expired,
    None,
}

async fn load(state: &AppState, token: &str, ip: Option<String>) -> Result<Loaded, ApiError> {
    let hash = token_hash(token);
    let Some(session) = state.store.get_session(&hash).await? else {
        return Ok(Loaded::None);
    };
    let now = state.clock.now();
    let policy = crate::policy::current(state).await?;
    let idle = Duration::minutes(crate::policy::idle_minutes(state, &policy));
    if now - session.last_seen_at > idle {
        state.store.delete_session(&hash).await?;
        return Ok(Loaded::Expired);
    }
    let account = state.store.get_account_by_id(session.account_id).await?;
    if account.status != zongzhi_core::account::AccountStatus::Active {
        state.store.delete_session(&hash).await?;
        return Ok(Loaded::None);
    }
    // Touch at most every 30 s: enough precision for a 30-minute timeout, far fewer writes.
    if now - session.last_seen_at > Duration::seconds(30) {
        state.store.touch_session(&hash, now).await?;
    }
    Ok(Loaded::Active(Box::new(SessionCtx {
        session,
        account,
        ip,
    })))
}

/// Checks the CSRF token in the header or, for a urlencoded or multipart form (the
/// console's upload forms), the `csrf_token` field.
async fn csrf_ok(req: Request, expected: &str) -> (Request, bool) {
    if let Some(v) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let ok = secure_eq(v, expected);
        return (req, ok);
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let boundary = multipart_boundary(content_type);
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if !is_form && boundary.is_none() {
        return (req, false);
    }
    // Forms are small; anything bigger than this is refused as a CSRF failure anyway.
    // A multipart form carries files: it may be as large as the upload routes accept.
    let limit = if is_form {
        1024 * 1024
    } else {
        crate::console::cases::UPLOAD_BODY_LIMIT
    };
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return (Request::from_parts(parts, axum::body::Body::empty()), false);
    };
    let token = match &boundary {
        Some(b) => multipart_field(&bytes, b, "csrf_token"),
        None => form_field(&bytes, "csrf_token"),
    };
    let ok = token.is_some_and(|v| secure_eq(&v, expected));
    (
        Request::from_parts(parts, axum::body::Body::from(bytes)),
        ok,
    )
}

/// The boundary of a `multipart/form-data` content type.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let (mime, params) = content_type.split_once(';')?;
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|b| !b.is_empty())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The value of the text part `name` of a multipart body (RFC 7578); the forms put the
/// CSRF token first, so the scan stops early.
fn multipart_field(body: &[u8], boundary: &str, name: &str) -> Option<String> {
    let delimiter = format!("--{boundary}");
    let wanted = format!("name=\"{name}\"");
    let mut rest = &body[find(body, delimiter.as_bytes())? + delimiter.len()..];
    loop {
        let part = rest.strip_prefix(b"\r\n")?;
        let end = find(part, format!("\r\n{delimiter}").as_bytes())?;
        let (part, next) = (&part[..end], &part[end + 2 + delimiter.len()..]);
        let head_end = find(part, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&part[..head_end]).to_ascii_lowercase();
        let disposition = head
            .lines()
            .find(|l| l.starts_with("content-disposition:"))
            .unwrap_or_default();
        if disposition.contains(&wanted) && !disposition.contains("filename") {
            return String::from_utf8(part[head_end + 4..].to_vec()).ok();
        }
        rest = next;
    }
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Renders an auth failure: problem+json for the API, a redirect or Chinese page for the console.
pub fn reject(api: bool, e: ApiError) -> Response {
    if api {
        return e.into_response();
    }
    match e.code.as_str() {
        "unauthenticated" => Redirect::to("/login").into_response(),
        "session_expired" => Redirect::to("/login?expired=1").into_response(),
        "totp_required" => Redirect::to("/login/totp").into_response(),
        "totp_enrollment_required" => Redirect::to("/login/totp/enroll").into_response(),
        "password_change_required" => Redirect::to("/login/password").into_response(),
        _ => crate::console::error_page(&e),
    }
}

/// A fully signed-in user.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub SessionCtx);

/// A user with a session in any stage of sign-in.
#[derive(Debug, Clone)]
pub struct PartialUser(pub SessionCtx);

impl std::ops::Deref for CurrentUser {
    type Target = SessionCtx;
    fn deref(&self) -> &SessionCtx {
        &self.0
    }
}

/// Rejection of the auth extractors.
pub struct AuthRejection(Response);

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        self.0
    }
}

fn missing(parts: &Parts) -> AuthRejection {
    let code = if parts.extensions.get::<Expired>().is_some() {
        ApiError::new(StatusCode::UNAUTHORIZED, "session_expired")
    } else {
        ApiError::unauthenticated()
    };
    AuthRejection(reject(is_api(parts.uri.path()), code))
}

impl<S: Send + Sync> FromRequestParts<S> for PartialUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<SessionCtx>()
            .cloned()
            .map(PartialUser)
            .ok_or_else(|| missing(parts))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(ctx) = parts.extensions.get::<SessionCtx>().cloned() else {
            return Err(missing(parts));
        };
        let code = match ctx.session.stage {
            SessionStage::Full => return Ok(CurrentUser(ctx)),
            SessionStage::NeedsTotp => "totp_required",
            SessionStage::NeedsEnrollment => "totp_enrollment_required",
            SessionStage::NeedsPasswordChange => "password_change_required",
        };
        Err(AuthRejection(reject(
            is_api(parts.uri.path()),
            ApiError::new(StatusCode::FORBIDDEN, code),
        )))
    }
}

impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for PartialUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<SessionCtx>()
            .cloned()
            .map(PartialUser))
    }
}

#[cfg(test)]
mod tests {
    use super::{multipart_boundary, multipart_field};

    #[test]
    fn multipart_csrf_field_is_found() {
        let b = multipart_boundary("multipart/form-data; boundary=\"XyZ\"").unwrap_or_default();
        assert_eq!(b, "XyZ");
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\ntok-1\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.png\"\r\n\
                    Content-Type: image/png\r\n\r\n\x01\x02\r\n--XyZ--\r\n";
        assert_eq!(
            multipart_field(body.as_bytes(), &b, "csrf_token").as_deref(),
            Some("tok-1")
        );
        assert_eq!(multipart_field(body.as_bytes(), &b, "f"), None);
        assert_eq!(multipart_field(body.as_bytes(), &b, "other"), None);
        assert_eq!(
            multipart_boundary("application/x-www-form-urlencoded"),
            None
        );
    }
}
