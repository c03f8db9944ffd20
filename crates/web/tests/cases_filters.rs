//! The case list's exact filters over the API and in the console: tracking number,
//! responsible center, "registered by me", and a party's ID or phone number (by blind
//! index) — each inside the caller's scope, bad values as Chinese field errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::StatusCode;
use common::{Client, ID_CARD, PHONE, TestApp, form, walk_in_case};
use serde_json::{Value, json};

/// Ids of a list answer.
fn ids(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

/// `GET path` as `c`, asserting 200; the list answer.
async fn list(app: &TestApp, c: &Client, path: &str) -> Value {
    let r = app.get(c, path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.text());
    r.json()
}

/// `GET path` as `c`, asserting a 422 with one error on `field` with `code`; the message.
async fn field_error(app: &TestApp, c: &Client, path: &str, field: &str, code: &str) -> String {
    let r = app.get(c, path).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
    let v = r.json();
    let e = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == field)
        .unwrap_or_else(|| panic!("{path}: no error on {field}: {v}"));
    assert_eq!(e["code"], code, "{path}");
    e["message"].as_str().unwrap().to_owned()
}

/// `data-queue` card `key`'s count on the workbench page `html`.
fn queue_count(html: &str, key: &str) -> i64 {
    let at = html
        .find(&format!("data-queue=\"{key}\""))
        .unwrap_or_else(|| panic!("no queue {key}"));
    let rest = &html[at..];
    let start = rest.find("class=\"qcount\">").unwrap() + "class=\"qcount\">".len();
    rest[start..]
        .split('<')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn tracking_no_is_an_exact_lookup_inside_the_scope() {
    let app = TestApp::new().await;
    let clerk = app.login("town_intake").await;
    let town = app.unit_id("339901001").await;
    let a = app.register_case(&clerk, walk_in_case(town)).await;
    let b = app.register_case(&clerk, walk_in_case(town)).await;
    let no = a["tracking_no"].as_str().unwrap();
    let v = list(&app, &clerk, &format!("/api/v1/cases?tracking_no={no}")).await;
    assert_eq!(ids(&v), vec![a["id"].as_i64().unwrap()]);
    assert_eq!(v["total"], 1);
    // Typed in lower case with blanks: the same number.
    let typed = format!("%20{}%20", no.to_ascii_lowercase());
    let v = list(&app, &clerk, &format!("/api/v1/cases?tracking_no={typed}")).await;
    assert_eq!(ids(&v), vec![a["id"].as_i64().unwrap()]);
    // AND with the other filters.
    let v = list(
        &app,
        &clerk,
        &format!("/api/v1/cases?tracking_no={no}&status=assigned"),
    )
    .await;
    assert_eq!(v["total"], 0);
    // Another town's clerk: nothing.
    let other = app.login("town2_intake").await;
    let v = list(&app, &other, &format!("/api/v1/cases?tracking_no={no}")).await;
    assert_eq!(v["total"], 0);
    // A malformed number is a field error, not an empty page.
    let msg = field_error(
        &app,
        &clerk,
        "/api/v1/cases?tracking_no=ZZ2026",
        "tracking_no",
        "tracking_no_invalid",
    )
    .await;
    assert!(msg.contains("受理编号"), "{msg}");
    assert!(b["tracking_no"] != a["tracking_no"]);
}

#[tokio::test]
async fn center_and_mine_registered() {
    let app = TestApp::new().await;
    let clerk = app.login("town_intake").await;
    let village_worker = app.login("village_worker").await;
    let county_disp = app.login("county_dispatcher").await;
    let town = app.unit_id("339901001").await;
    let village = app.unit_id("339901001001").await;
    let county = app.unit_id("339901").await;
    let by_town = app.register_id(&clerk, walk_in_case(village)).await;
    let by_village = app
        .register_id(&village_worker, walk_in_case(village))
        .await;

    // Responsible center: the town's case waits on the town center, not the county's.
    let v = list(&app, &county_disp, &format!("/api/v1/cases?center={town}")).await;
    assert_eq!(ids(&v), vec![by_town]);
    let v = list(
        &app,
        &county_disp,
        &format!("/api/v1/cases?center={county}"),
    )
    .await;
    assert_eq!(v["total"], 0);
    field_error(
        &app,
        &clerk,
        "/api/v1/cases?center=0",
        "center",
        "id_invalid",
    )
    .await;

    // Registered by me: the town clerk sees both cases but registered one.
    assert_eq!(list(&app, &clerk, "/api/v1/cases").await["total"], 2);
    let v = list(&app, &clerk, "/api/v1/cases?mine_registered=true").await;
    assert_eq!(ids(&v), vec![by_town]);
    let v = list(&app, &village_worker, "/api/v1/cases?mine_registered=1").await;
    assert_eq!(ids(&v), vec![by_village]);
    // `false` (or blank) does not filter.
    let v = list(&app, &clerk, "/api/v1/cases?mine_registered=false").await;
    assert_eq!(v["total"], 2);
    let v = list(&app, &county_disp, "/api/v1/cases?mine_registered=true").await;
    assert_eq!(v["total"], 0);
}

#[tokio::test]
async fn party_identifiers_match_exactly_by_blind_index() {
    let app = TestApp::new().await;
    let clerk = app.login("town_intake").await;
    let town = app.unit_id("339901001").await;
    let with_party = app.register_id(&clerk, walk_in_case(town)).await;
    let mut body = walk_in_case(town);
    body["parties"] = json!([{"name": "王五", "role": "applicant"}]);
    app.register_case(&clerk, body).await;

    let v = list(
        &app,
        &clerk,
        &format!("/api/v1/cases?party_id_card={ID_CARD}"),
    )
    .await;
    assert_eq!(ids(&v), vec![with_party]);
    // The check letter typed in lower case is the same number.
    let lower = ID_CARD.to_ascii_lowercase();
    let v = list(
        &app,
        &clerk,
        &format!("/api/v1/cases?party_id_card={lower}"),
    )
    .await;
    assert_eq!(ids(&v), vec![with_party]);
    let v = list(&app, &clerk, &format!("/api/v1/cases?party_phone={PHONE}")).await;
    assert_eq!(ids(&v), vec![with_party]);
    let v = list(&app, &clerk, "/api/v1/cases?party_phone=13900000000").await;
    assert_eq!(v["total"], 0);
    // A phone number is not an ID number's index and the other way round.
    let both = format!("/api/v1/cases?party_id_card={ID_CARD}&party_phone=13900000000");
    assert_eq!(list(&app, &clerk, &both).await["total"], 0);
    // Out of scope: nothing.
    let other = app.login("town2_intake").await;
    let v = list(&app, &other, &format!("/api/v1/cases?party_phone={PHONE}")).await;
    assert_eq!(v["total"], 0);

    // Bad values: Chinese field errors, both at once, and the values are not echoed.
    let bad_card = "110105194912310021";
    let path = format!("/api/v1/cases?party_id_card={bad_card}&party_phone=12345");
    let r = app.get(&clerk, &path).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.text().contains(bad_card) && !r.text().contains("12345"));
    let msg = field_error(&app, &clerk, &path, "party_id_card", "id_card_checksum").await;
    assert!(
        msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{msg}"
    );
    field_error(&app, &clerk, &path, "party_phone", "phone_format").await;
}

