//! Listing and counting cases: filters, full-text search and keyset pagination.
//!
//! The list runs in two steps: the filtered, ordered query selects only ids (and the sort
//! key), `limit + 1` of them, so it can be answered from indexes; then the page's rows are
//! read by primary key with their joined names.

use sqlx::sqlite::SqlitePool;
use sqlx::{QueryBuilder, Sqlite};
use zongzhi_core::case::{CaseStatus, Outcome, Rating};
use zongzhi_core::metrics::Metric;
use zongzhi_core::org::subtree_range;
use zongzhi_core::role::Scope;
use zongzhi_intel::Segmenter;
use zongzhi_store::{Case, CaseFilter, CasePoint, CaseSort, Page, StoreResult, page_limit};

use super::rows::code;
use super::{fetch_many, push_visible};
use crate::util::{db, empty, page, parse_ts, ts};

/// Where a page starts, decoded from the opaque cursor.
enum Cursor {
    /// After this id (newest / oldest).
    Id(i64),
    /// After this `(due_at, id)`; `None` due = among the cases without a deadline.
    Due(Option<String>, i64),
}

fn encode_cursor(sort: CaseSort, c: &Case) -> String {
    match sort {
        CaseSort::Newest | CaseSort::Oldest => c.id.to_string(),
        CaseSort::DueSoonest => match c.state.due_at() {
            Some(d) => format!("d{}~{}", ts(d), c.id),
            None => format!("n~{}", c.id),
        },
    }
}

fn decode_cursor(sort: CaseSort, s: &str) -> Option<Cursor> {
    match sort {
        CaseSort::Newest | CaseSort::Oldest => s.parse().ok().map(Cursor::Id),
        CaseSort::DueSoonest => {
            let (key, id) = s.rsplit_once('~')?;
            let id = id.parse().ok()?;
            if key == "n" {
                return Some(Cursor::Due(None, id));
            }
            let due = key.strip_prefix('d')?;
            // Only a well-formed time goes back into SQL as a bound key.
            let due = ts(parse_ts(due).ok()?);
            Some(Cursor::Due(Some(due), id))
        }
    }
}

/// What the filter resolves to before building SQL.
enum Prepared {
    /// Nothing can match (unknown `under` unit).
    Nothing,
    /// The `under` range if any, and the FTS5 expression if any.
    Query {
        under: Option<(String, String)>,
        fts: Option<String>,
    },
}

async fn prepare(pool: &SqlitePool, f: &CaseFilter) -> StoreResult<Prepared> {
    let under = match f.under {
        None => None,
        Some(id) => {
            let path: Option<String> =
                sqlx::query_scalar("SELECT path FROM org_units WHERE id = ?")
                    .bind(id)
                    .fetch_optional(pool)
                    .await
                    .map_err(db)?;
            match path {
                Some(p) => Some(subtree_range(&p)),
                None => return Ok(Prepared::Nothing),
            }
        }
    };
    let fts =
        f.q.as_deref()
            .and_then(|q| Segmenter::shared().fts5_match(q));
    Ok(Prepared::Query { under, fts })
}

