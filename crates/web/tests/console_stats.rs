//! The 统计分析 pages of the console: 总图, 考核排名, 地图 and 指标说明 render for the roles
//! with `ReadStats` in Chinese, show the stats API's figures, link every number to the cases
//! behind it (and the case list then counts exactly that many), drill down the unit tree,
//! and answer bad input with a Chinese message or the 404 page, never a 500.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::StatusCode;
use chrono::{Datelike, Days, Duration};
use common::{Client, TestApp};
use serde_json::Value;
use zongzhi_core::calendar::local_day;
use zongzhi_core::clock::Clock;
use zongzhi_core::metrics::Metric;
use zongzhi_web::demo_cases::{DemoCaseOptions, generate_cases};

/// A fresh app with `n` demo cases over the two months before its clock.
async fn app_with_cases(n: u64) -> TestApp {
    let app = TestApp::new().await;
    let opts = DemoCaseOptions {
        cases: n,
        seed: 11,
        months: 2,
        now: app.clock.now() - Duration::minutes(5),
        batch: 200,
    };
    generate_cases(&app.state, &opts, |_| {}).await.unwrap();
    app
}

/// `attr="…"` values inside the element that carries `marker`, in order (HTML entities of
/// `&` undone).
fn attrs_after(html: &str, marker: &str, attr: &str) -> Vec<String> {
    let Some(at) = html.find(marker) else {
        return Vec::new();
    };
    let key = format!(" {attr}=\"");
    html[at..]
        .split(&key)
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|s| s.replace("&amp;", "&").replace("&#38;", "&"))
        .collect()
}

/// The HTML of the KPI card `key` (up to the next card).
fn kpi_card<'a>(html: &'a str, key: &str) -> &'a str {
    let start = html
        .find(&format!("data-kpi=\"{key}\""))
        .unwrap_or_else(|| panic!("no KPI {key}"));
    let rest = &html[start..];
    let end = rest[1..].find("data-kpi=").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

/// The first `href` in `fragment`.
fn first_href(fragment: &str) -> String {
    attrs_after(fragment, "", "href")
        .into_iter()
        .next()
        .expect("a link")
}

/// The first `data-value` in `fragment`.
fn data_value(fragment: &str) -> String {
    attrs_after(fragment, "", "data-value")
        .into_iter()
        .next()
        .expect("a value")
}

/// The query pairs of a link.
fn query(href: &str) -> Vec<(String, String)> {
    let q = href.split_once('?').map_or("", |(_, q)| q);
    serde_urlencoded::from_str(q).unwrap()
}

