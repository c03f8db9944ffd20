//! `TestApp`: the real router in process on a fresh database (SQLite by default, a fresh
//! PostgreSQL schema when `ZONGZHI_TEST_POSTGRES_URL` is set), seeded with the demo
//! jurisdiction.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::any::Any;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::Utc;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use zongzhi_core::clock::ManualClock;
use zongzhi_crypto::{Algorithm, BlindIndex, FieldCipher, Keys};
use zongzhi_store::Store;
use zongzhi_web::{AppState, Config};

pub mod cases;

// Each test binary uses a different part of these.
#[allow(unused_imports)]
pub use cases::{ID_CARD, PDF, PHONE, PNG, Part, root, triage_actions, walk_in_case};

/// Password of every demo account in tests.
pub const PASSWORD: &str = "Demo!2026pass";

/// A running app on its own database.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    /// TOTP secrets of accounts enrolled so far, by username.
    secrets: std::sync::Mutex<std::collections::HashMap<String, String>>,
    _guard: Box<dyn Any + Send>,
}

/// A signed-in client: its cookie and CSRF token.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

async fn open_store() -> (Arc<dyn Store>, Box<dyn Any + Send>) {
    match std::env::var("ZONGZHI_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => {
            let s = zongzhi_store_postgres::PgStore::connect_fresh_schema(&url)
                .await
                .unwrap();
            (Arc::new(s), Box::new(()))
        }
        _ => {
            let (s, guard) = zongzhi_store_sqlite::SqliteStore::open_temp()
                .await
                .unwrap();
            (Arc::new(s), Box::new(guard))
        }
    }
}

impl TestApp {
    /// A fresh app with the demo jurisdiction.
    pub async fn new() -> TestApp {
        Self::with_config(Config::default()).await
    }

    /// A fresh app with `config`.
    pub async fn with_config(mut config: Config) -> TestApp {
        // No demo case history (20,000 cases by default): tests make the cases they need,
        // and tests/demo_cases.rs calls the generator itself.
        config.demo.cases = 0;
        let (store, guard) = open_store().await;
        store.migrate().await.unwrap();
        let keys = Keys::generate();
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let state = AppState {
            store,
            cipher: FieldCipher::new(Algorithm::Sm4Gcm, &keys),
            index: BlindIndex::new(&keys),
            clock: clock.clone(),
            config: Arc::new(config),
        };
        zongzhi_web::demo::seed_if_empty(&state, Some(PASSWORD))
            .await
            .unwrap();
        TestApp {
            router: zongzhi_web::router(state.clone()),
            state,
            clock,
            secrets: Default::default(),
            _guard: guard,
        }
    }

