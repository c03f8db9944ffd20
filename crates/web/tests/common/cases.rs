//! Case helpers shared by the case tests: a valid intake body, registering, acting at the
//! current version, reading a case back (API and store), multipart bodies for attachments.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;
use zongzhi_core::role::Scope;
use zongzhi_store::CaseDetail;
use zongzhi_web::Config;

use super::{Client, Resp, TestApp};

/// The whole tree: for reads that check what the store holds, not what a user may see.
pub fn root() -> Scope {
    Scope::subtree(0, "/")
}

/// A valid 居民身份证号 (GB 11643's own example) and a valid mobile number.
pub const ID_CARD: &str = "11010519491231002X";
pub const PHONE: &str = "13812345678";

/// A minimal PNG (8-byte signature and an IHDR) and PDF, enough for content sniffing.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// One part of a multipart body: (name, file name, bytes).
pub type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

impl TestApp {
    /// A fresh app whose data directory (attachments) is a new temporary directory, kept
    /// until the returned guard is dropped.
    pub async fn with_temp_data_dir() -> (TestApp, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_owned(),
            ..Config::default()
        };
        (Self::with_config(config).await, dir)
    }

    /// A `multipart/form-data` request as `client`, with extra headers.
    pub async fn multipart(
        &self,
        client: &Client,
        path: &str,
        parts: &[Part<'_>],
        headers: &[(&str, &str)],
    ) -> Resp {
        let boundary = "zz-test-boundary-7f3a9c";
        let mut body = Vec::new();
        for (name, file_name, bytes) in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match file_name {
                Some(f) => body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                         Content-Type: application/octet-stream\r\n\r\n"
                    )
                    .as_bytes(),
                ),
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut b = Request::builder().method(Method::POST).uri(path).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
        if let Some(c) = &client.cookie {
            b = b.header(header::COOKIE, c);
        }
        if let Some(t) = &client.csrf {
            b = b.header("x-csrf-token", t);
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }

    /// A JSON POST with extra headers.
    pub async fn post_with_headers(
        &self,
        client: &Client,
        path: &str,
        body: Value,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut b = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(c) = &client.cookie {
            b = b.header(header::COOKIE, c);
        }
        if let Some(t) = &client.csrf {
            b = b.header("x-csrf-token", t);
        }
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        self.send(b.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// Registers a case as `client`, asserting 201; answers the case view.
    pub async fn register_case(&self, client: &Client, body: Value) -> Value {
        let r = self
            .call(client, Method::POST, "/api/v1/cases", Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "register: {}", r.text());
        r.json()
    }

    /// Registers a case as `client`, asserting 201; answers its id.
    pub async fn register_id(&self, client: &Client, body: Value) -> i64 {
        self.register_case(client, body).await["id"]
            .as_i64()
            .unwrap()
    }

    /// Registers `case` with `files` in one `multipart/form-data` intake request.
    pub async fn register_with_files(
        &self,
        client: &Client,
        case: &Value,
        files: &[Part<'_>],
    ) -> Resp {
        let case = case.to_string();
        let mut parts: Vec<Part<'_>> = vec![("case", None, case.as_bytes())];
        parts.extend_from_slice(files);
        self.multipart(client, "/api/v1/cases", &parts, &[]).await
    }

    /// `GET /api/v1/cases/{id}` as `client`, asserting 200; the case view.
    pub async fn case_json(&self, client: &Client, case_id: i64) -> Value {
        let r = self.get(client, &format!("/api/v1/cases/{case_id}")).await;
        assert_eq!(r.status, StatusCode::OK, "case {case_id}: {}", r.text());
        r.json()
    }

    /// The case with its events, from the store (whole tree).
    pub async fn case_detail(&self, case_id: i64) -> CaseDetail {
        self.state.store.get_case(&root(), case_id).await.unwrap()
    }

    /// Posts an action at the case's current version (read from the store, unscoped).
    pub async fn act(&self, client: &Client, case_id: i64, mut body: Value) -> Resp {
        body["version"] = Value::from(self.case_version(case_id).await);
        self.call(
            client,
            Method::POST,
            &format!("/api/v1/cases/{case_id}/actions"),
            Some(body),
        )
        .await
    }

    /// The case's current version, from the store (whole tree).
    pub async fn case_version(&self, case_id: i64) -> i64 {
        self.case_detail(case_id).await.case.version
    }

    /// How many cases exist at all.
    pub async fn case_count(&self) -> i64 {
        self.state
            .store
            .count_cases(&root(), &zongzhi_store::CaseFilter::default())
            .await
            .unwrap()
    }

    /// Id of the department named `name` (exact).
    pub async fn department_id(&self, name: &str) -> i64 {
        let f = zongzhi_store::DepartmentFilter {
            q: Some(name.to_owned()),
            ..Default::default()
        };
        let page = self
            .state
            .store
            .list_departments(&root(), &f)
            .await
            .unwrap();
        page.items.into_iter().find(|d| d.name == name).unwrap().id
    }

    /// Every regular file under the attachments directory (temp files included).
    pub fn attachment_files(&self) -> Vec<std::path::PathBuf> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            let Ok(rd) = std::fs::read_dir(dir) else {
                return;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.state.config.data_dir.join("attachments"), &mut out);
        out
    }
}

/// What the town dispatcher may do with a case waiting on its center (待分流).
pub fn triage_actions() -> Value {
    serde_json::json!([
        "route",
        "supervise",
        "urge",
        "escalate",
        "send_down",
        "merge",
        "triage_close"
    ])
}

/// A walk-in 邻里纠纷 at `org_unit_id` with one applicant (ID and phone).
pub fn walk_in_case(org_unit_id: i64) -> Value {
    serde_json::json!({
        "channel": "walk_in",
        "category_code": "D02-02",
        "urgency": "normal",
        "complexity": "simple",
        "title": "楼上装修噪声扰民",
        "description": "住户反映楼上邻居连续两周夜间装修，多次协商未果。",
        "address": "望江街道新华社区3幢",
        "org_unit_id": org_unit_id,
        "lat": 29.9,
        "lng": 119.7,
        "people_involved": 2,
        "amount_yuan": 1500.5,
        "parties": [
            {"name": "张三", "id_card_no": ID_CARD, "phone": PHONE, "role": "applicant"},
            {"name": "李四", "role": "respondent"}
        ]
    })
}