fn param(href: &str, name: &str) -> Option<String> {
    query(href)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// The case list's total (`共 N 条`) for a console link.
async fn list_total(app: &TestApp, c: &Client, href: &str) -> i64 {
    let r = app.get(c, href).await;
    assert_eq!(r.status, StatusCode::OK, "{href}: {}", r.text());
    let html = r.text();
    let at = html.find("class=\"total\">").expect("the pager's total") + 14;
    html[at..]
        .split('<')
        .next()
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap()
}

fn pct(v: &Value) -> String {
    v.as_f64()
        .map_or_else(|| "—".to_owned(), |x| format!("{:.1}%", x * 100.0))
}

#[tokio::test]
async fn overview_shows_the_apis_figures_and_links_to_their_cases() {
    let app = app_with_cases(400).await;
    let leader = app.login("leader").await;
    let r = app.get(&leader, "/stats").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    for label in [
        "统计总图",
        "受理量",
        "办结率",
        "化解率",
        "按期办结率",
        "满意率",
        "超期数",
        "督办数",
        "重办率",
        "平均签收用时",
        "平均办结用时",
        "环比",
        "同比",
        "下级单位",
        "指标说明",
        "近30天",
    ] {
        assert!(html.contains(label), "/stats shows {label}");
    }
    assert!(html.contains("href=\"/stats/help\""), "links to 指标说明");
    assert!(html.contains("/static/vendor/echarts/echarts.min.js"));
    assert!(html.contains("<script type=\"application/json\" id=\"stats-data\">"));

    // The same figures as the API, for the same (default) unit and period.
    let api = app.get(&leader, "/api/v1/stats/summary").await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.text());
    let s = api.json();
    let city = s["org_unit"]["id"].as_i64().unwrap();
    let (from, to) = (s["from"].as_str().unwrap(), s["to"].as_str().unwrap());
    let received = s["received"].as_i64().unwrap();
    assert!(received > 50, "the last 30 days hold cases: {received}");
    let card = kpi_card(&html, "received");
    assert_eq!(data_value(card), received.to_string());
    for (key, field) in [
        ("completion_rate", "completion_rate"),
        ("resolution_rate", "resolution_rate"),
        ("on_time_rate", "on_time_rate"),
        ("satisfaction_rate", "satisfaction_rate"),
        ("reopen_rate", "reopen_rate"),
    ] {
        assert_eq!(
            data_value(kpi_card(&html, key)),
            pct(&s[field]),
            "{key} equals the API's"
        );
    }
    for key in ["overdue", "supervised"] {
        assert_eq!(
            data_value(kpi_card(&html, key)),
            s[key].as_i64().unwrap().to_string()
        );
    }
    assert_eq!(
        data_value(kpi_card(&html, "avg_close_days")),
        s["avg_close_days"]
            .as_f64()
            .map_or("—".to_owned(), |d| if d < 10.0 {
                format!("{d:.2}")
            } else {
                format!("{d:.1}")
            })
    );

    // Every KPI links to its cases, with the unit, the period and the metric …
    let href = first_href(card);
    assert!(href.starts_with("/cases?"), "{href}");
    assert_eq!(param(&href, "under"), Some(city.to_string()));
    assert_eq!(param(&href, "from").as_deref(), Some(from));
    assert_eq!(param(&href, "to").as_deref(), Some(to));
    assert_eq!(param(&href, "metric").as_deref(), Some("received"));
    // … and the case list behind it counts exactly the figure.
    assert_eq!(list_total(&app, &leader, &href).await, received);
    let overdue_href = first_href(kpi_card(&html, "overdue"));
    assert_eq!(param(&overdue_href, "metric").as_deref(), Some("overdue"));
    assert_eq!(
        list_total(&app, &leader, &overdue_href).await,
        s["overdue"].as_i64().unwrap()
    );
    // A rate opens its numerator; its parts link numerator and denominator.
    let completion = kpi_card(&html, "completion_rate");
    assert_eq!(
        param(&first_href(completion), "metric").as_deref(),
        Some("closed")
    );
    let parts: Vec<String> = attrs_after(completion, "kpi-parts", "href");
    assert_eq!(param(&parts[0], "metric").as_deref(), Some("closed"));
    assert_eq!(param(&parts[1], "metric").as_deref(), Some("received"));
    assert_eq!(
        list_total(&app, &leader, &parts[0]).await,
        s["closed"].as_i64().unwrap()
    );

    // 环比 and 同比 beside the figures.
    assert!(card.contains("data-delta=\"mom\"") && card.contains("data-delta=\"yoy\""));
    let previous = s["previous"]["from"].as_str().unwrap();
    assert!(html.contains(previous), "the 环比 period is named");
}

