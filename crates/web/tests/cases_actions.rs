//! The closed loop over the API: register → route to the county 公安 → accept → resolve →
//! verify → close → follow up → archive, with each step's status and allowed actions; and
//! the refusals: illegal actions, archived cases, stale versions, two clerks at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, TestApp, triage_actions, walk_in_case};
use serde_json::{Value, json};

/// Acts, asserting 200 and the new status; answers the case view.
async fn step(app: &TestApp, c: &Client, id: i64, body: Value, status: &str) -> Value {
    let r = app.act(c, id, body.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.text());
    let v = r.json();
    assert_eq!(v["status"], status, "{body}");
    v
}

async fn allowed(app: &TestApp, c: &Client, id: i64) -> Value {
    app.case_json(c, id).await["allowed_actions"].clone()
}

async fn event_count(app: &TestApp, id: i64) -> usize {
    app.case_detail(id).await.events.len()
}

#[tokio::test]
async fn happy_path_from_intake_to_archive() {
    let app = TestApp::new().await;
    let clerk = app.login("town_intake").await;
    let disp = app.login("town_dispatcher").await;
    let handler = app.login("dept_handler").await;
    let village = app.unit_id("339901001001").await;
    let police = app.department_id("东湖区公安局").await;

    let id = app.register_id(&clerk, walk_in_case(village)).await;
    assert_eq!(allowed(&app, &clerk, id).await, json!(["triage_close"]));
    // The handler's department does not hold it yet: not visible.
    assert_eq!(
        app.get(&handler, &format!("/api/v1/cases/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // The route form offers the county's departments and the town's villages.
    let t = app
        .get(&disp, &format!("/api/v1/cases/{id}/route-targets"))
        .await
        .json();
    assert!(
        t["departments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == police)
    );
    assert!(
        t["units"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["id"] == village)
    );

    let v = step(
        &app,
        &disp,
        id,
        json!({"action": "route", "department_id": police, "note": "请派出民警上门调处"}),
        "assigned",
    )
    .await;
    assert_eq!(v["holder_department_id"], police);
    assert_eq!(v["holder_department_name"], "东湖区公安局");
    assert!(v["accept_deadline"].is_string() && v["finish_deadline"].is_string());
    assert_eq!(v["due_at"], v["accept_deadline"]);
    assert_eq!(
        allowed(&app, &disp, id).await,
        json!([
            "route",
            "supervise",
            "urge",
            "escalate",
            "send_down",
            "merge"
        ])
    );
    assert_eq!(
        allowed(&app, &handler, id).await,
        json!(["accept", "return"])
    );

    step(
        &app,
        &handler,
        id,
        json!({"action": "accept"}),
        "in_progress",
    )
    .await;
    assert_eq!(
        allowed(&app, &handler, id).await,
        json!(["request_extension", "progress", "resolve"])
    );
    step(
        &app,
        &handler,
        id,
        json!({"action": "progress", "note": "已约双方到社区调解室"}),
        "in_progress",
    )
    .await;
    step(
        &app,
        &handler,
        id,
        json!({"action": "resolve", "outcome": "mediated", "note": "双方达成调解协议，夜间停止施工"}),
        "resolved",
    )
    .await;
    assert_eq!(allowed(&app, &handler, id).await, json!([]));
    assert_eq!(
        allowed(&app, &disp, id).await,
        json!(["verify", "supervise", "urge"])
    );

    step(
        &app,
        &disp,
        id,
        json!({"action": "verify", "passed": true}),
        "verifying",
    )
    .await;
    assert_eq!(
        allowed(&app, &disp, id).await,
        json!(["verify", "close", "supervise", "urge"])
    );
    step(&app, &disp, id, json!({"action": "close"}), "closed").await;
    assert_eq!(
        allowed(&app, &disp, id).await,
        json!(["follow_up", "archive"])
    );
    let v = step(
        &app,
        &disp,
        id,
        json!({"action": "follow_up", "rating": 4, "method": "phone", "note": "当事人表示满意"}),
        "followed_up",
    )
    .await;
    assert_eq!(v["rating"], 4);
    assert_eq!(allowed(&app, &disp, id).await, json!(["archive"]));
    step(&app, &disp, id, json!({"action": "archive"}), "archived").await;
    assert_eq!(allowed(&app, &disp, id).await, json!([]));

    let d = app.case_json(&disp, id).await;
    let kinds: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "register",
            "route",
            "accept",
            "progress",
            "resolve",
            "verify",
            "close",
            "follow_up",
            "archive"
        ]
    );
    assert_eq!(d["events"][2]["actor"]["name"], "陈警官");
    assert_eq!(d["events"][4]["note"], "双方达成调解协议，夜间停止施工");
    assert_eq!(d["outcome"], "mediated");
    assert_eq!(d["version"], 9);

    // Audit rows: one per action, with codes and ids only.
    let audit = app
        .state
        .store
        .list_audit(&zongzhi_store::AuditFilter {
            action_prefix: Some("case.".into()),
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<&str> = audit.items.iter().map(|a| a.action.as_str()).collect();
    for a in [
        "case.register",
        "case.route",
        "case.resolve",
        "case.archive",
    ] {
        assert!(actions.contains(&a), "{actions:?}");
    }
    for a in &audit.items {
        let text = a.detail.to_string();
        assert!(!text.contains("调解") && !text.contains("张三"), "{text}");
    }

    // Acting on the archived case: 409 with nothing allowed.
    let r = app
        .act(
            &disp,
            id,
            json!({"action": "reopen", "note": "当事人反映问题复发"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert_eq!(r.json()["code"], "action_not_allowed");
    assert_eq!(r.json()["allowed_actions"], json!([]));
    assert!(app.audit_chain_ok().await > 0);
}

#[tokio::test]
async fn illegal_actions_and_bad_payloads() {
    let app = TestApp::new().await;
    let clerk = app.login("town_intake").await;
    let disp = app.login("town_dispatcher").await;
    let town = app.unit_id("339901001").await;
    let id = app.register_id(&clerk, walk_in_case(town)).await;

    // Not allowed now: 409 listing what is.
    let r = app.act(&clerk, id, json!({"action": "accept"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["code"], "action_not_allowed");
    assert_eq!(r.json()["allowed_actions"], json!(["triage_close"]));
    let r = app.act(&disp, id, json!({"action": "close"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["allowed_actions"], triage_actions());

    // Unknown action, missing payload fields, bad targets: 422 field errors.
    let r = app.act(&disp, id, json!({"action": "teleport"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["field"], "action");
    let r = app.act(&disp, id, json!({"action": "route"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["field"], "department_id");
    // A department of the sibling county is not a route target.
    let other_police = app.department_id("青山县公安局").await;
    let r = app
        .act(
            &disp,
            id,
            json!({"action": "route", "department_id": other_police}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["errors"][0]["code"], "route_department_invalid");
    // Nor is the center itself as a lower-tier center.
    let r = app
        .act(&disp, id, json!({"action": "route", "org_unit_id": town}))
        .await;
    assert_eq!(r.json()["errors"][0]["code"], "route_unit_invalid");
    let r = app
        .act(
            &disp,
            id,
            json!({"action": "triage_close", "outcome": "won"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = r.json();
    let fields: Vec<&str> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["outcome", "note"]);
    let r = app
        .act(
            &disp,
            id,
            json!({"action": "urge", "note": "请加快", "new_deadline": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(r.json()["errors"][0]["code"], "deadline_in_past");
    let r = app
        .act(&disp, id, json!({"action": "merge", "master_case_id": id}))
        .await;
    assert_eq!(r.json()["errors"][0]["code"], "merge_into_self");
    let county = app.unit_id("339901").await;
    let r = app
        .act(
            &disp,
            id,
            json!({"action": "send_down", "to_org_unit_id": county}),
        )
        .await;
    assert_eq!(r.json()["errors"][0]["code"], "send_down_target_invalid");
    assert_eq!(event_count(&app, id).await, 1);

    // triage_close takes `answer` as an alias of `note`.
    step(
        &app,
        &clerk,
        id,
        json!({"action": "triage_close", "outcome": "answered", "answer": "已当场解答政策"}),
        "closed",
    )
    .await;
    assert!(app.audit_chain_ok().await > 0);
}

#[tokio::test]
async fn escalation_hands_the_case_up() {
    let app = TestApp::new().await;
    let clerk = app.login("town_intake").await;
    let disp = app.login("town_dispatcher").await;
    let county_disp = app.login("county_dispatcher").await;
    let town = app.unit_id("339901001").await;
    let county = app.unit_id("339901").await;
    let id = app.register_id(&clerk, walk_in_case(town)).await;
    let v = step(
        &app,
        &disp,
        id,
        json!({"action": "escalate", "to_org_unit_id": county, "reason": "涉及多个部门，需县级协调"}),
        "triage",
    )
    .await;
    assert_eq!(v["center_unit_id"], county);
    // The town still reads it but no longer routes it; the county does.
    assert_eq!(allowed(&app, &disp, id).await, json!([]));
    assert!(
        allowed(&app, &county_disp, id)
            .await
            .as_array()
            .unwrap()
            .contains(&json!("route"))
    );
}

#[tokio::test]
async fn stale_version_writes_nothing() {
    let app = TestApp::new().await;
    let clerk = app.login("town_intake").await;
    let disp = app.login("town_dispatcher").await;
    let town = app.unit_id("339901001").await;
    let id = app.register_id(&clerk, walk_in_case(town)).await;
    let audit_before = app.audit_chain_ok().await;
    let r = app
        .call(
            &disp,
            Method::POST,
            &format!("/api/v1/cases/{id}/actions"),
            Some(json!({"action": "urge", "version": 7, "note": "请尽快分流",
                        "new_deadline": "2099-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert_eq!(r.json()["code"], "stale_version");
    assert_eq!(event_count(&app, id).await, 1);
    assert_eq!(app.case_version(id).await, 1);
    // Only the refusal's request row was added to the chain.
    assert_eq!(app.audit_chain_ok().await, audit_before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clerks_at_once_one_wins() {
    let app = TestApp::new().await;
    let clerk = app.login("town_intake").await;
    let disp = app.login("town_dispatcher").await;
    let town = app.unit_id("339901001").await;
    let id = app.register_id(&clerk, walk_in_case(town)).await;
    let path = format!("/api/v1/cases/{id}/actions");
    let a =
        json!({"action": "triage_close", "version": 1, "outcome": "answered", "note": "已答复"});
    let b = json!({"action": "urge", "version": 1, "note": "请尽快分流",
                   "new_deadline": "2099-01-01T00:00:00Z"});
    let (ra, rb) = tokio::join!(
        app.call(&clerk, Method::POST, &path, Some(a)),
        app.call(&disp, Method::POST, &path, Some(b)),
    );
    let mut statuses = [ra.status, rb.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} / {}",
        ra.text(),
        rb.text()
    );
    let loser = if ra.status == StatusCode::CONFLICT {
        ra
    } else {
        rb
    };
    assert_eq!(loser.json()["code"], "stale_version");
    assert_eq!(event_count(&app, id).await, 2);
    assert_eq!(app.case_version(id).await, 2);
    assert!(app.audit_chain_ok().await > 0);
}
