//! The console page 台账导出 and the case list's 导出 button.

use super::*;

#[tokio::test]
async fn the_console_requests_and_lists_exports() {
    let w = world().await;
    let app = &w.app;
    let c = app.login("town_dispatcher").await;
    // From the case list's 导出 button: the filters arrive in the query string.
    let list = app.get(&c, "/cases").await;
    assert!(list.text().contains("id=\"export-cases\""));
    let page = app
        .get(&c, "/exports?status=triage&q=%E5%99%AA%E5%A3%B0")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("台账导出") && html.contains("data-menu=\"exports\""));
    assert!(html.contains("value=\"噪声\""));

    let bad = form(
        app,
        &c,
        "/exports",
        &[("kind", "ledger"), ("format", "pdf")],
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("台账和事件清单只能导出为Excel（xlsx）"));
    let empty = form(
        app,
        &c,
        "/exports",
        &[
            ("kind", "ledger"),
            ("from", "2001-01-01"),
            ("to", "2001-01-02"),
        ],
    )
    .await;
    assert!(empty.text().contains("所选范围内没有事件"));

    let ok = form(
        app,
        &c,
        "/exports",
        &[
            ("kind", "ledger"),
            ("format", "xlsx"),
            ("q", "噪声"),
            ("status", "triage"),
        ],
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
    let to = ok.header("location").unwrap();
    assert!(to.starts_with("/exports?created="));
    let page = app.get(&c, &to).await.text();
    assert!(page.contains("data-pending=\"true\"") && page.contains("排队中"));
    run_once(&app.state).await.unwrap();
    let page = app.get(&c, "/exports").await.text();
    assert!(page.contains("已完成") && page.contains("export-download"));
    // Only one audit row for the console request (the job's own).
    let audit = app
        .state
        .store
        .list_audit(&AuditFilter {
            action_prefix: Some("http.post".into()),
            actor: Some("town_dispatcher".into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .items;
    assert_eq!(audit.len(), 2, "the two refused forms only");

    let grid = app.login("grid_worker").await;
    assert_eq!(
        app.get(&grid, "/exports").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(
        !app.get(&grid, "/cases")
            .await
            .text()
            .contains("export-cases")
    );
}