#[tokio::test]
async fn console_uses_the_exact_filters() {
    let app = TestApp::new().await;
    let clerk = app.login("town_intake").await;
    let disp = app.login("town_dispatcher").await;
    let county_disp = app.login("county_dispatcher").await;
    let town = app.unit_id("339901001").await;
    let county = app.unit_id("339901").await;
    let a = app.register_case(&clerk, walk_in_case(town)).await;
    let (a_id, a_no) = (
        a["id"].as_i64().unwrap(),
        a["tracking_no"].as_str().unwrap(),
    );
    let b = app.register_id(&clerk, walk_in_case(town)).await;

    // The search box: a tracking number opens the case; with a contradicting filter it
    // finds nothing (and is not searched as text).
    let r = app.get(&clerk, &format!("/cases?q={a_no}")).await;
    assert!(r.status.is_redirection());
    assert_eq!(r.header("location").unwrap(), format!("/cases/{a_id}"));
    let r = app
        .get(&clerk, &format!("/cases?q={a_no}&status=closed"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("没有符合条件的事件"));

    // Party filters on the list page, with Chinese errors beside the fields.
    let r = app
        .get(&clerk, &format!("/cases?party_phone={PHONE}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("当事人身份证号") && html.contains("当事人电话"));
    assert!(html.contains(&format!("/cases/{a_id}")));
    let r = app.get(&clerk, "/cases?party_id_card=123").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("field-error"), "{}", r.text());

    // 待分流 counts the cases waiting on the user's own center: the town's two, none for
    // the county until one is escalated to it.
    let html = app.get(&disp, "/").await.text();
    assert_eq!(queue_count(&html, "triage"), 2);
    let html = app.get(&county_disp, "/").await.text();
    assert_eq!(queue_count(&html, "triage"), 0);
    let r = app
        .act(
            &disp,
            b,
            json!({"action": "escalate", "to_org_unit_id": county, "reason": "需县级协调"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = app.get(&county_disp, "/").await.text();
    assert_eq!(queue_count(&html, "triage"), 1);
    assert_eq!(queue_count(&app.get(&disp, "/").await.text(), "triage"), 1);

    // Merge by the master's tracking number (looked up exactly).
    let c = app.register_id(&clerk, walk_in_case(town)).await;
    let version = app.case_version(c).await.to_string();
    let r = form(
        &app,
        &disp,
        &format!("/cases/{c}/actions"),
        &[
            ("action", "merge"),
            ("version", &version),
            ("master_case", &a_no.to_ascii_lowercase()),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let d = app.case_json(&disp, c).await;
    assert_eq!(d["master"]["id"], a_id, "{d}");
    let version = app.case_version(b).await.to_string();
    let r = form(
        &app,
        &county_disp,
        &format!("/cases/{b}/actions"),
        &[
            ("action", "merge"),
            ("version", &version),
            ("master_case", "ZZ2099010100001"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("未找到该事件编号"));
}

#[tokio::test]
async fn grid_worker_sees_own_reports() {
    let app = TestApp::new().await;
    let grid = app.login("grid_worker").await;
    let clerk = app.login("village_worker").await;
    let grid_unit = app.unit_id("33990100100101").await;
    let mut body = walk_in_case(grid_unit);
    body["channel"] = json!("grid_report");
    let mine = app.register_id(&grid, body.clone()).await;
    let theirs = app.register_id(&clerk, body).await;
    let html = app.get(&grid, "/").await.text();
    assert!(html.contains("data-list=\"mine_registered\""), "{html}");
    assert!(html.contains("我的上报"));
    assert!(html.contains(&format!("/cases/{mine}")));
    assert!(!html.contains(&format!("/cases/{theirs}\"")));
    let r = app.get(&grid, "/cases?mine_registered=true").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains(&format!("/cases/{mine}")));
    assert!(!html.contains(&format!("/cases/{theirs}\"")));
}
