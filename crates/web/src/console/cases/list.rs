//! 事件列表: full-text search, filters, sorting and cursor pagination, all inside the
//! user's scope (the query string is the API's `CaseListQuery`).

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use zongzhi_core::case::{CaseStatus, Channel, TrackingNo};
use zongzhi_core::org::OrgLevel;
use zongzhi_core::role::Permission;

use super::form::{CatGroup, category_groups};
use super::views::{CaseRow, Errors, form_errors, page};
use crate::auth::CurrentUser;
use crate::cases::{CaseListQuery, count_cases_as, list_cases_as};
use crate::console::admin::{Opt, Pager, id_text, opts, text, unit_options, unit_pairs};
use crate::console::{ConsoleResult, Layout};
use crate::error::ApiError;
use crate::extract::ApiQuery;
use crate::state::AppState;

/// Status groups offered besides single statuses (the workbench links to them too).
pub(super) const STATUS_GROUPS: [(&str, &str); 2] = [
    ("resolved,verifying", "待核查（已办结、核查中）"),
    (
        "registered,triage,assigned,in_progress,resolved,verifying",
        "未结案（全部在办）",
    ),
];

#[derive(Template)]
#[template(path = "cases/list.html")]
struct ListPage {
    layout: Layout,
    q: String,
    statuses: Vec<Opt>,
    categories: Vec<CatGroup>,
    channels: Vec<Opt>,
    units: Vec<Opt>,
    sorts: Vec<Opt>,
    from: String,
    to: String,
    overdue: bool,
    warning: bool,
    supervised: bool,
    mine: bool,
    mine_registered: bool,
    department: String,
    center: String,
    tracking_no: String,
    party_id_card: String,
    party_phone: String,
    /// The statistics figure this list is behind (`metric`), its Chinese label, and the URL
    /// of the same list without it.
    metric: String,
    metric_label: String,
    lead_department: String,
    without_metric: String,
    filter_errors: Errors,
    rows: Vec<CaseRow>,
    pager: Pager,
    can_register: bool,
}

fn flag(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "true",
        Some(false) => "false",
        None => "",
    }
}

