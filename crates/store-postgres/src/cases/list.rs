//! Lists and counts of cases (filters, full-text search, keyset pages) and the deadline
//! job's candidates.
//!
//! Pages are keyset pages on an index order: `id` for newest/oldest first, `(due_at, id)`
//! for soonest due first — where the cases without a running deadline follow, by id, as a
//! second index-ordered query once the dated ones run out.

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};
use zongzhi_core::case::{CaseStatus, Outcome, Rating};
use zongzhi_core::metrics::Metric;
use zongzhi_core::org::subtree_range;
use zongzhi_core::role::Scope;
use zongzhi_intel::Segmenter;
use zongzhi_store::{Case, CaseFilter, CaseSort, DeadlineCandidate, Page, StoreResult, page_limit};

use super::push_visible;
use super::rows::{CASE_SELECT, CaseRow};
use crate::error::db;
use crate::query::{empty_page, finish_page, push_limit};
use crate::rows::convert;

/// What a filter needs looked up before the query is built.
pub(crate) struct Resolved {
    /// `[lo, hi)` of the `under` unit's subtree.
    under: Option<(String, String)>,
    /// The category code and its children.
    categories: Option<Vec<String>>,
    /// `to_tsquery('simple', …)` text: the query's terms joined with ` & `.
    tsquery: Option<String>,
}

/// Looks up the filter's unit and category; `None` when either does not exist, so that
/// nothing can match.
pub(crate) async fn resolve(pool: &PgPool, f: &CaseFilter) -> StoreResult<Option<Resolved>> {
    let under = match f.under {
        Some(unit) => {
            let path: Option<String> =
                sqlx::query_scalar("SELECT path FROM org_units WHERE id = $1")
                    .bind(unit)
                    .fetch_optional(pool)
                    .await
                    .map_err(db)?;
            match path {
                Some(p) => Some(subtree_range(&p)),
                None => return Ok(None),
            }
        }
        None => None,
    };
    let categories = match &f.category {
        Some(code) => {
            let codes: Vec<String> = sqlx::query_scalar(
                "SELECT code FROM categories WHERE code = $1 OR parent_code = $1",
            )
            .bind(code)
            .fetch_all(pool)
            .await
            .map_err(db)?;
            if codes.is_empty() {
                return Ok(None);
            }
            Some(codes)
        }
        None => None,
    };
    let tsquery = f.q.as_deref().and_then(|q| {
        let terms = Segmenter::shared().tsquery_terms(q);
        (!terms.is_empty()).then(|| terms.join(" & "))
    });
    Ok(Some(Resolved {
        under,
        categories,
        tsquery,
    }))
}

