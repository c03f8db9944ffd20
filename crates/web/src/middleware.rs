//! Cross-cutting layers: security headers, and the audit row for every state-changing
//! request that its handler did not already audit in its own transaction.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::json;
use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};

use crate::state::AppState;

/// Response marker: the handler wrote its own audit row.
#[derive(Debug, Clone, Copy)]
pub struct Audited;

/// Response marker: who made the request (set by the session layer).
#[derive(Debug, Clone)]
pub struct Actor {
    /// Account id.
    pub id: i64,
    /// Username.
    pub username: String,
}

/// Adds the security headers to every response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Appends an `http.<method>` audit row for state-changing requests not audited by
/// their handler (refusals, validation failures, CSRF failures …).
pub async fn audit_requests(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let ip = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let res = next.run(req).await;
    let changes_state = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !changes_state || res.extensions().get::<Audited>().is_some() {
        return res;
    }
    let status = res.status();
    let outcome = if status.is_success() || status.is_redirection() {
        AuditOutcome::Success
    } else if status.as_u16() == 401 || status.as_u16() == 403 {
        AuditOutcome::Denied
    } else {
        AuditOutcome::Failure
    };
    let actor = res.extensions().get::<Actor>().cloned();
    let entry = NewAuditEntry::new(
        &format!("http.{}", method.as_str().to_ascii_lowercase()),
        "request",
        outcome,
    )
    .by(
        actor.as_ref().map(|a| a.id),
        actor.as_ref().map_or("", |a| a.username.as_str()),
    )
    .ip(ip)
    // The path holds ids only, never personal data; bodies are never logged.
    .detail(json!({ "path": path, "status": status.as_u16() }));
    if let Err(e) = state.store.append_audit(entry).await {
        tracing::error!(error = %e, "could not append request audit row");
    }
    res
}
