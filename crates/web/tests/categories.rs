//! The category code table: `/api/v1/categories` and the `/admin/categories` console page.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, Resp, TestApp, form};
use serde_json::{Value, json};
use zongzhi_core::audit::AuditEntry;
use zongzhi_core::case::category::SEED;
use zongzhi_store::AuditFilter;

async fn list(app: &TestApp, c: &Client, query: &str) -> Resp {
    app.get(c, &format!("/api/v1/categories{query}")).await
}

fn codes(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .collect()
}

async fn post(app: &TestApp, c: &Client, body: Value) -> Resp {
    app.call(c, Method::POST, "/api/v1/categories", Some(body))
        .await
}

async fn patch(app: &TestApp, c: &Client, code: &str, body: Value) -> Resp {
    app.call(
        c,
        Method::PATCH,
        &format!("/api/v1/categories/{code}"),
        Some(body),
    )
    .await
}

async fn audit_total(app: &TestApp) -> i64 {
    app.state
        .store
        .count_audit(&AuditFilter::default())
        .await
        .unwrap()
}

/// Audit rows whose action starts with `prefix`, newest first.
async fn audit_rows(app: &TestApp, prefix: &str) -> Vec<AuditEntry> {
    let f = AuditFilter {
        action_prefix: Some(prefix.to_owned()),
        limit: Some(500),
        ..AuditFilter::default()
    };
    app.state.store.list_audit(&f).await.unwrap().items
}

