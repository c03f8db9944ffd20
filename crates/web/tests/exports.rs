//! Background exports (台账导出): request → worker step in process → download → read back
//! with calamine; scope, ownership, bad input, reports as PDF/XLSX, and the console page.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "exports/console.rs"]
mod console;
#[path = "exports/worker.rs"]
mod worker;

use std::io::Cursor;

use axum::http::{Method, StatusCode};
use calamine::{Data, DataType, Reader, Xlsx};
use chrono::Utc;
use common::{Client, ID_CARD, PHONE, Resp, TestApp, form, root, walk_in_case};
use serde_json::{Value, json};
use zongzhi_core::account::AccountStatus;
use zongzhi_core::audit::{AuditOutcome, NewAuditEntry};
use zongzhi_store::{AccountPatch, AuditFilter};
use zongzhi_web::exports::run_once;

const LEDGER_HEADERS: [&str; 19] = [
    "序号",
    "登记编号(一案一码)",
    "登记日期",
    "来源渠道",
    "事件类别",
    "纠纷简要情况",
    "当事人",
    "涉及人数",
    "涉及金额(元)",
    "发生地点",
    "属地",
    "责任单位/主办部门",
    "办理状态",
    "化解结果",
    "是否按期",
    "办结日期",
    "回访满意度",
    "督办情况",
    "备注",
];

/// Town 1 (望江街道) has villages 1 and 2; town 2 is a sibling; all in county 1 (东湖区).
const VILLAGE1: &str = "339901001001";
const VILLAGE2: &str = "339901001002";
const TOWN2_VILLAGE: &str = "339901002001";

struct World {
    app: TestApp,
    _dir: tempfile::TempDir,
}

/// Two cases in village 1, one in village 2 (town 1), one in town 2.
async fn world() -> World {
    let (app, dir) = TestApp::with_temp_data_dir().await;
    let town = app.login("town_intake").await;
    for code in [VILLAGE1, VILLAGE1, VILLAGE2] {
        let unit = app.unit_id(code).await;
        app.register_id(&town, walk_in_case(unit)).await;
    }
    let town2 = app.login("town2_intake").await;
    let unit = app.unit_id(TOWN2_VILLAGE).await;
    app.register_id(&town2, walk_in_case(unit)).await;
    World { app, _dir: dir }
}

async fn post_export(app: &TestApp, c: &Client, body: Value) -> Resp {
    app.call(c, Method::POST, "/api/v1/exports", Some(body))
        .await
}

/// Requests an export, runs the worker until it is done, answers the job view.
async fn export_done(app: &TestApp, c: &Client, body: Value) -> Value {
    let r = post_export(app, c, body).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    assert_eq!(r.json()["status"], "queued");
    assert_eq!(
        r.header("location").as_deref(),
        Some(format!("/api/v1/exports/{id}").as_str())
    );
    assert_eq!(run_once(&app.state).await.unwrap(), Some(id));
    let v = app.get(c, &format!("/api/v1/exports/{id}")).await;
    assert_eq!(v.status, StatusCode::OK);
    let v = v.json();
    assert_eq!(v["status"], "done", "{v}");
    assert_eq!(v["progress"], 100);
    assert_eq!(
        v["download_url"],
        format!("/api/v1/exports/{id}/download").as_str()
    );
    v
}

async fn download(app: &TestApp, c: &Client, job: &Value) -> Resp {
    app.get(c, job["download_url"].as_str().unwrap()).await
}

