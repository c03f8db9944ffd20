//! The worker: several pages streamed into one file, and transient failures retried until
//! the job fails for good.

use super::*;

/// Whether `s` holds a run of at least `n` digits (a phone or ID number in clear).
fn has_digit_run(s: &str, n: usize) -> bool {
    let mut run = 0;
    for c in s.chars() {
        run = if c.is_ascii_digit() { run + 1 } else { 0 };
        if run >= n {
            return true;
        }
    }
    false
}

#[tokio::test]
async fn a_ledger_of_several_pages_holds_every_case_in_scope() {
    let (app, _dir) = TestApp::with_temp_data_dir().await;
    let opts = zongzhi_web::demo_cases::DemoCaseOptions {
        cases: 1_100,
        seed: 11,
        months: 2,
        now: app.clock_now(),
        batch: 275,
    };
    zongzhi_web::demo_cases::generate_cases(&app.state, &opts, |_| {})
        .await
        .unwrap();
    let c = app.login("leader").await;
    let expected = app.case_count().await;
    assert!(expected > 1_000, "{expected}");
    let job = export_done(&app, &c, json!({"kind": "ledger"})).await;
    assert_eq!(job["total_rows"], expected);
    assert_eq!(job["rows_written"], expected);
    let rows = sheet(&download(&app, &c, &job).await.body);
    let data = &rows[2..];
    assert_eq!(data.len() as i64, expected);
    let mut numbers = std::collections::HashSet::new();
    for (i, row) in data.iter().enumerate() {
        assert_eq!(row[0].as_i64(), Some(i as i64 + 1));
        assert!(numbers.insert(text(&row[1])), "each case once");
        assert!(matches!(row[2], Data::DateTime(_)));
        let parties = text(&row[6]);
        assert!(!has_digit_run(&parties, 7), "masked only: {parties}");
    }
}

#[tokio::test]
async fn transient_failures_retry_then_fail() {
    let w = world().await;
    let app = &w.app;
    let c = app.login("town_dispatcher").await;
    let r = post_export(app, &c, json!({"kind": "cases"})).await;
    let id = r.json()["id"].as_i64().unwrap();
    // The exports directory cannot be created: a file is in its way.
    let dir = app.state.config.data_dir.join("exports");
    std::fs::write(&dir, b"in the way").unwrap();
    for attempt in 1..=3 {
        assert_eq!(
            run_once(&app.state).await.unwrap(),
            Some(id),
            "attempt {attempt}"
        );
        let v = app.get(&c, &format!("/api/v1/exports/{id}")).await.json();
        assert_eq!(v["status"], "running", "given back for another attempt");
        // Not claimed again before its retry delay has passed.
        assert_eq!(run_once(&app.state).await.unwrap(), None);
        app.clock.advance(chrono::Duration::seconds(11));
    }
    assert_eq!(run_once(&app.state).await.unwrap(), None);
    let v = app.get(&c, &format!("/api/v1/exports/{id}")).await.json();
    assert_eq!(v["status"], "failed");
    assert_eq!(v["error"], "export_failed");
    assert_eq!(v["error_message"], "导出失败，请稍后重试");
    assert!(v["download_url"].is_null());
    // Once the way is clear a new request goes through.
    std::fs::remove_file(&dir).unwrap();
    export_done(app, &c, json!({"kind": "cases"})).await;
}
