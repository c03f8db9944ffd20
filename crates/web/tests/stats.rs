//! `/api/v1/stats/*`: figures over cases written through the API equal hand-computed
//! values, in the caller's scope; bad input is a clear 4xx; the cases behind each figure
//! are listed by `GET /api/v1/cases?metric=…` with the same count.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use axum::http::StatusCode;
use serde_json::{Value, json};

use common::cases::walk_in_case;
use common::{Client, TestApp};

/// One case registered by the town clerk at `village`, then taken through `steps` (each
/// `(who, body)`), answering its id.
async fn case_with(app: &TestApp, village: i64, steps: &[(&Client, Value)]) -> i64 {
    let clerk = app.login("town_intake").await;
    let id = app.register_id(&clerk, walk_in_case(village)).await;
    for (who, body) in steps {
        let r = app.act(who, id, body.clone()).await;
        assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text());
    }
    id
}

fn get_json(r: common::Resp) -> Value {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

/// Three cases at one village: one settled at the window, one taken to a satisfied
/// follow-up, one waiting for triage.
async fn three_cases(app: &TestApp) -> (i64, i64) {
    let disp = app.login("town_dispatcher").await;
    let handler = app.login("dept_handler").await;
    let village = app.unit_id("339901001001").await;
    let police = app.department_id("东湖区公安局").await;
    case_with(
        app,
        village,
        &[(
            &disp,
            json!({"action": "triage_close", "outcome": "mediated", "note": "当场调解成功"}),
        )],
    )
    .await;
    case_with(
        app,
        village,
        &[
            (&disp, json!({"action": "route", "department_id": police})),
            (&handler, json!({"action": "accept"})),
            (
                &handler,
                json!({"action": "resolve", "outcome": "partially_resolved", "note": "部分化解"}),
            ),
            (&disp, json!({"action": "verify", "passed": true})),
            (&disp, json!({"action": "close"})),
            (
                &disp,
                json!({"action": "follow_up", "rating": 4, "method": "phone"}),
            ),
        ],
    )
    .await;
    case_with(app, village, &[]).await;
    (village, police)
}

#[tokio::test]
async fn summary_counts_what_happened_with_comparisons() {
    let app = TestApp::new().await;
    let (village, _) = three_cases(&app).await;
    let leader = app.login("leader").await;
    let s = get_json(
        app.get(
            &leader,
            &format!("/api/v1/stats/summary?org_unit={village}"),
        )
        .await,
    );
    assert_eq!(s["org_unit"]["id"], village);
    assert_eq!(s["received"], 3);
    assert_eq!(s["closed"], 2);
    assert_eq!(s["resolved"], 2);
    assert_eq!(s["open"], 1);
    assert_eq!(s["rated"], 1);
    assert_eq!(s["satisfied"], 1);
    assert_eq!(s["on_time"], 2);
    assert_eq!(s["overdue"], 0);
    assert_eq!(s["supervised"], 0);
    assert_eq!(s["accepted"], 1);
    let rate = |k: &str| s[k].as_f64().unwrap();
    assert!((rate("completion_rate") - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(rate("resolution_rate"), 1.0);
    assert_eq!(rate("on_time_rate"), 1.0);
    assert_eq!(rate("satisfaction_rate"), 1.0);
    assert_eq!(rate("reopen_rate"), 0.0);
    // Default period: the last 30 days; 环比 the 30 before, 同比 a year earlier.
    let (from, to) = (s["from"].as_str().unwrap(), s["to"].as_str().unwrap());
    assert!(s["previous"]["to"].as_str().unwrap() < from);
    assert_eq!(s["previous"]["received"], 0);
    assert_eq!(s["year_ago"]["received"], 0);
    assert!(s["year_ago"]["from"].as_str().unwrap() < from && to > from);
    // The city and the county see the same three (located in their subtrees).
    let city = get_json(app.get(&leader, "/api/v1/stats/summary").await);
    assert_eq!(city["received"], 3);
    let county = app.login("county_leader").await;
    assert_eq!(
        get_json(app.get(&county, "/api/v1/stats/summary").await)["closed"],
        2
    );
}

#[tokio::test]
async fn every_figure_lists_its_cases() {
    let app = TestApp::new().await;
    let (village, _) = three_cases(&app).await;
    let leader = app.login("leader").await;
    let s = get_json(
        app.get(
            &leader,
            &format!("/api/v1/stats/summary?org_unit={village}"),
        )
        .await,
    );
    let (from, to) = (s["from"].as_str().unwrap(), s["to"].as_str().unwrap());
    for metric in [
        "received",
        "open",
        "closed",
        "resolved",
        "on_time",
        "accepted",
        "rated",
        "satisfied",
        "overdue",
        "supervised",
        "reopened",
    ] {
        let n = get_json(
            app.get(
                &leader,
                &format!(
                    "/api/v1/cases/count?org_unit={village}&from={from}&to={to}&metric={metric}"
                ),
            )
            .await,
        );
        assert_eq!(n["count"], s[metric], "{metric}");
    }
    let bad = app
        .get(&leader, "/api/v1/cases/count?metric=happiness")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("metric"));
}

#[tokio::test]
async fn trend_breakdowns_units_and_departments() {
    let app = TestApp::new().await;
    let (village, police) = three_cases(&app).await;
    let leader = app.login("leader").await;
    let town = app.unit_id("339901001").await;
    let t = get_json(
        app.get(&leader, "/api/v1/stats/trend?granularity=day")
            .await,
    );
    assert_eq!(t["granularity"], "day");
    let points = t["points"].as_array().unwrap();
    assert_eq!(points.len(), 30);
    let sum: i64 = points.iter().map(|p| p["received"].as_i64().unwrap()).sum();
    assert_eq!(sum, 3);
    let ch = get_json(
        app.get(&leader, "/api/v1/stats/breakdown?dim=channel")
            .await,
    );
    assert_eq!(ch["rows"][0]["key"], "walk_in");
    assert_eq!(ch["rows"][0]["label"], "来访");
    assert_eq!(ch["rows"][0]["received"], 3);
    let cat = get_json(app.get(&leader, "/api/v1/stats/breakdown").await);
    assert_eq!(cat["rows"][0]["key"], "D02");
    let sub = get_json(
        app.get(&leader, "/api/v1/stats/breakdown?dim=category&category=D02")
            .await,
    );
    assert_eq!(sub["rows"][0]["key"], "D02-02");
    // Drill-down: the town's villages, zero rows included.
    let u = get_json(
        app.get(&leader, &format!("/api/v1/stats/units?org_unit={town}"))
            .await,
    );
    let rows = u["rows"].as_array().unwrap();
    assert!(rows.len() > 1);
    let ours = rows
        .iter()
        .find(|r| r["org_unit"]["id"] == village)
        .unwrap();
    assert_eq!(ours["received"], 3);
    assert_eq!(ours["has_children"], true);
    assert!(rows.iter().any(|r| r["received"] == 0));
    let d = get_json(app.get(&leader, "/api/v1/stats/departments").await);
    let p = d["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["department"]["id"] == police)
        .unwrap();
    assert_eq!(p["received"], 1);
    assert_eq!(p["closed"], 1);
    let n = get_json(
        app.get(
            &leader,
            &format!("/api/v1/cases/count?lead_department={police}&metric=closed"),
        )
        .await,
    );
    assert_eq!(n["count"], 1);
    let m = get_json(app.get(&leader, "/api/v1/stats/map").await);
    assert_eq!(m["level"], "grid");
    assert!(!m["units"]["features"].as_array().unwrap().is_empty());
    assert_eq!(m["points"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn scope_and_bad_input() {
    let app = TestApp::new().await;
    let (village, _) = three_cases(&app).await;
    // Another town's clerk: the village is outside their scope — 404, not its numbers.
    let other = app.login("town2_intake").await;
    let r = app
        .get(&other, &format!("/api/v1/stats/summary?org_unit={village}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Their own town has none of the three.
    assert_eq!(
        get_json(app.get(&other, "/api/v1/stats/summary").await)["received"],
        0
    );
    // A department handler counts their own department's cases only.
    let handler = app.login("dept_handler").await;
    let h = get_json(app.get(&handler, "/api/v1/stats/summary").await);
    assert_eq!(h["received"], 1);
    let cat = get_json(
        app.get(&handler, "/api/v1/stats/breakdown?dim=category")
            .await,
    );
    assert!(cat["rows"].as_array().unwrap().is_empty());
    // A grid worker has no statistics.
    let gw = app.login("grid_worker").await;
    assert_eq!(
        app.get(&gw, "/api/v1/stats/summary").await.status,
        StatusCode::FORBIDDEN
    );
    let leader = app.login("leader").await;
    for (q, code) in [
        ("from=2026-11-20&to=2026-11-01", "invalid_period"),
        ("from=2026-13-01", "invalid_period"),
        ("from=2000-01-01&to=2026-01-01", "invalid_period"),
        ("category=D02&channel=walk_in", "unsupported_filter"),
        ("category=ZZZ", "invalid_reference"),
    ] {
        let r = app
            .get(&leader, &format!("/api/v1/stats/summary?{q}"))
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert_eq!(r.json()["code"], code, "{q}");
        assert!(r.header("content-type").unwrap().contains("problem+json"));
    }
    let r = app
        .get(&leader, "/api/v1/stats/summary?org_unit=999999")
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(&leader, "/api/v1/stats/trend?granularity=hour")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_overview_offers_the_reports_to_those_who_may_export() {
    let app = TestApp::new().await;
    let leader = app.login("leader").await;
    let page = app.get(&leader, "/stats").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("id=\"stats-exports\""));
    for kind in ["daily", "weekly", "monthly", "ledger"] {
        assert!(html.contains(&format!("/exports?kind={kind}")), "{kind}");
    }
    // A department handler reads statistics but may not export.
    let handler = app.login("dept_handler").await;
    let html = app.get(&handler, "/stats").await.text();
    assert!(!html.contains("id=\"stats-exports\""));
}