/// The first sheet's cells, row by row.
fn sheet(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

#[tokio::test]
async fn ledger_round_trips_in_scope() {
    let w = world().await;
    let app = &w.app;
    let c = app.login("town_dispatcher").await;
    let job = export_done(app, &c, json!({"kind": "ledger"})).await;
    assert_eq!(job["total_rows"], 3);
    assert_eq!(job["rows_written"], 3);
    let r = download(app, &c, &job).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with(b"PK"), "xlsx is a zip");
    let cd = r.header("content-disposition").unwrap();
    let today = zongzhi_core::calendar::local_day(app.clock_now());
    let name = format!(
        "矛盾纠纷排查化解台账_望江街道_截至{}.xlsx",
        today.format("%Y%m%d")
    );
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    assert!(cd.contains(&format!("filename*=UTF-8''{encoded}")), "{cd}");
    assert_eq!(job["file_name"], name.as_str());
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );

    let rows = sheet(&r.body);
    assert!(text(&rows[0][0]).starts_with("矛盾纠纷排查化解台账（望江街道"));
    let headers: Vec<String> = rows[1].iter().map(text).collect();
    assert_eq!(headers, LEDGER_HEADERS);
    let data = &rows[2..];
    assert_eq!(data.len(), 3, "the three cases of town 1");
    for (i, row) in data.iter().enumerate() {
        assert_eq!(row[0].as_i64(), Some(i as i64 + 1), "序号");
        assert!(text(&row[1]).starts_with("ZZ"), "tracking number");
        assert!(
            matches!(row[2], Data::DateTime(_)),
            "登记日期 is a date: {:?}",
            row[2]
        );
        assert_eq!(text(&row[3]), "来访");
        assert!(text(&row[5]).starts_with("楼上装修噪声扰民："));
        assert_eq!(text(&row[6]), "张三(138****5678)、李四");
        assert_eq!(row[7].as_i64(), Some(2));
        assert_eq!(row[8].as_f64(), Some(1500.5));
        assert_eq!(text(&row[12]), "待分流");
    }
    // Nothing personal in clear, anywhere in the sheet.
    for row in &rows {
        for cell in row {
            let t = text(cell);
            assert!(!t.contains(PHONE) && !t.contains(ID_CARD), "{t}");
        }
    }
    // Both steps are audited, without personal data.
    let audit = app
        .state
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some("export.".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .items;
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert!(actions.contains(&"export.create") && actions.contains(&"export.download"));
    assert!(audit.iter().all(|a| a.actor_username == "town_dispatcher"));
    let create = audit.iter().find(|a| a.action == "export.create").unwrap();
    assert!(
        create.detail.contains("\"kind\":\"ledger\""),
        "{}",
        create.detail
    );
    assert_eq!(
        create.target_id.as_deref(),
        Some(job["id"].to_string().as_str())
    );
    app.audit_chain_ok().await;

    // The list is mine, newest first.
    let list = app.get(&c, "/api/v1/exports").await.json();
    assert_eq!(list[0]["id"], job["id"]);
}

