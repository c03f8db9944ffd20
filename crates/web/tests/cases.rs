//! Case intake and reading over the API: registration, idempotency, bad input (field
//! errors in Chinese, nothing written), scope, masking and the audited reveal.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::{Method, StatusCode};
use common::{ID_CARD, PHONE, TestApp, triage_actions, walk_in_case};
use serde_json::{Value, json};

fn field_codes(v: &Value) -> Vec<(String, String)> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or("").to_owned(),
                        e["code"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn has_field(v: &Value, field: &str, code: &str) -> bool {
    field_codes(v).iter().any(|(f, c)| f == field && c == code)
}

#[tokio::test]
async fn intake_registers_a_walk_in_case() {
    let app = TestApp::new().await;
    let clerk = app.login("town_intake").await;
    let village = app.unit_id("339901001001").await;
    let r = app
        .call(
            &clerk,
            Method::POST,
            "/api/v1/cases",
            Some(walk_in_case(village)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    let id = v["id"].as_i64().unwrap();
    assert_eq!(r.header("location"), Some(format!("/api/v1/cases/{id}")));
    assert_eq!(v["status"], "triage");
    assert_eq!(v["channel"], "walk_in");
    assert_eq!(v["version"], 1);
    assert_eq!(v["amount_yuan"], 1500.5);
    let tracking = v["tracking_no"].as_str().unwrap();
    assert!(
        tracking.starts_with("ZZ") && tracking.len() == 15,
        "{tracking}"
    );

    let d = app.case_json(&clerk, id).await;
    assert_eq!(d["tracking_no"], tracking);
    assert_eq!(
        d["description"],
        "住户反映楼上邻居连续两周夜间装修，多次协商未果。"
    );
    assert_eq!(d["allowed_actions"], json!(["triage_close"]));
    assert_eq!(d["can_reveal"], true);
    assert_eq!(d["parties"][0]["id_card_masked"], "110***********002X");
    assert_eq!(d["parties"][0]["phone_masked"], "138****5678");
    assert_eq!(d["parties"][1]["id_card_masked"], Value::Null);
    assert_eq!(d["events"][0]["kind"], "register");
    assert_eq!(d["events"][0]["from_status"], "registered");
    assert_eq!(d["events"][0]["to_status"], "triage");
    assert_eq!(d["events"][0]["actor"]["name"], "褚受理");

    // Identifiers never appear in full in reads.
    for body in [d.to_string(), app.get(&clerk, "/api/v1/cases").await.text()] {
        assert!(!body.contains(ID_CARD) && !body.contains(PHONE), "{body}");
    }

    // Search finds it by a word of its description.
    let s = app
        .get(&clerk, "/api/v1/cases?q=%E8%A3%85%E4%BF%AE")
        .await
        .json();
    assert_eq!(s["total"], 1, "{s}");
    assert_eq!(s["items"][0]["id"], id);
    // The dispatcher sees it with the dispatcher's actions.
    let disp = app.login("town_dispatcher").await;
    let d = app.case_json(&disp, id).await;
    assert_eq!(d["allowed_actions"], triage_actions());
    assert!(app.audit_chain_ok().await > 0);
}

#[tokio::test]
async fn reveal_is_audited_and_limited() {
    let app = TestApp::new().await;
    let clerk = app.login("town_intake").await;
    let town = app.unit_id("339901001").await;
    let id = app.register_id(&clerk, walk_in_case(town)).await;
    let d = app.case_json(&clerk, id).await;
    let party = d["parties"][0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/cases/{id}/parties/{party}/reveal");
    let r = app.call(&clerk, Method::POST, &path, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["id_card_no"], ID_CARD);
    assert_eq!(r.json()["phone"], PHONE);
    let audit = app
        .state
        .store
        .list_audit(&zongzhi_store::AuditFilter {
            action_prefix: Some("case.party.reveal".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.items.len(), 1);
    assert!(!audit.items[0].detail.to_string().contains(ID_CARD));

    // Leaders read cases but may not reveal; out of scope is 404.
    let leader = app.login("county_leader").await;
    assert_eq!(
        app.get(&leader, &format!("/api/v1/cases/{id}"))
            .await
            .status,
        StatusCode::OK
    );
    let r = app.call(&leader, Method::POST, &path, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let other = app.login("town2_intake").await;
    let r = app.call(&other, Method::POST, &path, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let grid = app.login("grid_worker").await;
    let r = app.call(&grid, Method::POST, &path, None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(app.audit_chain_ok().await > 0);
}

#[tokio::test]
async fn idempotency_key_replays_the_first_case() {
    let app = TestApp::new().await;
    let clerk = app.login("town_intake").await;
    let town = app.unit_id("339901001").await;
    let h = [("idempotency-key", "intake-2026-0001")];
    let a = app
        .post_with_headers(&clerk, "/api/v1/cases", walk_in_case(town), &h)
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    let b = app
        .post_with_headers(&clerk, "/api/v1/cases", walk_in_case(town), &h)
        .await;
    assert_eq!(b.status, StatusCode::OK, "{}", b.text());
    assert_eq!(a.json()["id"], b.json()["id"]);
    assert_eq!(a.json()["tracking_no"], b.json()["tracking_no"]);
    assert_eq!(app.case_count().await, 1);
    // A bad key is refused before anything happens.
    let long = "k".repeat(101);
    let r = app
        .post_with_headers(
            &clerk,
            "/api/v1/cases",
            walk_in_case(town),
            &[("idempotency-key", long.as_str())],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["code"], "idempotency_key_invalid");
    assert_eq!(app.case_count().await, 1);
    assert!(app.audit_chain_ok().await > 0);
}

#[tokio::test]
async fn bad_input_gives_field_errors_and_writes_nothing() {
    let app = TestApp::new().await;
    let clerk = app.login("town_intake").await;
    let town = app.unit_id("339901001").await;
    let post = async |body: Value| {
        app.call(&clerk, Method::POST, "/api/v1/cases", Some(body))
            .await
    };

    // Missing fields: every one reported at once, in Chinese.
    let r = post(json!({})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let v = r.json();
    assert_eq!(v["code"], "validation_failed");
    for (f, c) in [
        ("channel", "channel_required"),
        ("category_code", "category_required"),
        ("title", "title_required"),
        ("description", "description_required"),
        ("org_unit_id", "org_unit_required"),
    ] {
        assert!(has_field(&v, f, c), "{f} {c}: {v}");
    }
    assert_eq!(v["errors"][0]["message"], "请选择来源渠道");

    // Bad ID check digit, bad phone, bad role, unknown category and org unit, bad ranges.
    let mut body = walk_in_case(town);
    body["category_code"] = json!("Z99");
    body["org_unit_id"] = json!(app.unit_id("339901002").await); // sibling town: out of scope
    body["lat"] = json!(91.0);
    body["people_involved"] = json!(-1);
    body["amount_yuan"] = json!(-5);
    body["urgency"] = json!("very");
    body["title"] = json!("字".repeat(201));
    body["parties"] = json!([
        {"name": "张三", "id_card_no": "110105194912310021", "phone": "12345", "role": "applicant"},
        {"name": " ", "role": "boss"}
    ]);
    let r = post(body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let v = r.json();
    for (f, c) in [
        ("category_code", "category_invalid"),
        ("org_unit_id", "org_unit_invalid"),
        ("lat", "lat_invalid"),
        ("people_involved", "people_involved_invalid"),
        ("amount_yuan", "amount_invalid"),
        ("urgency", "urgency_invalid"),
        ("title", "title_too_long"),
        ("parties[0].id_card_no", "id_card_checksum"),
        ("parties[0].phone", "phone_format"),
        ("parties[1].name", "party_name_required"),
        ("parties[1].role", "party_role_invalid"),
    ] {
        assert!(has_field(&v, f, c), "{f} {c}: {v}");
    }
    let msg = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "parties[0].id_card_no")
        .unwrap()["message"]
        .clone();
    assert_eq!(msg, "身份证号校验位不正确");
    // Nothing echoes the rejected identifiers.
    assert!(!r.text().contains("110105194912310021"));

    // A malformed body and a wrong type.
    let r = app
        .send(
            axum::http::Request::builder()
                .method(Method::POST)
                .uri("/api/v1/cases")
                .header("content-type", "application/json")
                .header("cookie", clerk.cookie.clone().unwrap())
                .header("x-csrf-token", clerk.csrf.clone().unwrap())
                .body(axum::body::Body::from("{not json"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["code"], "malformed_json");
    let r = post(json!({"org_unit_id": "x"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["code"], "invalid_body");

    // A grid worker may not register a walk-in; a leader may not register at all.
    let grid = app.login("grid_worker").await;
    let grid_unit = app.unit_id("33990100100101").await;
    let r = app
        .call(
            &grid,
            Method::POST,
            "/api/v1/cases",
            Some(walk_in_case(grid_unit)),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    assert_eq!(r.json()["code"], "channel_not_permitted");
    let leader = app.login("county_leader").await;
    let r = app
        .call(
            &leader,
            Method::POST,
            "/api/v1/cases",
            Some(walk_in_case(town)),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    assert_eq!(app.case_count().await, 0);
    assert!(app.audit_chain_ok().await > 0);

    // Bad list filters are field errors too.
    let r = app
        .get(&clerk, "/api/v1/cases?status=open,triage&sort=best")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(has_field(&r.json(), "status", "status_invalid"));
    assert!(has_field(&r.json(), "sort", "sort_invalid"));
    let r = app.get(&clerk, "/api/v1/cases?from=2026-13-01").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app.get(&clerk, "/api/v1/cases?category=Z99").await;
    assert!(has_field(&r.json(), "category", "category_invalid"));
}

#[tokio::test]
async fn another_towns_clerk_cannot_see_or_touch_the_case() {
    let app = TestApp::new().await;
    let clerk = app.login("town_intake").await;
    let town = app.unit_id("339901001").await;
    let id = app.register_id(&clerk, walk_in_case(town)).await;
    let other = app.login("town2_intake").await;
    assert_eq!(
        app.get(&other, &format!("/api/v1/cases/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let r = app
        .act(
            &other,
            id,
            json!({"action": "triage_close", "outcome": "answered", "note": "已答复"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    let list = app.get(&other, "/api/v1/cases").await.json();
    assert_eq!(list["total"], 0);
    assert_eq!(list["items"], json!([]));
    let count = app.get(&other, "/api/v1/cases/count").await.json();
    assert_eq!(count["count"], 0);
    let search = app
        .get(&other, "/api/v1/cases?q=%E8%A3%85%E4%BF%AE")
        .await
        .json();
    assert_eq!(search["total"], 0);
    // The clerk's own view of the same queries.
    assert_eq!(
        app.get(&clerk, "/api/v1/cases/count").await.json()["count"],
        1
    );
    // Filters: by status, period and org unit.
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let q = format!("/api/v1/cases?status=triage,assigned&from={today}&to={today}&org_unit={town}");
    assert_eq!(app.get(&clerk, &q).await.json()["total"], 1);
    let q = format!("/api/v1/cases?status=closed&org_unit={town}");
    assert_eq!(app.get(&clerk, &q).await.json()["total"], 0);
    // The system administrator reads no case content (三员分立).
    let admin = app.login("admin").await;
    assert_eq!(
        app.get(&admin, &format!("/api/v1/cases/{id}")).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&admin, "/api/v1/cases").await.status,
        StatusCode::FORBIDDEN
    );
}
