//! Calendar entries through the API.

use super::*;

#[tokio::test]
async fn calendar_days_are_set_and_removed() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let cal = load_calendar(&app.state).await.unwrap();
    // Monday 2026-11-02 is worked.
    assert!(cal.is_working_day(day(2026, 11, 2)));

    let r = app
        .call(
            &admin,
            Method::PUT,
            "/api/v1/calendar/2026-11-02",
            Some(json!({"kind": "holiday", "name": " 地方假日 "})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        (r.json()["date"].clone(), r.json()["name"].clone()),
        (json!("2026-11-02"), json!("地方假日"))
    );
    assert!(
        !load_calendar(&app.state)
            .await
            .unwrap()
            .is_working_day(day(2026, 11, 2))
    );
    // Replacing an entry: 2026-10-10 (a 调休 Saturday) made a rest day.
    let r = app
        .call(
            &admin,
            Method::PUT,
            "/api/v1/calendar/2026-10-10",
            Some(json!({"kind": "holiday", "name": "国庆节"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        !load_calendar(&app.state)
            .await
            .unwrap()
            .is_working_day(day(2026, 10, 10))
    );
    let audit = audit_actions(&app, "calendar.").await;
    assert_eq!(
        audit[0],
        (
            "calendar.put".to_owned(),
            Some("2026-10-10".to_owned()),
            "admin".to_owned()
        )
    );

    // Removing: the weekday rule applies again.
    let r = app
        .call(&admin, Method::DELETE, "/api/v1/calendar/2026-11-02", None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert!(
        load_calendar(&app.state)
            .await
            .unwrap()
            .is_working_day(day(2026, 11, 2))
    );
    let r = app
        .call(&admin, Method::DELETE, "/api/v1/calendar/2026-11-02", None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let audit = audit_actions(&app, "calendar.remove").await;
    assert_eq!(audit.len(), 1);
    let days = app.get(&admin, "/api/v1/calendar?year=2026").await.json();
    assert!(
        !days
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["date"] == "2026-11-02")
    );

    // Bad input: every field at once.
    let bad = [
        (
            "/api/v1/calendar/2026-11-03",
            json!({"kind": "weekend", "name": ""}),
            vec![("kind", "kind_invalid"), ("name", "name_invalid")],
        ),
        (
            "/api/v1/calendar/2026-02-30",
            json!({"kind": "holiday", "name": "x"}),
            vec![("date", "date_invalid")],
        ),
        (
            "/api/v1/calendar/1999-01-01",
            json!({"kind": "holiday", "name": "x"}),
            vec![("date", "date_invalid")],
        ),
        (
            // Tuesday: a weekday is worked anyway.
            "/api/v1/calendar/2026-11-03",
            json!({"kind": "makeup_workday", "name": "x"}),
            vec![("kind", "makeup_on_weekday")],
        ),
    ];
    for (path, body, want) in bad {
        let r = app
            .call(&admin, Method::PUT, path, Some(body.clone()))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path} {body}: {}",
            r.text()
        );
        assert_eq!(field_errors(&r), pairs(&want), "{path} {body}");
    }
    let r = app
        .call(&admin, Method::DELETE, "/api/v1/calendar/someday", None)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get(&admin, "/api/v1/calendar?year=1999").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get(&admin, "/api/v1/calendar?year=abc").await.status,
        StatusCode::BAD_REQUEST
    );
    // A Saturday made a working day.
    let r = app
        .call(
            &admin,
            Method::PUT,
            "/api/v1/calendar/2026-11-07",
            Some(json!({"kind": "makeup_workday", "name": "调休"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        load_calendar(&app.state)
            .await
            .unwrap()
            .is_working_day(day(2026, 11, 7))
    );
    assert_eq!(app.audit_chain_ok().await, audit_total(&app).await);
}