#[tokio::test]
async fn only_the_owner_sees_and_downloads() {
    let w = world().await;
    let app = &w.app;
    let c = app.login("town_dispatcher").await;
    let job = export_done(app, &c, json!({"kind": "cases"})).await;
    let id = job["id"].as_i64().unwrap();
    let other = app.login("county_dispatcher").await;
    for path in [
        format!("/api/v1/exports/{id}"),
        format!("/api/v1/exports/{id}/download"),
    ] {
        let r = app.get(&other, &path).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
    }
    let list = app.get(&other, "/api/v1/exports").await;
    assert_eq!(list.json(), json!([]));
    // No permission at all: a grid worker.
    let grid = app.login("grid_worker").await;
    let r = post_export(app, &grid, json!({"kind": "ledger"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The case list: its own columns, dates as dates.
    let rows = sheet(&download(app, &c, &job).await.body);
    let headers: Vec<String> = rows[1].iter().map(text).collect();
    assert_eq!(
        headers,
        [
            "编号",
            "标题",
            "类别",
            "渠道",
            "状态",
            "属地",
            "主办",
            "登记时间",
            "期限",
            "预警/超期",
            "督办"
        ]
    );
    assert_eq!(rows.len() - 2, 3);
    assert!(matches!(rows[2][7], Data::DateTime(_)));
}

#[tokio::test]
async fn a_village_ledger_holds_only_its_village() {
    let w = world().await;
    let app = &w.app;
    let c = app.login("village_worker").await;
    let job = export_done(app, &c, json!({"kind": "ledger"})).await;
    let rows = sheet(&download(app, &c, &job).await.body);
    let data = &rows[2..];
    assert_eq!(data.len(), 2);
    let village = app
        .state
        .store
        .get_org_unit(&root(), app.unit_id(VILLAGE1).await)
        .await
        .unwrap();
    assert!(data.iter().all(|r| text(&r[10]) == village.name));
    // Town 1's other village is outside the village worker's scope: 404, not an empty file.
    let v2 = app.unit_id(VILLAGE2).await;
    let r = post_export(app, &c, json!({"kind": "ledger", "org_unit": v2})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The county sees all four.
    let county = app.login("county_dispatcher").await;
    let job = export_done(app, &county, json!({"kind": "ledger"})).await;
    assert_eq!(job["rows_written"], 4);
}

#[tokio::test]
async fn bad_requests_are_422() {
    let w = world().await;
    let app = &w.app;
    let c = app.login("town_dispatcher").await;
    let cases: [(Value, &str, &str); 7] = [
        (
            json!({"kind": "ledger", "from": "2001-01-01", "to": "2001-01-31"}),
            "export_empty",
            "",
        ),
        (
            json!({"kind": "ledger", "category": "D99"}),
            "validation_failed",
            "category",
        ),
        (json!({"kind": "census"}), "validation_failed", "kind"),
        (
            json!({"kind": "ledger", "format": "csv"}),
            "validation_failed",
            "format",
        ),
        (
            json!({"kind": "ledger", "format": "pdf"}),
            "unsupported_format",
            "format",
        ),
        (
            json!({"kind": "cases", "from": "2026-11-22", "to": "2026-11-01"}),
            "invalid_period",
            "to",
        ),
        (
            json!({"kind": "weekly", "to": "2026-13-01"}),
            "invalid_period",
            "to",
        ),
    ];
    for (body, code, field) in cases {
        let r = post_export(app, &c, body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text()
        );
        let p = r.json();
        assert_eq!(p["code"], code, "{body}: {p}");
        if !field.is_empty() {
            assert_eq!(p["errors"][0]["field"], field, "{p}");
            assert!(
                p["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .chars()
                    .any(|c| c > '\u{2e80}')
            );
        }
    }
    // Too long a period.
    let r = post_export(
        app,
        &c,
        json!({"kind": "ledger", "from": "2001-01-01", "to": "2026-01-01"}),
    )
    .await;
    assert_eq!(r.json()["code"], "invalid_period");
    // Nothing was queued.
    assert_eq!(app.get(&c, "/api/v1/exports").await.json(), json!([]));
    assert_eq!(run_once(&app.state).await.unwrap(), None);
}

#[tokio::test]
async fn reports_render_as_pdf_and_xlsx() {
    let w = world().await;
    let app = &w.app;
    let c = app.login("county_dispatcher").await;
    let today = zongzhi_core::calendar::local_day(app.clock_now()).to_string();
    for (kind, period) in [
        ("daily", json!({"from": today})),
        ("weekly", json!({"to": today})),
        ("monthly", json!({"from": today})),
    ] {
        let mut body = json!({"kind": kind, "format": "pdf"});
        body.as_object_mut()
            .unwrap()
            .extend(period.as_object().unwrap().clone());
        let job = export_done(app, &c, body.clone()).await;
        let r = download(app, &c, &job).await;
        assert!(r.body.starts_with(b"%PDF"), "{kind}");
        assert_eq!(r.header("content-type").as_deref(), Some("application/pdf"));
        assert!(job["file_name"].as_str().unwrap().ends_with(".pdf"));

        body["format"] = json!("xlsx");
        let job = export_done(app, &c, body).await;
        let r = download(app, &c, &job).await;
        let rows = sheet(&r.body);
        let all: String = rows
            .iter()
            .flatten()
            .map(text)
            .collect::<Vec<_>>()
            .join("|");
        assert!(all.contains("东湖区综治中心"), "{kind}: {all}");
        assert!(all.contains("受理量"), "{kind}");
    }
    // A daily report where nothing was ever on record: empty.
    let r = post_export(app, &c, json!({"kind": "daily", "from": "2001-01-01"})).await;
    assert_eq!(r.json()["code"], "export_empty");
}

#[tokio::test]
async fn a_disabled_requester_fails_the_job() {
    let w = world().await;
    let app = &w.app;
    let c = app.login("town_dispatcher").await;
    let r = post_export(app, &c, json!({"kind": "ledger"})).await;
    let id = r.json()["id"].as_i64().unwrap();
    let account = app
        .state
        .store
        .find_login("town_dispatcher")
        .await
        .unwrap()
        .unwrap()
        .account;
    let patch = AccountPatch {
        status: Some(AccountStatus::Disabled),
        ..Default::default()
    };
    let audit =
        NewAuditEntry::new("account.update", "account", AuditOutcome::Success).by(None, "test");
    app.state
        .store
        .update_account(&root(), account.id, patch, audit)
        .await
        .unwrap();
    assert_eq!(run_once(&app.state).await.unwrap(), Some(id));
    let job = app
        .state
        .store
        .get_export_job(account.id, id)
        .await
        .unwrap();
    assert_eq!(job.error.as_deref(), Some("scope_lost"));
    assert_eq!(job.status, zongzhi_store::ExportStatus::Failed);
    assert!(job.file_name.is_none());
    // Nothing left behind in the exports directory.
    let dir = app.state.config.data_dir.join("exports");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

impl TestAppExt for TestApp {
    fn clock_now(&self) -> chrono::DateTime<Utc> {
        zongzhi_core::clock::Clock::now(self.clock.as_ref())
    }
}

trait TestAppExt {
    fn clock_now(&self) -> chrono::DateTime<Utc>;
}
