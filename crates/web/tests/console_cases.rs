//! The case pages of the console: 工作台, 事件登记, 事件列表, 事件详情 with its action forms,
//! and 督办 — rendered for the right roles, refused to the wrong ones, and forms that keep
//! what was typed and put Chinese errors beside the fields.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::StatusCode;
use common::{Client, ID_CARD, PHONE, PNG, Part, Resp, TestApp, form, walk_in_case};

/// A console multipart post as a browser sends it: the CSRF token as the first field, no
/// header.
async fn multipart_form(app: &TestApp, c: &Client, path: &str, parts: &[Part<'_>]) -> Resp {
    let token = c.csrf.clone().unwrap_or_default();
    let mut all: Vec<Part<'_>> = vec![("csrf_token", None, token.as_bytes())];
    all.extend_from_slice(parts);
    let browser = Client {
        cookie: c.cookie.clone(),
        csrf: None,
    };
    app.multipart(&browser, path, &all, &[]).await
}

/// Town 1 (望江街道), the unit of `town_intake` and `town_dispatcher`.
async fn town1(app: &TestApp) -> i64 {
    app.unit_id("339901001").await
}

/// `data-NAME="…"` values of a page, in order.
fn data_values(html: &str, attr: &str) -> Vec<String> {
    let key = format!("{attr}=\"");
    html.split(&key)
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// The text right after the input named `name`, up to the next label: where its error sits.
fn after_field<'a>(html: &'a str, name: &str) -> &'a str {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no field {name}"));
    let rest = &html[at..];
    let end = rest.find("<label").unwrap_or(rest.len());
    &rest[..end]
}

fn location(r: &Resp) -> String {
    r.header("location").unwrap_or_default()
}

#[tokio::test]
async fn workbench_shows_the_queues_of_each_role() {
    let app = TestApp::new().await;
    let cases = [
        (
            "town_dispatcher",
            vec![
                "triage",
                "assigned",
                "in_progress",
                "warning",
                "overdue",
                "verify",
                "follow_up",
                "supervised",
            ],
        ),
        (
            "dept_handler",
            vec![
                "assigned",
                "in_progress",
                "warning",
                "overdue",
                "supervised",
            ],
        ),
        ("town_intake", vec!["triage"]),
        (
            "leader",
            vec!["warning", "overdue", "supervised", "all", "month"],
        ),
        ("grid_worker", vec!["all", "month"]),
    ];
    for (user, queues) in cases {
        let c = app.login(user).await;
        let r = app.get(&c, "/").await;
        assert_eq!(r.status, StatusCode::OK, "{user}: {}", r.text());
        let html = r.text();
        assert!(html.contains("工作台"), "{user}");
        assert_eq!(data_values(&html, "data-queue"), queues, "{user}'s queues");
        for page in ["/cases"] {
            let r = app.get(&c, page).await;
            assert_eq!(r.status, StatusCode::OK, "{user} {page}: {}", r.text());
        }
    }
    // The intake clerk also sees what came in last.
    let c = app.login("town_intake").await;
    assert!(
        app.get(&c, "/")
            .await
            .text()
            .contains("data-list=\"recent\"")
    );
}

