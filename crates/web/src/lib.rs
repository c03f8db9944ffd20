//! Zongzhi's HTTP layer: the JSON API under `/api/v1`, the staff console (server-rendered
//! Simplified Chinese pages), and the health endpoints. Knows nothing of SQL dialects.

pub mod api;
pub mod auth;
pub mod cases;
pub mod config;
pub mod console;
pub mod demo;
pub mod demo_cases;
pub mod error;
pub mod exports;
pub mod extract;
pub mod messages;
pub mod middleware;
pub mod policy;
pub mod reference;
pub mod state;
pub mod stats;
pub mod timing;

pub use config::Config;
pub use state::AppState;

use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The whole application: every route and layer.
pub fn router(state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .merge(api::routes())
        .merge(console::routes())
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .fallback(console::not_found)
        // Order matters: the session layer runs inside the audit layer so that refusals
        // it makes (CSRF) are still audited.
        .layer(from_fn_with_state(
            state.clone(),
            auth::session::session_layer,
        ))
        .layer(from_fn_with_state(
            state.clone(),
            middleware::audit_requests,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(from_fn(middleware::security_headers))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_response))
        // Spans carry the path only: query strings may hold search terms such as a phone
        // number, and personal data never goes to the log.
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(
            |req: &axum::http::Request<axum::body::Body>| {
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
            },
        ))
        .with_state(state)
}

/// A panic becomes a plain 500 problem; its message goes to the log only.
fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    error::ApiError::internal(&"handler panicked").into_response()
}

/// `GET /healthz`: the process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: the database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