    /// Sends a request.
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Resp {
            status,
            headers,
            body,
        }
    }

    /// A JSON request as `client` (CSRF header added for state-changing methods).
    pub async fn call(
        &self,
        client: &Client,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Resp {
        let mut b = Request::builder().method(method.clone()).uri(path);
        if let Some(c) = &client.cookie {
            b = b.header(header::COOKIE, c);
        }
        if method != Method::GET
            && let Some(t) = &client.csrf
        {
            b = b.header("x-csrf-token", t);
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    pub async fn get(&self, client: &Client, path: &str) -> Resp {
        self.call(client, Method::GET, path, None).await
    }

    /// Signs in with a password only (the session may still need TOTP).
    pub async fn login_password(&self, username: &str, password: &str) -> (Resp, Client) {
        let r = self
            .call(
                &Client::default(),
                Method::POST,
                "/api/v1/auth/login",
                Some(serde_json::json!({"username": username, "password": password})),
            )
            .await;
        let cookie = r
            .header("set-cookie")
            .map(|c| c.split(';').next().unwrap_or("").to_owned());
        let csrf = r.json()["csrf_token"].as_str().map(str::to_owned);
        (r, Client { cookie, csrf })
    }

    /// Signs in fully, enrolling or answering TOTP for admin roles.
    pub async fn login(&self, username: &str) -> Client {
        let (r, client) = self.login_password(username, PASSWORD).await;
        assert_eq!(r.status, StatusCode::OK, "login {username}: {}", r.text());
        match r.json()["stage"].as_str() {
            Some("full") => client,
            Some("needs_enrollment") => {
                let e = self.get(&client, "/api/v1/auth/totp/enrollment").await;
                assert_eq!(e.status, StatusCode::OK, "{}", e.text());
                let secret = e.json()["secret"].as_str().unwrap().to_owned();
                self.secrets
                    .lock()
                    .unwrap()
                    .insert(username.to_owned(), secret.clone());
                let v = self
                    .call(
                        &client,
                        Method::POST,
                        "/api/v1/auth/totp",
                        Some(serde_json::json!({"code": totp_now(&secret, self)})),
                    )
                    .await;
                assert_eq!(v.status, StatusCode::OK, "{}", v.text());
                client
            }
            Some("needs_totp") => {
                // Each time step signs in once (replay protection): wait for the next one.
                self.clock.advance(chrono::Duration::seconds(30));
                let secret = self
                    .secrets
                    .lock()
                    .unwrap()
                    .get(username)
                    .cloned()
                    .expect("enrolled in this test");
                let v = self
                    .call(
                        &client,
                        Method::POST,
                        "/api/v1/auth/totp",
                        Some(serde_json::json!({"code": totp_now(&secret, self)})),
                    )
                    .await;
                assert_eq!(v.status, StatusCode::OK, "{}", v.text());
                client
            }
            other => panic!("unexpected stage {other:?}"),
        }
    }

    /// The current TOTP code of an account enrolled in this test.
    pub fn current_totp(&self, username: &str) -> String {
        let secret = self
            .secrets
            .lock()
            .unwrap()
            .get(username)
            .cloned()
            .expect("enrolled");
        totp_now(&secret, self)
    }

    /// Verifies the audit chain from the store.
    pub async fn audit_chain_ok(&self) -> i64 {
        let mut v = zongzhi_core::audit::ChainVerifier::default();
        let mut after = 0;
        loop {
            let rows = self.state.store.audit_chain(after, 1000).await.unwrap();
            let Some(last) = rows.last() else { break };
            after = last.seq;
            for e in &rows {
                v.check(e).unwrap();
            }
        }
        v.verified()
    }

    /// Id of the org unit with `code`.
    pub async fn unit_id(&self, code: &str) -> i64 {
        let f = zongzhi_store::OrgUnitFilter {
            q: Some(code.to_owned()),
            ..Default::default()
        };
        let page = self.state.store.list_org_units(&root(), &f).await.unwrap();
        page.items.into_iter().find(|u| u.code == code).unwrap().id
    }
}

/// The TOTP code for `secret` at the app's clock.
pub fn totp_now(secret: &str, app: &TestApp) -> String {
    use totp_rs::{Algorithm, Builder, Secret};
    let bytes = Secret::try_from_base32(secret).unwrap();
    let t = Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_secret(bytes.as_bytes().to_vec())
        .with_account_name("x".to_owned())
        .build()
        .unwrap();
    let now =
        u64::try_from(zongzhi_core::clock::Clock::now(app.clock.as_ref()).timestamp()).unwrap();
    t.generate(now).to_string()
}

/// A console form post (urlencoded, with the CSRF field), as a browser sends it.
pub async fn form(app: &TestApp, c: &Client, path: &str, pairs: &[(&str, &str)]) -> Resp {
    let mut all = vec![("csrf_token", c.csrf.as_deref().unwrap_or(""))];
    all.extend_from_slice(pairs);
    let body = serde_urlencoded::to_string(&all).unwrap();
    let req = Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, c.cookie.as_deref().unwrap_or(""))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    app.send(req).await
}
