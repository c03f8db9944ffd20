//! The deadline job: 预警, 超期 with its automatic 督办, idempotence, and two passes racing
//! on one store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use common::TestApp;
use serde_json::json;
use zongzhi_core::case::{CaseStatus, DeadlineState, SupervisionLevel};
use zongzhi_core::clock::Clock;
use zongzhi_store::{AuditFilter, CaseDetail};
use zongzhi_web::Config;
use zongzhi_web::timing::{load_calendar, run_deadline_pass, spawn_deadline_job};

/// Registers a walk-in case at the town and routes it to the county 公安局 through the
/// API; returns its id.
async fn routed_case(app: &TestApp, title: &str) -> i64 {
    let intake = app.login("town_intake").await;
    let me = app.get(&intake, "/api/v1/me").await.json();
    let town = me["org_unit"]["id"].as_i64().unwrap();
    let id = app
        .register_id(
            &intake,
            json!({
                "channel": "walk_in",
                "category_code": "D02-02",
                "title": title,
                "description": "楼上装修噪声持续到深夜，双方多次争执，请求调处。",
                "org_unit_id": town,
            }),
        )
        .await;

    let handler = app.login("dept_handler").await;
    let dept = app.get(&handler, "/api/v1/me").await.json()["department_id"]
        .as_i64()
        .unwrap();
    let dispatcher = app.login("town_dispatcher").await;
    let r = app
        .act(
            &dispatcher,
            id,
            json!({"action": "route", "department_id": dept}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = app.case_detail(id).await;
    assert_eq!(d.case.state.status, CaseStatus::Assigned);
    assert!(d.case.state.accept_deadline.is_some());
    id
}

/// Moves the app's clock to `t` (forward only).
fn move_to(app: &TestApp, t: DateTime<Utc>) {
    let now = app.clock.now();
    assert!(t >= now, "the test clock only moves forward");
    app.clock.advance(t - now);
}

async fn audit_rows(app: &TestApp, action: &str) -> Vec<zongzhi_core::audit::AuditEntry> {
    let f = AuditFilter {
        action_prefix: Some(action.to_owned()),
        limit: Some(500),
        ..AuditFilter::default()
    };
    app.state.store.list_audit(&f).await.unwrap().items
}

fn kinds(d: &CaseDetail) -> Vec<&str> {
    d.events.iter().map(|e| e.kind.as_str()).collect()
}

#[tokio::test]
async fn warning_then_overdue_with_automatic_supervision() {
    let app = TestApp::new().await;
    let id = routed_case(&app, "噪声扰民").await;
    let d = app.case_detail(id).await;
    let routed_at = d.events.last().unwrap().at;
    let due = d.case.state.accept_deadline.unwrap();
    let warn_at = d.case.state.warn_at.unwrap();
    assert!(routed_at < warn_at && warn_at < due);
    // 预警 at 4/5 of the time to the accept deadline (the core counts whole seconds and
    // divides before multiplying: a few seconds early at most).
    let four_fifths = routed_at + (due - routed_at) * 4 / 5;
    assert!(
        (four_fifths - warn_at).num_seconds() >= 0 && (four_fifths - warn_at).num_seconds() <= 5,
        "{routed_at} {warn_at} {due} {:?}",
        kinds(&d)
    );

    // Before the warning time: nothing.
    move_to(&app, warn_at - Duration::seconds(5));
    assert_eq!(run_deadline_pass(&app.state).await.unwrap(), 0);

    // Past 80 %: one 预警.
    move_to(&app, warn_at + Duration::seconds(1));
    assert_eq!(run_deadline_pass(&app.state).await.unwrap(), 1);
    let d = app.case_detail(id).await;
    assert_eq!(d.case.state.deadline_state, DeadlineState::Warning);
    assert!(!d.case.state.ever_overdue);
    let e = d.events.last().unwrap();
    assert_eq!(e.kind, "deadline_warning");
    assert_eq!(
        (e.actor_id, e.from_status, e.to_status),
        (None, CaseStatus::Assigned, CaseStatus::Assigned)
    );
    assert_eq!(e.payload["due_at"], json!(due));
    let audit = audit_rows(&app, "case.deadline_warning").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (
            audit[0].actor_id,
            audit[0].actor_username.as_str(),
            audit[0].target_id.as_deref()
        ),
        (None, "system", Some(id.to_string().as_str()))
    );
    let version = d.case.version;
    assert_eq!(
        run_deadline_pass(&app.state).await.unwrap(),
        0,
        "idempotent"
    );
    assert_eq!(app.case_detail(id).await.case.version, version);

    // Past the deadline: 超期 and an automatic 一般督办 in the same write.
    move_to(&app, due + Duration::seconds(1));
    let now = app.clock.now();
    assert_eq!(run_deadline_pass(&app.state).await.unwrap(), 1);
    let d = app.case_detail(id).await;
    let s = &d.case.state;
    assert_eq!(s.deadline_state, DeadlineState::Overdue);
    assert!(s.ever_overdue);
    assert_eq!(s.supervision_level, Some(SupervisionLevel::General));
    assert_eq!(s.status, CaseStatus::Assigned);
    let cal = load_calendar(&app.state).await.unwrap();
    assert_eq!(s.accept_deadline, Some(cal.add_working_days(now, 1)));
    assert_eq!(d.case.version, version + 1, "one update for both events");
    let n = d.events.len();
    assert_eq!(kinds(&d)[n - 2..], ["deadline_overdue", "supervise"]);
    let sup = &d.events[n - 1];
    assert_eq!(sup.actor_id, None);
    assert_eq!(sup.note.as_deref(), Some("超期自动督办：已超过办理时限"));
    assert_eq!(sup.payload["action"], "supervise");
    assert_eq!(sup.payload["level"], "general");
    assert_eq!(d.events[n - 2].payload["due_at"], json!(due));
    let audit = audit_rows(&app, "case.deadline_overdue").await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor_username, "system");

    // A second pass changes nothing, even much later (超期 stays until the case moves on).
    move_to(&app, now + Duration::days(10));
    assert_eq!(run_deadline_pass(&app.state).await.unwrap(), 0);
    let again = app.case_detail(id).await;
    assert_eq!(
        (again.case.version, again.events.len()),
        (d.case.version, n)
    );
    assert_eq!(app.audit_chain_ok().await, {
        app.state
            .store
            .count_audit(&AuditFilter::default())
            .await
            .unwrap()
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_passes_write_each_mark_once() {
    let app = TestApp::new().await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(routed_case(&app, &format!("噪声扰民{i}")).await);
    }
    // Past every deadline: each case is due 超期 (the warning is skipped).
    let mut latest = app.clock.now();
    for id in &ids {
        latest = latest.max(
            app.case_detail(*id)
                .await
                .case
                .state
                .accept_deadline
                .unwrap(),
        );
    }
    move_to(&app, latest + Duration::seconds(1));

    let state = Arc::new(app.state.clone());
    let (a, b) = (state.clone(), state.clone());
    let ta = tokio::spawn(async move { run_deadline_pass(&a).await });
    let tb = tokio::spawn(async move { run_deadline_pass(&b).await });
    let (ra, rb) = (ta.await.unwrap().unwrap(), tb.await.unwrap().unwrap());
    assert_eq!(
        ra + rb,
        ids.len(),
        "each case marked by exactly one pass ({ra} + {rb})"
    );
    for id in &ids {
        let d = app.case_detail(*id).await;
        let k = kinds(&d);
        assert_eq!(
            k.iter().filter(|k| **k == "deadline_overdue").count(),
            1,
            "{k:?}"
        );
        assert_eq!(k.iter().filter(|k| **k == "supervise").count(), 1, "{k:?}");
        assert!(!k.contains(&"deadline_warning"), "{k:?}");
        assert_eq!(d.case.state.deadline_state, DeadlineState::Overdue);
    }
    assert_eq!(
        audit_rows(&app, "case.deadline_overdue").await.len(),
        ids.len()
    );
    assert_eq!(run_deadline_pass(&app.state).await.unwrap(), 0);
}

#[tokio::test]
async fn the_spawned_job_runs_passes() {
    let config = Config {
        jobs: zongzhi_web::config::JobsConfig {
            deadline_interval_seconds: 1,
            ..Default::default()
        },
        ..Config::default()
    };
    let app = TestApp::with_config(config).await;
    let id = routed_case(&app, "噪声扰民").await;
    let due = app
        .case_detail(id)
        .await
        .case
        .state
        .accept_deadline
        .unwrap();
    move_to(&app, due + Duration::seconds(1));
    let job = spawn_deadline_job(app.state.clone());
    let mut marked = false;
    for _ in 0..100 {
        if app.case_detail(id).await.case.state.deadline_state == DeadlineState::Overdue {
            marked = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    job.abort();
    assert!(marked, "the job marked the case within 10 s");

    // Interval 0: the job is off and its task ends at once.
    let off = Config {
        jobs: zongzhi_web::config::JobsConfig {
            deadline_interval_seconds: 0,
            ..Default::default()
        },
        ..Config::default()
    };
    let mut state = app.state.clone();
    state.config = Arc::new(off);
    let handle = spawn_deadline_job(state);
    tokio::time::timeout(std::time::Duration::from_secs(5), handle)
        .await
        .unwrap()
        .unwrap();
}