/// `GET /cases`
pub(super) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    q: Result<ApiQuery<CaseListQuery>, ApiError>,
) -> ConsoleResult {
    let ApiQuery(mut q) = q?;
    user.require(Permission::ReadCases)?;
    let qs = text(q.q.as_ref());
    let tracking_no = text(q.tracking_no.as_ref());
    // A 事件编号 typed into the search box is an exact lookup by tracking number (with
    // the other filters), not a full-text search.
    let by_number = TrackingNo::parse(&qs).ok();
    if let Some(no) = &by_number {
        q.tracking_no = Some(no.as_str().to_owned());
        q.q = None;
    }
    let (party_id_card, party_phone) =
        (text(q.party_id_card.as_ref()), text(q.party_phone.as_ref()));
    let (status, category, channel, sort) = (
        text(q.status.as_ref()),
        text(q.category.as_ref()),
        text(q.channel.as_ref()),
        text(q.sort.as_ref()),
    );
    let (org_unit, department, center, limit) = (
        id_text(q.org_unit),
        id_text(q.department),
        id_text(q.center),
        id_text(q.limit),
    );
    let metric = text(q.metric.as_ref());
    let lead_department = id_text(q.lead_department);
    let from = q.from.map(|d| d.to_string()).unwrap_or_default();
    let to = q.to.map(|d| d.to_string()).unwrap_or_default();
    let pairs = [
        ("q", qs.as_str()),
        ("tracking_no", tracking_no.as_str()),
        ("status", status.as_str()),
        ("category", category.as_str()),
        ("channel", channel.as_str()),
        ("org_unit", org_unit.as_str()),
        ("department", department.as_str()),
        ("center", center.as_str()),
        ("party_id_card", party_id_card.as_str()),
        ("party_phone", party_phone.as_str()),
        ("from", from.as_str()),
        ("to", to.as_str()),
        ("overdue", flag(q.overdue)),
        ("warning", flag(q.warning)),
        ("supervised", flag(q.supervised)),
        ("mine", flag(q.mine)),
        ("mine_registered", flag(q.mine_registered)),
        ("sort", sort.as_str()),
        ("limit", limit.as_str()),
        ("metric", metric.as_str()),
        ("lead_department", lead_department.as_str()),
    ];
    let without_metric = {
        let kept: Vec<(&str, &str)> = pairs
            .iter()
            .filter(|(k, v)| !v.is_empty() && *k != "metric" && *k != "lead_department")
            .copied()
            .collect();
        match serde_urlencoded::to_string(&kept) {
            Ok(qs) if !qs.is_empty() => format!("/cases?{qs}"),
            _ => "/cases".to_owned(),
        }
    };
    let metric_label = zongzhi_core::metrics::Metric::parse(&metric)
        .map(|m| m.label_zh().to_owned())
        .unwrap_or_default();
    let fetched = async {
        let page = list_cases_as(&state, &user, &q).await?;
        let total = count_cases_as(&state, &user, &q).await?;
        Ok::<_, ApiError>((page, total))
    }
    .await;
    // The number names one case: open it.
    if by_number.is_some()
        && let Ok((page, _)) = &fetched
        && let [only] = page.items.as_slice()
    {
        return Ok(Redirect::to(&format!("/cases/{}", only.id)).into_response());
    }
    let mut filter_errors = Errors::default();
    let (rows, pager) = match fetched {
        Ok((page, total)) => {
            let pager = Pager::new(
                "/cases",
                &pairs,
                total,
                q.cursor.as_deref(),
                page.next_cursor,
            );
            (page.items.iter().map(CaseRow::new).collect(), pager)
        }
        Err(e) => {
            filter_errors = form_errors(e)?;
            (Vec::new(), Pager::empty())
        }
    };
    let mut status_opts: Vec<(String, String)> = CaseStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), s.label_zh().to_owned()))
        .collect();
    status_opts.extend(
        STATUS_GROUPS
            .iter()
            .map(|(v, l)| ((*v).to_owned(), (*l).to_owned())),
    );
    if !status.is_empty() && !status_opts.iter().any(|(v, _)| *v == status) {
        status_opts.push((status.clone(), status_label(&status)));
    }
    let units = unit_pairs(&unit_options(&state, &user.scope(), &OrgLevel::ALL).await?);
    let p = ListPage {
        layout: Layout::new(&user, "事件列表", "cases"),
        statuses: opts(status_opts, &status),
        categories: category_groups(&state, &category, "（含下级）").await?,
        channels: opts(
            Channel::ALL.iter().map(|c| (c.as_str(), c.label_zh())),
            &channel,
        ),
        units: opts(units, &org_unit),
        sorts: opts(
            [
                ("newest", "最新登记在前"),
                ("oldest", "最早登记在前"),
                ("due", "期限最近在前"),
            ],
            if sort.is_empty() { "newest" } else { &sort },
        ),
        q: qs.clone(),
        from: from.clone(),
        to: to.clone(),
        overdue: q.overdue == Some(true),
        warning: q.warning == Some(true),
        supervised: q.supervised == Some(true),
        mine: q.mine == Some(true),
        mine_registered: q.mine_registered == Some(true),
        department: department.clone(),
        center: center.clone(),
        tracking_no: tracking_no.clone(),
        party_id_card: party_id_card.clone(),
        party_phone: party_phone.clone(),
        metric: metric.clone(),
        metric_label,
        lead_department: lead_department.clone(),
        without_metric,
        filter_errors,
        rows,
        pager,
        can_register: super::can_register(&user),
    };
    Ok(page(&p, &Errors::default()))
}

/// Label of a comma-separated status list (`已办结、核查中`).
fn status_label(s: &str) -> String {
    s.split(',')
        .filter_map(|x| CaseStatus::parse(x.trim()))
        .map(CaseStatus::label_zh)
        .collect::<Vec<_>>()
        .join("、")
}