/// The field errors of a problem as `(field, code)`.
fn field_errors(r: &Resp) -> Vec<(String, String)> {
    r.json()["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    let msg = e["message"].as_str().unwrap();
                    assert!(
                        msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                        "message in Chinese: {msg}"
                    );
                    (
                        e["field"].as_str().unwrap().to_owned(),
                        e["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn seeded_and_listed_for_case_workers() {
    let app = TestApp::new().await;
    assert_eq!(audit_rows(&app, "category.seed").await.len(), 1);
    let intake = app.login("town_intake").await;
    let r = list(&app, &intake, "").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    let expected: Vec<&str> = SEED.iter().map(|c| c.code).collect();
    assert_eq!(codes(&v), expected);
    assert_eq!(
        v[0],
        json!({"code": "D01", "name": "婚姻家庭", "parent_code": null, "kind": "dispute",
               "active": true, "sort_order": 10})
    );
    assert_eq!(v[1]["code"], "D01-01");
    assert_eq!(v[1]["parent_code"], "D01");
    let q = v.as_array().unwrap().last().unwrap();
    assert_eq!(
        (q["code"].as_str(), q["kind"].as_str()),
        (Some("Q05"), Some("demand"))
    );

    // Deactivated rows are for the administrator only.
    let r = list(&app, &intake, "?include_inactive=true").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = list(&app, &intake, "?include_inactive=maybe").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        list(&app, &Client::default(), "").await.status,
        StatusCode::UNAUTHORIZED
    );
    for user in ["leader", "dept_handler", "grid_worker"] {
        let c = app.login(user).await;
        assert_eq!(list(&app, &c, "").await.status, StatusCode::OK, "{user}");
    }
    // Running the reference seeding again changes nothing.
    let before = audit_total(&app).await;
    assert_eq!(
        zongzhi_web::reference::ensure_reference_data(&app.state)
            .await
            .unwrap(),
        0
    );
    assert_eq!(audit_total(&app).await, before);
}

#[tokio::test]
async fn admin_creates_renames_and_deactivates() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let intake = app.login("town_intake").await;

    let before = audit_total(&app).await;
    let r = post(
        &app,
        &admin,
        json!({"code": "D01-05", "name": " 彩礼纠纷 ", "parent_code": "D01"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    assert_eq!(
        (
            &v["code"],
            &v["name"],
            &v["parent_code"],
            &v["kind"],
            &v["active"]
        ),
        (
            &json!("D01-05"),
            &json!("彩礼纠纷"),
            &json!("D01"),
            &json!("dispute"),
            &json!(true)
        )
    );
    assert_eq!(audit_total(&app).await, before + 1);
    let row = &audit_rows(&app, "category.create").await[0];
    assert_eq!(row.actor_username, "admin");
    assert_eq!(row.target_type, "category");
    assert_eq!(row.target_id.as_deref(), Some("D01-05"));
    assert!(row.detail.contains("彩礼纠纷"), "{}", row.detail);

    let r = post(
        &app,
        &admin,
        json!({"code": "Q06", "name": "意见征集", "kind": "demand", "sort_order": 5}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let listed = codes(&list(&app, &intake, "").await.json());
    assert_eq!(listed[0], "Q06");
    assert_eq!(listed.last().map(String::as_str), Some("D01-05"));

    let r = patch(&app, &admin, "D01-05", json!({"name": "婚约财产"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["name"], "婚约财产");
    let r = patch(&app, &admin, "D01-05", json!({"active": false})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["active"], false);
    assert_eq!(r.json()["name"], "婚约财产");
    assert_eq!(audit_total(&app).await, before + 4);
    let updates = audit_rows(&app, "category.update").await;
    assert_eq!(updates.len(), 2);
    assert!(
        updates
            .iter()
            .all(|u| u.target_id.as_deref() == Some("D01-05") && u.actor_username == "admin")
    );

    let active = codes(&list(&app, &intake, "").await.json());
    assert!(!active.contains(&"D01-05".to_owned()));
    let all = codes(&list(&app, &admin, "?include_inactive=true").await.json());
    assert!(all.contains(&"D01-05".to_owned()));
    // Deactivating a first-level row hides its children from case workers.
    let r = patch(&app, &admin, "D02", json!({"active": false})).await;
    assert_eq!(r.status, StatusCode::OK);
    let active = codes(&list(&app, &intake, "").await.json());
    assert!(active.iter().all(|c| !c.starts_with("D02")), "{active:?}");
    // A deactivated code is still taken.
    let r = post(
        &app,
        &admin,
        json!({"code": "D01-05", "name": "再用", "parent_code": "D01"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["code"], "category_code_taken");
    assert!(app.audit_chain_ok().await > 0);
}

#[tokio::test]
async fn only_the_top_system_admin_writes() {
    let app = TestApp::new().await;
    let body = json!({"code": "D21", "name": "新类", "kind": "dispute"});
    for user in [
        "leader",
        "auditor",
        "town_intake",
        "security",
        "county_admin",
    ] {
        let c = app.login(user).await;
        let r = post(&app, &c, body.clone()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user} POST");
        let r = patch(&app, &c, "D01", json!({"active": false})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user} PATCH");
    }
    // The auditor and the security admin do not classify cases.
    for user in ["auditor", "security"] {
        let c = app.login(user).await;
        assert_eq!(
            list(&app, &c, "").await.status,
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
    // The county's system admin reads the whole table, deactivated rows included.
    let county = app.login("county_admin").await;
    let r = list(&app, &county, "?include_inactive=true").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(audit_rows(&app, "category.create").await.is_empty());
    assert!(audit_rows(&app, "category.update").await.is_empty());
    let admin = app.login("admin").await;
    let r = list(&app, &admin, "").await;
    assert!(codes(&r.json()).iter().all(|c| c != "D21"));
    assert!(app.state.store.get_category("D01").await.unwrap().active);
}

#[tokio::test]
async fn bad_input_is_422_with_chinese_field_errors() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let before = audit_rows(&app, "category.").await.len();
    let cases: Vec<(Value, Vec<(&str, &str)>)> = vec![
        (
            json!({"code": "d21", "name": "", "kind": "dispute"}),
            vec![("code", "category_code_invalid"), ("name", "name_invalid")],
        ),
        (
            json!({"code": "D1", "name": "x", "kind": "dispute"}),
            vec![("code", "category_code_invalid")],
        ),
        (
            json!({"code": "D01-5", "name": "x", "parent_code": "D01"}),
            vec![("code", "category_code_invalid")],
        ),
        (
            json!({"code": "D211", "name": "纠".repeat(33), "kind": "dispute"}),
            vec![("code", "category_code_invalid"), ("name", "name_invalid")],
        ),
        (
            json!({"code": "D21-01", "name": "x", "kind": "dispute"}),
            vec![("code", "category_code_level")],
        ),
        (
            json!({"code": "D02-09", "name": "x", "parent_code": "D01"}),
            vec![("code", "category_code_level")],
        ),
        (
            json!({"code": "D21", "name": "x"}),
            vec![("kind", "category_kind_required")],
        ),
        (
            json!({"code": "D21", "name": "x", "kind": "other"}),
            vec![("kind", "category_kind_invalid")],
        ),
        (
            json!({"code": "D21", "name": "x", "kind": "dispute", "sort_order": -1}),
            vec![("sort_order", "sort_order_invalid")],
        ),
        (
            json!({"code": "D01-01-01", "name": "x", "parent_code": "D01-01"}),
            vec![
                ("parent_code", "parent_invalid"),
                ("code", "category_code_invalid"),
            ],
        ),
        (
            json!({"code": "D77-01", "name": "x", "parent_code": "D77"}),
            vec![("parent_code", "invalid_reference")],
        ),
        (
            json!({"code": "D77-01", "name": "x", "parent_code": "D77", "kind": "dispute"}),
            vec![("parent_code", "invalid_reference")],
        ),
        (
            json!({"code": "Q01-01", "name": "x", "parent_code": "Q01", "kind": "dispute"}),
            vec![("kind", "category_kind_mismatch")],
        ),
    ];
    for (body, expected) in cases {
        let r = post(&app, &admin, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text()
        );
        assert_eq!(r.json()["code"], "validation_failed", "{body}");
        let mut got = field_errors(&r);
        got.sort();
        let mut want: Vec<(String, String)> = expected
            .iter()
            .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
            .collect();
        want.sort();
        assert_eq!(got, want, "{body}");
    }
    let r = post(
        &app,
        &admin,
        json!({"code": "D01", "name": "重复", "kind": "dispute"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["code"], "category_code_taken");
    let r = post(&app, &admin, json!({"code": 5, "name": "x"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "invalid_body");

    let r = patch(&app, &admin, "D01", json!({"name": " "})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&r),
        [("name".to_owned(), "name_invalid".to_owned())]
    );
    let r = patch(&app, &admin, "D01", json!({"sort_order": 1_000_000})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = patch(&app, &admin, "D01", json!({"active": "no"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = patch(&app, &admin, "D99", json!({"active": false})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Nothing was written, and no category audit row appended.
    assert_eq!(audit_rows(&app, "category.").await.len(), before);
    let d01 = app.state.store.get_category("D01").await.unwrap();
    assert_eq!((d01.name.as_str(), d01.active), ("婚姻家庭", true));
    assert_eq!(
        app.state.store.list_categories(true).await.unwrap().len(),
        SEED.len()
    );
}

#[tokio::test]
async fn console_page_groups_and_edits() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let r = app.get(&admin, "/admin/categories").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains(r#"data-menu="categories""#));
    assert!(html.contains("id=\"category-create\""));
    assert!(html.contains(r#"name="csrf_token""#));
    // Grouped: D01, its children, then D02.
    let pos = |code: &str| html.find(&format!("id=\"cat-{code}\"")).unwrap();
    assert!(pos("D01") < pos("D01-01") && pos("D01-04") < pos("D02"));
    assert!(html.contains(r#"class="cat-child""#));

    // Create: success redirects and is audited once.
    let before = audit_total(&app).await;
    let r = form(
        &app,
        &admin,
        "/admin/categories",
        &[
            ("code", "D03-05"),
            ("name", "宅基地确权"),
            ("parent_code", "D03"),
            ("kind", ""),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("/admin/categories?notice=created")
    );
    assert_eq!(audit_total(&app).await, before + 1);
    assert_eq!(
        app.state.store.get_category("D03-05").await.unwrap().name,
        "宅基地确权"
    );
    // Bad input re-renders with errors beside the fields, and audits the refusal only.
    let r = form(
        &app,
        &admin,
        "/admin/categories",
        &[
            ("code", "D03-05"),
            ("name", "重复"),
            ("parent_code", "D03"),
            ("kind", ""),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("该分类代码已被使用"), "{}", r.text());
    let r = form(
        &app,
        &admin,
        "/admin/categories",
        &[
            ("code", "x"),
            ("name", ""),
            ("parent_code", ""),
            ("kind", ""),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("field-error"));
    assert!(html.contains("名称须为1至32个字符"));
    assert!(html.contains("请选择类型"));
    assert!(html.contains(r#"value="x""#), "the typed code is kept");

    // Rename and 停用/启用.
    let r = form(
        &app,
        &admin,
        "/admin/categories/D03-05",
        &[("name", "确权")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = form(&app, &admin, "/admin/categories/D03-05", &[("name", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("名称须为1至32个字符"));
    let r = form(
        &app,
        &admin,
        "/admin/categories/D03-05/status",
        &[("active", "false")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.header("location").unwrap().contains("notice=disabled"));
    let c = app.state.store.get_category("D03-05").await.unwrap();
    assert_eq!((c.name.as_str(), c.active), ("确权", false));
    let r = app.get(&admin, "/admin/categories?notice=disabled").await;
    assert!(r.text().contains("已停用"));
    let r = form(
        &app,
        &admin,
        "/admin/categories/D03-05/status",
        &[("active", "true")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(app.state.store.get_category("D03-05").await.unwrap().active);
    let r = form(
        &app,
        &admin,
        "/admin/categories/D98/status",
        &[("active", "true")],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let writes = audit_rows(&app, "category.").await;
    assert_eq!(
        writes.len(),
        1 + 1 + 1 + 2,
        "seed, create, rename, two toggles"
    );

    // Without the CSRF field nothing happens.
    let stale = Client {
        csrf: Some("wrong".to_owned()),
        ..admin.clone()
    };
    let r = form(
        &app,
        &stale,
        "/admin/categories/D01/status",
        &[("active", "false")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(app.state.store.get_category("D01").await.unwrap().active);

    // Case workers see the active table read-only and no menu entry; others are refused.
    let intake = app.login("town_intake").await;
    let r = app.get(&intake, "/admin/categories").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(!html.contains(r#"data-menu="categories""#));
    assert!(!html.contains("category-create") && !html.contains("status-form"));
    assert!(html.contains("婚姻家庭"));
    let r = form(
        &app,
        &intake,
        "/admin/categories/D01/status",
        &[("active", "false")],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let auditor = app.login("auditor").await;
    assert_eq!(
        app.get(&auditor, "/admin/categories").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(app.audit_chain_ok().await > 0);
}