#[tokio::test]
async fn the_unit_table_drills_from_city_to_village_with_breadcrumbs() {
    let app = app_with_cases(300).await;
    let leader = app.login("leader").await;
    let mut path = "/stats?period=year".to_owned();
    let mut names = Vec::new();
    for level in ["县", "乡镇", "村", "网格"] {
        let html = app.get(&leader, &path).await.text();
        assert!(
            html.contains("id=\"unit-table\""),
            "{path} has the unit table"
        );
        let links = attrs_after(&html, "id=\"unit-table\"", "href");
        let drill = links
            .iter()
            .find(|h| h.starts_with("/stats?"))
            .unwrap_or_else(|| panic!("a drill-down link on {path} ({level})"))
            .clone();
        assert_eq!(
            param(&drill, "period").as_deref(),
            Some("year"),
            "keeps the period"
        );
        let unit = param(&drill, "org_unit").expect("the child's id");
        // Every figure of a child links to its cases under that child.
        let row = &html[html.find(&format!("data-unit=\"{unit}\"")).unwrap()..];
        let row = &row[..row.find("</tr>").unwrap()];
        let links = attrs_after(row, "", "href");
        for h in links.iter().skip(1) {
            assert_eq!(param(h, "under"), Some(unit.clone()), "{h}");
        }
        // The child's 受理量 opens a list of exactly that many of its cases.
        let shown = attrs_after(row, "", "title")
            .into_iter()
            .next()
            .expect("the 受理 cell's title");
        let received: i64 = shown
            .trim_start_matches("受理：")
            .trim_end_matches(" 件")
            .parse()
            .unwrap();
        assert_eq!(
            list_total(&app, &leader, &links[1]).await,
            received,
            "{}",
            links[1]
        );
        names.push(unit);
        path = drill;
    }
    // At a grid: breadcrumbs lead back up to the leader's own unit, one link per level.
    let html = app.get(&leader, &path).await.text();
    let nav = &html[html.find("id=\"stats-crumbs\"").expect("breadcrumbs")..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    let crumbs = attrs_after(nav, "", "href");
    let crumbs: Vec<&String> = crumbs.iter().collect();
    assert_eq!(crumbs.len(), 4, "city, county, town, village: {crumbs:?}");
    assert_eq!(
        param(crumbs[0], "org_unit"),
        None,
        "the first is the caller's own unit"
    );
    assert_eq!(param(crumbs[3], "org_unit"), Some(names[2].clone()));
    assert!(html.contains("没有下级单位"));
}

#[tokio::test]
async fn rankings_rank_units_and_departments_and_put_empty_ones_last() {
    let app = app_with_cases(300).await;
    let leader = app.login("leader").await;
    let r = app.get(&leader, "/stats/rankings?period=year").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    for label in [
        "考核排名",
        "名次",
        "按期办结率",
        "化解率",
        "满意率",
        "超期数",
        "部门排名",
        "指标说明",
    ] {
        assert!(html.contains(label), "rankings show {label}");
    }
    let ranks = attrs_after(&html, "id=\"rank-unit-table\"", "data-rank");
    assert_eq!(ranks.first().map(String::as_str), Some("1"), "{ranks:?}");
    assert!(html.contains("id=\"rank-dept-table\""));
    let dept_links = attrs_after(&html, "id=\"rank-dept-table\"", "href");
    assert!(
        dept_links
            .iter()
            .any(|h| param(h, "lead_department").is_some() && param(h, "under").is_some()),
        "department figures link to their cases"
    );

    // A period without cases: every unit shows “—” instead of a rank.
    let r = app
        .get(
            &leader,
            "/stats/rankings?from=2001-01-01&to=2001-01-31&sort=overdue",
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    let ranks = attrs_after(&html, "id=\"rank-unit-table\"", "data-rank");
    assert!(
        !ranks.is_empty() && ranks.iter().all(|r| r == "—"),
        "{ranks:?}"
    );
    assert!(html.contains("超期数（少者在前）"));
}

#[tokio::test]
async fn map_and_help_pages_render() {
    let app = app_with_cases(100).await;
    let leader = app.login("leader").await;
    let r = app.get(&leader, "/stats/map?period=month").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("统计地图") && html.contains("/static/map.js"));
    let api = attrs_after(&html, "id=\"chart-map\"", "data-api")
        .into_iter()
        .next()
        .unwrap();
    assert!(api.starts_with("/api/v1/stats/map?"), "{api}");
    assert!(param(&api, "from").is_some() && param(&api, "org_unit").is_some());
    let cases = attrs_after(&html, "id=\"chart-map\"", "data-cases")
        .into_iter()
        .next()
        .unwrap();
    assert_eq!(param(&cases, "metric").as_deref(), Some("received"));
    // The static assets the page loads are served, from the binary, past the CSP.
    let js = app
        .get(&leader, "/static/vendor/echarts/echarts.min.js")
        .await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(
        js.header("content-type")
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(js.body.len() > 500_000);
    for f in [
        "/static/map.js",
        "/static/stats.js",
        "/static/vendor/echarts/LICENSE",
    ] {
        assert_eq!(app.get(&leader, f).await.status, StatusCode::OK, "{f}");
    }

    let html = app.get(&leader, "/stats/help").await.text();
    for m in Metric::ALL {
        assert!(
            html.contains(&format!("id=\"metric-{}\"", m.as_str())),
            "{m:?}"
        );
        assert!(html.contains(m.label_zh()));
    }
    for phrase in [
        "按受理日期统计",
        "非常满意",
        "被合并到主件的重复事件不计入任何指标",
        "工作时间",
        "调休",
        "环比",
        "同比",
        "已结案",
    ] {
        assert!(html.contains(phrase), "指标说明 says {phrase}");
    }
}

#[tokio::test]
async fn no_read_stats_is_403_and_the_menu_hides_the_pages() {
    let app = TestApp::new().await;
    let grid = app.login("grid_worker").await;
    for p in ["/stats", "/stats/rankings", "/stats/map", "/stats/help"] {
        let r = app.get(&grid, p).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{p}");
        assert!(r.text().contains("权限"), "a Chinese refusal on {p}");
    }
    assert!(
        !app.get(&grid, "/")
            .await
            .text()
            .contains("data-menu=\"stats\"")
    );
    let leader = app.login("leader").await;
    let home = app.get(&leader, "/").await.text();
    for key in ["stats", "stats-rankings", "stats-map", "stats-help"] {
        assert!(home.contains(&format!("data-menu=\"{key}\"")), "{key}");
    }
    assert!(home.contains("统计分析"));
}

#[tokio::test]
async fn units_outside_the_scope_are_the_404_page() {
    let app = TestApp::new().await;
    let town = app.login("town_dispatcher").await;
    let other_county = app.unit_id("339902").await;
    for p in [
        format!("/stats?org_unit={other_county}"),
        format!("/stats/rankings?org_unit={other_county}"),
        format!("/stats/map?org_unit={other_county}"),
        "/stats?org_unit=99999999".to_owned(),
        "/stats?org_unit=abc".to_owned(),
    ] {
        let r = app.get(&town, &p).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{p}");
        assert!(r.text().contains("未找到"), "the Chinese 404 page on {p}");
    }
    // Its own unit and below are fine; a department handler sees its page too.
    assert_eq!(app.get(&town, "/stats").await.status, StatusCode::OK);
    let handler = app.login("dept_handler").await;
    for p in ["/stats", "/stats/rankings", "/stats/map"] {
        assert_eq!(app.get(&handler, p).await.status, StatusCode::OK, "{p}");
    }
}

#[tokio::test]
async fn a_bad_period_is_a_chinese_message_beside_the_period_field() {
    let app = TestApp::new().await;
    let leader = app.login("leader").await;
    let today = local_day(app.clock.now());
    let later = today.checked_add_days(Days::new(3)).unwrap();
    for (q, msg) in [
        (
            format!("from={later}&to={today}"),
            "开始日期不能晚于结束日期",
        ),
        ("from=2026-02-30&to=2026-03-01".to_owned(), "日期格式"),
        ("from=1990-01-01&to=2026-01-01".to_owned(), "不能超过"),
        ("from=2026-01-01".to_owned(), "同时选择"),
        ("period=decade".to_owned(), "统计期间无效"),
    ] {
        for page in ["/stats", "/stats/rankings", "/stats/map"] {
            let r = app.get(&leader, &format!("{page}?{q}")).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{page}?{q}");
            let html = r.text();
            let field = &html[html
                .find("class=\"period-field\"")
                .expect("the period field")..];
            let field = &field[..field.find("</div>").unwrap()];
            assert!(field.contains(msg), "{page}?{q}: {msg} beside the field");
            assert!(!html.contains("id=\"kpis\""), "no figures for a bad period");
        }
    }
    let r = app.get(&leader, "/stats?category=ZZ99").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("事件分类不存在"));
}

#[tokio::test]
async fn a_department_handlers_figures_are_their_departments_cases() {
    let app = app_with_cases(400).await;
    let handler = app.login("dept_handler").await;
    let r = app.get(&handler, "/stats?period=year").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(html.contains("不按分类和渠道细分"));
    assert!(
        !html.contains("name=\"category\""),
        "no category filter to offer"
    );
    let year = local_day(app.clock.now()).year();
    let api = app
        .get(
            &handler,
            &format!("/api/v1/stats/summary?from={year}-01-01"),
        )
        .await;
    let card = kpi_card(&html, "received");
    let href = first_href(card);
    let dept = param(&href, "lead_department").expect("the lists are the department's");
    assert_eq!(
        list_total(&app, &handler, &href).await,
        data_value(card).replace(',', "").parse::<i64>().unwrap(),
        "{href}"
    );
    assert!(dept.parse::<i64>().unwrap() > 0);
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(data_value(card), api.json()["received"].to_string());
}
