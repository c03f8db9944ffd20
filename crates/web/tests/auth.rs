//! Sign-in, lockout, sessions, CSRF, TOTP, 三员分立, health and headers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::{Method, StatusCode};
use chrono::Duration;
use common::{Client, PASSWORD, TestApp};
use serde_json::json;

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::new().await;
    assert_eq!(
        app.get(&Client::default(), "/healthz").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&Client::default(), "/readyz").await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn every_demo_account_signs_in_and_me_answers() {
    let app = TestApp::new().await;
    for u in [
        "admin",
        "security",
        "auditor",
        "leader",
        "city_dispatcher",
        "county_dispatcher",
        "town_intake",
        "town_dispatcher",
        "village_worker",
        "grid_worker",
        "mediator",
        "dept_handler",
    ] {
        let c = app.login(u).await;
        let me = app.get(&c, "/api/v1/me").await;
        assert_eq!(me.status, StatusCode::OK, "{u}");
        assert_eq!(me.json()["username"], u);
        assert!(me.json()["org_unit"]["name"].is_string());
    }
    let h = app.login("dept_handler").await;
    let me = app.get(&h, "/api/v1/me").await.json();
    assert_eq!(me["roles"], json!(["handler"]));
    assert_eq!(me["department_name"], "东湖区公安局");
}

#[tokio::test]
async fn session_cookie_is_httponly_and_strict() {
    let app = TestApp::new().await;
    let (r, _) = app.login_password("town_intake", PASSWORD).await;
    let c = r.header("set-cookie").unwrap();
    assert!(
        c.contains("HttpOnly") && c.contains("SameSite=Strict"),
        "{c}"
    );
    assert!(!c.contains("Secure"));
    assert!(
        r.json()["csrf_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 32)
    );
}

#[tokio::test]
async fn five_failures_lock_for_fifteen_minutes() {
    let app = TestApp::new().await;
    for i in 1..=4 {
        let (r, _) = app.login_password("town_intake", "Wrong!pass1").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert_eq!(r.json()["code"], "invalid_credentials");
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("application/problem+json")
        );
    }
    let (r, _) = app.login_password("town_intake", "Wrong!pass1").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "account_locked");
    // Even the right password is refused while locked.
    let (r, _) = app.login_password("town_intake", PASSWORD).await;
    assert_eq!(r.json()["code"], "account_locked");
    app.clock.advance(Duration::minutes(16));
    let (r, _) = app.login_password("town_intake", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    // Every attempt is in the audit log, and the chain holds.
    let auditor = app.login("auditor").await;
    let a = app
        .get(
            &auditor,
            "/api/v1/audit?actor=town_intake&outcome=failure&action=auth.",
        )
        .await
        .json();
    assert_eq!(a["total"], 6, "{a}");
    assert!(app.audit_chain_ok().await > 0);
}

