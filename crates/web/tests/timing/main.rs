//! Time limits and the working-time calendar: `/api/v1/time-limits`, `/api/v1/calendar`,
//! seeding, and the `/admin/time-limits` and `/admin/calendar` console pages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
mod common;

mod calendar;
mod console;
mod rules;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::{Client, Resp, TestApp, form};
use serde_json::{Value, json};
use zongzhi_core::calendar::builtin_overrides;
use zongzhi_core::case::limits::{DEFAULT_RULES, Limit};
use zongzhi_core::case::{Channel, Complexity, Urgency};
use zongzhi_core::org::OrgLevel;
use zongzhi_store::AuditFilter;
use zongzhi_web::timing::{limits_for, load_calendar};

pub(crate) async fn audit_total(app: &TestApp) -> i64 {
    app.state
        .store
        .count_audit(&AuditFilter::default())
        .await
        .unwrap()
}

/// Audit actions starting with `prefix`, newest first.
pub(crate) async fn audit_actions(
    app: &TestApp,
    prefix: &str,
) -> Vec<(String, Option<String>, String)> {
    let f = AuditFilter {
        action_prefix: Some(prefix.to_owned()),
        limit: Some(500),
        ..AuditFilter::default()
    };
    app.state
        .store
        .list_audit(&f)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|e| (e.action, e.target_id, e.actor_username))
        .collect()
}

/// The field errors of a problem as `(field, code)`, sorted; every message in Chinese.
pub(crate) fn field_errors(r: &Resp) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = r.json()["errors"]
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
        .unwrap_or_default();
    out.sort();
    out
}

pub(crate) fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<_> = v
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect();
    out.sort();
    out
}

pub(crate) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(crate) async fn walk_in_limits(
    app: &TestApp,
    category: &str,
    complexity: Complexity,
) -> (Limit, Limit) {
    limits_for(
        &app.state,
        category,
        OrgLevel::Town,
        Urgency::Normal,
        complexity,
        Channel::WalkIn,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn seeded_once_and_readable_by_case_workers() {
    let app = TestApp::new().await;
    assert_eq!(audit_actions(&app, "time_limit.seed").await.len(), 1);
    assert_eq!(audit_actions(&app, "calendar.seed").await.len(), 1);

    let intake = app.login("town_intake").await;
    let r = app.get(&intake, "/api/v1/time-limits").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let rules = r.json();
    let rules = rules.as_array().unwrap();
    assert_eq!(rules.len(), DEFAULT_RULES.len());
    assert!(rules.iter().all(|r| r["active"] == true));
    assert_eq!(
        (
            &rules[0]["accept"],
            &rules[0]["finish"],
            &rules[0]["category"]
        ),
        (
            &json!({"amount": 1, "unit": "working_days"}),
            &json!({"amount": 7, "unit": "working_days"}),
            &Value::Null
        )
    );
    assert!(rules.iter().any(|r| r["channel"] == "petition"
        && r["accept"] == json!({"amount": 15, "unit": "natural_days"})));

    let r = app.get(&intake, "/api/v1/calendar?year=2026").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let days = r.json();
    let days = days.as_array().unwrap();
    let expected_2026 = builtin_overrides()
        .iter()
        .filter(|d| d.date.format("%Y").to_string() == "2026")
        .count();
    assert_eq!(days.len(), expected_2026);
    let national = days.iter().find(|d| d["date"] == "2026-10-01").unwrap();
    assert_eq!(
        (
            &national["kind"],
            &national["name"],
            &national["provisional"]
        ),
        (&json!("holiday"), &json!("国庆节"), &json!(false))
    );
    let makeup = days.iter().find(|d| d["date"] == "2026-10-10").unwrap();
    assert_eq!(makeup["kind"], "makeup_workday");
    let r = app.get(&intake, "/api/v1/calendar?year=2027").await;
    let y2027 = r.json();
    assert!(!y2027.as_array().unwrap().is_empty());
    assert!(
        y2027
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["provisional"] == true)
    );

    // The stored calendar is the builtin one, and the limits are DOMAIN's.
    let cal = load_calendar(&app.state).await.unwrap();
    assert_eq!(cal, zongzhi_core::calendar::WorkCalendar::builtin());
    assert_eq!(
        walk_in_limits(&app, "D02-01", Complexity::Difficult).await,
        (Limit::working_days(1), Limit::working_days(20))
    );

    // Seeding again changes nothing.
    let before = audit_total(&app).await;
    let again = zongzhi_web::reference::ensure_reference_data(&app.state)
        .await
        .unwrap();
    assert_eq!(again, 0);
    assert_eq!(audit_total(&app).await, before);
    let r = app.get(&intake, "/api/v1/time-limits").await;
    assert_eq!(r.json().as_array().unwrap().len(), DEFAULT_RULES.len());
}

#[tokio::test]
async fn who_may_read_and_write() {
    let app = TestApp::new().await;
    let rule = json!({"category": "D02", "accept": {"amount": 1, "unit": "working_days"},
                      "finish": {"amount": 3, "unit": "working_days"}});
    let day = json!({"kind": "holiday", "name": "测试"});
    for (user, read) in [
        ("leader", true),
        ("dept_handler", true),
        ("grid_worker", true),
        ("county_admin", true),
        ("auditor", false),
        ("security", false),
    ] {
        let c = app.login(user).await;
        let want = if read {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(
            app.get(&c, "/api/v1/time-limits").await.status,
            want,
            "{user}"
        );
        assert_eq!(app.get(&c, "/api/v1/calendar").await.status, want, "{user}");
        // Only the system admin at the top of the tree edits deployment-wide tables.
        let r = app
            .call(&c, Method::POST, "/api/v1/time-limits", Some(rule.clone()))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        let r = app
            .call(
                &c,
                Method::PATCH,
                "/api/v1/time-limits/1",
                Some(json!({"active": false})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        let r = app
            .call(
                &c,
                Method::PUT,
                "/api/v1/calendar/2026-11-02",
                Some(day.clone()),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
        let r = app
            .call(&c, Method::DELETE, "/api/v1/calendar/2026-10-01", None)
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{user}");
    }
    let anon = Client::default();
    assert_eq!(
        app.get(&anon, "/api/v1/time-limits").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get(&anon, "/api/v1/calendar").await.status,
        StatusCode::UNAUTHORIZED
    );
    // Refusals change nothing (their audit rows come from the request layer).
    assert!(audit_actions(&app, "time_limit.create").await.is_empty());
    assert!(audit_actions(&app, "calendar.put").await.is_empty());
    // Console pages: readable by the county admin, forms only for the top admin.
    let county = app.login("county_admin").await;
    let r = app.get(&county, "/admin/time-limits").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.text().contains("time-limit-create"));
    let r = app.get(&county, "/admin/calendar?year=2026").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!r.text().contains("id=\"calendar-day\""));
    let r = form(
        &app,
        &county,
        "/admin/calendar",
        &[
            ("date", "2026-11-02"),
            ("kind", "holiday"),
            ("name", "x"),
            ("op", "put"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