#[tokio::test]
async fn wrong_roles_are_refused_or_sent_away() {
    let app = TestApp::new().await;
    // Not signed in: to the login page.
    let r = app.get(&Client::default(), "/cases").await;
    assert!(r.status.is_redirection());
    assert_eq!(location(&r), "/login");
    // The system admin may not read case content (三员分立).
    let admin = app.login("admin").await;
    for path in ["/cases", "/cases/new", "/supervision", "/cases/1"] {
        let r = app.get(&admin, path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "admin {path}");
        assert!(r.text().contains("无权访问"), "admin {path}");
    }
    let r = app.get(&admin, "/").await;
    assert!(r.status.is_redirection(), "admin home redirects");
    assert_ne!(location(&r), "/");
    // 督办 is for dispatchers and leaders; registering is for intake and grid workers.
    let handler = app.login("dept_handler").await;
    assert_eq!(
        app.get(&handler, "/supervision").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&handler, "/cases/new").await.status,
        StatusCode::FORBIDDEN
    );
    let intake = app.login("town_intake").await;
    assert_eq!(
        app.get(&intake, "/supervision").await.status,
        StatusCode::FORBIDDEN
    );
    let home = app.get(&intake, "/").await.text();
    let menu = data_values(&home, "data-menu");
    assert!(menu.contains(&"case-new".to_owned()) && menu.contains(&"cases".to_owned()));
    assert!(!menu.contains(&"supervision".to_owned()));
    let leader = app.login("leader").await;
    assert_eq!(
        app.get(&leader, "/supervision").await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&leader, "/cases/new").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn intake_form_registers_with_a_file_and_shows_the_tracking_number() {
    let (app, _dir) = TestApp::with_temp_data_dir().await;
    let unit = town1(&app).await.to_string();
    let c = app.login("town_intake").await;
    let page = app.get(&c, "/cases/new").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for i in 0..3 {
        assert!(
            html.contains(&format!("name=\"parties[{i}].id_card_no\"")),
            "row {i}"
        );
    }
    assert!(html.contains("enctype=\"multipart/form-data\""));
    let r = multipart_form(
        &app,
        &c,
        "/cases/new",
        &[
            ("channel", None, b"walk_in"),
            ("category_code", None, b"D02-02"),
            ("urgency", None, b"urgent"),
            ("complexity", None, b"simple"),
            ("title", None, "楼上装修噪声扰民".as_bytes()),
            ("description", None, "夜间装修，协商未果。".as_bytes()),
            ("occurred_at", None, b"2026-01-05T21:30"),
            ("org_unit_id", None, unit.as_bytes()),
            ("parties[0].name", None, "张三".as_bytes()),
            ("parties[0].role", None, b"applicant"),
            ("parties[0].id_card_no", None, ID_CARD.as_bytes()),
            ("parties[0].phone", None, PHONE.as_bytes()),
            ("parties[1].role", None, b"respondent"),
            ("attachments", Some("现场.png"), PNG),
            ("attachments", Some(""), b""),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let to = location(&r);
    assert!(to.ends_with("?notice=registered"), "{to}");
    let detail = app.get(&c, &to).await;
    assert_eq!(detail.status, StatusCode::OK);
    let html = detail.text();
    assert!(html.contains("已登记，事件编号 ZZ"), "flash");
    assert!(html.contains("现场.png") && html.contains("/attachments/"));
    assert!(html.contains("138****5678"), "phone masked");
    assert!(!html.contains(PHONE), "phone never in full");
    assert_eq!(app.case_count().await, 1);
}

#[tokio::test]
async fn a_bad_id_number_is_reported_beside_its_field_and_nothing_is_written() {
    let app = TestApp::new().await;
    let unit = town1(&app).await.to_string();
    let c = app.login("town_intake").await;
    let r = multipart_form(
        &app,
        &c,
        "/cases/new",
        &[
            ("channel", None, b"walk_in"),
            ("category_code", None, b"D02-02"),
            ("title", None, "邻里纠纷".as_bytes()),
            ("description", None, "".as_bytes()),
            ("org_unit_id", None, unit.as_bytes()),
            // Row 0 left blank: the error must land on row 1, where it was typed.
            ("parties[0].role", None, b"applicant"),
            ("parties[1].name", None, "李四".as_bytes()),
            ("parties[1].role", None, b"respondent"),
            ("parties[1].id_card_no", None, b"110105194912310021"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    let beside = after_field(&html, "parties[1].id_card_no");
    assert!(
        beside.contains("field-error"),
        "ID error beside its field: {beside}"
    );
    assert!(!after_field(&html, "parties[0].id_card_no").contains("field-error"));
    assert!(
        after_field(&html, "description").contains("field-error"),
        "every error at once"
    );
    assert!(
        html.contains("value=\"李四\"") && html.contains("邻里纠纷"),
        "typed values kept"
    );
    assert!(
        html.contains("110105194912310021"),
        "the bad number is shown for correction"
    );
    assert_eq!(app.case_count().await, 0, "nothing written");
}

#[tokio::test]
async fn detail_offers_exactly_the_allowed_actions_and_they_work() {
    let app = TestApp::new().await;
    let unit = town1(&app).await;
    let intake = app.login("town_intake").await;
    let id = app.register_id(&intake, walk_in_case(unit)).await;
    let page = format!("/cases/{id}");

    let dispatcher = app.login("town_dispatcher").await;
    let api = app.case_json(&dispatcher, id).await;
    let allowed: Vec<String> = api["allowed_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    let html = app.get(&dispatcher, &page).await.text();
    let offered: Vec<String> = data_values(&html, "data-action");
    assert_eq!(offered, allowed, "the panel offers exactly allowed_actions");
    assert!(allowed.contains(&"route".to_owned()));
    assert!(
        html.contains("110***********002X") || html.contains("***"),
        "ID masked"
    );

    // A route without a target: the Chinese error beside the department select.
    let version = app.case_version(id).await.to_string();
    let r = form(
        &app,
        &dispatcher,
        &format!("{page}/actions"),
        &[("action", "route"), ("version", &version)],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(after_field(&r.text(), "department_id").contains("请选择交办部门或下级中心"));

    // Route to the county 公安局.
    let police = app.department_id("东湖区公安局").await.to_string();
    let r = form(
        &app,
        &dispatcher,
        &format!("{page}/actions"),
        &[
            ("action", "route"),
            ("version", &version),
            ("department_id", &police),
            ("note", "请核实处理"),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = app.get(&dispatcher, &location(&r)).await.text();
    assert!(html.contains("已完成：分流交办"));
    assert!(
        html.contains("请核实处理") && html.contains("待分流 → 已交办"),
        "timeline"
    );

    // The handler sees it waiting; a stale version is refused in Chinese, writing nothing.
    let handler = app.login("dept_handler").await;
    let home = app.get(&handler, "/").await.text();
    assert!(home.contains("data-list=\"assigned\""), "待签收 short list");
    let before = app.case_version(id).await;
    let r = form(
        &app,
        &handler,
        &format!("{page}/actions"),
        &[("action", "accept"), ("version", &version)],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("事件已被他人更新，请刷新后重试"));
    assert_eq!(app.case_version(id).await, before);
    let fresh = before.to_string();
    let r = form(
        &app,
        &handler,
        &format!("{page}/actions"),
        &[("action", "accept"), ("version", &fresh)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // An action no longer allowed: 409 with what is allowed now.
    let r = form(
        &app,
        &handler,
        &format!("{page}/actions"),
        &[("action", "accept"), ("version", &(before + 1).to_string())],
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("不能执行该操作"));

    // Supervise with a deadline typed in 北京时间.
    let leader = app.login("leader").await;
    let v = app.case_version(id).await.to_string();
    let due = (app.state.clock.now() + chrono::Duration::days(3))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let r = form(
        &app,
        &leader,
        &format!("{page}/actions"),
        &[
            ("action", "supervise"),
            ("version", &v),
            ("level", "key"),
            ("note", "三日内办结"),
            ("new_deadline", &due),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let sup = app.get(&leader, "/supervision").await;
    assert_eq!(sup.status, StatusCode::OK);
    let html = sup.text();
    assert!(
        html.contains("三日内办结") && html.contains("重点督办"),
        "last note and level"
    );
    assert!(
        html.contains(&due.replace('T', " ")),
        "deadline shown in 北京时间"
    );
}

#[tokio::test]
async fn parties_are_revealed_once_on_request() {
    let app = TestApp::new().await;
    let unit = town1(&app).await;
    let intake = app.login("town_intake").await;
    let id = app.register_id(&intake, walk_in_case(unit)).await;
    let dispatcher = app.login("town_dispatcher").await;
    let html = app.get(&dispatcher, &format!("/cases/{id}")).await.text();
    assert!(!html.contains(ID_CARD));
    let party = data_values(&html, "data-party")[0].clone();
    let r = form(
        &app,
        &dispatcher,
        &format!("/cases/{id}/parties/{party}/reveal"),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains(ID_CARD) && r.text().contains(PHONE));
    assert!(
        !app.get(&dispatcher, &format!("/cases/{id}"))
            .await
            .text()
            .contains(ID_CARD),
        "once"
    );
    // A leader may read the case but not reveal.
    let leader = app.login("leader").await;
    let html = app.get(&leader, &format!("/cases/{id}")).await.text();
    assert!(!html.contains("class=\"btn-secondary btn-small reveal\""));
    let r = form(
        &app,
        &leader,
        &format!("/cases/{id}/parties/{party}/reveal"),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn list_filters_search_and_upload() {
    let (app, _dir) = TestApp::with_temp_data_dir().await;
    let unit = town1(&app).await;
    let intake = app.login("town_intake").await;
    let created = app.register_case(&intake, walk_in_case(unit)).await;
    let id = created["id"].as_i64().unwrap();
    let no = created["tracking_no"].as_str().unwrap().to_owned();
    let r = app.get(&intake, "/cases?status=triage").await;
    assert!(r.text().contains(&no));
    let r = app.get(&intake, "/cases?status=assigned").await;
    assert!(!r.text().contains(&no));
    assert!(r.text().contains("没有符合条件的事件"));
    // A bad filter value is reported on the page, not as a crash.
    let r = app.get(&intake, "/cases?status=nonsense").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("案件状态无效"));
    // A tracking number typed into the search box opens the case.
    let r = app.get(&intake, &format!("/cases?q={no}")).await;
    assert!(r.status.is_redirection());
    assert_eq!(location(&r), format!("/cases/{id}"));
    // Upload through the console form (CSRF token in the multipart body).
    let r = multipart_form(
        &app,
        &intake,
        &format!("/cases/{id}/attachments"),
        &[("attachments", Some("照片.png"), PNG)],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(
        app.get(&intake, &location(&r))
            .await
            .text()
            .contains("照片.png")
    );
    // Without the token the upload is refused.
    let bare = Client {
        cookie: intake.cookie.clone(),
        csrf: None,
    };
    let r = app
        .multipart(
            &bare,
            &format!("/cases/{id}/attachments"),
            &[("attachments", Some("x.png"), PNG)],
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