fn push_filter(
    qb: &mut QueryBuilder<Sqlite>,
    scope: &Scope,
    f: &CaseFilter,
    under: &Option<(String, String)>,
    fts: &Option<String>,
) {
    push_visible(qb, scope);
    if let Some(no) = &f.tracking_no {
        qb.push(" AND c.tracking_no = ").push_bind(no.clone());
    }
    if let Some(account) = f.created_by {
        // Served by the `(created_by, idempotency_key)` unique index's leading column.
        qb.push(" AND c.created_by = ").push_bind(account);
    }
    if !f.statuses.is_empty() {
        qb.push(" AND c.status IN (");
        let mut sep = qb.separated(", ");
        for s in &f.statuses {
            sep.push_bind(s.as_str());
        }
        qb.push(")");
    }
    if let Some(cat) = &f.category {
        qb.push(" AND c.category_code IN (SELECT code FROM categories WHERE code = ")
            .push_bind(cat.clone())
            .push(" OR parent_code = ")
            .push_bind(cat.clone())
            .push(")");
    }
    if let Some(ch) = f.channel {
        qb.push(" AND c.channel = ").push_bind(ch.as_str());
    }
    if let Some((lo, hi)) = under {
        qb.push(" AND c.org_path >= ").push_bind(lo.clone());
        qb.push(" AND c.org_path < ").push_bind(hi.clone());
    }
    if let Some(d) = f.department_id {
        qb.push(
            " AND c.id IN (SELECT case_id FROM case_departments WHERE active AND department_id = ",
        )
        .push_bind(d)
        .push(")");
    }
    if let Some(u) = f.holder_unit_id {
        qb.push(" AND c.holder_unit_id = ").push_bind(u);
    }
    if let Some(u) = f.center_unit_id {
        qb.push(" AND c.center_unit_id = ").push_bind(u);
    }
    if let Some(from) = f.from {
        qb.push(" AND c.reported_at >= ").push_bind(ts(from));
    }
    if let Some(to) = f.to {
        qb.push(" AND c.reported_at < ").push_bind(ts(to));
    }
    if let Some(d) = f.deadline_state {
        qb.push(" AND c.deadline_state = ").push_bind(d.as_str());
    }
    if let Some(e) = f.ever_overdue {
        qb.push(" AND c.ever_overdue = ").push_bind(e);
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
    if let Some(l) = f.supervision_level {
        qb.push(" AND c.supervision_level = ").push_bind(l.as_str());
    }
    if let Some(ix) = &f.party_id_card_index {
        qb.push(" AND c.id IN (SELECT case_id FROM case_parties WHERE id_card_index = ")
            .push_bind(ix.clone())
            .push(")");
    }
    if let Some(ix) = &f.party_phone_index {
        qb.push(" AND c.id IN (SELECT case_id FROM case_parties WHERE phone_index = ")
            .push_bind(ix.clone())
            .push(")");
    }
    if let Some(m) = fts {
        qb.push(" AND c.id IN (SELECT rowid FROM case_search WHERE case_search MATCH ")
            .push_bind(m.clone())
            .push(")");
    }
    if let Some(d) = f.lead_department_id {
        qb.push(" AND c.holder_department_id = ").push_bind(d);
    }
    if let Some(m) = f.metric {
        push_metric(qb, m);
    }
}

/// The cases a metric counts, exactly as `Counters::of` counts them.
fn push_metric(qb: &mut QueryBuilder<Sqlite>, m: Metric) {
    // Merged duplicates count for nothing.
    qb.push(" AND c.master_case_id IS NULL");
    const CLOSED: &str = " AND c.closed_at IS NOT NULL";
    match m {
        Metric::Received => {}
        Metric::Open => {
            qb.push(" AND c.status IN (");
            let mut sep = qb.separated(", ");
            for s in CaseStatus::ALL.iter().filter(|s| s.is_open()) {
                sep.push_bind(s.as_str());
            }
            qb.push(")");
        }
        Metric::Closed => {
            qb.push(CLOSED);
        }
        Metric::Resolved => {
            qb.push(CLOSED).push(" AND c.outcome IN (");
            let mut sep = qb.separated(", ");
            for o in Outcome::ALL.iter().filter(|o| o.counts_as_resolved()) {
                sep.push_bind(o.as_str());
            }
            qb.push(")");
        }
        Metric::OnTime => {
            qb.push(CLOSED).push(" AND c.on_time = 1");
        }
        Metric::Accepted => {
            qb.push(" AND c.accept_minutes IS NOT NULL");
        }
        Metric::Rated => {
            qb.push(" AND c.rating IS NOT NULL");
        }
        Metric::Satisfied => {
            qb.push(" AND c.rating IN (");
            let mut sep = qb.separated(", ");
            for r in Rating::ALL.iter().filter(|r| r.is_satisfied()) {
                sep.push_bind(r.as_str());
            }
            qb.push(")");
        }
        Metric::Overdue => {
            qb.push(" AND c.ever_overdue = 1");
        }
        Metric::Supervised => {
            qb.push(" AND c.ever_supervised = 1");
        }
        Metric::Reopened => {
            qb.push(" AND c.reopen_count > 0");
        }
    }
}

/// Cases with coordinates `scope` may see matching `f`, newest first, at most
/// [`MAX_POINTS`] (or `f.limit` if smaller).
pub(crate) async fn points(
    pool: &SqlitePool,
    scope: &Scope,
    f: &CaseFilter,
) -> StoreResult<Vec<CasePoint>> {
    let Prepared::Query { under, fts } = prepare(pool, f).await? else {
        return Ok(Vec::new());
    };
    let limit = f.limit.unwrap_or(MAX_POINTS).clamp(1, MAX_POINTS);
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT c.id, c.tracking_no, c.title, c.category_code, c.status, c.lat, c.lng          FROM cases c WHERE c.lat IS NOT NULL AND c.lng IS NOT NULL",
    );
    push_filter(&mut qb, scope, f, &under, &fts);
    qb.push(" ORDER BY c.id DESC LIMIT ").push_bind(limit);
    let rows: Vec<(i64, String, String, String, String, f64, f64)> =
        qb.build_query_as().fetch_all(pool).await.map_err(db)?;
    rows.into_iter()
        .map(
            |(id, tracking_no, title, category_code, status, lat, lng)| {
                Ok(CasePoint {
                    id,
                    tracking_no,
                    title,
                    category_code,
                    status: code(&status, "case status", CaseStatus::parse)?,
                    lat,
                    lng,
                })
            },
        )
        .collect()
}

