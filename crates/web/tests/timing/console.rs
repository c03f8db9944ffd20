//! The `/admin/time-limits` and `/admin/calendar` console pages.

use super::*;

#[tokio::test]
async fn console_pages() {
    let app = TestApp::new().await;
    let admin = app.login("admin").await;
    let r = app.get(&admin, "/admin/time-limits").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    for s in [
        "办理时限",
        "time-limit-table",
        "12345热线",
        "15 自然日",
        "2 小时",
        "time-limit-create",
        "data-menu=\"calendar\"",
    ] {
        assert!(html.contains(s), "{s}");
    }

    // Create with errors: every message beside its field, in Chinese, input kept.
    let r = form(
        &app,
        &admin,
        "/admin/time-limits",
        &[
            ("category", "D02"),
            ("accept_amount", "abc"),
            ("accept_unit", "working_days"),
            ("finish_amount", "5"),
            ("finish_unit", "fortnights"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("工作日数须为0至250的整数"), "{html}");
    assert!(html.contains("请选择单位"));
    assert!(html.contains("value=\"abc\""));
    // Create, edit, deactivate.
    let r = form(
        &app,
        &admin,
        "/admin/time-limits",
        &[
            ("category", "D02"),
            ("tier", "village"),
            ("accept_amount", "1"),
            ("accept_unit", "working_days"),
            ("finish_amount", "3"),
            ("finish_unit", "working_days"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let loc = r.header("location").unwrap();
    let id: i64 = loc.rsplit("#rule-").next().unwrap().parse().unwrap();
    let r = app.get(&admin, &format!("/admin/time-limits/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("time-limit-edit"));
    let r = form(
        &app,
        &admin,
        &format!("/admin/time-limits/{id}"),
        &[
            ("category", "D02"),
            ("tier", "village"),
            ("accept_amount", "1"),
            ("accept_unit", "working_days"),
            ("finish_amount", "4"),
            ("finish_unit", "working_days"),
            ("active", "true"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = form(
        &app,
        &admin,
        &format!("/admin/time-limits/{id}/status"),
        &[("active", "false")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let rows = app.state.store.list_time_limits().await.unwrap();
    let row = rows.iter().find(|r| r.id == id).unwrap();
    assert_eq!(
        (row.rule.finish, row.active),
        (Limit::working_days(4), false)
    );

    // Calendar: year view, provisional 2027, set and remove a day.
    let r = app.get(&admin, "/admin/calendar?year=2027").await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("provisional-warning"));
    assert!(html.contains("预排"));
    assert_eq!(html.matches("class=\"cal-month\"").count(), 12);
    let r = app.get(&admin, "/admin/calendar?year=2026").await;
    let html = r.text();
    assert!(!html.contains("provisional-warning"));
    assert!(html.contains("data-date=\"2026-10-01\""));
    assert!(html.contains("cal-day cal-holiday"));
    assert!(html.contains("cal-day cal-weekend cal-makeup"));
    // A day clicked in the grid opens the form on it.
    assert!(html.contains("href=\"/admin/calendar?year=2026&amp;date=2026-10-01#calendar-day\""));
    let html = app
        .get(&admin, "/admin/calendar?year=2026&date=2026-10-10")
        .await
        .text();
    assert!(html.contains("name=\"date\" value=\"2026-10-10\""));
    assert!(html.contains("name=\"name\" value=\"国庆节\""));
    assert!(html.contains("<option value=\"makeup_workday\" selected>"));
    assert_eq!(
        app.get(&admin, "/admin/calendar?year=3000").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = form(
        &app,
        &admin,
        "/admin/calendar",
        &[
            ("date", "2026-11-03"),
            ("kind", "makeup_workday"),
            ("name", ""),
            ("op", "put"),
            ("year", "2026"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("调休上班日须为周六或周日"));
    assert!(html.contains("名称须为1至32个字符"));
    let r = form(
        &app,
        &admin,
        "/admin/calendar",
        &[
            ("date", "2026-11-03"),
            ("kind", "holiday"),
            ("name", "地方假日"),
            ("op", "put"),
            ("year", "2026"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("/admin/calendar?year=2026&notice=updated")
    );
    let r = form(
        &app,
        &admin,
        "/admin/calendar",
        &[("date", "2026-11-03"), ("op", "remove"), ("year", "2026")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = app
        .get(&admin, r.header("location").unwrap().as_str())
        .await;
    assert!(r.text().contains("已删除该日设置"));
    let r = form(
        &app,
        &admin,
        "/admin/calendar",
        &[("date", "2026-11-03"), ("op", "remove"), ("year", "2026")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("该日期没有设置"));

    // Case workers do not get the pages in their menu.
    let intake = app.login("town_intake").await;
    let html = app.get(&intake, "/admin/org-units").await.text();
    assert!(!html.contains("data-menu=\"time-limits\""));
    assert!(!html.contains("data-menu=\"calendar\""));
}
