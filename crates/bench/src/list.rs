//! Scoped list latency: the first page (50, newest first) of `list_cases` for a village, a
//! town, a county and a city user, with no filter and with status, category, overdue and
//! full-text filters, beside the equivalent SQL run directly on the `cases` table of the
//! same database in the same run.

use std::time::{Duration, Instant};

use sqlx::Row as _;
use zongzhi_core::case::{CaseStatus, DeadlineState};
use zongzhi_core::org::subtree_range;
use zongzhi_core::role::Scope;
use zongzhi_intel::Segmenter;
use zongzhi_store::{CaseFilter, StoreError};
use zongzhi_web::demo_cases::{DemoCaseOptions, generate_cases};

use crate::setup::{Bench, root};
use crate::stats::{Row, ms, percentile};

/// Page size measured.
const PAGE: i64 = 50;

/// The users measured: (label, demo account).
const USERS: &[(&str, &str)] = &[
    ("village", "village_worker"),
    ("town", "town_dispatcher"),
    ("county", "county_dispatcher"),
    ("city", "city_dispatcher"),
];

/// A filter measured.
#[derive(Debug, Clone, Copy)]
enum Filter {
    None,
    Status,
    Category,
    Overdue,
    Text,
}

impl Filter {
    const ALL: [Filter; 5] = [
        Filter::None,
        Filter::Status,
        Filter::Category,
        Filter::Overdue,
        Filter::Text,
    ];

    fn label(self) -> &'static str {
        match self {
            Filter::None => "no filter",
            Filter::Status => "status=in_progress",
            Filter::Category => "category=D10",
            Filter::Overdue => "overdue",
            Filter::Text => "q=工资",
        }
    }

    fn ours(self) -> CaseFilter {
        let mut f = CaseFilter {
            limit: Some(PAGE),
            ..CaseFilter::default()
        };
        match self {
            Filter::None => {}
            Filter::Status => f.statuses = vec![CaseStatus::InProgress],
            Filter::Category => f.category = Some("D10".into()),
            Filter::Overdue => f.deadline_state = Some(DeadlineState::Overdue),
            Filter::Text => f.q = Some("工资".into()),
        }
        f
    }
}

/// The equivalent query, written by hand on the `cases` table.
async fn raw_page(b: &Bench, scope: &Scope, filter: Filter) -> anyhow::Result<Vec<i64>> {
    let mut sql = String::from("SELECT * FROM cases c WHERE 1 = 1");
    let mut binds: Vec<String> = Vec::new();
    if scope.org_path != "/" {
        let (lo, hi) = subtree_range(&scope.org_path);
        sql.push_str(
            " AND ((c.org_path >= ? AND c.org_path < ?) OR (c.center_path >= ? AND \
             c.center_path < ?) OR (c.holder_path >= ? AND c.holder_path < ?))",
        );
        for _ in 0..3 {
            binds.push(lo.clone());
            binds.push(hi.clone());
        }
    }
    match filter {
        Filter::None => {}
        Filter::Status => {
            sql.push_str(" AND c.status = ?");
            binds.push("in_progress".into());
        }
        Filter::Category => {
            sql.push_str(" AND (c.category_code = ? OR c.category_code LIKE ?)");
            binds.push("D10".into());
            binds.push("D10-%".into());
        }
        Filter::Overdue => sql.push_str(" AND c.deadline_state = 'overdue'"),
        Filter::Text => {
            sql.push_str(" AND c.id IN (SELECT rowid FROM case_search WHERE case_search MATCH ?)");
            binds.push(Segmenter::shared().fts5_match("工资").unwrap_or_default());
        }
    }
    sql.push_str(&format!(" ORDER BY c.id DESC LIMIT {PAGE}"));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for v in binds {
        q = q.bind(v);
    }
    let rows = q.fetch_all(b.sqlite.pool()).await?;
    Ok(rows.iter().map(|r| r.get::<i64, _>("id")).collect())
}

async fn ours_page(b: &Bench, scope: &Scope, filter: Filter) -> Result<Vec<i64>, StoreError> {
    let page = b.store().list_cases(scope, &filter.ours()).await?;
    Ok(page.items.iter().map(|c| c.id).collect())
}

/// Fills the database up to `target` cases with demo cases.
pub async fn load(b: &Bench, target: u64, seed: u64) -> anyhow::Result<Option<Row>> {
    let existing = b
        .store()
        .count_cases(&root(), &CaseFilter::default())
        .await? as u64;
    if existing >= target {
        return Ok(None);
    }
    let n = target - existing;
    let mut opts = DemoCaseOptions::new(n, b.state.clock.now());
    opts.seed = seed;
    let started = Instant::now();
    let mut last = Instant::now();
    let summary = generate_cases(&b.state, &opts, |p| {
        if last.elapsed() >= Duration::from_secs(10) {
            last = Instant::now();
            eprintln!(
                "  loading: {}/{} cases, {:.0}/s",
                p.written,
                p.total,
                p.written as f64 / p.elapsed.as_secs_f64().max(1e-9)
            );
        }
    })
    .await?;
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    Ok(Some(Row {
        operation: format!("load to {target} cases (demo generator + import_cases)"),
        ours: format!("{:.0} cases/s", summary.written as f64 / secs),
        raw: "-".into(),
        ratio: None,
        note: format!(
            "({} cases in {secs:.0} s, generation included)",
            summary.written
        ),
    }))
}

/// Measures every user × filter `iterations` times each way.
pub async fn run(b: &Bench, iterations: usize) -> anyhow::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (label, username) in USERS {
        let scope = b.scope_of(username).await?;
        for filter in Filter::ALL {
            // Warm the caches both ways first, and check both answer the same page.
            let same = ours_page(b, &scope, filter).await? == raw_page(b, &scope, filter).await?;
            let (mut ours, mut raw) = (Vec::new(), Vec::new());
            for _ in 0..iterations {
                let t = Instant::now();
                ours_page(b, &scope, filter).await?;
                ours.push(t.elapsed());
                let t = Instant::now();
                raw_page(b, &scope, filter).await?;
                raw.push(t.elapsed());
            }
            let fmt = |v: &mut Vec<Duration>| {
                let (p50, p95, p99) = (
                    percentile(v, 50.0),
                    percentile(v, 95.0),
                    percentile(v, 99.0),
                );
                (format!("{} / {} / {}", ms(p50), ms(p95), ms(p99)), p95)
            };
            let (o, o95) = fmt(&mut ours);
            let (r, r95) = fmt(&mut raw);
            rows.push(Row {
                operation: format!("list {label}, {}", filter.label()),
                ours: o,
                raw: r,
                ratio: Some(o95.as_secs_f64() / r95.as_secs_f64().max(1e-9)),
                note: if same {
                    String::new()
                } else {
                    "(pages differ)".into()
                },
            });
        }
    }
    Ok(rows)
}
