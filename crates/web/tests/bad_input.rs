//! Bad input never gets a 500, never half-writes, and keeps the audit chain valid.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Client, TestApp};
use serde_json::json;

const NASTY: [&str; 6] = [
    "'; DROP TABLE accounts; --",
    "\" OR 1=1 --",
    "<script>alert(1)</script>",
    "%_\\",
    "１００％",
    "<img src=x onerror=alert(1)>",
];

async fn raw(
    app: &TestApp,
    c: &Client,
    method: Method,
    path: &str,
    ctype: &str,
    body: Vec<u8>,
) -> common::Resp {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, ctype);
    if let Some(k) = &c.cookie {
        b = b.header(header::COOKIE, k);
    }
    if let Some(t) = &c.csrf {
        b = b.header("x-csrf-token", t);
    }
    app.send(b.body(Body::from(body)).unwrap()).await
}

fn is_problem(r: &common::Resp) -> bool {
    r.header("content-type").as_deref() == Some("application/problem+json")
        && r.json()["code"].is_string()
}

#[tokio::test]
async fn malformed_bodies_are_clear_4xx_problems() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let cases: Vec<(&str, Vec<u8>, StatusCode, &str)> = vec![
        (
            "application/json",
            b"{not json".to_vec(),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "text/plain",
            b"{}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "application/json",
            b"{\"name\": 5}".to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            "application/json",
            vec![b' '; 3 * 1024 * 1024],
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
        ),
    ];
    for (ctype, body, status, code) in cases {
        let r = raw(&app, &admin, Method::POST, "/api/v1/org-units", ctype, body).await;
        assert_eq!(r.status, status, "{ctype} {}", r.text());
        assert!(is_problem(&r), "{}", r.text());
        assert_eq!(r.json()["code"], code);
        assert!(!r.text().contains("serde") && !r.text().contains("sqlx"));
    }
    // Login with a malformed body too.
    let r = raw(
        &app,
        &Client::default(),
        Method::POST,
        "/api/v1/auth/login",
        "application/json",
        b"[".to_vec(),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(app.audit_chain_ok().await > 0);
}

#[tokio::test]
async fn unknown_ids_and_routes_are_404_problems() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    for path in [
        "/api/v1/org-units/999999",
        "/api/v1/org-units/abc",
        "/api/v1/accounts/-1",
        "/api/v1/departments/99999999999999999999",
        "/api/v1/nothing",
    ] {
        let r = app.get(&admin, path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        assert!(is_problem(&r), "{path}");
    }
    let r = app
        .call(
            &admin,
            Method::PATCH,
            "/api/v1/accounts/999999",
            Some(json!({"display_name": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The console answers in Chinese.
    let r = app.get(&admin, "/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("页面不存在"));
}

#[tokio::test]
async fn validation_errors_name_every_bad_field_and_write_nothing() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let town = app.unit_id("339901001").await;
    let before = app.get(&admin, "/api/v1/accounts").await.json()["total"]
        .as_i64()
        .unwrap();
    let r = app
        .call(&admin, Method::POST, "/api/v1/accounts", Some(json!({
            "username": "1bad name", "display_name": "", "password": "weak", "org_unit_id": town,
            "roles": ["nope"], "phone": "12345"
        })))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect();
    for f in ["username", "display_name", "roles", "phone"] {
        assert!(fields.contains(&f.to_owned()), "{f} in {fields:?}");
    }
    assert!(
        r.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| c > '\u{4e00}')
    );
    // Duplicate username: 409, nothing written.
    let r = app
        .call(&admin, Method::POST, "/api/v1/accounts", Some(json!({
            "username": "town_intake", "display_name": "重复", "password": "Start!2026x", "org_unit_id": town, "roles": ["intake"]
        })))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["code"], "username_taken");
    // Wrong level, unknown parent.
    let r = app.call(&admin, Method::POST, "/api/v1/org-units", Some(json!({"parent_id": town, "level": "grid", "code": "3399010019999", "name": "错层"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let r = app.call(&admin, Method::POST, "/api/v1/org-units", Some(json!({"parent_id": 987654, "level": "village", "code": "339901001998", "name": "无父"}))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let after = app.get(&admin, "/api/v1/accounts").await.json()["total"]
        .as_i64()
        .unwrap();
    assert_eq!(before, after);
    assert!(app.audit_chain_ok().await > 0);
}

#[tokio::test]
async fn injection_strings_are_data_not_code() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let town = app.unit_id("339901001").await;
    for (i, s) in NASTY.iter().enumerate() {
        let r = app
            .call(&admin, Method::POST, "/api/v1/org-units", Some(json!({"parent_id": town, "level": "village", "code": format!("33990100180{i}"), "name": s})))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{s}: {}", r.text());
        assert_eq!(r.json()["name"], *s);
        for path in [
            "/api/v1/org-units",
            "/api/v1/departments",
            "/api/v1/accounts",
            "/api/v1/accounts/export",
        ] {
            let q: String = s.bytes().map(|b| format!("%{b:02X}")).collect();
            let r = app.get(&admin, &format!("{path}?q={q}")).await;
            assert!(r.status.is_success(), "{path} {s}: {}", r.status);
        }
        let q: String = s.bytes().map(|b| format!("%{b:02X}")).collect();
        let found = app
            .get(&admin, &format!("/api/v1/org-units?q={q}"))
            .await
            .json();
        assert!(
            found["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["name"] == *s),
            "{s}"
        );
    }
    // `%` and `_` are literals in search, not wildcards.
    let r = app.get(&admin, "/api/v1/org-units?q=%25_%5C").await.json();
    assert_eq!(r["total"], 1);
    // The console escapes what it shows.
    let page = app.get(&admin, "/admin/org-units?q=%3Cscript%3E").await;
    assert!(page.status.is_success(), "{}", page.status);
    assert!(!page.text().contains("<script>alert(1)</script>"));
    // Accounts table still there.
    assert!(
        app.get(&admin, "/api/v1/accounts").await.json()["total"]
            .as_i64()
            .unwrap()
            > 10
    );
    assert!(app.audit_chain_ok().await > 0);
}

#[tokio::test]
async fn failed_requests_are_audited_too() {
    let app = TestApp::new().await;
    let leader = app.login("leader").await;
    let r = app
        .call(
            &leader,
            Method::POST,
            "/api/v1/org-units",
            Some(json!({"parent_id": 1, "level": "county", "code": "339903", "name": "越权"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let auditor = app.login("auditor").await;
    let a = app
        .get(&auditor, "/api/v1/audit?actor=leader&outcome=denied")
        .await
        .json();
    assert_eq!(a["total"], 1, "{a}");
    assert_eq!(a["items"][0]["action"], "http.post");
}