/// The most points a map gets.
const MAX_POINTS: i64 = 5_000;

/// Cases `scope` may see matching `f`, one page.
pub(crate) async fn list(
    pool: &SqlitePool,
    scope: &Scope,
    f: &CaseFilter,
) -> StoreResult<Page<Case>> {
    let Prepared::Query { under, fts } = prepare(pool, f).await? else {
        return Ok(empty());
    };
    let cursor = match f.cursor.as_deref() {
        None => None,
        Some(s) => match decode_cursor(f.sort, s) {
            Some(c) => Some(c),
            None => return Ok(empty()),
        },
    };
    let limit = page_limit(f.limit);
    let want = limit + 1;
    let mut conn = pool.acquire().await.map_err(db)?;
    let select = |tail: &dyn Fn(&mut QueryBuilder<Sqlite>), n: i64| {
        let mut qb = QueryBuilder::<Sqlite>::new("SELECT c.id FROM cases c WHERE 1 = 1");
        push_filter(&mut qb, scope, f, &under, &fts);
        tail(&mut qb);
        qb.push(" LIMIT ").push_bind(n);
        qb
    };
    let ids: Vec<i64> = match (f.sort, cursor) {
        (CaseSort::Newest | CaseSort::Oldest, cursor) => {
            let (op, order) = if f.sort == CaseSort::Oldest {
                (" > ", " ORDER BY c.id ASC")
            } else {
                (" < ", " ORDER BY c.id DESC")
            };
            let after = match cursor {
                Some(Cursor::Id(id)) => Some(id),
                _ => None,
            };
            let mut qb = select(
                &|qb| {
                    if let Some(id) = after {
                        qb.push(" AND c.id").push(op).push_bind(id);
                    }
                    qb.push(order);
                },
                want,
            );
            qb.build_query_scalar()
                .fetch_all(&mut *conn)
                .await
                .map_err(db)?
        }
        (CaseSort::DueSoonest, cursor) => {
            // Two index-friendly steps instead of one `NULLS LAST` sort: running deadlines
            // in due order from the partial index on `due_at`, then the rest by id.
            let mut ids = Vec::new();
            let null_after = match &cursor {
                Some(Cursor::Due(None, id)) => Some(*id),
                _ => None,
            };
            if null_after.is_none() {
                let after = match cursor {
                    Some(Cursor::Due(Some(due), id)) => Some((due, id)),
                    _ => None,
                };
                let mut qb = select(
                    &|qb| {
                        qb.push(" AND c.due_at IS NOT NULL");
                        if let Some((due, id)) = &after {
                            qb.push(" AND (c.due_at > ")
                                .push_bind(due.clone())
                                .push(" OR (c.due_at = ")
                                .push_bind(due.clone())
                                .push(" AND c.id > ")
                                .push_bind(*id)
                                .push("))");
                        }
                        qb.push(" ORDER BY c.due_at, c.id");
                    },
                    want,
                );
                ids = qb
                    .build_query_scalar()
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(db)?;
            }
            let missing = want - i64::try_from(ids.len()).unwrap_or(want);
            if missing > 0 {
                let mut qb = select(
                    &|qb| {
                        qb.push(" AND c.due_at IS NULL");
                        if let Some(id) = null_after {
                            qb.push(" AND c.id > ").push_bind(id);
                        }
                        qb.push(" ORDER BY c.id");
                    },
                    missing,
                );
                let more: Vec<i64> = qb
                    .build_query_scalar()
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(db)?;
                ids.extend(more);
            }
            ids
        }
    };
    let items = fetch_many(&mut conn, &ids).await?;
    let sort = f.sort;
    Ok(page(items, limit, |c| encode_cursor(sort, c)))
}

/// How many cases `scope` may see match `f`.
pub(crate) async fn count(pool: &SqlitePool, scope: &Scope, f: &CaseFilter) -> StoreResult<i64> {
    let Prepared::Query { under, fts } = prepare(pool, f).await? else {
        return Ok(0);
    };
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM cases c WHERE 1 = 1");
    push_filter(&mut qb, scope, f, &under, &fts);
    qb.build_query_scalar().fetch_one(pool).await.map_err(db)
}
