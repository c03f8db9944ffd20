//! The OpenAPI document is served and does not change unnoticed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use common::{Client, TestApp};

#[tokio::test]
async fn openapi_document_is_served_and_stable() {
    let app = TestApp::new().await;
    let r = app.get(&Client::default(), "/api/v1/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for p in [
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/org-units",
        "/api/v1/accounts/{id}",
        "/api/v1/audit",
        "/api/v1/categories",
        "/api/v1/categories/{code}",
    ] {
        assert!(doc["paths"][p].is_object(), "{p}");
    }
    insta::assert_json_snapshot!("openapi", doc);
}