/// Pushes ` WHERE …` for scope and filter (cursor excluded) on cases `c`.
pub(crate) fn push_filter(
    qb: &mut QueryBuilder<Postgres>,
    scope: &Scope,
    f: &CaseFilter,
    r: &Resolved,
) {
    qb.push(" WHERE TRUE");
    push_visible(qb, scope);
    if let Some(no) = &f.tracking_no {
        qb.push(" AND c.tracking_no = ").push_bind(no.clone());
    }
    if let Some(account) = f.created_by {
        // Served by the `(created_by, idempotency_key)` unique index's leading column.
        qb.push(" AND c.created_by = ").push_bind(account);
    }
    if !f.statuses.is_empty() {
        let statuses: Vec<&'static str> = f.statuses.iter().map(|s| s.as_str()).collect();
        qb.push(" AND c.status = ANY(")
            .push_bind(statuses)
            .push(")");
    }
    if let Some(codes) = &r.categories {
        qb.push(" AND c.category_code = ANY(")
            .push_bind(codes.clone())
            .push(")");
    }
    if let Some(ch) = f.channel {
        qb.push(" AND c.channel = ").push_bind(ch.as_str());
    }
    if let Some((lo, hi)) = &r.under {
        qb.push(" AND c.org_path >= ")
            .push_bind(lo.clone())
            .push(" AND c.org_path < ")
            .push_bind(hi.clone());
    }
    if let Some(dept) = f.department_id {
        qb.push(
            " AND EXISTS (SELECT 1 FROM case_departments fd WHERE fd.case_id = c.id \
             AND fd.active AND fd.department_id = ",
        )
        .push_bind(dept)
        .push(")");
    }
    if let Some(unit) = f.holder_unit_id {
        qb.push(" AND c.holder_unit_id = ").push_bind(unit);
    }
    if let Some(unit) = f.center_unit_id {
        qb.push(" AND c.center_unit_id = ").push_bind(unit);
    }
    if let Some(from) = f.from {
        qb.push(" AND c.reported_at >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        qb.push(" AND c.reported_at < ").push_bind(to);
    }
    if let Some(state) = f.deadline_state {
        qb.push(" AND c.deadline_state = ")
            .push_bind(state.as_str());
    }
    if let Some(ever) = f.ever_overdue {
        qb.push(" AND c.ever_overdue = ").push_bind(ever);
    }
    match f.supervised {
        Some(true) => {
            qb.push(" AND c.supervision_level IS NOT NULL");
        }
        Some(false) => {
            qb.push(" AND c.supervision_level IS NULL");
        }
        None => {}
    }
    if let Some(level) = f.supervision_level {
        qb.push(" AND c.supervision_level = ")
            .push_bind(level.as_str());
    }
    for (col, value) in [
        ("id_card_index", &f.party_id_card_index),
        ("phone_index", &f.party_phone_index),
    ] {
        if let Some(v) = value {
            qb.push(format_args!(
                " AND EXISTS (SELECT 1 FROM case_parties fp WHERE fp.case_id = c.id \
                 AND fp.{col} = "
            ))
            .push_bind(v.clone())
            .push(")");
        }
    }
    if let Some(dept) = f.lead_department_id {
        qb.push(" AND c.holder_department_id = ").push_bind(dept);
    }
    if let Some(metric) = f.metric {
        push_metric(qb, metric);
    }
    if let Some(tsq) = &r.tsquery {
        qb.push(" AND c.search_terms @@ to_tsquery('simple', ")
            .push_bind(tsq.clone())
            .push(")");
    }
}

/// Pushes the predicate of `metric` on cases `c`, exactly as `Counters::of` counts: never a
/// merged duplicate, and the metric's own condition.
fn push_metric(qb: &mut QueryBuilder<Postgres>, metric: Metric) {
    qb.push(" AND c.master_case_id IS NULL");
    match metric {
        Metric::Received => {}
        Metric::Open => {
            let open: Vec<&'static str> = CaseStatus::ALL
                .iter()
                .filter(|s| s.is_open())
                .map(|s| s.as_str())
                .collect();
            qb.push(" AND c.status = ANY(").push_bind(open).push(")");
        }
        Metric::Closed => {
            qb.push(" AND c.closed_at IS NOT NULL");
        }
        Metric::Resolved => {
            let resolved: Vec<&'static str> = Outcome::ALL
                .iter()
                .filter(|o| o.counts_as_resolved())
                .map(|o| o.as_str())
                .collect();
            qb.push(" AND c.closed_at IS NOT NULL AND c.outcome = ANY(")
                .push_bind(resolved)
                .push(")");
        }
        Metric::OnTime => {
            qb.push(" AND c.closed_at IS NOT NULL AND c.on_time = TRUE");
        }
        Metric::Accepted => {
            qb.push(" AND c.accept_minutes IS NOT NULL");
        }
        Metric::Rated => {
            qb.push(" AND c.rating IS NOT NULL");
        }
        Metric::Satisfied => {
            let satisfied: Vec<&'static str> = Rating::ALL
                .iter()
                .filter(|r| r.is_satisfied())
                .map(|r| r.as_str())
                .collect();
            qb.push(" AND c.rating = ANY(")
                .push_bind(satisfied)
                .push(")");
        }
        Metric::Overdue => {
            qb.push(" AND c.ever_overdue");
        }
        Metric::Supervised => {
            qb.push(" AND c.ever_supervised");
        }
        Metric::Reopened => {
            qb.push(" AND c.reopen_count > 0");
        }
    }
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Start {
    /// The first page.
    First,
    /// After the row with this id (by id, either direction).
    Id(i64),
    /// After this `(due_at, id)`; `None` due: inside the undated tail.
    Due(Option<DateTime<Utc>>, i64),
}

/// Decodes a cursor for `sort`; `None` for one this store did not hand out.
fn parse_cursor(sort: CaseSort, cursor: Option<&str>) -> Option<Start> {
    let Some(c) = cursor else {
        return Some(Start::First);
    };
    match sort {
        CaseSort::Newest | CaseSort::Oldest => c.parse().ok().map(Start::Id),
        CaseSort::DueSoonest => {
            let (due, id) = c.split_once(':')?;
            let id = id.parse().ok()?;
            let due = match due {
                "-" => None,
                micros => Some(DateTime::from_timestamp_micros(micros.parse().ok()?)?),
            };
            Some(Start::Due(due, id))
        }
    }
}

/// The cursor after `case` in `sort` order.
fn cursor_of(sort: CaseSort, case: &Case) -> String {
    match sort {
        CaseSort::Newest | CaseSort::Oldest => case.id.to_string(),
        CaseSort::DueSoonest => match case.state.due_at() {
            Some(d) => format!("{}:{}", d.timestamp_micros(), case.id),
            None => format!("-:{}", case.id),
        },
    }
}

/// Which part of the due-soonest order a query reads.
#[derive(Clone, Copy)]
enum Part {
    /// Ordered by id (newest/oldest).
    ById(CaseSort),
    /// Cases with a running deadline, by `(due_at, id)`.
    Dated,
    /// Cases without one, by id.
    Undated,
}

/// One index-ordered query of at most `limit + 1` rows.
async fn fetch_part(
    pool: &PgPool,
    scope: &Scope,
    f: &CaseFilter,
    r: &Resolved,
    part: Part,
    start: Start,
    limit: i64,
) -> StoreResult<Vec<Case>> {
    let mut qb = QueryBuilder::new(CASE_SELECT);
    push_filter(&mut qb, scope, f, r);
    match part {
        Part::ById(sort) => {
            let desc = sort == CaseSort::Newest;
            if let Start::Id(id) = start {
                qb.push(if desc { " AND c.id < " } else { " AND c.id > " })
                    .push_bind(id);
            }
            qb.push(if desc {
                " ORDER BY c.id DESC"
            } else {
                " ORDER BY c.id ASC"
            });
        }
        Part::Dated => {
            qb.push(" AND c.due_at IS NOT NULL");
            if let Start::Due(Some(due), id) = start {
                qb.push(" AND (c.due_at, c.id) > (")
                    .push_bind(due)
                    .push(", ")
                    .push_bind(id)
                    .push(")");
            }
            qb.push(" ORDER BY c.due_at ASC, c.id ASC");
        }
        Part::Undated => {
            qb.push(" AND c.due_at IS NULL");
            if let Start::Due(None, id) = start {
                qb.push(" AND c.id > ").push_bind(id);
            }
            qb.push(" ORDER BY c.id ASC");
        }
    }
    push_limit(&mut qb, limit);
    // Not persistent: an unnamed statement is planned with the actual scope and filter
    // values every time. A cached generic plan cannot tell a village's few cases from a
    // city's million and may walk the whole primary key for the former.
    let rows: Vec<CaseRow> = qb
        .build_query_as()
        .persistent(false)
        .fetch_all(pool)
        .await
        .map_err(db)?;
    convert(rows, CaseRow::into_model)
}

/// [`zongzhi_store::CaseStore::list_cases`].
pub(crate) async fn list_cases(
    pool: &PgPool,
    scope: &Scope,
    f: &CaseFilter,
) -> StoreResult<Page<Case>> {
    let limit = page_limit(f.limit);
    let Some(start) = parse_cursor(f.sort, f.cursor.as_deref()) else {
        return Ok(empty_page());
    };
    let Some(r) = resolve(pool, f).await? else {
        return Ok(empty_page());
    };
    let items = match f.sort {
        CaseSort::Newest | CaseSort::Oldest => {
            fetch_part(pool, scope, f, &r, Part::ById(f.sort), start, limit).await?
        }
        CaseSort::DueSoonest => {
            let mut items = Vec::new();
            if !matches!(start, Start::Due(None, _)) {
                items = fetch_part(pool, scope, f, &r, Part::Dated, start, limit).await?;
            }
            let have = i64::try_from(items.len()).unwrap_or(i64::MAX);
            if have <= limit {
                // `limit - have` more, plus the look-ahead row.
                let rest =
                    fetch_part(pool, scope, f, &r, Part::Undated, start, limit - have).await?;
                items.extend(rest);
            }
            items
        }
    };
    Ok(finish_page(items, limit, |c| cursor_of(f.sort, c)))
}

/// [`zongzhi_store::CaseStore::count_cases`].
pub(crate) async fn count_cases(pool: &PgPool, scope: &Scope, f: &CaseFilter) -> StoreResult<i64> {
    let Some(r) = resolve(pool, f).await? else {
        return Ok(0);
    };
    let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM cases c");
    push_filter(&mut qb, scope, f, &r);
    // Planned with the actual values, as in `fetch_part`.
    qb.build_query_scalar()
        .persistent(false)
        .fetch_one(pool)
        .await
        .map_err(db)
}

/// [`zongzhi_store::CaseStore::deadline_candidates`].
pub(crate) async fn deadline_candidates(
    pool: &PgPool,
    now: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<DeadlineCandidate>> {
    // Each condition is its own short index scan (`cases_unmarked_due_idx`,
    // `cases_warn_idx`); the first `limit` of their union are the first of both together.
    // `due_at` is set only while assigned or in progress, so the status test is a formality.
    let rows: Vec<CaseRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CASE_SELECT} WHERE c.id IN ( \
           (SELECT id FROM cases WHERE due_at IS NOT NULL AND deadline_state <> 'overdue' \
            AND due_at < $1 ORDER BY due_at, id LIMIT $2) \
           UNION ALL \
           (SELECT id FROM cases WHERE due_at IS NOT NULL AND deadline_state = 'normal' \
            AND warn_at <= $1 ORDER BY due_at, id LIMIT $2)) \
         AND c.status IN ('assigned', 'in_progress') \
         ORDER BY c.due_at, c.id LIMIT $2"
    )))
    .bind(now)
    .bind(limit.max(0))
    .fetch_all(pool)
    .await
    .map_err(db)?;
    convert(rows, CaseRow::into_candidate)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn cursors_parse() {
        assert_eq!(parse_cursor(CaseSort::Newest, None), Some(Start::First));
        assert_eq!(
            parse_cursor(CaseSort::Newest, Some("7")),
            Some(Start::Id(7))
        );
        assert_eq!(parse_cursor(CaseSort::Oldest, Some("x")), None);
        assert_eq!(
            parse_cursor(CaseSort::DueSoonest, Some("-:9")),
            Some(Start::Due(None, 9))
        );
        let t = DateTime::from_timestamp_micros(1_700_000_000_123_456).unwrap();
        assert_eq!(
            parse_cursor(CaseSort::DueSoonest, Some("1700000000123456:3")),
            Some(Start::Due(Some(t), 3))
        );
        assert_eq!(parse_cursor(CaseSort::DueSoonest, Some("12")), None);
        assert_eq!(parse_cursor(CaseSort::DueSoonest, Some("a:1")), None);
    }
}
