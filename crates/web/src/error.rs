//! One mapping from every error to an HTTP response: RFC 9457 problem+json for the API,
//! a Chinese page for the console. Internal causes go to the log, never to the client.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use zongzhi_store::StoreError;

use crate::messages::zh_message;

/// A field that failed validation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The input field.
    pub field: String,
    /// Stable code.
    pub code: String,
    /// Chinese message for people.
    pub message: String,
}

/// An API error, rendered as `application/problem+json`.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine code, e.g. `not_found`, `csrf_failed`.
    pub code: String,
    /// Field-level problems.
    pub errors: Vec<FieldError>,
    /// Extra members (e.g. `locked_until`).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Result for handlers.
pub type ApiResult<T> = Result<T, ApiError>;

/// The problem document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Problem type URI.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short English summary.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Stable code the UI translates.
    pub code: String,
    /// Chinese explanation.
    pub detail: String,
    /// Field errors, if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Extra members.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    /// An error with a status and code.
    pub fn new(status: StatusCode, code: &str) -> Self {
        Self {
            status,
            code: code.to_owned(),
            errors: Vec::new(),
            extra: Default::default(),
        }
    }

    /// 400 with one field error.
    pub fn field(field: &str, code: &str, message: &str) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed")
            .with_field(field, code, message)
    }

    /// Adds a field error.
    pub fn with_field(mut self, field: &str, code: &str, message: &str) -> Self {
        self.errors.push(FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            message: message.to_owned(),
        });
        self
    }

    /// Adds an extra member.
    pub fn with_extra(mut self, key: &str, value: serde_json::Value) -> Self {
        self.extra.insert(key.to_owned(), value);
        self
    }

    /// 401.
    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated")
    }

    /// 403.
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden")
    }

    /// 404.
    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found")
    }

    /// 500; the cause is logged here and nowhere near the client.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
    }

    /// The Chinese explanation of this error.
    pub fn detail_zh(&self) -> String {
        match self.errors.first() {
            Some(f) if self.code == "validation_failed" => f.message.clone(),
            _ => zh_message(&self.code).to_owned(),
        }
    }

    /// The problem document.
    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("/problems/{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            code: self.code.clone(),
            detail: self.detail_zh(),
            errors: self.errors.clone(),
            extra: self.extra.clone(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, Json(self.problem())).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::not_found(),
            StoreError::Conflict(code) => Self::new(StatusCode::CONFLICT, code),
            StoreError::InvalidReference(what) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
            )
            .with_field(what, "invalid_reference", zh_message("invalid_reference")),
            StoreError::Backend(cause) => Self::internal(&cause),
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection as J;
        match r {
            J::MissingJsonContentType(_) => {
                Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            J::JsonSyntaxError(_) => Self::new(StatusCode::BAD_REQUEST, "malformed_json"),
            J::JsonDataError(e) => Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body")
                .with_extra(
                    "reason",
                    serde_json::Value::String(safe_reason(&e.body_text())),
                ),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
            }
            other => Self::new(other.status(), "bad_request"),
        }
    }
}

impl From<axum::extract::rejection::FormRejection> for ApiError {
    fn from(r: axum::extract::rejection::FormRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
        } else if r.status() == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            Self::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
        } else {
            Self::new(StatusCode::BAD_REQUEST, "invalid_form")
        }
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(_: axum::extract::rejection::PathRejection) -> Self {
        Self::not_found()
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(_: axum::extract::rejection::QueryRejection) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_query")
    }
}

/// serde's data-error text names the field and the expected type; it never echoes input
/// values longer than the type name, but cap it anyway so nothing large is reflected.
fn safe_reason(text: &str) -> String {
    text.chars().take(200).collect()
}

/// Collects field errors so a form reports every bad field at once.
#[derive(Debug, Default)]
pub struct Validation {
    errors: Vec<FieldError>,
}

impl Validation {
    /// Records the error of `r`, if any, against `field`; returns the value otherwise.
    pub fn check<T>(
        &mut self,
        field: &str,
        r: Result<T, (&'static str, &'static str)>,
    ) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err((code, message)) => {
                self.errors.push(FieldError {
                    field: field.to_owned(),
                    code: code.to_owned(),
                    message: message.to_owned(),
                });
                None
            }
        }
    }

    /// 422 with every recorded field error, or Ok if there were none.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            return Ok(());
        }
        let mut e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        e.errors = self.errors;
        Err(e)
    }
}
