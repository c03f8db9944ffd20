//! The time-limit table through the API.

use super::*;

#[tokio::test]
async fn rules_are_created_edited_and_deactivated() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let default = (Limit::working_days(1), Limit::working_days(1));
    assert_eq!(
        walk_in_limits(&app, "D02-01", Complexity::Simple).await,
        default
    );

    // 邻里纠纷 (a first-level code also matches its children): 3 working days to finish.
    let r = app
        .call(
            &admin,
            Method::POST,
            "/api/v1/time-limits",
            Some(
                json!({"category": "D02", "complexity": "simple", "tier": "",
                        "accept": {"amount": 2, "unit": "natural_hours"},
                        "finish": {"amount": 3, "unit": "working_days"}}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let v = r.json();
    let id = v["id"].as_i64().unwrap();
    assert_eq!(
        (&v["category"], &v["complexity"], &v["tier"], &v["active"]),
        (&json!("D02"), &json!("simple"), &Value::Null, &json!(true))
    );
    let audit = audit_actions(&app, "time_limit.").await;
    assert_eq!(
        audit[0],
        (
            "time_limit.create".to_owned(),
            Some(id.to_string()),
            "admin".to_owned()
        ),
        "the store records the new id"
    );
    assert_eq!(
        walk_in_limits(&app, "D02-01", Complexity::Simple).await,
        (Limit::hours(2), Limit::working_days(3))
    );
    assert_eq!(
        walk_in_limits(&app, "D01-01", Complexity::Simple).await,
        default,
        "other categories keep the default"
    );

    // The same matchers again would never apply: refused.
    let r = app
        .call(
            &admin,
            Method::POST,
            "/api/v1/time-limits",
            Some(json!({"category": "D02", "complexity": "simple",
                        "accept": {"amount": 1, "unit": "working_days"},
                        "finish": {"amount": 5, "unit": "working_days"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(
        field_errors(&r),
        pairs(&[("matchers", "time_limit_duplicate")])
    );

    // Edit the finish limit, then widen the rule to any complexity with `null`.
    let path = format!("/api/v1/time-limits/{id}");
    let r = app
        .call(
            &admin,
            Method::PATCH,
            &path,
            Some(json!({"finish": {"amount": 10, "unit": "natural_days"}, "complexity": null})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let v = r.json();
    assert_eq!(v["complexity"], Value::Null);
    assert_eq!(v["category"], "D02", "absent fields stay");
    assert_eq!(v["finish"], json!({"amount": 10, "unit": "natural_days"}));
    assert_eq!(
        walk_in_limits(&app, "D02-03", Complexity::Difficult).await,
        (Limit::hours(2), Limit::days(10))
    );
    let audit = audit_actions(&app, "time_limit.update").await;
    assert_eq!(audit[0].1.as_deref(), Some(id.to_string().as_str()));

    // Deactivated: the defaults apply again; the row stays listed.
    let r = app
        .call(&admin, Method::PATCH, &path, Some(json!({"active": false})))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["active"], false);
    assert_eq!(
        walk_in_limits(&app, "D02-01", Complexity::Simple).await,
        default
    );
    let list = app.get(&admin, "/api/v1/time-limits").await.json();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap();
    assert_eq!(row["active"], false);
    // Deactivating a seeded catch-all leaves the built-in fallback in force.
    let r = app
        .call(
            &admin,
            Method::PATCH,
            "/api/v1/time-limits/1",
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        walk_in_limits(&app, "D02-01", Complexity::Simple).await,
        default
    );

    let r = app
        .call(
            &admin,
            Method::PATCH,
            "/api/v1/time-limits/99999",
            Some(json!({"active": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .call(
            &admin,
            Method::PATCH,
            "/api/v1/time-limits/abc",
            Some(json!({})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.audit_chain_ok().await, audit_total(&app).await);
}

#[tokio::test]
async fn rule_validation_reports_every_field_in_chinese() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let lim = |amount: i64, unit: &str| json!({"amount": amount, "unit": unit});
    let cases = vec![
        (
            json!({"category": "X99", "tier": "province", "urgency": "asap",
                   "complexity": "hard", "channel": "fax",
                   "accept": lim(-1, "working_days"), "finish": lim(3, "weeks")}),
            vec![
                ("category", "category_unknown"),
                ("tier", "tier_invalid"),
                ("urgency", "urgency_invalid"),
                ("complexity", "complexity_invalid"),
                ("channel", "channel_invalid"),
                ("accept.amount", "amount_invalid"),
                ("finish.unit", "unit_invalid"),
            ],
        ),
        (
            json!({"accept": lim(0, "natural_days"), "finish": lim(8761, "natural_hours")}),
            vec![
                ("accept.amount", "amount_invalid"),
                ("finish.amount", "amount_invalid"),
            ],
        ),
        (
            json!({"urgency": "urgent", "channel": "petition",
                   "accept": lim(5, "working_days"), "finish": lim(3, "working_days")}),
            vec![("accept.amount", "accept_after_finish")],
        ),
    ];
    for (body, want) in cases {
        let r = app
            .call(
                &admin,
                Method::POST,
                "/api/v1/time-limits",
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.text()
        );
        assert_eq!(r.json()["code"], "validation_failed");
        assert_eq!(field_errors(&r), pairs(&want), "{body}");
    }
    let r = app
        .call(
            &admin,
            Method::POST,
            "/api/v1/time-limits",
            Some(json!({"category": "D02"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "missing limits");
    let r = app
        .call(
            &admin,
            Method::PATCH,
            "/api/v1/time-limits/2",
            Some(json!({"tier": "moon", "finish": lim(0, "natural_hours")})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&r),
        pairs(&[
            ("tier", "tier_invalid"),
            ("finish.amount", "amount_invalid")
        ])
    );
    assert!(audit_actions(&app, "time_limit.create").await.is_empty());
    assert!(audit_actions(&app, "time_limit.update").await.is_empty());
}