#[tokio::test]
async fn unknown_user_and_admin_unlock() {
    let app = TestApp::new().await;
    let (r, _) = app.login_password("nobody", "Whatever1!").await;
    assert_eq!(r.json()["code"], "invalid_credentials");
    for _ in 0..5 {
        app.login_password("grid_worker", "Wrong!pass1").await;
    }
    let admin = app.login("admin").await;
    let list = app
        .get(&admin, "/api/v1/accounts?q=grid_worker")
        .await
        .json();
    let id = list["items"][0]["id"].as_i64().unwrap();
    assert!(list["items"][0]["locked_until"].is_string());
    let r = app
        .call(
            &admin,
            Method::POST,
            &format!("/api/v1/accounts/{id}/unlock"),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let (r, _) = app.login_password("grid_worker", PASSWORD).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn csrf_is_required_for_state_changes() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let no_csrf = Client {
        cookie: admin.cookie.clone(),
        csrf: None,
    };
    let body = json!({"parent_id": app.unit_id("339901001").await, "level": "village", "code": "339901001099", "name": "测试村"});
    let r = app
        .call(
            &no_csrf,
            Method::POST,
            "/api/v1/org-units",
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["code"], "csrf_failed");
    let wrong = Client {
        cookie: admin.cookie.clone(),
        csrf: Some("x".repeat(43)),
    };
    assert_eq!(
        app.call(
            &wrong,
            Method::POST,
            "/api/v1/org-units",
            Some(body.clone())
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .call(&admin, Method::POST, "/api/v1/org-units", Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
}

#[tokio::test]
async fn idle_sessions_expire_after_thirty_minutes() {
    let app = TestApp::new().await;
    let c = app.login("town_intake").await;
    app.clock.advance(Duration::minutes(29));
    assert_eq!(app.get(&c, "/api/v1/me").await.status, StatusCode::OK);
    app.clock.advance(Duration::minutes(29));
    assert_eq!(
        app.get(&c, "/api/v1/me").await.status,
        StatusCode::OK,
        "activity extends the session"
    );
    app.clock.advance(Duration::minutes(31));
    let r = app.get(&c, "/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.json()["code"], "session_expired");
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::new().await;
    let c = app.login("leader").await;
    assert_eq!(
        app.call(&c, Method::POST, "/api/v1/auth/logout", None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get(&c, "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn admins_need_totp_before_anything_else() {
    let app = TestApp::new().await;
    let (r, c) = app.login_password("admin", PASSWORD).await;
    assert_eq!(r.json()["stage"], "needs_enrollment");
    let me = app.get(&c, "/api/v1/me").await;
    assert_eq!(me.status, StatusCode::FORBIDDEN);
    assert_eq!(me.json()["code"], "totp_enrollment_required");
    let bad = app
        .call(
            &c,
            Method::POST,
            "/api/v1/auth/totp",
            Some(json!({"code": "000000"})),
        )
        .await;
    assert!(
        bad.status == StatusCode::UNAUTHORIZED || bad.status == StatusCode::CONFLICT,
        "{}",
        bad.text()
    );
    // After enrollment, a later sign-in asks for the code.
    let _ = app.login("admin").await;
    let (r, c) = app.login_password("admin", PASSWORD).await;
    assert_eq!(r.json()["stage"], "needs_totp");
    let wrong = app
        .call(
            &c,
            Method::POST,
            "/api/v1/auth/totp",
            Some(json!({"code": "123456"})),
        )
        .await;
    assert_eq!(wrong.json()["code"], "totp_invalid");
}

#[tokio::test]
async fn three_admin_roles_are_separated() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let security = app.login("security").await;
    let auditor = app.login("auditor").await;
    assert_eq!(
        app.get(&admin, "/api/v1/audit").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&security, "/api/v1/audit").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&auditor, "/api/v1/audit").await.status,
        StatusCode::OK
    );
    for path in [
        "/api/v1/org-units",
        "/api/v1/departments",
        "/api/v1/accounts",
    ] {
        assert_eq!(
            app.get(&auditor, path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    // The system admin cannot grant roles; the security admin can.
    let list = app.get(&admin, "/api/v1/accounts?q=leader").await.json();
    let id = list["items"][0]["id"].as_i64().unwrap();
    let r = app
        .call(
            &admin,
            Method::PATCH,
            &format!("/api/v1/accounts/{id}"),
            Some(json!({"roles": ["leader", "dispatcher"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .call(
            &security,
            Method::PATCH,
            &format!("/api/v1/accounts/{id}"),
            Some(json!({"roles": ["leader", "dispatcher"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["roles"], json!(["leader", "dispatcher"]));
    // The security admin cannot edit profiles; the system admin cannot create admins.
    let r = app
        .call(
            &security,
            Method::PATCH,
            &format!("/api/v1/accounts/{id}"),
            Some(json!({"display_name": "改名"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let app = TestApp::new().await;
    for path in ["/login", "/api/v1/me", "/healthz", "/no/such/page"] {
        let r = app.get(&Client::default(), path).await;
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert!(r.header("referrer-policy").is_some(), "{path}");
    }
}

#[tokio::test]
async fn account_lifecycle_and_audited_phone_reveal() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let town = app.unit_id("339901001").await;
    let r = app
        .call(
            &admin,
            Method::POST,
            "/api/v1/accounts",
            Some(json!({
                "username": "new_clerk", "display_name": "新受理员", "password": "Start!2026x",
                "org_unit_id": town, "roles": ["intake"], "phone": "+86 138-0013-8000"
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["phone"], "138****8000");
    // Exact phone search by blind index.
    let found = app
        .get(&admin, "/api/v1/accounts?phone=13800138000")
        .await
        .json();
    assert_eq!(found["total"], 1);
    // Reveal is audited.
    let p = app
        .get(&admin, &format!("/api/v1/accounts/{id}/phone"))
        .await;
    assert_eq!(p.json()["phone"], "13800138000");
    let auditor = app.login("auditor").await;
    let a = app
        .get(&auditor, "/api/v1/audit?action=account.phone_reveal")
        .await
        .json();
    assert_eq!(a["total"], 1);
    // The new user must change the initial password first.
    let (r, c) = app.login_password("new_clerk", "Start!2026x").await;
    assert_eq!(r.json()["stage"], "needs_password_change");
    assert_eq!(
        app.get(&c, "/api/v1/me").await.status,
        StatusCode::FORBIDDEN
    );
    let weak = app
        .call(
            &c,
            Method::POST,
            "/api/v1/me/password",
            Some(json!({"current_password": "Start!2026x", "new_password": "short"})),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak.json()["errors"][0]["field"], "new_password");
    let ok = app
        .call(
            &c,
            Method::POST,
            "/api/v1/me/password",
            Some(json!({"current_password": "Start!2026x", "new_password": "Better!2027y"})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.text());
    let (r, _) = app.login_password("new_clerk", "Better!2027y").await;
    assert_eq!(r.json()["stage"], "full");
    // Disable: sign-in refused, sessions gone.
    let r = app
        .call(
            &admin,
            Method::PATCH,
            &format!("/api/v1/accounts/{id}"),
            Some(json!({"status": "disabled"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let (r, _) = app.login_password("new_clerk", "Better!2027y").await;
    assert_eq!(r.json()["code"], "account_disabled");
    assert!(app.audit_chain_ok().await > 0);
}

#[tokio::test]
async fn security_admin_tightens_the_policy_and_it_applies_at_once() {
    let app = TestApp::new().await;
    let security = app.login("security").await;
    let admin = app.login("admin").await;
    assert_eq!(
        app.get(&admin, "/api/v1/security-policy").await.status,
        StatusCode::FORBIDDEN
    );
    let lax = json!({"max_failed_logins": 10, "lockout_minutes": 5, "idle_timeout_minutes": 60, "password_min_length": 6});
    let r = app
        .call(&security, Method::PUT, "/api/v1/security-policy", Some(lax))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"].as_array().map(Vec::len), Some(4));
    let strict = json!({"max_failed_logins": 3, "lockout_minutes": 60, "idle_timeout_minutes": 10, "password_min_length": 12});
    let r = app
        .call(
            &security,
            Method::PUT,
            "/api/v1/security-policy",
            Some(strict.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        app.get(&security, "/api/v1/security-policy").await.json(),
        strict
    );
    // Three failures now lock, for an hour.
    for _ in 0..2 {
        assert_eq!(
            app.login_password("mediator", "Wrong!pass1").await.0.json()["code"],
            "invalid_credentials"
        );
    }
    assert_eq!(
        app.login_password("mediator", "Wrong!pass1").await.0.json()["code"],
        "account_locked"
    );
    app.clock.advance(Duration::minutes(30));
    assert_eq!(
        app.login_password("mediator", PASSWORD).await.0.json()["code"],
        "account_locked"
    );
    // Ten idle minutes end a session.
    let c = app.login("leader").await;
    app.clock.advance(Duration::minutes(11));
    assert_eq!(
        app.get(&c, "/api/v1/me").await.json()["code"],
        "session_expired"
    );
    // New passwords need twelve characters.
    let admin = app.login("admin").await;
    let town = app.unit_id("339901001").await;
    let r = app
        .call(&admin, Method::POST, "/api/v1/accounts", Some(json!({
            "username": "short_pw", "display_name": "短密码", "password": "Abcdef12!", "org_unit_id": town, "roles": ["intake"]
        })))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "password");
    let auditor = app.login("auditor").await;
    assert_eq!(
        app.get(&auditor, "/api/v1/audit?action=security_policy.")
            .await
            .json()["total"],
        1
    );
}

#[tokio::test]
async fn a_totp_code_works_once() {
    let app = TestApp::new().await;
    let _ = app.login("auditor").await; // enrolls
    app.clock.advance(Duration::seconds(30));
    let (_, c1) = app.login_password("auditor", PASSWORD).await;
    let (_, c2) = app.login_password("auditor", PASSWORD).await;
    let code = app.current_totp("auditor");
    let ok = app
        .call(
            &c1,
            Method::POST,
            "/api/v1/auth/totp",
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let replay = app
        .call(
            &c2,
            Method::POST,
            "/api/v1/auth/totp",
            Some(json!({"code": code})),
        )
        .await;
    assert_eq!(replay.json()["code"], "totp_invalid");
}
